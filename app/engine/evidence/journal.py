"""Log before data leaves: the journal of exports in flight and their recovery.

An export commits its ``export_started`` access-log entry and a row of ``export_journal`` in
one transaction before the first byte reaches the medium. The row is closed when the package
has its final name (``done``) or its leftovers are removed (``failed``); where the medium is
gone it stays ``unremoved`` and each later start tries again. A row still ``writing`` or
``recorded`` when nobody is exporting it any more is an export interrupted by a crash, a
``kill -9`` or a power cut: :func:`recover` removes what it left on the medium (the
``.INCOMPLETE`` folder, or the folder under its final name if it was renamed but the export was
never recorded) and logs ``<action>_failed`` naming the ``export_started`` entry and the
leftovers. A ``recorded`` export whose folder has its final name is complete.

"Nobody is exporting it" is known from a lock file in the store's folder that the exporting
process holds (``flock``) for as long as the export runs: the kernel lets go of it when the
process dies, so a start-up never touches the files of an export another process (the GUI
while the command line starts) is still writing.
"""
from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlcipher3

from .. import accesslog
from ..accesslog import SYSTEM, Actor
from ..errors import AuditLogError, ExportError
from .media import PackageWriter, medium_present, remove_leftovers

try:
    import fcntl
except ImportError:                                     # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

log = logging.getLogger(__name__)

LOCK_DIR = "export-locks"
OPEN_STATES = ("writing", "recorded", "unremoved")
INTERRUPTED = ("The program stopped during the export (crash, kill or power loss) before the "
               "package was finished.")
INTERRUPTED_RECORDED = ("The program stopped after the export was logged but before the package got "
                        "its final name, so the package was never handed over as finished.")


# -- the lock that says an export is alive -------------------------------------------------------
def _lock_path(ws, token: str) -> Path:
    return Path(ws.store.data_dir) / LOCK_DIR / f"{token}.lock"


