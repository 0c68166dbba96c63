"""Street centre-lines from an OGC GeoPackage, read with the standard library's sqlite3.

A GeoPackage is an SQLite file: ``gpkg_contents`` names the feature tables, ``gpkg_geometry_columns``
their geometry column and coordinate system, and each geometry is a small header ("GP", flags,
SRS id, optional envelope) followed by standard WKB, parsed here (LineString, MultiLineString,
with or without Z/M). The file is opened read-only and immutable: it is only looked at.
"""
from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

from ..errors import ValidationError
from .checks import NAME_KEYS, WGS84_HINT, Budget, point, segment
from .types import Point, Segment

_ENVELOPE = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_LINE, _MULTI = 2, 5


def read(path: Path) -> list[Segment]:
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        raise ValidationError("The file is not a GeoPackage (it cannot be opened as one).") from None
    try:
        return _tables(conn)
    except sqlite3.Error:
        raise ValidationError("The file is not a GeoPackage (it is not an SQLite database with "
                              "gpkg_contents, or it is damaged).") from None
    finally:
        conn.close()


def _tables(conn: sqlite3.Connection) -> list[Segment]:
    tables = conn.execute(
        "SELECT c.table_name, g.column_name, s.organization, s.organization_coordsys_id "
        "FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name "
        "LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id "
        "WHERE c.data_type = 'features' ORDER BY c.table_name").fetchall()
    if not tables:
        raise ValidationError("The GeoPackage holds no feature table: export the street centre-lines.")
    budget, out = Budget(), []
    for table, column, org, code in tables:
        if not (str(org).upper() == "EPSG" and code == 4326):
            raise ValidationError(f"The GeoPackage table {str(table)[:60]} is in coordinate system "
                                  f"{org}:{code}; {WGS84_HINT}.")
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({_quote(table)})")]
        name = next((c for k in NAME_KEYS for c in cols if c.lower() == k), None)
        picked = f"{_quote(name)}, " if name else "NULL, "
        for i, (label, blob) in enumerate(conn.execute(
                f"SELECT {picked}{_quote(column)} FROM {_quote(table)}"), 1):
            where = f"{str(table)[:60]} feature {i}"
            out += [segment(label, line, where) for line in _geometry(blob, where, budget)]
    return out


def _quote(identifier: str) -> str:
    return '"' + str(identifier).replace('"', '""') + '"'


def _geometry(blob: object, where: str, budget: Budget) -> list[list[Point]]:
    """The lines of one GeoPackage geometry blob."""
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        raise ValidationError(f"The GeoPackage {where} has no geometry or a damaged one.")
    flags = blob[3]
    envelope = _ENVELOPE.get((flags >> 1) & 0x07)
    if envelope is None:
        raise ValidationError(f"The GeoPackage {where} has a damaged geometry header.")
    if flags & 0x10:
        raise ValidationError(f"The GeoPackage {where} has an empty geometry; a street needs a line.")
    try:
        lines, _end = _wkb(blob, 8 + envelope, where, budget)
    except struct.error:
        raise ValidationError(f"The GeoPackage {where} has a truncated geometry.") from None
    return lines


def _wkb(buf: bytes, at: int, where: str, budget: Budget, *, inner: bool = False
         ) -> tuple[list[list[Point]], int]:
    """The lines of the WKB geometry at ``at`` and where it ends; inside a MultiLineString
    only a LineString may follow (so a hostile blob cannot nest deeply)."""
    order = "<" if buf[at] == 1 else ">"
    (kind,) = struct.unpack_from(f"{order}I", buf, at + 1)
    at += 5
    dims = 2 + bool(kind & 0x80000000 or kind % 10000 // 1000 in (1, 3)) \
        + bool(kind & 0x40000000 or kind % 10000 // 1000 in (2, 3))
    base = (kind & 0x0FFFFFFF) % 1000
    (count,) = struct.unpack_from(f"{order}I", buf, at)
    at += 4
    if base == _LINE:
        if count * dims * 8 > len(buf) - at:
            raise struct.error("more points than bytes")
        budget.take(count, where)
        values = struct.unpack_from(f"{order}{count * dims}d", buf, at)
        points = [point(values[i], values[i + 1], where) for i in range(0, len(values), dims)]
        return [points], at + count * dims * 8
    if base == _MULTI and not inner:
        if count * 9 > len(buf) - at:
            raise struct.error("more lines than bytes")
        lines = []
        for _ in range(count):
            part, at = _wkb(buf, at, where, budget, inner=True)
            lines += part
        return lines, at
    raise ValidationError(f"The GeoPackage {where} is not a line (WKB type {kind}): a street layer "
                          "holds centre-lines only.")
