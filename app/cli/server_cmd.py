"""Commands of the city server: create it, ingest camera drops, load cameras and hotlists,
look at the OCR queue, purge, and count what it holds."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from app.engine import passwords, states
from app.engine.errors import SyncError, ValidationError
from app.engine.policy import available_profiles, load_profile
from app.engine.sync_errors import CONNECT_ERRORS, describe_server_error
from app.server.connect import PASSWORD_REFUSED, has_secret, open_server, parse_address, redact
from app.server.embedded import EmbeddedServer
from app.server.model import Camera, Hotlist, HotlistEntry

from .common import CliError, read_password


def _server(args):
    """Open the server as a named person: an operator's key slot for the embedded server,
    the person's own PostgreSQL role otherwise. Every command is then recorded under that name."""
    try:
        addr = parse_address(args.server)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if addr.kind == "embedded":
        if not args.operator:
            raise CliError("Commands on the embedded city server need --operator NAME (a named "
                           "administrator or custodian who holds a key slot) and their password.")
        password = read_password(args, "Operator password: ")
        key = EmbeddedServer.unlock(Path(addr.target), args.operator, password, time.time())
        server = open_server(addr, key.hex())
        args.operator_name = args.operator.strip().lower()
        return server
    password = read_password(args, "Server password: ") if args.password_stdin else None
    try:
        server = open_server(addr, password)
    except CONNECT_ERRORS as exc:
        raise SyncError(redact(describe_server_error(exc, args.server), password)) from None
    args.operator_name = args.operator or "(database login)"
    return server


def _audit(server, args, action: str, detail: dict) -> None:
    server.audit(args.operator_name, action, detail, int(time.time()))


def cmd_init(args):
    from app.server.postgres import init_schema
    if has_secret(args.dsn):
        raise CliError(PASSWORD_REFUSED)
    password = read_password(args, "Server password: ") if args.password_stdin else None
    try:
        sid = init_schema(args.dsn, password, load_profile(args.profile).retention_days)
    except CONNECT_ERRORS as exc:
        raise SyncError(redact(describe_server_error(exc, args.dsn), password)) from None
    print(f"City server schema and roles are in place (server id {sid}).")
    print("Give people LOGIN roles in alpr_workstation, and the camera feed one in alpr_ingest.")


def cmd_create_embedded(args):
    if not args.operator:
        raise CliError("Name the server's first operator with --operator NAME (an administrator "
                       "or custodian); their password opens the server's key slot.")
    password = read_password(args, "Operator password: ")
    passwords.check_rules(password, args.operator.strip().lower(), second_factor=False)
    server = EmbeddedServer.create(Path(args.folder), args.operator, password,
                                   retention_days=load_profile(args.profile).retention_days,
                                   now=int(time.time()))
    server.close()
    print(f"Embedded city server created in {args.folder}; its key opens only with the key slot "
          f"of {args.operator.strip().lower()} (add others with 'alpr server add-operator').")
    print(f"Workstations use the address embedded:{Path(args.folder).resolve()}")


def cmd_ingest(args):
    from app.server.ingest import ingest_dir
    with _server(args) as server:
        report = ingest_dir(server, Path(args.folder), int(time.time()),
                            on_progress=lambda n, total: print(f"  {n}/{total} drops", flush=True)
                            if n % 1000 == 0 else None)
        _audit(server, args, "ingest", {"folder": str(args.folder), "reads": report.reads,
                                        "rejected": len(report.rejects)})
    for name, reason in report.rejects:
        print(f"REJECTED {name}: {reason}")
    print(report.summary())


def cmd_cameras(args):
    doc = _load_json(args.file)
    try:
        cams = [Camera(**c) for c in doc]
    except TypeError as exc:
        raise ValidationError(f"{args.file}: each camera needs id, name, site (and lat, lon, direction): {exc}") from None
    with _server(args) as server:
        server.put_cameras(cams)
        _audit(server, args, "cameras", {"file": str(args.file), "cameras": len(cams)})
    print(f"{len(cams)} cameras loaded.")


def cmd_hotlists(args):
    doc = _load_json(args.file)
    try:
        lists = [Hotlist(**h) for h in doc.get("hotlists", [])]
        entries = [HotlistEntry(**{**e, "plate_state": states.code(e.get("plate_state"))})
                   for e in doc.get("entries", [])]
    except (TypeError, AttributeError) as exc:
        raise ValidationError(f"{args.file}: expected {{\"hotlists\": [...], \"entries\": [...]}} ({exc})") from None
    with _server(args) as server:
        for h in lists:
            server.put_hotlist(h)
        ids = server.add_entries(entries) if entries else []
        _audit(server, args, "hotlists", {"file": str(args.file), "hotlists": len(lists),
                                          "entries": len(ids)})
    print(f"{len(lists)} hotlists and {len(ids)} entries loaded.")


