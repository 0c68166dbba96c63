"""``alpr evidence ...`` and ``alpr release ...``: packages on media, their check, releases."""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from app.engine.evidence import AggregateQuery, ExportRequest, ReleaseRequestForm, run
from app.engine.evidence.drives import removable_drives
from app.engine.evidence.release import STATUSES
from app.engine.progress import Progress

from .common import CliError, add_login_args, login, open_workstation


def _progress(p: Progress, last: dict) -> None:
    """One line per tenth of the work on standard error, so scripts can still read stdout."""
    step = (10 * p.done // p.total) if p.total else 0
    if p.message or (p.stage, step) != last.get("key"):
        last["key"] = (p.stage, step)
        text = p.message or f"{p.done}/{p.total} files, {p.bytes_done / 1e6:.1f} MB"
        print(f"  {p.stage}: {text}", file=sys.stderr)


def _drive(gen) -> object:
    last: dict = {}
    try:
        return run(gen, lambda p: _progress(p, last))
    except KeyboardInterrupt:
        gen.close()                     # the partial package is removed and the failure logged
        raise


def when(text: str) -> int:
    """A date or date-time from the command line as Unix seconds (UTC unless an offset is given)."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"{text!r} is not a date or time (use YYYY-MM-DD or YYYY-MM-DDTHH:MM).") from None
    return int((dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp())


def _read_ids(args) -> list[int]:
    ids = list(args.read_ids or [])
    if args.ids_file:
        text = Path(args.ids_file).read_text(encoding="utf-8")
        try:
            ids += [int(tok) for tok in text.replace(",", " ").split()]
        except ValueError:
            raise CliError(f"{args.ids_file} must hold read ids (numbers) only.") from None
    if not ids:
        raise CliError("Give the read ids to export (arguments or --ids-file).")
    return ids


def cmd_export(args):
    ws = open_workstation(args)
    s = login(ws, args)
    req = ExportRequest(_read_ids(args), Path(args.to), args.description or "",
                        args.release_request, args.for_agency, args.derived)
    res = _drive(ws.evidence.export(s, req))
    for w in res.warnings:
        print(f"WARNING: {w}")
    print(f"Package written and verified: {res.path}")
    print(f"{res.files} files, {res.bytes / 1e6:.1f} MB; manifest SHA-256 {res.manifest_sha256}")
    print(f"{len(res.read_ids)} reads placed on evidence hold {res.hold_id} for case {s.case_number}.")


def cmd_verify(args):
    ws = open_workstation(args)
    result = ws.evidence.verify(login(ws, args), Path(args.path))
    print("\n".join(result.lines()))
    return 0 if result.ok else 1


def cmd_drives(_args):
    found = removable_drives()
    for d in found:
        print(f"{str(d.mount_point):32} {d.label:16} {d.device:14} {d.free / 1e9:7.1f} GB free "
              f"of {d.size / 1e9:.1f} GB ({d.source})")
    if not found:
        print("No removable drive is mounted; export to any folder with --to PATH.")


def cmd_release_request(args):
    ws = open_workstation(args)
    form = ReleaseRequestForm(args.agency, args.requester, args.request_purpose,
                              args.description, args.their_case, args.received_on,
                              plates=tuple(args.plate or ()), read_ids=tuple(args.read or ()),
                              start=when(args.since), end=when(args.until),
                              camera_ids=tuple(args.camera or ()))
    r = ws.evidence.request_release(login(ws, args), form)
    print(f"Release request #{r.id} on file ({r.status}); scope: {r.scope_text()}.")
    print(f"Another person, the {ws.profile.designee_title}, decides with "
          f"'alpr release approve|deny {r.id}'; it covers one release, of reads inside its scope.")


def cmd_release_decide(args):
    ws = open_workstation(args)
    r = ws.evidence.decide_release(login(ws, args), args.request_id, args.func_name == "approve", args.note)
    print(r.summary())


def cmd_release_list(args):
    ws = open_workstation(args)
    for r in ws.evidence.list_releases(login(ws, args), args.status):
        print(r.summary())


def cmd_release_aggregate(args):
    ws = open_workstation(args)
    s = login(ws, args)
    q = AggregateQuery(when(args.since), when(args.until), tuple(args.site or ()), args.offense,
                       tuple(args.camera or ()))
    res = _drive(ws.evidence.export_aggregate(s, args.request_id, q, Path(args.to), args.description))
    print(f"Aggregate release written and verified: {res.path} (manifest SHA-256 {res.manifest_sha256})")


def register(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser("evidence", help="evidence packages on portable media").add_subparsers(
        dest="ev_cmd", required=True)
    p = ev.add_parser("export", help="write a verified evidence package and hold its reads")
    add_login_args(p, purpose=True)
    p.add_argument("read_ids", type=int, nargs="*")
    p.add_argument("--ids-file", help="file of read ids (spaces, commas or lines)")
    p.add_argument("--to", required=True, help="mount point of a removable drive, or any folder")
    p.add_argument("--description", required=True, help="what the package holds and why")
    p.add_argument("--release-request", type=int, help="approved release request, for another agency")
    p.add_argument("--for-agency", help="the receiving agency, if not your own")
    p.add_argument("--derived", action="store_true", help="add plate-box-outlined copies of the scenes")
    p.set_defaults(func=cmd_export)
    p = ev.add_parser("verify", help="check a package: manifest, files, custody form")
    add_login_args(p)
    p.add_argument("path")
    p.set_defaults(func=cmd_verify)
    p = ev.add_parser("drives", help="list mounted removable drives")
    p.set_defaults(func=cmd_drives)

    rel = sub.add_parser("release", help="written release requests from other agencies").add_subparsers(
        dest="rel_cmd", required=True)
    p = rel.add_parser("request", help="put an agency's written request on file")
    add_login_args(p)
    p.add_argument("--agency", required=True, type=int, metavar="REGISTER_ID",
                   help="the requesting agency's entry in the agency register ('alpr agency list')")
    p.add_argument("--requester", required=True, help="the person requesting")
    p.add_argument("--request-purpose", required=True, help="their intended purpose")
    p.add_argument("--description", required=True, help="description of the requested information")
    p.add_argument("--their-case", required=True, help="the requesting agency's case number")
    p.add_argument("--received-on", required=True, help="YYYY-MM-DD the written request arrived")
    scope = p.add_argument_group("scope", "what the request covers: nothing outside it can be released")
    scope.add_argument("--plate", action="append", help="a plate asked for (repeat for more)")
    scope.add_argument("--read", action="append", type=int, metavar="READ_ID",
                       help="a read asked for (repeat for more)")
    scope.add_argument("--since", required=True, help="start of the period (YYYY-MM-DD[THH:MM], UTC "
                       "unless an offset is given)")
    scope.add_argument("--until", required=True, help="end of the period (exclusive)")
    scope.add_argument("--camera", action="append", help="only this camera id (repeat; default any)")
    p.set_defaults(func=cmd_release_request)
    for name in ("approve", "deny"):
        p = rel.add_parser(name, help=f"{name} a request on file (the designee)")
        add_login_args(p)
        p.add_argument("request_id", type=int)
        p.add_argument("--note", required=True, help="reason for the decision")
        p.set_defaults(func=cmd_release_decide, func_name=name)
    p = rel.add_parser("list", help="list requests on file")
    add_login_args(p)
    p.add_argument("--status", choices=STATUSES)
    p.set_defaults(func=cmd_release_list)
    p = rel.add_parser("aggregate", help="counts-only release for an approved public-agency request")
    add_login_args(p, purpose=True)
    p.add_argument("request_id", type=int)
    p.add_argument("--since", required=True)
    p.add_argument("--until", required=True)
    p.add_argument("--site", action="append")
    p.add_argument("--camera", action="append", help="only this camera id (default: the request's)")
    p.add_argument("--offense", help="hot-list kind whose hits are counted (stolen, wanted, ...)")
    p.add_argument("--to", required=True)
    p.add_argument("--description", default="")
    p.set_defaults(func=cmd_release_aggregate)
