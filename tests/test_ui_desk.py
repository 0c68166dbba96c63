"""The desk (issue 12): nothing of one person is left for the next; the window fits and holds
still; photos zoom; every time in the profile's zone; the hits queue; keyboard and focus.

The clock is fixed (a winter afternoon, 16:37 UTC = 08:37 PST) so no test depends on the
wall clock, and the tests that look at times set the machine's own zone to one far from the
profile's, so they pass whatever zone the machine running them is in.
"""
from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.engine import timefmt
from app.engine.errors import ValidationError
from app.ui.results_model import MATCH_COLUMN
from app.ui.analyses.locate import LocatePanel
from app.ui.widgets import MessageLabel

from .conftest import PASSWORD, Clock
from .ui_fixtures import last_seq, log_actions, make_ctx, open_window  # noqa: F401
from .ui_sample import insert_sample

NOW = 1772728632                        # 2026-03-05 16:37:12 UTC, 08:37:12 PST
PACIFIC = ZoneInfo("America/Los_Angeles")
LONG = ("The city server at https://alpr.calabasas.example/sync refused the request: the "
        "certificate presented does not match the one pinned at set-up, so nothing was "
        "downloaded and the local store is unchanged. " * 6)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def machine_zone(monkeypatch):
    """This computer's clock set to Tokyo: nothing on screen may follow it."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def pacific(ts: int) -> str:
    return datetime.fromtimestamp(ts, PACIFIC).strftime("%Y-%m-%d %H:%M:%S %Z")


def _search(window, plate: str, mode: str = "exact") -> list:
    panel = window.search
    panel.plate.setText(plate)
    panel.mode.setCurrentIndex(panel.mode.findData(mode))
    panel.search_button.click()
    return panel.model.rows


def _sign_in(dialog, user: str, code: str | None = None) -> None:
    dialog.user.setText(user)
    dialog.password.setText(PASSWORD)
    if code:
        dialog.code.setText(code)
    dialog.ok.click()


# -- nothing of one person is left for the next -----------------------------------------------------
def _fill_the_desk(window, qtbot) -> None:
    """What a deputy leaves behind in a working session: purpose, form, results, a read, a
    hit half-disposed, an analysis typed."""
    window.purpose_bar.choose("STOLEN-VEH", "LHS-2026-000777")
    search = window.search
    search.hits_only.setChecked(False)
    search.use_start.setChecked(True)
    search.cameras.item(0).setCheckState(Qt.CheckState.Checked)
    search.cameras.item(0).setCheckState(Qt.CheckState.Unchecked)
    rows = _search(window, "7ABC123", "similar")
    assert rows and window.detail.detail is not None
    window.tabs.setCurrentWidget(window.hits)
    hits = window.hits
    assert hits.rows
    hits.table.selectRow(0)
    hits.disposition.setCurrentIndex(hits.disposition.findData("misread"))
    hits.note.setText("Plate photo shows 8XYZ990")
    window.analyses.panel(LocatePanel).plate.setText("8XYZ999")
    window.tabs.setCurrentWidget(window.screens["search"])


def _assert_clean(window) -> None:
    s = window.search
    assert s.plate.text() == "" and s.mode.currentData() == "exact"
    assert not s.hits_only.isChecked() and not s.use_start.isChecked()
    assert all(s.cameras.item(i).checkState() == Qt.CheckState.Unchecked
               for i in range(s.cameras.count()))
    assert s.model.rows == [] and s.model.rowCount() == 0 and s.status.text() == ""
    d = window.detail
    assert d.detail is None and d.plate_label.text() == "No read selected"
    assert all(label.text() == "" for label in d.fields.values()) and d.others.count() == 0
    assert not d.scene_view.has_image and not d.plate_view.has_image
    bar = window.purpose_bar
    assert bar.purpose.currentData() is None and bar.case.text() == ""
    assert "No purpose declared" in bar.state.text()
    h = window.hits
    assert h.rows == [] and h.table.rowCount() == 0 and h.note.text() == ""
    assert h.disposition.currentData() is None and h.read.detail is None
    assert window.status_purpose.text() in ("", "Purpose: none declared")
    assert "LHS-2026-000777" not in window.status_case.text()
    assert window.analyses is None or window.analyses.panel(LocatePanel).plate.text() == ""
    open_dialogs = [w for w in window.findChildren(QDialog)
                    if w.isVisible() and type(w).__name__ != "LoginDialog"]
    assert open_dialogs == []


def _declare_what_is_shown(window) -> None:
    """One click of Declare, with whatever the bar shows."""
    window.purpose_bar.button.click()


def test_logout_leaves_nothing_for_the_next_person(ws, people, open_window, clock, qtbot):
    insert_sample(ws, NOW)
    deputy = people.user("ddeputy", "deputy")
    people.user("pprosecutor", "prosecutor", purpose=False)
    window = open_window(deputy)
    _fill_the_desk(window, qtbot)
    window.log_out()
    assert deputy.ended
    _assert_clean(window)                       # behind the sign-in dialog
    dialog = window.login_dialog
    assert dialog.isVisible()
    clock.advance(ws.profile.idle_lock_minutes * 60 + 5)     # nobody signed in: nothing locks
    window.watcher.check()
    assert window.stack.currentIndex() == 0 and window.lock_screen.login_dialog is None
    _sign_in(dialog, "pprosecutor")
    assert window.ctx.session.user.username == "pprosecutor"
    _assert_clean(window)
    seq = last_seq(ws)
    _declare_what_is_shown(window)
    assert window.ctx.session.purpose is None and window.ctx.session.case_number is None
    assert [a for a in log_actions(ws, seq) if a[2] == "purpose_set"] == []
    assert "authorised purpose" in window.purpose_bar.message.text()
    assert window.analyses.panel(LocatePanel).plate.text() == ""
    clock.advance(ws.profile.idle_lock_minutes * 60 + 5)     # the next user is watched again
    window.watcher.check()
    assert window.stack.currentWidget() is window.lock_screen


def test_lock_then_another_user_adopts_nothing(ws, people, open_window, clock, qtbot):
    insert_sample(ws, NOW)
    deputy = people.user("ddeputy", "deputy")
    people.user("pprosecutor", "prosecutor", purpose=False)
    window = open_window(deputy)
    _fill_the_desk(window, qtbot)
    window.lock_now()
    assert window.stack.currentWidget() is window.lock_screen
    _assert_clean(window)                       # behind the lock screen
    dialog = window.lock_screen.start_switch()
    _sign_in(dialog, "pprosecutor")
    assert window.ctx.session.user.username == "pprosecutor" and deputy.ended
    assert window.stack.currentIndex() == 0
    _assert_clean(window)
    seq = last_seq(ws)
    _declare_what_is_shown(window)
    assert window.ctx.session.purpose is None
    assert [a for a in log_actions(ws, seq) if a[2] == "purpose_set"] == []


def test_the_same_user_unlocks_to_a_clean_desk_and_declares_again(ws, people, open_window,
                                                                  clock, qtbot):
    insert_sample(ws, NOW)
    deputy = people.user("ddeputy", "deputy")
    window = open_window(deputy)
    _fill_the_desk(window, qtbot)
    clock.advance(ws.profile.idle_lock_minutes * 60 + 5)
    window.watcher.check()
    assert window.stack.currentWidget() is window.lock_screen
    _assert_clean(window)
    lock = window.lock_screen
    lock.password.setText(PASSWORD)
    lock.code.setText(people.code("ddeputy"))
    lock.unlock_button.click()
    assert window.stack.currentIndex() == 0 and not deputy.locked
    _assert_clean(window)
    assert not window.search.search_button.isEnabled()          # purpose first, again
    window.purpose_bar.choose("STOLEN-VEH", "LHS-2026-000777")
    assert _search(window, "7ABC123")
    assert window.tabs.currentWidget() is window.screens["search"]


# -- a session the engine ends during work --------------------------------------------------------
def test_disabled_account_during_work_returns_to_sign_in(ws, people, open_window, clock, qtbot):
    insert_sample(ws, NOW)
    admin = people.admin()
    deputy = people.user("ddeputy", "deputy")
    people.user("pprosecutor", "prosecutor")
    window = open_window(deputy)
    assert _search(window, "7ABC123")
    ws.disable_user(admin, "ddeputy")
    _search(window, "8XYZ999")                  # the next click meets the ended session
    lock = window.lock_screen
    assert window.stack.currentWidget() is lock
    assert "account disabled" in lock.message.text()
    assert window.ctx.presenter.shown == []     # no error box: the sign-in screen says why
    dialog = lock.login_dialog
    assert dialog is not None and dialog.isVisible()
    heading = dialog.login.findChild(type(lock.title), "heading")
    assert "account disabled" in heading.text()
    # readable: the lock screen's white text stays on the lock screen, not in its dialogs
    assert heading.palette().color(heading.foregroundRole()).lightness() < 128
    assert lock.password.isHidden() and lock.unlock_button.isHidden()     # only the dialog goes on
    _assert_clean(window)
    _sign_in(dialog, "pprosecutor")
    assert window.ctx.session.user.username == "pprosecutor"
    assert window.stack.currentIndex() == 0 and window.menuBar().isEnabled()


def test_role_change_during_work_returns_to_sign_in_from_any_screen(ws, people, open_window,
                                                                    clock):
    admin = people.admin()
    deputy = people.user("ddeputy", "deputy")
    window = open_window(deputy)
    ws.set_role(admin, "ddeputy", "custodian")
    window.purpose_bar.choose("STOLEN-VEH", "LHS-2026-000777")    # a refusal shown inline before
    lock = window.lock_screen
    assert window.stack.currentWidget() is lock
    assert "role changed" in lock.message.text()
    assert window.purpose_bar.message.text() == "" and window.ctx.presenter.shown == []
    _sign_in(lock.login_dialog, "ddeputy", people.code("ddeputy"))
    assert window.ctx.session.user.role == "custodian"
    titles = {window.tabs.tabText(i) for i in range(window.tabs.count())}
    assert "Audit" in titles and "Hits" not in titles


# -- layout ---------------------------------------------------------------------------------------
def test_long_messages_neither_widen_the_window_nor_move_the_controls(ws, people, open_window,
                                                                      clock, qtbot):
    insert_sample(ws, NOW)
    window = open_window(people.user("ddeputy", "deputy"))
    window.resize(1280, 720)
    qtbot.wait(20)
    controls = [window.search.search_button, window.search.export_button,
                window.search.hold_button, window.purpose_bar.button, window.search.plate]
    before = [w.mapTo(window, QPoint(0, 0)) for w in controls]
    window.ctx.set_sync_state(f"Sync: failed: {LONG}")
    window.search.status.setText(f"Not searched: {LONG}")
    window.purpose_bar.message.setText(LONG)
    window.statusBar().showMessage(LONG)
    window.hits.message.setText(LONG)
    qtbot.wait(20)
    assert (window.width(), window.height()) == (1280, 720)
    assert [w.mapTo(window, QPoint(0, 0)) for w in controls] == before
    assert window.status_sync.elided and LONG.strip() in window.status_sync.toolTip()
    assert window.search.status.text() == f"Not searched: {LONG}"     # all of it, in the tooltip


def test_every_screen_fits_1280_by_720(ws, people, open_window, clock, qtbot):
    insert_sample(ws, NOW)
    for role in ("deputy", "administrator", "custodian", "auditor"):
        session = people.admin() if role == "administrator" else people.user(f"x{role}", role)
        window = open_window(session, settings_name=f"{role}.ini")
        area, least = window.screen().availableGeometry(), window.minimumSizeHint()
        assert window.width() <= max(area.width(), least.width())          # a first start
        assert window.height() <= max(area.height(), least.height())       # fits the screen
        window.resize(1280, 720)
        for i in range(window.tabs.count()):
            window.tabs.setCurrentIndex(i)
            qtbot.wait(5)
            hint = window.minimumSizeHint()
            assert hint.width() <= 1280 and hint.height() <= 720, (role, window.tabs.tabText(i), hint)
            assert (window.width(), window.height()) == (1280, 720)


def test_a_message_label_wraps_then_elides_with_the_whole_text_in_its_tooltip(qapp):
    label = MessageLabel(lines=2, width=200)
    label.resize(200, label.height())
    label.setText("short")
    assert label.toolTip() == "" and not label.elided
    label.setText(LONG)
    assert label.elided and label.toolTip() == LONG and label.text() == LONG
    assert label.sizeHint().width() == 200


# -- photos ---------------------------------------------------------------------------------------
def _wheel(view, up: bool = True) -> None:
    pos = QPointF(view.viewport().width() / 2, view.viewport().height() / 2)
    event = QWheelEvent(pos, view.viewport().mapToGlobal(pos), QPoint(0, 0),
                        QPoint(0, 120 if up else -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)


def test_both_photos_zoom_pan_and_open_full_size(ws, people, open_window, clock, qtbot):
    insert_sample(ws, NOW)
    window = open_window(people.user("ddeputy", "deputy"))
    window.resize(1280, 720)
    _search(window, "8XYZ999")
    detail = window.detail
    qtbot.waitUntil(lambda: detail.scene_view.has_image and detail.plate_view.has_image)
    qtbot.wait(20)
    for view in (detail.scene_view, detail.plate_view):
        fitted = view.zoom
        _wheel(view)
        _wheel(view)
        qtbot.wait(30)                           # scroll bars appear: the zoom must hold
        assert view.zoom == pytest.approx(fitted * 1.25 ** 2)
        assert view.transform().m11() == pytest.approx(view.zoom)
        view.setFocus()
        qtbot.keyClick(view, Qt.Key.Key_Plus)
        qtbot.wait(10)
        assert view.transform().m11() == pytest.approx(fitted * 1.25 ** 3)
        qtbot.keyClick(view, Qt.Key.Key_Minus)
        qtbot.wait(10)
        assert view.transform().m11() == pytest.approx(fitted * 1.25 ** 2)
        bar = view.horizontalScrollBar()
        start = bar.value()
        qtbot.keyClick(view, Qt.Key.Key_Right)
        assert bar.maximum() > 0 and bar.value() > start                 # pans
        view.buttons["fit"].click()            # the scroll bars go, the picture fits again
        qtbot.waitUntil(lambda v=view, f=fitted: abs(v.transform().m11() - f) < f * 0.02)
    scene = detail.scene_view
    qtbot.mouseDClick(scene.viewport(), Qt.MouseButton.LeftButton)
    viewer = scene.viewer
    assert viewer is not None and viewer.isVisible()
    assert viewer.view.transform().m11() == pytest.approx(1.0)          # full size
    assert viewer.view.image.size() == scene.image.size()
    assert viewer.view.badge.text() == scene.badge.text() == "Original"
    window.log_out()
    assert not viewer.isVisible()


# -- time ------------------------------------------------------------------------------------------
def test_every_time_is_shown_in_the_profile_zone_labelled(ws, people, open_window, clock,
                                                          machine_zone, qtbot):
    insert_sample(ws, NOW)
    window = open_window(people.user("ddeputy", "deputy"))
    rows = _search(window, "8XYZ999")
    model = window.search.model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Time (Pacific)"
    assert model.data(model.index(0, 0)) == pacific(rows[0].read_at)
    assert re.search(r" P[SD]T$", model.data(model.index(0, 0)))
    detail = window.detail
    assert detail.fields["Time"].text() == pacific(detail.detail.read.read_at)
    other = detail.detail.other_sightings[0]
    assert detail.others.item(0).text().startswith(pacific(other.read_at))
    assert "Pacific" in window.status_zone.text()

    window.tabs.setCurrentWidget(window.hits)
    hit = window.hits.rows[0]
    assert window.hits.table.item(0, 2).text() == pacific(hit.read_at)

    locate = window.analyses.panel(LocatePanel)
    locate.plate.setText("8XYZ999")
    locate.run()
    assert locate.reads_model.rows[0][2] == pacific(locate.result.reads[0].read_at)

    # a time typed in the form is Pacific wall-clock time, not this computer's
    search = window.search
    search.use_start.setChecked(True)
    search.start.setDateTime(search.start.dateTime().fromString("2026-03-05 08:00", "yyyy-MM-dd HH:mm"))
    typed = datetime(2026, 3, 5, 8, 0, tzinfo=PACIFIC).timestamp()
    assert search.build_query().start == typed


def test_audit_times_in_the_profile_zone(ws, people, open_window, clock, machine_zone):
    window = open_window(people.admin())
    window.audit.refresh()
    entry = window.audit.model.entries[0]
    shown = window.audit.model.data(window.audit.model.index(0, 1))
    when = datetime.fromisoformat(entry.ts)
    assert shown == pacific(when.timestamp())
    assert window.audit.model.headerData(1, Qt.Orientation.Horizontal) == "Time (Pacific)"


def test_timefmt_labels_the_zone_and_reads_wall_clock_times_across_daylight_saving(machine_zone):
    assert timefmt.fmt(NOW, PACIFIC) == "2026-03-05 08:37:12 PST"
    assert timefmt.fmt(NOW + 120 * 86400, PACIFIC).endswith(" PDT")
    assert timefmt.fmt_utc(NOW) == "2026-03-05 16:37:12 UTC"
    assert timefmt.zone_name(PACIFIC) == "Pacific"
    utc = UTC
    # 02:30 on 8 March 2026 does not exist in Los Angeles: the clock shows 03:30 PDT
    assert timefmt.wall_to_ts(2026, 3, 8, 2, 30, PACIFIC) == \
        datetime(2026, 3, 8, 10, 30, tzinfo=utc).timestamp()
    # 01:30 on 1 November 2026 happens twice: the first (PDT) one
    assert timefmt.wall_to_ts(2026, 11, 1, 1, 30, PACIFIC) == \
        datetime(2026, 11, 1, 8, 30, tzinfo=utc).timestamp()
    assert timefmt.today(NOW - 16 * 3600, PACIFIC).isoformat() == "2026-03-04"
    assert timefmt.fmt_speed(160.9344, "mph") == "100 mph"
    with pytest.raises(ValidationError, match="time zone"):
        timefmt.zone("Mars/Olympus_Mons")


def test_profiles_have_a_zone_and_speed_unit():
    """Unset in a profile, they default to the California profiles' (Pacific, mph)."""
    from app.engine.policy import available_profiles, load_profile
    for pid in available_profiles():
        p = load_profile(pid)
        assert p.time_zone == "America/Los_Angeles" and p.speed_unit == "mph", pid


