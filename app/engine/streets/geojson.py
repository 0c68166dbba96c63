"""Street centre-lines from a GeoJSON export (RFC 7946): LineString and MultiLineString features
in WGS84 longitude/latitude. Anything else in the file (a point, a polygon, another CRS) is
refused with a sentence, since a street layer drawn in the wrong place misleads."""
from __future__ import annotations

import json

from ..errors import ValidationError
from .checks import WGS84_HINT, Budget, name_of, point, segment
from .types import Point, Segment

_WGS84_NAMES = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326",
                "urn:ogc:def:crs:EPSG::4326", "CRS84"}


def read(data: bytes) -> list[Segment]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError("The file is not GeoJSON (it is not valid JSON text).") from None
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        raise ValidationError("The file is not a GeoJSON FeatureCollection of street lines.")
    _check_crs(doc.get("crs"))
    features = doc.get("features") if doc["type"] == "FeatureCollection" else [doc]
    if not isinstance(features, list) or not features:
        raise ValidationError("The GeoJSON file holds no features: export the street centre-lines.")
    budget, out = Budget(), []
    for i, feature in enumerate(features, 1):
        out += _feature(feature, i, budget)
    return out


def _check_crs(crs: object) -> None:
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if name not in _WGS84_NAMES:
        raise ValidationError(f"The GeoJSON file is in another coordinate system ({str(name)[:60]}); "
                              f"{WGS84_HINT}.")


def _feature(feature: object, i: int, budget: Budget) -> list[Segment]:
    where = f"feature {i}"
    if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
        raise ValidationError(f"GeoJSON {where} has no geometry; a street layer holds lines only.")
    geometry, props = feature["geometry"], feature.get("properties")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    name = name_of(props) if isinstance(props, dict) else None
    if kind == "LineString":
        lines = [coords]
    elif kind == "MultiLineString" and isinstance(coords, list):
        lines = coords
    else:
        raise ValidationError(f"GeoJSON {where} is a {str(kind)[:30]}: a street layer holds centre-lines "
                              "(LineString or MultiLineString) only.")
    return [segment(name, _line(line, where, budget), where) for line in lines]


def _line(line: object, where: str, budget: Budget) -> list[Point]:
    if not isinstance(line, list):
        raise ValidationError(f"GeoJSON {where} has a line that is not a list of positions.")
    budget.take(len(line), where)
    out = []
    for pos in line:
        if not isinstance(pos, list) or len(pos) < 2:
            raise ValidationError(f"GeoJSON {where} has a position that is not [longitude, latitude].")
        out.append(point(pos[0], pos[1], where))
    return out
