"""The street map's engine side (issue 15, part 6): the city's centre-lines imported from
GeoJSON or a GeoPackage once, logged as an administrator's act; a bad file is refused with one
sentence and leaves the layer in use as it was; a plate's path over a day is in time order."""
from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from app.engine import timefmt
from app.engine.audit import describe
from app.engine.errors import PermissionDenied, ValidationError
from app.engine.search import SearchQuery
from app.engine.streets import path
from tests.conftest import insert_reads
from tests.streets_data import LINES, geojson_file, gpkg_blob, gpkg_file, wkb_line


def _log(ws, action: str) -> list[tuple]:
    return ws.store.query("SELECT username, query, detail FROM access_log WHERE action = ? ORDER BY seq",
                          (action,))


def test_geojson_and_geopackage_import_replace_the_layer_and_are_logged(ws, people, tmp_path):
    admin = people.admin()
    insert_reads(ws, [])                                  # the test cameras
    info = ws.streets.import_file(admin, geojson_file(tmp_path / "streets.geojson"))
    assert (info.format, info.segments, info.imported_by) == ("geojson", 4, "amanager")
    layer = ws.streets.layer(admin)
    assert [s.name for s in layer.segments] == [n for n, _ in LINES]
    assert layer.segments[0].points[1] == (-118.7047, 34.1436)
    gp = ws.streets.import_file(admin, gpkg_file(tmp_path / "streets.gpkg"))
    assert (gp.format, gp.segments) == ("gpkg", 5)      # the MultiLineString's two parts
    assert len(ws.streets.layer(admin).segments) == 5 and ws.streets.layer(admin).info == gp
    logged = _log(ws, "streets_import")
    assert [json.loads(q)["file"] for _, q, _ in logged] == ["streets.geojson", "streets.gpkg"]
    assert json.loads(logged[-1][2]) == {"sha256": gp.sha256, "format": "gpkg", "segments": 5}
    [entry] = [e for e in ws.audit_entries(admin) if e.action == "streets_import"][-1:]
    assert describe(entry) == (f"amanager (administrator) imported the street map streets.gpkg (5 street "
                               f"lines, gpkg, SHA-256 {gp.sha256[:16]}...).")
    with pytest.raises(PermissionDenied):
        ws.streets.import_file(people.user("dana.kim", "deputy"), tmp_path / "streets.gpkg")
    assert [c.id for c in ws.streets.cameras(admin)] == ["CAM-CC-E", "CAM-LV-N", "CAM-LV-S", "CAM-MP-W"]


def _bad_gpkg(tmp_path, name: str, change: str, params=()) -> object:
    path = gpkg_file(tmp_path / name)
    conn = sqlite3.connect(path)
    conn.execute(change, params)
    conn.commit()
    conn.close()
    return path


BAD_GEOJSON = {
    "not_json.geojson": (b"{\"type\": \"FeatureCollection\", ", "is not GeoJSON (it is not valid JSON"),
    "points.geojson": ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                       "geometry": {"type": "Point", "coordinates": [-118.7, 34.1]}}]},
                       "feature 1 is a Point: a street layer holds centre-lines"),
    "projected.geojson": ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                          "geometry": {"type": "LineString", "coordinates": [[6400000, 1900000],
                                                                             [6400100, 1900050]]}}]},
                          "coordinate off the globe (feature 1: 6400000, 1900000); re-export"),
    "crs.geojson": ({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:2229"}},
                     "features": []}, "another coordinate system (EPSG:2229)"),
    "short.geojson": ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                      "geometry": {"type": "LineString", "coordinates": [[-118.7, 34.1]]}}]},
                      "a line with fewer than two points (feature 1)"),
    "text.geojson": ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                     "geometry": {"type": "LineString", "coordinates": [["-118.7", 34.1], [-118.6, 34.1]]}}]},
                     "a coordinate that is not a number (feature 1)"),
    "empty.geojson": ({"type": "FeatureCollection", "features": []}, "holds no features"),
}