def _try_lock(path: Path) -> int | None:
    """An open, exclusively locked descriptor of ``path``, or None if another holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        os.close(fd)
        return None
    return fd


def _unlock(fd: int, path: Path) -> None:
    for step in (lambda: path.unlink(missing_ok=True), lambda: os.close(fd),
                 lambda: path.unlink(missing_ok=True)):
        try:
            step()
        except OSError:
            pass


# -- one export in flight ----------------------------------------------------------------------
@dataclass
class InFlight:
    id: int
    started_seq: int
    action: str
    writer: PackageWriter
    on_mount: bool
    lock_fd: int
    lock_path: Path
    closed: bool = False


def start(ws, session, action: str, writer: PackageWriter, read_ids: list[int],
          detail: dict) -> InFlight:
    """Commit ``export_started`` and the journal row together; nothing is on the medium yet.

    If the entry cannot be committed (the log or the store refuses), this raises and the
    caller writes nothing.
    """
    token = uuid.uuid4().hex
    path = _lock_path(ws, token)
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd = _try_lock(path)
    except OSError as exc:
        raise ExportError(f"The export could not be registered in {path.parent} ({exc.strerror or exc}). "
                          "Nothing was written.") from exc
    if fd is None:                                      # a fresh random name: cannot happen
        raise ExportError("The export could not be registered (its lock is taken). Nothing was written.")
    target = writer.target
    try:
        on_mount = os.path.ismount(target)
        now = ws.clock()
        with ws.store.transaction() as conn:
            seq = accesslog.append(conn, now, session.actor, "export_started",
                query={"read_ids": len(read_ids), "target": str(target)},
                purpose=session.purpose, case_number=session.case_number, result_ids=read_ids,
                detail={**detail, "action": action, "package": writer.name, "target": str(target),
                        "temp_path": str(writer.temp_dir), "final_path": str(writer.final_dir)})
            jid = conn.execute(
                "INSERT INTO export_journal(started_seq, action, package, target, temp_path, final_path, "
                "on_mount, lock_token, started_at, state) VALUES (?,?,?,?,?,?,?,?,?, 'writing')",
                (seq, action, writer.name, str(target), str(writer.temp_dir), str(writer.final_dir),
                 int(on_mount), token, int(now))).lastrowid
    except sqlcipher3.Error as exc:                     # a read-only or locked store, a full disk
        _unlock(fd, path)
        raise AuditLogError(f"The export could not be logged ({exc}); nothing was written.") from exc
    except BaseException:
        _unlock(fd, path)
        raise
    return InFlight(jid, seq, action, writer, on_mount, fd, path)


def recorded(conn, flight: InFlight) -> None:
    """In the transaction of the final ``export`` entry: only the rename is left to do."""
    conn.execute("UPDATE export_journal SET state = 'recorded' WHERE id = ?", (flight.id,))


def done(ws, flight: InFlight) -> None:
    """The package has its final name: close the row and let go of the lock.

    The export is already logged; should this small update fail, the next start finds the
    package under its final name and closes the row without touching it.
    """
    try:
        ws.store.execute("UPDATE export_journal SET state = 'done', ended_at = ? WHERE id = ?",
                         (int(ws.clock()), flight.id))
    except Exception as exc:                            # noqa: BLE001 - the export itself succeeded
        log.warning("export journal row %s not closed (%s); the next start closes it", flight.id, exc)
    _release(flight)


def _release(flight: InFlight) -> None:
    if not flight.closed:
        flight.closed = True
        _unlock(flight.lock_fd, flight.lock_path)


def fail(ws, session, flight: InFlight, exc: BaseException) -> None:
    """A failure caught in this process: remove the partial package, log, close the row.

    Never raises over ``exc``: if the failure cannot be logged, the row stays open and the
    next start logs it.
    """
    w = flight.writer
    try:
        paths = [w.temp_dir] + ([w.final_dir] if w.renamed else [])
        present, removed, unremoved = remove_leftovers(paths, w.target, flight.on_mount)
        if unremoved:
            w.mark_incomplete(str(exc) or type(exc).__name__)
        state = "unremoved" if unremoved else "failed"
        with ws.store.transaction() as conn:
            seq = accesslog.append(conn, ws.clock(), session.actor, f"{flight.action}_failed",
                purpose=session.purpose, case_number=session.case_number,
                result_ids=_started_ids(conn, flight.started_seq),
                detail={"export_started_seq": flight.started_seq, "package": w.name,
                        "target": str(w.target), "medium_present": present, "removed": removed,
                        "unremoved": unremoved, "error": type(exc).__name__,
                        "reason": str(exc) or type(exc).__name__})
            _close(conn, flight.id, state, seq, ws.clock())
    except Exception as log_exc:                        # noqa: BLE001 - keep the first error
        log.warning("export failure not logged (%s); the next start logs it", log_exc)
    finally:
        _release(flight)


def _started_ids(conn, seq: int) -> list[int]:
    row = conn.execute("SELECT result_ids FROM access_log WHERE seq = ?", (seq,)).fetchone()
    return json.loads(row[0]) if row else []


def _close(conn, jid: int, state: str, seq: int | None, now: float) -> None:
    conn.execute("UPDATE export_journal SET state = ?, ended_at = ?, ended_seq = ? WHERE id = ?",
                 (state, int(now), seq, jid))


# -- the next start ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Recovered:
    """What the start-up did about one export that did not end in this process."""

    journal_id: int
    started_seq: int
    action: str
    package: str
    target: str
    outcome: str                       # removed | unremoved | completed
    removed: list[str] = field(default_factory=list)
    unremoved: list[str] = field(default_factory=list)
    seq: int | None = None             # the access-log entry written about it

    def sentence(self) -> str:
        if self.outcome == "completed":
            return f"Export {self.package} had finished; its journal entry was closed."
        if self.outcome == "removed":
            what = ", ".join(self.removed) if self.removed else "nothing of it was on the medium"
            return f"Interrupted export {self.package} (log entry {self.started_seq}): removed {what}."
        return (f"Interrupted export {self.package} (log entry {self.started_seq}): the medium at "
                f"{self.target} is not present, so {', '.join(self.unremoved)} could not be removed.")


def recover(ws, actor: Actor = SYSTEM) -> list[Recovered]:
    """Find exports whose process is gone and clean up after them (see the module's doc)."""
    rows = ws.store.query(
        "SELECT id FROM export_journal WHERE state IN ('writing', 'recorded', 'unremoved') ORDER BY id")
    out = []
    for (jid,) in rows:
        r = _recover_one(ws, actor, jid)
        if r is not None:
            out.append(r)
    return out


def _recover_one(ws, actor: Actor, jid: int) -> Recovered | None:
    row = ws.store.query_one("SELECT lock_token FROM export_journal WHERE id = ?", (jid,))
    path, fd = _lock_path(ws, row[0]), None
    if path.parent.is_dir():            # (no lock folder at all: the store was moved; none alive)
        try:
            fd = _try_lock(path)
        except OSError:
            return None                 # cannot tell whether it is alive: leave it for later
        if fd is None:
            return None                 # its export is still running in another process
    try:
        return _clean_up(ws, actor, jid)
    finally:
        if fd is not None:
            _unlock(fd, path)


def _clean_up(ws, actor: Actor, jid: int) -> Recovered | None:
    # Read again under the lock: the exporter closes its row before it lets go of the lock.
    row = ws.store.query_one(
        "SELECT started_seq, action, package, target, temp_path, final_path, on_mount, state "
        "FROM export_journal WHERE id = ?", (jid,))
    started_seq, action, package, target, temp_path, final_path, on_mount, state = row
    if state not in OPEN_STATES:
        return None
    target, temp, final = Path(target), Path(temp_path), Path(final_path)
    base = dict(journal_id=jid, started_seq=started_seq, action=action, package=package,
                target=str(target))
    if state == "recorded" and medium_present(target, bool(on_mount)) \
            and not os.path.lexists(temp) and os.path.isdir(final):
        # renamed, then stopped before the row was closed: the export is complete and logged
        with ws.store.transaction() as conn:
            _close(conn, jid, "done", None, ws.clock())
        return Recovered(**base, outcome="completed")
    # Not recorded: whatever it left is removed, the folder under its final name too (it is
    # renamed before the read-back, and only a recorded export is complete).
    present, removed, unremoved = remove_leftovers([temp, final], target, bool(on_mount))
    if state == "unremoved":
        if not present or (unremoved and not removed):
            return None                                 # still away: try again at the next start
        action_name = "export_leftovers_removed"
        reason = ("The medium is back; the leftovers were removed." if removed else
                  "The medium is back and none of the leftovers is on it any more.")
    elif state == "recorded":
        action_name, reason = f"{action}_failed", INTERRUPTED_RECORDED
    else:
        action_name, reason = f"{action}_failed", INTERRUPTED
    with ws.store.transaction() as conn:
        who = conn.execute("SELECT purpose, case_number, result_ids FROM access_log WHERE seq = ?",
                           (started_seq,)).fetchone() or (None, None, "[]")
        seq = accesslog.append(conn, ws.clock(), actor, action_name, purpose=who[0],
            case_number=who[1], result_ids=json.loads(who[2]),
            detail={"export_started_seq": started_seq, "action": action, "package": package,
                    "target": str(target), "medium_present": present, "leftovers": removed + unremoved,
                    "removed": removed, "unremoved": unremoved, "interrupted_in": state,
                    "reason": reason})
        _close(conn, jid, "unremoved" if unremoved else "failed", seq, ws.clock())
    return Recovered(**base, outcome="unremoved" if unremoved else "removed", removed=removed,
                     unremoved=unremoved, seq=seq)
