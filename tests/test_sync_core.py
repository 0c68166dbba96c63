"""Sync against both backends: first and incremental pulls, hits, tombstones, the window,
the access-log and corrections upload, guard and logging."""
from __future__ import annotations

import hashlib
import json
import random
import uuid

import pytest

from app.engine import accesslog
from app.engine.errors import PermissionDenied
from app.server.model import HotlistEntry

from tests.server_helpers import (OPERATOR_PASSWORD, CAMS, add_reads, city, seed_city,  # noqa: F401
                                  server_truth)


def run(ws, session):
    return list(ws.sync.run(session))


@pytest.fixture
def synced(ws, people, city, clock):
    """A city with 30 reads (3 of a stolen plate), a deputy-less prosecutor session, configured."""
    seed_city(city.server, int(clock()))
    ws.sync.configure(people.admin(), city.address, city.secret)
    return people.user("pat.rivera", "prosecutor")


def local_reads(ws) -> dict[int, str]:
    return dict(ws.store.query("SELECT id, plate FROM reads"))


def test_first_sync_pulls_everything_and_makes_hits(ws, city, synced, clock, people):
    steps = run(ws, synced)
    truth = server_truth(city.server)
    assert local_reads(ws) == truth["reads"] and len(truth["reads"]) == 30
    held = {row[0]: bytes(row[1]) for row in ws.store.query("SELECT lower(hex(sha256)), data FROM images")}
    assert set(held) == truth["images"]
    assert all(hashlib.sha256(d).hexdigest() == s for s, d in held.items())
    assert ws.store.query_one("SELECT count(*) FROM cameras")[0] == len(CAMS)
    hits = ws.store.query("SELECT r.plate FROM hits h JOIN reads r ON r.id = h.read_id")
    assert sorted(hits) == [("7HOT123",)] * 3
    assert steps[-1].stage == "done" and "30 reads" in steps[-1].message
    entry = [e for e in ws.audit_entries(people.admin()) if e.action == "sync"][-1]
    assert entry.username == "pat.rivera" and entry.detail["reads"] == 30 and entry.detail["ok"]


def test_incremental_sync_takes_only_new_rows_and_new_entries_hit_held_reads(ws, city, synced, clock):
    run(ws, synced)
    now = int(clock())
    add_reads(city.server, [("5NEW001", now - 50, CAMS[0].id), ("7HOT123", now - 40, CAMS[1].id)], now, seed=7)
    city.server.add_entries([HotlistEntry("svs", "8ABC001", "Stolen plates", 1, None, "doj", now)])
    run(ws, synced)
    last = json.loads(ws.store.query_one("SELECT value FROM settings WHERE key = 'sync.last'")[0])
    assert last["reads"] == 2 and last["hotlist_entries"] == 1
    assert local_reads(ws) == server_truth(city.server)["reads"]
    plates = sorted(p for (p,) in ws.store.query("SELECT r.plate FROM hits h JOIN reads r ON r.id = h.read_id"))
    assert plates == ["7HOT123"] * 4 + ["8ABC001"]     # the new entry hit a read already held
    run(ws, synced)                                        # nothing new: nothing pulled twice
    last = json.loads(ws.store.query_one("SELECT value FROM settings WHERE key = 'sync.last'")[0])
    assert last["reads"] == 0 and last["hits"] == 0


def test_tombstones_remove_purged_reads_but_not_held_ones(ws, city, synced, clock, people):
    run(ws, synced)
    ids = sorted(local_reads(ws))
    admin = people.admin()
    ws.place_hold(admin, "LHS-2026-004512", "evidence", "burglary case", [ids[1]])
    assert city.server.purge_reads(ids[:3], "retention", int(clock())) == 3
    run(ws, synced)
    left = local_reads(ws)
    assert ids[0] not in left and ids[2] not in left and ids[1] in left   # the held read stays
    assert ws.store.query_one("SELECT count(*) FROM hits WHERE read_id = ?", (ids[0],))[0] == 0
    used = {s for row in ws.store.query("SELECT lower(hex(plate_image_sha256)), lower(hex(scene_image_sha256)) FROM reads") for s in row}
    assert {s for (s,) in ws.store.query("SELECT lower(hex(sha256)) FROM images")} <= used


