"""Upgrades: a newer program opens an older store by copying it aside, migrating in one
transaction and removing the copy only once the result is checked; an older program refuses a
newer store with a sentence and leaves it as it was."""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3

from app.engine import corrections, pictures, sync_apply
from app.engine import store as store_mod
from app.engine.reads import load_detail
from app.engine.errors import StoreError
from app.engine.search import SearchQuery
from app.engine.store import DB_NAME, Store
from app.engine.workstation import Workstation
from tests.conftest import PASSWORD, People, insert_reads

ROOT = Path(__file__).resolve().parents[1]
ALL = store_mod._migrations()
NEWEST = ALL[-1][0]
PREVIOUS = ALL[-2][0]


def _new_tables(sql: str) -> set[str]:
    """The tables a migration makes (not those it builds to replace another, renamed away)."""
    return {t for t in re.findall(r"CREATE TABLE (\w+)", sql) if not re.search(rf"ALTER TABLE {t} RENAME", sql)}


# Before the newest migration that makes a table: an upgrade from there has tables to make.
BEFORE_TABLES = max(v for v, _n, sql in ALL if _new_tables(sql)) - 1


@contextlib.contextmanager
def _raw(path: Path, key: bytes) -> Iterator[sqlcipher3.Connection]:
    """A plain SQLCipher connection to a store file (or its copy), to look inside it."""
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        for pragma in store_mod.CIPHER:
            conn.execute(pragma)
        yield conn
    finally:
        conn.close()


def _tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _old_workstation(folder: Path, clock, monkeypatch, upto: int = PREVIOUS,
                    keep_wal: contextlib.ExitStack | None = None) -> tuple[bytes, list[int]]:
    """A store made, used and closed by a program whose newest migration is ``upto``: a first
    administrator, reads and their log entries. With ``keep_wal`` another connection stays
    open on it (as after a crash), so the last writes are still in the WAL, not the file."""
    monkeypatch.setattr(store_mod, "_migrations", lambda: [m for m in ALL if m[0] <= upto])
    ws = Workstation.create(folder, "calabasas", clock)
    ws.create_first_admin("amanager", "Alex Manager", PASSWORD)
    now = int(clock())
    ids = list(range(1, 41))
    insert_reads(ws, [(i, f"7ABC{i:03d}", now - 60 * i, "CAM-LV-N", 0.9) for i in ids])
    assert ws.store.schema_version == upto
    key = ws.vault.data_key
    if keep_wal is not None:
        keep_wal.enter_context(_raw(folder / DB_NAME, key)).execute("SELECT 1 FROM meta").fetchall()
    ws.close()
    monkeypatch.setattr(store_mod, "_migrations", lambda: ALL)      # the newer program
    return key, ids


