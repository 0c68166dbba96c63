"""The transparency report of the demo city: no plate in it, every figure matches counts made
here from the store and its log, its chain head verifies (from the store and from a CSV export
of the log), and a log changed afterwards fails the check."""
from __future__ import annotations

import json
import re
import subprocess
from collections import Counter

import pytest

from app.engine.errors import PermissionDenied
from app.engine.oversight import transparency
from app.engine.oversight.transparency_verify import load_csv, verify
from app.engine.search import SearchQuery
from app.engine.workstation import Workstation
from app.server.demo_setup import DEMO_PASSWORD, setup
from tests.conftest import Clock, People
from tests.pdf_checks import pdffonts

NOON_PACIFIC = 1795723200      # 2026-11-26 12:00 PST


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    setup(folder / "store", days=2, reads_per_day=80, now=NOON_PACIFIC, ocr=False)
    return folder / "store"


def _use_the_demo(ws, people) -> None:
    """Searches under two purposes, a disposition, a hold, a refusal and a custodian's purge."""
    deputy = people.login("dana.kim", DEMO_PASSWORD)
    ws.set_purpose(deputy, "STOLEN-VEH", "LHS-2026-004512")
    queue = ws.hits.queue(deputy)
    for hit in queue[:3]:
        ws.search(deputy, SearchQuery(plate=hit.plate))
    ws.hits.dispose(deputy, queue[0].id, "confirmed", "stopped and recovered")
    ws.set_purpose(deputy, "WANTED", "LHS-2026-004513")
    ws.search(deputy, SearchQuery(plate=queue[1].plate))
    ws.place_hold(deputy, "LHS-2026-004513", "evidence", "warrant service", [queue[1].read_id])
    with pytest.raises(PermissionDenied):
        ws.audit_verify(deputy)


