"""Parking facilities come from the city server like cameras (embedded and real PostgreSQL):
synced, checked, and paired into stays from the reads that came with them."""
from __future__ import annotations

import pytest

from app.engine.errors import SyncError
from app.engine.workstation import Workstation
from app.server.model import Camera, ParkingFacility

from . import parking_data as pd
from .conftest import Clock, People
from .server_helpers import add_reads, city  # noqa: F401


@pytest.fixture
def metro(tmp_path):
    clock = Clock(pd.NOW)
    ws = Workstation.create(tmp_path / "metro", "lametro-parking", clock)
    yield ws, clock, People(ws, clock)
    ws.close()


def _facility(spec: str | None = None) -> ParkingFacility:
    f = pd.FACILITY
    return ParkingFacility(f.id, f.name, f.capacity, spec or f.to_spec())


def test_facilities_sync_from_the_city_server_and_pair_into_stays(metro, city):
    ws, clock, people = metro
    city.server.put_cameras([Camera(c, n, s) for c, n, s in pd.CAMERAS])
    city.server.put_facilities([_facility()])
    add_reads(city.server, [("7ABC123", pd.at(8), "NHO-IN"), ("7A8C123", pd.at(9, 30), "NHO-OUT"),
                            ("8XYZ999", pd.at(7), "NHO-IN")], int(clock()))
    admin = people.admin()
    ws.sync.configure(admin, city.address, city.secret)
    list(ws.sync.run(admin))
    officer = people.user("officer", "enforcement", purpose=False)
    assert [f.id for f in ws.parking.facilities(officer)] == ["NHO"]
    ws.set_purpose(officer, "PARKING-ORD", "PRK-20260001")
    got = ws.parking.stays(officer, "NHO", pd.DAY)
    assert sorted((s.plate, s.exit_plate, s.open) for s in got.stays) == \
        [("7ABC123", "7A8C123", False), ("8XYZ999", None, True)]
    # a later sync: the exit arrives, the facility's capacity changes; stays follow
    add_reads(city.server, [("8XYZ999", pd.at(20, 30), "NHO-OUT")], int(clock()), seed=1)
    city.server.put_facilities([ParkingFacility("NHO", pd.FACILITY.name, 55, pd.FACILITY.to_spec())])
    list(ws.sync.run(admin))
    assert ws.parking.facilities(officer)[0].capacity == 55
    assert not any(s.open for s in ws.parking.stays(officer, "NHO", pd.DAY).stays)


def test_a_malformed_facility_stops_the_sync_with_a_sentence(metro, city):
    ws, _clock, people = metro
    city.server.put_facilities([_facility('{"entry_cameras": ["X"]}')])
    admin = people.admin()
    ws.sync.configure(admin, city.address, city.secret)
    with pytest.raises(SyncError, match="malformed parking facility 'NHO'.*exit camera"):
        list(ws.sync.run(admin))
