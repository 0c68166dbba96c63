"""Flows 2-5: purpose first, search, paged results, read detail; checked against the log."""
from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import Qt

from app.engine.search import SearchQuery
from app.ui import enhance
from app.ui.results_model import FIRST_PAGE, MATCH_COLUMN, NEXT_PAGE

from .ui_fixtures import last_seq, log_actions, make_ctx, open_window  # noqa: F401
from .ui_sample import PLATES, bulk_reads, insert_sample, misread_id


def _entries(ws, action: str, since: int = 0) -> list[dict]:
    return [{"user": r[1], "purpose": r[3], "case": r[4], "query": json.loads(r[5]),
             "ids": json.loads(r[6])} for r in log_actions(ws, since) if r[2] == action]


def _search(window, plate: str, mode: str = "exact") -> list:
    panel = window.search
    panel.plate.setText(plate)
    panel.mode.setCurrentIndex(panel.mode.findData(mode))
    panel.search_button.click()
    return panel.model.rows


def test_purpose_first_then_change_is_logged(ws, people, open_window):
    deputy = people.user("ddeputy", "deputy", purpose=False)
    window = open_window(deputy)
    bar, panel = window.purpose_bar, window.search
    assert not panel.search_button.isEnabled() and not panel.plate.isEnabled()
    assert panel.closed.isVisibleTo(window)
    assert "No purpose declared" in bar.state.text()
    seq = last_seq(ws)
    bar.choose("FELONY-INV", "12345")
    assert "not a case or incident number" in bar.message.text()
    assert _entries(ws, "purpose_set", seq) == []
    bar.choose("FELONY-INV", "lhs-2026-004512")
    assert panel.search_button.isEnabled() and not panel.closed.isVisibleTo(window)
    assert window.status_purpose.text() == "Purpose: FELONY-INV"
    assert window.status_case.text() == "Case: LHS-2026-004512"
    bar.choose("STOLEN-VEH", "LHS-2026-000777")
    assert "STOLEN-VEH / LHS-2026-000777" in bar.state.text()
    logged = _entries(ws, "purpose_set", seq)
    assert [(e["purpose"], e["case"]) for e in logged] == [("FELONY-INV", "LHS-2026-004512"),
                                                           ("STOLEN-VEH", "LHS-2026-000777")]


def test_each_search_mode_and_filter_through_the_form(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    seq = last_seq(ws)
    rows = _search(window, "7abc 123")
    assert rows and {r.plate for r in rows} == {"7ABC123"}
    logged = _entries(ws, "search", seq)[-1]
    assert logged["query"]["plate"] == "7ABC123" and logged["query"]["mode"] == "exact"
    assert logged["ids"] == [r.id for r in rows]
    assert (logged["purpose"], logged["case"]) == ("FELONY-INV", "LHS-2026-004512")

    assert {r.plate for r in _search(window, "ABC12", "partial")} == {"7ABC123", "7ABC128"}
    assert {r.plate for r in _search(window, "7?BC12*", "wildcard")} == {"7ABC123", "7ABC128"}
    similar = _search(window, "7ABC123", "similar")
    assert {r.plate for r in similar} == {"7ABC123", "7A8C123"}
    assert [r.closeness for r in similar] == sorted(r.closeness for r in similar)
    assert window.search.model.data(window.search.model.index(0, MATCH_COLUMN)) == "0.00"

    panel = window.search
    cam = panel.cameras.item(0)
    cam.setCheckState(Qt.CheckState.Checked)
    rows = _search(window, "ABC", "partial")
    assert rows and {r.camera_id for r in rows} == {cam.data(Qt.ItemDataRole.UserRole)}
    cam.setCheckState(Qt.CheckState.Unchecked)
    panel.hits_only.setChecked(True)
    rows = _search(window, "", "exact")
    assert rows and all(r.has_hit for r in rows)
    assert {r.plate for r in rows} == {"8XYZ999", "6TRK221", "5SAM808"}
    panel.hits_only.setChecked(False)
    from datetime import datetime, timedelta
    now = datetime.fromtimestamp(clock())
    site = panel.sites.item(0)
    site.setCheckState(Qt.CheckState.Checked)
    assert _search(window, "", "exact") == [] and "at most 4 hours" in window.ctx.presenter.last
    panel.set_range(now - timedelta(hours=4), now)         # without a plate: inside 4 hours
    rows = _search(window, "", "exact")
    assert rows and {r.site for r in rows} == {site.data(Qt.ItemDataRole.UserRole)}
    site.setCheckState(Qt.CheckState.Unchecked)

    panel.set_range(now - timedelta(hours=2), now)
    rows = _search(window, "", "partial") or _search(window, "7ABC123")
    assert rows and all(r.read_at >= clock() - 7200 - 60 for r in rows)
    last = _entries(ws, "search", seq)[-1]["query"]
    assert last["start"] is not None and last["end"] is not None


def test_bad_input_gives_a_sentence_and_keeps_the_form(ws, people, open_window, seeded):
    window = open_window(people.user("ddeputy", "deputy"))
    _search(window, "7*", "wildcard")
    assert "too broad" in window.ctx.presenter.last
    assert window.search.status.text().startswith("Not searched:")
    assert window.search.plate.text() == "7*"
    assert window.search.search_button.isEnabled()


def test_results_page_as_the_user_scrolls_and_sort_in_sql(ws, people, open_window, clock, qtbot):
    bulk_reads(ws, 2500, int(clock()))
    ws.store.execute("UPDATE reads SET read_at = ? - id * 5", (int(clock()),))  # all in 4 hours
    window = open_window(people.user("ddeputy", "deputy"))
    panel, model = window.search, window.search.model
    seq = last_seq(ws)
    from datetime import datetime, timedelta
    now = datetime.fromtimestamp(clock())
    panel.set_range(now - timedelta(hours=4), now)        # a search without a plate: in a window
    panel.cameras.item(1).setCheckState(Qt.CheckState.Checked)
    panel.search_button.click()
    assert model.rowCount() == FIRST_PAGE and model.canFetchMore()
    panel.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > FIRST_PAGE, timeout=5000)
    assert model.rowCount() == FIRST_PAGE + NEXT_PAGE
    times = [r.read_at for r in model.rows]
    assert times == sorted(times, reverse=True)
    pages = [(e["query"]["offset"], len(e["ids"])) for e in
             _entries(ws, "search", seq) + _entries(ws, "search_page", seq)]
    assert pages == [(0, FIRST_PAGE), (FIRST_PAGE, NEXT_PAGE)]

    panel.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)        # plate, re-queried in SQL
    assert model.query.sort == "plate" and not model.query.descending
    plates_shown = [r.plate for r in model.rows]
    assert plates_shown == sorted(plates_shown)
    smallest = ws.store.query_one("SELECT min(plate) FROM reads WHERE camera_id = ?",
                                  (model.query.cameras[0],))[0]
    assert plates_shown[0] == smallest                  # over every match, not the loaded rows
    assert _entries(ws, "search", seq)[-1]["query"]["sort"] == "plate"


