"""The demo city: generated drops ingest with exactly the deliberate rejects, misreads and
OCR-queue items, and the one-call set-up yields a store whose demo users can log in and see hits."""
from __future__ import annotations

import json
import time

import cv2
import numpy as np

from app.engine.search import SearchQuery
from app.engine.workstation import Workstation
from app.server.demo_setup import DEMO_PASSWORD, DEMO_USERS, setup
from app.server.democity.generate import ca_plate, generate, misread
from app.server.democity.sites import CAMERAS, HOTLISTS
from app.server.embedded import EmbeddedServer
from app.server.ingest import ingest_dir
from tests.server_helpers import OPERATOR_PASSWORD

NOON_PACIFIC = 1795723200      # 2026-11-26 12:00 PST: a busy hour, whatever the hour of the run


def test_plates_and_misreads_look_right():
    rng = np.random.default_rng(1)
    plates = [ca_plate(rng) for _ in range(50)]
    assert all(len(p) == 7 and p[0].isdigit() and p[1:4].isalpha() and p[4:].isdigit() for p in plates)
    assert misread("8ABC123", np.random.default_rng(0)) != "8ABC123"


def test_generated_drops_ingest_with_the_deliberate_rejects(tmp_path):
    now = int(time.time())
    plan = generate(tmp_path / "drops", 1, 80, now, seed=5)
    sample = json.loads(next((tmp_path / "drops").glob("LV-*.json")).read_text())
    scene = cv2.imread(str(tmp_path / "drops" / sample["scene_image"]))
    x, y, w, h = sample["plate_box"]
    assert scene.shape[:2] == (360, 640) and 0 <= x < x + w <= 640 and 0 <= y < y + h <= 360
    server = EmbeddedServer.create(tmp_path / "city", "op.one", OPERATOR_PASSWORD, retention_days=730, now=now)
    try:
        server.put_cameras(CAMERAS)
        report = ingest_dir(server, tmp_path / "drops", now)
        reasons = sorted(r for _, r in report.rejects)
        assert len(reasons) == 2 and reasons[0].startswith("corrupt image") and reasons[1].startswith("unknown camera")
        assert report.reads + report.queued_for_ocr == plan.drops and report.queued_for_ocr == plan.no_plate
        assert len(server.ocr_pending(1000)) == plan.no_plate
        times = [r[2] for r in server.feed("reads", 0, 100000)]
        assert now - 86400 < min(times) and max(times) <= now
    finally:
        server.close()


def test_setup_builds_a_usable_demo(tmp_path):
    now = NOON_PACIFIC        # a fixed hour: the demo's traffic follows the time of day
    res = setup(tmp_path / "store", days=1, reads_per_day=60, now=now)
    assert res.ingest.reads > 100 and [u for u, _ in res.users] == [u for u, _, _ in DEMO_USERS]
    assert {r for _, r in res.users} == {"administrator", "prosecutor", "deputy", "custodian", "auditor"}
    ws = Workstation.open(tmp_path / "store", lambda: now)
    try:
        s = ws.login("pat.rivera", DEMO_PASSWORD)
        ws.set_purpose(s, "STOLEN-VEH", "LHS-2026-004512")
        queue = ws.hits.queue(s)
        assert queue and {h.source for h in queue} <= {h.source for h in HOTLISTS}
        page = ws.search(s, SearchQuery(plate=queue[0].plate))
        assert any(r.has_hit for r in page.rows)
        held = ws.store.query_one(
            "SELECT count(*) FROM (SELECT plate_image_sha256 AS s FROM reads UNION "
            "SELECT scene_image_sha256 FROM reads) WHERE s IS NOT NULL")[0]
        assert ws.store.query_one("SELECT count(*) FROM images")[0] == held
        # Drops that came without a plate read were read by our OCR on the way in.
        ocr_reads = ws.store.query_one("SELECT count(*) FROM reads WHERE vendor = 'Workstation OCR'")[0]
        assert ocr_reads > 0 and ws.store.query_one("SELECT count(*) FROM reads")[0] == res.ingest.reads + ocr_reads
        assert ws.store.query_one("SELECT count(*) FROM access_log WHERE uploaded = 0")[0] > 0  # since the sync
        # Plates carry their state; the Nevada look-alike of a hotlisted California plate is
        # read but does not hit, and an entry without a state hits as "state unknown".
        assert {s for (s,) in ws.store.query("SELECT DISTINCT plate_state FROM reads")} >= {"CA", "NV"}
        lookalike = ws.store.query("SELECT r.id FROM reads r JOIN hotlist_entries e ON e.plate = r.plate "
                                   "WHERE r.plate_state = 'NV' AND e.plate_state = 'CA'")
        assert len(lookalike) == 2
        assert ws.store.query_one("SELECT count(*) FROM hits WHERE read_id IN (SELECT value FROM "
                                  "json_each(?))", (json.dumps([i for (i,) in lookalike]),))[0] == 0
        assert any(h.state_unknown for h in queue) and not all(h.state_unknown for h in queue)
    finally:
        ws.close()
