"""Releases to other agencies: the written request on file, the designee's approval, the law's limits."""
from __future__ import annotations

import csv
import io
import json

import pytest
from pypdf import PdfReader

from app.engine.errors import PermissionDenied, ReleaseRefused, ValidationError
from app.engine.evidence import AggregateQuery, ExportRequest, ReleaseRequestForm, run
from tests.evidence_data import add_hit_and_correction, add_reads_with_images, agency


@pytest.fixture
def form(ws, people, clock):
    """A written request of an agency of the register; its scope by default: reads 300 to 303
    of the last day."""
    now = int(clock())

    def make(agency_name="Ventura County Sheriff's Office", agency_type="law_enforcement",
             **kw) -> ReleaseRequestForm:
        base = dict(agency_id=agency(ws, people.admin(), agency_name, agency_type), requester="Det. R. Alvarez",
                    purpose="Robbery investigation, suspect vehicle", description="Reads 300-303, last day",
                    case_number="VCSO-26-118", received_on="2026-11-20", read_ids=(300, 301, 302, 303),
                    start=now - 86400, end=now + 1)
        base.update(kw)
        return ReleaseRequestForm(**base)
    return make


@pytest.fixture
def reads(ws, clock):
    return add_reads_with_images(ws, 4, 300, int(clock()))


def _actions(ws) -> list[str]:
    return [r[0] for r in ws.store.query("SELECT action FROM access_log ORDER BY seq")]


def test_request_needs_every_element_and_the_right_role(ws, people, form, reads):
    clerk = people.user("cclerk", "custodian")
    with pytest.raises(ValidationError, match="name of the person requesting"):
        ws.evidence.request_release(clerk, form(requester=" "))
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        ws.evidence.request_release(clerk, form(received_on="20 Nov"))
    with pytest.raises(ValidationError, match="period it covers"):
        ws.evidence.request_release(clerk, form(start=None))
    with pytest.raises(ValidationError, match="end after it starts"):
        ws.evidence.request_release(clerk, form(end=form().start))
    with pytest.raises(ValidationError, match="plates or the reads"):
        ws.evidence.request_release(clerk, form(read_ids=()))
    with pytest.raises(ValidationError, match="not a plate"):
        ws.evidence.request_release(clerk, form(plates=("7ABC-123!",)))
    with pytest.raises(ValidationError, match="No camera CAM-NOPE"):
        ws.evidence.request_release(clerk, form(camera_ids=("CAM-NOPE",)))
    deputy = people.user("dsmith", "deputy")
    with pytest.raises(PermissionDenied):
        ws.evidence.request_release(deputy, form())
    req = ws.evidence.request_release(clerk, form(plates=("7abc 123",), camera_ids=("CAM-LV-N", "CAM-LV-N")))
    assert (req.status, req.entered_by, req.case_number) == ("pending", "cclerk", "VCSO-26-118")
    assert (req.plates, req.read_ids, req.camera_ids) == (("7ABC123",), (300, 301, 302, 303), ("CAM-LV-N",))
    assert "plates 7ABC123; reads #300, #301, #302, #303" in req.summary()
    with pytest.raises(PermissionDenied):           # the clerk enters, only the designee decides
        ws.evidence.decide_release(clerk, req.id, True, "ok")
    assert _actions(ws).count("release_request") == 1


def test_export_for_another_agency_needs_an_approved_request(ws, people, reads, tmp_path, form):
    admin = people.admin()
    clerk = people.user("cclerk", "custodian")
    deputy = people.user("dsmith", "deputy")
    with pytest.raises(ReleaseRefused, match="written release request"):
        run(ws.evidence.export(deputy, ExportRequest(reads, tmp_path, "x", recipient="Ventura County SO")))
    req = ws.evidence.request_release(clerk, form())
    with pytest.raises(ReleaseRefused, match="pending, not approved"):
        run(ws.evidence.export(deputy, ExportRequest(reads, tmp_path, "x", release_request_id=req.id)))
    decided = ws.evidence.decide_release(admin, req.id, True, "Specific felony, MOU on file")
    assert (decided.status, decided.decided_by) == ("approved", "amanager")
    res = run(ws.evidence.export(deputy, ExportRequest(reads, tmp_path, "For VCSO robbery case",
                                                       release_request_id=req.id)))
    text = "\n".join(p.extract_text() for p in PdfReader(res.path / "chain-of-custody.pdf").pages)
    assert "Ventura County Sheriff's Office" in text and f"Request #{req.id}" in text
    meta = json.loads((res.path / "metadata.json").read_text())
    assert meta["package"]["recipient"] == "Ventura County Sheriff's Office"
    acts = _actions(ws)
    assert acts.count("denied") == 2 and "release_approve" in acts and acts[-1] == "export"
    assert json.loads(ws.store.query_one(
        "SELECT detail FROM access_log WHERE action = 'export'")[0])["release_request"] == req.id
    assert ws.evidence.list_releases(admin, "approved") == []
    [used] = ws.evidence.list_releases(admin, "released")
    assert (used.id, used.released_by, used.released_package) == (req.id, "dsmith", res.path.name)