def test_sync_window_keeps_only_recent_days(ws, city, synced, clock, people):
    now = int(clock())
    add_reads(city.server, [("6OLD001", now - 10 * 86400, CAMS[0].id)], now, seed=3)
    run(ws, synced)
    assert "6OLD001" in local_reads(ws).values()
    ws.sync.set_window(people.admin(), 5)
    run(ws, synced)
    assert "6OLD001" not in local_reads(ws).values() and len(local_reads(ws)) == 30
    ws.sync.set_window(people.admin(), 20)                  # wider again: the old read comes back
    run(ws, synced)
    assert "6OLD001" in local_reads(ws).values()


def test_access_log_upload_is_idempotent_and_never_deletes(ws, city, synced):
    run(ws, synced)
    local = [tuple(r) for r in ws.store.query("SELECT seq, ts, username, agency, role, action, query, purpose, "
                                               "case_number, result_ids, detail, prev_hash, hash, mac FROM access_log")]
    on_server = [tuple(r) for r in city.server.uploaded_log(ws.store.store_id)]
    assert on_server == local
    with ws.store.transaction() as conn:                    # as if the confirmation had been lost
        conn.execute("UPDATE access_log SET uploaded = 0")
    run(ws, synced)
    again = city.server.uploaded_log(ws.store.store_id)
    assert len(again) == len({r[0] for r in again}) == ws.store.query_one("SELECT count(*) FROM access_log")[0]
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE uploaded = 0")[0] == 0
    assert accesslog.verify(ws.store.reading().__enter__(), ws.log_first_key(), ws.log_receipt()).ok


def test_corrections_go_up_once(ws, city, synced, clock):
    run(ws, synced)
    rid = min(local_reads(ws))
    u = str(uuid.uuid4())
    with ws.store.transaction() as conn:
        conn.execute("INSERT INTO corrections(read_id, old_plate, new_plate, reason, username, corrected_at, uuid) "
                     "VALUES (?, '8ABC001', '8A8C001', 'plate crop shows 8', 'pat.rivera', ?, ?)", (rid, int(clock()), u))
    run(ws, synced)
    with ws.store.transaction() as conn:
        conn.execute("UPDATE corrections SET uploaded = 0")
    run(ws, synced)
    assert city.server.stats()["corrections"] == 1
    assert ws.store.query_one("SELECT uploaded FROM corrections WHERE uuid = ?", (u,))[0] == 1


def test_sync_is_guarded(ws, city, synced, people):
    auditor = people.user("avery.shah", "auditor")
    with pytest.raises(PermissionDenied):
        list(ws.sync.run(auditor))
    assert ws.store.query_one("SELECT count(*) FROM reads")[0] == 0
    denied = [e for e in ws.audit_entries(people.admin()) if e.action == "denied"]
    assert [e.detail["action"] for e in denied if e.username == "avery.shah"] == ["sync"]
    with pytest.raises(PermissionDenied):
        ws.sync.configure(synced, "embedded:/tmp/elsewhere")       # settings are the administrator's


