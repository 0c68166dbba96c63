"""The results' street map and picture grid (issue 15, parts 6 and 7) on the real window: the
map draws an imported GeoJSON or GeoPackage with the cameras and the results; a click on a
camera or a sighting filters; a day's path is in time order; the grid shows crops lazily off
the GUI thread, logs them like the detail does, and switching views keeps the selection."""
from __future__ import annotations

import json

from PySide6.QtCore import QPointF, Qt

from app.engine.streets import path
from app.ui.street_map import StreetMap

from .streets_data import LINES, geojson_file, gpkg_file
from .ui_fixtures import last_seq, log_actions, make_ctx, open_window  # noqa: F401
from .ui_sample import PLATES, insert_sample


def _search(window, plate: str, mode: str = "exact"):
    panel = window.search
    panel.plate.setText(plate)
    panel.mode.setCurrentIndex(panel.mode.findData(mode))
    panel.search_button.click()
    return panel


def _map_with_streets(ws, people, open_window, tmp_path, clock, fmt: str):
    insert_sample(ws, int(clock()))
    make = geojson_file if fmt == "geojson" else gpkg_file
    ws.streets.import_file(people.admin(), make(tmp_path / f"streets.{fmt}"))
    window = open_window(people.user("ddeputy", "deputy"))
    panel = _search(window, "7ABC", "partial")
    seq = last_seq(ws)
    panel.views.show_view(2)
    return window, panel, panel.views.map, seq


def test_the_map_draws_imported_geojson_and_a_click_on_a_camera_filters(ws, people, open_window,
                                                                       tmp_path, clock, qtbot):
    window, panel, view, seq = _map_with_streets(ws, people, open_window, tmp_path, clock, "geojson")
    smap: StreetMap = view.map
    qtbot.waitUntil(lambda: bool(smap.cameras), timeout=5000)
    assert smap.streets.elementCount() == sum(len(pts) for _, pts in LINES)
    assert sorted(smap.cameras) == ["CAM-CC-E", "CAM-LV-N", "CAM-LV-S", "CAM-MP-W"]
    rows = panel.model.rows
    assert len(smap.shown) == len(rows) == 12 and {r.plate for r in rows} == {"7ABC123", "7ABC128"}
    assert [a for _, _, a, *_ in log_actions(ws, seq)] == []      # drawing the results logs nothing new
    smap.grab()                                                   # paints without error
    at = smap.screen_xy(*smap.camera_xy["CAM-CC-E"])
    with qtbot.waitSignal(smap.camera_clicked) as clicked:
        qtbot.mouseClick(smap, Qt.MouseButton.LeftButton, pos=at.toPoint())
    assert clicked.args == ["CAM-CC-E"]
    assert smap.shown and {r.camera_id for r in smap.shown} == {"CAM-CC-E"}
    assert "at CAM-CC-E (filtered)" in view.note.text()
    checked = [panel.cameras.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.cameras.count())
               if panel.cameras.item(i).checkState() == Qt.CheckState.Checked]
    assert checked == ["CAM-CC-E"]                                # the search form narrowed too
    view.all_button.click()
    assert len(smap.shown) == 12


def test_a_click_on_a_sighting_opens_it_and_draws_its_plates_day_path(ws, people, open_window,
                                                                     tmp_path, clock, qtbot):
    window, panel, view, seq = _map_with_streets(ws, people, open_window, tmp_path, clock, "gpkg")
    smap = view.map
    qtbot.waitUntil(lambda: bool(smap.cameras), timeout=5000)
    assert smap.streets.elementCount() == 3 + 2 + 3 + 2 + 2             # the MultiLineString's parts
    target = next(r for r in smap.shown if r.plate == "7ABC128")
    i = smap.shown.index(target)
    t = smap.to_screen()
    pos = QPointF(smap._xy[i, 0] * t.m11() + t.dx(), -smap._xy[i, 1] * t.m22() + t.dy())
    with qtbot.waitSignal(smap.read_clicked):
        smap.click_at(pos)
    assert {r.plate for r in smap.shown} == {"7ABC128"}
    assert panel.model.rows[panel.table.currentIndex().row()].id == target.id
    assert window.detail.detail.read.id == target.id                  # opened: the logged view
    assert ("view", [target.id]) in [(a, json.loads(ids)) for _, _, a, _, _, _, ids in log_actions(ws, seq)]
    day = view.day.currentData()
    assert day == path.days([target], "7ABC128", window.ctx.tz)[0]
    drawn = smap.path
    assert drawn and [r.read_at for r in drawn] == sorted(r.read_at for r in drawn)
    assert target in drawn and all(r.plate == "7ABC128" for r in drawn)
    smap.grab()


def test_the_grid_loads_crops_lazily_logs_them_and_keeps_the_selection(ws, people, open_window, clock,
                                                                      qtbot):
    insert_sample(ws, int(clock()))
    ctx = make_ctx(ws, threaded=True)
    window = open_window(people.user("ddeputy", "deputy"), ctx)
    window.resize(1500, 920)
    panel = window.search
    panel.hits_only.setChecked(True)
    _search(window, "", "exact")
    qtbot.waitUntil(lambda: len(panel.model.rows) == 18, timeout=10_000)
    panel.table.selectRow(4)
    chosen = panel.model.rows[4].id
    qtbot.waitUntil(lambda: ctx.runner.idle, timeout=10_000)
    seq = last_seq(ws)
    panel.views.show_view(1)
    grid = panel.views.grid
    assert grid.isVisible() and grid.currentIndex().row() == 4
    assert grid.cache.thumbs == {}                                   # nothing until painted
    qtbot.waitUntil(lambda: len(grid.cache.thumbs) >= 6, timeout=10_000)
    qtbot.waitUntil(lambda: ctx.runner.idle, timeout=10_000)
    logged = [(a, json.loads(q), json.loads(ids)) for _, _, a, _, _, q, ids in log_actions(ws, seq)]
    shown = set(grid.cache.thumbs)
    assert logged and all(a == "view_image" and q["view"] == "grid" for a, q, _ in logged)
    assert {i for _, _, ids in logged for i in ids} == shown
    assert all(log_actions(ws, seq)[0][3:5] == ("FELONY-INV", "LHS-2026-004512") for _ in logged)
    thumbs = grid.cache.thumbs[chosen]
    assert thumbs.plate is not None and thumbs.plate.width() <= 176 and thumbs.scene is not None
    # Selecting in the grid is selecting in the table, and back.
    grid.setCurrentIndex(panel.model.index(7, 0))
    panel.views.show_view(0)
    assert panel.table.currentIndex().row() == 7 and panel.table.isVisible()
    qtbot.waitUntil(lambda: window.detail.detail is not None
                    and window.detail.detail.read.id == panel.model.rows[7].id, timeout=10_000)
    # A new search forgets the pictures: they are fetched (and logged) again when shown.
    _search(window, "7ABC123")
    assert grid.cache.thumbs == {}
    assert set(PLATES) >= {r.plate for r in panel.model.rows}
