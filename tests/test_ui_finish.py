"""Flow 9: shortcuts, status bar, remembered window state, About box, screens by role."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence

from .ui_fixtures import open_window  # noqa: F401
from .ui_sample import insert_sample


def test_shortcuts_search_and_step_through_results(ws, people, open_window, clock, qtbot):
    insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    assert window.find_action.shortcut() == QKeySequence("Ctrl+F")
    window.tabs.setCurrentWidget(window.hits)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.screens["search"]
    assert window.search.plate.hasFocus() or window.focusWidget() is window.search.plate
    qtbot.keyClicks(window.search.plate, "ABC")
    window.search.mode.setCurrentIndex(window.search.mode.findData("partial"))
    qtbot.keyClick(window.search.plate, Qt.Key.Key_Return)
    rows = window.search.model.rows
    assert len(rows) > 2 and window.search.table.currentIndex().row() == 0
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.search.table.currentIndex().row() == 2
    assert window.detail.detail.read.id == rows[2].id
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.detail.detail.read.id == rows[1].id


def test_status_bar_shows_user_purpose_case_and_sync(ws, people, open_window):
    window = open_window(people.user("ddeputy", "deputy"))
    assert window.status_user.text() == "User: ddeputy (deputy)"
    assert window.status_purpose.text() == "Purpose: FELONY-INV"
    assert window.status_case.text() == "Case: LHS-2026-004512"
    assert window.status_sync.text().startswith("Sync:")
    window.ctx.set_sync_state("Sync: done 10:00")
    assert window.status_sync.text() == "Sync: done 10:00"


def test_window_state_is_remembered_between_runs(ws, people, open_window, tmp_path):
    session = people.user("ddeputy", "deputy")
    first = open_window(session, settings_name="state.ini")
    first.tabs.setCurrentWidget(first.hits)
    first.screens["search"].setSizes([300, 500])
    first.save_state()
    saved = QSettings(str(tmp_path / "state.ini"), QSettings.Format.IniFormat)
    assert not saved.value("window/geometry").isEmpty() and saved.value("window/tab") == "hits"
    second = open_window(session, settings_name="state.ini")
    assert second.tabs.currentWidget() is second.hits
    assert not saved.value("window/searchSplitter").isEmpty()


def test_about_names_the_policy_in_force(ws, people, open_window):
    window = open_window(people.user("ddeputy", "deputy"))
    text = window.about_text()
    assert ws.profile.name in text and "730 days" in text and "Idle lock after 30 minutes" in text


def test_each_role_sees_only_its_screens(ws, people, open_window):
    expected = {"prosecutor": {"Search", "Cases", "Hits", "Alerts", "Releases and oversight",
                               "Administration"},
                "custodian": {"Search", "Cases", "Alerts", "Audit", "Custody", "Releases and oversight",
                              "Administration"},
                "auditor": {"Audit", "Audit cycle"}}
    for role, screens in expected.items():
        window = open_window(people.user(f"x{role}", role))
        titles = {window.tabs.tabText(i) for i in range(window.tabs.count())}
        assert {t for t in titles if t != "Analyses"} == screens, role
        if role == "custodian":                 # may view the log, not verify or export it
            assert not window.audit.verify_button.isEnabled()
            assert not window.audit.export_button.isEnabled()


def test_alpr_gui_refuses_a_store_that_cannot_open(tmp_path, capsys):
    """A folder with no store gets the first-run wizard (test_ui_wizard.py); a store that can
    never open (made without any key slot) gets one sentence and no window."""
    from app.cli.main import main
    from app.engine.workstation import Workstation
    Workstation.create(tmp_path / "half", "calabasas").close()
    assert main(["gui", "--data-dir", str(tmp_path / "half")]) == 1
    assert "no key slot" in capsys.readouterr().err


def test_alpr_gui_opens_the_login_on_the_data_dir(ws, people, qapp):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.cli.main import main
    from app.ui.login import LoginDialog
    people.user("ddeputy", "deputy")
    seen = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LoginDialog):
            QTimer.singleShot(50, answer)
            return
        seen.append(dialog.windowTitle())
        dialog.reject()
    QTimer.singleShot(50, answer)
    data_dir = ws.store.data_dir
    assert main(["--data-dir", str(data_dir), "gui"]) == 1         # login cancelled: no window
    assert seen and ws.profile.agency in seen[0]


def test_log_out_then_the_next_user_signs_in(ws, people, open_window):
    from .conftest import PASSWORD
    deputy = people.user("ddeputy", "deputy")
    people.user("pprosecutor", "prosecutor")
    window = open_window(deputy)
    window.search.plate.setText("7ABC123")
    window.log_out()
    assert deputy.ended and window.search.model.rows == []
    dialog = window.login_dialog
    dialog.user.setText("pprosecutor")
    dialog.password.setText(PASSWORD)
    dialog.ok.click()
    assert window.ctx.session.user.username == "pprosecutor"
    assert window.status_user.text() == "User: pprosecutor (prosecutor)"
    assert not window.search.search_button.isEnabled()         # purpose first, again
    rows = ws.store.query("SELECT username, action FROM access_log ORDER BY seq DESC LIMIT 2")
    assert rows == [("pprosecutor", "login"), ("ddeputy", "logout")]
