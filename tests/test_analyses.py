"""Each analysis on reads with known answers: exactly the right plates and reads, and logged."""
from __future__ import annotations

import json
import math
import random

import pytest

from app.engine import analyses_sql
from app.engine.analyses_types import (CameraMapQuery, CloneQuery, ConvoyQuery, LocateQuery, Place,
                                       StakeoutQuery)
from app.engine.errors import PermissionDenied, PurposeRequired, TrainingRequired, ValidationError
from app.engine.geo import haversine_km
from tests import analyses_data
from tests.conftest import PURPOSES, insert_reads


@pytest.fixture
def known(ws, clock):
    return analyses_data.load(ws, clock())


@pytest.fixture
def deputy(people):
    return people.user("dwatts", "deputy")


def last_log(ws):
    row = ws.store.query_one("SELECT action, query, result_ids, purpose, case_number, detail "
                             "FROM access_log ORDER BY seq DESC LIMIT 1")
    return row[0], json.loads(row[1]), json.loads(row[2]), row[3], row[4], json.loads(row[5])


def places(known):
    return tuple(Place(s, e, cameras=(i,)) if k == "camera" else Place(s, e, sites=(i,))
                 for k, i, s, e in known.stakeout_places)


def test_stakeout_finds_plates_at_k_of_3_places(ws, deputy, known):
    res = ws.analyses.stakeout(deputy, StakeoutQuery(places(known), min_places=2))
    assert [(p.plate, p.places) for p in res.plates] == [("3OF3AAA", (0, 1, 2)), ("2OF3BBB", (0, 2))]
    assert [[r.id for r in p.reads] for p in res.plates] == [[101, 102, 103], [104, 105]]
    action, query, ids, purpose, case, detail = last_log(ws)
    assert action == "analysis" and query["analysis"] == "stakeout" and query["min_places"] == 2
    assert [p["cameras"] or p["sites"] for p in query["places"]] == [
        ["CAM-LV-N"], ["CAM-CC-E"], ["Mulholland / Old Topanga"]]
    assert query["places"][0]["start"] == known.stakeout_places[0][2]
    assert sorted(ids) == [101, 102, 103, 104, 105]
    assert (purpose, case) == PURPOSES["calabasas"] and detail["plates"] == 2

    res3 = ws.analyses.stakeout(deputy, StakeoutQuery(places(known), min_places=3))
    assert [p.plate for p in res3.plates] == ["3OF3AAA"]


def test_stakeout_refuses_bad_places(ws, deputy, known):
    p = places(known)
    with pytest.raises(ValidationError, match="2 to"):
        ws.analyses.stakeout(deputy, StakeoutQuery(p[:1]))
    with pytest.raises(ValidationError, match="no camera 'CAM-NOPE'"):
        nope = Place(p[1].start, p[1].end, cameras=("CAM-NOPE",))
        ws.analyses.stakeout(deputy, StakeoutQuery((p[0], nope)))
    with pytest.raises(ValidationError, match="before its end"):
        ws.analyses.stakeout(deputy, StakeoutQuery((p[0], Place(10, 5, cameras=("CAM-LV-N",)))))
    with pytest.raises(ValidationError, match="between 2 and 3"):
        ws.analyses.stakeout(deputy, StakeoutQuery(p, min_places=4))


def test_locate_counts_by_camera_hour_and_weekday_in_local_time(ws, deputy, known):
    res = ws.analyses.locate(deputy, LocateQuery("loc-0001"))
    assert [(c.camera_id, c.count) for c in res.cameras] == [("CAM-LV-N", 2), ("CAM-CC-E", 1)]
    assert res.by_hour[8] == 2 and res.by_hour[17] == 1 and sum(res.by_hour) == 3
    assert res.by_weekday == (1, 1, 1, 0, 0, 0, 0)
    assert res.last.id == 403 and [r.id for r in res.reads] == [403, 402, 401]
    action, query, ids, *_ = last_log(ws)
    assert query == {"analysis": "locate", "plate": "LOC0001", "start": None, "end": None}
    assert ids == [403, 402, 401]
    # a time range that holds only the Monday read
    one = ws.analyses.locate(deputy, LocateQuery("LOC0001", known.locate_monday,
                                                 known.locate_monday + 86400))
    assert [r.id for r in one.reads] == [401]


def test_convoy_ranks_the_companion_and_drops_the_decoy(ws, deputy, known):
    q = ConvoyQuery("TGT1234", known.convoy_start, known.convoy_start + 86400, window_s=60, min_cameras=2)
    res = ws.analyses.convoy(deputy, q)
    assert [r.id for r in res.target_reads] == [200, 201, 202, 203]
    assert [(c.plate, c.times, len(c.cameras)) for c in res.companions] == [("PAL5678", 4, 4)]
    assert [r.id for r in res.companions[0].reads] == [210, 211, 212, 213]
    _action, query, ids, *_ = last_log(ws)
    assert query["window_s"] == 60 and query["min_cameras"] == 2 and query["plate"] == "TGT1234"
    assert sorted(ids) == [200, 201, 202, 203, 210, 211, 212, 213]
    loose = ws.analyses.convoy(deputy, ConvoyQuery("TGT1234", q.start, q.end, 60, 1))
    assert [(c.plate, c.times) for c in loose.companions] == [("PAL5678", 4), ("DEC0001", 1)]


