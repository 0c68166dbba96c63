"""The embedded city server: the same interface in one SQLCipher file, for the demo and a
small agency without PostgreSQL.

Plate text and photos must not sit in clear on disk, so the file is encrypted like the
workstation's store and is no easier to open: its random key is sealed in key slots
(app/engine/keyslots.py) of the named people who run the server (its operators), never
kept in the OS keyring alone. A workstation that syncs from it keeps the key the way it
keeps a PostgreSQL password: inside its own encrypted store, opened by a personal login.
"""
from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import sqlcipher3

from app.engine import keys
from app.engine.auth import validate_username
from app.engine.errors import AuthError, StoreError
from app.engine.keyslots import SlotFile, new_data_key

from .base import CityServer

DB_NAME = "city-server.db"
ID_NAME = "city-server.id"
SLOT_PROFILE = "city-server"


# The access log's anchor (base.CityServer.upload_log checks entries against it).
ANCHOR_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS log_anchors (workstation_id TEXT PRIMARY KEY, first_key BLOB NOT NULL, "
    "next_key BLOB NOT NULL, chain_start INTEGER NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, "
    "enrolled_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS log_alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "workstation_id TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL)",
    # What the server's operators did (ingest, hotlists, purges), by name.
    "CREATE TABLE IF NOT EXISTS server_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, "
    "operator TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL)",
    # Parking facilities (app/engine/parking/), synced like cameras.
    "CREATE TABLE IF NOT EXISTS parking_facilities (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
    "capacity INTEGER NOT NULL CHECK (capacity > 0), spec TEXT NOT NULL, seq INTEGER NOT NULL)",
    # The receiver and camera health (installer/server/schema.sql says what each is for).
    "CREATE TABLE IF NOT EXISTS receiver_rejects (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "at INTEGER NOT NULL, source TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS receiver_counts (source TEXT NOT NULL, name TEXT NOT NULL, "
    "value INTEGER NOT NULL, PRIMARY KEY (source, name))",
    "CREATE TABLE IF NOT EXISTS receiver_pending (key TEXT PRIMARY KEY, source TEXT NOT NULL, "
    "payload TEXT NOT NULL, first_at INTEGER NOT NULL, next_at INTEGER NOT NULL, "
    "attempts INTEGER NOT NULL, last_error TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS camera_health (camera_id TEXT PRIMARY KEY, last_seen INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS camera_outages (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "camera_id TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER, reason TEXT NOT NULL, "
    "seq INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS camera_outages_seq ON camera_outages(seq)",
    "CREATE TABLE IF NOT EXISTS hotlist_imports (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "list_id TEXT NOT NULL, file_name TEXT NOT NULL, sha256 TEXT NOT NULL, at INTEGER NOT NULL, "
    "entries INTEGER NOT NULL, rejected INTEGER NOT NULL)",
)


# Columns added after the first files were made: (table, column[, declaration]); without a
# declaration, TEXT and nullable.
UPGRADE_COLUMNS: tuple[tuple[str, ...], ...] = (
    ("access_log", "mac"), ("reads", "plate_state"), ("hotlist_entries", "plate_state"),
    ("ocr_queue", "plate_state"), ("hotlists", "priority", "INTEGER NOT NULL DEFAULT 3"),
    *((table, column) for table in ("reads", "ocr_queue")
      for column in ("vehicle_make", "vehicle_color", "vehicle_body")))


def _legacy_key_name(server_id: str) -> str:
    return f"city-server-key/{server_id}"


OPERATOR_ATTEMPTS, OPERATOR_LOCK_MINUTES = 5, 30
_PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA temp_store = MEMORY",
            "PRAGMA busy_timeout = 15000", "PRAGMA cache_size = -32768")