def test_store_of_the_previous_schema_is_copied_aside_upgraded_and_opened(tmp_path, clock, monkeypatch):
    folder = tmp_path / "s"
    keeper = contextlib.ExitStack()
    key, ids = _old_workstation(folder, clock, monkeypatch, keep_wal=keeper)
    assert (folder / f"{DB_NAME}-wal").stat().st_size > 0          # the reads sit in the WAL
    backup = folder / f"{DB_NAME}.pre-v{NEWEST}.bak"
    seen = {}
    real_check = Store._upgrade_problem

    def checked(self, expected):
        # While the migrated store is checked, the copy of the old one is still there, whole.
        seen["copy_exists"] = backup.exists()
        with _raw(backup, key) as conn:
            seen["copy_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
            seen["copy_reads"] = conn.execute("SELECT count(*) FROM reads").fetchone()[0]
            seen["copy_tables"] = _tables(conn)
        return real_check(self, expected)
    monkeypatch.setattr(Store, "_upgrade_problem", checked)

    ws = Workstation.open(folder, clock)
    people = People(ws, clock)
    s = people.login("amanager")                    # the first login opens and upgrades it
    assert ws.store.schema_version == NEWEST
    [(detail,)] = ws.store.query("SELECT detail FROM access_log WHERE action = 'store_upgrade'")
    assert detail == f'{{"from_schema":{PREVIOUS},"to_schema":{NEWEST}}}'        # logged, as the system
    assert seen == {"copy_exists": True, "copy_version": PREVIOUS, "copy_reads": len(ids),
                    "copy_tables": seen["copy_tables"]}
    made = _new_tables(ALL[-1][2])                                  # the newest migration's
    assert not made & seen["copy_tables"]                           # the copy is the old schema
    assert made <= _tables(ws.store._conn)
    assert not backup.exists() and not list(folder.glob("*.bak*"))   # verified, so removed
    assert [r[0] for r in ws.store.query("SELECT id FROM reads ORDER BY id")] == ids
    assert ws.store.query("SELECT DISTINCT plate_state FROM reads") == [(None,)]   # unknown, not guessed
    assert ws.audit_verify(s).ok                                   # the log's chain survived
    ws.close()
    keeper.close()


def test_image_digests_the_previous_schema_wrote_as_hex_become_32_bytes(tmp_path, clock, monkeypatch):
    """0016: the hex digests an older program wrote (images and the reads naming them) are
    converted, and the read still shows its crop under the same hex name."""
    folder = tmp_path / "s"
    key, ids = _old_workstation(folder, clock, monkeypatch, upto=15)
    data = b"\x89PNG a crop synced by the older program"
    sha = hashlib.sha256(data).hexdigest()
    with _raw(folder / DB_NAME, key) as conn:
        conn.execute("INSERT INTO images(sha256, kind, mime, size, data) VALUES (?, 'plate', 'image/png', ?, ?)",
                     (sha, len(data), data))
        conn.execute("UPDATE reads SET plate_image_sha256 = ? WHERE id = ?", (sha, ids[0]))
        conn.execute("INSERT INTO images(sha256, kind, mime, size, data) VALUES "   # no digest:
                     "('not-a-digest', 'plate', 'image/png', 1, x'00')")          # nobody can ask for it
        conn.commit()
        assert conn.execute("SELECT typeof(sha256) FROM images").fetchall() == [("text",), ("text",)]
    ws = Workstation.open(folder, clock)
    People(ws, clock).login("amanager")
    assert ws.store.schema_version == NEWEST
    assert ws.store.query("SELECT typeof(sha256), length(sha256) FROM images") == [("blob", 32)]
    assert ws.store.query("SELECT DISTINCT typeof(plate_image_sha256) FROM reads ORDER BY 1") == [("blob",), ("null",)]
    with ws.store.reading() as conn:
        assert load_detail(conn, ids[0]).plate_image_sha256 == sha
        assert pictures.load(conn, [ids[0]])[0].plate == data
    ws.close()


def test_similar_search_finds_the_plates_of_reads_the_previous_schema_gave_a_skeleton(
        tmp_path, clock, monkeypatch):
    """0017: the reads' skeleton column and its index are gone; the skeleton is computed on the
    distinct plates, so similar search finds the older program's reads, and a plate corrected
    after the upgrade is found by its new skeleton."""
    folder = tmp_path / "s"
    key, ids = _old_workstation(folder, clock, monkeypatch, upto=16)
    with _raw(folder / DB_NAME, key) as conn:
        assert "plate_skel" in {r[1] for r in conn.execute("PRAGMA table_info(reads)")}
    ws = Workstation.open(folder, clock)
    people = People(ws, clock)
    people.login("amanager")
    assert ws.store.schema_version == NEWEST
    assert "plate_skel" not in {r[1] for r in ws.store.query("PRAGMA table_info(reads)")}
    assert not ws.store.query("SELECT name FROM sqlite_master WHERE name = 'reads_skel'")
    dep = people.user("ddeputy", "deputy")
    found = ws.search(dep, SearchQuery(plate="7A8CO1O", mode="similar", start=0))   # 7ABC010, misread
    assert [r.plate for r in found.rows][:1] == ["7ABC010"]
    assert {r.plate for r in found.rows} <= {f"7ABC{i:03d}" for i in ids}
    with ws.store.transaction() as conn:
        corrections.correct(conn, ids[0], "8XYZ901", "the crop shows 8XYZ901", "amanager", clock())
    assert [r.id for r in ws.search(dep, SearchQuery(plate="BXY2901", mode="similar", start=0)).rows] == [ids[0]]
    ws.close()


def test_partial_and_wildcard_search_find_the_plates_the_previous_schema_indexed_by_piece(
        tmp_path, clock, monkeypatch):
    """0018: plate_grams (a row for each piece of each plate) gives way to an FTS5 trigram index
    of the distinct plates, filled from the plate index: partial and wildcard search find the
    older program's reads, and a plate first seen after the upgrade too."""
    folder = tmp_path / "s"
    key, ids = _old_workstation(folder, clock, monkeypatch, upto=17)
    with _raw(folder / DB_NAME, key) as conn:
        assert conn.execute("SELECT count(DISTINCT plate) FROM plate_grams").fetchone()[0] == len(ids)
    ws = Workstation.open(folder, clock)
    people = People(ws, clock)
    people.login("amanager")
    assert ws.store.schema_version == NEWEST
    assert not ws.store.query("SELECT name FROM sqlite_master WHERE name IN "
                              "('plate_grams', 'plate_gram_pos', 'plate_index_grams')")
    dep = people.user("ddeputy", "deputy")
    found = ws.search(dep, SearchQuery(plate="BC01", mode="partial", start=0)).rows
    assert sorted(r.id for r in found) == list(range(10, 20))           # 7ABC010 to 7ABC019
    found = ws.search(dep, SearchQuery(plate="7AB?02*", mode="wildcard", start=0)).rows
    assert sorted(r.id for r in found) == list(range(20, 30))
    insert_reads(ws, [(99, "8XYZ901", int(clock()) - 5, "CAM-LV-N", 0.9)])
    assert [r.id for r in ws.search(dep, SearchQuery(plate="XYZ9", mode="partial", start=0)).rows] == [99]
    ws.close()


def test_the_distinct_plates_keyed_by_skeleton_keep_every_plate_and_similar_search_finds_them(
        tmp_path, clock, monkeypatch):
    """0019: the plate table and its skeleton index become one B-tree keyed by (skeleton,
    plate): every plate the older program held is kept with its skeleton, similar search
    finds its reads, and a plate first seen after the upgrade (by the reads' trigger) too."""
    folder = tmp_path / "s"
    key, ids = _old_workstation(folder, clock, monkeypatch, upto=18)
    with _raw(folder / DB_NAME, key) as conn:
        before = conn.execute("SELECT plate, skel FROM plate_index ORDER BY plate").fetchall()
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'plate_index_skel'").fetchone()
    assert len(before) == len(ids)
    ws = Workstation.open(folder, clock)
    people = People(ws, clock)
    people.login("amanager")
    assert ws.store.schema_version == NEWEST
    assert ws.store.query("SELECT plate, skel FROM plate_index ORDER BY plate") == before
    assert [r[1] for r in ws.store.query("PRAGMA index_list(plate_index)")] == ["sqlite_autoindex_plate_index_1"]
    assert [(r[1], r[5]) for r in ws.store.query("PRAGMA table_info(plate_index)")] == [("skel", 1), ("plate", 2)]
    dep = people.user("ddeputy", "deputy")
    found = ws.search(dep, SearchQuery(plate="7A8CO1O", mode="similar", start=0))     # 7ABC010, misread
    assert [r.plate for r in found.rows][:1] == ["7ABC010"]
    insert_reads(ws, [(99, "8XYZ901", int(clock()) - 5, "CAM-LV-N", 0.9)])
    assert [r.id for r in ws.search(dep, SearchQuery(plate="BXY2901", mode="similar", start=0)).rows] == [99]
    assert [r.id for r in ws.search(dep, SearchQuery(plate="XYZ9", mode="partial", start=0)).rows] == [99]
    ws.close()


def test_a_store_whose_first_sync_was_cut_short_upgrades_and_its_rebuild_keeps_the_plate_index(
        tmp_path, clock, monkeypatch):
    """A first sync cut short leaves the reads' indexes and triggers dropped, their SQL kept for
    the next sync to rebuild. The migrations that drop them (0017's skeleton index, 0019's
    triggers) find them gone, and the rebuild, also after a resumed load drops them again,
    brings back this program's triggers, not the older ones: a plate first seen afterwards is
    found by similar and partial search."""
    folder = tmp_path / "s"
    key, ids = _old_workstation(folder, clock, monkeypatch, upto=16)
    with _raw(folder / DB_NAME, key) as conn:
        sync_apply.drop_read_indexes(conn)
        conn.commit()
        assert not conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'reads' "
                                "AND type IN ('index', 'trigger') AND sql IS NOT NULL").fetchall()
    ws = Workstation.open(folder, clock)
    people = People(ws, clock)
    people.login("amanager")
    assert ws.store.schema_version == NEWEST
    with ws.store.transaction() as conn:                            # the load resumes, then ends
        sync_apply.drop_read_indexes(conn)
        sync_apply.restore_read_indexes(conn)
    assert not ws.store.query("SELECT name FROM sqlite_master WHERE name = 'reads_skel'")
    insert_reads(ws, [(99, "8XYZ901", int(clock()) - 5, "CAM-LV-N", 0.9)])
    assert ws.store.query("SELECT skel FROM plate_index WHERE plate = '8XYZ901'") == [("8XY2901",)]
    dep = people.user("ddeputy", "deputy")
    assert [r.id for r in ws.search(dep, SearchQuery(plate="BXY2901", mode="similar", start=0)).rows] == [99]
    assert [r.id for r in ws.search(dep, SearchQuery(plate="XYZ9", mode="partial", start=0)).rows] == [99]
    assert sorted(r.id for r in ws.search(dep, SearchQuery(plate="BC01", mode="partial", start=0)).rows) == \
        list(range(10, 20))
    ws.close()


