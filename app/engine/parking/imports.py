"""Permits and pay-by-plate transactions from the operator's CSV files.

Operators export these from their permit office and payment processor, with or without a
header row, with US or ISO dates and "$3.00" amounts. Each line is checked on its own: a bad
line is rejected with its line number and one sentence, the good lines are kept. Times
without a UTC offset are the profile's local time (the operator's clock).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import plates
from ..errors import ValidationError

MAX_BYTES = 64 << 20
PAYMENT_FIELDS = ("plate", "start", "end", "amount", "method")
PERMIT_FIELDS = ("plate", "zone", "valid_from", "valid_until", "permit")
_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")
_AMOUNT = re.compile(r"^\$?\s*(\d{1,5})(?:\.(\d{1,2}))?$")


@dataclass
class ImportReport:
    kind: str                                   # "payments" or "permits"
    accepted: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)   # (line, reason)
    rows: list[tuple] = field(default_factory=list)


def when(text: str, tz: ZoneInfo, *, end_of_day: bool = False) -> int:
    """A time as the operator writes it (ISO or US), in local time unless it has an offset; a
    date alone is the start of that day (the end of it with ``end_of_day``)."""
    text = text.strip()
    dt = None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        for f in _FORMATS:
            try:
                dt = datetime.strptime(text, f)
                break
            except ValueError:
                continue
    if dt is None:
        raise ValueError(f"{text!r} is not a date and time (use 2026-03-05 08:30 or 03/05/2026 08:30)")
    date_only = len(text) <= 10
    if end_of_day and date_only:
        dt += timedelta(days=1)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return int(dt.timestamp())


def cents(text: str) -> int:
    m = _AMOUNT.fullmatch(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not an amount in dollars (such as 3.00)")
    return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))


def _rows(path: Path, fields: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, named cells) of each data line; a header row, if any, names the columns."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"{path} is not a file.")
    if path.stat().st_size > MAX_BYTES:
        raise ValidationError(f"{path.name} is larger than {MAX_BYTES >> 20} MB; split it by day.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path.name} is not UTF-8 text (byte {exc.start}).") from None
    lines = list(csv.reader(io.StringIO(text)))
    order = list(fields)
    start = 0
    if lines and any("plate" in c.lower() for c in lines[0]):
        head = [c.strip().lower() for c in lines[0]]
        order = []
        for i, cell in enumerate(head):
            name = next((f for f in fields if f.replace("_", " ") in cell.replace("_", " ")
                         or (f == "permit" and "number" in cell)), f"_{i}")
            order.append(name)
        missing = [f for f in fields[:4] if f not in order]
        if missing:
            raise ValidationError(f"{path.name} has a header without the column(s) "
                                  f"{', '.join(missing)}; expected {', '.join(fields)}.")
        start = 1
    out = []
    for n, cells in enumerate(lines[start:], start + 1):
        if cells and any(c.strip() for c in cells):
            out.append((n, {name: cells[i] for i, name in enumerate(order) if i < len(cells)}))
    if not out:
        raise ValidationError(f"{path.name} holds no lines to import.")
    return out


def payments(path: Path, tz: ZoneInfo) -> ImportReport:
    """Rows (plate, skeleton, start, end, cents, method, line) of a transactions CSV."""
    rep = ImportReport("payments")
    for n, row in _rows(path, PAYMENT_FIELDS):
        try:
            if any(not row.get(f, "").strip() for f in PAYMENT_FIELDS):
                raise ValueError("a line needs plate, start, end, amount and method")
            plate = _plate(row["plate"])
            start, end = when(row["start"], tz), when(row["end"], tz, end_of_day=True)
            if end <= start:
                raise ValueError("the end is not after the start")
            if end - start > 31 * 86400:
                raise ValueError("a session longer than 31 days is not a parking session")
            rep.rows.append((plate, plates.skeleton(plate), start, end, cents(row["amount"]),
                             row["method"].strip().lower()[:40], n))
        except ValueError as exc:
            rep.rejected.append((n, f"{exc}."))
    rep.accepted = len(rep.rows)
    return rep


def permits(path: Path, tz: ZoneInfo, zones: set[str]) -> ImportReport:
    """Rows (plate, skeleton, zone, from, until, permit no, line) of a permits CSV."""
    rep = ImportReport("permits")
    for n, row in _rows(path, PERMIT_FIELDS):
        try:
            if any(not row.get(f, "").strip() for f in PERMIT_FIELDS[:4]):
                raise ValueError("a line needs plate, zone, valid_from and valid_until")
            plate = _plate(row["plate"])
            zone = row["zone"].strip().upper()
            if zone != "*" and zone not in zones:
                raise ValueError(f"zone {zone!r} is not a zone of this facility "
                                 f"({', '.join(sorted(zones)) or 'none'}, or * for all)")
            start, end = when(row["valid_from"], tz), when(row["valid_until"], tz, end_of_day=True)
            if end <= start:
                raise ValueError("valid_until is not after valid_from")
            rep.rows.append((plate, plates.skeleton(plate), zone, start, end,
                             (row.get("permit") or f"line {n}").strip()[:40], n))
        except ValueError as exc:
            rep.rejected.append((n, f"{exc}."))
    rep.accepted = len(rep.rows)
    return rep


def _plate(text: str) -> str:
    try:
        return plates.validate_plate(text)
    except ValidationError as exc:
        raise ValueError(str(exc).rstrip(".")) from None
