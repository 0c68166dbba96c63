"""The audit cycle around the rules: the schedule, the reproducible sample, findings, sign-off
and approval as chain entries, a tampered record found, supervisors limited to their staff,
and the PDF and CSV reports (issue 14)."""
from __future__ import annotations

import csv
import json
import subprocess

import pytest

from app.engine.errors import NotFound, PermissionDenied, ValidationError
from app.engine.oversight import records
from app.engine.workstation import AuditFilter
from tests.conftest import Clock, People
from tests.review_log import NOW, at, innocent_month, search, staff


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def month(ws, people):
    """An October with one flag (a search without a plate) and 13 entries to sample."""
    dep = staff(people, "ddeputy")
    innocent_month(ws, dep.actor)
    search(ws, at(10, 19, 10), dep.actor, None, cameras=["CAM-LV-N"])
    return dep


def _finish(ws, s, review) -> None:
    for i in review.items:
        ws.reviews.record_finding(s, review.review.id, i.item, "confirmed" if i.rule == "sample" else "explained",
                                  "" if i.rule == "sample" else "Camera canvass for the burglary on Oct 19.")


def test_the_schedule_says_which_reviews_are_due(ws, people, month):
    auditor = people.user("aaud", "auditor", purpose=False)
    due = ws.reviews.due(auditor)
    assert [d.period.label for d in due] == ["October 2026", "September 2026", "August 2026", "July 2026"]
    assert due[0].sentence() == "A review of October 2026 is due."
    review = ws.reviews.run(auditor, due[0].period)
    assert ws.reviews.due(auditor)[0].sentence() == (f"The review of October 2026 (#{review.review.id}) "
                                                    "is open: findings to record.")
    with pytest.raises(ValidationError, match="has not ended"):
        ws.reviews.run(auditor, ws.reviews.period("2026-11"))
    with pytest.raises(ValidationError, match="YYYY-MM"):
        ws.reviews.period("October")


def test_the_sample_is_reproducible_and_recorded(ws, people, month):
    auditor = people.user("aaud", "auditor", purpose=False)
    review = ws.reviews.run(auditor, ws.reviews.period("2026-10"))
    sampled = sorted(s for i in review.items if i.rule == "sample" for s in i.seqs)
    population = [r[0] for r in ws.store.query(
        "SELECT seq FROM access_log WHERE case_number IS NOT NULL AND ts >= '2026-10-01T07' "
        "AND ts < '2026-11-01T07' AND seq <= ?", (review.review.through_seq,))]
    assert records.draw_sample(population, review.review.sample_seed, 20) == sampled
    assert len(sampled) == 14                        # fewer than the profile's 20: all of them
    small = records.draw_sample(population, review.review.sample_seed, 5)
    assert small == records.draw_sample(population, review.review.sample_seed, 5) and len(small) == 5
    start = ws.store.query_one("SELECT action, detail FROM access_log WHERE seq = ?", (review.review.start_seq,))
    assert start[0] == "audit_review_start" and json.loads(start[1])["seed"] == review.review.sample_seed
    assert ws.reviews.check(auditor, review.review.id) == []
    ws.store.execute("UPDATE audit_review_items SET seqs = '[1]' WHERE review_id = ? AND rule = 'sample' "
                     "AND item = (SELECT max(item) FROM audit_review_items)", (review.review.id,))
    assert ws.reviews.check(auditor, review.review.id) == [
        "The sample on record is not the one its seed draws from the log."]


def test_findings_sign_off_and_approval_are_chain_entries(ws, people, month):
    auditor = people.user("aaud", "auditor", purpose=False)
    admin = people.admin()
    review = ws.reviews.run(auditor, ws.reviews.period("2026-10"))
    rid = review.review.id
    flag = next(i for i in review.items if i.rule == "plateless")
    with pytest.raises(ValidationError, match="needs a note"):
        ws.reviews.record_finding(auditor, rid, flag.item, "explained", " ")
    with pytest.raises(ValidationError, match="not a finding"):
        ws.reviews.record_finding(auditor, rid, flag.item, "fine", "x")
    with pytest.raises(NotFound, match="no item 999"):
        ws.reviews.record_finding(auditor, rid, 999, "explained", "x")
    with pytest.raises(ValidationError, match="every item"):
        ws.reviews.sign_off(auditor, rid)
    with pytest.raises(PermissionDenied, match="Only the reviewer"):
        ws.reviews.record_finding(admin, rid, flag.item, "misuse", "x")
    _finish(ws, auditor, review)
    with pytest.raises(ValidationError, match="only a signed-off review"):
        ws.reviews.approve(admin, rid)
    signed = ws.reviews.sign_off(auditor, rid, "All explained.")
    with pytest.raises(ValidationError, match="no longer change"):
        ws.reviews.record_finding(auditor, rid, flag.item, "misuse", "changed my mind")
    with pytest.raises(PermissionDenied, match="not authorised to audit approve"):
        ws.reviews.approve(auditor, rid)              # in Calabasas the designee approves
    approved = ws.reviews.approve(admin, rid, "Reviewed with the reviewer.")
    assert (signed.status, approved.status, approved.approver) == ("signed", "approved", "amanager")
    actions = [a for (a,) in ws.store.query("SELECT action FROM access_log WHERE seq >= ? ORDER BY seq",
                                            (review.review.start_seq,))]
    assert actions[0] == "audit_review_start" and actions.count("audit_finding") == len(review.items) + 0
    assert {"audit_signoff", "audit_approve"} <= set(actions)
    found = ws.audit_search(auditor, AuditFilter(action="audit_signoff"))
    assert found.sentence(found.entries[0]).startswith(f"aaud (auditor) signed off review #{rid} of October 2026: ")
    approve = ws.audit_search(auditor, AuditFilter(action="audit_approve"))
    assert "amanager (administrator) approved review" in approve.sentence(approve.entries[0])
    assert ws.audit_verify(auditor).ok and ws.reviews.check(auditor, rid) == []
    assert ws.reviews.due(auditor)[0].status == "approved"


