"""Plate state: a hit needs plate and state to agree, search filters by state, and the state
travels from the camera's sidecar through the city server and sync into results, exports and
printed reports; an older city server gains the column and keeps its reads."""
from __future__ import annotations

import csv
import io
import json

import pytest
from pypdf import PdfReader

from app.engine import hits
from app.engine.analyses_types import LocateQuery
from app.engine.errors import ValidationError
from app.engine.evidence import ExportRequest, run
from app.engine.search import SearchQuery
from app.server.ingest import ingest_dir
from app.server.model import HotlistEntry
from tests.evidence_data import add_reads_with_images
from tests.server_helpers import CAMS, SVS, add_reads, city, make_city  # noqa: F401 - fixtures

HOT = "8ABC123"


def _states(ws, pairs: dict[int, str | None]) -> None:
    with ws.store.transaction() as conn:
        conn.executemany("UPDATE reads SET plate_state = ? WHERE id = ?", [(s, i) for i, s in pairs.items()])


@pytest.fixture
def state_reads(ws, clock):
    """Three reads of the same characters: one in California, one in Nevada, one unknown."""
    from tests.conftest import insert_reads
    now = int(clock())
    insert_reads(ws, [(1, HOT, now - 300, "CAM-LV-N", 0.95), (2, HOT, now - 200, "CAM-CC-E", 0.93),
                      (3, HOT, now - 100, "CAM-MP-W", 0.90), (4, "5XYZ777", now - 50, "CAM-LV-S", 0.9)])
    _states(ws, {1: "CA", 2: "NV", 3: None, 4: "AZ"})
    with ws.store.transaction() as conn:
        conn.execute("INSERT INTO hotlists(id, name, source, kind) VALUES ('svs', 'Stolen vehicles', "
                     "'CA DOJ SVS', 'stolen')")
    return now


def test_state_mismatch_yields_no_hit_and_unknown_state_is_flagged(ws, people, state_reads):
    s = people.user("dana.kim", "deputy")
    entry, new = ws.hits.add_entry(s, "svs", HOT, "Stolen vehicle (VC 10851)", 1, state="California")
    assert new == 2                                       # CA and the unknown, not Nevada
    queue = {h.read_id: h for h in ws.hits.queue(s)}
    assert set(queue) == {1, 3}
    assert not queue[1].state_unknown and queue[1].state_text == "CA"
    assert queue[3].state_unknown and queue[3].state_text == "state unknown"
    # An entry that does not say its state matches every state, and says so on each hit.
    _, more = ws.hits.add_entry(s, "svs", "5XYZ777", "Wanted person", 2)
    [h] = [h for h in ws.hits.queue(s) if h.plate == "5XYZ777"]
    assert more == 1 and h.state_unknown and h.read_state == "AZ"
    # The Nevada read of the same characters shows no hit anywhere.
    nv = ws.read_detail(s, 2)
    assert nv.read.plate_state == "NV" and nv.hits == [] and not nv.read.has_hit
    # A hit that turns out to be another state's plate is disposed of as such.
    done = ws.hits.dispose(s, queue[3].id, "wrong_state", "Plate on the car reads Arizona.")
    assert done.disposition == "wrong_state" and done.state_unknown
    with pytest.raises(ValidationError, match="note"):
        ws.hits.dispose(s, queue[1].id, "wrong_state", "")
    with pytest.raises(ValidationError, match="not a state"):
        ws.hits.add_entry(s, "svs", "1AAA111", "x", 3, state="Neveda")
    assert entry < 0


def test_reevaluation_after_a_state_change_keeps_the_rule(ws, state_reads):
    with ws.store.transaction() as conn:
        conn.execute("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, added_at, "
                     "plate_state) VALUES (9, 'svs', ?, 'Stolen', 1, ?, 'CA')", (HOT, state_reads))
        hits.match_entries(conn, [9], state_reads)
        conn.execute("UPDATE reads SET plate_state = 'OR' WHERE id = 3")
        added, removed = hits.reevaluate_reads(conn, [1, 2, 3], state_reads)
    assert (added, removed) == (0, 1)                     # read 3 is now Oregon's: its hit goes
    assert [r[0] for r in ws.store.query("SELECT read_id FROM hits")] == [1]


def test_search_filters_by_state_and_logs_it(ws, people, state_reads):
    s = people.user("dana.kim", "deputy")
    every = ws.search(s, SearchQuery(plate=HOT))
    assert sorted(r.plate_state or "-" for r in every.rows) == ["-", "CA", "NV"]
    nv = ws.search(s, SearchQuery(plate=HOT, state="nevada"))
    assert [(r.id, r.plate_state) for r in nv.rows] == [(2, "NV")]
    unknown = ws.search(s, SearchQuery(plate=HOT, state="Unknown"))
    assert [r.id for r in unknown.rows] == [3]
    logged = ws.store.query("SELECT query FROM access_log WHERE action = 'search' ORDER BY seq")
    assert [json.loads(q)["state"] for (q,) in logged] == ["", "NV", "unknown"]
    with pytest.raises(ValidationError, match="not a state"):
        ws.search(s, SearchQuery(plate=HOT, state="QQ"))


