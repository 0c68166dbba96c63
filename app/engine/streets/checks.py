"""Checks shared by the GeoJSON and GeoPackage readers: a city's export is untrusted input, so
every coordinate, name and count is bounded before it is stored, and the first fault found is
the one sentence the administrator reads (nothing is imported then)."""
from __future__ import annotations

import math
import re

from ..errors import ValidationError
from .types import Point, Segment

MAX_FILE_BYTES = 256 * 1024 * 1024      # a county's centre-lines are tens of megabytes
MAX_POINTS = 5_000_000
MAX_NAME = 120
NAME_KEYS = ("name", "fullname", "full_name", "streetname", "street_name", "st_name", "stname",
             "label", "road_name")
_UNCLEAN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
WGS84_HINT = "re-export the layer in WGS 84 (EPSG:4326) longitude/latitude"


class Budget:
    """Counts points across a whole file, so one huge export is refused, not half read."""

    def __init__(self) -> None:
        self.points = 0

    def take(self, n: int, where: str) -> None:
        self.points += n
        if self.points > MAX_POINTS:
            raise ValidationError(f"The street layer has more than {MAX_POINTS:,} points (at {where}); "
                                  "import the city's own streets, not a region's.")


def point(x: object, y: object, where: str) -> Point:
    """One WGS84 position, checked: numbers, finite, on the globe."""
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y)):
        raise ValidationError(f"The street layer has a coordinate that is not a number ({where}).")
    lon, lat = float(x), float(y)  # type: ignore[arg-type]  # checked to be int or float just above
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(f"The street layer has a coordinate off the globe ({where}: {x}, {y}); "
                              f"{WGS84_HINT}.")
    return round(lon, 7), round(lat, 7)


def segment(name: object, points: list[Point], where: str) -> Segment:
    if len(points) < 2:
        raise ValidationError(f"The street layer has a line with fewer than two points ({where}).")
    return Segment(clean_name(name), tuple(points))


def clean_name(value: object) -> str | None:
    """A street's name fit for a tooltip: text, one line, bounded; anything else is no name."""
    if not isinstance(value, str):
        return None
    text = " ".join(_UNCLEAN.sub(" ", value).split())[:MAX_NAME]
    return text or None


def name_of(properties: dict) -> object:
    """The street's name among the attribute names GIS exports commonly use, in any case."""
    lower = {str(k).lower(): v for k, v in properties.items()}
    return next((lower[k] for k in NAME_KEYS if isinstance(lower.get(k), str)), None)