def test_bulk_first_sync_rebuilds_indexes_even_after_a_crash(ws, city, synced, monkeypatch):
    from app.engine import sync_apply, sync_run
    monkeypatch.setattr(sync_run, "BULK_MIN", 10)
    names = lambda: {n for (n,) in ws.store.query(  # noqa: E731
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reads' AND sql IS NOT NULL")}
    before = names()
    rebuild = sync_apply.restore_read_indexes
    temp_store_while_rebuilding = []

    def watched(conn):
        if conn.execute("SELECT 1 FROM sync_state WHERE key = 'bulk.indexes'").fetchone():
            temp_store_while_rebuilding.append(conn.execute("PRAGMA temp_store").fetchone()[0])
        rebuild(conn)

    monkeypatch.setattr(sync_apply, "restore_read_indexes", watched)
    stages = [p.stage for p in ws.sync.run(synced)]
    assert "indexes" in stages and names() == before and len(local_reads(ws)) == 30
    with ws.store.transaction() as conn:                  # as if killed in the middle of a bulk load
        sync_apply.drop_read_indexes(conn)
    assert names() == set()
    list(ws.sync.run(synced))
    assert names() == before
    # both rebuilds (after the load, and the one a crash left owed) may spill, encrypted; after
    # them the store keeps temporary data in memory again
    assert temp_store_while_rebuilding == [1, 1]
    assert ws.store.query_one("PRAGMA temp_store")[0] == 2


class _Watching:
    """A connection that notes the page cache's size at each index it is asked to build, and can
    fail at the second, as a full disk would."""

    def __init__(self, conn, fail: bool = False) -> None:
        self.conn, self.fail, self.cache_at_index = conn, fail, []

    def execute(self, sql, *args):
        if sql.startswith("CREATE INDEX"):
            self.cache_at_index.append(self.conn.execute("PRAGMA cache_size").fetchone()[0])
            if self.fail and len(self.cache_at_index) == 2:
                raise OSError("disk full")
        return self.conn.execute(sql, *args)


def test_the_index_rebuild_sorts_with_a_small_page_cache_and_gives_it_back(ws):
    """The page cache gives way while the indexes are sorted (its size is the size of the
    sorter's runs, and without encrypted temporary files the sort holds all its keys in memory
    besides), and is the store's own again after, also when the rebuild fails."""
    from app.engine import sync_apply
    indexes = ws.store.query_one("SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                 "AND tbl_name = 'reads' AND sql IS NOT NULL")[0]
    before = ws.store.query_one("PRAGMA cache_size")[0]
    assert before != sync_apply.SORT_CACHE and indexes >= 4
    with ws.store.transaction() as conn:
        sync_apply.drop_read_indexes(conn)
    failing = _Watching(None, fail=True)
    with pytest.raises(OSError), ws.store.transaction() as conn:
        failing.conn = conn
        sync_apply.restore_read_indexes(failing)
    assert failing.cache_at_index == [sync_apply.SORT_CACHE] * 2
    assert ws.store.query_one("PRAGMA cache_size")[0] == before
    watching = _Watching(None)
    with ws.store.transaction() as conn:
        watching.conn = conn
        sync_apply.restore_read_indexes(watching)
    assert watching.cache_at_index == [sync_apply.SORT_CACHE] * indexes
    assert ws.store.query_one("PRAGMA cache_size")[0] == before


def test_the_index_rebuild_spills_its_sorts_to_encrypted_files(ws, clock, monkeypatch):
    """A bulk sync's index rebuild sorts in runs the size of its small page cache, written to
    temporary files, rather than holding every key in memory (1.3 GB at 20 M reads); an
    insider reading those files while they exist finds no plate, and the indexes come out
    whole."""
    from app.engine import sync_apply
    from tests.conftest import insert_reads, temp_files_read_during
    rnd = random.Random(5)
    plates = [f"{rnd.randint(1, 9)}{''.join(rnd.choices('ABCDEFGHJKLMNPRSTUVWXYZ', k=3))}{rnd.randint(0, 999):03d}"
              for _ in range(60_000)]
    now = int(clock())
    insert_reads(ws, [(i + 1, p, now - i, "CAM-LV-N", 0.9) for i, p in enumerate(plates)])
    with ws.store.transaction() as conn:
        sync_apply.drop_read_indexes(conn)
    monkeypatch.setattr(sync_apply, "SORT_CACHE", -64)    # runs of SQLite's least (1 MB)
    with ws.store.spilling(), ws.store.transaction() as conn:
        seen, most, found = temp_files_read_during(conn, lambda: sync_apply.restore_read_indexes(conn),
                                                   [p.encode() for p in plates[::100]])
    assert seen and most > 500_000, "the rebuild's sorts did not spill"
    assert found == []
    assert ws.store.query_one("PRAGMA quick_check")[0] == "ok"
    plan = " ".join(r[3] for r in ws.store._conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM reads WHERE plate = ?", (plates[7],)))
    assert "reads_plate" in plan
    assert ws.store.query_one("SELECT count(*) FROM reads WHERE plate = ?", (plates[7],))[0] == plates.count(plates[7])
    assert [r[0] for r in ws.store._conn.execute("SELECT plate FROM reads INDEXED BY reads_plate "
                                                  "WHERE plate > '' ORDER BY plate")] == sorted(plates)


def test_a_full_temporary_folder_stops_the_rebuild_with_a_sentence_and_loses_nothing(ws, clock, monkeypatch,
                                                                                      tmp_path):
    """The rebuild's sorted runs need room in the temporary folder (about 23 bytes a read): when
    it fills, the sync stops with a sentence that names it, the reads stay, and the rebuild is
    still owed, so the next sync finishes it once there is room."""
    from app.engine import sync_apply
    from app.engine.errors import StoreError
    from tests.conftest import insert_reads
    from tests.test_bad_files import tmpfs
    rnd = random.Random(6)
    plates = [f"{rnd.randint(1, 9)}{''.join(rnd.choices('ABCDEFGHJKLMNPRSTUVWXYZ', k=3))}{rnd.randint(0, 999):03d}"
              for _ in range(60_000)]
    insert_reads(ws, [(i + 1, p, int(clock()) - i, "CAM-LV-N", 0.9) for i, p in enumerate(plates)])
    with ws.store.transaction() as conn:
        sync_apply.drop_read_indexes(conn)
    monkeypatch.setattr(sync_apply, "SORT_CACHE", -64)
    with tmpfs(tmp_path / "tmp", "512k") as small:
        ws.store.query_one(f"PRAGMA temp_store_directory = '{small}'")     # SQLite's own setting
        try:
            with pytest.raises(StoreError, match=r"or its temporary files .* is full"):
                with ws.store.spilling(), ws.store.transaction() as conn:
                    sync_apply.restore_read_indexes(conn)
        finally:
            ws.store.query_one("PRAGMA temp_store_directory = ''")
    assert ws.store.query_one("SELECT count(*) FROM reads")[0] == 60_000
    assert ws.store.query_one("SELECT count(*) FROM sync_state WHERE key = 'bulk.indexes'")[0] == 1
    with ws.store.transaction() as conn:
        sync_apply.restore_read_indexes(conn)
    assert ws.store.query_one("SELECT count(*) FROM sqlite_master WHERE name = 'reads_plate'")[0] == 1
    assert ws.store.query_one("PRAGMA quick_check")[0] == "ok"


def test_partial_search_finds_every_plate_a_bulk_sync_brought_and_those_after_it(ws, city, synced,
                                                                                 monkeypatch, clock):
    """A bulk first sync loads without the plate index's trigger and adds the plates at the end,
    and the trigram index (0018) with them: every plate it brought is found by a piece of it,
    and so is a plate an incremental sync brings later."""
    from app.engine import sync_run
    from app.engine.search import SearchQuery
    monkeypatch.setattr(sync_run, "BULK_MIN", 10)
    assert "indexes" in [p.stage for p in ws.sync.run(synced)]
    held = local_reads(ws)
    for plate in set(held.values()):
        found = ws.search(synced, SearchQuery(plate[1:4], "partial")).rows
        assert {i for i, p in held.items() if p == plate} <= {r.id for r in found}
        assert all(plate[1:4] in r.plate for r in found)
    assert ws.store.query("SELECT name FROM sqlite_master WHERE name = 'plate_index_trigrams'")
    now = int(clock())
    add_reads(city.server, [("5QXW772", now - 50, CAMS[0].id)], now, seed=9)
    run(ws, synced)
    assert [r.plate for r in ws.search(synced, SearchQuery("QXW7", "partial")).rows] == ["5QXW772"]


def test_another_server_is_refused_while_reads_from_the_first_are_held(ws, city, synced, people, tmp_path,
                                                                      clock):
    from app.engine.errors import SyncError
    from app.server.embedded import EmbeddedServer
    run(ws, synced)
    other = EmbeddedServer.create(tmp_path / "other-city", "amanager", OPERATOR_PASSWORD,
                                  retention_days=730, now=int(clock()))
    other.close()
    ws.sync.configure(people.admin(), f"embedded:{tmp_path / 'other-city'}", OPERATOR_PASSWORD)
    with pytest.raises(SyncError, match="another city server"):
        run(ws, synced)
    ws.sync.configure(people.admin(), city.address, city.secret)        # back to its own server: resumes
    assert run(ws, synced)[-1].stage == "done" and len(local_reads(ws)) == 30


def test_a_reads_missing_values_are_stored_as_null_and_its_digests_as_32_bytes(ws, clock):
    """apply_reads binds a read's optional columns as '' or an empty bytearray (sqlcipher3 binds
    None and bytes twenty times slower) and NULLIF turns them back: nothing empty is stored in
    place of nothing, and what was sent is stored as it was."""
    from app.engine import sync_apply
    from tests.conftest import CAMERAS
    now = int(clock())
    rows = [(1, "7ABC123", now - 10, "CAM-LV-N", 0.9, "V", None, None, None, None, None, None, None, 1),
            (2, "7ABC124", now - 9, "CAM-LV-N", 0.8, None, "[1, 2, 3, 4]", "ab" * 32, "cd" * 32, "CA",
             "Toyota", "white", "sedan", 2)]
    sync_apply.check_reads(rows)
    with ws.store.transaction() as conn:
        conn.executemany("INSERT INTO cameras(id, name, site, lat, lon, direction) VALUES (?,?,?,?,?,?)", CAMERAS)
        sync_apply.apply_reads(conn, rows, [], now)
    got = ws.store.query("SELECT id, vendor, plate_box, plate_image_sha256, scene_image_sha256, plate_state, "
                         "vehicle_make, vehicle_color, vehicle_body FROM reads ORDER BY id")
    assert got == [(1, "V", None, None, None, None, None, None, None),
                   (2, None, "[1, 2, 3, 4]", bytes.fromhex("ab" * 32), bytes.fromhex("cd" * 32), "CA",
                    "Toyota", "white", "sedan")]


def test_a_batchs_new_plates_reach_the_plate_and_trigram_indexes_and_a_bulk_leaves_them_to_the_rebuild(ws, clock):
    """apply_reads puts a batch's plates into the plate index in one statement before the reads:
    the reads' trigger, one plate a statement, made FTS5 write a segment for each new plate.
    Every new plate is then found through the trigram index, written as one segment; a plate
    or a read already held is not doubled, and the index is whole. In a bulk load the trigger
    is dropped and the rebuild adds the plates."""
    from app.engine import sync_apply
    from tests.conftest import CAMERAS
    now = int(clock())

    def rows(first, plates):
        return [(first + i, p, now - 100 + i, "CAM-LV-N", 0.9, None, None, None, None, None, None, None, None,
                 first + i) for i, p in enumerate(plates)]

    def segments():
        return ws.store.query_one("SELECT count(DISTINCT segid) FROM plate_trigrams_idx")[0]
    day = [f"8Q{i:04d}X" for i in range(300)] + ["8Q0007X"]
    before = segments()
    with ws.store.transaction() as conn:
        conn.executemany("INSERT INTO cameras(id, name, site, lat, lon, direction) VALUES (?,?,?,?,?,?)", CAMERAS)
        sync_apply.apply_reads(conn, rows(1, day), [], now)
    assert segments() == before + 1
    with ws.store.transaction() as conn:      # the next day: a plate held already, a read held already
        sync_apply.apply_reads(conn, rows(300, ["8Q0007X", "8R0001X"]), [], now)
    found = ws.store.query("SELECT plate FROM plate_trigrams WHERE plate GLOB '8[QR]0*X' ORDER BY plate")
    assert [p for (p,) in found] == sorted(set(day) | {"8R0001X"})
    assert ws.store.query_one("SELECT count(*) FROM plate_index WHERE plate = '8Q0007X'") == (1,)
    assert ws.store.query_one("SELECT count(*) FROM reads WHERE id = 300") == (1,)
    with ws.store.transaction() as conn:
        conn.execute("INSERT INTO plate_trigrams(plate_trigrams, rank) VALUES ('integrity-check', 1)")
        sync_apply.drop_read_indexes(conn)
        sync_apply.apply_reads(conn, rows(1000, ["9BULK01", "9BULK02"]), [], now, bulk=True)
    assert ws.store.query("SELECT plate FROM plate_index WHERE plate GLOB '9BULK*'") == []
    with ws.store.transaction() as conn:
        sync_apply.restore_read_indexes(conn)
    assert [p for (p,) in ws.store.query("SELECT plate FROM plate_trigrams WHERE plate GLOB '9BULK*' "
                                         "ORDER BY plate")] == ["9BULK01", "9BULK02"]
