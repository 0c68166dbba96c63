"""Investigative analyses: stakeout, locate, convoy, cloned plates and the camera map.

These are searches by another shape, so they obey the same rules as a search: the role must
grant "analysis", training must be current, a purpose and case number must be declared, and
each run is written to the access log with its parameters and every read id it returns, in
the same transaction as the query (fail closed). The queries live in ``analyses_sql``.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from . import analyses_sql as sql
from . import plates
from .analyses_types import (AnalysisResult, CameraMapQuery, CameraMapResult, CloneQuery,
                             CloneResult, ConvoyQuery, ConvoyResult, LocateQuery, LocateResult,
                             StakeoutQuery, StakeoutResult)
from .auth import Session
from .errors import ValidationError
from .outfile import write_logged

MAX_PLACES = 12
MAX_CONVOY_WINDOW_S = 3600


def _range(start: int | None, end: int | None, required: bool = False) -> None:
    if required and (start is None or end is None):
        raise ValidationError("Give the start and the end of the time range.")
    if start is not None and end is not None and int(start) >= int(end):
        raise ValidationError("The start of the time range must be before its end.")


def _limit(limit: int) -> None:
    if not 1 <= limit <= 100_000:
        raise ValidationError("The result limit must be between 1 and 100,000.")


class AnalysisService:
    """The analyses of one workstation (``ws.analyses``)."""

    def __init__(self, ws) -> None:
        self.ws = ws

    def _run(self, session: Session, query, work) -> AnalysisResult:
        self.ws.guard(session, "analysis")
        return self.ws.logged(session, "analysis", work, query=query.to_log(),
                              result_ids=lambda res: res.read_ids,
                              detail=lambda res: self._detail(res))

    @staticmethod
    def _detail(res: AnalysisResult) -> dict:
        counts = {"stakeout": lambda: {"plates": len(res.plates), "truncated": res.truncated},
                  "locate": lambda: {"reads": len(res.reads), "cameras": len(res.cameras)},
                  "convoy": lambda: {"target_reads": len(res.target_reads),
                                     "companions": [c.plate for c in res.companions]},
                  "clones": lambda: {"flags": len(res.flags), "truncated": res.truncated},
                  "camera_map": lambda: {"cameras": len(res.cameras), "reads": res.total}}
        return counts[res.kind]()

    # -- 1. stakeout -----------------------------------------------------------------------
    def stakeout(self, session: Session, query: StakeoutQuery) -> StakeoutResult:
        """Plates seen at ``min_places`` or more of the places, each within its window."""
        if not 2 <= len(query.places) <= MAX_PLACES:
            raise ValidationError(f"A stakeout compares 2 to {MAX_PLACES} places.")
        if not 2 <= query.min_places <= len(query.places):
            raise ValidationError(f"'Seen at least at' must be between 2 and {len(query.places)} places.")
        _limit(query.limit)
        for i, p in enumerate(query.places):
            if not (p.cameras or p.sites):
                raise ValidationError(f"Place {i + 1} has no camera or site.")
            _range(p.start, p.end, required=True)
        q = replace(query, places=tuple(replace(p, start=int(p.start), end=int(p.end))
                                        for p in query.places))

        def work(conn):
            cams = [sql.place_cameras(conn, i, p.cameras, p.sites) for i, p in enumerate(q.places)]
            return sql.stakeout(conn, q, cams)
        return self._run(session, q, work)  # type: ignore[return-value]  # _run returns the result of the work it is given

    # -- 2. locate -------------------------------------------------------------------------
    def locate(self, session: Session, query: LocateQuery) -> LocateResult:
        """Where and when a plate is usually seen (local time), and its last sighting."""
        q = replace(query, plate=plates.validate_plate(query.plate))
        _range(q.start, q.end)
        return self._run(session, q, lambda conn: sql.locate(conn, q))  # type: ignore[return-value]  # _run returns the result of the work it is given

    # -- 3. convoy -------------------------------------------------------------------------
    def convoy(self, session: Session, query: ConvoyQuery) -> ConvoyResult:
        """Plates read near the target, in time, at ``min_cameras`` or more cameras."""
        q = replace(query, plate=plates.validate_plate(query.plate))
        _range(q.start, q.end, required=True)
        if not 1 <= q.window_s <= MAX_CONVOY_WINDOW_S:
            raise ValidationError(f"The convoy window must be 1 to {MAX_CONVOY_WINDOW_S} seconds.")
        if q.min_cameras < 1:
            raise ValidationError("A companion must be seen at 1 camera or more.")
        _limit(q.limit)
        return self._run(session, q, lambda conn: sql.convoy(conn, q))  # type: ignore[return-value]  # _run returns the result of the work it is given

    # -- 4. cloned or misread plates ---------------------------------------------------------
    def clones(self, session: Session, query: CloneQuery) -> CloneResult:
        """Consecutive reads of one plate too far apart for the time between them.

        Only consecutive reads need checking: if every hop between consecutive sightings is
        possible at the speed limit, then by the triangle inequality so is any longer span.
        """
        q = replace(query, plate=plates.validate_plate(query.plate) if query.plate else "")
        _range(q.start, q.end, required=True)
        if not 10 <= q.max_kmh <= 1000:
            raise ValidationError("The maximum plausible speed must be 10 to 1,000 km/h.")
        if not 0 <= q.slack_s <= 3600:
            raise ValidationError("The clock allowance must be 0 to 3,600 seconds.")
        _limit(q.limit)
        return self._run(session, q, lambda conn: sql.clones(conn, q))  # type: ignore[return-value]  # _run returns the result of the work it is given

    # -- 5. camera map -----------------------------------------------------------------------
    def camera_map(self, session: Session, query: CameraMapQuery) -> CameraMapResult:
        """Every camera with its coordinates and its read volume in the period."""
        _range(query.start, query.end)
        return self._run(session, query, lambda conn: sql.camera_map(conn, query))  # type: ignore[return-value]  # _run returns the result of the work it is given

    # -- 6. report and evidence --------------------------------------------------------------
    def report_pdf(self, session: Session, result: AnalysisResult, path: Path) -> Path:
        """Print a result as a PDF naming the purpose and case.

        The print's entry (naming the file) is committed before the file is written; if it
        cannot be, no file is written.
        """
        from .analysis_report import render
        self.ws.guard(session, "print")
        purpose = self.ws.profile.purpose(session.purpose)
        data = render(result, profile=self.ws.profile, purpose=purpose,
                      case_number=session.case_number or "", user=session.user,
                      now=self.ws.clock(), store_id=self.ws.store.store_id,
                      log_anchor=self.ws.log_anchor())
        path = Path(path)
        write_logged(self.ws, session.actor, "print", path, lambda part: part.write_bytes(data),
                     query={**result.query.to_log(), "report": path.name}, purpose=session.purpose,
                     case_number=session.case_number, result_ids=result.read_ids,
                     detail={"pages_bytes": len(data)})
        return path

    def export_evidence(self, session: Session, result: AnalysisResult, target: Path,
                        description: str = "", token=None):
        """Export the result's reads as an evidence package (``ws.evidence``): a generator of Progress.

        The evidence service checks the export grant, writes and verifies the package, logs
        the export and places the reads on an evidence hold for the session's case.
        """
        from .evidence import ExportRequest
        if not result.read_ids:
            raise ValidationError("This result names no reads, so there is nothing to export.")
        what = description.strip() or (f"Reads returned by the {result.kind.replace('_', ' ')} analysis "
                                       f"({_summary(result.query.to_log())}).")
        return self.ws.evidence.export(session, ExportRequest(result.read_ids, Path(target), what), token)


def _summary(params: dict) -> str:
    """The analysis parameters in one line, for the package description."""
    return "; ".join(f"{k}={v}" for k, v in params.items()
                     if k not in ("analysis", "places") and v not in (None, ""))
