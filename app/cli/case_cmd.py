"""``alpr case``: open, list, show, close and print cases; add members, notes and bookmarks.

Each sub-command logs in, calls one method of ``ws.cases`` (which guards and logs it), and
prints the outcome in a line or a short table.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from app.engine import states, timefmt

from .common import add_login_args, login, open_workstation


def _when(ws, ts: int | None) -> str:
    return timefmt.fmt(ts, timefmt.zone(ws.profile.time_zone), seconds=False)


def cmd_open(args):
    ws = open_workstation(args)
    case = ws.cases.open(login(ws, args), args.number, args.case_purpose, args.title,
                         tuple(args.member or ()))
    print(f"Case {case.number} opened ({case.purpose}): {case.title}; members "
          f"{', '.join(case.members)}.")


def cmd_list(args):
    ws = open_workstation(args)
    cases = ws.cases.mine(login(ws, args), include_closed=args.all)
    for c in cases:
        print(f"{c.number:18} {c.status:6} {c.purpose:12} {c.owner:14} {_when(ws, c.opened_at)}  {c.title}")
    print(f"{len(cases)} case{'s' if len(cases) != 1 else ''}.")


def cmd_show(args):
    ws = open_workstation(args)
    v = ws.cases.show(login(ws, args), args.number)
    c = v.case
    print(f"Case {c.number} ({c.status}) - {c.title}")
    print(f"  purpose {c.purpose}; owner {c.owner}; members {', '.join(c.members)}; opened "
          f"{_when(ws, c.opened_at)}" + (f"; closed: {c.close_reason}" if not c.is_open else ""))
    print(f"Notes ({len(v.notes)}):")
    for n in v.notes:
        print(f"  {_when(ws, n.created_at)}  {n.author}: {n.text}")
    print(f"Bookmarked reads ({len(v.bookmarks)}):")
    for b in v.bookmarks:
        seen = (f"{b.read.plate} {states.shown(b.read.plate_state)} {_when(ws, b.read.read_at)} "
                f"{b.read.camera_id}" if b.read else "(purged)")
        print(f"  read {b.read_id}: {seen}  {b.note}")
    print(f"Holds ({len(v.holds)}):")
    for h in v.holds:
        print(f"  hold {h.id} {h.kind} on {h.reads} reads: {h.reason}")
    print(f"Work ({len(v.work)} log entries, newest first):")
    for e in v.work[:args.limit]:
        print(f"  #{e.seq} {timefmt.fmt_iso_utc(e.ts, timefmt.zone(ws.profile.time_zone))} "
              f"{e.username} {e.action}")


def cmd_close(args):
    ws = open_workstation(args)
    case = ws.cases.close(login(ws, args), args.number, args.reason)
    print(f"Case {case.number} closed; no more searches can be made under it.")


def cmd_add_member(args):
    ws = open_workstation(args)
    case = ws.cases.add_member(login(ws, args), args.number, args.username)
    print(f"Case {case.number} members: {', '.join(case.members)}.")


def cmd_note(args):
    ws = open_workstation(args)
    ws.cases.note(login(ws, args), args.number, args.text)
    print(f"Note added to case {args.number.upper()}.")


def cmd_bookmark(args):
    ws = open_workstation(args)
    ws.cases.bookmark(login(ws, args), args.number, args.read_id, args.note or "")
    print(f"Read {args.read_id} bookmarked in case {args.number.upper()}.")


def cmd_pdf(args):
    ws = open_workstation(args)
    path = ws.cases.summary_pdf(login(ws, args), args.number, Path(args.output))
    print(f"Case summary printed to {path} (logged).")


def register(sub: argparse._SubParsersAction) -> None:
    ca = sub.add_parser("case", help="cases: the work done under one case number").add_subparsers(
        dest="case_cmd", required=True)

    def command(name: str, helptext: str, func, *, number: bool = True) -> argparse.ArgumentParser:
        p = ca.add_parser(name, help=helptext)
        add_login_args(p)
        if number:
            p.add_argument("number", help="the case number")
        p.set_defaults(func=func)
        return p
    p = command("open", "open a case that you own", cmd_open)
    p.add_argument("--case-purpose", required=True, help="the purpose code the case serves")
    p.add_argument("--title", required=True)
    p.add_argument("--member", action="append", help="a colleague's user name (repeatable)")
    p = command("list", "your cases (open ones; --all for closed too)", cmd_list, number=False)
    p.add_argument("--all", action="store_true")
    p = command("show", "a case and its work (logged)", cmd_show)
    p.add_argument("--limit", type=int, default=50, help="log entries printed")
    command("close", "close a case you own", cmd_close).add_argument("--reason", required=True)
    command("add-member", "add a member to a case you own", cmd_add_member).add_argument("username")
    command("note", "add a note to a case", cmd_note).add_argument("text")
    p = command("bookmark", "keep a read with a case", cmd_bookmark)
    p.add_argument("read_id", type=int)
    p.add_argument("--note")
    command("pdf", "print the case summary as a PDF (logged first)", cmd_pdf).add_argument("output")
