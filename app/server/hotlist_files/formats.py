"""Reading hotlist files line by line: a bad line is rejected with its reason and the others
kept; a file whose own count disagrees with its lines (a CLEW footer) is refused whole, since
a cut-off download must not replace a list with half of it.

* CLEW (``svs``, ``sfr``, ``slr``): a ``DATE YYYYMMDD`` header; records with the plate in
  columns 1-8 (space-padded), state 9-10, county 11-12, date of loss YYYYMMDD from 13; a
  ``TOTAL RECORD(S)`` footer with the number of records.
* NCIC vehicle extract: list code in column 1, plate 2-11, state 12-13, licence year 14-17,
  make 18-21, model 22-24, colour 25-27 (``NCIC_COLUMNS``).
* CSV: ``plate,state,description[,category,expiry]``, an optional header, expiry YYYY-MM-DD.
"""
from __future__ import annotations

import csv
import io
import re
from calendar import timegm
from dataclasses import dataclass, field
from datetime import date

from app.engine import plates, states
from app.engine.errors import ValidationError
from app.server.model import Hotlist, HotlistEntry

MAX_LINES = 2_000_000
CLEW_LISTS = {"svs": ("Stolen vehicles", "CA DOJ SVS", "stolen", "Stolen vehicle"),
              "sfr": ("Felony vehicles", "CA DOJ SFR", "wanted", "Felony vehicle"),
              "slr": ("Stolen plates", "CA DOJ SLR", "stolen", "Stolen licence plate")}
NCIC_COLUMNS = {"code": (0, 1), "plate": (1, 11), "state": (11, 13), "year": (13, 17),
                "make": (17, 21), "model": (21, 24), "color": (24, 27)}
NCIC_CODES = {"A": ("AMBER Alert", 1), "F": ("Felony vehicle", 1), "W": ("Wanted person", 1),
              "V": ("Stolen vehicle", 1), "P": ("Stolen plate", 2), "M": ("Missing person", 1),
              "C": ("Protection order", 2), "S": ("Supervised release", 3), "G": ("Gang member", 3),
              "T": ("Known or suspected terrorist", 1), "X": ("Sexual offender", 3)}
_DATE = re.compile(r"^DATE\s*:?\s*(\d{8})\s*$")
_TOTAL = re.compile(r"^TOTAL\s+RECORDS?\s*:?\s*(\d+)\s*$")


class FileRefused(ValidationError):
    """The whole file is refused (the message says why); the list stays as it was."""


@dataclass
class Parsed:
    hotlist: Hotlist
    entries: list[HotlistEntry] = field(default_factory=list)
    rejects: list[tuple[int, str]] = field(default_factory=list)      # (line number, reason)
    file_date: str | None = None


