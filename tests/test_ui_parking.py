"""The parking screens driven offscreen on a real store: occupancy with its charts,
violations with images and a citation, reconciliation with an import, totals and files, and
the appeal packet; the Parking tab is shown only to roles with parking functions."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QSettings

from app.ui.main_window import MainWindow
from app.ui.parking import AppealPanel, OccupancyPanel, ReconciliationPanel, ViolationsPanel

from . import parking_data as pd
from .evidence_data import add_images
from .ui_fixtures import log_actions, make_ctx


@pytest.fixture
def metro(tmp_path, qapp):
    ws, clock, people = pd.workstation(tmp_path)
    with ws.store.reading() as conn:
        add_images(ws, conn.execute("SELECT id, plate FROM reads").fetchall())
    yield ws, clock, people
    ws.close()


@pytest.fixture
def window(metro, qtbot, tmp_path):
    ws = metro[0]
    made = []

    def factory(session):
        ctx = make_ctx(ws)
        w = MainWindow(ctx, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
        ctx.set_session(session)
        w.show()
        made.append(w)
        return w
    yield factory
    for w in made:
        w.close()
        w.ctx.runner.shutdown()
        assert not [t for title, t in w.ctx.presenter.shown if title == "Unexpected error"]


def _day(panel) -> None:
    panel.day.setDate(QDate(pd.DAY.year, pd.DAY.month, pd.DAY.day))


def test_tab_only_for_parking_roles(metro, window):
    ws, _clock, people = metro
    w = window(people.user("aud1", "auditor", purpose=False))
    assert "parking" not in w.visible_screens()
    w2 = window(people.user("ops", "operations", purpose=False))
    assert "parking" in w2.visible_screens()
    assert [type(p) for p in w2.parking.panels] == [OccupancyPanel, ReconciliationPanel]


def test_occupancy_screen_draws_the_day_and_trend(metro, window, qtbot):
    ws, _clock, people = metro
    ops = people.user("ops", "operations", purpose=False)
    ws.set_purpose(ops, "OCCUPANCY", "PRK-20260001")
    w = window(ops)
    panel = w.parking.panel(OccupancyPanel)
    _day(panel)
    panel.days.setValue(7)
    panel.run_button.click()
    assert panel.live.text().startswith("Present now: 1 of 40")
    assert panel.by_hour.values[9] == 6 and panel.by_hour.capacity == 40
    assert len(panel.trend_week.values) == 7
    assert "09 6" in panel.by_hour.accessibleDescription()
    panel.grab()                                       # paints every chart without error
    assert log_actions(ws)[-1][2:4] == ("parking_occupancy", "OCCUPANCY")


def test_violations_screen_shows_images_and_issues_a_citation(metro, window):
    ws, _clock, people = metro
    officer = people.user("officer", "enforcement", purpose=False)
    ws.set_purpose(officer, "PARKING-ORD", "PRK-20260001")
    w = window(officer)
    panel = w.parking.panel(ViolationsPanel)
    _day(panel)
    panel.run_button.click()
    kinds = [(r[0], r[1]) for r in panel.model.rows]
    assert ("overstay", "8XYZ999") in kinds and ("no_permit", "6PRM777") in kinds
    row = kinds.index(("overstay", "8XYZ999"))
    panel.view.selectRow(row)
    assert all(not img.pixmap().isNull() for img in panel.images)
    views = [a for a in log_actions(ws) if a[2] == "view_image"]
    assert len(views) >= 2
    panel.citation.setText("CIT-20260001")
    panel.issue_button.click()
    assert "Citation CIT-20260001 recorded" in panel.status.text()
    # the wrong purpose is refused with a sentence in the status line
    ws.set_purpose(officer, "REVENUE", "PRK-20260001")
    panel.run_button.click()
    assert "only under purpose PARKING-ORD" in panel.status.text()


def test_reconciliation_screen_imports_totals_and_saves(metro, window, tmp_path):
    ws, _clock, people = metro
    ops = people.user("ops", "operations", purpose=False)
    ws.set_purpose(ops, "REVENUE", "PRK-20260001")
    pay, _per = pd.files(tmp_path)
    w = window(ops)
    panel = w.parking.panel(ReconciliationPanel)
    _day(panel)
    panel.import_file(pay)
    assert panel.status.text().startswith("7 transactions imported, 3 lines rejected: line 9:")
    panel.run_button.click()
    shown = {panel.totals.itemAt(i * 2).widget().text(): panel.totals.itemAt(i * 2 + 1).widget().text()
             for i in range(panel.totals.rowCount())}
    assert shown["Payments without a stay"] == "3.00" and shown["Collected (all transactions)"] == "15.00"
    assert any(r[0] == "payment_without_stay" for r in panel.model.rows)
    panel.save(tmp_path / "day.pdf")
    panel.save(tmp_path / "day.csv")
    assert (tmp_path / "day.pdf").stat().st_size > 1000 and (tmp_path / "day.csv").exists()


def test_appeal_screen_builds_a_packet(metro, window, tmp_path):
    ws, _clock, people = metro
    officer = people.user("officer", "enforcement", purpose=False)
    ws.set_purpose(officer, "PARKING-ORD", "PRK-20260001")
    f = next(f for f in ws.parking.violations(officer, "NHO", pd.DAY) if f.stay.plate == "6PRM777")
    ws.parking.issue_citation(officer, "NHO", f.stay.entry_read_id, "no_permit", "CIT-20260002")
    ws.set_purpose(officer, "TRANSIT-COURT", "CIT-20260002")
    w = window(officer)
    panel = w.parking.panel(AppealPanel)
    panel.run_button.click()
    assert panel.model.rows[0][:3] == ["CIT-20260002", "no_permit", "6PRM777"]
    (tmp_path / "usb").mkdir()
    panel.build(tmp_path / "usb")
    assert panel.result_label.text().startswith("Packet written and read back:")
    assert any(p.name == "statement.pdf" for p in (tmp_path / "usb").rglob("*"))