# -- hits queue ------------------------------------------------------------------------------------
def test_hits_queue_loads_on_open_and_shows_the_read_beside_it(ws, people, open_window, clock):
    insert_sample(ws, NOW)
    window = open_window(people.user("ddeputy", "deputy"))
    hits = window.hits
    assert hits.rows == []                      # a logged view: not before the screen opens
    seq = last_seq(ws)
    window.tabs.setCurrentWidget(hits)
    assert hits.rows and hits.table.rowCount() == len(hits.rows)        # no button needed
    assert [a[2] for a in log_actions(ws, seq)].count("hotlist_view") == 1
    assert hits.banner.isHidden()

    hits.table.selectRow(0)
    first = hits.selected()
    assert hits.read.detail.read.id == first.read_id                   # beside the queue
    assert window.tabs.currentWidget() is hits
    assert hits.read.plate_label.text().startswith(first.plate)

    hits.dispose_button.click()                 # nothing chosen: nothing recorded
    assert "Choose a disposition" in hits.message.text()
    hits.disposition.setCurrentIndex(hits.disposition.findData("not_actioned"))
    hits.note.setText("Vehicle gone before a unit arrived")
    hits.dispose_button.click()
    assert hits.message.text() == f"Hit {first.id} on {first.plate}: not actioned recorded."
    assert "not_actioned" not in hits.message.text()
    assert hits.disposition.currentData() is None and hits.note.text() == ""
    hits.table.selectRow(0)
    assert hits.disposition.currentData() is None                      # no carry-over
    hits.disposition.setCurrentIndex(hits.disposition.findData("confirmed"))
    hits.table.selectRow(1)
    assert hits.disposition.currentData() is None

    hits.open_only.setChecked(False)
    shown = {hits.table.item(r, 7).text() for r in range(hits.table.rowCount())}
    assert "Not actioned" in shown and "not_actioned" not in shown