def test_an_upgrade_without_room_for_the_copy_and_the_rewrite_says_so_and_changes_nothing(
        tmp_path, clock, monkeypatch):
    """The copy aside and the migration's log (which may rewrite every row) both need room:
    with room for the copy alone, the upgrade is refused in a sentence, before anything."""
    folder = tmp_path / "s"
    _old_workstation(folder, clock, monkeypatch)
    size = (folder / DB_NAME).stat().st_size
    real = store_mod.shutil.disk_usage
    monkeypatch.setattr(store_mod.shutil, "disk_usage",
                        lambda p: real(p)._replace(free=size + (64 << 20)))   # the copy and the margin
    before = (folder / DB_NAME).read_bytes()
    ws = Workstation.open(folder, clock)
    with pytest.raises(StoreError, match=r"needs upgrading, which copies it aside and then rewrites "
                                         r"it: [\d,]+ MiB are needed .* the store was not changed"):
        People(ws, clock).login("amanager")
    ws.close()
    assert (folder / DB_NAME).read_bytes() == before and not list(folder.glob("*.bak*"))
    monkeypatch.setattr(store_mod.shutil, "disk_usage", real)
    ws = Workstation.open(folder, clock)
    People(ws, clock).login("amanager")                 # with room, it upgrades
    assert ws.store.schema_version == NEWEST
    ws.close()


