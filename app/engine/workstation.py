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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from . import (accesslog, corrections, image_cache, pictures, plate_list, plates, retention, search,
               timefmt, training)
from .accesslog import SYSTEM, Actor, LogEntry, VerifyReport
from .audit import PlateReads, describe, plate_condition, plate_reads
from .auth import Auth, Session, TotpEnrolment, User
from .digests import unpacked
from .errors import (AuthError, ImageOffline, NotFound, PermissionDenied, PurposeRequired, StoreError,
                     StoreSealed, TrainingRequired, ValidationError)
from .permissions import ACTIONS, DATA_ACTIONS, PURPOSE_ACTIONS
from .policy import PolicyProfile, load_profile
from .reads import ReadDetail, load_detail
from .store import Store
from .log_anchor import CHAIN_START_META, ESCROW_META, RECEIPT_META, pair
from .oversight.permits import OutsidePermission
from .vault import Vault


log = logging.getLogger(__name__)
T = TypeVar("T")

@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    action: str | None = None
    start: str | None = None        # ISO time, inclusive
    end: str | None = None          # ISO time, exclusive
    plate: str | None = None        # any entry about a read of this plate, or naming it
    limit: int = 10000
    through_seq: int | None = None  # entries up to this one only (to export what was shown)


@dataclass(frozen=True)
class AuditResult:
    """The entries a filter found (oldest first), the log's last entry when they were read, and
    for a plate filter the reads of that plate they were matched against."""

    entries: list[LogEntry]
    through_seq: int
    plate: PlateReads | None = None
    truncated: bool = False          # more entries matched than the filter's limit

    def sentence(self, entry: LogEntry) -> str:
        return describe(entry, self.plate)