def _ymd(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _plate_state(plate: str, state: str) -> tuple[str, str | None]:
    return plates.validate_plate(plate), states.code(state)


def _lines(data: bytes) -> list[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")        # the state's files are ASCII; a stray byte is one line's
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise FileRefused(f"more than {MAX_LINES} lines")
    return lines


def clew(data: bytes, list_id: str, now: int) -> Parsed:
    name, source, kind, what = CLEW_LISTS[list_id]
    out = Parsed(Hotlist(list_id, name, source, kind))
    lines = [(n, line.rstrip("\r\n")) for n, line in enumerate(_lines(data), 1) if line.strip()]
    if not lines or not (head := _DATE.match(lines[0][1].strip())):
        raise FileRefused("the first line is not the 'DATE YYYYMMDD' header of a CLEW file")
    if not lines or not (foot := _TOTAL.match(lines[-1][1].strip())):
        raise FileRefused("the last line is not the 'TOTAL RECORD' footer: the file is cut off")
    records = lines[1:-1]
    if int(foot[1]) != len(records):
        raise FileRefused(f"the footer counts {int(foot[1])} records but the file holds {len(records)}: "
                          "the file is incomplete or damaged")
    out.file_date = head[1]
    for n, line in records:
        try:
            plate, state = _plate_state(line[0:8].strip(), line[8:10])
            county, lost = line[10:12].strip(), line[12:20]
            reason = f"{what} ({source})"
            if county:
                reason += f", county {county}"
            if lost.strip():
                reason += f", reported {_ymd(lost).isoformat()}"
        except (ValidationError, ValueError) as exc:
            out.rejects.append((n, str(exc) if isinstance(exc, ValidationError) else "bad date of loss"))
            continue
        out.entries.append(HotlistEntry(list_id, plate, reason, 1, None, source, now, state))
    return out


def ncic(data: bytes, list_id: str, now: int) -> Parsed:
    out = Parsed(Hotlist(list_id, "NCIC vehicle extract", "FBI NCIC", "wanted"))
    for n, line in enumerate(_lines(data), 1):
        if not line.strip():
            continue
        col = {k: line[a:b].strip() for k, (a, b) in NCIC_COLUMNS.items()}
        code = NCIC_CODES.get(col["code"])
        if code is None:
            out.rejects.append((n, f"unknown list code {col['code']!r}"))
            continue
        try:
            plate, state = _plate_state(col["plate"], col["state"])
        except ValidationError as exc:
            out.rejects.append((n, str(exc)))
            continue
        detail = " ".join(v for v in (col["year"], col["color"], col["make"], col["model"]) if v)
        out.entries.append(HotlistEntry(list_id, plate, f"{code[0]} (NCIC){': ' + detail if detail else ''}",
                                        code[1], None, "FBI NCIC", now, state))
    return out


def csv_list(data: bytes, list_id: str, now: int, name: str | None = None) -> Parsed:
    out = Parsed(Hotlist(list_id, name or list_id, "local list", "local"))
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FileRefused(f"not a readable CSV file ({exc})") from None
    for n, row in enumerate(rows, 1):
        if not row or not "".join(row).strip() or (n == 1 and row[0].strip().lower() == "plate"):
            continue
        if not 3 <= len(row) <= 5:
            out.rejects.append((n, "give plate,state,description[,category,expiry]"))
            continue
        try:
            plate, state = _plate_state(row[0].strip(), row[1].strip())
            desc = row[2].strip()
            if not desc or len(desc) > 200:
                raise ValidationError("give a description of at most 200 characters")
            category = row[3].strip() if len(row) > 3 else ""
            expiry = None
            if len(row) > 4 and row[4].strip():
                try:
                    expiry = timegm(date.fromisoformat(row[4].strip()).timetuple()) + 86400
                except ValueError:
                    raise ValidationError(f"expiry {row[4].strip()[:20]!r} is not YYYY-MM-DD") from None
        except ValidationError as exc:
            out.rejects.append((n, str(exc)))
            continue
        reason = f"{desc} [{category}]" if category else desc
        out.entries.append(HotlistEntry(list_id, plate, reason, 2, expiry, "csv", now, state))
    return out


def detect(file_name: str) -> tuple[str, str] | None:
    """(format, list id) for a watched folder's file, from its name; None: not a hotlist file."""
    stem = file_name.rsplit(".", 1)[0].lower()
    for list_id in CLEW_LISTS:
        if stem.startswith(list_id):
            return "clew", list_id
    if stem.startswith("ncic"):
        return "ncic", "ncic"
    if file_name.lower().endswith(".csv"):
        clean = re.sub(r"[^a-z0-9_-]", "_", stem)[:40]
        return ("csv", clean) if clean else None
    return None


def parse(fmt: str, data: bytes, list_id: str, now: int) -> Parsed:
    if fmt == "clew":
        if list_id not in CLEW_LISTS:
            raise FileRefused(f"a CLEW list is one of {', '.join(CLEW_LISTS)}")
        return clew(data, list_id, now)
    if fmt == "ncic":
        return ncic(data, list_id, now)
    return csv_list(data, list_id, now)
