"""Files of ALPR data written to disk (printed reports, access-log exports): log first, then write.

The access-log entry that names the file (its full path) is committed in its own transaction
before the first byte is written, so no file exists that the log does not name; if the entry
cannot be committed, nothing is written. The bytes go to ``<name>.part`` beside the target,
are flushed and then renamed over the target; a failure removes the part file and logs
``<action>_failed`` naming the entry. Evidence packages on media have their own journal
(``evidence/journal.py``).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import sqlcipher3

from .accesslog import Actor
from .errors import AuditLogError, EngineError, FileWriteError, ValidationError


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_logged(ws, actor: Actor, action: str, path: Path, write: Callable[[Path], object], *,
                 query: dict | None = None, purpose: str | None = None,
                 case_number: str | None = None, result_ids: list[int] | None = None,
                 detail: dict | None = None) -> int:
    """Commit the entry for ``path``, then ``write(part_path)`` and rename; returns the entry's seq."""
    path = Path(os.path.abspath(path))
    if path.is_dir():
        raise ValidationError(f"{path} is a folder; give the name of the file to write.")
    try:
        seq = ws.log(actor, action, query=query, purpose=purpose, case_number=case_number,
                     result_ids=result_ids, detail={**(detail or {}), "file": path.name, "path": str(path)})
    except sqlcipher3.Error as exc:                     # a read-only or locked store
        raise AuditLogError(f"The access log could not be written ({exc}); {path.name} was not written.") \
            from exc
    part = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(part)
        _fsync(part, os.O_RDONLY)
        os.replace(part, path)
        try:
            _fsync(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            pass                                        # (Windows cannot open a folder)
    except BaseException as exc:
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass
        try:
            ws.log(actor, f"{action}_failed", purpose=purpose, case_number=case_number,
                   result_ids=result_ids, detail={"entry": seq, "file": path.name, "path": str(path),
                                                  "error": type(exc).__name__, "reason": str(exc)})
        except EngineError:
            pass                                        # the log is refusing: the first error stands
        if isinstance(exc, OSError):
            raise FileWriteError(f"{path} could not be written ({exc.strerror or exc}); "
                                 "nothing of it was kept.") from exc
        raise
    return seq