class EmbeddedServer(CityServer):
    kind = "embedded"
    errors = (sqlcipher3.Error,)

    def __init__(self, folder: Path, conn: sqlcipher3.Connection, server_id: str, key: bytes) -> None:
        self.folder = folder
        self.conn = conn
        self._id = server_id
        self._key = key
        self._lock = threading.RLock()

    @classmethod
    def create(cls, folder: Path, operator: str, password: str, *, retention_days: int,
               now: int) -> EmbeddedServer:
        """A new server whose first operator (a named administrator or custodian) holds the
        first key slot; ``retention_days`` bounds what a purge may remove."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if (folder / ID_NAME).exists():
            raise StoreError(f"A city server already exists in {folder}.")
        name = validate_username(operator)
        server_id = uuid.uuid4().hex
        slots = SlotFile.new(folder, server_id, SLOT_PROFILE)
        key = new_data_key()
        slots.put(name, password, key)
        (folder / ID_NAME).write_text(server_id + "\n", encoding="ascii")
        server = cls.open(folder, key)
        schema = resources.files("app.server").joinpath("embedded_schema.sql").read_text(encoding="utf-8")
        with server._tx() as conn:
            for statement in schema.split(";\n"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO server_meta(key, value) VALUES ('server_id', ?), "
                         "('retention_days', ?)", (server_id, str(int(retention_days))))
        server.audit(name, "server_create", {"retention_days": int(retention_days)}, now)
        return server

    @classmethod
    def unlock(cls, folder: Path, operator: str, password: str, now: float) -> bytes:
        """The file's key from an operator's slot; failures count towards a lock-out."""
        folder = Path(folder)
        server_id = cls.read_id(folder)
        name = operator.strip().lower()
        try:
            slots = SlotFile.load(folder)
        except FileNotFoundError:
            return cls._upgrade_legacy(folder, server_id, name, password)
        key = None if slots.locked_until(name, now) else slots.open(name, password)
        if key is None:
            slots.note_failure(name, "wrong operator password", now, OPERATOR_ATTEMPTS,
                               OPERATOR_LOCK_MINUTES)
            raise AuthError(f"Wrong operator name or password for the city server in {folder} "
                            f"(locked for {OPERATOR_LOCK_MINUTES} minutes after "
                            f"{OPERATOR_ATTEMPTS} failures).")
        return key

    @classmethod
    def _upgrade_legacy(cls, folder: Path, server_id: str, name: str, password: str) -> bytes:
        """A server made when its key sat in the keyring: the first operator to unlock it gets
        the first slot, and the key leaves the keyring."""
        value = keys.get_secret(_legacy_key_name(server_id))
        if not value:
            raise StoreError(f"The city server in {folder} has no key-slot file and no key in the "
                             "keyring; it cannot be opened.")
        key = bytes.fromhex(value)
        slots = SlotFile.new(folder, server_id, SLOT_PROFILE)
        slots.put(validate_username(name), password, key)
        keys.delete_secret(_legacy_key_name(server_id))
        return key

    @staticmethod
    def read_id(folder: Path) -> str:
        id_file = folder / ID_NAME
        if not id_file.exists():
            raise StoreError(f"No embedded city server in {folder}.")
        return id_file.read_text(encoding="ascii").strip()

    @classmethod
    def open(cls, folder: Path, key: bytes) -> EmbeddedServer:
        folder = Path(folder)
        server_id = cls.read_id(folder)
        conn = sqlcipher3.connect(str(folder / DB_NAME), isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            for pragma in _PRAGMAS:
                conn.execute(pragma)
        except sqlcipher3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"The city server file in {folder} cannot be decrypted with the key "
                             f"given ({exc}); an operator must unlock it again.") from None
        server = cls(folder, conn, server_id, key)
        server._upgrade()
        return server

    def add_operator(self, by: str, operator: str, password: str, now: int) -> None:
        """Another named person who may run this server (from an operator's open server)."""
        name = validate_username(operator)
        SlotFile.load(self.folder).put(name, password, self._key)
        self.audit(by, "operator_add", {"operator": name}, now)

    def _upgrade(self) -> None:
        """Files made before the log anchor or the plate state get them (idempotent)."""
        with self._tx() as conn:
            for statement in ANCHOR_SCHEMA:
                conn.execute(statement)
            for table, column, *decl in UPGRADE_COLUMNS:
                cols = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
                if cols and column not in cols:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl[0] if decl else 'TEXT'}")

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
