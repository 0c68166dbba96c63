"""Turning what a city server backend raised into one sentence an administrator can act on."""
from __future__ import annotations

import psycopg
import sqlcipher3

from app.server.connect import redact

CONNECT_ERRORS: tuple[type[BaseException], ...] = (psycopg.Error, sqlcipher3.Error, OSError)

_CREDENTIALS = ("password authentication failed", 'role "', "no password supplied",
                "permission denied", "not in the os keyring", "cannot be decrypted")
_UNREACHABLE = ("connection refused", "no such file or directory", "could not connect",
                "timeout expired", "could not translate host name", "no embedded city server",
                "network is unreachable")
_READ_ONLY = ("read-only transaction", "recovery is in progress")
_DROPPED = ("server closed the connection", "terminating connection", "connection is closed",
            "the connection is lost", "consuming input failed", "cannot operate on a closed database",
            "connection already closed", "server conn crashed")


def describe_server_error(exc: BaseException, where: str) -> str:
    """One sentence; any password in the address or echoed by the backend is blanked."""
    text = redact(str(exc).strip().splitlines()[0]) if str(exc).strip() else type(exc).__name__
    low, where = str(exc).lower(), redact(where)
    if any(s in low for s in _DROPPED):
        return (f"The connection to the city server ({where}) was lost during the sync ({text}). "
                "Everything already applied is kept; sync again to resume.")
    if any(s in low for s in _READ_ONLY):
        return (f"The city server ({where}) takes no writes: it is a read replica ({text}). Set its "
                "primary as the write address in the sync settings; everything pulled is kept.")
    if "relation" in low and "does not exist" in low:
        return (f"The city server ({where}) has no ALPR schema ({text}); run 'alpr server init' there.")
    if any(s in low for s in _CREDENTIALS):
        return (f"The city server ({where}) refused the credentials ({text}). Check the server "
                "user and password in the sync settings.")
    if any(s in low for s in _UNREACHABLE) or isinstance(exc, OSError):
        return (f"The city server ({where}) cannot be reached ({text}). Check the network and the "
                "server address; the local store is unchanged.")
    return f"The city server ({where}) answered with an error: {text}. The local store is consistent; sync again."