def test_store_of_the_first_schema_upgrades_in_one_step(tmp_path, monkeypatch):
    """Only 0001 applied: every later migration runs, in one transaction, and old rows stay
    (0004 rebuilds release_requests from 0001's columns)."""
    folder = tmp_path / "s"
    Store.new_id(folder)
    key = os.urandom(32)
    monkeypatch.setattr(store_mod, "_migrations", lambda: ALL[:1])
    old = Store.open(folder, key, check_integrity=False, create=True)
    assert old.schema_version == 1
    old.execute("INSERT INTO release_requests(agency, agency_type, requester, purpose, description, "
                "case_number, received_on, entered_by, entered_at) VALUES ('LASD', 'law_enforcement', "
                "'Sgt. Diaz', 'WANTED', 'reads of 7ABC123', 'LHS-2026-000001', '2026-01-05', 'casey', 1)")
    old.close()
    monkeypatch.setattr(store_mod, "_migrations", lambda: ALL)
    copies = []
    real_check = Store._upgrade_problem

    def checked(self, expected):
        with _raw(folder / f"{DB_NAME}.pre-v{NEWEST}.bak", key) as conn:
            copies.append(conn.execute("PRAGMA user_version").fetchone()[0])
        return real_check(self, expected)
    monkeypatch.setattr(Store, "_upgrade_problem", checked)
    new = Store.open(folder, key)
    assert new.schema_version == NEWEST and copies == [1]
    assert new.query("SELECT requester, status, scope_start FROM release_requests") == [("Sgt. Diaz", "pending", None)]
    cols = {r[1] for r in new.query("PRAGMA table_info(users)")}
    assert "totp_last_step" in cols
    new.close()
    assert not list(folder.glob("*.bak*"))


