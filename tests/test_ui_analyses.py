"""The analysis panels driven through real widgets on a real encrypted store (offscreen)."""
from __future__ import annotations

import json

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from app.ui.analyses import AnalysesTabs, CameraMapPanel, ClonesPanel, ConvoyPanel, LocatePanel, StakeoutPanel
from app.ui.analyses.common import set_time
from app.ui.context import AppContext
from app.ui.detail import ReadDetailPanel
from app.ui.errors import ErrorPresenter
from app.ui.ops import ImmediateRunner
from tests import analyses_data


@pytest.fixture
def env(ws, people, clock, qtbot):
    known = analyses_data.load(ws, clock())
    session = people.user("dwatts", "deputy")
    presenter = ErrorPresenter(interactive=False)
    runner = ImmediateRunner(presenter)
    tabs = AnalysesTabs(ws, session, runner)
    qtbot.addWidget(tabs)
    tabs.resize(1300, 800)
    tabs.show()
    ctx = AppContext(ws, runner, presenter)
    ctx.session = session
    detail = ReadDetailPanel(ctx)
    qtbot.addWidget(detail)
    tabs.read_activated.connect(detail.load)
    return tabs, known, presenter


def entries(ws, action):
    return [(json.loads(q), json.loads(ids)) for q, ids in ws.store.query(
        "SELECT query, result_ids FROM access_log WHERE action = ? ORDER BY seq", (action,))]


def dclick(qtbot, view, row, col=0):
    tabs = view.window()
    if isinstance(tabs, AnalysesTabs):
        tabs.tabs.setCurrentWidget(next(p for p in tabs.panels if p.isAncestorOf(view)))
    rect = view.visualRect(view.model().index(row, col))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())   # Qt 6 wants the press
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_stakeout_panel_finds_common_plates_and_opens_a_read(ws, env, qtbot):
    tabs, k, presenter = env
    panel = tabs.panel(StakeoutPanel)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    for row, (kind, key, start, end) in zip(panel.rows, k.stakeout_places):
        row.where.setCurrentIndex(row.where.findData(f"{kind}:{key}"))
        set_time(row.start, start)
        set_time(row.end, end)
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert presenter.shown == []
    assert [r[:2] for r in panel.plates_model.rows] == [["3OF3AAA", "1, 2, 3"], ["2OF3BBB", "1, 3"]]
    assert panel.reads_model.ids == [101, 102, 103]
    assert [r[0] for r in panel.reads_model.rows] == ["1", "2", "3"]
    # The street map rings the three places and joins the plate's reads in time order.
    assert [label for label, _cams in panel.map.places] == [
        p.name(i) for i, p in enumerate(panel.result.query.places)]
    assert all(cams for _label, cams in panel.map.places)
    assert [r.id for r in panel.map.path] == [101, 102, 103] and len(panel.map.shown) == 3
    panel.plates_view.selectRow(1)
    assert panel.reads_model.ids == [104, 105]
    assert sorted(r.id for r in panel.map.shown) == [104, 105]
    dclick(qtbot, panel.reads_view, 1)
    assert entries(ws, "view")[-1][1] == [105]
    q, ids = entries(ws, "analysis")[-1]
    assert q["analysis"] == "stakeout" and len(q["places"]) == 3 and sorted(ids) == [101, 102, 103, 104, 105]


def test_locate_panel_shows_counts_chart_and_last_sighting(ws, env, qtbot):
    tabs, _k, presenter = env
    panel = tabs.panel(LocatePanel)
    qtbot.keyClicks(panel.plate, "loc0001")
    qtbot.keyClick(panel.plate, Qt.Key.Key_Return)
    assert presenter.shown == []
    assert panel.chart.by_hour[8] == 2 and panel.chart.by_weekday[:3] == (1, 1, 1)
    assert "CAM-CC-E" in panel.last.text()
    assert [r[0] for r in panel.cams_model.rows] == ["CAM-LV-N", "CAM-CC-E"]
    panel.chart.grab()                                   # paints without error
    dclick(qtbot, panel.cams_view, 0)                    # a camera row opens its last read
    assert entries(ws, "view")[-1][1] == [402]


