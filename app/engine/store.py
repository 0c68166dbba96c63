"""The local SQLCipher store: one encrypted file holding reads, images, users and the log.

The key is a random 256-bit raw key that the caller unwraps from a person's key slot
(keyslots.py), so opening costs no further passphrase KDF. SQLCipher encrypts the database, its WAL and journal, but not SQLite's temporary
files: ``temp_store = MEMORY`` keeps sorts, temp tables and statement journals off the disk,
except in ``Store.spilling()`` (a first sync's index rebuild), where the sort's runs go to
temporary files through the VFS of ``tempcrypt``, which encrypts them.
"""
from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import sqlcipher3

from . import keys, tempcrypt
from .errors import StoreError

log = logging.getLogger(__name__)

DB_NAME = "workstation.db"
ID_NAME = "store.id"

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",       # a committed log entry survives a crash (kill -9)
    "PRAGMA temp_store = MEMORY",      # temp files are not encrypted by SQLCipher
    "PRAGMA secure_delete = ON",       # purged reads are overwritten, not just unlinked
    "PRAGMA foreign_keys = ON",
    "PRAGMA cache_size = -262144",     # 256 MiB of decrypted pages: a cache miss costs a decrypt
    "PRAGMA busy_timeout = 10000",
    # The checkpointer copies the WAL back on its own thread (a checkpoint copies the pages as
    # they are, still encrypted: 6 us a page, as plain SQLite, but it writes and syncs the
    # file); a commit checkpoints itself only if it falls far behind.
    f"PRAGMA wal_autocheckpoint = {4 * 16384}",
)
CHECKPOINT_AT = 16384 * 4096        # bytes of WAL (64 MiB) after which the checkpointer runs
_CHECKPOINT_PRAGMAS = ("PRAGMA busy_timeout = 10000", "PRAGMA temp_store = MEMORY")
# The page HMAC. SQLCipher 4's default is HMAC-SHA512; HMAC-SHA256 (a 256-bit tag, as strong
# for integrity) runs on the CPU's SHA extensions and halves the cost of every page decrypted,
# which is most of an export's and a cold search's time. A store made before this keeps the
# default (LEGACY) and is opened with it; each store's format is found by trying both.
CIPHER: tuple[str, ...] = ("PRAGMA cipher_hmac_algorithm = HMAC_SHA256",)
LEGACY_CIPHER: tuple[str, ...] = ()
_READER_PRAGMAS = (
    "PRAGMA query_only = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -8192",       # each page is read once: a big cache would only hold memory
    "PRAGMA busy_timeout = 10000",
)


def os_problem(exc: OSError, path: Path, doing: str) -> StoreError:
    """One sentence for what a disk or folder refused (full, read-only, gone, not ours)."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        why = "the disk is full"
    elif code == errno.EROFS:
        why = "the disk or folder is read-only"
    elif code in (errno.EACCES, errno.EPERM):
        why = "you may not write there (the folder belongs to someone else or is read-only)"
    elif code == errno.ENOENT:
        why = "the folder does not exist or was removed"
    elif code == errno.ENOTDIR:
        why = "a part of the path is a file, not a folder"
    elif code == errno.EIO:
        why = "the disk reported an I/O error"
    else:
        why = exc.strerror or str(exc)
    return StoreError(f"{doing[0].upper()}{doing[1:]} failed in {path}: {why}; nothing was changed.")


# SQLite's primary result codes that come from the disk or the folder, not from the store.
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 3, 8, 10, 13, 14


def disk_problem(exc: sqlcipher3.Error, path: Path) -> StoreError | None:
    """A sentence for a write the disk or folder refused; None for any other database error."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary == _SQLITE_FULL or "disk is full" in text:
        where = f"the store {path}"
        if tempcrypt.installed():           # a big sort may have filled the other
            where += f", or its temporary files ({tempcrypt.folder()}),"
        return StoreError(f"The disk holding {where} is full; nothing of this change was "
                          "kept. Free some space and try again.")
    if primary in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly" in text:
        return StoreError(f"The store {path} is in a read-only folder (or one you may not write "
                          "to); it writes its journal there, so it cannot be used from it.")
    if primary == _SQLITE_CANTOPEN or "unable to open" in text:
        return StoreError(f"The store {path} cannot be opened: its folder is read-only, not yours, "
                          "or gone (the store writes its journal beside it).")
    if primary == _SQLITE_IOERR or "disk i/o" in text:
        return StoreError(f"The disk holding the store {path} reported an I/O error (failing or "
                          "removed disk); nothing of this change was kept.")
    return None


