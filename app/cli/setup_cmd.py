"""``alpr setup``: the first-run wizard's steps from a terminal or a script.

It drives :class:`app.engine.firstrun.FirstRun`, the very calls the desktop's wizard makes, in
the same order: profile, first administrator (store and first key slot), first sign-in and the
authenticator where the profile asks for one, the city server, the first sync. So an
installer's check or CI sets up a store exactly as a person at the wizard does, and the log
holds the same entries (``first_run`` last).

The second factor stays a second factor: the command prints the new authenticator secret and
then waits for a code made from it (typed, or written by a script that read the secret).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from app.engine.errors import EngineError
from app.engine.firstrun import SERVER_KINDS, FirstRun, ServerChoice, needs_first_run
from app.engine.policy import available_profiles
from app.engine.progress import Progress

from .common import CliError, data_dir, read_password


def _line(args: argparse.Namespace, prompt: str) -> str:
    """The next line: from standard input for a script (--password-stdin), else asked."""
    if args.password_stdin:
        print(prompt.strip(), flush=True)          # a script waits for this line, then answers
        line = sys.stdin.readline(200)
        if not line:
            raise CliError(f"Standard input ended before the {prompt.rstrip(': ').lower()}.")
        return line.strip()
    if not sys.stdin.isatty():
        raise CliError("No terminal to ask for the one-time code; use --password-stdin.")
    return input(prompt).strip()


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _follow(progress: Iterator[Progress], label: str) -> None:
    """Print each stage once, not every batch."""
    stage = None
    for p in progress:
        if p.stage != stage:
            stage = p.stage
            print(f"  {label}: {p.message or p.stage}", flush=True)


def _choice(args: argparse.Namespace, run: FirstRun) -> ServerChoice | None:
    kind = args.server
    if kind == "none":
        return None
    window = {"window_days": args.window_days} if args.window_days else {}
    if kind == "postgresql":
        password = (read_password(args, "City server password: ") if args.password_stdin or sys.stdin.isatty()
                    else None)
        return ServerChoice.postgresql(args.address, password, **window)
    folder = Path(args.server_folder).expanduser() if args.server_folder else run.default_server_folder()
    if kind == "embedded":
        return ServerChoice.embedded(folder, **window)
    return ServerChoice.demo(folder, demo_days=args.demo_days, demo_reads_per_day=args.demo_reads,
                             demo_ocr=not args.no_ocr, **window)


def cmd_setup(args):
    folder = data_dir(args)
    if not needs_first_run(folder):
        raise CliError(f"A store already exists in {folder}; sign in to it instead (alpr gui).")
    if args.server != "postgresql" and args.address:
        raise CliError("--address is only for --server postgresql.")
    if args.server == "postgresql" and not args.address:
        raise CliError("--server postgresql needs --address (host, port, database, user; no password).")
    for flag, value, low, high in (("--window-days", args.window_days, 1, 3650),
                                   ("--demo-days", args.demo_days, 1, 60),
                                   ("--demo-reads", args.demo_reads, 1, 20000)):
        if value is not None and not low <= value <= high:
            raise CliError(f"{flag} is {low} to {high}, not {value}.")
    run = FirstRun(folder)
    try:
        profile = run.choose_profile(args.profile)
        print(f"Profile: {profile.name} ({profile.agency}); reads kept {profile.retention_days} days.")
        password = read_password(args, "Administrator password: ")
        repeat = password if args.password_stdin else read_password(args, "Repeat the password: ")
        user = run.create_administrator(args.admin, args.admin_name, password, repeat)
        print(f"Created the encrypted store in {folder}; administrator {user.username} holds its first key slot.")
        enrolment = run.sign_in()
        if enrolment is not None:
            print("This profile asks administrators for a second factor. Add this account to an "
                  "authenticator app (RFC 6238, 30 s, 6 digits):")
            print(f"  secret  {_grouped(enrolment.secret)}")
            print(f"  address {enrolment.uri}")
            if sys.stdout.isatty():
                import segno
                segno.make(enrolment.uri, error="m").terminal(compact=True)
            run.confirm_second_factor(_line(args, "One-time code: "))
            print("Second factor confirmed.")
        choice = _choice(args, run)
        if choice is None:
            print("No city server chosen: set it later under Administration > Sync.")
        else:
            _follow(run.connect_server(choice), "city server")
            print(f"City server: {run.outcome.server}")
            if not args.no_sync:
                _follow(run.first_sync(), "first sync")
                print(f"First sync: {run.outcome.sync}.")
        ws, session = run.finish()
        for username, role in run.outcome.demo_users:
            print(f"Demo user {username} ({role}) added with the demo password.")
        ws.logout(session)
        ws.close()
        print(f"Set-up done. Start the workstation with: alpr --data-dir {folder} gui")
    except BaseException as exc:
        made = run.ws is not None
        run.abandon()
        if made and isinstance(exc, EngineError | CliError):
            raise type(exc)(f"{exc} The store exists with its administrator: sign in to it "
                            "(alpr gui) and finish the set-up under Administration.") from None
        raise


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("setup", help="set up a new workstation: the first-run wizard's steps")
    p.add_argument("--profile", default="calabasas", choices=available_profiles())
    p.add_argument("--admin", required=True, help="the first administrator's user name")
    p.add_argument("--admin-name", required=True, help="the administrator's full name")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password (and then the one-time code, and for PostgreSQL the "
                        "server's password) from standard input, one a line")
    p.add_argument("--server", choices=(*SERVER_KINDS, "none"), default="embedded",
                   help="where reads come from: an existing PostgreSQL city server, a new embedded "
                        "one on this machine, the demo city, or none for now (default: embedded)")
    p.add_argument("--server-folder", help="folder of a new embedded or demo server "
                   "(default: city-server inside the data folder)")
    p.add_argument("--address", help="PostgreSQL server address, without the password")
    p.add_argument("--window-days", type=int, help="days of reads to keep locally (default: the "
                   "whole retention period)")
    p.add_argument("--demo-days", type=int, default=3, help="days of made-up reads in the demo city")
    p.add_argument("--demo-reads", type=int, default=1000, help="demo reads a day")
    p.add_argument("--no-ocr", action="store_true", help="demo city without the OCR pass (faster)")
    p.add_argument("--no-sync", action="store_true", help="skip the first sync")
    p.set_defaults(func=cmd_setup)
