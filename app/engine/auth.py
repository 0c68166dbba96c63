"""Personal logins: users, lock-out, second factor, sessions and the idle lock.

There are no shared accounts: every session belongs to one named user, so every access-log
entry names a person (Calabasas, Accountability (a)).

Sessions belong to the engine: a login registers an unguessable token with the live state
of the session (user, role at sign-in, idle lock). A :class:`Session` object is only a handle;
one the engine did not issue, one that was logged out, or one whose user or role was edited
is refused. Every check re-reads the account, so disabling a user or changing their role
ends their session at once. A one-time code works once (the last accepted time-step is kept).
"""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from functools import lru_cache

import pyotp
import segno
from pyotp import utils as otp_utils

from . import accesslog, passwords
from .accesslog import Actor
from .errors import (AccountLocked, AuthError, PasswordRejected, SecondFactorRequired,
                     SessionLocked, ValidationError)
from .policy import PolicyProfile
from .store import Store

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
GENERIC_NAMES = {"admin", "administrator", "root", "user", "guest", "shared", "deputy",
                 "prosecutor", "custodian", "auditor", "records", "system", "test", "demo"}


WRONG_LOGIN = "Wrong user name or password."
WRONG_CURRENT = "The current password is wrong."


class PasswordExpired(AuthError):
    """The password is older than the profile allows; it must be changed before use.

    ``second_factor``: the account has a one-time code, so changing the password needs one."""

    def __init__(self, message: str, second_factor: bool = False) -> None:
        super().__init__(message)
        self.second_factor = second_factor


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """An argon2id hash of a random secret, made once per process: a login for an unknown
    user is checked against it, so it costs the same work as a wrong password."""
    return passwords.hash_password(secrets.token_urlsafe(24))


@dataclass(frozen=True)
class User:
    id: int
    username: str
    full_name: str
    role: str
    agency: str
    disabled: bool
    locked_until: int | None
    failed_attempts: int
    totp_enrolled: bool
    password_changed_at: int
    created_at: int

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.agency, self.role)


_USER_COLS = ("id, username, full_name, role, agency, disabled, locked_until, failed_attempts, "
              "totp_enrolled, password_changed_at, created_at")


def _user(row: tuple) -> User:
    return User(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], row[7],
                bool(row[8]), row[9], row[10])


@dataclass
class Session:
    """A logged-in user. ``purpose``/``case_number`` are what the user declared for the work."""

    user: User
    token: str
    started: float
    last_activity: float
    locked: bool = False
    ended: bool = False
    purpose: str | None = None
    case_number: str | None = None
    must_enrol_totp: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        return self.user.actor


@dataclass
class _Live:
    """The engine's record of a live session; the Session object mirrors it."""

    user: User
    role: str                   # the role at sign-in; a change ends the session
    started: float
    last_activity: float
    locked: bool = False


def _identity(user) -> tuple:
    return tuple(getattr(user, a, None) for a in ("id", "username", "role", "agency"))


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    uri: str
    qr_png: bytes


def validate_username(username: str) -> str:
    name = username.strip().lower()
    if not (3 <= len(name) <= 32) or set(name) - USERNAME_CHARS:
        raise ValidationError("A user name has 3 to 32 characters: letters, digits, '.', '_' or '-'.")
    if name in GENERIC_NAMES:
        raise ValidationError(f"{name!r} is a generic name; accounts are personal (no shared accounts).")
    return name


