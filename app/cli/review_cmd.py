"""``alpr audit review ...`` (the audit cycle) and ``alpr user set-supervisor``.

The commands join the ``audit`` and ``user`` groups that core_cmd.py makes (this module is
registered after it). Dates typed here are the agency's wall-clock dates, as the review's
periods are: ``--period 2026-10`` is October in the profile's zone.
"""
from __future__ import annotations

import argparse
from datetime import datetime

from app.engine import timefmt
from app.engine.oversight.records import OUTCOMES
from app.engine.oversight.risk_rules import TITLES

from .common import CliError, add_login_args, login, open_workstation


def _local(ws, text: str | None, what: str) -> int | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"{what}: {text!r} is not a date or time (use YYYY-MM-DD or "
                       "YYYY-MM-DDTHH:MM).") from None
    if dt.tzinfo is not None:
        return int(dt.timestamp())
    return timefmt.wall_to_ts(dt.year, dt.month, dt.day, dt.hour, dt.minute,
                              timefmt.zone(ws.profile.time_zone))


def _show(detail) -> None:
    r = detail.review
    print(f"Review #{r.id} of {r.label} by {r.reviewer}: {r.status}; log read up to entry {r.through_seq}; "
          f"sample seed {r.sample_seed}.")
    for note in r.notes:
        print(f"  Not checked: {note}")
    for i in detail.items:
        finding = f"{i.outcome}: {i.note}" if i.outcome else "no finding yet"
        seqs = " ".join(map(str, i.seqs[:10])) + (" ..." if len(i.seqs) > 10 else "")
        print(f"{i.item:4} {TITLES.get(i.rule, i.rule):28} {i.sentence}\n"
              f"       entries {seqs}  [{finding}]")


def cmd_run(args):
    ws = open_workstation(args)
    s = login(ws, args)
    if args.period and (args.since or args.until):
        raise CliError("Give either --period or --since and --until, not both.")
    period = ws.reviews.period(args.period, _local(ws, args.since, "--since"), _local(ws, args.until, "--until"))
    detail = ws.reviews.run(s, period)
    _show(detail)
    print(f"{len(detail.items)} items to record a finding on (alpr audit review finding {detail.review.id} ITEM ...).")


def cmd_list(args):
    ws = open_workstation(args)
    s = login(ws, args)
    for due in ws.reviews.due(s):
        print(due.sentence())
    for r in ws.reviews.reviews(s):
        scope = "everyone" if r.scope_owner is None else f"staff of {r.scope_owner}"
        print(f"#{r.id:<4} {r.label:28} {scope:22} {r.status:9} reviewer {r.reviewer}"
              + (f", approved by {r.approver}" if r.approver else ""))


def cmd_show(args):
    ws = open_workstation(args)
    _show(ws.reviews.open(login(ws, args), args.review))


def cmd_finding(args):
    ws = open_workstation(args)
    item = ws.reviews.record_finding(login(ws, args), args.review, args.item, args.outcome, args.note or "")
    print(f"Item {item.item} of review #{args.review} recorded as {item.outcome}.")


def cmd_signoff(args):
    ws = open_workstation(args)
    r = ws.reviews.sign_off(login(ws, args), args.review, args.note or "")
    print(f"Review #{r.id} of {r.label} signed off (entry {r.signoff_seq}); it awaits approval by another person.")


def cmd_approve(args):
    ws = open_workstation(args)
    r = ws.reviews.approve(login(ws, args), args.review, args.note or "")
    print(f"Review #{r.id} of {r.label} approved (entry {r.approve_seq}).")


def cmd_report(args):
    ws = open_workstation(args)
    path = ws.reviews.report(login(ws, args), args.review, args.output)
    print(f"The report of review #{args.review} was written to {path}.")


def cmd_check(args):
    ws = open_workstation(args)
    problems = ws.reviews.check(login(ws, args), args.review)
    for p in problems:
        print(p)
    print(f"Review #{args.review}: " + ("its record matches its chain entries." if not problems else
                                       f"{len(problems)} problem(s): the record was changed."))
    return 1 if problems else 0


def cmd_set_supervisor(args):
    if not args.supervisor and not args.none:
        raise CliError("Name the supervisor, or give --none to record that the user has none.")
    if args.supervisor and args.none:
        raise CliError("Give a supervisor or --none, not both.")
    ws = open_workstation(args)
    ws.reviews.set_supervisor(login(ws, args), args.username, args.supervisor)
    print(f"{args.username} is supervised by {args.supervisor}." if args.supervisor
          else f"{args.username} has no supervisor.")


def _group(sub: argparse._SubParsersAction, name: str) -> argparse._SubParsersAction:
    """The sub-commands of ``alpr NAME`` that core_cmd.py made, to add ours beside them."""
    return next(a for a in sub.choices[name]._actions if isinstance(a, argparse._SubParsersAction))


def register(sub: argparse._SubParsersAction) -> None:
    rv = _group(sub, "audit").add_parser("review", help="the audit cycle: reviews of the access log") \
        .add_subparsers(dest="rv_cmd", required=True)
    p = rv.add_parser("run", help="review a period: the risk rules and a random sample")
    add_login_args(p)
    p.add_argument("--period", metavar="YYYY-MM", help="the scheduled period holding this month")
    p.add_argument("--since", help="on demand: the start (agency's local time)")
    p.add_argument("--until", help="on demand: the end (exclusive)")
    p.set_defaults(func=cmd_run)
    p = rv.add_parser("list", help="the reviews due and the reviews on record")
    add_login_args(p)
    p.set_defaults(func=cmd_list)
    for name, func, helptext in (("show", cmd_show, "a review's items and findings"),
                                 ("signoff", cmd_signoff, "sign off a review (the reviewer)"),
                                 ("approve", cmd_approve, "approve a signed-off review (another person)"),
                                 ("check", cmd_check, "hold a review's record against its chain entries")):
        p = rv.add_parser(name, help=helptext)
        add_login_args(p)
        p.add_argument("review", type=int)
        if name in ("signoff", "approve"):
            p.add_argument("--note")
        p.set_defaults(func=func)
    p = rv.add_parser("finding", help="record the finding on one item of a review")
    add_login_args(p)
    p.add_argument("review", type=int)
    p.add_argument("item", type=int)
    p.add_argument("--outcome", required=True, choices=list(OUTCOMES))
    p.add_argument("--note")
    p.set_defaults(func=cmd_finding)
    p = rv.add_parser("report", help="write a review's report: OUTPUT.pdf or OUTPUT.csv")
    add_login_args(p)
    p.add_argument("review", type=int)
    p.add_argument("output")
    p.set_defaults(func=cmd_report)

    p = _group(sub, "user").add_parser("set-supervisor", help="name who supervises a user (LA Metro section 6)")
    add_login_args(p)
    p.add_argument("username")
    p.add_argument("supervisor", nargs="?")
    p.add_argument("--none", action="store_true", help="the user has no supervisor")
    p.set_defaults(func=cmd_set_supervisor)
