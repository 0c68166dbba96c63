"""Entry point of ``alpr``: parse, run one command, turn engine errors into one clear line."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from app.engine.errors import EngineError

from .common import CliError



def command_modules() -> list[str]:
    """Every ``app.cli.*_cmd`` module; each adds its command group with ``register(sub)``."""
    import app.cli
    return sorted(f"app.cli.{m.name}" for m in pkgutil.iter_modules(app.cli.__path__)
                  if m.name.endswith("_cmd"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alpr", description="ALPR investigator workstation")
    parser.add_argument("--data-dir", help="folder of the encrypted store (default: ALPR_DATA_DIR "
                        "or ~/.local/share/alpr-workstation)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in command_modules():
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"alpr: {exc}", file=sys.stderr)
        return 2
    except EngineError as exc:
        print(f"alpr: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("alpr: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