@pytest.mark.parametrize("kind", ["private", "media", "public"])
def test_no_release_to_anyone_but_a_public_agency(ws, people, reads, tmp_path, kind, form):
    admin = people.admin()
    clerk = people.user("cclerk", "custodian")
    with pytest.raises(ReleaseRefused, match="1798.90.55"):     # the register refuses it
        form(agency_name="Acme Repossession LLC", agency_type=kind)
    req = ws.evidence.request_release(clerk, form(agency_name="Acme Repossession LLC"))
    ws.store.execute("UPDATE agencies SET agency_type = ? WHERE id = ?", (kind, req.agency_id))
    with pytest.raises(ReleaseRefused, match="1798.90.55"):     # an entry changed behind the engine
        ws.evidence.decide_release(admin, req.id, True, "looks fine")
    assert ws.evidence.decide_release(admin, req.id, False, "Not a public agency").status == "denied"
    with pytest.raises(ReleaseRefused):
        run(ws.evidence.export(admin, ExportRequest(reads, tmp_path, "x", release_request_id=req.id)))
    assert _actions(ws).count("release_deny") == 1 and list(tmp_path.glob("ALPR-*")) == []


def test_public_agency_gets_counts_only(ws, people, reads, tmp_path, clock, form):
    plate = ws.store.query_one("SELECT plate FROM reads WHERE id = 300")[0]
    add_hit_and_correction(ws, 300, plate, int(clock()))
    admin = people.admin()
    clerk = people.user("cclerk", "custodian")
    works = dict(agency_name="Calabasas Public Works", agency_type="public_agency", purpose="Traffic study")
    with pytest.raises(ValidationError, match="only counts"):     # counts only: no plates or reads asked for
        ws.evidence.request_release(clerk, form(**works))
    req = ws.evidence.request_release(clerk, form(**works, read_ids=()))
    ws.evidence.decide_release(admin, req.id, True, "Counts only, per policy")
    with pytest.raises(ReleaseRefused, match="only counts"):
        run(ws.evidence.export(admin, ExportRequest(reads, tmp_path, "x", release_request_id=req.id)))
    now = int(clock())
    q = AggregateQuery(now - 86400, now + 1, offense="stolen")
    res = run(ws.evidence.export_aggregate(admin, req.id, q, tmp_path, "Traffic counts, last day"))
    rows = list(csv.DictReader(io.StringIO((res.path / "aggregate.csv").read_text())))
    assert len(rows) == 4                               # one read and at most one hit per camera
    assert {r["reads"] for r in rows} == {r["hits_stolen"] for r in rows} == {"fewer than 5"}
    files = sorted(p.name for p in res.path.rglob("*") if p.is_file())
    assert files == ["aggregate.csv", "aggregate.json", "chain-of-custody.pdf", "manifest.sha256"]
    everything = "".join(p.read_text(errors="ignore") for p in res.path.glob("aggregate.*"))
    assert plate not in everything and "images" not in files
    assert ws.evidence.verify(admin, res.path).ok
    assert "release_aggregate" in _actions(ws)
    assert ws.store.query_one("SELECT count(*) FROM holds")[0] == 0


def test_decisions_are_final(ws, people, form):
    admin = people.admin()
    req = ws.evidence.request_release(admin, form())
    ws.evidence.decide_release(admin, req.id, False, "No case nexus")
    with pytest.raises(ValidationError, match="already denied"):
        ws.evidence.decide_release(admin, req.id, True, "changed my mind")