def test_search_runs_off_the_gui_thread_and_cancels(ws, people, open_window, clock, qtbot):
    bulk_reads(ws, 3000, int(clock()))
    ctx = make_ctx(ws, threaded=True)
    window = open_window(people.user("ddeputy", "deputy"), ctx)
    panel = window.search
    plate = PLATES[997 % len(PLATES)]             # bulk_reads puts it at read 997
    panel.plate.setText(plate)
    panel.search_button.click()
    assert panel.cancel_button.isEnabled()
    panel.cancel_button.click()
    assert panel.status.text() == "Search cancelled."
    qtbot.waitUntil(lambda: ctx.runner.idle, timeout=5000)
    assert panel.model.rows == [] and ctx.presenter.shown == []
    panel.search_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=5000)
    assert {r.plate for r in panel.model.rows} == {plate}


def test_read_detail_images_misread_timeline_and_enhance(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    seq = last_seq(ws)
    rows = _search(window, "7A8C123")
    target = misread_id()
    window.search.table.selectRow([r.id for r in rows].index(target))
    detail = window.detail
    assert detail.detail.read.id == target
    assert "7A8C123" in detail.plate_label.text()
    assert detail.misread.isVisibleTo(window)
    assert "7A8C123" in detail.misread.text() and "7ABC123" in detail.misread.text()
    assert detail.others.count() == len(rows) - 1
    assert len(detail.timeline._all()) == len(rows)
    assert not detail.plate_view.item.pixmap().isNull()
    assert not detail.scene_view.item.pixmap().isNull()
    assert detail.plate_view.badge.text() == "Original"
    logged = [(a[2], json.loads(a[6]), a[3]) for a in log_actions(ws, seq)]
    assert ("view", [target], "FELONY-INV") in logged
    assert [x for x in logged if x[0] == "view_image"].count(("view_image", [target], "FELONY-INV")) == 2

    stored = ws.store.query_one("SELECT i.data FROM reads r JOIN images i ON "
                                "i.sha256 = r.plate_image_sha256 WHERE r.id = ?", (target,))[0]
    before = detail.plate_view.item.pixmap().toImage()
    detail.enhance_box.setChecked(True)
    assert detail.plate_view.badge.text() == "ENHANCED" and not detail.enhanced_note.isHidden()
    assert detail.plate_view.item.pixmap().toImage() != before
    assert np.array_equal(detail.pictures["plate"].original, enhance.decode(bytes(stored)))
    detail.enhance_box.setChecked(False)
    assert detail.plate_view.item.pixmap().toImage() == before

    zoom = detail.scene_view.zoom
    detail.scene_view.zoom_by(2.0)
    assert abs(detail.scene_view.zoom - zoom * 2.0) < 1e-6


def test_other_sighting_opens_as_a_new_logged_view(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    _search(window, "7ABC123")
    detail = window.detail
    item = detail.others.item(0)
    other = item.data(Qt.ItemDataRole.UserRole)
    seq = last_seq(ws)
    detail.others.itemActivated.emit(item)
    assert detail.detail.read.id == other
    assert any(a[2] == "view" and json.loads(a[6]) == [other] for a in log_actions(ws, seq))


def test_search_query_from_form_matches_engine_dataclass(ws, people, open_window):
    window = open_window(people.user("ddeputy", "deputy"))
    window.search.plate.setText("7ABC123")
    assert window.search.build_query() == SearchQuery(plate="7ABC123")
