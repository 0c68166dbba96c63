"""Search modes, filters, paging and bad patterns, all through the logged engine call."""
from __future__ import annotations

import json

import pytest

from app.engine import plates, search, sync_apply
from app.engine.errors import ValidationError
from app.engine.search import SearchQuery
from tests.conftest import insert_reads


@pytest.fixture
def dep(people):
    return people.user("dep1", "deputy")


def _plates(page):
    return [r.plate for r in page.rows]


def test_exact_partial_wildcard(ws, dep, seeded):
    assert sorted(r.id for r in ws.search(dep, SearchQuery(plate="7abc-123")).rows) == [1, 2]
    assert set(_plates(ws.search(dep, SearchQuery(plate="ABC1", mode="partial")))) == {"7ABC123", "7ABC12"}
    assert set(_plates(ws.search(dep, SearchQuery(plate="7?BC12*", mode="wildcard")))) == {"7ABC123", "7ABC12"}
    assert _plates(ws.search(dep, SearchQuery(plate="*999", mode="wildcard"))) == ["8XYZ999"]


def test_similar_ranks_ocr_confusions_and_missing_characters(ws, dep, seeded):
    page = ws.search(dep, SearchQuery(plate="7ABC123", mode="similar"))
    got = [(r.plate, r.closeness) for r in page.rows]
    assert got[0][1] == 0 and got[0][0] == "7ABC123"
    assert ("7A8C123", 0.25) in got and ("7ABC12", 1.0) in got
    assert "8XYZ999" not in [g[0] for g in got]
    closeness = [c for _p, c in got]
    assert closeness == sorted(closeness)


def test_similar_skeleton_groups():
    assert plates.skeleton("O0DQ") == plates.skeleton("0000")
    assert plates.skeleton("1IL8B5S2Z6G") == "11188552266"
    assert plates.closeness("7ABC123", "7ABC1Z3") == 0.25
    assert plates.closeness("7ABC123", "7ABC1234") == 1.0


def test_the_stores_skeleton_is_the_one_similar_search_computes(ws):
    """plate_index.skel (0019) is written by SQL (plates.skeleton_sql as a sync adds plates, and
    the reads' trigger); plates.skeleton is Python: every character, and so every plate, must
    map the same in all of them, or similar search would miss confusable plates."""
    by_sql = [c for c in plates.ALPHABET] + [plates.ALPHABET[:10], "O0DQ1IL8B5S2Z6G"]
    by_trigger = ["X" + p for p in by_sql]                  # every character through both writers
    with ws.store.transaction() as conn:
        conn.execute(sync_apply._ADD_PLATES, (json.dumps(by_sql),))           # as a sync adds them
        conn.execute("INSERT INTO cameras(id, name, site) VALUES ('skel-cam', 'skel', 'skel')")
        conn.executemany("INSERT INTO reads(id, plate, read_at, camera_id, confidence) "
                         "VALUES (?, ?, 0, 'skel-cam', 0.9)", [(900_000 + i, p) for i, p in enumerate(by_trigger)])
    with ws.store.transaction() as conn:                   # a corrected plate: the update trigger
        conn.execute("UPDATE reads SET plate = 'Y' || plate WHERE camera_id = 'skel-cam'")
    by_update = ["Y" + p for p in by_trigger]
    everyone = by_sql + by_trigger + by_update
    held = dict(ws.store.query("SELECT plate, skel FROM plate_index"))
    assert {p: held.get(p) for p in everyone} == {p: plates.skeleton(p) for p in everyone}
    assert ws.store.query_one("SELECT count(*) - count(DISTINCT plate) FROM plate_index") == (0,)


