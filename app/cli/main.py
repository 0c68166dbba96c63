"""Entry point of ``alpr``: parse, run one command, turn every error into one clear line.

A user's mistake (a bad argument, a missing or damaged file, a full disk, a refusal by the
engine) never shows a traceback: it prints one line on standard error and exits non-zero
(2 for usage, 1 for a refusal or a file problem). A fault of the program itself also prints
one line, and its traceback goes to the diagnostic log (scrubbed of plates) when there is a
store folder to hold it; ``ALPR_DEBUG=1`` shows it on the terminal instead.
"""
from __future__ import annotations

import argparse
import errno
import importlib
import logging
import os
import pkgutil
import sys
from typing import NoReturn

from app import __version__
from app.engine.errors import EngineError

from .common import CliError, data_dir

log = logging.getLogger("app.cli")

EXIT_REFUSED, EXIT_USAGE, EXIT_FAULT, EXIT_INTERRUPTED = 1, 2, 70, 130


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (not the whole usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see '{self.prog} --help').\n")


def one_line(text: object, limit: int = 1000) -> str:
    """The message on one line, and not a screenful (an echoed 5 MB argument is cut)."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 3] + "..."


def command_modules() -> list[str]:
    """Every ``app.cli.*_cmd`` module; each adds its command group with ``register(sub)``."""
    import app.cli
    return sorted(f"app.cli.{m.name}" for m in pkgutil.iter_modules(app.cli.__path__)
                  if m.name.endswith("_cmd"))


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="alpr", description="ALPR investigator workstation")
    parser.add_argument("--version", action="version", version=f"alpr {__version__}")
    parser.add_argument("--data-dir", help="folder of the encrypted store (default: ALPR_DATA_DIR "
                        "or ~/.local/share/alpr-workstation)")
    sub = parser.add_subparsers(dest="command", required=True)    # sub-parsers are Parsers too
    for name in command_modules():
        importlib.import_module(name).register(sub)
    return parser


def _os_error(exc: OSError) -> str:
    """A file or folder the user named (or the store's) could not be used."""
    where = f"{exc.filename}: " if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full"
    elif exc.errno == errno.EROFS:
        why = "the disk or folder is read-only"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why = "permission denied"
    elif exc.errno == errno.ENOENT:
        why = "no such file or folder"
    elif exc.errno == errno.EISDIR:
        why = "is a folder, not a file"
    elif exc.errno == errno.ENOTDIR:
        why = "a part of the path is not a folder"
    else:
        why = exc.strerror or type(exc).__name__
    return f"{where}{why}."


def _database_error(exc: Exception, args: argparse.Namespace) -> str:
    from app.engine.store import DB_NAME, disk_problem
    problem = disk_problem(exc, data_dir(args) / DB_NAME)
    return str(problem) if problem else f"the store refused the operation ({exc})."


def _fault(exc: BaseException, args: argparse.Namespace) -> str:
    """A fault of the program: one line here, the traceback in the diagnostic log."""
    where = ""
    try:
        from app.engine import diagnostics
        folder = data_dir(args)
        if (folder / "store.id").is_file():
            where = f" Details are in {diagnostics.setup(folder)}."
            log.error("alpr %s failed", getattr(args, "command", "?"),
                      exc_info=(type(exc), exc, exc.__traceback__))
    except Exception:                               # the log is best effort here
        where = ""
    return (f"unexpected error ({type(exc).__name__}: {exc}). This is a fault of the program, "
            f"not of what you typed; please report it.{where}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)      # a usage error: one line, then SystemExit(2)
    debug = os.environ.get("ALPR_DEBUG") == "1"
    code, message = 0, ""
    try:
        code = int(args.func(args) or 0)
    except CliError as exc:
        code, message = EXIT_USAGE, str(exc)
    except EngineError as exc:
        code, message = EXIT_REFUSED, str(exc)
    except KeyboardInterrupt:
        code, message = EXIT_INTERRUPTED, "interrupted"
    except BrokenPipeError:                         # the reader of our output went away
        sys.stderr.close()
        return EXIT_REFUSED
    except OSError as exc:
        if debug:
            raise
        code, message = EXIT_REFUSED, _os_error(exc)
    except UnicodeError as exc:
        if debug:
            raise
        code, message = EXIT_REFUSED, (f"a file or input is not UTF-8 text ({getattr(exc, 'reason', exc)} at byte "
                                       f"{getattr(exc, 'start', '?')}).")
    except MemoryError:
        code, message = EXIT_REFUSED, "out of memory: the input is too large."
    except Exception as exc:
        if debug:
            raise
        from sqlcipher3 import DatabaseError
        if isinstance(exc, DatabaseError):
            code, message = EXIT_REFUSED, _database_error(exc, args)
        else:
            code, message = EXIT_FAULT, _fault(exc, args)
    if message:
        print(f"alpr: {one_line(message)}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
