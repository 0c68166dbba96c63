"""Attacks on the release rules (issue 11, point 6): approving one's own request, releasing
reads the request does not describe, and using one approved request for more than one release."""
from __future__ import annotations

import json
from importlib import resources

import pytest
import sqlcipher3

from app.engine.errors import ReleaseRefused
from app.engine.evidence import AggregateQuery, ExportRequest, ReleaseRequestForm, release, run
from tests.evidence_data import add_reads_with_images, agency

VCSO = dict(who=("Ventura County Sheriff's Office", "law_enforcement"),
            requester="Det. R. Alvarez", purpose="Robbery investigation", description="See scope",
            case_number="VCSO-26-118", received_on="2026-11-20")
WORKS = dict(VCSO, who=("Calabasas Public Works", "public_agency"), purpose="Traffic study")


def request_form(ws, designee, who: tuple[str, str], **form) -> ReleaseRequestForm:
    """The written request of ``who`` (name, type), an entry of the register."""
    return ReleaseRequestForm(agency_id=agency(ws, designee, *who), **form)


@pytest.fixture
def reads(ws, clock):
    """Reads 300..303: plates 1ABC000..4ABC003, taken 1, 2, 3 and 4 minutes ago at cameras
    CAM-LV-N, CAM-LV-S, CAM-CC-E and CAM-MP-W."""
    return add_reads_with_images(ws, 4, 300, int(clock()))


@pytest.fixture
def staff(ws, people):
    """The clerk who enters requests, the designee who decides, and the deputy who exports."""
    return people.user("cclerk", "custodian"), people.admin(), people.user("dsmith", "deputy")


@pytest.fixture
def target(tmp_path):
    """The drive the packages go to (the store lives elsewhere in tmp_path)."""
    (tmp_path / "drive").mkdir()
    return tmp_path / "drive"


def approved(ws, staff, **form) -> int:
    clerk, designee, _ = staff
    req = ws.evidence.request_release(clerk, request_form(ws, designee, **form))
    return ws.evidence.decide_release(designee, req.id, True, "MOU on file").id


def denials(ws) -> list[dict]:
    return [json.loads(d) for (d,) in ws.store.query(
        "SELECT detail FROM access_log WHERE action = 'denied' ORDER BY seq")]


def status(ws, request_id: int) -> str:
    return ws.store.query_one("SELECT status FROM release_requests WHERE id = ?", (request_id,))[0]


def test_the_person_who_entered_a_request_cannot_approve_it(ws, people, clock, reads):
    designee = people.admin()
    now = int(clock())
    req = ws.evidence.request_release(designee, request_form(ws, designee, **VCSO, read_ids=(300,),
                                                             start=now - 3600, end=now))
    with pytest.raises(ReleaseRefused, match=f"You entered release request #{req.id} yourself, so you "
                                             "may not approve it"):
        ws.evidence.decide_release(designee, req.id, True, "Looks fine to me")
    assert denials(ws)[-1] == {"action": "release_approve", "request_id": req.id,
                               "reason": denials(ws)[-1]["reason"]}
    assert "yourself" in denials(ws)[-1]["reason"] and status(ws, req.id) == "pending"
    second = people.user("bdesignee", "administrator")        # another designee decides it
    decided = ws.evidence.decide_release(second, req.id, True, "MOU on file")
    assert (decided.status, decided.entered_by, decided.decided_by) == ("approved", "amanager", "bdesignee")


@pytest.mark.parametrize("scope, exported, why", [
    (dict(read_ids=(300,)), [300, 301], "Read #301 is neither one of the reads nor of the plates"),
    (dict(plates=("1ABC000",)), [300, 302], "Read #302 is neither one of the reads nor of the plates"),
    (dict(read_ids=(300, 301), camera_ids=("CAM-LV-N",)), [300, 301], "Read #301 is from camera CAM-LV-S"),
    (dict(read_ids=(300, 301), start_ago=90), [300, 301], "Read #301 was taken at"),
])
def test_a_read_outside_the_requests_scope_is_refused(ws, staff, clock, reads, target, scope, exported, why):
    now = int(clock())
    start = now - scope.pop("start_ago", 3600)
    rid = approved(ws, staff, **VCSO, **scope, start=start, end=now)
    deputy = staff[2]
    with pytest.raises(ReleaseRefused, match=f"{why}.*outside the scope of release request #{rid}"):
        run(ws.evidence.export(deputy, ExportRequest(exported, target, "For VCSO", release_request_id=rid)))
    assert denials(ws)[-1]["action"] == "export" and denials(ws)[-1]["release_request"] == rid
    assert list(target.iterdir()) == [] and status(ws, rid) == "approved"
    assert ws.store.query_one("SELECT count(*) FROM holds")[0] == 0
    res = run(ws.evidence.export(deputy, ExportRequest([300], target, "For VCSO", release_request_id=rid)))
    assert res.read_ids == [300]                                 # what the request does cover goes