def test_wildcards_without_three_literals_in_a_row_tell_confusable_plates_apart(ws, dep, clock):
    """Such a wildcard looks up the plates within the skeletons its leading literals give, and
    then the plates themselves: of plates sharing a skeleton, only those the pattern names."""
    ps = ["O1B2S", "01B2S", "D1B2S", "Q1B2S", "0I825", "OLB2S", "G1Z5B", "61Z5B", "6IZ58",
          "S0G1L", "50G1L", "SOGIL", "I0S0Z", "L0S0Z", "10502"]
    insert_reads(ws, [(800_000 + i, p, int(clock()) - 60, "CAM-LV-N", 0.9) for i, p in enumerate(ps)])
    want = {"O?B?S": {"O1B2S", "OLB2S"}, "0?8?5": {"0I825"}, "D?B*S": {"D1B2S"},
            "G?Z?B": {"G1Z5B"}, "6?Z?8": {"6IZ58"}, "S?G?L": {"S0G1L", "SOGIL"}, "5?G*L": {"50G1L"},
            "L?S?Z": {"L0S0Z"}, "1?5?2": {"10502"}, "?1B?S": {"O1B2S", "01B2S", "D1B2S", "Q1B2S"}}
    for pattern, named in want.items():
        assert "plate_index" in search._candidate_plates(plates.wildcard_to_glob(pattern))[0]
        found = {r.plate for r in ws.search(dep, SearchQuery(plate=pattern, mode="wildcard", start=0)).rows}
        assert found & set(ps) == named, pattern


def test_filters_time_camera_site_hits(ws, dep, seeded, clock):
    now = int(clock())
    page = ws.search(dep, SearchQuery(plate="7ABC", mode="partial", start=now - 2000, end=now))
    assert _plates(page) == ["7ABC12", "7ABC123"]          # newest first
    hours = dict(start=now - 4 * 3600, end=now)          # a search without a plate: in a window
    assert [r.id for r in ws.search(dep, SearchQuery(cameras=("CAM-LV-N",), **hours)).rows] == [5, 1]
    assert {r.id for r in ws.search(dep, SearchQuery(sites=("Las Virgenes / Agoura Rd",), **hours)).rows} == {1, 3, 5}
    with ws.store.transaction() as c:
        c.execute("INSERT INTO hotlists(id, name, source, kind) VALUES ('svs', 'Stolen vehicles', 'CA DOJ SVS', 'stolen')")
        c.execute("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, added_at) VALUES (1, 'svs', '8XYZ999', 'stolen', 1, 0)")
        c.execute("INSERT INTO hits(read_id, entry_id, created_at) VALUES (3, 1, 0)")
    page = ws.search(dep, SearchQuery(hits_only=True))
    assert [(r.id, r.has_hit) for r in page.rows] == [(3, True)]


def test_sort_and_paging_log_exactly_what_was_returned(ws, dep, seeded, clock):
    q = SearchQuery(cameras=("CAM-LV-N", "CAM-CC-E", "CAM-LV-S", "CAM-MP-W"), sort="confidence",
                    descending=False, start=int(clock()) - 3 * 3600, end=int(clock()))
    first = ws.search(dep, q, limit=4)
    assert [r.confidence for r in first.rows] == sorted(r.confidence for r in first.rows) and first.has_more
    second = ws.search(dep, q, offset=4, limit=4)
    assert len(second.rows) == 2 and not second.has_more
    logged = ws.store.query("SELECT action, result_ids FROM access_log WHERE action LIKE 'search%' ORDER BY seq")
    assert [a for a, _ in logged] == ["search", "search_page"]
    assert json.loads(logged[0][1]) == [r.id for r in first.rows]
    assert json.loads(logged[1][1]) == [r.id for r in second.rows]


@pytest.mark.parametrize("query, message", [
    (SearchQuery(plate="*", mode="wildcard"), "too broad"),
    (SearchQuery(plate="**?*", mode="wildcard"), "too broad"),
    (SearchQuery(plate="A*", mode="wildcard"), "too broad"),
    (SearchQuery(plate="7AB'; DROP", mode="wildcard"), "wildcard pattern"),
    (SearchQuery(plate="7", mode="partial"), "at least 2"),
    (SearchQuery(plate="AB", mode="similar"), "at least 3"),
    (SearchQuery(plate="7ABC123!"), "not a plate"),
    (SearchQuery(), "Give a plate"),
    (SearchQuery(plate="7ABC123", mode="fuzzy"), "Unknown search mode"),
    (SearchQuery(plate="7ABC123", start=10, end=5), "before its end"),
])
def test_bad_queries_get_a_clear_message_and_are_not_run(ws, dep, seeded, query, message):
    before = ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'search'")[0]
    with pytest.raises(ValidationError, match=message):
        ws.search(dep, query)
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'search'")[0] == before