class Auth:
    """Login and account rules over the store; every outcome is written to the access log."""

    def __init__(self, store: Store, profile: PolicyProfile, clock) -> None:
        self.store = store
        self.profile = profile
        self.clock = clock
        self._live: dict[str, _Live] = {}       # token -> live session
        self._ended: dict[str, str] = {}        # token -> why it ended
        _dummy_hash()

    # -- users -----------------------------------------------------------------------------
    def get_user(self, username: str) -> User | None:
        row = self.store.query_one(f"SELECT {_USER_COLS} FROM users WHERE username = ?",
                                   (username.strip().lower(),))
        return _user(row) if row else None

    def _user_by_id(self, user_id: int) -> User | None:
        row = self.store.query_one(f"SELECT {_USER_COLS} FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    def list_users(self) -> list[User]:
        return [_user(r) for r in self.store.query(f"SELECT {_USER_COLS} FROM users ORDER BY username")]

    def user_count(self) -> int:
        return self.store.query_one("SELECT count(*) FROM users")[0]  # type: ignore[index]  # this query always answers a row

    def second_factor_for(self, role: str) -> bool:
        return self.profile.needs_totp(role)

    def create_user(self, actor: Actor, username: str, full_name: str, role: str, password: str,
                    agency: str | None = None) -> User:
        name = validate_username(username)
        role_def = self.profile.role(role)
        if not full_name.strip():
            raise ValidationError("The user's full name is required (accounts are personal).")
        if self.get_user(name):
            raise ValidationError(f"The user name {name!r} is taken; user names are unique.")
        passwords.check_rules(password, name, second_factor=self.second_factor_for(role))
        digest = passwords.hash_password(password)
        now = int(self.clock())
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO users(username, full_name, role, agency, password_hash, "
                "password_changed_at, created_at, created_by) VALUES (?,?,?,?,?,?,?,?)",
                (name, full_name.strip(), role, agency or role_def.agency, digest, now, now,
                 actor.username))
            conn.execute("INSERT INTO password_history(user_id, hash, changed_at) VALUES (?,?,?)",
                         (cur.lastrowid, digest, now))
            accesslog.append(conn, self.clock(), actor, "user_add",
                             detail={"user": name, "role": role, "full_name": full_name.strip()})
        return self.get_user(name)  # type: ignore[return-value]  # the user exists here: it was just read, checked or created above

    def _history(self, user_id: int) -> list[str]:
        return [r[0] for r in self.store.query(
            "SELECT hash FROM password_history WHERE user_id = ? ORDER BY changed_at DESC, rowid DESC LIMIT ?",
            (user_id, passwords.HISTORY_DEPTH))]

    def _password_hash(self, user_id: int) -> str:
        return self.store.query_one("SELECT password_hash FROM users WHERE id = ?", (user_id,))[0]  # type: ignore[index]  # this query always answers a row

    def _password_holder(self, username: str, password: str, now: float, failed: str,
                         refused: str, wrong: str, message: str) -> User:
        """The user whose password this is. Unknown user, closed account and wrong password
        all end in ``message`` after the same work (one argon2 verification); the log keeps
        the real reason, and a wrong password counts toward lock-out."""
        user = self.get_user(username)
        if user is None:
            passwords.verify_password(_dummy_hash(), password)           # the same work
            self._log_failure(username, failed, "unknown user")
            raise AuthError(message)
        ok = passwords.verify_password(self._password_hash(user.id), password)
        self._refuse_closed_account(user, ok, now, refused, message)
        if not ok:
            self._log_failure(username, failed, wrong, count=True)
            raise AuthError(message)
        return user

    def change_password(self, username: str, old_password: str, new_password: str,
                        totp_code: str | None = None) -> None:
        """Change a password: the current one and, when enrolled, a one-time code are needed.

        A wrong current password or code counts toward lock-out exactly as at login; a locked
        or disabled account is refused (said only to someone who gave the right password)."""
        now = self.clock()
        user = self._password_holder(username, old_password, now, "password_change_failed",
                                     "password_change_failed", "wrong current password", WRONG_CURRENT)
        step = self._second_factor(user, totp_code, "password_change_failed",
                                   "Enter the 6-digit code from your authenticator app to change "
                                   "the password.")
        passwords.check_rules(new_password, user.username,
                              second_factor=self.second_factor_for(user.role) or user.totp_enrolled,
                              history=self._history(user.id))
        digest = passwords.hash_password(new_password)
        now = int(now)
        with self.store.transaction() as conn:
            self._consume_step(conn, user.id, step)
            conn.execute("UPDATE users SET password_hash = ?, password_changed_at = ?, "
                         "failed_attempts = 0, locked_until = NULL WHERE id = ?",
                         (digest, now, user.id))
            conn.execute("INSERT INTO password_history(user_id, hash, changed_at) VALUES (?,?,?)",
                         (user.id, digest, now))
            accesslog.append(conn, self.clock(), user.actor, "password_change")

    def set_flag(self, actor: Actor, username: str, action: str, sql: str, params: tuple) -> User:
        user = self.get_user(username)
        if user is None:
            raise ValidationError(f"No user {username!r}.")
        with self.store.transaction() as conn:
            conn.execute(sql, params + (user.id,))
            accesslog.append(conn, self.clock(), actor, action,
                             detail={"user": user.username})
        return self.get_user(username)  # type: ignore[return-value]  # the user exists here: it was just read, checked or created above

    # -- login -----------------------------------------------------------------------------
    def _log_failure(self, username: str, action: str, reason: str, *, count: bool = False) -> None:
        """Log a refused attempt; ``count``: a wrong secret, which counts toward lock-out."""
        user = self.get_user(username)
        actor = user.actor if user else Actor(username.strip().lower()[:64] or "?", "unknown", "none")
        with self.store.transaction() as conn:
            if user and count:
                attempts = user.failed_attempts + 1
                locked = None
                if attempts >= self.profile.lockout_attempts:
                    locked = int(self.clock()) + self.profile.lockout_minutes * 60
                conn.execute("UPDATE users SET failed_attempts = ?, locked_until = coalesce(?, locked_until) WHERE id = ?",
                             (attempts, locked, user.id))
                if locked:
                    reason += f"; account locked after {attempts} failed attempts"
            accesslog.append(conn, self.clock(), actor, action,
                             detail={"reason": reason})

    def _locked(self, user: User, now: float) -> bool:
        return bool(user.locked_until and user.locked_until > now)

    def _locked_message(self, user: User, now: float) -> str:
        minutes = max(1, int((user.locked_until - now + 59) // 60))  # type: ignore[operator]  # only called for a locked user
        return (f"The account is locked after {self.profile.lockout_attempts} failed attempts; "
                f"an administrator can unlock it, or it unlocks by itself in {minutes} minutes.")

    def _refuse_closed_account(self, user: User, password_ok: bool, now: float, action: str,
                               generic: str) -> None:
        """Refuse a disabled or locked account; say why only to who gave the right password."""
        why = "account disabled" if user.disabled else "account locked" if self._locked(user, now) else None
        if why is None:
            return
        self._log_failure(user.username, action, why if password_ok else f"{why}; wrong password")
        if not password_ok:
            raise AuthError(generic)
        if user.disabled:
            raise AuthError("This account is disabled; ask the ALPR administrator.")
        raise AccountLocked(self._locked_message(user, now))

    def _password_expired(self, user: User, now: float) -> bool:
        return now - user.password_changed_at > self.profile.password_max_age_days * 86400

    def login(self, username: str, password: str, totp_code: str | None = None) -> Session:
        """Sign in. Unknown user, disabled account and wrong password get the same answer after
        the same work (one argon2 verification); the log keeps the real reason."""
        now = self.clock()
        user = self._password_holder(username, password, now, "login_failed", "login_refused",
                                     "wrong password", WRONG_LOGIN)
        if self._password_expired(user, now):
            # Before the one-time code, so that code stays unused for the password change.
            self._log_failure(username, "login_refused", "password expired")
            raise PasswordExpired("Your password has expired; choose a new one to continue.",
                                  second_factor=user.totp_enrolled)
        step = self._second_factor(user, totp_code, "login_failed",
                                   "Enter the 6-digit code from your authenticator app.")
        token = secrets.token_urlsafe(32)
        with self.store.transaction() as conn:
            self._consume_step(conn, user.id, step)
            conn.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?",
                         (user.id,))
            accesslog.append(conn, now, user.actor, "login")
        fresh = self._user_by_id(user.id)
        assert fresh is not None                      # the row was read just above, in this store
        self._live[token] = _Live(user=fresh, role=fresh.role, started=now, last_activity=now)
        return Session(user=fresh, token=token, started=now, last_activity=now,
                       must_enrol_totp=self._must_enrol(fresh))

    def logout(self, session: Session, reason: str = "user") -> None:
        if session.ended:
            return
        session.ended = True
        live = self._live.get(getattr(session, "token", None))  # type: ignore[arg-type]  # a missing token finds no live session, as intended
        if live is not None:
            self._end(session.token, live, reason)

    # -- live sessions ---------------------------------------------------------------------
    def _must_enrol(self, user: User) -> bool:
        return self.second_factor_for(user.role) and not user.totp_enrolled

    def _end(self, token: str, live: _Live, reason: str, session: Session | None = None) -> None:
        """End a live session: forget its token (later use is refused) and log the logout."""
        self._live.pop(token, None)
        self._ended[token] = reason
        if session is not None:
            session.ended = True
        with self.store.transaction() as conn:
            accesslog.append(conn, self.clock(), live.user.actor, "logout",
                             detail={"reason": reason})

    def _registered(self, session: Session) -> _Live:
        """The engine's record of ``session``; refuse a handle the engine did not issue, one
        that ended, or one whose user or role differs from the record."""
        token = getattr(session, "token", None)
        live = self._live.get(token) if isinstance(token, str) else None
        if live is None:
            reason = self._ended.get(token) if isinstance(token, str) else None
            if reason is None:
                claimed = getattr(getattr(session, "user", None), "username", None) or "?"
                with self.store.transaction() as conn:
                    accesslog.append(conn, self.clock(),
                                     Actor(str(claimed)[:64], "unknown", "none"), "denied",
                                     detail={"reason": "session not issued by this workstation"})
                raise AuthError("This session was not issued by this workstation or has ended; "
                                "sign in again.")
            session.ended = True
            if reason == "user":
                raise AuthError("This session has ended; log in again.")
            raise AuthError(f"This session has ended ({reason}); log in again.")
        if session.ended:
            raise AuthError("This session has ended; log in again.")
        if _identity(session.user) != _identity(live.user):
            self._end(token, live, "session altered: user or role differs from the sign-in",  # type: ignore[arg-type]  # a missing token finds no live session, as intended
                      session)
            raise AuthError("This session does not match the one issued at sign-in (its user or "
                            "role was changed); it has ended. Sign in again.")
        return live

    def _recheck(self, token: str, live: _Live, session: Session | None = None) -> None:
        """Re-read the account: disabled, role changed or password expired ends the session."""
        now = self.clock()
        user = self._user_by_id(live.user.id)
        if user is None or user.disabled:
            self._end(token, live, "account disabled", session)
            raise AuthError("Your account has been disabled by the ALPR administrator; the "
                            "session has ended.")
        if user.role != live.role:
            self._end(token, live, "role changed", session)
            raise AuthError(f"Your role changed from {live.role} to {user.role}; the session has "
                            "ended. Sign in again to work under the new role.")
        if self._password_expired(user, now):
            self._end(token, live, "password expired", session)
            raise PasswordExpired("Your password has expired, so the session has ended; sign in "
                                  "and choose a new one.", second_factor=user.totp_enrolled)
        live.user = user

    def _mirror(self, session: Session, live: _Live) -> None:
        """Copy the engine's state onto the handle (the handle's own fields are never trusted)."""
        session.user = live.user
        session.started = live.started
        session.last_activity = live.last_activity
        session.locked = live.locked
        session.must_enrol_totp = self._must_enrol(live.user)

    def live_count(self) -> int:
        """How many sessions are live (the workstation closes the store when none is)."""
        return len(self._live)

    def recheck_sessions(self, user_id: int) -> None:
        """After an administrator changed an account: end its sessions that may not go on."""
        for token, live in list(self._live.items()):
            if live.user.id == user_id:
                try:
                    self._recheck(token, live)
                except AuthError:
                    pass

    # -- idle lock -------------------------------------------------------------------------
    def touch(self, session: Session) -> None:
        """Check the session is usable and mark activity; lock it if it sat idle too long."""
        live = self._registered(session)
        self._recheck(session.token, live, session)
        now = self.clock()
        if not live.locked and now - live.last_activity > self.profile.idle_lock_minutes * 60:
            live.locked = True
            with self.store.transaction() as conn:
                accesslog.append(conn, now, live.user.actor, "session_lock",
                                 detail={"idle_minutes": self.profile.idle_lock_minutes})
        if live.locked:
            self._mirror(session, live)
            raise SessionLocked(
                f"The session locked after {self.profile.idle_lock_minutes} idle minutes; "
                "enter your password to unlock.")
        live.last_activity = now
        self._mirror(session, live)

    def lock(self, session: Session) -> None:
        live = self._live.get(getattr(session, "token", None))  # type: ignore[arg-type]  # a missing token finds no live session, as intended
        if live is None or session.ended or _identity(session.user) != _identity(live.user):
            session.locked = True           # locking is always safe; unlocking checks the session
            return
        if not live.locked:
            live.locked = True
            with self.store.transaction() as conn:
                accesslog.append(conn, self.clock(), live.user.actor,
                                 "session_lock", detail={"reason": "user"})
        self._mirror(session, live)

    def unlock(self, session: Session, password: str, totp_code: str | None = None) -> None:
        """The same user comes back. Failures count toward lock-out; once the account is locked
        (or if it is locked or disabled already) the session cannot be unlocked and ends."""
        live = self._registered(session)
        token, now = session.token, self.clock()
        user = self._user_by_id(live.user.id)
        if user is None or user.disabled:
            self._end(token, live, "account disabled", session)
            raise AuthError("This account is disabled; the session has ended.")
        if self._locked(user, now):
            self._end(token, live, "account locked", session)
            raise AccountLocked(self._locked_message(user, now) + " The session has ended.")
        ok = passwords.verify_password(self._password_hash(user.id), password)
        step = None
        if ok and user.totp_enrolled:
            step, replay = self._check_totp(user.id, totp_code)
            ok = step is not None
            why = "reused one-time code at unlock" if replay else "wrong one-time code at unlock"
        else:
            why = "wrong password at unlock"
        if not ok:
            self._log_failure(user.username, "login_failed", why, count=True)
            user = self._user_by_id(user.id)
            if self._locked(user, now):  # type: ignore[arg-type]  # the user exists here: it was just read, checked or created above
                self._end(token, live, "account locked after failed unlock attempts", session)
                raise AccountLocked(
                    f"Wrong password or code. The account is now locked for "
                    f"{self.profile.lockout_minutes} minutes after "
                    f"{self.profile.lockout_attempts} failed attempts, and the session has ended.")
            raise AuthError("Wrong password; the session stays locked.")
        live.locked = False
        live.last_activity = now
        with self.store.transaction() as conn:
            self._consume_step(conn, user.id, step)
            conn.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?",
                         (user.id,))
            accesslog.append(conn, self.clock(), live.user.actor,
                             "session_unlock")
        self._mirror(session, live)

    # -- second factor ---------------------------------------------------------------------
    def _check_totp(self, user_id: int, code: str | None) -> tuple[int | None, bool]:
        """(time-step of the code, None if refused; whether it was a used code replayed).

        Codes of the step before and after now are accepted (clock drift), but never one of
        a step at or before the last code accepted for this user."""
        secret, last = self.store.query_one(  # type: ignore[misc]  # this query always answers a row
            "SELECT totp_secret, totp_last_step FROM users WHERE id = ?", (user_id,))
        code = (code or "").strip()
        if not secret or not code:
            return None, False
        totp = pyotp.TOTP(secret)
        now_step = totp.timecode(self.clock())
        replay = False
        for step in (now_step - 1, now_step, now_step + 1):
            if otp_utils.strings_equal(code, totp.generate_otp(step)):
                if last is not None and step <= last:
                    replay = True
                    continue
                return step, False
        return None, replay

    def _consume_step(self, conn, user_id: int, step: int | None) -> None:
        """Record ``step`` as the last accepted one, in the caller's transaction."""
        if step is None:
            return
        cur = conn.execute("UPDATE users SET totp_last_step = ? WHERE id = ? AND "
                           "(totp_last_step IS NULL OR totp_last_step < ?)", (step, user_id, step))
        if cur.rowcount != 1:
            raise AuthError("This one-time code was already used; wait for the next one.")

    def _second_factor(self, user: User, code: str | None, action: str, ask: str) -> int | None:
        """For an enrolled user, the time-step of a fresh, right code (to consume on success)."""
        if not user.totp_enrolled:
            return None
        if not code or not code.strip():
            raise SecondFactorRequired(ask)
        step, replay = self._check_totp(user.id, code)
        if step is None:
            self._log_failure(user.username, action,
                              "reused one-time code" if replay else "wrong one-time code", count=True)
            if replay:
                raise AuthError("This one-time code was already used; wait for the next one.")
            raise AuthError("The one-time code is wrong or expired.")
        return step

    def begin_totp(self, session: Session) -> TotpEnrolment:
        secret = pyotp.random_base32()
        with self.store.transaction() as conn:
            conn.execute("UPDATE users SET totp_secret = ?, totp_enrolled = 0 WHERE id = ?",
                         (secret, session.user.id))
        uri = pyotp.TOTP(secret).provisioning_uri(name=session.user.username,
                                                  issuer_name=f"ALPR {self.profile.agency}")
        qr = segno.make(uri, error="m")
        buf = io.BytesIO()
        qr.save(buf, kind="png", scale=6, border=2)
        return TotpEnrolment(secret, uri, buf.getvalue())

    def confirm_totp(self, session: Session, code: str) -> None:
        live = self._registered(session)
        step, replay = self._check_totp(live.user.id, code)
        if step is None:
            if replay:
                raise AuthError("This one-time code was already used; wait for the next one.")
            raise AuthError("The code does not match; scan the QR code again and enter a fresh code.")
        with self.store.transaction() as conn:
            self._consume_step(conn, live.user.id, step)
            conn.execute("UPDATE users SET totp_enrolled = 1 WHERE id = ?", (live.user.id,))
            accesslog.append(conn, self.clock(), live.user.actor, "totp_enrol")
        live.user = self._user_by_id(live.user.id)  # type: ignore[assignment]  # the user exists here: it was just read, checked or created above
        self._mirror(session, live)

    # -- used by the workstation's key slots -------------------------------------------------
    def set_password(self, actor: Actor, user: User, new_password: str, *, expired: bool) -> None:
        """An administrator's reset; ``expired`` makes its owner choose a new one at login."""
        passwords.check_rules(new_password, user.username,
                              second_factor=self.second_factor_for(user.role) or user.totp_enrolled,
                              history=self._history(user.id))
        digest = passwords.hash_password(new_password)
        now = int(self.clock())
        with self.store.transaction() as conn:
            conn.execute("UPDATE users SET password_hash = ?, password_changed_at = ?, "
                         "failed_attempts = 0, locked_until = NULL WHERE id = ?",
                         (digest, 0 if expired else now, user.id))
            conn.execute("INSERT INTO password_history(user_id, hash, changed_at) VALUES (?,?,?)",
                         (user.id, digest, now))
            accesslog.append(conn, self.clock(), actor, "password_reset",
                             detail={"user": user.username, "must_change": expired})


__all__ = ["Auth", "Session", "User", "TotpEnrolment", "PasswordExpired", "PasswordRejected"]
