"""Personal logins: users, lock-out, second factor, sessions and the idle lock.

There are no shared accounts: every session belongs to one named user, so every access-log
entry names a person (Calabasas, Accountability (a)).
"""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field

import pyotp
import segno

from . import accesslog, passwords
from .accesslog import Actor
from .errors import (AccountLocked, AuthError, PasswordRejected, SecondFactorRequired,
                     SessionLocked, ValidationError)
from .policy import PolicyProfile
from .store import Store

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
GENERIC_NAMES = {"admin", "administrator", "root", "user", "guest", "shared", "deputy",
                 "prosecutor", "custodian", "auditor", "records", "system", "test", "demo"}


class PasswordExpired(AuthError):
    """The password is older than the profile allows; it must be changed before use."""


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

    # -- users -----------------------------------------------------------------------------
    def get_user(self, username: str) -> User | None:
        row = self.store.query_one(f"SELECT {_USER_COLS} FROM users WHERE username = ?",
                                   (username.strip().lower(),))
        return _user(row) if row else None

    def list_users(self) -> list[User]:
        return [_user(r) for r in self.store.query(f"SELECT {_USER_COLS} FROM users ORDER BY username")]

    def user_count(self) -> int:
        return self.store.query_one("SELECT count(*) FROM users")[0]

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
        return self.get_user(name)

    def _history(self, user_id: int) -> list[str]:
        return [r[0] for r in self.store.query(
            "SELECT hash FROM password_history WHERE user_id = ? ORDER BY changed_at DESC, rowid DESC LIMIT ?",
            (user_id, passwords.HISTORY_DEPTH))]

    def _password_hash(self, user_id: int) -> str:
        return self.store.query_one("SELECT password_hash FROM users WHERE id = ?", (user_id,))[0]

    def change_password(self, username: str, old_password: str, new_password: str) -> None:
        user = self.get_user(username)
        if user is None or not passwords.verify_password(self._password_hash(user.id), old_password):
            self._log_failure(username, "password_change_failed", "wrong current password")
            raise AuthError("The current password is wrong.")
        passwords.check_rules(new_password, user.username,
                              second_factor=self.second_factor_for(user.role) or user.totp_enrolled,
                              history=self._history(user.id))
        digest = passwords.hash_password(new_password)
        now = int(self.clock())
        with self.store.transaction() as conn:
            conn.execute("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
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
        return self.get_user(username)

    # -- login -----------------------------------------------------------------------------
    def _log_failure(self, username: str, action: str, reason: str) -> None:
        user = self.get_user(username)
        actor = user.actor if user else Actor(username.strip().lower()[:64] or "?", "unknown", "none")
        with self.store.transaction() as conn:
            if user and action == "login_failed":
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

    def login(self, username: str, password: str, totp_code: str | None = None) -> Session:
        now = self.clock()
        user = self.get_user(username)
        if user is None:
            self._log_failure(username, "login_failed", "unknown user")
            raise AuthError("Wrong user name or password.")
        if user.disabled:
            self._log_failure(username, "login_refused", "account disabled")
            raise AuthError("This account is disabled; ask the ALPR administrator.")
        if user.locked_until and user.locked_until > now:
            self._log_failure(username, "login_refused", "account locked")
            minutes = max(1, int((user.locked_until - now + 59) // 60))
            raise AccountLocked(
                f"The account is locked after {self.profile.lockout_attempts} failed attempts; "
                f"an administrator can unlock it, or it unlocks by itself in {minutes} minutes.")
        if not passwords.verify_password(self._password_hash(user.id), password):
            self._log_failure(username, "login_failed", "wrong password")
            user = self.get_user(username)
            if user.locked_until and user.locked_until > now:
                raise AccountLocked(
                    f"Wrong password. The account is now locked for "
                    f"{self.profile.lockout_minutes} minutes after "
                    f"{self.profile.lockout_attempts} failed attempts.")
            left = self.profile.lockout_attempts - user.failed_attempts
            raise AuthError(f"Wrong user name or password ({left} attempts left before lock-out).")
        if user.totp_enrolled:
            if not totp_code:
                raise SecondFactorRequired("Enter the 6-digit code from your authenticator app.")
            if not self._check_totp(user.id, totp_code):
                self._log_failure(username, "login_failed", "wrong one-time code")
                raise AuthError("The one-time code is wrong or expired.")
        if now - user.password_changed_at > self.profile.password_max_age_days * 86400:
            self._log_failure(username, "login_refused", "password expired")
            raise PasswordExpired("Your password has expired; choose a new one to continue.")
        with self.store.transaction() as conn:
            conn.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?",
                         (user.id,))
            accesslog.append(conn, now, user.actor, "login")
        user = self.get_user(username)
        return Session(user=user, token=secrets.token_hex(16), started=now, last_activity=now,
                       must_enrol_totp=self.second_factor_for(user.role) and not user.totp_enrolled)

    def logout(self, session: Session, reason: str = "user") -> None:
        if session.ended:
            return
        session.ended = True
        with self.store.transaction() as conn:
            accesslog.append(conn, self.clock(), session.actor, "logout",
                             detail={"reason": reason})

    # -- idle lock -------------------------------------------------------------------------
    def touch(self, session: Session) -> None:
        """Check the session is usable and mark activity; lock it if it sat idle too long."""
        if session.ended:
            raise AuthError("This session has ended; log in again.")
        now = self.clock()
        if not session.locked and now - session.last_activity > self.profile.idle_lock_minutes * 60:
            session.locked = True
            with self.store.transaction() as conn:
                accesslog.append(conn, now, session.actor, "session_lock",
                                 detail={"idle_minutes": self.profile.idle_lock_minutes})
        if session.locked:
            raise SessionLocked(
                f"The session locked after {self.profile.idle_lock_minutes} idle minutes; "
                "enter your password to unlock.")
        session.last_activity = now

    def lock(self, session: Session) -> None:
        if not session.locked:
            session.locked = True
            with self.store.transaction() as conn:
                accesslog.append(conn, self.clock(), session.actor,
                                 "session_lock", detail={"reason": "user"})

    def unlock(self, session: Session, password: str, totp_code: str | None = None) -> None:
        user = self.get_user(session.user.username)
        ok = user and not user.disabled and passwords.verify_password(self._password_hash(user.id), password)
        if ok and user.totp_enrolled:
            ok = bool(totp_code) and self._check_totp(user.id, totp_code)
        if not ok:
            self._log_failure(session.user.username, "login_failed", "wrong password at unlock")
            raise AuthError("Wrong password; the session stays locked.")
        session.locked = False
        session.last_activity = self.clock()
        with self.store.transaction() as conn:
            accesslog.append(conn, self.clock(), session.actor, "session_unlock")

    # -- second factor ---------------------------------------------------------------------
    def _check_totp(self, user_id: int, code: str) -> bool:
        secret = self.store.query_one("SELECT totp_secret FROM users WHERE id = ?", (user_id,))[0]
        return bool(secret) and pyotp.TOTP(secret).verify(code.strip(), for_time=self.clock(),
                                                          valid_window=1)

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
        if not self._check_totp(session.user.id, code):
            raise AuthError("The code does not match; scan the QR code again and enter a fresh code.")
        with self.store.transaction() as conn:
            conn.execute("UPDATE users SET totp_enrolled = 1 WHERE id = ?", (session.user.id,))
            accesslog.append(conn, self.clock(), session.actor, "totp_enrol")
        session.user = self.get_user(session.user.username)
        session.must_enrol_totp = False

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
