"""Street layers for the map tests: a GeoJSON file and a GeoPackage written here with sqlite3
(the minimal tables of OGC 12-128r18 and WKB geometries), both around the test cameras."""
from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path

# (name, [(lon, lat), ...]) through the conftest cameras (Las Virgenes, Calabasas Rd, Mulholland).
LINES = [("Las Virgenes Rd", [(-118.7060, 34.1300), (-118.7047, 34.1436), (-118.7040, 34.1500)]),
         ("Agoura Rd", [(-118.7200, 34.1433), (-118.6800, 34.1433)]),
         ("Calabasas Rd", [(-118.6600, 34.1520), (-118.6387, 34.1573), (-118.6300, 34.1600)]),
         ("Mulholland Hwy", [(-118.6700, 34.1300), (-118.6620, 34.1320), (-118.6540, 34.1339)])]


def geojson_file(path: Path, lines=LINES) -> Path:
    features = [{"type": "Feature", "properties": {"NAME": name},
                 "geometry": {"type": "LineString", "coordinates": [list(p) for p in pts]}}
                for name, pts in lines]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def wkb_line(points, z: bool = False) -> bytes:
    dims = 3 if z else 2
    out = struct.pack("<BII", 1, 1002 if z else 2, len(points))
    for p in points:
        out += struct.pack(f"<{dims}d", *p[:2], *([12.5] if z else []))
    return out


def gpkg_blob(wkb: bytes, srs: int = 4326) -> bytes:
    return b"GP" + bytes([0, 0b00000001]) + struct.pack("<i", srs) + wkb


def gpkg_file(path: Path, lines=LINES, srs: int = 4326, multi_last: bool = True) -> Path:
    """A GeoPackage with one feature table ``centerlines``; the last street as a
    MultiLineString with Z (as some GIS exports write them)."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        PRAGMA application_id = 1196444487;
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT,
            organization_coordsys_id INTEGER, definition TEXT, description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT,
            description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT,
            srs_id INTEGER, z INTEGER, m INTEGER);
        CREATE TABLE centerlines (fid INTEGER PRIMARY KEY, geom BLOB, FullName TEXT);
    """)
    conn.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, '', ''), "
                 "('NAD83 / California zone 5', 2229, 'EPSG', 2229, '', '')")
    conn.execute("INSERT INTO gpkg_contents VALUES ('centerlines', 'features', 'centerlines', '', "
                 "'2026-01-01T00:00:00Z', NULL, NULL, NULL, NULL, ?)", (srs,))
    conn.execute("INSERT INTO gpkg_geometry_columns VALUES ('centerlines', 'geom', 'LINESTRING', ?, 0, 0)",
                 (srs,))
    for i, (name, pts) in enumerate(lines):
        if multi_last and i == len(lines) - 1:
            half = len(pts) // 2 + 1
            parts = [wkb_line(pts[:half], z=True), wkb_line(pts[half - 1:], z=True)]
            wkb = struct.pack("<BII", 1, 1005, len(parts)) + b"".join(parts)
        else:
            wkb = wkb_line(pts)
        conn.execute("INSERT INTO centerlines(geom, FullName) VALUES (?, ?)", (gpkg_blob(wkb, srs), name))
    conn.commit()
    conn.close()
    return path
