"""Encrypted temporary files for the store's connections.

SQLCipher encrypts the database, its WAL and its journal, not the files SQLite opens without
a name (a sort's runs, temporary tables, statement journals). Without help the store must
keep all of that in memory, and a sort held in memory never spills: rebuilding the plate
index after a first sync of 20 million reads then holds 1.3 GB of keys. ``tempcrypt.c``
(built with the package, loaded here once per process) is an SQLite VFS that encrypts each
such file under its own random key, kept only in memory; a connection opened after it is
loaded may then let a big sort spill to disk (``PRAGMA temp_store = FILE``, which
``Store.spilling`` sets for a first sync's index rebuild only).

Where the extension was not built (no C compiler or OpenSSL headers at install time) or does
not load, nothing changes: temporary data stays in memory, as before.
"""
from __future__ import annotations

import logging
import os
import threading
from importlib import util
from pathlib import Path

import sqlcipher3

log = logging.getLogger(__name__)

ENTRY = "sqlite3_tempcrypt_init"
_lock = threading.Lock()
_loaded: bool | None = None


def library() -> Path | None:
    """The built extension (``app.engine._tempcrypt``, also a Python module), if any."""
    spec = util.find_spec("app.engine._tempcrypt")
    return Path(spec.origin) if spec is not None and spec.origin else None


def installed() -> bool:
    """Whether :func:`install` has made the encrypting VFS the default (without loading it)."""
    return _loaded is True


def install() -> bool:
    """Make the encrypting VFS the process's default (once); whether it is. Connections
    opened before this keep the VFS they were opened with."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _load()
        return _loaded


def _load() -> bool:
    path = library()
    if path is None:
        log.info("The temporary-file encryption was not built; temporary data stays in memory.")
        return False
    conn = sqlcipher3.connect(":memory:")
    try:
        conn.enable_load_extension(True)
        conn.execute("SELECT load_extension(?, ?)", (str(path), ENTRY))
    except sqlcipher3.Error as exc:
        log.warning("The temporary-file encryption did not load (%s); temporary data stays in memory.",
                    exc)
        return False
    finally:
        conn.close()        # the extension stays loaded (it asks to be kept) and the VFS with it
    return True


def folder() -> Path:
    """Where SQLite puts temporary files: the first writable folder of its list (SQLITE_TMPDIR,
    TMPDIR, /var/tmp, /usr/tmp, /tmp, the current folder); for a sentence when that disk fills."""
    for candidate in (os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR"), "/var/tmp", "/usr/tmp", "/tmp"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return Path(candidate)
    return Path(".")


def encrypts(conn) -> bool:
    """Whether this connection's temporary files go through the encrypting VFS."""
    try:
        row = conn.execute("SELECT alpr_tempcrypt()").fetchone()
    except sqlcipher3.OperationalError:         # not loaded: no such function
        return False
    return bool(row and row[0] == 1)
