"""The Alerts screen, "Alert me", hit notifications (tray and in-window toast), the per-user
mute, the profile's dispositions and "Print..." on a read and on search results, in the real
window offscreen on a real store."""
from __future__ import annotations

import os

from PySide6.QtWidgets import QLabel, QPushButton

from app.engine import hits as hit_rules
from app.engine.alerts import store as alert_store
from app.ui.alert_dialog import AlertDialog

from .ui_fixtures import last_seq, log_actions, open_window  # noqa: F401
from .ui_sample import insert_sample


def _new_read(ws, read_id: int, plate: str, at: int, state: str | None = "CA") -> None:
    """A read as a sync applies it: stored, hits matched, standing alerts fired, one transaction."""
    with ws.store.transaction() as conn:
        conn.execute("INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor, "
                     "plate_state) SELECT ?, ?, ?, id, 0.9, 'Test', ? FROM cameras LIMIT 1",
                     (read_id, plate, at, state))
        hit_rules.match_reads(conn, [read_id], at)
        alert_store.on_new_reads(conn, [read_id], at)


def test_alert_me_from_a_read_and_the_queue_shows_what_the_next_sync_found(ws, people, open_window, clock):
    ids = insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    window.detail.load(ids[0])
    plate = window.detail.detail.read.plate
    window.detail.actions.alert_button.click()
    dialog = window.read_actions.dialog
    assert isinstance(dialog, AlertDialog) and dialog.pattern.text() == plate
    assert "LHS-2026-004512" in dialog.findChild(QLabel, "alertBinding").text()
    dialog.days.setValue(31)
    dialog.submit()
    assert "1 to 30 days" in dialog.message.text() and not ws.alerts.mine(window.ctx.session)
    dialog.days.setValue(5)
    dialog.submit()
    [alert] = ws.alerts.mine(window.ctx.session)
    assert alert.pattern == plate and "Standing alert" in window.statusBar().currentMessage()

    window.alerts.poll()                                      # the mark: nothing found yet
    _new_read(ws, 990001, plate, int(clock()) + 60)
    window.alerts.poll()
    assert not window.alerts.banner.isHidden() and "NEW" in window.alerts.banner.text()
    assert window.tabs.tabText(window.tabs.indexOf(window.alerts)) == "Alerts (NEW)"
    seq = last_seq(ws)
    window.tabs.setCurrentWidget(window.alerts)
    window.alerts.refresh()
    assert window.alerts.queue.rowCount() == 1 and window.alerts.queue.item(0, 1).text() == plate
    assert window.alerts.table.item(0, 7).text() == "live"
    logged = [r for r in log_actions(ws, seq) if r[2] == "alert_view"]
    assert logged and logged[0][4] == "LHS-2026-004512"
    window.alerts.table.selectRow(0)
    window.alerts.cancel_button.click()
    assert "cancelled" in window.alerts.message.text()


def test_a_new_high_priority_hit_notifies_and_a_muted_one_does_not(ws, people, open_window, clock,
                                                                  monkeypatch):
    insert_sample(ws, int(clock()))
    ws.store.execute("UPDATE hotlists SET priority = CASE id WHEN 'city-ce' THEN 4 ELSE 1 END")
    window = open_window(people.user("ddeputy", "deputy"))
    tray = []
    monkeypatch.setattr(window.notifier.tray, "showMessage", lambda *a: tray.append(a))
    window.tabs.setCurrentWidget(window.alerts)               # another screen is open
    window.notifier.poll()                                    # the mark
    _new_read(ws, 990002, "8XYZ999", int(clock()))            # on the stolen list (priority 1)
    window.notifier.poll()
    [(title, text, icon, _ms)] = tray
    assert "priority 1" in title and "8XYZ999" in title and "Stolen vehicles" in text
    assert not icon.isNull()
    assert window.toast.isVisible() and "8XYZ999" in window.toast.title.text()
    window.toast.findChild(QPushButton, "toastOpen").click()       # "Open hits"
    assert window.tabs.currentWidget() is window.hits
    window.hits.only_highest.setChecked(True)                 # mute all but priority 1
    assert ws.alerts.only_highest(window.ctx.session)
    window.toast.hide()
    _new_read(ws, 990003, "5SAM808", int(clock()), None)      # code enforcement, priority 4: muted
    window.notifier.poll()
    assert len(tray) == 1 and window.toast.isHidden()


def test_dispositions_are_the_profiles(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    combo = window.hits.disposition
    codes = [combo.itemData(i) for i in range(1, combo.count())]
    assert codes == [d.code for d in ws.profile.dispositions]
    assert "note required" in combo.itemText(combo.findData("arrest"))


def test_print_a_read_and_search_results(ws, people, open_window, clock, tmp_path):
    ids = insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    window.read_actions.choose_pdf = lambda _parent, suggested: str(tmp_path / suggested)
    window.detail.load(ids[0])
    window.detail.actions.print_button.click()
    assert (tmp_path / f"read-{ids[0]}.pdf").is_file() and "Printed" in window.statusBar().currentMessage()
    window.search.plate.setText(window.detail.detail.read.plate)
    window.search.print_button.click()
    assert (tmp_path / "search-results.pdf").is_file()
    prints = [r for r in log_actions(ws) if r[2] == "print"]
    assert len(prints) == 2 and all(r[4] == "LHS-2026-004512" for r in prints)
    assert os.path.getsize(tmp_path / "search-results.pdf") > 1000
