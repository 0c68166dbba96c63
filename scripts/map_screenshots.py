"""Screenshots of the search results as a street map and as pictures, and of the camera-map
analysis over the streets, in a real X window, into docs/screenshots/.

Run under a keyring and Xvfb:
    scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/map_screenshots.py

It reuses scripts/screenshots.py's throwaway store with sample data, imports the demo city's
street layer as the administrator, adds one day's trip of a stolen car across four cameras,
and grabs the Map and Pictures views of the search screen.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import begin, finish, login, prepare, settle, shoot, window_for  # noqa: E402

from app.engine import timefmt  # noqa: E402
from app.server.democity.streets import write_geojson  # noqa: E402
from tests.conftest import CAMERAS  # noqa: E402

TRIP_PLATE = "8XYZ999"


def add_trip(ws) -> None:
    """Yesterday's trip of the stolen car: five reads at four cameras, in the profile's zone."""
    tz = timefmt.zone(ws.profile.time_zone)
    day = timefmt.today(time.time() - 86400, tz)
    at = [(7, 42, 0), (8, 5, 2), (12, 31, 3), (17, 12, 1), (17, 30, 0)]
    first = ws.store.query_one("SELECT max(id) + 1 FROM reads")[0]
    rows = [(first + i, TRIP_PLATE,
             timefmt.wall_to_ts(day.year, day.month, day.day, h, m, tz), CAMERAS[c][0], 0.93, "Flock", "CA")
            for i, (h, m, c) in enumerate(at)]
    with ws.store.transaction() as conn:
        conn.executemany("INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor, "
                         "plate_state) VALUES (?,?,?,?,?,?,?)", rows)
        conn.execute("INSERT INTO hits(read_id, entry_id, created_at) SELECT id, 1, read_at FROM reads "
                     "WHERE id >= ? AND plate = ?", (first, TRIP_PLATE))


def main() -> int:
    args, tmp = begin(__doc__, "alpr-map-shots-")
    ws, secrets = prepare(tmp / "store")
    admin = login(ws, "amanager", secrets)
    ws.streets.import_file(admin, write_geojson(tmp / "gis" / "calabasas-streets.geojson"))
    add_trip(ws)
    deputy = login(ws, "dlopez", secrets)
    ws.set_purpose(deputy, "STOLEN-VEH", "LHS-2026-004777")
    ctx, window = window_for(ws, deputy, tmp)
    panel = window.search
    panel.hits_only.setChecked(True)                  # every hit, no plate: sightings at each camera
    panel.run_search()
    settle(ctx, 0.5)
    panel.views.show_view(2)
    settle(ctx, 0.8)
    shoot(window, args.out, "map-results")

    panel.hits_only.setChecked(False)
    panel.plate.setText(TRIP_PLATE)
    panel.mode.setCurrentIndex(panel.mode.findData("exact"))
    panel.run_search()
    settle(ctx, 0.5)
    smap = panel.views.map.map
    trip = max(panel.model.rows, key=lambda r: r.id)
    smap.click_read(trip.id)
    settle(ctx, 1.0)
    shoot(window, args.out, "map")

    panel.plate.setText("ABC")
    panel.mode.setCurrentIndex(panel.mode.findData("partial"))
    panel.run_search()
    settle(ctx, 0.5)
    panel.views.show_view(1)
    settle(ctx, 1.5)
    panel.table.selectRow(2)
    settle(ctx, 1.5)
    shoot(window, args.out, "grid")

    from app.ui.analyses import CameraMapPanel
    tabs = window.analyses
    if tabs is not None:
        window.tabs.setCurrentWidget(tabs)
        cm = tabs.panel(CameraMapPanel)
        tabs.tabs.setCurrentWidget(cm)
        cm.run()
        settle(ctx, 1.0)
        cm.click_camera("CAM-CC-E")
        settle(ctx, 0.5)
        shoot(window, args.out, "map-camera")
    finish(window, ctx)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
