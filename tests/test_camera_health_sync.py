"""Camera health reaches the workstation: the receiver's outages are synced (an open one
updated when it ends), and the camera map and its report over a period name the cameras that
were offline in it; both city-server backends."""
from __future__ import annotations

from app.engine.analyses_types import CameraMapQuery
from app.engine.analysis_report import _sections
from app.server.receiver.tables import ReceiverTables
from tests.server_helpers import city, seed_city  # noqa: F401 - the fixture


def test_outages_sync_and_show_in_the_camera_map_over_a_period(ws, people, city, clock):  # noqa: F811
    now = int(clock())
    seed_city(city.server, now)
    tables = ReceiverTables(city.server)
    tables.seen({"CAM-LV-N": now - 7200, "CAM-CC-E": now - 7200})
    assert tables.offline("CAM-CC-E", now - 7000, "the camera system reports it is not running")
    assert not tables.offline("CAM-CC-E", now - 6000, "again")              # one open outage at a time
    ws.sync.configure(people.admin(), city.address, city.secret)
    deputy = people.user("pat.rivera", "prosecutor")
    list(ws.sync.run(deputy))
    assert ws.store.query("SELECT camera_id, started_at, ended_at FROM camera_outages") == \
        [("CAM-CC-E", now - 7000, None)]
    tables.seen({"CAM-CC-E": now - 3600})                                   # a read: back online
    list(ws.sync.run(deputy))
    assert ws.store.query("SELECT camera_id, started_at, ended_at FROM camera_outages") == \
        [("CAM-CC-E", now - 7000, now - 3600)]
    during = ws.analyses.camera_map(deputy, CameraMapQuery(now - 8000, now - 5000))
    assert {c.camera_id: c.outages for c in during.cameras} == {
        "CAM-LV-N": (), "CAM-CC-E": ((now - 7000, now - 3600, "the camera system reports it is not running"),)}
    offline = dict((h, rows) for h, _cols, rows in _sections(during))["Cameras offline in the period"]
    assert [r[0] for r in offline] == ["CAM-CC-E"] and offline[0][3].startswith("the camera system")
    after = ws.analyses.camera_map(deputy, CameraMapQuery(now - 3000, now))
    assert all(not c.outages for c in after.cameras)
