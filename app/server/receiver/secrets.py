"""The receiver's secrets (the city server's or operator's password, the MQTT password), never
in its configuration file: systemd credentials (``LoadCredential=``, read from
``$CREDENTIALS_DIRECTORY``), else the OS keyring under ``alpr-receiver/NAME``."""
from __future__ import annotations

import os
from pathlib import Path

from app.engine import keys
from app.engine.errors import KeyringError

SERVER_PASSWORD = "server-password"
MQTT_PASSWORD = "mqtt-password"


def get(name: str) -> str | None:
    folder = os.environ.get("CREDENTIALS_DIRECTORY")
    if folder and (Path(folder) / name).is_file():
        return ((Path(folder) / name).read_text(encoding="utf-8").splitlines() or [""])[0] or None
    try:
        return keys.get_secret(f"alpr-receiver/{name}")
    except KeyringError:
        return None
