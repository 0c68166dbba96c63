"""The street map's data (``ws.streets``): the city's centre-lines imported once, and where the
cameras stand.

Streets are set-up data like cameras: no plate, no read, so drawing them needs only a live
session. Importing them is an administrator's act (grant ``settings_admin``), logged as
``streets_import`` with the file's name and hash in the same transaction as the rows; a file
that fails any check imports nothing, and the layer in use stays as it was.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import accesslog
from ..accesslog import SYSTEM
from ..auth import Session
from ..errors import PermissionDenied, ValidationError
from . import geojson, gpkg
from .checks import MAX_FILE_BYTES
from .types import LayerInfo, MapCamera, Segment, StreetLayer

__all__ = ["LayerInfo", "MapCamera", "Segment", "StreetLayer", "StreetService", "read_file"]

_GPKG_MAGIC = b"SQLite format 3\x00"


def read_file(path: Path) -> tuple[str, bytes, list[Segment]]:
    """(format, the file's bytes, its lines) of a GeoJSON or GeoPackage file, checked whole."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValidationError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MiB; "
                                  "import the city's own streets, not a region's.")
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path.name} cannot be read ({exc.strerror}).") from None
    if data.startswith(_GPKG_MAGIC):
        return "gpkg", data, gpkg.read(path)
    return "geojson", data, geojson.read(data)


class StreetService:
    def __init__(self, ws) -> None:
        self.ws = ws

    def import_file(self, session: Session | None, path: Path) -> LayerInfo:
        """Replace the street layer with the lines of ``path`` (all of them, or none).

        ``session`` None is the program's own set-up (the demo city), logged as the system, and
        only on a store made in this process before anyone logged in, as ``setup_user``."""
        if session is not None:
            self.ws.guard(session, "settings_admin")
        elif not self.ws._setup:
            raise PermissionDenied("Streets are imported by an administrator's session once the "
                                   "store is in use.")
        try:
            fmt, data, segments = read_file(Path(path))
        except ValidationError as exc:              # the sentence names the file it is about
            name = Path(path).name
            raise (exc if name in str(exc) else ValidationError(f"{name}: {exc}")) from None
        if not segments:
            raise ValidationError(f"{Path(path).name} holds no street lines.")
        actor = session.actor if session is not None else SYSTEM
        info = LayerInfo(Path(path).name, hashlib.sha256(data).hexdigest(), fmt, len(segments),
                         int(self.ws.clock()), actor.username)
        with self.ws.store.transaction() as conn:
            self._replace(conn, info, segments)
            accesslog.append(conn, self.ws.clock(), actor, "streets_import",
                             query={"file": info.source_file},
                             detail={"sha256": info.sha256, "format": info.format,
                                     "segments": info.segments})
        return info

    @staticmethod
    def _replace(conn, info: LayerInfo, segments: list[Segment]) -> None:
        conn.execute("DELETE FROM street_segments")
        conn.execute("DELETE FROM street_layer")
        conn.execute("INSERT INTO street_layer(id, source_file, sha256, format, segments, "
                     "imported_at, imported_by) VALUES (1, ?, ?, ?, ?, ?, ?)",
                     (info.source_file, info.sha256, info.format, info.segments,
                      info.imported_at, info.imported_by))
        conn.executemany("INSERT INTO street_segments(name, points) VALUES (?, ?)",
                         [(s.name, json.dumps(s.points, separators=(",", ":"))) for s in segments])

    def layer(self, session: Session) -> StreetLayer:
        """The imported streets (set-up data: no ALPR data, so no log entry)."""
        self.ws.auth.touch(session)
        with self.ws.store.reading() as conn:
            row = conn.execute("SELECT source_file, sha256, format, segments, imported_at, "
                               "imported_by FROM street_layer").fetchone()
            segs = conn.execute("SELECT name, points FROM street_segments ORDER BY id").fetchall()
        return StreetLayer(LayerInfo(*row) if row else None,
                           tuple(Segment(n, tuple(map(tuple, json.loads(p)))) for n, p in segs))

    def cameras(self, session: Session) -> list[MapCamera]:
        """Every camera with coordinates, for the map (set-up data, as ``ws.cameras``)."""
        self.ws.auth.touch(session)
        return [MapCamera(*r) for r in self.ws.store.query(
            "SELECT id, name, site, lat, lon FROM cameras WHERE lat IS NOT NULL AND lon IS NOT NULL "
            "ORDER BY id")]
