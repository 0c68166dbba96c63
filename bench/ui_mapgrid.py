"""The street map and the picture grid, timed inside ``bench/ui.py``'s window (issue 15).

* Map: 10,000 sightings (rows as a search returns them) over the demo city's streets; the time
  to lay them out and paint the map once, and a repaint alone (goal: under 200 ms).
* Grid: a search whose reads all have photos, shown as pictures and scrolled page by page with
  the scroll bar; thumbnails are fetched on the database thread and decoded on the pool, so
  the heartbeat's longest gap is the longest the GUI thread was blocked (goal: under 50 ms).
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from PySide6.QtWidgets import QApplication

from app.engine.search import ROW_SQL, row_from
from app.engine.streets import MapCamera, StreetLayer, read_file
from app.server.democity.streets import write_geojson
from tests.conftest import CAMERAS
from tests.ui_sample import _image_row, plate_image, scene_image

GOAL_MAP_MS = 200.0
GRID_PLATE = "7GRD"


def map_phase(window, folder, sightings: int = 10_000, repeat: int = 5) -> None:
    """Lay out and paint ``sightings`` rows on the results' street map."""
    ws = window.ctx.ws
    rows = [row_from(t) for t in ws.store.query(f"{ROW_SQL} ORDER BY r.id LIMIT ?", (sightings,))]
    _fmt, _data, segments = read_file(write_geojson(folder / "streets.geojson"))
    smap = window.search.views.map.map
    window.search.views.setCurrentIndex(2)
    smap.set_map(StreetLayer(None, tuple(segments)), [MapCamera(c[0], c[1], c[2], c[3], c[4])
                                                      for c in CAMERAS])
    QApplication.instance().processEvents()
    full, paint = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        smap.set_sightings(rows)
        smap.repaint()
        t1 = time.perf_counter()
        smap.repaint()
        full.append((t1 - t0) * 1000)
        paint.append((time.perf_counter() - t1) * 1000)
    med = statistics.median(full)
    print(f"street map: {len(smap.shown):,} sightings over {len(segments)} street lines laid out and "
          f"drawn in {med:.1f} ms (median of {repeat}, worst {max(full):.1f}; goal < {GOAL_MAP_MS:.0f} ms, "
          f"ratio {med / GOAL_MAP_MS:.2f}); a repaint alone {statistics.median(paint):.1f} ms")
    window.search.views.show_view(0)


def add_grid_reads(ws, count: int, now: int) -> None:
    """``count`` reads of GRID_PLATE… with a plate crop and a scene photo each."""
    first = ws.store.query_one("SELECT coalesce(max(id), 0) + 1 FROM reads")[0]
    images, reads = {}, []
    for i in range(count):
        plate = f"{GRID_PLATE}{i % 1000:03d}"
        crop, (scene, _box) = _image_row("plate", plate_image(plate)), scene_image(plate, i)
        scene_row = _image_row("scene", scene)
        images[crop[0]], images[scene_row[0]] = crop, scene_row
        reads.append((first + i, plate, now - 60 * (i + 1), CAMERAS[i % 4][0],
                      0.9, "Bench", crop[0], scene_row[0]))
    with ws.store.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO images(sha256, kind, mime, width, height, size, data) "
                         "VALUES (unhex(?),?,?,?,?,?,?)", list(images.values()))
        conn.executemany("INSERT INTO reads(id, plate, read_at, camera_id, confidence, "
                         "vendor, plate_image_sha256, scene_image_sha256) VALUES (?,?,?,?,?,?,unhex(?),unhex(?))",
                         reads)


def grid_phase(window, beat, pump_until: Callable, reads: int) -> float:
    """Scroll the picture grid of ``reads`` photographed reads; returns the GUI's max block."""
    ctx, panel = window.ctx, window.search
    panel.plate.setText(GRID_PLATE)
    panel.mode.setCurrentIndex(panel.mode.findData("partial"))
    panel.set_range(None, None)
    for i in range(panel.cameras.count()):
        panel.cameras.item(i).setCheckState(panel.cameras.item(i).checkState().Unchecked)
    panel.search_button.click()
    pump_until(lambda: ctx.runner.idle and panel.model.rowCount() > 0)
    panel.views.show_view(1)
    grid = panel.views.grid
    bar = grid.verticalScrollBar()
    pump_until(lambda: ctx.runner.idle and bool(grid.cache.thumbs))
    blocks, waits = [], []
    step = grid.viewport().height()
    while True:
        beat.reset()
        t0 = time.perf_counter()
        bar.setValue(bar.value() + step)
        QApplication.instance().processEvents()          # the new cards are painted and ask
        pump_until(lambda: not grid.cache.pending and ctx.runner.idle)
        QApplication.instance().processEvents()          # the thumbnails that came are painted
        waits.append((time.perf_counter() - t0) * 1000)
        blocks.append(beat.worst_ms())
        if bar.value() >= bar.maximum() and not panel.model.canFetchMore():
            break
    print(f"picture grid: {panel.model.rowCount():,} reads with photos, {len(blocks)} screens scrolled "
          f"({len(grid.cache.thumbs):,} reads' thumbnails fetched, logged and decoded), each screen's "
          f"pictures shown {statistics.median(waits):.1f} ms after the scroll (median, worst "
          f"{max(waits):.1f}); GUI max block {max(blocks):.1f} ms (median screen "
          f"{statistics.median(blocks):.1f})")
    panel.views.show_view(0)
    return max(blocks)