def test_a_request_is_used_up_by_its_release(ws, staff, clock, reads, target):
    now = int(clock())
    rid = approved(ws, staff, **VCSO, plates=("1ABC000", "2ABC001"), start=now - 3600, end=now)
    deputy = staff[2]
    first = run(ws.evidence.export(deputy, ExportRequest([300, 301], target, "For VCSO",
                                                         release_request_id=rid)))
    used = ws.evidence.list_releases(staff[1], "released")
    assert [(r.id, r.released_by, r.released_package, r.released_at) for r in used] == \
        [(rid, "dsmith", first.path.name, now)]
    for again in ([300, 301], [300]):                             # the same reads, or fewer
        with pytest.raises(ReleaseRefused, match=f"#{rid} was already used for {first.path.name}"):
            run(ws.evidence.export(deputy, ExportRequest(again, target, "Again", release_request_id=rid)))
    assert [d["action"] for d in denials(ws)] == ["export", "export"]
    assert [p.name for p in target.iterdir()] == [first.path.name]
    export = ws.store.query_one("SELECT detail FROM access_log WHERE action = 'export'")[0]
    assert json.loads(export)["release_request"] == rid


def test_an_aggregate_outside_the_requests_period_or_place_is_refused(ws, staff, clock, reads, target):
    now = int(clock())
    end = now + 3450                                   # an aggregate covers at least an hour
    rid = approved(ws, staff, **WORKS, start=now - 150, end=end, camera_ids=("CAM-LV-N", "CAM-LV-S"))
    clerk = staff[0]
    for q, why in ((AggregateQuery(now - 86400, now), "The period .* is not inside the request's period"),
                   (AggregateQuery(now - 150, end + 60), "is not inside the request's period"),
                   (AggregateQuery(now - 150, end, cameras=("CAM-CC-E",)), "Camera CAM-CC-E is not named")):
        with pytest.raises(ReleaseRefused, match=f"{why}.*outside the scope of release request #{rid}"):
            run(ws.evidence.export_aggregate(clerk, rid, q, target, "Counts"))
        assert denials(ws)[-1]["action"] == "release_aggregate"
    assert list(target.iterdir()) == [] and status(ws, rid) == "approved"
    res = run(ws.evidence.export_aggregate(clerk, rid, AggregateQuery(now - 150, end), target, "Counts"))
    rows = json.loads((res.path / "aggregate.json").read_text())["rows"]
    # only the request's cameras are counted (one read each, so shown as under the threshold)
    assert [(r["camera_id"], r["reads"]) for r in rows] == [("CAM-LV-N", "fewer than 5"),
                                                            ("CAM-LV-S", "fewer than 5")]
    assert status(ws, rid) == "released"
    with pytest.raises(ReleaseRefused, match="already used"):
        run(ws.evidence.export_aggregate(clerk, rid, AggregateQuery(now - 150, end), target, "Again"))


def test_a_request_for_plates_cannot_be_turned_into_counts(ws, staff, clock, reads, target):
    now = int(clock())
    rid = approved(ws, staff, **VCSO, plates=("1ABC000",), start=now - 3600, end=now)
    with pytest.raises(ReleaseRefused, match="counts every plate by place and period"):
        run(ws.evidence.export_aggregate(staff[0], rid, AggregateQuery(now - 3600, now), target, "Counts"))


def test_requests_from_before_scopes_release_nothing():
    """The migration keeps old requests, but without a scope nothing can be released on them."""
    sql = {m.name: m.read_text(encoding="utf-8") for m in resources.files("app.engine.migrations").iterdir()
           if m.name.endswith(".sql")}
    conn = sqlcipher3.connect(":memory:")             # the engine the migrations run on
    for statement in sql["0001_initial.sql"].split(";\n"):
        conn.execute(statement) if statement.strip() else None
    conn.execute("INSERT INTO release_requests(agency, agency_type, requester, purpose, description, "
                 "case_number, received_on, entered_by, entered_at, status, decided_by, decided_at, "
                 "decision_note) VALUES ('VCSO', 'law_enforcement', 'Det. A', 'Robbery', 'Any reads', "
                 "'VCSO-1', '2026-11-20', 'cclerk', 1, 'approved', 'amanager', 2, 'ok')")
    for name in sorted(sql)[1:]:                      # 0004 gave scopes, 0008 the agency register
        for statement in sql[name].split(";\n"):
            conn.execute(statement) if statement.strip() else None
    old = release.get(conn, 1)
    assert (old.agency, old.status, old.decided_by, old.has_scope) == ("VCSO", "approved", "amanager", False)
    from app.engine.oversight import agencies
    entry = agencies.get(conn, old.agency_id)         # its agency became an entry to complete
    assert (entry.name, entry.agency_type, entry.level, entry.state) == ("VCSO", "law_enforcement", None, None)
    with pytest.raises(ReleaseRefused, match="level of government and state are not recorded"):
        agencies.usable(conn, entry.id)
    from app.engine.policy import load_profile
    with pytest.raises(ReleaseRefused, match="no scope on file"):
        release.approved(conn, load_profile("calabasas"), 1, release.FULL)