def test_a_tampered_sign_off_is_detected(ws, people, month):
    auditor = people.user("aaud", "auditor", purpose=False)
    review = ws.reviews.run(auditor, ws.reviews.period("2026-10"))
    _finish(ws, auditor, review)
    signed = ws.reviews.sign_off(auditor, review.review.id)
    ws.store.execute("UPDATE audit_review_items SET outcome = 'confirmed', note = '' WHERE review_id = ? "
                     "AND rule = 'plateless'", (review.review.id,))             # the record softened
    problems = ws.reviews.check(auditor, review.review.id)
    assert any("does not match its entry" in p for p in problems)
    assert any("differ from what sign-off entry" in p for p in problems)
    ws.store.execute("UPDATE access_log SET detail = replace(detail, 'explained', 'confirmed') WHERE seq = ?",
                     (signed.signoff_seq,))                                   # the entry itself changed
    report = ws.audit_verify(auditor)
    assert not report.ok and f"entry {signed.signoff_seq} was modified" in report.summary()


def test_the_approver_must_differ_from_the_reviewer(ws, people, month):
    admin = people.admin()
    review = ws.reviews.run(admin, ws.reviews.period("2026-10"))
    _finish(ws, admin, review)
    ws.reviews.sign_off(admin, review.review.id)
    with pytest.raises(PermissionDenied, match="someone other than the reviewer"):
        ws.reviews.approve(admin, review.review.id)
    last = ws.store.query_one("SELECT action, detail FROM access_log ORDER BY seq DESC LIMIT 1")
    assert last[0] == "denied" and "other than the reviewer" in last[1]


def test_a_role_without_the_grant_is_refused_and_logged(ws, people, month):
    deputy = people.user("dother", "deputy")
    for call in (lambda: ws.reviews.run(deputy, ws.reviews.period("2026-10")),
                 lambda: ws.reviews.reviews(deputy), lambda: ws.reviews.due(deputy)):
        with pytest.raises(PermissionDenied):
            call()
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'denied' "
                              "AND username = 'dother'")[0] == 3


# -- supervisors see only their own staff (LA Metro policy section 6) ----------------------------
@pytest.fixture
def metro(make_ws, clock):
    ws = make_ws("lametro-parking")
    people = People(ws, clock)
    teams = {"sup1": ["officer1", "officer2"], "sup2": ["officer3"]}
    admin = people.admin()
    for sup, officers in teams.items():
        people.user(sup, "supervisor", purpose=False)
        for name in officers:
            who = staff(people, name, "enforcement").actor
            ws.reviews.set_supervisor(admin, name, sup)
            for day in range(3, 9):
                search(ws, at(10, day, 10), who, None, case="CIT-12345678", purpose="PARKING-ORD",
                       sites=[f"Lot {name}"])
    return ws, people