def test_aggregate_counts_by_site_and_period(ws, people, reads, clock):
    from app.engine.evidence.aggregate import aggregate
    now = int(clock())
    with ws.store.reading() as conn:
        rows = aggregate(conn, AggregateQuery(now - 86400, now + 1, sites=("Las Virgenes / Agoura Rd",)))
        assert {r.camera_id for r in rows} == {"CAM-LV-N", "CAM-LV-S"}
        assert sum(r.reads for r in rows) == 2          # reads 300..303 rotate over four cameras
        assert sum(r.reads for r in aggregate(conn, AggregateQuery(now + 10, now + 3610))) == 0
        with pytest.raises(ValidationError, match="end after it starts"):
            aggregate(conn, AggregateQuery(now, now - 1))
        with pytest.raises(ValidationError, match="at least an hour"):
            aggregate(conn, AggregateQuery(now - 3599, now))
        rows = aggregate(conn, AggregateQuery(now - 86400, now + 1, cameras=("CAM-LV-S", "CAM-CC-E")))
        assert [(r.camera_id, r.reads) for r in rows] == [("CAM-LV-S", 1), ("CAM-CC-E", 1)]


def test_aggregate_counts_under_the_threshold_and_short_periods_single_out_no_one(
        ws, people, clock, tmp_path, form):
    """Counts under the profile's threshold (5) read "fewer than 5", totals give only the range
    the rows allow, and a period under an hour is refused before anything is written."""
    from tests.conftest import insert_reads
    now = int(clock())
    # CAM-LV-N: 12 reads of 6 plates; CAM-LV-S: 3 reads of one plate; CAM-CC-E: 5; CAM-MP-W: none
    insert_reads(ws, [(900 + i, f"7ABC{i % 6:03d}", now - 60 * (i + 1), "CAM-LV-N", 0.9) for i in range(12)]
                 + [(950 + i, "8XYZ999", now - 90 * (i + 1), "CAM-LV-S", 0.9) for i in range(3)]
                 + [(970 + i, f"5SAM{i:03d}", now - 70 * (i + 1), "CAM-CC-E", 0.9) for i in range(5)])
    admin = people.admin()
    clerk = people.user("cclerk", "custodian")
    req = ws.evidence.request_release(clerk, form(agency_name="Calabasas Public Works", agency_type="public_agency",
                                                  purpose="Traffic study", read_ids=()))
    ws.evidence.decide_release(admin, req.id, True, "Counts only, per policy")
    assert ws.profile.aggregate_min_count == 5
    drive = tmp_path / "drive"
    drive.mkdir()
    with pytest.raises(ValidationError, match="at least an hour"):
        run(ws.evidence.export_aggregate(admin, req.id, AggregateQuery(now - 1800, now), drive, "x"))
    assert list(drive.iterdir()) == []
    res = run(ws.evidence.export_aggregate(admin, req.id, AggregateQuery(now - 7200, now + 1), drive,
                                           "Traffic counts, two hours"))
    rows = {r["camera_id"]: r for r in csv.DictReader(io.StringIO((res.path / "aggregate.csv").read_text()))}
    assert (rows["CAM-LV-N"]["reads"], rows["CAM-LV-N"]["distinct_plates"]) == ("12", "6")
    assert (rows["CAM-LV-S"]["reads"], rows["CAM-LV-S"]["distinct_plates"]) == ("fewer than 5", "fewer than 5")
    assert (rows["CAM-CC-E"]["reads"], rows["CAM-CC-E"]["distinct_plates"]) == ("5", "5")
    assert rows["CAM-MP-W"]["reads"] == "fewer than 5"
    assert {r["hits_all_offenses"] for r in rows.values()} == {"fewer than 5"}
    doc = json.loads((res.path / "aggregate.json").read_text())
    assert doc["totals"] == {"reads": "17 to 25", "hits": "0 to 16"}     # not the 20 and 0 they are
    assert "fewer than 5" in doc["small_counts"]
    assert [r["reads"] for r in doc["rows"] if r["camera_id"] == "CAM-LV-S"] == ["fewer than 5"]
    text = "\n".join(p.extract_text() for p in PdfReader(res.path / "chain-of-custody.pdf").pages)
    assert "17 to 25 reads counted" in text and "20 reads" not in text
    assert ws.evidence.verify(admin, res.path).ok
