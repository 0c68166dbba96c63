"""Cases: opened under the profile's case format, seen only by their members, gathering the
work done under their number, printed as a tagged PDF with embedded fonts, and closed for good."""
from __future__ import annotations

import json

import pytest
from pypdf import PdfReader

from app.engine.errors import NotFound, PermissionDenied, PurposeRequired, ValidationError
from app.engine.search import SearchQuery
from tests.pdf_checks import pdffonts, structure_tags

CASE = "LHS-2026-004777"


@pytest.fixture
def team(ws, people, seeded):
    """A deputy who owns a case, a colleague in it, and a deputy outside it."""
    owner = people.user("dana.kim", "deputy", purpose=False)
    member = people.user("lee.park", "deputy", purpose=False)
    outsider = people.user("max.ortiz", "deputy", purpose=False)
    ws.cases.open(owner, CASE.lower(), "STOLEN-VEH", "Stolen Honda, Agoura Rd", ("lee.park",))
    return owner, member, outsider


def test_a_case_gathers_searches_notes_bookmarks_and_holds(ws, team):
    owner, member, _ = team
    ws.set_purpose(member, "STOLEN-VEH", CASE)
    page = ws.search(member, SearchQuery(plate="7ABC123"))
    ws.cases.bookmark(member, CASE, page.rows[0].id, "At the trailhead")
    ws.cases.note(owner, CASE, "Owner says the car was taken overnight.")
    ws.place_hold(owner, CASE, "evidence", "Sightings of the stolen car", [1, 2])
    view = ws.cases.show(owner, CASE)
    assert view.case.members == ("dana.kim", "lee.park") and view.case.owner == "dana.kim"
    assert [b.read_id for b in view.bookmarks] == [page.rows[0].id] and view.bookmarks[0].read.plate == "7ABC123"
    assert [n.text for n in view.notes] == ["Owner says the car was taken overnight."]
    assert [(h.kind, h.reads) for h in view.holds] == [("evidence", 2)]
    actions = [e.action for e in view.work]
    assert {"case_open", "search", "case_bookmark", "case_note", "hold_place", "purpose_set"} <= set(actions)
    # The case view is itself a logged access naming the bookmarked read.
    [(q, ids)] = ws.store.query("SELECT query, result_ids FROM access_log WHERE action = 'case_view'")
    assert json.loads(q) == {"case_number": CASE} and json.loads(ids) == [page.rows[0].id]


def test_a_non_member_cannot_see_use_or_list_a_case(ws, team):
    owner, _, outsider = team
    with pytest.raises(PermissionDenied, match="not a member"):
        ws.cases.show(outsider, CASE)
    with pytest.raises(PermissionDenied, match="not a member"):
        ws.set_purpose(outsider, "STOLEN-VEH", CASE)
    assert ws.cases.mine(outsider) == [] and [c.number for c in ws.cases.mine(owner)] == [CASE]
    denied = ws.store.query("SELECT username FROM access_log WHERE action = 'denied'")
    assert denied == [("max.ortiz",), ("max.ortiz",)]
    ws.cases.add_member(owner, CASE, "max.ortiz")
    assert ws.cases.show(outsider, CASE).case.members == ("dana.kim", "lee.park", "max.ortiz")


def test_a_closed_case_refuses_a_search(ws, team):
    owner, member, _ = team
    ws.set_purpose(member, "STOLEN-VEH", CASE)
    ws.search(member, SearchQuery(plate="7ABC123"))
    with pytest.raises(PermissionDenied, match="Only the owner"):
        ws.cases.close(member, CASE, "done")
    ws.cases.close(owner, CASE, "Vehicle recovered, suspect arrested.")
    with pytest.raises(PurposeRequired, match="was closed"):
        ws.search(member, SearchQuery(plate="7ABC123"))          # declared before: the guard refuses
    with pytest.raises(PurposeRequired, match="is closed"):
        ws.set_purpose(member, "STOLEN-VEH", CASE)
    with pytest.raises(ValidationError, match="is closed"):
        ws.cases.note(owner, CASE, "late note")
    assert ws.cases.mine(owner) == [] and ws.cases.mine(owner, include_closed=True)[0].status == "closed"
    assert ws.cases.show(owner, CASE).case.close_reason == "Vehicle recovered, suspect arrested."