# -- keyboard and focus --------------------------------------------------------------------------
def test_ctrl_d_takes_the_keyboard_to_the_purpose_bar(ws, people, open_window, clock, qtbot):
    window = open_window(people.user("ddeputy", "deputy", purpose=False))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.tabs.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.purpose_bar.purpose
    window.purpose_bar.purpose.setCurrentIndex(window.purpose_bar.purpose.findData("STOLEN-VEH"))
    window.tabs.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.purpose_bar.case
    qtbot.keyClicks(window.purpose_bar.case, "LHS-2026-000777")
    qtbot.keyClick(window.purpose_bar.case, Qt.Key.Key_Return)
    assert window.ctx.session.purpose == "STOLEN-VEH"


def test_the_focused_control_has_a_visible_ring(ws, people, open_window, clock, qtbot):
    window = open_window(people.user("ddeputy", "deputy"))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    button = window.search.search_button
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: window.focus_ring.ring is not None
                    and window.focus_ring.ring.widget() is button)
    ring = window.focus_ring.ring
    assert ring.isVisible()
    qtbot.wait(20)
    image = window.grab().toImage()
    edge = ring.mapTo(window, QPoint(1, ring.height() // 2))
    colour = QColor(image.pixel(edge))
    assert abs(colour.blue() - 0xc0) < 40 and colour.red() < 80, colour.name()
    window.purpose_bar.case.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: window.focus_ring.ring.widget() is window.purpose_bar.case)


def test_quit_asks_while_work_is_running(ws, people, open_window, clock, qtbot):
    ctx = make_ctx(ws, threaded=True)
    window = open_window(people.user("ddeputy", "deputy"), ctx)
    release = threading.Event()
    ctx.runner.db(lambda: release.wait(10), label="an evidence export")
    asked = []

    def answer(button) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, lambda: answer(button))
            return
        asked.append(box.text())
        box.button(button).click()
    QTimer.singleShot(20, lambda: answer(QMessageBox.StandardButton.No))
    window.quit_action.trigger()
    assert asked and "an evidence export" in asked[0]
    assert window.isVisible() and not window.ctx.session.ended        # still at work
    release.set()
    qtbot.waitUntil(lambda: ctx.runner.running() == [], timeout=5000)
    window.quit_action.trigger()                # nothing running: no question
    assert len(asked) == 1 and not window.isVisible()


