"""Opening a city server from the address a workstation keeps in its settings.

``embedded:/path/to/folder`` is the embedded server; ``postgresql://...`` or a libpq
key=value string is PostgreSQL. The password is never part of the address: it comes from
the keyring and is passed separately, so the address can be stored and shown. An address
that carries one (``user:secret@host``, ``?password=``, ``password=...``) is refused, and
:func:`redact` blanks any that reaches a message, an exception text or a log entry anyway.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.engine.errors import StoreError

from .base import CityServer

HIDDEN = "***"
PASSWORD_REFUSED = (
    "A city server address must not contain a password: give the address without it (such as "
    "postgresql://alpr@city-server/alpr) and enter the password in the Password field of the sync "
    "settings, or pipe it to 'alpr sync config --server-password-stdin' (--password-stdin for "
    "'alpr server'), so that it is kept in the OS keyring.")

# scheme://user:secret@host -> the secret is everything between the first ':' of the user
# part and the '@' that ends it (a password's own '@' must be percent-encoded in a URI).
_URL_SECRET = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/?#@'\"]*):(?P<secret>[^\s@/'\"]*)@")
# password=..., sslpassword=..., in a query string or a libpq string, quoted or not.
_KV_SECRET = re.compile(r"(?P<head>\b[\w]*password\s*=\s*)"
                        r"(?P<secret>'(?:[^'\\]|\\.)*'?|\"(?:[^\"\\]|\\.)*\"?|[^\s&;,'\"]*)",
                        re.IGNORECASE)
# A password given as a JSON or repr field: "password": "..."
_QUOTED_SECRET = re.compile(r"(?P<head>[\"']\w*password[\"']\s*:\s*)"
                            r"(?P<secret>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')", re.IGNORECASE)


def redact(text: object, *secrets: str | None) -> str:
    """``text`` with every password an address can carry replaced by ``***`` (the user name and
    the rest of the address are kept), and each of ``secrets`` (the password itself, where the
    caller knows it) blanked wherever it appears."""
    out = str(text)
    for secret in secrets:
        if secret:
            out = out.replace(secret, HIDDEN)
    out = _URL_SECRET.sub(lambda m: f"{m['head']}:{HIDDEN}@", out)
    out = _KV_SECRET.sub(lambda m: f"{m['head']}{HIDDEN}" if m["secret"] not in ("", HIDDEN) else m[0], out)
    return _QUOTED_SECRET.sub(lambda m: f"{m['head']}\"{HIDDEN}\"", out)


def has_secret(text: str) -> bool:
    """Whether an address carries a password, in any of the places libpq takes one from."""
    text = text or ""
    return bool(_URL_SECRET.search(text) or _QUOTED_SECRET.search(text)
                or re.search(r"\b\w*password\s*=", text, re.IGNORECASE))


@dataclass(frozen=True)
class ServerAddress:
    kind: str           # "embedded" or "postgresql"
    target: str         # folder or DSN

    def __str__(self) -> str:
        return f"embedded:{self.target}" if self.kind == "embedded" else redact(self.target)


def parse_address(text: str) -> ServerAddress:
    text = (text or "").strip()
    if text.startswith("embedded:"):
        return ServerAddress("embedded", str(Path(text[len("embedded:"):]).expanduser()))
    if has_secret(text):
        raise ValueError(PASSWORD_REFUSED)
    if text.startswith(("postgresql://", "postgres://")) or "=" in text:
        return ServerAddress("postgresql", text)
    raise ValueError(f"{redact(text)!r} is not a server address: use embedded:FOLDER, postgresql://... "
                     "or a libpq string such as 'host=... dbname=... user=...'.")


def open_server(address: ServerAddress | str, password: str | None = None) -> CityServer:
    """Connect; backend errors (unreachable, refused, no key) propagate to the caller.
    ``password`` is the PostgreSQL password, or for the embedded server its key (hex), which
    an operator's key slot gave up (``EmbeddedServer.unlock``)."""
    addr = parse_address(address) if isinstance(address, str) else address
    if addr.kind == "embedded":
        from .embedded import EmbeddedServer
        EmbeddedServer.read_id(Path(addr.target))         # no server there: say that first
        if not password:
            raise StoreError("The embedded city server's key is needed: an operator of the server "
                             "enters their password in the sync settings first.")
        try:
            key = bytes.fromhex(password)
        except ValueError:
            raise StoreError("The key kept for the embedded city server is malformed; an operator "
                             "enters their password in the sync settings again.") from None
        return EmbeddedServer.open(Path(addr.target), key)
    from .postgres import PgServer
    return PgServer(addr.target, password)