def test_a_search_without_a_plate_is_limited_to_the_profiles_window(ws, dep, seeded, clock):
    """By camera or site alone a search lists every vehicle there: only within the window the
    profile sets (4 hours), said in one sentence; a refused search runs nothing and logs nothing."""
    now = int(clock())
    assert ws.profile.plateless_search_max_hours == 4
    before = ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'search'")[0]
    for query, message in [
            (SearchQuery(cameras=("CAM-LV-N",)), "at most 4 hours: set both From and To"),
            (SearchQuery(sites=("Old Town Calabasas",), start=now - 3600), "set both From and To"),
            (SearchQuery(cameras=("CAM-LV-N",), start=now - 4 * 3600 - 1, end=now),
             "at most 4 hours; this one covers 4 hours 1 minute"),
            (SearchQuery(sites=("Old Town Calabasas",), start=now - 86400 * 30, end=now),
             "this one covers 720 hours")]:
        with pytest.raises(ValidationError, match=message):
            ws.search(dep, query)
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'search'")[0] == before
    page = ws.search(dep, SearchQuery(cameras=("CAM-LV-N",), start=now - 4 * 3600, end=now))
    assert [r.id for r in page.rows] == [5, 1]
    # a plate, or hot-listed vehicles only, need no window
    assert len(ws.search(dep, SearchQuery(plate="7ABC123", cameras=("CAM-LV-N",))).rows) == 1
    assert ws.search(dep, SearchQuery(hits_only=True, cameras=("CAM-LV-N",))).rows == []


def test_a_two_character_partial_search_is_limited_like_a_plateless_one(ws, dep, seeded, clock):
    """Two characters match about a fifth of all plates, so the profile's window applies, said in
    one sentence and logged as nothing; inside it the search finds plates and corrected plates."""
    now = int(clock())
    before = ws.store.query_one("SELECT count(*) FROM access_log")[0]
    for query, message in [
            (SearchQuery(plate="BC", mode="partial"), "two characters .* at most 4 hours: set both From"),
            (SearchQuery(plate="BC", mode="partial", start=now - 86400, end=now),
             "this one covers 24 hours. Narrow From and To, or search for more of the plate")]:
        with pytest.raises(ValidationError, match=message):
            ws.search(dep, query)
    assert ws.store.query_one("SELECT count(*) FROM access_log")[0] == before
    window = dict(start=now - 4 * 3600, end=now)
    assert [r.id for r in ws.search(dep, SearchQuery(plate="BC", mode="partial", **window)).rows] == [6, 2, 1]
    with ws.store.transaction() as c:
        c.execute("INSERT INTO corrections(read_id, old_plate, new_plate, reason, username, corrected_at, uuid) "
                  "VALUES (5, '4KLM456', '4KLM456', 'misread', 'dep1', 0, 'u2')")
    assert [r.id for r in ws.search(dep, SearchQuery(plate="KL", mode="partial", **window)).rows] == [5]
    # three characters use the plate index and need no window
    assert {r.id for r in ws.search(dep, SearchQuery(plate="ABC", mode="partial")).rows} == {1, 2, 6}


def test_corrected_reads_are_found_by_both_plates(ws, dep, seeded):
    with ws.store.transaction() as c:
        c.execute("UPDATE reads SET original_plate = plate, plate = '7ABC128' WHERE id = 5")
        c.execute("INSERT INTO corrections(read_id, old_plate, new_plate, reason, username, corrected_at, uuid) "
                  "VALUES (5, '4KLM456', '7ABC128', 'misread', 'dep1', 0, 'u1')")
    assert [r.id for r in ws.search(dep, SearchQuery(plate="4KLM456")).rows] == [5]
    assert [r.id for r in ws.search(dep, SearchQuery(plate="KLM4", mode="partial")).rows] == [5]
    assert [r.id for r in ws.search(dep, SearchQuery(plate="4KL*", mode="wildcard")).rows] == [5]