def test_lock_screen_heading_is_whole_and_asks_no_code_of_a_user_without_one(ws, people,
                                                                            open_window, clock,
                                                                            qtbot):
    admin = people.admin()
    ws.add_user(admin, "mlong", "Maximiliana Alexandrina Fitzgerald-Worthington de la Cruz",
                "prosecutor", PASSWORD)
    people.train("mlong")
    window = open_window(people.login("mlong"))
    window.resize(1280, 720)
    window.lock_now()
    qtbot.wait(20)
    lock = window.lock_screen
    title = lock.title
    assert title.height() >= title.heightForWidth(title.width())       # every line shows
    assert title.width() <= title.parentWidget().width()
    assert lock.code.isHidden() and lock.form.labelForField(lock.code).isHidden()


def test_counts_and_the_difference_column_read_plainly(ws, people, open_window, clock):
    insert_sample(ws, NOW)
    window = open_window(people.user("ddeputy", "deputy"))
    with ws.store.transaction() as conn:
        conn.execute("INSERT INTO reads(id, plate, read_at, camera_id, confidence, "
                     "vendor) VALUES (9001, '1ONLY11', ?, 'CAM-LV-N', 0.9, 'x')",
                     (NOW - 60,))
    _search(window, "1ONLY11")
    assert window.search.status.text() == "1 read shown."
    _search(window, "7ABC123", "similar")
    model = window.search.model
    assert model.headerData(MATCH_COLUMN, Qt.Orientation.Horizontal) == "Difference"
    tip = model.headerData(MATCH_COLUMN, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "0.00 is the same plate" in tip
    assert not window.search.table.isColumnHidden(2)