def test_a_bad_file_is_one_sentence_and_the_layer_in_use_stays(ws, people, tmp_path):
    admin = people.admin()
    good = ws.streets.import_file(admin, geojson_file(tmp_path / "streets.geojson"))
    cases = dict(BAD_GEOJSON)
    for name, (doc, _) in cases.items():
        (tmp_path / name).write_bytes(doc if isinstance(doc, bytes) else json.dumps(doc).encode())
    # The last feature is bad: nothing of the good ones before it may be kept.
    half = LINES + [("Broken", [(-118.7, 34.1), (200.0, 34.1)])]
    geojson_file(tmp_path / "half.geojson", half)
    cases["half.geojson"] = (None, "coordinate off the globe (feature 5: 200.0, 34.1)")
    gpkgs = {
        "nad83.gpkg": (_bad_gpkg(tmp_path, "nad83.gpkg", "UPDATE gpkg_geometry_columns SET srs_id = 2229"),
                       "is in coordinate system EPSG:2229; re-export the layer in WGS 84"),
        "polygon.gpkg": (_bad_gpkg(tmp_path, "polygon.gpkg", "UPDATE centerlines SET geom = ? WHERE fid = 2",
                                   (gpkg_blob(b"\x01\x03\x00\x00\x00\x00\x00\x00\x00"),)),
                         "centerlines feature 2 is not a line (WKB type 3)"),
        "truncated.gpkg": (_bad_gpkg(tmp_path, "truncated.gpkg", "UPDATE centerlines SET geom = ? WHERE fid = 3",
                                     (gpkg_blob(wkb_line(LINES[0][1])[:-9]),)),
                           "centerlines feature 3 has a truncated geometry"),
        "nogeom.gpkg": (_bad_gpkg(tmp_path, "nogeom.gpkg", "UPDATE centerlines SET geom = NULL WHERE fid = 1"),
                        "centerlines feature 1 has no geometry or a damaged one"),
        "nocontents.gpkg": (_bad_gpkg(tmp_path, "nocontents.gpkg", "DROP TABLE gpkg_contents"),
                            "is not a GeoPackage (it is not an SQLite database with gpkg_contents"),
    }
    (tmp_path / "damaged.gpkg").write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    gpkgs["damaged.gpkg"] = (tmp_path / "damaged.gpkg", "is not a GeoPackage")
    for name, (_doc, sentence) in [*cases.items(), *((n, (None, s)) for n, (_p, s) in gpkgs.items())]:
        with pytest.raises(ValidationError) as err:
            ws.streets.import_file(admin, tmp_path / name)
        text = str(err.value)
        assert sentence in text and text.count(". ") == 0 and "\n" not in text, (name, text)
    with pytest.raises(ValidationError, match="cannot be read"):
        ws.streets.import_file(admin, tmp_path / "missing.geojson")
    assert ws.streets.layer(admin).info == good and len(ws.streets.layer(admin).segments) == 4
    assert len(_log(ws, "streets_import")) == 1


def test_a_plates_path_over_a_day_is_in_time_order(ws, people, clock):
    tz = timefmt.zone(ws.profile.time_zone)
    day = timefmt.today(clock(), tz)
    noon = timefmt.wall_to_ts(day.year, day.month, day.day, 12, 0, tz)
    insert_reads(ws, [(1, "7PATH01", noon + 3600, "CAM-CC-E", 0.9), (2, "7PATH01", noon - 7200, "CAM-LV-N", 0.9),
                      (3, "7PATH01", noon, "CAM-MP-W", 0.9), (4, "7PATH01", noon - 86400, "CAM-LV-S", 0.9),
                      (5, "7OTHER1", noon + 60, "CAM-LV-N", 0.9), (6, "7PATH01", noon, "CAM-LV-S", 0.9)])
    s = people.user("dana.kim", "deputy")
    rows = ws.search(s, SearchQuery(plate="7PATH01")).rows          # newest first
    assert [r.id for r in rows] == [1, 6, 3, 2, 4]
    assert path.days(rows, "7PATH01", tz) == [date.fromordinal(day.toordinal() - 1), day]
    assert [r.id for r in path.day_path(rows, "7PATH01", day, tz)] == [2, 3, 6, 1]