def cmd_ocr_queue(args):
    with _server(args) as server:
        items = server.ocr_pending(args.limit)
    for i in items:
        print(f"{i.id:8} {i.camera_id:10} {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(i.read_at))} {i.source_file}")
    print(f"{len(items)} drops wait for OCR.")


def cmd_purge(args):
    from datetime import datetime, timezone
    try:
        cutoff = int(datetime.fromisoformat(args.before).replace(tzinfo=timezone.utc).timestamp())
    except ValueError:
        raise CliError(f"{args.before!r} is not a date (YYYY-MM-DD).") from None
    with _server(args) as server:
        n = server.purge_before(cutoff, args.reason, int(time.time()))
        _audit(server, args, "purge", {"before": args.before, "reason": args.reason, "reads": n})
    print(f"{n} reads purged; workstations remove their copies at their next sync.")


def cmd_add_operator(args):
    new_pw = Path(args.new_password_file).read_text(encoding="utf-8").splitlines()[0] \
        if args.new_password_file else None
    if not new_pw:
        raise CliError("Give the new operator's password in a file with --new-password-file.")
    passwords.check_rules(new_pw, args.name.strip().lower(), second_factor=False)
    with _server(args) as server:
        if not isinstance(server, EmbeddedServer):
            raise CliError("Operators are for the embedded server; on PostgreSQL give the person "
                           "a LOGIN role in alpr_server_admin.")
        server.add_operator(args.operator_name, args.name, new_pw, int(time.time()))
    print(f"{args.name.strip().lower()} may now run this city server.")


def cmd_stats(args):
    with _server(args) as server:
        print(server.describe())
        for k, v in server.stats().items():
            print(f"  {k:16} {v}")


def _load_json(path: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{path} cannot be read as JSON ({exc}).") from None


def _with_server(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", required=True, help="embedded:FOLDER, postgresql://... or a libpq string")
    p.add_argument("--operator", help="your name as an operator of the embedded server")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the operator's (embedded) or the server's password from stdin")


def register(sub: argparse._SubParsersAction) -> None:
    srv = sub.add_parser("server", help="the city server").add_subparsers(dest="server_cmd", required=True)
    p = srv.add_parser("init", help="create or update the PostgreSQL schema and roles (idempotent)")
    p.add_argument("--dsn", required=True, help="libpq connection string of an owner of the database")
    p.add_argument("--password-stdin", action="store_true")
    p.add_argument("--profile", default="calabasas", choices=available_profiles(),
                   help="the policy profile whose retention period bounds purges")
    p.set_defaults(func=cmd_init)
    p = srv.add_parser("create-embedded", help="create an embedded (encrypted single-file) city server")
    p.add_argument("folder")
    p.add_argument("--operator", help="the first operator's user name (administrator or custodian)")
    p.add_argument("--password-stdin", action="store_true")
    p.add_argument("--profile", default="calabasas", choices=available_profiles(),
                   help="the policy profile whose retention period bounds purges")
    p.set_defaults(func=cmd_create_embedded)
    p = srv.add_parser("add-operator", help="let another named person run the embedded server")
    _with_server(p)
    p.add_argument("name")
    p.add_argument("--new-password-file", help="a file whose first line is their password")
    p.set_defaults(func=cmd_add_operator)
    p = srv.add_parser("ingest", help="ingest a folder of camera drops (image + sidecar JSON)")
    _with_server(p)
    p.add_argument("folder")
    p.set_defaults(func=cmd_ingest)
    p = srv.add_parser("cameras", help="load cameras from a JSON list")
    _with_server(p)
    p.add_argument("file")
    p.set_defaults(func=cmd_cameras)
    p = srv.add_parser("hotlists", help="load hotlists and entries from JSON")
    _with_server(p)
    p.add_argument("file")
    p.set_defaults(func=cmd_hotlists)
    p = srv.add_parser("ocr-queue", help="list drops waiting for OCR")
    _with_server(p)
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(func=cmd_ocr_queue)
    p = srv.add_parser("purge", help="purge reads older than a date (tombstones go to workstations)")
    _with_server(p)
    p.add_argument("--before", required=True, help="YYYY-MM-DD")
    p.add_argument("--reason", default="retention period ended")
    p.set_defaults(func=cmd_purge)
    p = srv.add_parser("stats", help="count what the server holds")
    _with_server(p)
    p.set_defaults(func=cmd_stats)
    from .server_receiver import register as register_receiver
    register_receiver(srv, _with_server)

