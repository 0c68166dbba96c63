"""``alpr sync``: pull from the city server and upload the access log, printing progress;
``alpr sync config`` sets the server (its password kept in the encrypted store), the primary's write
address where the server is a read replica, and the sync window;
``alpr sync status`` shows the watermarks and the last sync."""
from __future__ import annotations

import argparse
import sys

from app.server.connect import redact

from .common import CliError, add_login_args, login, open_workstation


def cmd_sync(args):
    ws = open_workstation(args)
    try:
        session = login(ws, args)
        if args.what == "config":
            if not args.server:
                raise CliError("Give the city server with --server (embedded:FOLDER or postgresql://...).")
            password = None
            if args.server_password_stdin:
                password = sys.stdin.readline().rstrip("\n")
                if not password:
                    raise CliError("--server-password-stdin was given but no password line followed.")
            ws.sync.configure(session, args.server, password, args.window_days,
                              write_server=args.write_server)
            print(f"Sync server set to {redact(args.server)}"
                  + (f", writes to {redact(args.write_server)}" if args.write_server else "")
                  + (f", window {args.window_days} days." if args.window_days else "."))
        elif args.what == "status":
            st = ws.sync.status(session)
            print(f"Server: {st.server or 'not configured'}; "
                  + (f"writes to: {st.write_server}; " if st.write_server else "") + "window: "
                  f"{st.window_days or ws.profile.retention_days} days")
            print("Watermarks: " + ", ".join(f"{k} {v}" for k, v in st.watermarks.items()))
            print(f"Last sync: {st.last_sync or 'never'}")
        else:
            last = None
            for p in ws.sync.run(session):
                last = p
                print(f"[{p.stage:>15}] {p.done:9} items  {p.bytes_done / 1e6:8.1f} MB  "
                      f"{p.rate:9.0f} items/s  {p.message}", flush=True)
            print(f"Sync finished: {last.message if last else ''}")
    finally:
        ws.close()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help="sync with the city server (run, config, status)")
    p.add_argument("what", nargs="?", choices=["run", "config", "status"], default="run")
    add_login_args(p)
    p.add_argument("--server", help="config: embedded:FOLDER, postgresql://... or a libpq string")
    p.add_argument("--server-password-stdin", action="store_true",
                   help="config: read the server password (for an embedded server: your operator "
                        "password) from the line after your own")
    p.add_argument("--write-server",
                   help="config: where --server is a read replica, its primary (PostgreSQL), which "
                        "takes the access log and corrections; '' removes it")
    p.add_argument("--window-days", type=int, help="config: hold only the last N days locally")
    p.set_defaults(func=cmd_sync)