def test_export_and_printed_report_show_the_state(ws, people, clock, tmp_path):
    ids = add_reads_with_images(ws, 2, 700, int(clock()))
    _states(ws, {ids[0]: "NV", ids[1]: None})
    s = people.user("dsmith", "deputy")
    pkg = run(ws.evidence.export(s, ExportRequest(ids, tmp_path, "State check"))).path
    rows = {int(r["read_id"]): r for r in csv.DictReader(io.StringIO((pkg / "reads.csv").read_text()))}
    assert rows[ids[0]]["plate_state"] == "NV" and rows[ids[1]]["plate_state"] == "unknown"
    meta = json.loads((pkg / "metadata.json").read_text())
    assert {r["read_id"]: r["plate_state"] for r in meta["reads"]} == {ids[0]: "NV", ids[1]: None}
    plate = ws.store.query_one("SELECT plate FROM reads WHERE id = ?", (ids[0],))[0]
    result = ws.analyses.locate(s, LocateQuery(plate=plate, start=int(clock()) - 30 * 86400,
                                               end=int(clock()) + 60))
    pdf = ws.analyses.report_pdf(s, result, tmp_path / "locate.pdf")
    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "State" in text and "NV" in text


def test_state_travels_from_sidecar_through_the_server_and_sync(ws, people, city, clock, tmp_path):
    now = int(clock())
    city.server.put_cameras(CAMS)
    city.server.put_hotlist(SVS)
    city.server.add_entries([HotlistEntry("svs", HOT, "Stolen", 1, None, "doj", now - 100, "CA")])
    drops = tmp_path / "drops"
    drops.mkdir()
    from tests.server_helpers import png
    for i, state in enumerate(("California", "NV", None, "Atlantis")):
        (drops / f"d{i}.png").write_bytes(png(40 + i))
        (drops / f"d{i}.json").write_text(json.dumps({
            "camera": CAMS[0].id, "time": now - 600 + i, "plate": HOT, "confidence": 0.9,
            "scene_image": f"d{i}.png", "state": state}))
    report = ingest_dir(city.server, drops, now)
    assert report.reads == 3 and [r for _, r in report.rejects] == [
        "bad state: 'Atlantis' is not a state: give a two-letter code such as CA or NV, or leave it "
        "empty for unknown."]
    ws.sync.configure(people.admin(), city.address, city.secret)
    s = people.user("dana.kim", "deputy")
    list(ws.sync.run(s))
    held = dict(ws.store.query("SELECT id, plate_state FROM reads"))
    assert sorted(v or "-" for v in held.values()) == ["-", "CA", "NV"]
    hit_reads = {h.read_id: h.state_unknown for h in ws.hits.queue(s)}
    nv = next(i for i, v in held.items() if v == "NV")
    assert nv not in hit_reads and sorted(hit_reads.values()) == [False, True]


@pytest.mark.parametrize("kind", ["embedded", "postgresql"])
def test_server_upgrade_adds_the_state_and_keeps_existing_reads(kind, tmp_path, clock):
    """A server made before the plate state: its reads stay, read with an unknown state."""
    c, cleanup = make_city(kind, tmp_path)
    try:
        now = int(clock())
        c.server.put_cameras(CAMS)
        ddl = ["ALTER TABLE reads DROP COLUMN plate_state", "ALTER TABLE hotlist_entries DROP COLUMN plate_state",
               "ALTER TABLE ocr_queue DROP COLUMN plate_state"]
        with c.server._tx() as conn:
            for statement in ddl:
                conn.execute(statement)
            conn.execute("INSERT INTO reads(id, plate, read_at, camera_id, confidence, ingested_at, seq) "
                         + ("VALUES (?, ?, ?, ?, ?, ?, ?)" if kind == "embedded" else
                            "VALUES (%s, %s, %s, %s, %s, %s, %s)"),
                         (7, "6OLD007", now - 500, CAMS[0].id, 0.9, now, 1))
        if kind == "embedded":
            c.reconnect()                                 # opening the file upgrades it
        else:
            from app.server.postgres import init_schema
            init_schema(c.dsn)                            # 'alpr server init' again
        rows = c.server.feed("reads", 0, 10)
        assert [(r[0], r[1], r[9]) for r in rows] == [(7, "6OLD007", None)]
        add_reads(c.server, [("6NEW001", now - 10, CAMS[0].id)], now)
        assert len(c.server.feed("reads", 0, 10)) == 2
    finally:
        c.server.close()
        cleanup()
