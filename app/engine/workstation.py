"""The workstation facade: the one door to ALPR data for the command line and the GUI.

Every public method checks the session (idle lock), the role's grant, current training and
the declared purpose, and writes the access-log entry in the same transaction as the work;
if that entry cannot be committed, the caller gets an error and no data.
"""
from __future__ import annotations

import logging
import time
from functools import cached_property
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from . import accesslog, corrections, plates, retention, search, training
from .accesslog import SYSTEM, Actor, LogEntry, VerifyReport
from .auth import Auth, Session, TotpEnrolment, User
from .errors import (AuthError, NotFound, PermissionDenied, PurposeRequired, TrainingRequired,
                     ValidationError)
from .permissions import ACTIONS, DATA_ACTIONS, PURPOSE_ACTIONS
from .policy import PolicyProfile, load_profile
from .reads import ReadDetail, load_detail
from .store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    action: str | None = None
    start: str | None = None        # ISO time, inclusive
    end: str | None = None          # ISO time, exclusive
    plate: str | None = None
    limit: int = 10000


class Workstation:
    """An open store under one policy profile."""

    def __init__(self, store: Store, profile: PolicyProfile,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.profile = profile
        self.clock = clock
        self.auth = Auth(store, profile, clock)

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(cls, data_dir: Path, profile_id: str, clock: Callable[[], float] = time.time) -> Workstation:
        profile = load_profile(profile_id)
        store = Store.create(Path(data_dir))
        with store.transaction() as conn:
            store.set_meta("profile", profile.id, conn)
            accesslog.append(conn, store.log_key(), clock(), SYSTEM, "store_create",
                             detail={"profile": profile.id, "schema": store.schema_version})
        return cls(store, profile, clock)

    @classmethod
    def open(cls, data_dir: Path, clock: Callable[[], float] = time.time, *,
             purge_on_start: bool = True) -> Workstation:
        store = Store.open(Path(data_dir))
        profile_id = store.get_meta("profile")
        if not profile_id:
            raise ValidationError("The store has no policy profile; it was not set up with 'alpr init'.")
        ws = cls(store, load_profile(profile_id), clock)
        if purge_on_start:
            ws.purge(None)
        return ws

    def close(self) -> None:
        self.store.close()

    # -- services built on the guard (each in its own module, created on first use) --------
    @cached_property
    def hits(self):
        from .hits import HitService
        return HitService(self)

    @cached_property
    def sync(self):
        from .sync import SyncService
        return SyncService(self)

    @cached_property
    def evidence(self):
        from .evidence import EvidenceService
        return EvidenceService(self)

    @cached_property
    def analyses(self):
        from .analyses import AnalysisService
        return AnalysisService(self)

    @cached_property
    def ocr(self):
        from .ocr.service import OcrService
        return OcrService(self)

    # -- the guard -------------------------------------------------------------------------
    def log(self, actor: Actor, action: str, **fields) -> int:
        """Write one entry in its own transaction (for events with no data to return)."""
        with self.store.transaction() as conn:
            return accesslog.append(conn, self.store.log_key(), self.clock(), actor, action, **fields)

    def _deny(self, session: Session, action: str, exc: Exception) -> Exception:
        self.log(session.actor, "denied", purpose=session.purpose, case_number=session.case_number,
                 detail={"action": action, "reason": str(exc)})
        return exc

    def guard(self, session: Session, action: str, *, need_purpose: bool | None = None) -> None:
        """Refuse unless this session may take ``action`` now; a refusal is logged."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action}")
        self.auth.touch(session)
        if session.must_enrol_totp:
            raise self._deny(session, action, AuthError(
                "Your role requires a second factor: enrol an authenticator app first."))
        role = self.profile.role(session.user.role)
        if action not in role.grants:
            raise self._deny(session, action, PermissionDenied(
                f"Your role ({role.title}) is not authorised to {action.replace('_', ' ')} "
                f"under the {self.profile.name}."))
        if action in DATA_ACTIONS:
            with self.store.reading() as conn:
                current = training.current(conn, session.user.id, self.clock())
            if current is None:
                raise self._deny(session, action, TrainingRequired(
                    "You have no current ALPR training on record, so ALPR data is closed to you "
                    "(Calabasas policy IV(d): no access without approved training). Ask the "
                    "administrator to record your training."))
        if need_purpose is None:
            need_purpose = action in PURPOSE_ACTIONS
        if need_purpose and not (session.purpose and session.case_number):
            raise self._deny(session, action, PurposeRequired(
                "Pick a purpose and enter a case or incident number before searching or viewing "
                "ALPR data (Civil Code 1798.90.52)."))

    def logged(self, session: Session, action: str, work: Callable[[object], T], *,
               query: dict | None = None, result_ids: Callable[[T], list[int]] | None = None,
               detail: Callable[[T], dict] | None = None, purpose: bool = True) -> T:
        """Run ``work(conn)`` and its log entry in one transaction: both commit or neither."""
        with self.store.transaction() as conn:
            result = work(conn)
            accesslog.append(
                conn, self.store.log_key(), self.clock(), session.actor, action, query=query,
                purpose=session.purpose if purpose else None,
                case_number=session.case_number if purpose else None,
                result_ids=result_ids(result) if result_ids else None,
                detail=detail(result) if detail else None)
        return result

    # -- accounts --------------------------------------------------------------------------
    def needs_first_admin(self) -> bool:
        return self.auth.user_count() == 0

    def create_first_admin(self, username: str, full_name: str, password: str) -> User:
        """First run only: the first administrator; afterwards administrators add users."""
        if not self.needs_first_admin():
            raise PermissionDenied("The first administrator already exists; log in as an administrator.")
        return self.auth.create_user(SYSTEM, username, full_name, "administrator", password)

    def login(self, username: str, password: str, totp_code: str | None = None) -> Session:
        return self.auth.login(username, password, totp_code)

    def logout(self, session: Session) -> None:
        self.auth.logout(session)

    def lock(self, session: Session) -> None:
        self.auth.lock(session)

    def unlock(self, session: Session, password: str, totp_code: str | None = None) -> None:
        self.auth.unlock(session, password, totp_code)

    def change_password(self, username: str, old: str, new: str,
                        totp_code: str | None = None) -> None:
        self.auth.change_password(username, old, new, totp_code)

    def change_own_password(self, session: Session, old: str, new: str,
                            totp_code: str | None = None) -> None:
        """A signed-in user changes their password before it expires: the session must be
        live and unlocked, and the current password (and one-time code) is asked again."""
        self.auth.touch(session)
        self.auth.change_password(session.user.username, old, new, totp_code)

    def begin_totp(self, session: Session) -> TotpEnrolment:
        self.auth.touch(session)
        return self.auth.begin_totp(session)

    def confirm_totp(self, session: Session, code: str) -> None:
        self.auth.confirm_totp(session, code)

    def add_user(self, session: Session, username: str, full_name: str, role: str,
                 password: str, agency: str | None = None) -> User:
        self.guard(session, "user_admin")
        return self.auth.create_user(session.actor, username, full_name, role, password, agency)

    def list_users(self, session: Session) -> list[User]:
        self.guard(session, "user_admin")
        return self.auth.list_users()

    def unlock_user(self, session: Session, username: str) -> User:
        self.guard(session, "user_admin")
        return self.auth.set_flag(session.actor, username, "user_unlock",
                                  "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?", ())

    def disable_user(self, session: Session, username: str) -> User:
        self.guard(session, "user_admin")
        if username.strip().lower() == session.user.username:
            raise ValidationError("You cannot disable your own account.")
        user = self.auth.set_flag(session.actor, username, "user_disable",
                                  "UPDATE users SET disabled = 1 WHERE id = ?", ())
        self.auth.recheck_sessions(user.id)         # their live sessions end now
        return user

    def enable_user(self, session: Session, username: str) -> User:
        self.guard(session, "user_admin")
        return self.auth.set_flag(session.actor, username, "user_enable",
                                  "UPDATE users SET disabled = 0 WHERE id = ?", ())

    def set_role(self, session: Session, username: str, role: str) -> User:
        self.guard(session, "user_admin")
        role_def = self.profile.role(role)
        user = self.auth.set_flag(session.actor, username, "user_role",
                                  "UPDATE users SET role = ?, agency = ? WHERE id = ?",
                                  (role_def.id, role_def.agency))
        self.auth.recheck_sessions(user.id)         # a session under the old role ends now
        return user

    # -- training --------------------------------------------------------------------------
    def add_training(self, session: Session | None, username: str, course: str,
                     completed_on: str, expires_on: str) -> int:
        """Record training; ``session`` None only for the command line's set-up of demo data."""
        actor = SYSTEM
        if session is not None:
            self.guard(session, "training_admin")
            actor = session.actor
        user = self.auth.get_user(username)
        if user is None:
            raise NotFound(f"No user {username!r}.")
        with self.store.transaction() as conn:
            rid = training.add(conn, user.id, course, completed_on, expires_on, actor.username, self.clock())
            accesslog.append(conn, self.store.log_key(), self.clock(), actor, "training_add",
                             detail={"user": user.username, "course": course,
                                     "completed_on": completed_on, "expires_on": expires_on})
        return rid

    def training_records(self, session: Session, username: str | None = None) -> list[training.TrainingRecord]:
        if username is None or username.strip().lower() != session.user.username:
            self.guard(session, "training_admin")
        user = self.auth.get_user(username) if username else None
        with self.store.reading() as conn:
            return training.records(conn, user.id if user else None)

    def current_training(self, session: Session) -> training.TrainingRecord | None:
        with self.store.reading() as conn:
            return training.current(conn, session.user.id, self.clock())

    # -- purpose ---------------------------------------------------------------------------
    def set_purpose(self, session: Session, purpose_code: str, case_number: str) -> None:
        """Declare what the following searches and views are for; each change is logged."""
        self.auth.touch(session)
        purpose = self.profile.purpose(purpose_code)
        case = self.profile.check_case_number(case_number)
        old = (session.purpose, session.case_number)
        session.purpose, session.case_number = purpose.code, case
        self.log(session.actor, "purpose_set", purpose=purpose.code, case_number=case,
                 detail={"previous_purpose": old[0], "previous_case": old[1], "label": purpose.label})

    # -- search and view -------------------------------------------------------------------
    def cameras(self, session: Session) -> list[tuple[str, str, str]]:
        """(id, name, site) of every camera, for search filters; set-up data, not ALPR data."""
        self.auth.touch(session)
        return self.store.query("SELECT id, name, site FROM cameras ORDER BY id")

    def search(self, session: Session, query: search.SearchQuery, offset: int = 0,
               limit: int = 200) -> search.SearchPage:
        """One page of a search; the log entry names exactly the reads this page returns."""
        self.guard(session, "search")
        q = search.check(query)
        rows, more = self.logged(
            session, "search" if offset == 0 else "search_page",
            lambda conn: search.run_page(conn, q, offset, limit),
            query=search.log_query(q, offset, limit),
            result_ids=lambda res: [r.id for r in res[0]],
            detail=lambda res: {"returned": len(res[0]), "more": res[1]})
        return search.SearchPage(rows, offset, more)

    def read_detail(self, session: Session, read_id: int) -> ReadDetail:
        """Open one read (a logged view): its data, hits, corrections and other sightings."""
        self.guard(session, "view")

        def work(conn):
            detail = load_detail(conn, read_id)
            if detail is None:
                raise NotFound(f"Read {read_id} is not held on this workstation (purged or never synced).")
            return detail
        return self.logged(session, "view", work, query={"read_id": read_id},
                           result_ids=lambda d: [d.read.id])

    def image(self, session: Session, read_id: int, kind: str) -> bytes:
        """The plate crop or scene photo of a read (a logged view of an image)."""
        self.guard(session, "view")
        if kind not in ("plate", "scene"):
            raise ValidationError("An image is 'plate' or 'scene'.")

        def work(conn):
            row = conn.execute(
                f"SELECT i.data FROM reads r JOIN images i ON i.sha256 = r.{kind}_image_sha256 "
                "WHERE r.id = ?", (read_id,)).fetchone()
            if row is None:
                raise NotFound(f"Read {read_id} has no {kind} image on this workstation.")
            return bytes(row[0])
        return self.logged(session, "view_image", work, query={"read_id": read_id, "kind": kind},
                           result_ids=lambda _d: [read_id])

    def correct_read(self, session: Session, read_id: int, new_plate: str,
                     reason: str) -> corrections.CorrectionResult:
        """Fix a misread plate; the vendor's reading stays on record and searchable."""
        self.guard(session, "correct")
        return self.logged(
            session, "correct",
            lambda conn: corrections.correct(conn, read_id, new_plate, reason,
                                             session.user.username, self.clock()),
            query={"read_id": read_id, "new_plate": plates.normalize(new_plate)},
            result_ids=lambda _r: [read_id],
            detail=lambda r: {"old_plate": r.old_plate, "reason": reason.strip(),
                              "hits_added": r.hits_added, "hits_removed": r.hits_removed})

    # -- holds and retention ---------------------------------------------------------------
    def place_hold(self, session: Session, case_number: str, kind: str, reason: str,
                   read_ids: list[int]) -> int:
        self.guard(session, "hold_place", need_purpose=False)
        case = self.profile.check_case_number(case_number)
        return self.logged(
            session, "hold_place",
            lambda conn: retention.place_hold(conn, case, kind, reason, list(read_ids),
                                              session.user.username, int(self.clock())),
            query={"case_number": case, "kind": kind}, result_ids=lambda _h: sorted(set(read_ids)),
            detail=lambda h: {"hold_id": h, "reason": reason, "reads": len(set(read_ids))},
            purpose=False)

    def release_hold(self, session: Session, hold_id: int, reason: str) -> None:
        self.guard(session, "hold_release", need_purpose=False)
        self.logged(session, "hold_release",
                    lambda conn: retention.release_hold(conn, hold_id, session.user.username,
                                                        reason, int(self.clock())),
                    query={"hold_id": hold_id}, result_ids=lambda ids: ids,
                    detail=lambda ids: {"reason": reason, "reads": len(ids)}, purpose=False)

    def list_holds(self, session: Session, active_only: bool = False) -> list[retention.Hold]:
        if not ({"hold_place", "hold_release"} & self.profile.role(session.user.role).grants):
            self.guard(session, "hold_release")
        self.auth.touch(session)
        with self.store.reading() as conn:
            return retention.list_holds(conn, active_only)

    def purge(self, session: Session | None) -> retention.PurgeReport:
        """Remove reads past retention except held ones; ``None`` is the start-up run."""
        actor = SYSTEM
        if session is not None:
            self.guard(session, "purge")
            actor = session.actor
        cutoff = int(self.clock()) - self.profile.retention_days * 86400
        with self.store.transaction() as conn:
            report = retention.purge(conn, cutoff)
            accesslog.append(conn, self.store.log_key(), self.clock(), actor, "purge",
                             detail={"cutoff": accesslog.utc_now_iso(cutoff),
                                     "retention_days": self.profile.retention_days,
                                     "reads": report.reads, "images": report.images,
                                     "hits": report.hits, "kept_by_hold": report.kept_by_hold})
        return report

    # -- audit -----------------------------------------------------------------------------
    def audit_entries(self, session: Session, flt: AuditFilter = AuditFilter()) -> list[LogEntry]:
        self.guard(session, "audit_view")
        conds, params = [], []
        if flt.username:
            conds.append("username = ?")
            params.append(flt.username.strip().lower())
        if flt.action:
            conds.append("action = ?")
            params.append(flt.action)
        if flt.start:
            conds.append("ts >= ?")
            params.append(flt.start)
        if flt.end:
            conds.append("ts < ?")
            params.append(flt.end)
        if flt.plate:
            conds.append("instr(query, ?) > 0")
            params.append(flt.plate.strip().upper())
        where = ("WHERE " + " AND ".join(conds)) if conds else ""
        with self.store.reading() as conn:
            entries = list(accesslog.iter_entries(conn, f"{where} ", tuple(params)))[-flt.limit:]
        self.log(session.actor, "audit_view", query={k: v for k, v in vars(flt).items() if v})
        return entries

    def audit_verify(self, session: Session) -> VerifyReport:
        self.guard(session, "audit_verify")
        with self.store.reading() as conn:
            report = accesslog.verify(conn, self.store.log_key())
        self.log(session.actor, "audit_verify", detail={"ok": report.ok, "entries": report.entries,
                                                        "problems": report.problems[:20]})
        return report

    def audit_export(self, session: Session, path: Path, flt: AuditFilter = AuditFilter()) -> int:
        self.guard(session, "audit_export")
        entries = self.audit_entries(session, flt)
        n = accesslog.write_csv(iter(entries), Path(path))
        self.log(session.actor, "audit_export", detail={"entries": n, "file": Path(path).name})
        return n
