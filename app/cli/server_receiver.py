"""``alpr server receive`` (the receiver service), ``alpr server receiver-log`` (what it refused
and counted) and ``alpr server hotlist import|watch`` (hotlist files)."""
from __future__ import annotations

import argparse
import hashlib
import logging
import secrets as pysecrets
import time
from pathlib import Path

from app.engine.errors import ValidationError
from app.server.connect import open_server, parse_address
from app.server.embedded import EmbeddedServer

from .common import CliError, read_password


def _opener(cfg, password: str | None):
    """A function that opens a new connection to the configured server (the receiver's writer
    and its hotlist watcher each hold their own)."""
    addr = parse_address(cfg.server)
    if addr.kind == "embedded":
        if not cfg.operator or not password:
            raise CliError("The embedded server needs operator = NAME in the configuration and that "
                           "operator's password (the server-password credential or --password-stdin).")
        key = EmbeddedServer.unlock(Path(addr.target), cfg.operator, password, time.time()).hex()
        return lambda: open_server(addr, key)
    return lambda: open_server(addr, password)


def cmd_receive(args):
    if args.new_token:
        token = pysecrets.token_urlsafe(32)
        print(f"Token (give it to the source; shown once):  {token}")
        print(f'Its hash for the configuration:  token_sha256 = "{hashlib.sha256(token.encode()).hexdigest()}"')
        return
    if not args.config:
        raise CliError("Give the receiver's configuration with --config FILE (docs/server.md).")
    from app.server.hotlist_files.watch import scan
    from app.server.receiver import config, secrets
    from app.server.receiver.service import Service
    cfg = config.load(Path(args.config))
    password = read_password(args, "Server password: ") if args.password_stdin else secrets.get(secrets.SERVER_PASSWORD)
    opener = _opener(cfg, password)
    operator = cfg.operator or "receiver"

    def hotlists() -> None:
        with opener() as server:
            for item in scan(server, Path(cfg.hotlist_folder or "."), operator, int(time.time())):
                logging.getLogger("alpr.receiver").info("%s", item if isinstance(item, str) else item.summary())

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    service = Service(cfg, opener, time.time, mqtt_password=secrets.get(secrets.MQTT_PASSWORD),
                      hotlists=hotlists if cfg.hotlist_folder else None)
    print(f"Receiver listening on {cfg.host}:{cfg.port} for {', '.join(sorted(cfg.sources))}", flush=True)
    service.run()


def cmd_receiver_log(args):
    from app.server.receiver.tables import ReceiverTables
    from .server_cmd import _server
    with _server(args) as server:
        tables = ReceiverTables(server)
        counts, rejects = tables.counts(), tables.rejects(args.limit)
        waiting = tables.waiting()
        outages = tables.outages()
    for (source, name), n in sorted(counts.items()):
        print(f"{source:24} {name:16} {n}")
    print(f"{waiting} reads wait for their photos.")
    for at, source, reason, detail in rejects:
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(at))}Z {source}: {reason}"
              + (f" [{detail}]" if detail else ""))
    for cam, start, end, reason in outages:
        till = time.strftime('%Y-%m-%d %H:%M', time.gmtime(end)) + "Z" if end else "now"
        print(f"camera {cam} offline {time.strftime('%Y-%m-%d %H:%M', time.gmtime(start))}Z to {till}: {reason}")


def cmd_hotlist_import(args):
    from app.server.hotlist_files.watch import import_file
    from .server_cmd import _server
    with _server(args) as server:
        report = import_file(server, Path(args.file), args.operator_name, int(time.time()),
                             fmt=args.format, list_id=args.list)
    for n, why in report.rejects:
        print(f"REJECTED line {n}: {why}")
    print(report.summary())


def cmd_hotlist_watch(args):
    from app.server.hotlist_files.watch import scan
    from .server_cmd import _server
    if not Path(args.folder).is_dir():
        raise ValidationError(f"{args.folder} is not a folder.")
    with _server(args) as server:
        while True:
            for item in scan(server, Path(args.folder), args.operator_name, int(time.time())):
                print(item if isinstance(item, str) else item.summary(), flush=True)
            if args.once:
                return
            time.sleep(args.every * 60)


def register(srv: argparse._SubParsersAction, with_server) -> None:
    p = srv.add_parser("receive", help="run the receiver: camera systems' reads over HTTP and MQTT")
    p.add_argument("--config", help="the receiver's TOML configuration")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the server's (or the embedded operator's) password from stdin")
    p.add_argument("--new-token", action="store_true", help="print a new source token and its hash, then exit")
    p.set_defaults(func=cmd_receive)
    p = srv.add_parser("receiver-log", help="what the receiver refused, counted and found offline")
    with_server(p)
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(func=cmd_receiver_log)
    hot = srv.add_parser("hotlist", help="hotlist files (CA DOJ CLEW, NCIC, CSV)").add_subparsers(
        dest="hotlist_cmd", required=True)
    p = hot.add_parser("import", help="replace a list with a file's entries")
    with_server(p)
    p.add_argument("file")
    p.add_argument("--format", choices=["clew", "ncic", "csv"], help="default: from the file name")
    p.add_argument("--list", help="the list's id (svs, sfr, slr, ncic, or a CSV list's); default: from the name")
    p.set_defaults(func=cmd_hotlist_import)
    p = hot.add_parser("watch", help="import new hotlist files from a folder on a schedule")
    with_server(p)
    p.add_argument("folder")
    p.add_argument("--every", type=int, default=5, help="minutes between looks")
    p.add_argument("--once", action="store_true")
    p.set_defaults(func=cmd_hotlist_watch)