def test_convoy_panel_ranks_companions_and_prints(ws, env, qtbot, tmp_path):
    tabs, k, presenter = env
    panel = tabs.panel(ConvoyPanel)
    panel.plate.setText("TGT1234")
    set_time(panel.start, k.convoy_start)
    set_time(panel.end, k.convoy_start + 86400)
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert presenter.shown == []
    assert [r[1:4] for r in panel.comp_model.rows] == [["PAL5678", "4", "4"]]
    assert sorted(panel.reads_model.ids) == [200, 201, 202, 203, 210, 211, 212, 213]
    assert panel.print_button.isEnabled()
    panel.print_pdf(tmp_path / "convoy.pdf")
    assert (tmp_path / "convoy.pdf").read_bytes().startswith(b"%PDF")
    assert entries(ws, "print")[-1][0]["analysis"] == "convoy"


def test_clones_panel_lists_the_pair_and_opens_either_read(ws, env, qtbot, tmp_path):
    tabs, k, presenter = env
    panel = tabs.panel(ClonesPanel)
    set_time(panel.start, k.base)
    set_time(panel.end, k.base + 9 * 86400)
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert presenter.shown == []
    # 480 km/h shown in the US profile's unit; the form's 100 mph went to the engine in km/h
    assert [(r[0], r[1], r[4], r[9]) for r in panel.model.rows] == [("CLN4321", "301", "302", "298")]
    assert panel.model.headers[9] == "mph" and panel.model.headers[7] == "mi"
    assert panel.max_speed.suffix() == " mph"
    assert abs(panel.build_query().max_kmh - 160.934) < 0.01
    assert "CAM-NOGPS" in panel.note.text()
    printed = []
    panel.print_pdf(tmp_path / "clones.pdf", printed.append)
    text = "\n".join(p.extract_text() for p in PdfReader(str(printed[0])).pages)
    assert "298" in text and "mph" in text and "km/h" not in text
    assert "Max plausible speed\n(mph)\n100" in text and "PST" in text
    with qtbot.waitSignal(panel.read_activated) as sig:
        dclick(qtbot, panel.view, 0, 5)
    assert sig.args == [302]


def test_camera_map_panel_draws_cameras_and_a_click_filters(ws, env, qtbot):
    tabs, k, presenter = env
    panel = tabs.panel(CameraMapPanel)
    set_time(panel.start, k.base)
    set_time(panel.end, k.base + 9 * 86400)
    panel.resize(900, 600)
    panel.show()
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert presenter.shown == []
    view = panel.view                                            # the street map widget
    assert set(view.camera_xy) == {"CAM-LV-N", "CAM-LV-S", "CAM-CC-E", "CAM-MP-W", "CAM-FAR-E"}
    assert "CAM-NOGPS" in panel.status.text()
    assert view.camera_colour["CAM-FAR-E"] != view.camera_colour["CAM-LV-N"]   # 1 read vs the busiest
    assert view.camera_xy["CAM-FAR-E"][0] > view.camera_xy["CAM-LV-N"][0]        # east is right
    with qtbot.waitSignal(tabs.camera_clicked) as sig:
        pos = view.screen_xy(*view.camera_xy["CAM-FAR-E"]).toPoint()
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=pos)
    assert sig.args == ["CAM-FAR-E"]
    assert entries(ws, "analysis")[-1][0]["analysis"] == "camera_map"


def test_a_role_without_analysis_sees_the_engine_refusal(ws, people, clock, qtbot):
    analyses_data.load(ws, clock())
    presenter = ErrorPresenter(interactive=False)
    panel = LocatePanel(ws, people.user("aud", "auditor"), ImmediateRunner(presenter))
    qtbot.addWidget(panel)
    panel.plate.setText("LOC0001")
    panel.run()
    assert presenter.shown and presenter.shown[-1][0] == "Not permitted"
    assert panel.result is None and not panel.print_button.isEnabled()


def test_result_reads_export_as_evidence(ws, env, qtbot, tmp_path):
    tabs, k, presenter = env
    panel = tabs.panel(ConvoyPanel)
    panel.plate.setText("TGT1234")
    set_time(panel.start, k.convoy_start)
    set_time(panel.end, k.convoy_start + 86400)
    panel.run()
    assert panel.export_button.isEnabled()
    target = tmp_path / "usb"
    target.mkdir()
    panel.export_evidence(target, "Convoy of TGT1234 for case review")
    assert presenter.shown == [], presenter.shown
    res = panel.last_export
    assert res is not None and res.path.exists() and sorted(res.read_ids) == sorted(panel.result.read_ids)
    assert "written and verified" in panel.status.text()
