"""Plate lists: a tip sheet or a canvass of up to 500 plates searched as ONE logged search.

An investigator pastes or loads a list ("these plates were seen near the burglary"); each
plate's reads are counted and the newest of them returned, grouped per plate in the list's
order. The access-log entry names every plate of the list in its query (so an auditor asking
about any one plate finds it) and every read returned, in the same transaction as the work.
A list is checked whole before anything runs: bad input gets one sentence naming the line.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import plates
from .errors import ValidationError
from .search import ROW_SQL, ReadRow, row_from, time_conds

MAX_PLATES = 500
MAX_FILE_BYTES = 1_000_000
PER_PLATE = 20                       # newest reads returned for each plate (the count is of all)
HEADERS = frozenset({"PLATE", "PLATES", "LICENSEPLATE", "LICENCEPLATE", "LP", "TAG", "VRM"})


@dataclass(frozen=True)
class PlateListQuery:
    plates: tuple[str, ...]
    start: int | None = None         # Unix seconds UTC, inclusive
    end: int | None = None           # exclusive
    per_plate: int = PER_PLATE

    def to_log(self) -> dict:
        return {"plate_list": list(self.plates), "plates": len(self.plates), "start": self.start,
                "end": self.end, "per_plate": self.per_plate}


@dataclass(frozen=True)
class PlateGroup:
    """One plate of the list: how often it was read, when first and last, and its newest reads."""

    plate: str
    count: int
    first_at: int | None
    last_at: int | None
    reads: tuple[ReadRow, ...] = ()


@dataclass
class PlateListResult:
    groups: list[PlateGroup]
    log_seq: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def read_ids(self) -> list[int]:
        return [r.id for g in self.groups for r in g.reads]

    @property
    def seen(self) -> int:
        return sum(1 for g in self.groups if g.count)


def parse(text: str) -> tuple[str, ...]:
    """The plates of a pasted list or CSV (first column; an optional header row), normalised,
    duplicates dropped, in the list's order."""
    if not isinstance(text, str) or "\x00" in text:
        raise ValidationError("The plate list is not text: paste plates, or load a CSV file with "
                              "one plate per line.")
    out: dict[str, None] = {}
    for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
        cell = next((c for c in row if c.strip()), "")
        if not cell:
            continue
        if not out and plates.normalize(cell) in HEADERS:
            continue
        try:
            out[plates.validate_plate(cell)] = None
        except ValidationError:
            raise ValidationError(f"Line {n} of the plate list, {cell[:20]!r}, is not a plate: use "
                                  "1 to 10 letters and digits, one plate per line.") from None
        if len(out) > MAX_PLATES:
            raise ValidationError(f"A plate list holds at most {MAX_PLATES} plates; this one has "
                                  "more. Split it into several lists.")
    if not out:
        raise ValidationError("The plate list is empty: paste plates, or load a CSV file with one "
                              "plate per line.")
    return tuple(out)


def load(path: Path) -> tuple[str, ...]:
    """The plates of a CSV file; a file that is not text, too big or empty is one sentence."""
    path = Path(path)
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(f"{path.name} is larger than a plate list can be "
                              f"({MAX_FILE_BYTES // 1000} kB); load a CSV of at most {MAX_PLATES} plates.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{path.name} is not a text file: load a CSV with one plate per "
                              "line.") from None
    return parse(text)


def check(query: PlateListQuery) -> PlateListQuery:
    plates_ = parse("\n".join(query.plates))
    if query.start is not None and query.end is not None and query.start >= query.end:
        raise ValidationError("The start of the time range must be before its end.")
    if not 1 <= query.per_plate <= 500:
        raise ValidationError("Between 1 and 500 reads are shown for each plate.")
    return PlateListQuery(plates_, query.start, query.end, query.per_plate)


def run(conn, q: PlateListQuery) -> PlateListResult:
    """Counts per plate and each plate's newest reads, on the plate index (also matching reads
    whose plate was corrected from a listed one)."""
    listed = json.dumps(list(q.plates))
    conds: list[str] = ["(r.plate IN (SELECT value FROM json_each(?)) OR r.id IN (SELECT read_id FROM "
                     "corrections WHERE old_plate IN (SELECT value FROM json_each(?))))"]
    params: list[object] = [listed, listed]
    time_conds(q.start, q.end, conds, params)
    key = ("CASE WHEN r.plate IN (SELECT value FROM json_each(?)) THEN r.plate "
           "ELSE r.original_plate END")
    where = " AND ".join(conds)
    counts = {p: (n, lo, hi) for p, n, lo, hi in conn.execute(
        f"SELECT {key} AS k, count(*), min(r.read_at), max(r.read_at) FROM reads r WHERE {where} "
        "GROUP BY k", (listed, *params))}
    rows: dict[str, list[ReadRow]] = {}
    cols, tables = ROW_SQL.rsplit(" FROM ", 1)
    for t in conn.execute(
            f"SELECT * FROM ({cols}, {key} AS k, row_number() OVER (PARTITION BY {key} ORDER BY "
            f"r.read_at DESC, r.id DESC) AS n FROM {tables} WHERE {where}) WHERE n <= ? ORDER BY k, n",
            (listed, listed, *params, q.per_plate)):
        rows.setdefault(t[-2], []).append(row_from(t))
    groups = [PlateGroup(p, *counts.get(p, (0, None, None)), reads=tuple(rows.get(p, ())))
              for p in q.plates]
    return PlateListResult(groups)
