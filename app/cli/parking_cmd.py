"""``alpr parking ...``: LA Metro parking from a terminal, under the purpose each function needs.

Each command logs in, declares ``--purpose`` and ``--case`` (OCCUPANCY, PARKING-ORD, REVENUE or
TRANSIT-COURT in the LA Metro profile) and calls ``ws.parking``, which checks and logs it. Days
are local calendar days (YYYY-MM-DD in the profile's zone).
"""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from app.engine import timefmt

from .common import CliError, add_login_args, login, open_workstation


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{text!r} is not a day; use YYYY-MM-DD.") from None


def _open(args):
    ws = open_workstation(args)
    return ws, login(ws, args)


def cmd_facilities(args):
    ws, s = _open(args)
    for f in ws.parking.facilities(s):
        print(f"{f.id:8} {f.name} (capacity {f.capacity}; entry {', '.join(f.entry_cameras)}; "
              f"exit {', '.join(f.exit_cameras)})")
        for r in f.rules:
            print(f"         rule: {r.describe()}")


def cmd_occupancy(args):
    ws, s = _open(args)
    d, live = ws.parking.occupancy(s, args.facility, _day(args.day))
    print(f"{args.facility} on {d.day}: peak {d.peak} of {d.capacity}; {d.entries} entries, "
          f"{d.exits} exits; present now {live}.")
    for h, n in enumerate(d.by_hour):
        print(f"  {h:02d}:00 {n:5} {'#' * round(40 * n / max(d.capacity, 1))}")
    if args.pdf:
        print(f"Report written to {ws.parking.occupancy_pdf(s, args.facility, d.day, args.pdf)}.")


def cmd_violations(args):
    ws, s = _open(args)
    tz = timefmt.zone(ws.profile.time_zone)
    found = ws.parking.violations(s, args.facility, _day(args.day))
    for f in found:
        st = f.stay
        for v in f.violations:
            print(f"{v.kind:10} {st.plate:8} entry {timefmt.fmt(st.entry_at, tz, seconds=False)} "
                  f"(read {st.entry_read_id})  {v.reason}")
    print(f"{sum(len(f.violations) for f in found)} violations.")


def cmd_cite(args):
    ws, s = _open(args)
    c = ws.parking.issue_citation(s, args.facility, args.entry_read, args.kind, args.citation)
    print(f"Citation {c.citation_no} recorded; reads {', '.join(map(str, c.read_ids))} are on "
          f"evidence hold {c.hold_id}.")


def cmd_import(args):
    ws, s = _open(args)
    call = ws.parking.import_payments if args.kind == "payments" else ws.parking.import_permits
    rep = call(s, args.facility, Path(args.file))
    for line, reason in rep.rejected:
        print(f"  line {line} rejected: {reason}")
    print(f"{rep.accepted} {args.kind} imported, {len(rep.rejected)} lines rejected.")


def cmd_reconcile(args):
    ws, s = _open(args)
    rec = ws.parking.reconcile(s, args.facility, _day(args.day))
    from app.engine.parking.reconcile import totals_rows
    for label, value in totals_rows(rec.totals):
        print(f"{label:36} {value}")
    for out in (args.pdf, args.csv):
        if out:
            print(f"Written to {ws.parking.write_reconciliation(s, rec, Path(out))}.")


def cmd_appeal(args):
    from app.engine.evidence import run
    ws, s = _open(args)
    res = run(ws.parking.appeal_packet(s, args.citation, Path(args.target)))
    print(f"Appeal packet written and verified: {res.path} ({res.files} files, manifest "
          f"{res.manifest_sha256}).")


def register(sub: argparse._SubParsersAction) -> None:
    grp = sub.add_parser("parking", help="LA Metro parking: occupancy, violations, revenue, appeals")
    cmds = grp.add_subparsers(dest="parking_cmd", required=True)

    def cmd(name: str, func, help_: str, facility: bool = True, day: bool = False):
        p = cmds.add_parser(name, help=help_)
        add_login_args(p, purpose=True)
        if facility:
            p.add_argument("facility", help="facility id (see 'alpr parking facilities')")
        if day:
            p.add_argument("day", help="local day, YYYY-MM-DD")
        p.set_defaults(func=func)
        return p
    cmd("facilities", cmd_facilities, "list the facilities and their rules", facility=False)
    cmd("occupancy", cmd_occupancy, "a day's occupancy by hour (purpose OCCUPANCY)",
        day=True).add_argument("--pdf", help="also write the printable report here")
    cmd("violations", cmd_violations, "a day's violations (purpose PARKING-ORD)", day=True)
    p = cmd("cite", cmd_cite, "record a citation and hold its reads (purpose PARKING-ORD)")
    p.add_argument("entry_read", type=int, help="the stay's entry read id")
    p.add_argument("kind", choices=["overstay", "no_payment", "no_permit"])
    p.add_argument("citation", help="citation number, CIT-12345678")
    p = cmd("import", cmd_import, "import payments (REVENUE) or permits (PARKING-ORD) from CSV")
    p.add_argument("kind", choices=["payments", "permits"])
    p.add_argument("file")
    p = cmd("reconcile", cmd_reconcile, "reconcile a day's payments with the stays (REVENUE)", day=True)
    p.add_argument("--pdf", help="write the report as PDF here")
    p.add_argument("--csv", help="write the report as CSV here")
    p = cmd("appeal", cmd_appeal, "the Transit Court packet of a citation (TRANSIT-COURT, case = "
            "the citation)", facility=False)
    p.add_argument("citation")
    p.add_argument("target", help="removable drive or folder")