def test_failed_migration_leaves_the_store_as_it_was_and_keeps_the_copy(tmp_path, clock, monkeypatch):
    folder = tmp_path / "s"
    key, ids = _old_workstation(folder, clock, monkeypatch, upto=BEFORE_TABLES)
    bad = ALL + [(NEWEST + 1, "broken", "CREATE TABLE made_by_broken (x INTEGER);\n"
                                        "INSERT INTO no_such_table VALUES (1);\n")]
    monkeypatch.setattr(store_mod, "_migrations", lambda: bad)
    ws = Workstation.open(folder, clock)
    backup = folder / f"{DB_NAME}.pre-v{NEWEST + 1}.bak"
    with pytest.raises(StoreError) as caught:
        ws.login("amanager", PASSWORD)
    text = str(caught.value)
    assert f"could not be upgraded from schema {BEFORE_TABLES} to {NEWEST + 1}" in text
    assert "no_such_table" in text and "left as it was" in text and str(backup) in text
    assert not ws.vault.is_open
    # One transaction: neither the good migrations before the broken one nor its first
    # statement stayed; the store is at its old version, whole, and the copy is kept.
    with _raw(folder / DB_NAME, key) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == BEFORE_TABLES
        later = {t for v, _n, sql in ALL if v > BEFORE_TABLES for t in _new_tables(sql)}
        assert later and not ({"made_by_broken"} | later) & _tables(conn)
        assert conn.execute("SELECT count(*) FROM reads").fetchone()[0] == len(ids)
    with _raw(backup, key) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == BEFORE_TABLES
        assert conn.execute("SELECT count(*) FROM reads").fetchone()[0] == len(ids)
    # Without the broken migration the same store upgrades, and only then is the copy gone.
    monkeypatch.setattr(store_mod, "_migrations", lambda: ALL)
    s = People(ws, clock).login("amanager")
    assert ws.store.schema_version == NEWEST and ws.audit_verify(s).ok
    ws.close()
    assert not list(folder.glob(f"{DB_NAME}.pre-v{NEWEST}.bak"))


def test_a_migrated_store_that_fails_its_check_keeps_the_copy_and_names_it(tmp_path, clock, monkeypatch):
    folder = tmp_path / "s"
    key, _ids = _old_workstation(folder, clock, monkeypatch)
    monkeypatch.setattr(Store, "_upgrade_problem", lambda self, expected: "page 7: HMAC check failed")
    ws = Workstation.open(folder, clock)
    with pytest.raises(StoreError) as caught:
        ws.login("amanager", PASSWORD)
    backup = folder / f"{DB_NAME}.pre-v{NEWEST}.bak"
    assert "failed the check afterwards (page 7: HMAC check failed)" in str(caught.value)
    assert f"kept at {backup}" in str(caught.value)
    with _raw(backup, key) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == PREVIOUS
    ws.close()


def _newer_store(folder: Path, clock, monkeypatch) -> None:
    """A store last opened by a program that knows one migration more than this one."""
    newer = ALL + [(NEWEST + 1, "from_the_future", "CREATE TABLE future_things (x INTEGER);\n")]
    monkeypatch.setattr(store_mod, "_migrations", lambda: newer)
    ws = Workstation.create(folder, "lametro-parking", clock)
    ws.create_first_admin("amanager", "Alex Manager", PASSWORD)
    assert ws.store.schema_version == NEWEST + 1
    ws.store.checkpoint()
    ws.close()
    monkeypatch.setattr(store_mod, "_migrations", lambda: ALL)       # this, older, program


def test_an_older_program_refuses_a_newer_store_with_a_sentence(tmp_path, clock, monkeypatch):
    folder = tmp_path / "s"
    _newer_store(folder, clock, monkeypatch)
    before = hashlib.sha256((folder / DB_NAME).read_bytes()).hexdigest()
    ws = Workstation.open(folder, clock)
    with pytest.raises(StoreError) as caught:
        ws.login("amanager", PASSWORD)
    assert str(caught.value) == (
        f"The store {folder / DB_NAME} was written by a newer version of the workstation "
        f"(schema {NEWEST + 1}); this program knows schema {NEWEST} at most. Open it with the "
        "newer program (or install it here); the store was not changed.")
    assert not ws.vault.is_open
    ws.close()
    assert hashlib.sha256((folder / DB_NAME).read_bytes()).hexdigest() == before
    assert not list(folder.glob("*.bak*"))


def test_the_command_line_says_the_same_sentence(tmp_path, clock, monkeypatch):
    folder = tmp_path / "s"
    _newer_store(folder, clock, monkeypatch)
    r = subprocess.run([sys.executable, "-m", "app.cli.main", "--data-dir", str(folder), "status",
                        "--user", "amanager", "--password-stdin"], input=PASSWORD + "\n",
                       capture_output=True, text=True, cwd=ROOT, env=os.environ.copy(), timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stderr.strip().endswith(
        f"was written by a newer version of the workstation (schema {NEWEST + 1}); this program "
        f"knows schema {NEWEST} at most. Open it with the newer program (or install it here); "
        "the store was not changed."), r.stderr
    assert r.stderr.count("\n") == 1                                 # one sentence, no traceback
