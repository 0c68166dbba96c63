"""Breach notice (issue 14, part 6) on the demo city: a lost USB evidence package is recorded,
the log says what it held and who accessed what, the three notices come out as PDFs (read back
with poppler; fonts embedded; no plate in them), their deadlines are tracked and their
completion recorded, and every step is in the access log."""
from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest

from app.engine import timefmt
from app.engine.errors import NotFound, ValidationError
from app.engine.evidence import ExportRequest, run
from app.engine.oversight.breach import IncidentForm
from app.engine.search import SearchQuery
from app.engine.workstation import Workstation
from app.server.demo_setup import setup
from tests.conftest import Clock, People
from tests.pdf_checks import pdffonts, structure_tags

NOON_PACIFIC = 1795723200          # 2026-11-26 12:00 PST: the demo's traffic follows the hour
DAY = 86400
HEADINGS = ("What Happened", "What Information Was Involved", "What We Are Doing", "What You Can Do",
            "For More Information")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    setup(folder / "store", days=1, reads_per_day=40, now=NOON_PACIFIC, ocr=False)
    return folder / "store"


@pytest.fixture
def lost(demo, tmp_path):
    """The demo store (a copy), the designee, and a package a deputy exported to a USB stick."""
    import shutil
    shutil.copytree(demo, tmp_path / "store")
    clock = Clock(NOON_PACIFIC + 600)
    ws = Workstation.open(tmp_path / "store", clock)
    people = People(ws, clock)
    designee = people.login("alex.morgan", "Calabasas-Demo-Plates-2026!")
    deputy = people.login("dana.kim", "Calabasas-Demo-Plates-2026!")
    ws.set_purpose(deputy, "STOLEN-VEH", "LHS-2026-004512")
    ids = [r.id for r in ws.search(deputy, SearchQuery(start=NOON_PACIFIC - 3 * 3600, end=NOON_PACIFIC,
                                                       cameras=("LV-101-N",))).rows][:6]
    stick = tmp_path / "usb"
    stick.mkdir()
    package = run(ws.evidence.export(deputy, ExportRequest(ids, stick, "Stolen vehicle sightings"))).path
    yield ws, clock, designee, ids, package.name
    ws.close()


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _actions(ws) -> list[str]:
    return [a for (a,) in ws.store.query("SELECT action FROM access_log WHERE action LIKE 'breach%' "
                                         "ORDER BY seq")]


def test_a_lost_package_gives_the_three_notices_with_deadlines_and_completion(lost, tmp_path):
    ws, clock, designee, ids, package = lost
    clock.advance(60)                                   # found a minute after the export
    found = int(clock())
    with pytest.raises(NotFound, match="No export in the access log names a package"):
        ws.breach.record(designee, IncidentForm("x", found, found - DAY, found, "package", "ALPR-NOPE"))
    inc = ws.breach.record(designee, IncidentForm(
        "A USB drive holding an evidence package was lost in transit to the property room.",
        found, found - DAY, found, "package", package))
    notices = ws.breach.notices(designee, inc.id)
    assert [n.kind for n in notices] == ["website", "statewide_media", "office_of_information_security"]
    assert {n.due_at for n in notices} == {found + 15 * DAY}               # the profile's deadline

    a = ws.breach.assess(designee, inc.id)
    assert a.held.reads == len(ids) and a.held.read_ids == tuple(sorted(ids))
    assert a.held.cameras == ("LV-101-N",) and len(a.held.export_entries) == 2   # started, done
    people = {(x.username, x.action) for x in a.accesses}
    assert {("dana.kim", "search"), ("dana.kim", "export")} <= people

    files = ws.breach.produce(designee, inc.id, tmp_path / "notices")
    assert [f.name for f in files] == [f"breach-{inc.id}-website.pdf", f"breach-{inc.id}-statewide-media.pdf",
                                       f"breach-{inc.id}-office-of-information-security.pdf"]
    plates = [p for (p,) in ws.store.query("SELECT plate FROM reads WHERE id IN (%s)" % ",".join(map(str, ids)))]
    for f in files:
        text = _text(f)
        flat = " ".join(text.split())
        assert all(h in flat for h in HEADINGS), f.name
        assert "Notice of Data Breach" in flat and f"{len(ids)} records" in flat and "City of Calabasas" in flat
        assert not any(p in text for p in plates), f.name                   # counts only, no plate
        assert all(row.embedded for row in pdffonts(f)) and {r.name.split("+")[-1] for r in pdffonts(f)} >= {"DejaVuSans"}
        assert "H1" in structure_tags(f) and "H2" in structure_tags(f)
    assert "at least 30 days" in " ".join(_text(files[0]).split())
    letter = " ".join(_text(files[2]).split())
    assert "Office of Information Security" in letter and "dana.kim" in letter and "export" in letter
    assert "dana.kim" not in _text(files[0]) and "dana.kim" not in _text(files[1])

    tz = timefmt.zone(ws.profile.time_zone)
    today = timefmt.today(clock(), tz)
    web, media, ois = ws.breach.notices(designee, inc.id)
    assert web.state(clock(), tz).startswith(f"due by {(today + timedelta(days=15)).isoformat()}")
    assert media.state(clock() + 16 * DAY, tz).startswith("OVERDUE since")   # past its deadline
    posted = today + timedelta(days=2)
    web = ws.breach.complete(designee, web.id, posted.isoformat())
    assert web.keep_until == (posted + timedelta(days=30)).isoformat()
    ws.breach.complete(designee, media.id, posted.isoformat())
    ws.breach.complete(designee, ois.id, posted.isoformat())
    with pytest.raises(ValidationError, match="already recorded as done"):
        ws.breach.complete(designee, ois.id, posted.isoformat())
    with pytest.raises(ValidationError, match="at least 30 days"):
        ws.breach.take_down(designee, web.id, (posted + timedelta(days=29)).isoformat())
    web = ws.breach.take_down(designee, web.id, (posted + timedelta(days=30)).isoformat())
    assert web.state(clock(), tz) == (f"posted {posted.isoformat()}, taken down "
                                      f"{(posted + timedelta(days=30)).isoformat()}")
    assert [n.state(clock(), tz) for n in ws.breach.notices(designee, inc.id)][1:] == \
        [f"sent {posted.isoformat()}"] * 2
    assert _actions(ws) == ["breach_record", "breach_assess", "breach_assess", "breach_notice",
                            "breach_notice", "breach_notice", "breach_notice_done", "breach_notice_done",
                            "breach_notice_done", "breach_notice_removed"]
    assert ws.audit_verify(designee).ok


def test_a_breach_of_the_store_lists_the_reads_it_held_in_the_window(lost):
    ws, clock, designee, _ids, _package = lost
    found = int(clock())
    inc = ws.breach.record(designee, IncidentForm("The workstation was stolen from the office.", found,
                                                  found - 6 * 3600, found, "store"))
    assert inc.medium == ws.store.store_id
    a = ws.breach.assess(designee, inc.id)
    expected = ws.store.query_one("SELECT count(*) FROM reads WHERE read_at < ? AND read_at >= ?",
                                  (found, found - 6 * 3600 - ws.profile.retention_days * DAY))[0]
    assert a.held.reads == expected > 0 and a.held.export_entries == ()
    with pytest.raises(ValidationError, match="future"):
        ws.breach.record(designee, IncidentForm("x", found + DAY, found - DAY, found, "store"))
    assert date.fromisoformat(ws.breach.complete(designee, ws.breach.notices(designee, inc.id)[1].id,
                                                 "2026-11-27").done_on) == date(2026, 11, 27)
