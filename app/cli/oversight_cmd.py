"""Commands of oversight: the transparency report and its check, the purge's preview and
certificates (``alpr purge preview|certificates|certificate``, added to core's ``purge``)."""
from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path

from app.engine import timefmt
from app.engine.oversight import transparency
from app.engine.oversight.transparency_verify import load_csv, verify

from .common import CliError, add_login_args, login, open_workstation


def _period(args, tz) -> transparency.Period:
    if args.month:
        m = re.fullmatch(r"(\d{4})-(\d{2})", args.month)
        if not m:
            raise CliError(f"--month {args.month!r} is not a month (use YYYY-MM, e.g. 2026-03).")
        return transparency.month(int(m.group(1)), int(m.group(2)), tz)
    try:
        return transparency.days(date.fromisoformat(args.start), date.fromisoformat(args.end), tz)
    except (TypeError, ValueError):
        raise CliError("Give the period as --month YYYY-MM, or as --from YYYY-MM-DD --to YYYY-MM-DD "
                       "(both days included).") from None


def cmd_transparency(args) -> int:
    if args.verify:
        return _verify(args)
    if not (args.html or args.pdf):
        raise CliError("Name the report's file with --html FILE and/or --pdf FILE (or check one with --verify FILE).")
    ws = open_workstation(args)
    period = _period(args, timefmt.zone(ws.profile.time_zone))
    session = login(ws, args)
    for path in (args.html, args.pdf):
        if path:
            done = ws.custody.transparency_report(session, period, path)
            print(f"Transparency report for {period.label} written to {done.path} (figures counted up "
                  f"to access-log entry {done.through_seq}; the file is named in entry {done.seq}).")
    return 0


def _verify(args) -> int:
    if args.log:                    # anyone given an export of the log: no store, no login
        if not args.log.is_file():
            raise CliError(f"{args.log}: no such file (give a CSV export of the access log).")
        result = verify(load_csv(args.log), args.verify)
    else:
        ws = open_workstation(args)
        result = ws.custody.verify_transparency(login(ws, args), args.verify)
    print(result.summary())
    return 0 if result.ok else 1


def _days_and_holds(by_day, holds) -> None:
    for day, n in by_day:
        print(f"  {day}  {n:8,} reads removed")
    for h in holds:
        print(f"  hold #{h.hold_id} ({h.kind}, case {h.case_number}, \u201c{h.reason}\u201d) keeps {h.reads:,} reads")


def cmd_preview(args) -> int:
    ws = open_workstation(args)
    p = ws.custody.preview(login(ws, args))
    tz = timefmt.zone(ws.profile.time_zone)
    print(f"A purge now would remove {p.reads:,} reads (and {p.hits:,} hits) taken before "
          f"{timefmt.fmt(p.cutoff, tz)} (retention {p.retention_days} days):")
    _days_and_holds(p.by_day, p.holds_kept)
    print(f"{p.kept_by_hold:,} reads past retention kept by holds; oldest read left: "
          f"{timefmt.fmt(p.oldest_left, tz) if p.oldest_left is not None else 'none'}.")
    return 0


def cmd_certificates(args) -> int:
    ws = open_workstation(args)
    tz = timefmt.zone(ws.profile.time_zone)
    found = ws.custody.certificates(login(ws, args))
    for c in found:
        match = "" if c.tombstones is None else ("  tombstones match" if c.tombstones.matches
                                                 else "  TOMBSTONES DO NOT MATCH")
        print(f"{c.id:5} {timefmt.fmt(c.made_at, tz)}  {c.source:8} {c.reads:8,} removed "
              f"{c.kept_by_hold:6,} kept by holds  by {c.username}{match}")
    print(f"{len(found)} retention certificates.")
    return 0


def cmd_certificate(args) -> int:
    ws = open_workstation(args)
    session = login(ws, args)
    if args.pdf:
        ws.custody.certificate_pdf(session, args.certificate_id, args.pdf)
        print(f"Retention certificate {args.certificate_id} written to {args.pdf}.")
        return 0
    c = ws.custody.certificate(session, args.certificate_id)
    print(f"Certificate {c.id} (access-log entry {c.seq}): {c.reads:,} reads, {c.images:,} photos, "
          f"{c.hits:,} hits removed; {c.kept_by_hold:,} reads kept by holds.")
    _days_and_holds(c.by_day, c.holds_kept)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser("report", help="oversight reports").add_subparsers(dest="rep_cmd", required=True)
    p = rep.add_parser("transparency", help="the transparency report of a period (HTML and/or PDF), "
                                            "or check one against the access log")
    add_login_args(p)
    p.add_argument("--month", help="YYYY-MM (in the policy profile's time zone)")
    p.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (included)")
    p.add_argument("--html", type=Path, help="write the page here")
    p.add_argument("--pdf", type=Path, help="write the PDF here")
    p.add_argument("--verify", type=Path, metavar="REPORT", help="check a report (.html or .pdf)")
    p.add_argument("--log", type=Path, metavar="CSV", help="with --verify: an export of the access "
                   "log to check against (no store and no login needed)")
    p.set_defaults(func=cmd_transparency)

    # core_cmd (registered first: modules go in name order) made 'purge'; these are its parts.
    purge = sub.choices["purge"].add_subparsers(dest="purge_cmd", required=False)
    p = purge.add_parser("preview", help="what a purge now would remove and keep, and why (logged)")
    add_login_args(p)
    p.set_defaults(func=cmd_preview)
    p = purge.add_parser("certificates", help="list the retention certificates")
    add_login_args(p)
    p.set_defaults(func=cmd_certificates)
    p = purge.add_parser("certificate", help="show one retention certificate, or write it as a PDF")
    add_login_args(p)
    p.add_argument("certificate_id", type=int)
    p.add_argument("--pdf", type=Path, help="write the certificate as a PDF here")
    p.set_defaults(func=cmd_certificate)