def test_case_number_purpose_and_title_are_checked_in_one_sentence(ws, team):
    owner = team[0]
    for args, words in (((CASE, "STOLEN-VEH", "again"), "already exists"),
                        (("42", "STOLEN-VEH", "x"), "format"),
                        (("LHS-2026-004778", "STOLEN-VEH", "  "), "title"),
                        (("LHS-2026-004778", "STOLEN-VEH", "t", ("nobody",)), "No user")):
        with pytest.raises((ValidationError, NotFound, PurposeRequired), match=words):
            ws.cases.open(owner, *args)
    with pytest.raises(ValidationError, match="opened for purpose STOLEN-VEH"):
        ws.set_purpose(owner, "WANTED", CASE)
    ws.set_purpose(owner, "WANTED", "LHS-2026-000001")           # a number that is no case: allowed


def test_case_summary_prints_as_a_tagged_pdf_logged_first(ws, team, tmp_path):
    owner, member, _ = team
    ws.set_purpose(member, "STOLEN-VEH", CASE)
    ws.cases.bookmark(member, CASE, 3, "Look-alike")
    ws.cases.note(owner, CASE, "Canvass of Agoura Rd done.")
    pdf = ws.cases.summary_pdf(owner, CASE, tmp_path / "case.pdf")
    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert f"Case summary: {CASE}" in text and "Canvass of Agoura Rd done." in text and "8XYZ999" in text
    assert all(f.embedded for f in pdffonts(pdf)) and {"H1", "Table", "TH", "TD"} <= set(structure_tags(pdf))
    [(q, case, ids, detail)] = ws.store.query(
        "SELECT query, case_number, result_ids, detail FROM access_log WHERE action = 'print'")
    assert case == CASE and json.loads(ids) == [3] and json.loads(detail)["file"] == "case.pdf"


def test_case_commands(tmp_path, clock):
    """alpr case open|list|show|close|add-member|note|bookmark|pdf, each one logged engine call."""
    from datetime import date, timedelta

    from app.engine.workstation import Workstation
    from tests.conftest import PASSWORD, insert_reads
    from tests.test_cli import alpr
    d = tmp_path / "store"
    ws = Workstation.create(d, "lametro-parking", clock)
    today = date.today()
    for name in ("eve.park", "ray.lim"):
        ws.setup_user(name, name.title(), "enforcement", PASSWORD)
        ws.add_training(None, name, ws.profile.training_course, (today - timedelta(days=3)).isoformat(),
                        (today + timedelta(days=300)).isoformat())
    insert_reads(ws, [(1, "7ABC123", int(clock()) - 60, "CAM-LV-N", 0.9)])
    ws.close()

    def run(user: str, *args: str):
        return alpr(d, "case", *args[:1], "--user", user, "--password-stdin", *args[1:], stdin=PASSWORD + "\n")
    r = run("eve.park", "open", "prk-20260001", "--case-purpose", "PARKING-ORD", "--title", "Meter tampering")
    assert r.returncode == 0 and "Case PRK-20260001 opened" in r.stdout, r.stderr
    assert run("eve.park", "bookmark", "PRK-20260001", "1", "--note", "blue sedan").returncode == 0
    assert run("eve.park", "note", "PRK-20260001", "Called the meter shop.").returncode == 0
    r = run("ray.lim", "show", "PRK-20260001")
    assert r.returncode == 1 and "not a member" in r.stderr and r.stderr.count("\n") == 1
    assert run("eve.park", "add-member", "PRK-20260001", "ray.lim").returncode == 0
    r = run("ray.lim", "show", "PRK-20260001")
    assert r.returncode == 0 and "read 1: 7ABC123" in r.stdout and "Called the meter shop." in r.stdout
    assert "PRK-20260001" in run("ray.lim", "list").stdout
    r = run("eve.park", "pdf", "PRK-20260001", str(tmp_path / "case.pdf"))
    assert r.returncode == 0 and (tmp_path / "case.pdf").stat().st_size > 1000
    assert run("eve.park", "close", "PRK-20260001", "--reason", "Paid in full").returncode == 0
    r = alpr(d, "search", "--user", "ray.lim", "--password-stdin", "--purpose", "PARKING-ORD",
             "--case", "PRK-20260001", "7ABC123", stdin=PASSWORD + "\n")
    assert r.returncode == 1 and "is closed" in r.stderr
