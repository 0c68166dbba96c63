"""``alpr alert``: standing alerts (set, list, cancel, the queue) and ``alpr read print``.

Each sub-command logs in, calls one method of ``ws.alerts`` or ``ws.printing`` (which guard and
log it) and prints the outcome in a line or a short table.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from app.engine import states, timefmt

from .common import add_login_args, login, open_workstation


def _when(ws, ts: int | None) -> str:
    return timefmt.fmt(ts, timefmt.zone(ws.profile.time_zone), seconds=False)


def cmd_set(args):
    ws = open_workstation(args)
    a = ws.alerts.set(login(ws, args), args.pattern, args.days, args.state, args.note or "")
    print(f"Standing alert {a.id} on {a.pattern} ({states.shown(a.plate_state)}) for case "
          f"{a.case_number} ({a.purpose}) until {_when(ws, a.expires_at)}.")


def cmd_list(args):
    ws = open_workstation(args)
    alerts = ws.alerts.mine(login(ws, args), include_ended=args.all)
    for a in alerts:
        status = "live" if a.live else f"ended ({a.end_reason})"
        print(f"{a.id:5} {a.pattern:10} {states.shown(a.plate_state):2} {a.case_number:18} {a.purpose:12} "
              f"until {_when(ws, a.expires_at)}  {a.matches:4} found  {status}  {a.note}")
    print(f"{len(alerts)} standing alert{'s' if len(alerts) != 1 else ''}.")


def cmd_cancel(args):
    ws = open_workstation(args)
    a = ws.alerts.cancel(login(ws, args), args.alert_id)
    print(f"Standing alert {a.id} on {a.pattern} cancelled ({a.matches} reads found while it ran).")


def cmd_queue(args):
    ws = open_workstation(args)
    found = ws.alerts.queue(login(ws, args))
    for m in found:
        r = m.read
        print(f"alert {m.alert_id:4} {m.pattern:10} read {r.id:10} {r.plate:10} {states.shown(r.plate_state):2} "
              f"{_when(ws, r.read_at)} {r.camera_id:8} {r.site}  (case {m.case_number})")
    print(f"{len(found)} read{'s' if len(found) != 1 else ''} found by your standing alerts.")


def cmd_read_print(args):
    ws = open_workstation(args)
    out = ws.printing.read(login(ws, args), args.read_id, Path(args.pdf))
    print(f"Read {args.read_id} printed to {out} (logged as a print).")


def register(sub: argparse._SubParsersAction) -> None:
    al = sub.add_parser("alert", help="standing alerts: tell me when a plate is read again").add_subparsers(
        dest="alert_cmd", required=True)
    p = al.add_parser("set", help="alert me when this plate (or ?/* pattern) is read again (logged)")
    add_login_args(p, purpose=True)
    p.add_argument("pattern")
    p.add_argument("--days", type=int, required=True, help="how long (at most the profile's alert_max_days)")
    p.add_argument("--state", help="only this state's plate (two-letter code)")
    p.add_argument("--note")
    p.set_defaults(func=cmd_set)
    p = al.add_parser("list", help="your standing alerts")
    add_login_args(p)
    p.add_argument("--all", action="store_true", help="ended ones too")
    p.set_defaults(func=cmd_list)
    p = al.add_parser("cancel", help="end one of your standing alerts now (logged)")
    add_login_args(p)
    p.add_argument("alert_id", type=int)
    p.set_defaults(func=cmd_cancel)
    p = al.add_parser("queue", help="the reads your alerts found (a logged view)")
    add_login_args(p)
    p.set_defaults(func=cmd_queue)

    rd = sub.add_parser("read", help="one read").add_subparsers(dest="read_cmd", required=True)
    p = rd.add_parser("print", help="print a read (both photos, its facts) as PDF; logged as a print")
    add_login_args(p, purpose=True)
    p.add_argument("read_id", type=int)
    p.add_argument("--pdf", required=True, metavar="FILE")
    p.set_defaults(func=cmd_read_print)