def _migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every shipped migration, in order."""
    found = []
    for item in resources.files("app.engine.migrations").iterdir():
        m = re.fullmatch(r"(\d{4})_(\w+)\.sql", item.name)
        if m:
            found.append((int(m.group(1)), m.group(2), item.read_text(encoding="utf-8")))
    found.sort()
    return found


def check_db_file(data_dir: Path) -> None:
    """Refuse a store file that is missing or empty next to an existing store id: opening it
    would silently make a new, empty store in place of the one that was there."""
    path = Path(data_dir) / DB_NAME
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise StoreError(f"The store file {path} is missing; it was not recreated. Restore it "
                         "from a backup.") from None
    except OSError as exc:
        raise os_problem(exc, path, "reading the store file") from None
    if size == 0:
        raise StoreError(f"The store file {path} is empty (0 bytes): its data is gone, or "
                         "'alpr init' was interrupted. It was not recreated; restore it from a "
                         "backup, or remove the folder and run 'alpr init' again.")


class Store:
    """An open encrypted store. Thread-safe by a lock; the GUI uses it from one thread."""

    def __init__(self, data_dir: Path, conn: sqlcipher3.Connection, store_id: str,
                 key_hex: str) -> None:
        self.data_dir = data_dir
        self.path = data_dir / DB_NAME
        self.store_id = store_id
        self._conn = conn
        self._lock = threading.RLock()
        self._key_hex = key_hex                     # for the read-only connections of reader()
        self.cipher: tuple[str, ...] = CIPHER       # the format it opened with (reader() uses it)
        self.upgraded_from: int | None = None      # the schema an upgrade at opening started from
        self._wal = Path(f"{self.path}-wal")
        self._checkpointer: Checkpointer | None = None

    # -- opening ---------------------------------------------------------------------------
    @staticmethod
    def new_id(data_dir: Path) -> str:
        """Claim ``data_dir`` for a new store; returns its id."""
        data_dir = Path(data_dir)
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            if (data_dir / DB_NAME).exists() or (data_dir / ID_NAME).exists():
                raise StoreError(f"A store already exists in {data_dir}.")
        except OSError as exc:
            raise os_problem(exc, data_dir, "creating the store") from None
        store_id = str(uuid.uuid4())
        try:
            (data_dir / ID_NAME).write_text(store_id + "\n", encoding="ascii")
        except OSError as exc:
            with contextlib.suppress(OSError):
                (data_dir / ID_NAME).unlink(missing_ok=True)       # ours, half-written
            raise os_problem(exc, data_dir, "creating the store") from None
        return store_id

    @staticmethod
    def read_id(data_dir: Path) -> str:
        id_file = Path(data_dir) / ID_NAME
        try:
            raw = id_file.read_bytes()[:200]
        except FileNotFoundError:
            raise StoreError(f"No workstation store in {data_dir}; run 'alpr init' first.") from None
        except OSError as exc:
            raise os_problem(exc, id_file, "reading the store id") from None
        store_id = raw.decode("ascii", errors="replace").strip()
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z-]{0,63}", store_id):
            raise StoreError(f"The store id file {id_file} is damaged (it holds no store id); the "
                             "store stays closed. Restore it from a backup.")
        return store_id

    @classmethod
    def open(cls, data_dir: Path, key: bytes, *, check_integrity: bool = True,
             create: bool = False) -> Store:
        """Open the store with its data key, refusing a wrong key or a damaged file."""
        data_dir = Path(data_dir)
        store_id = cls.read_id(data_dir)
        if not create:
            check_db_file(data_dir)
        conn, cipher = cls._connect_any(data_dir / DB_NAME, key.hex())
        store = cls(data_dir, conn, store_id, key.hex())
        store.cipher = cipher
        try:
            if check_integrity:
                store.integrity_check()
            store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    @staticmethod
    def legacy_key(store_id: str) -> bytes | None:
        """The key of a store made before key slots, while it is still in the keyring."""
        value = keys.get_secret(f"store-key/{store_id}")
        return bytes.fromhex(value) if value else None

    @staticmethod
    def forget_legacy_keys(store_id: str) -> None:
        for name in (f"store-key/{store_id}", f"log-key/{store_id}"):
            keys.delete_secret(name)

    @classmethod
    def _connect_any(cls, path: Path, key_hex: str) -> tuple[sqlcipher3.Connection, tuple[str, ...]]:
        """Open in this program's format (a new file is made in it), else in the legacy one."""
        try:
            return cls._connect(path, key_hex, cipher=CIPHER), CIPHER
        except StoreError as first:
            if not path.exists() or path.stat().st_size == 0:
                raise
            try:
                return cls._connect(path, key_hex, cipher=LEGACY_CIPHER), LEGACY_CIPHER
            except StoreError:
                raise first from None

    @staticmethod
    def _connect(path: Path, key_hex: str, pragmas: tuple[str, ...] = _PRAGMAS, *,
                 cipher: tuple[str, ...] = CIPHER) -> sqlcipher3.Connection:
        if not re.fullmatch(r"[0-9a-f]{64}", key_hex):
            raise StoreError("The store key is malformed; the store stays closed.")
        tempcrypt.install()
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            # SQLCipher's own log goes to standard error; a damaged or wrong-key file is
            # reported once, in the sentence below, not as library log lines.
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = \"x'{key_hex}'\"")
            for pragma in cipher:
                conn.execute(pragma)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            for pragma in pragmas:
                conn.execute(pragma)
        except sqlcipher3.DatabaseError as exc:
            conn.close()
            raise disk_problem(exc, path) or StoreError(
                f"The store {path} cannot be decrypted with its key, or it is not a "
                f"workstation store ({exc}).") from exc
        return conn

    @property
    def temp_files_encrypted(self) -> bool:
        """Whether :meth:`spilling` lets a big sort spill to disk, encrypted (``tempcrypt``),
        rather than holding it in memory."""
        with self._lock:
            return self._may_spill()

    def _may_spill(self) -> bool:
        """Temporary files may reach the disk only where they are encrypted."""
        return tempcrypt.encrypts(self._conn)

    @contextlib.contextmanager
    def spilling(self) -> Iterator[None]:
        """For one big sort, a first sync's index rebuild: SQLite may write its sorted runs to
        temporary files, encrypted by ``tempcrypt`` (20 M reads: a peak of 612-629 MB instead of
        1.6 GB), where it would otherwise hold every key in memory. Only then: with temporary
        files allowed, every statement journal past 64 KB goes to a file too, which made
        inserting a day's 50,000 reads into a 5 M store 2.5 times slower (3.3-3.7 s against
        1.3-1.4 s). Outside any transaction (the setting cannot change inside one); it drops
        the connection's temp tables."""
        with self._lock:
            spill = self._may_spill()
            if spill:
                self._conn.execute("PRAGMA temp_store = FILE")
            try:
                yield
            finally:
                if spill:
                    self._conn.execute("PRAGMA temp_store = MEMORY")

    def integrity_check(self) -> None:
        """Check every page's HMAC (SQLCipher) and SQLite's own structure."""
        try:
            with self._lock:
                bad = self._conn.execute("PRAGMA cipher_integrity_check").fetchall()
                if not bad:
                    ok = self._conn.execute("PRAGMA quick_check").fetchone()
                    bad = [] if ok and ok[0] == "ok" else [ok]
        except sqlcipher3.DatabaseError as exc:
            bad = [(str(exc),)]
        if bad:
            detail = "; ".join(str(row[0]) for row in bad[:3])
            raise StoreError(
                f"The encrypted store {self.path} is damaged ({detail}). It was not opened; "
                "restore it from a backup or sync a new one from the city server."
            )

    def migrate(self) -> None:
        """Bring an older store up to this program's schema; refuse a newer one.

        A new (empty) store is simply built. An older one is first copied aside, with its WAL
        checkpointed so that the copy is the whole store (``workstation.db.pre-v<N>.bak``,
        encrypted like the store), then every pending migration runs in ONE transaction, so a
        failure leaves the store exactly as it was. The copy is removed only once the migrated
        store passes its integrity check at the expected schema version; on any failure it is
        kept and the error names it."""
        with self._lock:
            current = self._conn.execute("PRAGMA user_version").fetchone()[0]
            known = _migrations()
            newest = known[-1][0] if known else 0
            if current > newest:
                raise StoreError(
                    f"The store {self.path} was written by a newer version of the workstation "
                    f"(schema {current}); this program knows schema {newest} at most. Open it with "
                    "the newer program (or install it here); the store was not changed.")
            pending = [m for m in known if m[0] > current]
            if not pending:
                return
            fresh = current == 0 and self._conn.execute(
                "SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
            if fresh:
                backup = None
                self._conn.execute("BEGIN IMMEDIATE")
            else:
                backup = self._copy_aside(newest)       # opens the migration's transaction
            try:
                for version, name, sql in pending:
                    try:
                        for statement in sql.split(";\n"):
                            if statement.strip():
                                self._conn.execute(statement)
                    except sqlcipher3.Error as exc:
                        raise (disk_problem(exc, self.path)
                               or StoreError(f"migration {version:04d}_{name} failed: {exc}")) from exc
                self._conn.execute(f"PRAGMA user_version = {newest}")
                self._conn.execute("COMMIT")
                if not fresh:
                    self.upgraded_from = current
            except BaseException as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if backup is None:
                    raise
                raise StoreError(
                    f"The store {self.path} could not be upgraded from schema {current} to "
                    f"{newest} ({exc}); it was left as it was. The copy taken before the upgrade "
                    f"is kept at {backup}.") from exc
            if backup is None:
                return
            problem = self._upgrade_problem(newest)
            if problem:
                raise StoreError(
                    f"The store {self.path} was upgraded from schema {current} to {newest} but "
                    f"failed the check afterwards ({problem}). The copy taken before the upgrade is "
                    f"kept at {backup}: to go back, close the program, remove {self.path.name} "
                    f"and its -wal and -shm files, and rename the copy to {self.path.name}.")
            backup.unlink()
            log.info("store %s upgraded from schema %s to %s; the copy taken before was removed",
                     self.store_id, current, newest)

    def _upgrade_problem(self, expected: int) -> str | None:
        """What is wrong with the store just migrated (every page's HMAC, SQLite's structure
        and the schema version), or None."""
        try:
            bad = [str(r[0]) for r in self._conn.execute("PRAGMA cipher_integrity_check")]
            if not bad:
                bad = [str(r[0]) for r in self._conn.execute("PRAGMA quick_check") if r[0] != "ok"]
            found = self._conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlcipher3.DatabaseError as exc:
            return str(exc)
        if not bad and found != expected:
            bad = [f"its schema version is {found}, not {expected}"]
        return "; ".join(bad[:3]) or None

    def _copy_aside(self, version: int) -> Path:
        """Checkpoint the WAL into the store file, take the write lock and copy the file beside
        it; returns the copy's path. The write lock stays held: the migration runs in the
        transaction this opens, so nothing can change the store between the copy and it."""
        backup = self.path.with_name(f"{self.path.name}.pre-v{version}.bak")
        wal = self.path.with_name(self.path.name + "-wal")
        # The copy, and the migration's write-ahead log, which may rewrite every row (0016
        # rewrites the image cache and every read): twice the store, and a margin.
        need = 2 * self.path.stat().st_size + (64 << 20)
        free = shutil.disk_usage(self.data_dir).free
        if free < need:
            raise StoreError(
                f"The store {self.path} needs upgrading, which copies it aside and then rewrites "
                f"it: {need / 2**20:,.0f} MiB are needed and {self.data_dir} has "
                f"{free / 2**20:,.0f} MiB free. Free some space and open it again; the store was "
                "not changed.")
        for _attempt in range(5):
            busy = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            self._conn.execute("BEGIN IMMEDIATE")
            if not busy and (not wal.exists() or wal.stat().st_size == 0):
                break
            self._conn.execute("ROLLBACK")          # someone wrote in between: again
            time.sleep(0.2)
        else:
            raise StoreError(
                f"The store {self.path} needs upgrading but another program keeps writing to it; "
                "close the other workstation windows and commands and open it again.")
        tmp = backup.with_name(backup.name + ".tmp")
        try:
            shutil.copyfile(self.path, tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, backup)
        except OSError as exc:
            self._conn.execute("ROLLBACK")
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise os_problem(exc, self.data_dir, "copying the store aside before its upgrade") from None
        return backup

    @property
    def schema_version(self) -> int:
        return self.query_one("PRAGMA user_version")[0]  # type: ignore[index]  # a PRAGMA always answers a row

    # -- use ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlcipher3.Connection]:
        """One write transaction; everything in it commits together or not at all."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._rollback()
                    raise
                try:
                    self._conn.execute("COMMIT")
                except sqlcipher3.Error:
                    self._rollback()          # a failed COMMIT may leave the transaction open
                    raise
                self._after_commit()
            except sqlcipher3.OperationalError as exc:
                problem = disk_problem(exc, self.path)     # full disk, read-only folder, I/O
                if problem is None:
                    raise
                raise problem from exc

    def _after_commit(self) -> None:
        """Wake the checkpointer once the WAL has grown past CHECKPOINT_AT (started on first need)."""
        try:
            grown = self._wal.stat().st_size > CHECKPOINT_AT
        except OSError:
            return
        if grown:
            if self._checkpointer is None:
                self._checkpointer = Checkpointer(lambda: self._side_connection(_CHECKPOINT_PRAGMAS))
            self._checkpointer.wake()

    def _side_connection(self, pragmas: tuple[str, ...]) -> sqlcipher3.Connection:
        """Another connection to this store, for a thread of its own (readers, the checkpointer)."""
        return self._connect(self.path, self._key_hex, pragmas, cipher=self.cipher)

    def _rollback(self) -> None:
        if self._conn.in_transaction:     # SQLite may already have rolled back (disk full)
            self._conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlcipher3.Connection]:
        """The connection for reads, held by this thread for the block."""
        with self._lock:
            yield self._conn

    @contextlib.contextmanager
    def reader(self) -> Iterator[Callable[[str, tuple], tuple | None]]:
        """A separate read-only connection for one thread's bulk reads, as one row per query.

        SQLCipher decrypts each page in the thread that reads it, so an export's threads each
        read through their own connection and decrypt at once on every core; each sees only
        committed data, and cannot write.
        """
        conn = self._side_connection(_READER_PRAGMAS)
        try:
            yield lambda sql, params: conn.execute(sql, params).fetchone()
        finally:
            conn.close()

    def query(self, sql: str, params: tuple | dict = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> tuple | None:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def execute(self, sql: str, params: tuple | dict = ()) -> None:
        """A single statement in its own transaction."""
        with self.transaction() as conn:
            conn.execute(sql, params)

    def get_meta(self, key: str) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    def set_meta(self, key: str, value: str, conn: sqlcipher3.Connection | None = None) -> None:
        sql = "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        if conn is not None:
            conn.execute(sql, (key, value))
        else:
            self.execute(sql, (key, value))

    def vacuum(self) -> None:
        self._maintain("VACUUM")

    def checkpoint(self) -> None:
        self._maintain("PRAGMA wal_checkpoint(TRUNCATE)")

    def _maintain(self, sql: str) -> None:
        with self._lock:
            try:
                self._conn.execute(sql)
            except sqlcipher3.OperationalError as exc:
                problem = disk_problem(exc, self.path)
                if problem is None:
                    raise
                raise problem from exc

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._lock:
            self._conn.close()


class Checkpointer:
    """Copies the WAL back into the store file on its own connection and thread.

    A checkpoint of 64 MiB writes every page it copies into the store file and syncs it (the
    pages go as they are, still encrypted; up to seconds on a big store with a busy disk). Run
    by the commit that crossed the limit, it held the store's lock that long, so a
    person's logged search waited behind a sync batch's checkpoint; here it is PASSIVE, beside
    the writer and the readers, and blocks neither.
    """

    def __init__(self, connect: Callable[[], sqlcipher3.Connection]) -> None:
        self._connect = connect
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="store-checkpoint", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = self._connect()
        except StoreError as exc:               # the commits' own checkpoints still run
            log.warning("The background checkpoint could not start: %s", exc)
            return
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlcipher3.Error as exc:   # e.g. a full disk: the next commit says so
                    log.warning("A background checkpoint failed: %s", exc)
        finally:
            conn.close()