def _figures(html: bytes) -> dict:
    found = re.search(rb'<script type="application/json" id="alpr-transparency">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1).replace(b"<\\/", b"</"))["figures"]


def test_the_demo_report_holds_no_plate_matches_the_log_and_verifies(demo, tmp_path):
    clock = Clock(NOON_PACIFIC + 3600)
    ws = Workstation.open(demo, clock)
    try:
        people = People(ws, clock)
        _use_the_demo(ws, people)
        custodian = people.login("casey.lee", DEMO_PASSWORD)
        ws.custody.purge(custodian)
        period = transparency.month(2026, 11, ws.custody.tz)
        html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
        written = ws.custody.transparency_report(custodian, period, html)
        ws.custody.transparency_report(custodian, period, pdf)

        # -- no plate anywhere -------------------------------------------------------------
        plates = {p for (p,) in ws.store.query(
            "SELECT plate FROM reads UNION SELECT original_plate FROM reads WHERE original_plate IS NOT NULL "
            "UNION SELECT ocr_plate FROM reads WHERE ocr_plate IS NOT NULL UNION SELECT plate FROM hotlist_entries")}
        assert len(plates) > 100
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        for blob in (html.read_bytes().decode(), pdf.read_bytes().decode("latin-1"), text):
            assert not [p for p in plates if p in blob]
        assert "transparency report" in text and "STOLEN-VEH" in text
        assert pdffonts(pdf) and all(f.embedded for f in pdffonts(pdf))

        # -- every figure, counted here from the log and the store -----------------------------
        figs = _figures(html.read_bytes())
        head = figs["through_seq"]
        assert head == written.through_seq
        start, end = figs["period_start"], figs["period_end"]
        rows = ws.store.query("SELECT action, purpose, detail, result_ids FROM access_log "
                              "WHERE seq <= ? AND ts >= ? AND ts < ?", (head, start, end))
        searches = Counter(p for a, p, _d, _r in rows if a == "search")
        assert figs["log"]["searches_by_purpose"] == {"STOLEN-VEH": 3, "WANTED": 1} == dict(searches)
        assert figs["log"]["dispositions"] == {"confirmed": 1}
        assert figs["log"]["denied"] == sum(1 for a, *_ in rows if a == "denied") == 1
        holds = [json.loads(d) for a, _p, d, _r in rows if a == "hold_place"]
        assert figs["log"]["holds"]["placed"] == len(holds) == 1
        assert figs["log"]["holds"]["reads_placed"] == sum(h["reads"] for h in holds)
        purges = [json.loads(d) for a, _p, d, _r in rows if a == "purge"]
        assert figs["log"]["purges"]["runs"] == len(purges) and figs["log"]["purges"]["certificates"] == 1
        assert figs["log"]["new_hits"] == sum(json.loads(d).get("hits", 0) for a, _p, d, _r in rows if a == "sync")
        assert figs["log"]["accesses"]["search"] == 4
        assert figs["store"]["cameras"] == ws.store.query_one("SELECT count(*) FROM cameras")[0] > 0
        assert figs["store"]["reads_kept"] == ws.store.query_one("SELECT count(*) FROM reads")[0]
        assert figs["store"]["active_holds"] == 1
        by_list: dict = {}
        for name, disposition in ws.store.query(
                "SELECT l.name, h.disposition FROM hits h, hotlist_entries e, hotlists l "
                "WHERE e.id = h.entry_id AND l.id = e.hotlist_id"):
            by_list.setdefault(name, Counter())[disposition or "open"] += 1
        assert figs["store"]["hits"] == {k: dict(v) for k, v in by_list.items()} and by_list

        # -- the report's own entries: logged before the files, naming them ----------------
        entries = ws.store.query("SELECT seq, detail FROM access_log WHERE action = 'transparency_report'")
        assert [json.loads(d)["file"] for _s, d in entries] == ["report.html", "report.pdf"]
        assert all(s > head for s, _d in entries)

        # -- the check: from the store, from a CSV export of the log, and the anchor ---------
        auditor = people.login("avery.shah", DEMO_PASSWORD)
        assert ws.custody.verify_transparency(auditor, html).ok
        assert ws.custody.verify_transparency(auditor, pdf).ok
        assert ws.audit_check_anchor(auditor, pdf)[2]
        log_csv = tmp_path / "log.csv"
        ws.audit_export(auditor, log_csv)
        outside = load_csv(log_csv)
        assert verify(outside, html).ok and verify(outside, pdf).ok

        # -- a page whose visible figure was edited fails ----------------------------------
        edited = tmp_path / "edited.html"
        edited.write_bytes(html.read_bytes().replace(b"<td>STOLEN-VEH</td>", b"<td>STOLEN-VEH </td>", 1))
        assert "text was changed" in ws.custody.verify_transparency(auditor, edited).summary()

        # -- a log changed after the report fails -----------------------------------------
        ws.store.execute("UPDATE access_log SET purpose = 'WANTED' WHERE seq = (SELECT min(seq) FROM "
                         "access_log WHERE action = 'search')")
        for report in (html, pdf):
            with ws.store.reading() as conn:
                bad = verify(conn, report)
            assert not bad.ok and any("changed after it was written" in p for p in bad.problems)
            assert any("searches by purpose" in p for p in bad.problems)
    finally:
        ws.close()


def test_a_page_renders_the_same_whatever_the_order_of_its_figures():
    """The check re-renders a page from its JSON, whose keys come back sorted."""
    from app.engine.oversight import transparency_html
    from app.engine.oversight.transparency import Figures, LogFigures, PolicyText, Report, StoreFigures
    log = LogFigures({"view": 2, "search": 5, "analysis": 1}, {"WANTED": 1, "AUDIT": 2}, {"misread": 1, "confirmed": 2},
                     3, {"Sheriff": {"full": 1, "aggregate": 0}, "Attorney": {"full": 0, "aggregate": 2}}, 1,
                     {"placed": 1, "reads_placed": 2, "released": 0, "reads_released": 0},
                     {"runs": 1, "reads": 0, "images": 0, "hits": 0, "server_purges": 0, "server_reads": 0,
                      "certificates": 0}, {"audit_signoff": 1, "audit_review": 1}, 4)
    figs = Figures("2026-10-01T07:00:00.000000+00:00", "2026-11-01T07:00:00.000000+00:00", 10, "ab" * 32, log,
                   StoreFigures(3, 100, "2026-10-02", 1, 2, {"SVS": {"open": 1, "confirmed": 2}, "AMBER": {"open": 1}}))
    report = Report(PolicyText("City", "Policy", "Ref", "Law", 730, "basis", [["WANTED", "Wanted person"]]),
                    "October 2026", "2026-11-26 12:00 PST", "Clerk, City", "store-1", figs)
    page = transparency_html.render(report)
    again = transparency_html.read(page)
    assert transparency_html.render(again) == page and again.figures.digest() == figs.digest()
    text = page.decode()
    assert text.index("<td>Analyses run</td>") < text.index("<td>Searches</td>") and text.index("AMBER") < text.index("SVS")
