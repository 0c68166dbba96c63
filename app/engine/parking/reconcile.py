"""Revenue reconciliation: one day's transactions against the stays the cameras recorded.

Every stay that entered on the day is paid, overpaid, underpaid, unpaid, covered by a permit,
free (within the grace period or outside fee hours) or still open; every payment of the day
that matches no stay is listed as such. The totals are what a revenue clerk signs off: fees
due, collected, matched, unmatched, and the shortfall and surplus.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import timefmt
from .facilities import Facility
from .matching import Payment, load_payments
from .rules import Finding, findings, local_day
from .stays import load as load_stays

STATUSES = ("paid", "overpaid", "underpaid", "unpaid", "permit", "free", "open")


def status(f: Finding) -> str:
    if f.stay.open:
        return "open"
    if f.permit is not None and not f.paid_cents:
        return "permit"
    if f.paid_cents == f.due_cents:
        return "paid" if f.due_cents else "free"
    if f.paid_cents > f.due_cents:
        return "overpaid"
    return "underpaid" if f.paid_cents else "unpaid"


@dataclass(frozen=True)
class Totals:
    stays: int
    by_status: dict[str, int]
    due_cents: int              # fees due on the day's finished stays
    collected_cents: int        # every payment of the day
    matched_cents: int          # paid against the day's stays
    unmatched_cents: int        # payments with no stay
    shortfall_cents: int        # due minus paid, over underpaid and unpaid stays
    surplus_cents: int          # paid minus due, over overpaid stays


@dataclass
class Reconciliation:
    facility: Facility
    day: date
    rows: list[tuple[Finding, str]]
    orphans: list[Payment]
    totals: Totals
    extra: dict = field(default_factory=dict)

    @property
    def read_ids(self) -> list[int]:
        return sorted({i for f, _s in self.rows for i in f.stay.read_ids})


def reconcile(conn, fac: Facility, day: date, tz: ZoneInfo, now: float) -> Reconciliation:
    start, end = local_day(day, tz)
    stays = load_stays(conn, "facility_id = ? AND entry_at >= ? AND entry_at < ? ORDER BY entry_at, id",
                       (fac.id, start, end))
    day_payments = load_payments(conn, fac.id, start, end)
    earlier = [s for s in load_stays(conn, "facility_id = ? AND entry_at >= ? AND entry_at < ?",
                                     (fac.id, start - 86400, start))]
    judged, orphans = findings(conn, fac, earlier + stays, now, tz, day_payments)
    rows = [(f, status(f)) for f in judged if f.stay.entry_at >= start]
    # A payment of the day for a stay that entered the day before counts as matched, not shown.
    carried = sum(f.paid_cents for f in judged if f.stay.entry_at < start)
    by = {s: 0 for s in STATUSES}
    for _f, st in rows:
        by[st] += 1
    closed = [f for f, st in rows if st != "open"]
    totals = Totals(
        stays=len(rows), by_status=by, due_cents=sum(f.due_cents for f in closed),
        collected_cents=sum(p.amount_cents for p in day_payments),
        matched_cents=sum(f.paid_cents for f, _st in rows) + carried,
        unmatched_cents=sum(p.amount_cents for p in orphans),
        shortfall_cents=sum(f.due_cents - f.paid_cents for f, st in rows if st in ("underpaid", "unpaid")),
        surplus_cents=sum(f.paid_cents - f.due_cents for f, st in rows if st == "overpaid"))
    return Reconciliation(fac, day, rows, orphans, totals)


def money(c: int) -> str:
    return f"{c / 100:.2f}"


HEADER = ["status", "plate", "entry_local", "exit_local", "minutes", "due", "paid", "payments",
          "permit", "entry_read_id", "exit_read_id"]


def table_rows(rec: Reconciliation, tz: ZoneInfo) -> list[list[str]]:
    """The report's lines: one per stay, then one per payment without a stay."""
    out = []
    for f, st in rec.rows:
        s = f.stay
        out.append([st, s.plate, timefmt.fmt(s.entry_at, tz, seconds=False),
                    timefmt.fmt(s.exit_at, tz, seconds=False), "" if s.open else str(round(s.minutes(0))),
                    money(f.due_cents), money(f.paid_cents),
                    "; ".join(f"{p.method} {money(p.amount_cents)} (line {p.line})" for p in f.payments),
                    f.permit.permit_no if f.permit else "", str(s.entry_read_id),
                    str(s.exit_read_id or "")])
    for p in rec.orphans:
        out.append(["payment_without_stay", p.plate, timefmt.fmt(p.start_at, tz, seconds=False),
                    timefmt.fmt(p.end_at, tz, seconds=False), "", "", money(p.amount_cents),
                    f"{p.method} {money(p.amount_cents)} (line {p.line})", "", "", ""])
    return out


def totals_rows(t: Totals) -> list[tuple[str, str]]:
    return ([("Stays entering on the day", str(t.stays))]
            + [(f"  {s}", str(n)) for s, n in t.by_status.items()]
            + [("Fees due (finished stays)", money(t.due_cents)),
               ("Collected (all transactions)", money(t.collected_cents)),
               ("Matched to stays", money(t.matched_cents)),
               ("Payments without a stay", money(t.unmatched_cents)),
               ("Shortfall (underpaid and unpaid)", money(t.shortfall_cents)),
               ("Surplus (overpaid)", money(t.surplus_cents))])


def write_csv(rec: Reconciliation, path: Path, tz: ZoneInfo) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(table_rows(rec, tz))
        w.writerow([])
        for label, value in totals_rows(rec.totals):
            w.writerow(["total", label.strip(), value])
