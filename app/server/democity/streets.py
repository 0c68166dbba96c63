"""The demo city's street centre-lines, as a city's GIS would export them (GeoJSON).

The main roads run through the demo cameras' intersections (``sites.CAMERAS``) along roughly
their real courses; short side streets off them are drawn from a seeded generator so the map
looks like a town. Approximate and made up, like the rest of the demo city: good enough to
see where a car went, not to navigate by.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

# (name, kind, [(lat, lon), ...]) through the camera intersections, west to east or south to north.
ROADS = [
    ("Ventura Fwy (US-101)", "freeway", [(34.1452, -118.7450), (34.1437, -118.7143), (34.1475, -118.7004),
                                         (34.1503, -118.6800), (34.1530, -118.6600), (34.1556, -118.6420),
                                         (34.1580, -118.6200)]),
    ("Las Virgenes Rd", "arterial", [(34.1045, -118.7095), (34.1142, -118.7119), (34.1290, -118.7090),
                                     (34.1436, -118.7047), (34.1475, -118.7005), (34.1600, -118.7010)]),
    ("Malibu Canyon Rd", "arterial", [(34.0900, -118.7050), (34.1045, -118.7095)]),
    ("Agoura Rd", "arterial", [(34.1436, -118.7450), (34.1436, -118.7143), (34.1436, -118.7047),
                               (34.1445, -118.6900)]),
    ("Lost Hills Rd", "arterial", [(34.1350, -118.7160), (34.1437, -118.7143), (34.1600, -118.7140)]),
    ("Mulholland Hwy", "arterial", [(34.1142, -118.7119), (34.1200, -118.6950), (34.1290, -118.6700),
                                    (34.1339, -118.6540), (34.1386, -118.6347)]),
    ("Calabasas Rd", "arterial", [(34.1490, -118.6800), (34.1531, -118.6566), (34.1578, -118.6395),
                                  (34.1605, -118.6250)]),
    ("Parkway Calabasas", "arterial", [(34.1350, -118.6660), (34.1428, -118.6615), (34.1531, -118.6566)]),
    ("Park Granada", "local", [(34.1428, -118.6615), (34.1440, -118.6500), (34.1470, -118.6420)]),
    ("Old Topanga Canyon Rd", "arterial", [(34.1300, -118.6330), (34.1386, -118.6347),
                                           (34.1500, -118.6365), (34.1578, -118.6395)]),
    ("Mureau Rd", "local", [(34.1475, -118.7004), (34.1560, -118.6950), (34.1620, -118.6880)]),
    ("Park Sorrento", "local", [(34.1531, -118.6566), (34.1585, -118.6600), (34.1640, -118.6580)]),
]
SIDE_NAMES = ("Ave", "Way", "Ct", "Pl", "Dr", "Ln")


def _densify(points: list[tuple[float, float]], step_km: float = 0.25) -> list[tuple[float, float]]:
    """Points every ``step_km`` along a road, with a slight bend, so it does not look ruled."""
    out = [points[0]]
    for (a_lat, a_lon), (b_lat, b_lon) in zip(points, points[1:]):
        km = math.hypot((b_lat - a_lat) * 111, (b_lon - a_lon) * 92)
        n = max(1, int(km / step_km))
        for i in range(1, n + 1):
            t = i / n
            bend = 0.0004 * math.sin(math.pi * t) if n > 2 else 0.0
            out.append((a_lat + (b_lat - a_lat) * t + bend, a_lon + (b_lon - a_lon) * t))
    return out


def _side_streets(rng: np.random.Generator) -> list[tuple[str, str, list[tuple[float, float]]]]:
    """Short residential streets leaving the arterials at right angles, some with a cross street."""
    out = []
    for name, kind, pts in ROADS:
        if kind == "freeway":
            continue
        dense = _densify(pts, 0.35)
        for i, ((a_lat, a_lon), (b_lat, b_lon)) in enumerate(zip(dense, dense[1:])):
            if rng.random() < 0.35:
                continue
            d_lat, d_lon = (b_lat - a_lat) * 111, (b_lon - a_lon) * 92
            norm = math.hypot(d_lat, d_lon) or 1.0
            side = 1 if rng.random() < 0.5 else -1
            length = float(rng.uniform(0.25, 0.6))
            n_lat, n_lon = -d_lon / norm * side * length / 111, d_lat / norm * side * length / 92
            start = ((a_lat + b_lat) / 2, (a_lon + b_lon) / 2)
            end = (start[0] + n_lat, start[1] + n_lon)
            label = f"{name.split()[0]} {int(rng.integers(100, 990))} {SIDE_NAMES[i % len(SIDE_NAMES)]}"
            out.append((label, "local", [start, end]))
            if rng.random() < 0.4:
                half = (d_lat / norm * 0.18 / 111, d_lon / norm * 0.18 / 92)
                out.append((f"{label} Cir", "local", [(end[0] - half[0], end[1] - half[1]),
                                                      (end[0] + half[0], end[1] + half[1])]))
    return out


def geojson(seed: int = 2026) -> dict:
    """The layer as a GeoJSON FeatureCollection (WGS84 longitude, latitude)."""
    features = []
    for name, kind, pts in ROADS + _side_streets(np.random.default_rng(seed)):
        line = _densify(pts) if kind != "local" else pts
        features.append({"type": "Feature", "properties": {"FULLNAME": name, "ROAD_CLASS": kind},
                         "geometry": {"type": "LineString",
                                      "coordinates": [[round(lon, 6), round(lat, 6)] for lat, lon in line]}})
    return {"type": "FeatureCollection", "name": "calabasas_street_centerlines", "features": features}


def write_geojson(path: Path, seed: int = 2026) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(geojson(seed)), encoding="utf-8")
    return path
