"""Opening a city server from the address a workstation keeps in its settings.

``embedded:/path/to/folder`` is the embedded server; ``postgresql://...`` or a libpq
key=value string is PostgreSQL. The password is never part of the address: it comes from
the keyring and is passed separately, so the address can be stored and shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .base import CityServer


@dataclass(frozen=True)
class ServerAddress:
    kind: str           # "embedded" or "postgresql"
    target: str         # folder or DSN

    def __str__(self) -> str:
        return f"embedded:{self.target}" if self.kind == "embedded" else self.target


def parse_address(text: str) -> ServerAddress:
    text = (text or "").strip()
    if text.startswith("embedded:"):
        return ServerAddress("embedded", str(Path(text[len("embedded:"):]).expanduser()))
    if text.startswith(("postgresql://", "postgres://")) or "=" in text:
        if "password" in text.lower():
            raise ValueError("Keep the password out of the server address; it is kept in the keyring.")
        return ServerAddress("postgresql", text)
    raise ValueError(f"{text!r} is not a server address: use embedded:FOLDER, postgresql://... "
                     "or a libpq string such as 'host=... dbname=... user=...'.")


def open_server(address: ServerAddress | str, password: str | None = None) -> CityServer:
    """Connect; backend errors (unreachable, refused, no key) propagate to the caller."""
    addr = parse_address(address) if isinstance(address, str) else address
    if addr.kind == "embedded":
        from .embedded import EmbeddedServer
        return EmbeddedServer.open(Path(addr.target))
    from .postgres import PgServer
    return PgServer(addr.target, password)
