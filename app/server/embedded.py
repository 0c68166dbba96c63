"""The embedded city server: the same interface in one SQLCipher file, for the demo and a
small agency without PostgreSQL.

Plate text and photos must not sit in clear on disk, so the file is encrypted like the
workstation's store, with its own random key in the OS keyring (``city-server-key/<id>``).
"""
from __future__ import annotations

import contextlib
import json
import re
import threading
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import sqlcipher3

from app.engine import keys
from app.engine.errors import StoreError

from .base import CityServer

DB_NAME = "city-server.db"
ID_NAME = "city-server.id"


# The access log's anchor (base.CityServer.upload_log checks entries against it).
ANCHOR_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS log_anchors (workstation_id TEXT PRIMARY KEY, first_key BLOB NOT NULL, "
    "next_key BLOB NOT NULL, chain_start INTEGER NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, "
    "enrolled_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS log_alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "workstation_id TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL)",
)


def _key_name(server_id: str) -> str:
    return f"city-server-key/{server_id}"


class EmbeddedServer(CityServer):
    kind = "embedded"
    errors = (sqlcipher3.Error,)

    def __init__(self, folder: Path, conn: sqlcipher3.Connection, server_id: str) -> None:
        self.folder = folder
        self.conn = conn
        self._id = server_id
        self._lock = threading.RLock()

    @classmethod
    def create(cls, folder: Path) -> EmbeddedServer:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if (folder / ID_NAME).exists():
            raise StoreError(f"A city server already exists in {folder}.")
        server_id = uuid.uuid4().hex
        keys.secure_backend()
        keys.get_or_create_key(_key_name(server_id))
        (folder / ID_NAME).write_text(server_id + "\n", encoding="ascii")
        server = cls.open(folder)
        schema = resources.files("app.server").joinpath("embedded_schema.sql").read_text(encoding="utf-8")
        with server._tx() as conn:
            for statement in schema.split(";\n"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO server_meta(key, value) VALUES ('server_id', ?)", (server_id,))
        return server

    @classmethod
    def open(cls, folder: Path) -> EmbeddedServer:
        folder = Path(folder)
        id_file = folder / ID_NAME
        if not id_file.exists():
            raise StoreError(f"No embedded city server in {folder}.")
        server_id = id_file.read_text(encoding="ascii").strip()
        key = keys.get_secret(_key_name(server_id)) or ""
        if not re.fullmatch(r"[0-9a-f]{64}", key):
            raise StoreError(f"The key of the city server in {folder} is not in the OS keyring.")
        conn = sqlcipher3.connect(str(folder / DB_NAME), isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA key = \"x'{key}'\"")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            for pragma in ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
                           "PRAGMA temp_store = MEMORY", "PRAGMA busy_timeout = 15000",
                           "PRAGMA cache_size = -32768"):
                conn.execute(pragma)
        except sqlcipher3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"The city server file in {folder} cannot be decrypted ({exc}).") from exc
        server = cls(folder, conn, server_id)
        server._upgrade()
        return server

    def _upgrade(self) -> None:
        """Files made before the log anchor get its tables (idempotent)."""
        with self._tx() as conn:
            conn.execute(ANCHOR_SCHEMA[0])
            conn.execute(ANCHOR_SCHEMA[1])
            cols = {r[1] for r in conn.execute("PRAGMA table_info(access_log)")}
            if cols and "mac" not in cols:
                conn.execute("ALTER TABLE access_log ADD COLUMN mac TEXT")

    def describe(self) -> str:
        return f"embedded city server in {self.folder}"

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlcipher3.Connection]:
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlcipher3.Connection]:
        with self._lock:
            yield self.conn

    def _run(self, conn, sql: str, params: tuple = ()) -> list[tuple]:
        return conn.execute(sql, params).fetchall()

    def _many(self, conn, sql: str, rows: list[tuple]) -> None:
        if rows:
            conn.executemany(sql, rows)

    def _in_list(self, values: list) -> tuple[str, object]:
        return "(SELECT value FROM json_each(?))", json.dumps(list(values))

    def close(self) -> None:
        with self._lock:
            self.conn.close()