class Workstation:
    """A store under one policy profile, open only while someone is logged in.

    ``open`` reads the store's header alone; the first successful login opens the store
    with the key from that person's key slot (vault.py) and runs the start-up work that
    needs it; the last logout closes it again."""

    def __init__(self, vault: Vault, profile: PolicyProfile,
                 clock: Callable[[], float] = time.time, *, purge_on_start: bool = True) -> None:
        self.vault = vault
        self.data_dir = vault.data_dir
        self.profile = profile
        self.clock = clock
        self.purge_on_start = purge_on_start
        self._auth: Auth | None = None
        self._setup = False               # created in this process and nobody has logged in yet
        self._recovered = False           # interrupted exports looked for, at the first login
        # What each live session declared (purpose, case) and whether it had training at login:
        # the engine's record, not the caller's Session object, is what counts.
        self._declared: dict[str, tuple[str, str]] = {}
        self._trained_at_login: dict[str, bool] = {}
        if vault.is_open:
            self._auth = Auth(vault.store, profile, clock)

    @property
    def store(self) -> Store:
        return self.vault.store

    @property
    def auth(self) -> Auth:
        if self._auth is None:
            raise StoreSealed("The store is closed: log in with your own user name and password "
                              "to open ALPR data.")
        return self._auth

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(cls, data_dir: Path, profile_id: str, clock: Callable[[], float] = time.time) -> Workstation:
        """A new store, open for its set-up until the first login; the first administrator
        made then gets the first key slot (a store left without one cannot be opened)."""
        profile = load_profile(profile_id)
        vault, first_key = Vault.create(Path(data_dir), profile.id)
        store = vault.store
        with store.transaction() as conn:
            store.set_meta(ESCROW_META, first_key.hex(), conn)
            store.set_meta(CHAIN_START_META, f"0:{accesslog.GENESIS}", conn)
            accesslog.append(conn, clock(), SYSTEM, "store_create",
                             detail={"profile": profile.id, "schema": store.schema_version})
        ws = cls(vault, profile, clock)
        ws._setup = True
        return ws

    @classmethod
    def open(cls, data_dir: Path, clock: Callable[[], float] = time.time, *,
             purge_on_start: bool = True) -> Workstation:
        """The store's header only: nothing of its data opens until someone logs in."""
        vault = Vault.locate(Path(data_dir))
        try:
            profile = load_profile(vault.slots.profile)
        except (KeyError, ValueError, OSError) as exc:
            raise ValidationError(f"The store's policy profile {vault.slots.profile!r} cannot be "
                                  f"loaded ({exc}).") from None
        return cls(vault, profile, clock, purge_on_start=purge_on_start)

    def close(self) -> None:
        self._seal()

    def _seal(self) -> None:
        self.vault.seal()
        self._auth = None
        self._setup = False
        self._declared.clear()
        self._trained_at_login.clear()

    def _unseal(self, key: bytes) -> None:
        """Open the store for a login; the first time, run the start-up work that needs it."""
        if self.vault.is_open:
            return
        store = self.vault.unseal(key)
        if store.get_meta("profile") != self.profile.id:
            self._seal()
            raise StoreError("The store's policy profile differs from its key-slot file's: the "
                             "header was tampered with. The store stays closed.")
        self._auth = Auth(store, self.profile, self.clock)
        if self.vault.legacy_key is not None:
            self._upgrade_log(store)
        if store.upgraded_from is not None:
            self.log(SYSTEM, "store_upgrade", detail={"from_schema": store.upgraded_from,
                                                      "to_schema": store.schema_version})
        self._record_closed_attempts()
        if self.purge_on_start:
            self.purge(None)
            self.purge_on_start = False    # once per start, at the first login
        if not self._recovered:
            self.evidence.recover_interrupted()       # exports a crash cut short: remove and log
            self._recovered = True

    def _upgrade_log(self, store: Store) -> None:
        """A store from before key slots: its log continues as a forward-secure chain."""
        with store.transaction() as conn:
            row = conn.execute("SELECT next_key FROM access_log_head WHERE id = 1").fetchone()
            if row is not None and row[0] is not None:
                return
            seq, last = conn.execute("SELECT coalesce(max(seq), 0), coalesce((SELECT hash FROM "
                                     "access_log ORDER BY seq DESC LIMIT 1), ?) FROM access_log",
                                     (accesslog.GENESIS,)).fetchone()
            store.set_meta(ESCROW_META, accesslog.start_chain(conn, seq, last).hex(), conn)
            store.set_meta(CHAIN_START_META, f"{seq}:{last}", conn)
            accesslog.append(conn, self.clock(), SYSTEM, "log_upgrade",
                             detail={"linked_entries": seq, "format": "forward-secure"})

    def _record_closed_attempts(self) -> None:
        """Failed logins made while the store was closed go into the access log now."""
        pending, failures = self.vault.slots.take_pending()
        if not pending:
            return
        with self.store.transaction() as conn:
            for p in pending:
                user = self.auth.get_user(p["username"])
                actor = user.actor if user else Actor(p["username"][:64] or "?", "unknown", "none")
                accesslog.append(conn, self.clock(), actor, "login_failed",
                                 detail={"reason": p["reason"], "store_closed": True,
                                         "at": accesslog.utc_now_iso(p["ts"])})
            for user in self.auth.list_users():
                rec = failures.get(self.vault.slots.slot_id(user.username))
                if rec:
                    conn.execute("UPDATE users SET failed_attempts = failed_attempts + ?, locked_until "
                                 "= nullif(max(coalesce(locked_until, 0), coalesce(?, 0)), 0) WHERE id = ?",
                                 (rec["count"], rec["locked_until"], user.id))

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
    def images(self):
        from .image_fetch import ImageService
        return ImageService(self)

    @cached_property
    def cases(self):
        from .cases import CaseService
        return CaseService(self)

    @cached_property
    def alerts(self):
        from .alerts import AlertService
        return AlertService(self)

    @cached_property
    def printing(self):
        from .printing import PrintService
        return PrintService(self)

    @cached_property
    def evidence(self):
        from .evidence import EvidenceService
        return EvidenceService(self)

    @cached_property
    def reviews(self):
        from .oversight.review import ReviewService
        return ReviewService(self)

    @cached_property
    def parking(self):
        from .parking import ParkingService
        return ParkingService(self)

    @cached_property
    def streets(self):
        from .streets import StreetService
        return StreetService(self)

    @cached_property
    def analyses(self):
        from .analyses import AnalysisService
        return AnalysisService(self)

    @cached_property
    def custody(self):
        from .oversight.custody import CustodyService
        return CustodyService(self)

    @cached_property
    def ocr(self):
        from .ocr.service import OcrService
        return OcrService(self)

    @cached_property
    def agencies(self):
        from .oversight.agencies import AgencyRegister
        return AgencyRegister(self)

    @cached_property
    def permits(self):
        from .oversight.permits import PermitService
        return PermitService(self)

    @cached_property
    def breach(self):
        from .oversight.breach_service import BreachService
        return BreachService(self)

    # -- the guard -------------------------------------------------------------------------
    def log(self, actor: Actor, action: str, **fields) -> int:
        """Write one entry in its own transaction (for events with no data to return)."""
        with self.store.transaction() as conn:
            return accesslog.append(conn, self.clock(), actor, action, **fields)

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
        if role.barred_without_permission:          # only under a written permission valid now
            try:
                self.permits.admit(session)
            except PermissionDenied as exc:
                raise self._deny(session, action, exc) from None
        if action in DATA_ACTIONS:
            with self.store.reading() as conn:
                current = training.current(conn, session.user.id, self.clock())
            if current is None and self._trained_at_login.get(session.token):
                self.auth.logout(session, reason="training lapsed")
                raise AuthError("Your ALPR training lapsed during this session, so the session has "
                                "ended; ask the administrator to record your renewed training.")
            if current is None:
                raise self._deny(session, action, TrainingRequired(
                    "You have no current ALPR training on record, so ALPR data is closed to you "
                    "(Calabasas policy IV(d): no access without approved training). Ask the "
                    "administrator to record your training."))
        if need_purpose is None:
            need_purpose = action in PURPOSE_ACTIONS
        declared = self._declared.get(session.token)
        if (session.purpose or session.case_number) and declared != (session.purpose, session.case_number):
            raise self._deny(session, action, PurposeRequired(
                "The purpose and case number on this session were not declared through the "
                "purpose bar; declare them again."))
        if need_purpose and not (session.purpose and session.case_number):
            raise self._deny(session, action, PurposeRequired(
                "Pick a purpose and enter a case or incident number before searching or viewing "
                "ALPR data (Civil Code 1798.90.52)."))
        if need_purpose:
            self.cases.check_use(session, action)     # a closed case, or not one of the user's

    def logged(self, session: Session, action: str, work: Callable[[object], T], *,
               query: dict | None = None, result_ids: Callable[[T], list[int]] | None = None,
               detail: Callable[[T], dict] | None = None, purpose: bool = True) -> T:
        """Run ``work(conn)`` and its log entry in one transaction: both commit or neither. A role
        barred without written permission gets only reads inside its permission's scope."""
        try:
            with self.store.transaction() as conn:
                result = work(conn)
                ids = result_ids(result) if result_ids else None
                if ids and self.profile.role(session.user.role).barred_without_permission:
                    self.permits.confine(conn, session, ids)
                accesslog.append(conn, self.clock(), session.actor, action, query=query,
                    purpose=session.purpose if purpose else None,
                    case_number=session.case_number if purpose else None,
                    result_ids=ids, detail=detail(result) if detail else None)
        except OutsidePermission as exc:
            raise self._deny(session, action, exc) from None
        return result

    # -- accounts --------------------------------------------------------------------------
    def needs_first_admin(self) -> bool:
        return self.vault.is_open and self._setup and self.auth.user_count() == 0

    def create_first_admin(self, username: str, full_name: str, password: str) -> User:
        """First run only: the first administrator, who gets the first key slot."""
        if not self.needs_first_admin():
            raise PermissionDenied("The first administrator already exists; log in as an administrator.")
        return self.setup_user(username, full_name, "administrator", password)

    def setup_user(self, username: str, full_name: str, role: str, password: str) -> User:
        """A user made by the program's own set-up (``alpr init``, the demo), logged as the
        system: only on a store made in this process, before anyone has logged in."""
        if not self._setup:
            raise PermissionDenied("Users are added by an administrator's session once the store "
                                   "is in use.")
        user = self.auth.create_user(SYSTEM, username, full_name, role, password)
        self.vault.put_slot(user.username, password)
        return user

    def login(self, username: str, password: str, totp_code: str | None = None) -> Session:
        """A personal login. On a closed store the person's key slot must open with the
        password, which is what opens the store; then the account rules of ``Auth.login``
        apply (and on an open store they come first, so failures count the same way)."""
        name = username.strip().lower()
        was_open = self.vault.is_open
        if not was_open:
            self._unseal(self._slot_key(name, password))
        try:
            session = self.auth.login(name, password, totp_code)
        except BaseException:
            if not was_open and not self.auth.live_count():
                self._seal()
            raise
        if was_open and self.vault.key_for(name, password) is None:
            self.auth.logout(session, reason="no key slot")
            raise AuthError("Your key slot is missing: ask an administrator to reset your "
                            "password, which gives you a new one.")
        self._setup = False
        with self.store.reading() as conn:
            self._trained_at_login[session.token] = training.current(
                conn, session.user.id, self.clock()) is not None
        if self.vault.legacy_key is not None:
            self.vault.put_slot(session.user.username, password)
            self.vault.finish_upgrade()
            self.log(session.actor, "key_slot_upgrade",
                     detail={"note": "the store key left the OS keyring; other users need a "
                                     "password reset by an administrator"})
        return session

    def _slot_key(self, name: str, password: str,
                  refusal: str = "Wrong user name or password.") -> bytes:
        """The data key from this person's slot while the store is closed; a failure is
        counted in the slot file and goes into the access log at the next login."""
        now = self.clock()
        key = None if self.vault.slots.locked_until(name, now) else self.vault.key_for(name, password)
        if key is None:
            self.vault.slots.note_failure(name, "wrong password, unknown user or no key slot", now,
                                          self.profile.lockout_attempts, self.profile.lockout_minutes)
            raise AuthError(refusal)
        return key

    def logout(self, session: Session) -> None:
        """End the session; the last one out closes the store."""
        self.auth.logout(session)
        if not self.auth.live_count():
            self._seal()

    def lock(self, session: Session) -> None:
        self.auth.lock(session)

    def unlock(self, session: Session, password: str, totp_code: str | None = None) -> None:
        self.auth.unlock(session, password, totp_code)

    def change_password(self, username: str, old: str, new: str,
                        totp_code: str | None = None) -> None:
        """Change a password (also when it has expired, from the login screen): the slot is
        re-wrapped under the new password in the same step."""
        name = username.strip().lower()
        was_open = self.vault.is_open
        if not was_open:
            self._unseal(self._slot_key(name, old, "The current password is wrong."))
        try:
            self._rewrap(name, new, lambda: self.auth.change_password(name, old, new, totp_code))
        finally:
            if not was_open and not self.auth.live_count():
                self._seal()

    def _rewrap(self, name: str, password: str, change: Callable[[], object]) -> None:
        """Seal the key under the new password first; put the old slot back if the change fails."""
        old_slot = self.vault.slots.get(name)
        self.vault.put_slot(name, password)
        try:
            change()
        except BaseException:
            self.vault.slots.restore(name, old_slot)
            raise

    def change_own_password(self, session: Session, old: str, new: str,
                            totp_code: str | None = None) -> None:
        """A signed-in user changes their password before it expires: the session must be
        live and unlocked, and the current password (and one-time code) is asked again."""
        self.auth.touch(session)
        self.change_password(session.user.username, old, new, totp_code)

    def reset_password(self, session: Session, username: str, new_password: str) -> User:
        """An administrator sets a first password for someone (forgotten, or a key slot lost):
        a new slot is written from the administrator's own open session, and the password is
        marked expired so that its owner must choose their own at the next login."""
        self.guard(session, "user_admin")
        user = self.auth.get_user(username)
        if user is None:
            raise NotFound(f"No user {username!r}.")
        if user.username == session.user.username:
            raise ValidationError("Change your own password from the Session menu.")
        self._rewrap(user.username, new_password,
                     lambda: self.auth.set_password(session.actor, user, new_password, expired=True))
        return self.auth.get_user(user.username)  # type: ignore[return-value]  # the user exists here: it was just read, checked or created above

    def begin_totp(self, session: Session) -> TotpEnrolment:
        self.auth.touch(session)
        return self.auth.begin_totp(session)

    def confirm_totp(self, session: Session, code: str) -> None:
        self.auth.confirm_totp(session, code)

    def add_user(self, session: Session, username: str, full_name: str, role: str,
                 password: str, agency: str | None = None) -> User:
        self.guard(session, "user_admin")
        user = self.auth.create_user(session.actor, username, full_name, role, password, agency)
        self.vault.put_slot(user.username, password)
        return user

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
        self.vault.slots.remove(user.username)      # a disabled person's password opens nothing
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
            accesslog.append(conn, self.clock(), actor, "training_add",
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
        self.cases.check_declare(session, purpose.code, case)
        old = (session.purpose, session.case_number)
        session.purpose, session.case_number = purpose.code, case
        self._declared[session.token] = (purpose.code, case)
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
        q = search.check(query, self.profile.plateless_search_max_hours)
        rows, more = self.logged(
            session, "search" if offset == 0 else "search_page",
            lambda conn: search.run_page(conn, q, offset, limit),
            query=search.log_query(q, offset, limit),
            result_ids=lambda res: [r.id for r in res[0]],
            detail=lambda res: {"returned": len(res[0]), "more": res[1]})
        return search.SearchPage(rows, offset, more)

    def search_list(self, session: Session, query: plate_list.PlateListQuery) -> plate_list.PlateListResult:
        """A list of plates as ONE logged search: the entry names every plate and every read."""
        self.guard(session, "search")
        q = plate_list.check(query)
        return self.logged(session, "search", lambda conn: plate_list.run(conn, q), query=q.to_log(),
                           result_ids=lambda res: res.read_ids,
                           detail=lambda res: {"returned": len(res.read_ids), "plates_seen": res.seen})

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
        """The plate crop or scene photo of a read (a logged view of an image). One the local
        cache lacks is fetched from the city server first and checked against its ingest hash;
        without the server it is :class:`ImageOffline`, a sentence saying so."""
        self.guard(session, "view")
        if kind not in ("plate", "scene"):
            raise ValidationError("An image is 'plate' or 'scene'.")
        fetched = self.images.ensure([read_id], (kind,))

        def work(conn):
            row = conn.execute(f"SELECT {kind}_image_sha256 FROM reads WHERE id = ?", (read_id,)).fetchone()
            data = image_cache.get(conn, unpacked(row[0]), self.clock()) if row and row[0] else None
            if data is None:
                raise NotFound(f"Read {read_id} has no {kind} image on this workstation.")
            return data
        return self.logged(session, "view_image", work, query={"read_id": read_id, "kind": kind},
                           result_ids=lambda _d: [read_id],
                           detail=(lambda _d: {"fetched_from_server": True}) if fetched.images else None)

    def pictures(self, session: Session, read_ids: list[int]) -> list[pictures.ReadPictures]:
        """The plate crops and scene photos of several reads (the picture grid): one logged
        view of images naming every read whose photos are returned."""
        self.guard(session, "view")
        ids = pictures.check(read_ids)
        try:
            self.images.ensure(ids, ("plate", "scene"))     # what the cache lacks, from the server
        except ImageOffline:
            pass                        # offline: the grid shows the photos held here, and says so
        return self.logged(session, "view_image", lambda conn: pictures.load(conn, ids),
                           query={"read_ids": ids, "kind": "plate and scene", "view": "grid"},
                           result_ids=lambda found: [p.read_id for p in found if p.plate or p.scene])

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
            accesslog.append(conn, self.clock(), actor, "purge",
                             detail={"cutoff": accesslog.utc_now_iso(cutoff),
                                     "retention_days": self.profile.retention_days,
                                     "reads": report.reads, "images": report.images,
                                     "hits": report.hits, "kept_by_hold": report.kept_by_hold})
            if session is not None or report.reads:         # a start-up purge of nothing: no paper
                from .oversight.certificates import certify_purge
                cert = certify_purge(conn, self.clock(), actor, "purge" if session else "startup",
                                     report, self.profile.retention_days, timefmt.zone(self.profile.time_zone))
                report = replace(report, certificate=cert.id)
        return report

    # -- audit -----------------------------------------------------------------------------
    def audit_entries(self, session: Session, flt: AuditFilter = AuditFilter()) -> list[LogEntry]:
        return self.audit_search(session, flt).entries

    def audit_search(self, session: Session, flt: AuditFilter = AuditFilter()) -> AuditResult:
        """The entries the filter finds, for the screen (logged as ``audit_view``)."""
        self.guard(session, "audit_view")
        result = self._audit_query(flt)
        self.log(session.actor, "audit_view", query=_audit_log_query(flt),
                 detail={"entries": len(result.entries), "through_seq": result.through_seq})
        return result

    def _audit_query(self, flt: AuditFilter) -> AuditResult:
        conds: list[str] = []
        params: list[object] = []
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
        with self.store.reading() as conn:
            head = accesslog.head(conn)[0]
            through = head if flt.through_seq is None else min(int(flt.through_seq), head)
            conds.append("seq <= ?")
            params.append(through)
            focus = plate_reads(conn, flt.plate) if flt.plate and flt.plate.strip() else None
            if focus is not None:
                sql, more = plate_condition(focus)
                conds.append(sql)
                params += more
            limit = max(1, int(flt.limit))
            where = "WHERE " + " AND ".join(conds)
            newest = [r[0] for r in conn.execute(
                f"SELECT seq FROM access_log {where} ORDER BY seq DESC LIMIT ?", (*params, limit + 1))]
            first = newest[:limit][-1] if newest else through + 1
            entries = list(accesslog.iter_entries(conn, f"{where} AND seq >= ?", (*params, first)))
        return AuditResult(entries, through, focus, len(newest) > limit)

    def audit_verify(self, session: Session) -> VerifyReport:
        self.guard(session, "audit_verify")
        with self.store.reading() as conn:
            report = accesslog.verify(conn, self.log_first_key(), self.log_receipt())
        self.log(session.actor, "audit_verify", detail={"ok": report.ok, "entries": report.entries,
                                                        "problems": report.problems[:20]})
        return report

    def log_anchor(self) -> tuple[int, str]:
        """(seq, hash) of the log's last entry: what packages and printed reports carry, so an
        auditor can show later that the log still holds everything up to them."""
        with self.store.reading() as conn:
            return accesslog.head(conn)

    def audit_check_anchor(self, session: Session, path: Path) -> tuple[int, str, bool]:
        """Whether the log still holds the entry that a package or report names (logged)."""
        from .anchors import anchor_of
        self.guard(session, "audit_verify")
        seq, digest = anchor_of(Path(path))
        with self.store.reading() as conn:
            held = accesslog.contains(conn, seq, digest)
        self.log(session.actor, "audit_verify", detail={"against": Path(path).name, "seq": seq,
                                                        "hash": digest, "held": held})
        return seq, digest, held

    def log_first_key(self) -> bytes | None:
        """The log's first key while this store still holds it (before escrow at first sync)."""
        value = self.store.get_meta(ESCROW_META)
        return bytes.fromhex(value) if value else None

    def log_receipt(self) -> tuple[int, str] | None:
        """The last entry the city server confirmed (seq, hash)."""
        return pair(self.store.get_meta(RECEIPT_META))

    def audit_export(self, session: Session, path: Path, flt: AuditFilter = AuditFilter()) -> int:
        """The entries the filter finds as CSV, each with its sentence; with ``through_seq`` from
        the screen's :class:`AuditResult` it holds exactly the entries shown."""
        self.guard(session, "audit_export")
        result = self._audit_query(flt)
        from . import audit
        from .outfile import write_logged      # the entry naming the file first, then the file
        write_logged(self, session.actor, "audit_export", Path(path),
                     lambda part: audit.write_csv(result.entries, part, result.plate),
                     query=_audit_log_query(flt),
                     detail={"entries": len(result.entries), "through_seq": result.through_seq})
        return len(result.entries)


def _audit_log_query(flt: AuditFilter) -> dict:
    """What an auditor asked for, as logged (the defaults left out)."""
    return {k: v for k, v in vars(flt).items()
            if v not in (None, "") and not (k == "limit" and v == AuditFilter.limit)}