def test_clones_flag_exactly_the_impossible_journey(ws, deputy, known):
    assert haversine_km(34.1436, -118.7047, 34.1436, -117.8361) == pytest.approx(80, abs=0.5)
    q = CloneQuery(known.base, known.base + 9 * 86400)
    res = ws.analyses.clones(deputy, q)
    assert [(f.plate, f.first.id, f.second.id, f.seconds) for f in res.flags] == [("CLN4321", 301, 302, 600)]
    assert res.flags[0].speed_kmh == pytest.approx(480, rel=0.01)
    assert res.cameras_without_coordinates == ["CAM-NOGPS"]
    _a, query, ids, *_ = last_log(ws)
    assert query["max_kmh"] == 160 and query["analysis"] == "clones" and ids == [301, 302]
    # at 500 km/h the same trip is possible
    assert ws.analyses.clones(deputy, CloneQuery(q.start, q.end, max_kmh=500)).flags == []


def test_camera_map_counts_reads_in_the_period(ws, deputy, known):
    res = ws.analyses.camera_map(deputy, CameraMapQuery(known.base, known.base + 9 * 86400))
    counts = {c.camera_id: c.reads for c in res.cameras}
    expect = dict(ws.store.query("SELECT camera_id, count(*) FROM reads WHERE read_at >= ? AND read_at < ? "
                                 "GROUP BY camera_id", (known.base, known.base + 9 * 86400)))
    assert {k: v for k, v in counts.items() if v} == expect and counts["CAM-FAR-E"] == 1
    far = next(c for c in res.cameras if c.camera_id == "CAM-FAR-E")
    assert (far.lat, far.lon) == (34.1436, -117.8361)
    _a, query, ids, *_r, detail = last_log(ws)
    assert query["analysis"] == "camera_map" and ids == [] and detail["reads"] == res.total


def test_rules_apply_and_refusals_are_logged(ws, people, known):
    auditor = people.user("aud", "auditor")
    with pytest.raises(PermissionDenied):
        ws.analyses.locate(auditor, LocateQuery("LOC0001"))
    assert last_log(ws)[0] == "denied"
    untrained = people.user("newbie", "deputy", trained=False)
    with pytest.raises(TrainingRequired):
        ws.analyses.locate(untrained, LocateQuery("LOC0001"))
    no_purpose = people.user("nopurp", "deputy", purpose=False)
    with pytest.raises(PurposeRequired):
        ws.analyses.camera_map(no_purpose, CameraMapQuery())
    deputy = people.user("okdep", "deputy")
    with pytest.raises(ValidationError):
        ws.analyses.locate(deputy, LocateQuery("NOT A PLATE!"))
    with pytest.raises(ValidationError):
        ws.analyses.convoy(deputy, ConvoyQuery("TGT1234", 10, 5))
    with pytest.raises(ValidationError):
        ws.analyses.clones(deputy, CloneQuery(0, 10, max_kmh=0))
    n = ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'analysis'")[0]
    assert n == 0


def test_clones_pair_consecutive_reads_and_same_second_ties(ws, deputy, known):
    t = known.base + 8 * 86400
    insert_reads(ws, [(501, "TIE0001", t, "CAM-LV-N", 0.9), (502, "TIE0001", t, "CAM-FAR-E", 0.9),
                      (511, "MID0001", t, "CAM-LV-N", 0.9), (512, "MID0001", t + 100, "CAM-LV-N", 0.9),
                      (513, "MID0001", t + 400, "CAM-FAR-E", 0.9)])
    res = ws.analyses.clones(deputy, CloneQuery(t - 60, t + 3600))
    assert [(f.plate, f.first.id, f.second.id) for f in res.flags] == [
        ("TIE0001", 501, 502), ("MID0001", 512, 513)]
    assert math.isinf(res.flags[0].speed_kmh) and res.flags[1].seconds == 300
    one = ws.analyses.clones(deputy, CloneQuery(t - 60, t + 3600, plate="mid0001"))
    assert [f.plate for f in one.flags] == ["MID0001"]


def test_clone_spans_are_the_same_in_memory_and_through_the_plate_index(ws, deputy, known):
    """A short period is checked in memory from its reads in time order, a long one through the
    plate index; both find the same spans with the same reads, same-second ties included, and
    each is chosen where it reads less."""
    rng = random.Random(5)
    cams = ["CAM-LV-N", "CAM-FAR-E", "CAM-LV-S"]
    base = known.base + 86400
    insert_reads(ws, [(1000 + i, f"RND{rng.randrange(40):04d}", base + rng.randrange(8 * 86400), rng.choice(cams), 0.9)
                      for i in range(3000)] + [(5000 + i, "TIE0002", base + 7200 + i // 2 * 900, cams[i % 3], 0.9)
                                               for i in range(8)]
                 + [(6000, "TIE0003", base + 20000, cams[0], 0.9), (6001, "TIE0003", base + 20000, cams[1], 0.9),
                    (6002, "TIE0003", base + 20900, cams[2], 0.9)])     # a read exactly at a span's end
    with ws.store.reading() as conn:
        span = conn.execute("SELECT max(read_at) + 1 - min(read_at) FROM reads").fetchone()[0]
        # both paths below are taken: the 2-hour query is short, the 9-day one long (the span
        # moves with the fixture's local Monday, so no bound between the two)
        assert 2 * 3600 * 50 < span < 9 * 24 * 3600 * 50
        for start, hours in ((base, 2), (base + 3600, 5), (base + 86400, 9), (base, 9 * 24), (base - 86400, 24 * 30)):
            q = CloneQuery(start, start + hours * 3600)
            for gap in (1, 900, 3600):
                in_memory = sorted(analyses_sql._spans_by_time(conn, q, gap))
                assert in_memory == sorted(analyses_sql._spans_by_plate(conn, q, gap)), (start, hours, gap)
                assert in_memory or gap == 1
            assert analyses_sql._short(conn, q) == (hours * 3600 * 50 < span)
        assert not analyses_sql._short(conn, CloneQuery(base, base + 3600, plate="RND0001"))
