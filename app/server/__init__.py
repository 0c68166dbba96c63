"""The city server: its interface, the PostgreSQL and embedded backends, camera-drop
ingest and the demo city. No Qt here; the workstation reaches it only through sync.
"""
from __future__ import annotations

from .base import CityServer
from .connect import open_server, parse_address

__all__ = ["CityServer", "open_server", "parse_address"]
