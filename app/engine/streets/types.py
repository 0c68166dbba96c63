"""What the street map's engine side hands out: plain frozen dataclasses, no Qt."""
from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]             # (lon, lat), WGS84 degrees: GeoJSON's order


@dataclass(frozen=True)
class Segment:
    """One street centre-line as the city's GIS drew it: two points or more."""

    name: str | None
    points: tuple[Point, ...]


@dataclass(frozen=True)
class LayerInfo:
    """Which file the map's streets came from, and who imported it when."""

    source_file: str
    sha256: str
    format: str                         # geojson or gpkg
    segments: int
    imported_at: int
    imported_by: str


@dataclass(frozen=True)
class StreetLayer:
    info: LayerInfo | None              # None: no streets imported yet (cameras still draw)
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class MapCamera:
    """A camera where it stands (set-up data from the city server, not ALPR data)."""

    id: str
    name: str
    site: str
    lat: float
    lon: float