def test_a_supervisor_sees_only_their_staff_through_every_call(metro, tmp_path):
    ws, people = metro
    sup1, sup2 = people.login("sup1"), people.login("sup2")
    mine = ws.reviews.run(sup1, ws.reviews.period("2026-10"))
    theirs = ws.reviews.run(sup2, ws.reviews.period("2026-10"))
    auditor = people.user("aaud", "auditor", purpose=False)
    everyone = ws.reviews.run(auditor, ws.reviews.period("2026-10"))

    def users(detail) -> set[str]:
        return {u for i in detail.items for u in i.users} | {e.username for e in detail.entries.values()}
    assert users(mine) == {"officer1", "officer2"} and users(theirs) == {"officer3"}
    assert {"officer1", "officer2", "officer3"} <= users(everyone)
    assert ws.reviews.staff(sup1) == ["officer1", "officer2"]
    assert {r.id for r in ws.reviews.reviews(sup1)} == {mine.review.id}
    assert [d.review_id for d in ws.reviews.due(sup1)][:1] == [mine.review.id]
    for other in (theirs.review.id, everyone.review.id):      # every call that returns entries
        for call in (lambda r=other: ws.reviews.open(sup1, r), lambda r=other: ws.reviews.check(sup1, r),
                     lambda r=other: ws.reviews.report(sup1, r, tmp_path / "r.csv"),
                     lambda r=other: ws.reviews.record_finding(sup1, r, 1, "misuse", "x"),
                     lambda r=other: ws.reviews.sign_off(sup1, r)):
            with pytest.raises(PermissionDenied, match="not a review of your staff"):
                call()
    assert not (tmp_path / "r.csv").exists()
    for call in (lambda: ws.audit_search(sup1), lambda: ws.audit_entries(sup1),
                 lambda: ws.audit_export(sup1, tmp_path / "log.csv"), lambda: ws.audit_verify(sup1),
                 lambda: ws.sync.alerts(sup1), lambda: ws.reviews.approve(sup1, theirs.review.id)):
        with pytest.raises(PermissionDenied):
            call()
    ws.reviews.set_supervisor(people.admin(), "officer2", "sup2")       # moved to the other team
    assert users(ws.reviews.open(sup1, mine.review.id)) >= {"officer1"}
    assert not any(e.username == "officer2" for e in ws.reviews.open(sup1, mine.review.id).entries.values())
    again = ws.reviews.run(sup1, ws.reviews.period("2026-10"))
    assert users(again) == {"officer1"}


def test_supervisors_are_named_by_an_administrator_with_checks(metro):
    ws, people = metro
    admin = people.admin()
    with pytest.raises(ValidationError, match="cannot review staff"):
        ws.reviews.set_supervisor(admin, "officer1", "officer3")
    with pytest.raises(ValidationError, match="supervises themselves"):
        ws.reviews.set_supervisor(admin, "sup1", "sup1")
    ws.reviews.set_supervisor(admin, "sup2", "sup1")
    with pytest.raises(ValidationError, match="circle"):
        ws.reviews.set_supervisor(admin, "sup1", "sup2")
    ws.reviews.set_supervisor(admin, "sup2", None)
    with pytest.raises(NotFound):
        ws.reviews.set_supervisor(admin, "nobody", "sup1")
    with pytest.raises(PermissionDenied):
        ws.reviews.set_supervisor(people.login("sup1"), "officer1", None)
    ws.reviews.set_supervisor(admin, "officer1", None)
    assert ws.reviews.staff(people.login("sup1")) == ["officer2"]
    found = ws.audit_search(people.login("amanager"), AuditFilter(action="user_supervisor"))
    assert found.sentence(found.entries[-1]) == \
        "amanager (administrator) recorded that officer1 has no supervisor."


# -- the report ---------------------------------------------------------------------------------
def test_the_pdf_and_csv_carry_the_chain_head_and_are_logged_first(ws, people, month, tmp_path):
    from pypdf import PdfReader

    from app.engine.anchors import anchor_of
    auditor = people.user("aaud", "auditor", purpose=False)
    review = ws.reviews.run(auditor, ws.reviews.period("2026-10"))
    _finish(ws, auditor, review)
    ws.reviews.sign_off(auditor, review.review.id, "All explained.")
    ws.reviews.approve(people.admin(), review.review.id, "Agreed.")
    head = ws.log_anchor()
    pdf = ws.reviews.report(auditor, review.review.id, tmp_path / "october.pdf")
    logged = ws.store.query_one("SELECT action, detail FROM access_log WHERE seq = ?", (head[0] + 1,))
    assert logged[0] == "audit_review_report" and json.loads(logged[1])["path"] == str(pdf)
    assert anchor_of(pdf) == head
    assert ws.audit_check_anchor(auditor, pdf)[2]
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    for words in ("review of the ALPR access log", "October 2026", "Searches without a plate",
                  "ran 1 search by camera or site alone", "Camera canvass for the burglary", "approved"):
        assert words in " ".join(text.split()), words
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("DejaVu" in r[0] for r in rows)
    assert all(r[-5] == "yes" for r in rows)                       # emb
    head = ws.log_anchor()
    csv_path = ws.reviews.report(auditor, review.review.id, tmp_path / "october.csv")
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows_csv = list(csv.DictReader(fh))
    assert len(rows_csv) == len(review.items)
    assert {r["log_anchor"] for r in rows_csv} == {f"alpr-log-anchor:{head[0]}:{head[1]}"}
    assert rows_csv[0]["outcome"] and rows_csv[0]["status"] == "approved"
    with pytest.raises(ValidationError, match=".pdf or a .csv"):
        ws.reviews.report(auditor, review.review.id, tmp_path / "october.txt")
