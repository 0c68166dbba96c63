"""The encrypted store: key handling, refusal of bad keyrings and damaged files, no plate bytes on disk."""
from __future__ import annotations

import random
import string
import threading

import keyring
import pytest
import sqlcipher3

from app.engine import keys
from app.engine import store as store_mod
from app.engine.errors import KeyringError, StoreError
from app.engine.store import CIPHER, DB_NAME, LEGACY_CIPHER
from app.engine.workstation import Workstation
from tests.conftest import insert_reads, temp_files_read_during


def _plates(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    return [f"{rnd.randint(1, 9)}{''.join(rnd.choices(string.ascii_uppercase, k=3))}{rnd.randint(0, 999):03d}"
            for _ in range(n)]


def _all_bytes(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_key_is_random_256_bit_and_in_no_file_nor_keyring(ws, people):
    people.admin()
    key = ws.vault.data_key
    assert len(key) == 32 and keys.get_secret(f"store-key/{ws.store.store_id}") is None
    for name, data in _all_bytes(ws.store.data_dir).items():
        assert key.hex().encode() not in data and key not in data, name
    assert ws.store.query_one("PRAGMA cipher_version")[0].startswith("4.")


def test_file_is_not_readable_as_plain_sqlite(ws, seeded):
    ws.store.checkpoint()
    raw = (ws.store.data_dir / DB_NAME).read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    plain = sqlcipher3.connect(str(ws.store.data_dir / DB_NAME))
    with pytest.raises(sqlcipher3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _opens_with(path, key: bytes, cipher: tuple[str, ...]) -> bool:
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        for pragma in cipher:
            conn.execute(pragma)
        conn.execute("SELECT count(*) FROM reads").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def test_new_store_uses_hmac_sha256_pages_and_its_readers_do_too(ws, seeded):
    """The page HMAC is SHA-256 (half the decrypt cost of SQLCipher's SHA-512 default): the file
    opens with the key and that setting only, and the export's read-only connections use it."""
    path, key = ws.store.data_dir / DB_NAME, ws.vault.data_key
    ws.store.checkpoint()
    assert _opens_with(path, key, CIPHER)
    assert not _opens_with(path, key, LEGACY_CIPHER)
    with ws.store.reader() as read:
        assert read("SELECT count(*) FROM reads", ())[0] == ws.store.query_one("SELECT count(*) FROM reads")[0]


def test_store_made_in_the_legacy_format_still_opens_and_reads(tmp_path, clock, monkeypatch):
    """A store made before the SHA-256 pages (SQLCipher's defaults) keeps its format: it opens,
    its readers open, and a wrong key is still refused with the usual sentence."""
    monkeypatch.setattr(store_mod, "CIPHER", LEGACY_CIPHER)
    ws = Workstation.create(tmp_path / "old", "calabasas", clock)
    ws.create_first_admin("amanager", "Alex Manager", "correct horse battery staple 42")
    insert_reads(ws, [(1, "7ABC123", int(clock()) - 60, "CAM-LV-N", 0.9)])
    key = ws.vault.data_key
    ws.close()
    monkeypatch.undo()
    path = tmp_path / "old" / DB_NAME
    assert _opens_with(path, key, LEGACY_CIPHER) and not _opens_with(path, key, CIPHER)
    store = store_mod.Store.open(tmp_path / "old", key)
    try:
        assert store.cipher == LEGACY_CIPHER
        with store.reader() as read:
            assert read("SELECT plate FROM reads WHERE id = 1", ())[0] == "7ABC123"
    finally:
        store.close()
    with pytest.raises(StoreError, match="cannot be decrypted"):
        store_mod.Store.open(tmp_path / "old", bytes(32))


def test_plate_text_never_in_any_file_even_after_sorts_temp_tables_and_vacuum(ws, clock):
    plates = _plates(20000)
    now = int(clock())
    insert_reads(ws, [(i + 1, p, now - i, "CAM-LV-N", 0.9) for i, p in enumerate(plates)])
    before = ws.store.query_one("PRAGMA cache_size")[0]
    with ws.store.transaction() as conn:
        # A sort too big for the cache, a temp table and an index build: all spill to temporary
        # files (encrypted ones, outside the store's folder: see the tests below).
        conn.execute("PRAGMA cache_size = 50")
        conn.execute("SELECT plate || hex(randomblob(200)) AS x FROM reads ORDER BY x").fetchall()
        conn.execute("CREATE TEMP TABLE t AS SELECT plate, read_at FROM reads")
        conn.execute("CREATE INDEX temp.t_plate ON t(plate)")
        conn.execute("DROP TABLE temp.t")
        conn.execute(f"PRAGMA cache_size = {before}")
    ws.store.vacuum()
    files = _all_bytes(ws.store.data_dir)
    for name, data in files.items():
        for p in plates[::97]:
            assert p.encode() not in data, f"plate {p} found in clear in {name}"
            assert p.encode("utf-16-le") not in data


def _spilling_work(conn):
    """A sort too big for a small cache, an index build and a temp table over the reads, and a
    VACUUM: each spills to temporary files when temp_store is FILE."""
    conn.execute("PRAGMA cache_size = 20")
    conn.execute("SELECT plate || hex(randomblob(400)) AS x FROM reads ORDER BY x").fetchall()
    conn.execute("CREATE INDEX reads_spill ON reads(plate, camera_id, read_at)")
    conn.execute("DROP INDEX reads_spill")
    conn.execute("CREATE TEMP TABLE spill AS SELECT plate, read_at FROM reads")
    conn.execute("DROP TABLE temp.spill")
    conn.execute("VACUUM")


def test_readers_keep_temp_files_in_memory(ws, clock):
    insert_reads(ws, [(i + 1, p, int(clock()) - i, "CAM-LV-S", 0.8) for i, p in enumerate(_plates(20000))])

    def big_sort(conn):
        conn.execute("PRAGMA cache_size = 20")
        conn.execute("SELECT plate || hex(randomblob(400)) AS x FROM reads ORDER BY x").fetchall()

    conn = ws.store._side_connection(store_mod._READER_PRAGMAS)     # as reader() opens them
    try:
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2
        assert temp_files_read_during(conn, lambda: big_sort(conn), [])[0] == set()
        # Control: the same work with a file-backed temp store is seen spilling to disk.
        conn.execute("PRAGMA temp_store = FILE")
        assert temp_files_read_during(conn, lambda: big_sort(conn), [])[0]
    finally:
        conn.close()


def test_the_store_spills_temp_data_only_encrypted_and_an_insider_reads_no_plate(ws, clock, tmp_path):
    """While spilling (a first sync's index rebuild), the store's own connection sorts and
    builds indexes through temporary files, so a big sort holds little memory; an insider
    reading those files while they exist (the OS account may open them through /proc) finds no
    plate. Control: the same work on a connection that bypasses the encrypting VFS shows the
    plates. Outside it, temporary data stays in memory."""
    from app.engine import tempcrypt
    plates = _plates(20000)
    insert_reads(ws, [(i + 1, p, int(clock()) - i, "CAM-LV-S", 0.8) for i, p in enumerate(plates)])
    needles = [p.encode() for p in plates[::50]]
    assert tempcrypt.library() is not None, "the extension was not built (scripts/setup builds it)"
    assert ws.store.temp_files_encrypted
    assert ws.store.query_one("PRAGMA temp_store")[0] == 2     # statement journals and the like
    before = ws.store.query_one("PRAGMA cache_size")[0]
    with ws.store.spilling():
        conn = ws.store._conn
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 1
        try:
            seen, most, found = temp_files_read_during(conn, lambda: _spilling_work(conn), needles)
        finally:
            conn.execute(f"PRAGMA cache_size = {before}")
    assert ws.store.query_one("PRAGMA temp_store")[0] == 2
    assert seen and most > 1_000_000, "the work did not spill to temporary files"
    assert found == []
    assert ws.store.query_one("SELECT count(*) FROM reads")[0] == 20000
    assert ws.store.query_one("PRAGMA quick_check")[0] == "ok"

    bare = sqlcipher3.connect(f"file:{ws.store.path}?vfs=unix", uri=True, isolation_level=None)
    try:
        bare.execute(f"PRAGMA key = \"x'{ws.store._key_hex}'\"")
        for pragma in ws.store.cipher:
            bare.execute(pragma)
        bare.execute("PRAGMA temp_store = FILE")
        assert not tempcrypt.encrypts(bare)
        seen, most, found = temp_files_read_during(bare, lambda: _spilling_work(bare), needles)
    finally:
        bare.close()
    assert seen and found, "the insider's reading of temp files sees no plate even in the clear"


def test_without_the_extension_the_store_keeps_temp_data_in_memory(ws, monkeypatch):
    from app.engine import tempcrypt
    monkeypatch.setattr(tempcrypt, "encrypts", lambda conn: False)
    assert not ws.store.temp_files_encrypted
    with ws.store.spilling():
        assert ws.store.query_one("PRAGMA temp_store")[0] == 2


def _made(tmp_path, clock, profile="calabasas"):
    """A store with its first administrator (a prosecutor-free profile needs no second factor
    for the checks here: log in through the people helper)."""
    from tests.conftest import People
    w = Workstation.create(tmp_path / "s", profile, clock)
    people = People(w, clock)
    people.admin()
    return w, people


def _reopen(tmp_path, clock, people):
    from tests.conftest import PASSWORD
    w = Workstation.open(tmp_path / "s", clock)
    w.login("amanager", PASSWORD, people.code("amanager"))
    return w


def test_reopen_and_schema_version(tmp_path, clock):
    w, people = _made(tmp_path, clock, "coachella")
    version = w.store.schema_version
    assert version >= 1
    w.close()
    w2 = _reopen(tmp_path, clock, people)
    assert w2.profile.id == "coachella" and w2.store.schema_version == version
    w2.close()


def test_migrations_apply_in_order_once(tmp_path, clock, monkeypatch):
    from app.engine import store as store_mod
    w, people = _made(tmp_path, clock)
    base = store_mod._migrations()
    w.close()
    extra = base + [(base[-1][0] + 1, "test_extra", "CREATE TABLE test_extra (x INTEGER);\n")]
    monkeypatch.setattr(store_mod, "_migrations", lambda: extra)
    w = _reopen(tmp_path, clock, people)
    assert w.store.schema_version == base[-1][0] + 1
    assert w.store.query("SELECT name FROM sqlite_master WHERE name = 'test_extra'")
    w.close()
    w = _reopen(tmp_path, clock, people)      # does not run it twice
    w.close()


def test_missing_store_file_is_not_recreated(tmp_path, clock):
    w, _people = _made(tmp_path, clock)
    w.close()
    (tmp_path / "s" / DB_NAME).unlink()
    with pytest.raises(StoreError, match="missing; it was not recreated"):
        Workstation.open(tmp_path / "s", clock)


def test_store_without_any_key_slot_says_so(tmp_path, clock):
    Workstation.create(tmp_path / "s", "calabasas", clock).close()     # no administrator made
    with pytest.raises(StoreError, match="no key slot"):
        Workstation.open(tmp_path / "s", clock)


def test_damaged_store_refused(tmp_path, clock):
    w, people = _made(tmp_path, clock)
    insert_reads(w, [(i, p, int(clock()), "CAM-LV-N", 0.9) for i, p in enumerate(_plates(3000), 1)])
    w.store.checkpoint()
    w.close()
    path = tmp_path / "s" / DB_NAME
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 16] = bytes(16)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        _reopen(tmp_path, clock, people)


class _PlainFileKeyring:
    """Looks like keyrings.alt's file backend (not a KeyringBackend subclass, so keyring's
    own discovery never picks it up for other tests)."""

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise AssertionError("must not be called")

    def delete_password(self, service, username):
        pass


_PlainFileKeyring.__module__ = "keyrings.alt.file"


@pytest.mark.parametrize("backend_name", ["plaintext", "fail", "null"])
def test_insecure_keyrings_refused(tmp_path, monkeypatch, backend_name):
    from keyring.backends import fail, null
    backend = {"plaintext": _PlainFileKeyring(), "fail": fail.Keyring(), "null": null.Keyring()}[backend_name]
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    with pytest.raises(KeyringError) as err:
        Workstation.create(tmp_path / "s", "calabasas")
    assert ("in the clear" in str(err.value)) == (backend_name == "plaintext")
    assert not (tmp_path / "s" / DB_NAME).exists()


def test_no_store_gives_clear_message(tmp_path):
    with pytest.raises(StoreError, match="alpr init"):
        Workstation.open(tmp_path / "nothing")


def test_empty_store_file_is_refused_before_any_login(tmp_path, clock):
    w, _people = _made(tmp_path, clock)
    w.close()
    (tmp_path / "s" / DB_NAME).write_bytes(b"")
    with pytest.raises(StoreError, match="is empty.*It was not recreated"):
        Workstation.open(tmp_path / "s", clock)


def test_reader_connection_sees_committed_rows_and_cannot_write(ws):
    """An export's loading threads read through their own connections: read-only, and they see
    what the store's connection committed."""
    ws.store.set_meta("reader.probe", "committed")
    with ws.store.reader() as read:
        assert read("SELECT value FROM meta WHERE key = ?", ("reader.probe",)) == ("committed",)
        with pytest.raises(sqlcipher3.OperationalError, match="readonly"):
            read("INSERT INTO meta(key, value) VALUES ('x', 'y')", ())
    assert ws.store.get_meta("x") is None


def test_the_wal_is_copied_back_by_the_checkpointer_not_by_commits(ws, clock, monkeypatch):
    """Commits never checkpoint (their own autocheckpoint is off here): once the WAL passes the
    limit, the background thread copies it into the store file, and close() stops that thread."""
    monkeypatch.setattr(store_mod, "CHECKPOINT_AT", 64 * 1024)
    ws.store.checkpoint()
    ws.store.execute("PRAGMA wal_autocheckpoint = 0")
    db = ws.store.data_dir / DB_NAME
    before = db.stat().st_size
    now = int(clock())
    for batch in range(8):
        insert_reads(ws, [(10_000 * batch + i, f"7ABC{i % 1000:03d}", now - i, "CAM-LV-N", 0.9)
                          for i in range(1, 2001)])
    grown = threading.Event()
    for _ in range(200):                       # the checkpointer runs on its own: wait for it
        if db.stat().st_size > before + 1_000_000:
            grown.set()
            break
        threading.Event().wait(0.05)
    assert grown.is_set(), "the store file did not grow: nothing copied the WAL back"
    assert any(t.name == "store-checkpoint" for t in threading.enumerate())
    ws.close()
    assert not any(t.name == "store-checkpoint" for t in threading.enumerate())
