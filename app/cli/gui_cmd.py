"""``alpr gui``: the investigator's desktop on a data folder."""
from __future__ import annotations

import argparse

from .common import data_dir


def cmd_gui(args: argparse.Namespace) -> int:
    from app.ui.app import run      # Qt is loaded only for this command
    return run(data_dir(args))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the investigator's desktop (PySide6)")
    p.add_argument("--data-dir", dest="data_dir", default=argparse.SUPPRESS,
                   help="folder of the encrypted store (also accepted before the command)")
    p.set_defaults(func=cmd_gui)
