"""Distances and a flat projection for camera coordinates.

The cloned-plate check needs the great-circle distance between two cameras, and the camera
map needs x/y positions; a city is small enough that an equirectangular projection around
its centre is true to within a fraction of a percent, so no map library is needed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection around a centre: x east, y north, in kilometres."""

    lat0: float
    lon0: float

    @classmethod
    def around(cls, points: list[tuple[float, float]]) -> Projection:
        if not points:
            return cls(0.0, 0.0)
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        return cls((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)

    def xy_km(self, lat: float, lon: float) -> tuple[float, float]:
        k = math.pi / 180 * EARTH_RADIUS_KM
        return ((lon - self.lon0) * k * math.cos(math.radians(self.lat0)), (lat - self.lat0) * k)
