"""What every command shares: the data folder, logging in, and turning errors into sentences."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from app.engine import diagnostics
from app.engine.auth import Session
from app.engine.errors import SecondFactorRequired
from app.engine.workstation import Workstation

DEFAULT_DATA_DIR = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "alpr-workstation"


MAX_PASSWORD_LINE = 1024


class CliError(Exception):
    """A usage problem the command line reports in one sentence (exit status 2)."""


def data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir or os.environ.get("ALPR_DATA_DIR") or DEFAULT_DATA_DIR)


def open_workstation(args: argparse.Namespace) -> Workstation:
    """Open the store, after checking the arguments that need no store."""
    if hasattr(args, "user") and not args.user and args.func.__name__ != "cmd_status":
        raise CliError("This command needs --user NAME (every access is by a named user).")
    ws = Workstation.open(data_dir(args))
    diagnostics.setup(ws.data_dir)
    return ws


def read_password(args: argparse.Namespace, prompt: str = "Password: ") -> str:
    """From stdin with --password-stdin (scripts), else asked without echo."""
    if getattr(args, "password_stdin", False):
        try:
            line = sys.stdin.readline(MAX_PASSWORD_LINE + 1)
        except UnicodeDecodeError:
            raise CliError("The password on standard input is not UTF-8 text.") from None
        if not line:
            raise CliError("--password-stdin was given but standard input is empty.")
        if len(line.rstrip("\n")) > MAX_PASSWORD_LINE:
            raise CliError(f"The password on standard input is longer than {MAX_PASSWORD_LINE} characters.")
        return line.rstrip("\n")
    if not sys.stdin.isatty():
        raise CliError("No terminal to ask for the password; use --password-stdin.")
    return getpass.getpass(prompt)


def login(ws: Workstation, args: argparse.Namespace) -> Session:
    password = read_password(args)
    try:
        session = ws.login(args.user, password, args.totp)
    except SecondFactorRequired:
        if not sys.stdin.isatty():
            raise
        session = ws.login(args.user, password, input("One-time code: ").strip())
    if getattr(args, "purpose", None) or getattr(args, "case", None):
        ws.set_purpose(session, args.purpose or "", args.case or "")
    return session


def add_login_args(p: argparse.ArgumentParser, purpose: bool = False) -> None:
    p.add_argument("--user", help="your user name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--totp", help="the one-time code, if your account has a second factor")
    if purpose:
        p.add_argument("--purpose", help="authorised purpose code from the policy profile")
        p.add_argument("--case", help="case or incident number")
