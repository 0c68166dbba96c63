"""The first run on a machine with no store: the set-up wizard's steps as plain engine calls.

The desktop's wizard (``app/ui/wizard.py``) and a script without a screen (CI, an installer's
check) drive the same steps in the same order::

    run = FirstRun(data_dir)
    run.choose_profile("calabasas")                    # see profile_choices()
    run.create_administrator("amorgan", "Alex Morgan", password, password)
    enrolment = run.sign_in()                          # TotpEnrolment when the role needs one
    run.confirm_second_factor(code)                    # a code from that enrolment's secret
    run.test_server(address, password)                 # optional, for PostgreSQL
    for progress in run.connect_server(ServerChoice.embedded(folder)): ...
    for progress in run.first_sync(): ...
    ws, session = run.finish()

Nothing is written before ``create_administrator``: the store and its first key slot are made
together (a store left without a key slot could never be opened). Every step that changes
something goes through the workstation's own calls and is logged as ``alpr init`` logs its
work: ``store_create`` and ``user_add`` as the system, then as the administrator ``login``,
``totp_enrol``, ``server_test``, ``settings_change``, ``sync`` (and for the demo ``user_add``
and ``training_add``) and a closing ``first_run`` entry naming the choices; an embedded
server logs its own ``server_create``.
"""
from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from . import keys, passwords
from .auth import Session, TotpEnrolment, User, validate_username
from .errors import EngineError, Interrupted, PasswordRejected, StoreError, SyncError, ValidationError
from .keyslots import SLOTS_NAME
from .policy import PolicyProfile, available_profiles, load_profile
from .progress import CancelToken, Progress
from .store import DB_NAME, ID_NAME
from .workstation import Workstation

SERVER_KINDS = ("postgresql", "embedded", "demo")
SETTINGS_SCREEN = "Administration > Sync"      # where the server is changed later (admin_sync.py)


def needs_first_run(data_dir: Path) -> bool:
    """Whether ``data_dir`` holds no store at all (nothing a set-up could overwrite)."""
    data_dir = Path(data_dir)
    return not any((data_dir / name).exists() for name in (ID_NAME, DB_NAME, SLOTS_NAME))


# -- the policy profile --------------------------------------------------------------------------
@dataclass(frozen=True)
class ProfileChoice:
    """What a person choosing a profile needs to see before the store is made under it."""

    id: str
    name: str
    agency: str
    statute: str
    policy_reference: str
    retention_days: int
    retention_basis: str
    purposes: tuple[tuple[str, str], ...]          # (code, label)
    roles: tuple[tuple[str, str], ...]             # (id, title)
    second_factor_roles: tuple[str, ...]           # role titles, or ("every role",)
    admin_second_factor: bool
    idle_lock_minutes: int

    @classmethod
    def of(cls, p: PolicyProfile) -> ProfileChoice:
        tf = ("every role",) if "*" in p.totp_roles else tuple(
            p.roles[r].title for r in p.totp_roles if r in p.roles)
        return cls(p.id, p.name, p.agency, p.statute, p.policy_reference, p.retention_days,
                   p.retention_basis, tuple((x.code, x.label) for x in p.purposes),
                   tuple((r.id, r.title) for r in p.roles.values()), tf,
                   p.needs_totp("administrator"), p.idle_lock_minutes)


def profile_choices() -> list[ProfileChoice]:
    return [ProfileChoice.of(load_profile(pid)) for pid in available_profiles()]


def password_rules(profile: PolicyProfile, role: str = "administrator") -> list[str]:
    """The rules ``passwords.check_rules`` enforces for this role, as a person reads them."""
    tf = profile.needs_totp(role)
    minimum = passwords.MIN_WITH_SECOND_FACTOR if tf else passwords.MIN_SINGLE_FACTOR
    first = (f"At least {minimum} characters (this role also has a second factor: a one-time code "
             "from an authenticator app)." if tf else
             f"At least {minimum} characters (this role signs in with the password alone).")
    return [first, "Not containing the user name.",
            "Not on the list of banned (commonly used) passwords.",
            "Not one character repeated.",
            f"Not one of your last {passwords.HISTORY_DEPTH} passwords, when you change it; it "
            f"expires after {profile.password_max_age_days} days.",
            f"{profile.lockout_attempts} wrong tries lock the account for "
            f"{profile.lockout_minutes} minutes."]


# -- the city server -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ServerChoice:
    """Where the reads come from. ``postgresql``: an existing city server, its address without
    the password (the password is kept in the encrypted store); ``embedded``: a new server in
    ``folder`` for this one machine, whose first operator is the administrator; ``demo``: a new
    embedded server filled with the demo city's made-up reads, hotlists and users."""

    kind: str
    address: str = ""
    password: str | None = None
    folder: Path | None = None
    window_days: int | None = None                  # None: the whole retention period
    demo_days: int = 3
    demo_reads_per_day: int = 1000
    demo_ocr: bool = True
    demo_users: bool = True

    @classmethod
    def postgresql(cls, address: str, password: str | None = None, **kw) -> ServerChoice:
        return cls("postgresql", address=address, password=password, **kw)

    @classmethod
    def embedded(cls, folder: Path, **kw) -> ServerChoice:
        return cls("embedded", folder=Path(folder), **kw)

    @classmethod
    def demo(cls, folder: Path, **kw) -> ServerChoice:
        return cls("demo", folder=Path(folder), **kw)


def probe_server(address: str, password: str | None = None) -> str:
    """Connect to a PostgreSQL city server and read its id; one sentence either way (a
    :class:`SyncError` when it fails). Nothing is written, here or there."""
    from app.server.connect import open_server, parse_address, redact

    from .sync_errors import CONNECT_ERRORS, describe_server_error
    try:
        addr = parse_address(address)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if addr.kind != "postgresql":
        raise ValidationError("The connection test is for a PostgreSQL city server; an embedded "
                              "server is made on this machine by the set-up itself.")
    failures: tuple[type[BaseException], ...] = (StoreError, *CONNECT_ERRORS)
    try:
        server = open_server(addr, password)
    except failures as exc:
        said = describe_server_error(exc, str(addr))
        if " answered with an error: " in said:         # no answer at all: it was not reached
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            said = (f"The city server ({addr}) cannot be reached ({redact(first)}). Check the "
                    "server address and the network; nothing was saved.")
        raise SyncError(redact(said, password)) from None
    failures = server.errors
    try:
        server_id = server.server_id()
        where = server.describe()
    except failures as exc:
        raise SyncError(redact(describe_server_error(exc, str(addr)), password)) from None
    finally:
        server.close()
    return f"Connected to {where}: city server {server_id}."


# -- the run -------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What the set-up did, for the wizard's last page and the ``first_run`` log entry."""

    profile: str = ""
    administrator: str = ""
    server: str = ""                                # the address kept in the settings
    server_kind: str = ""
    demo_users: list[tuple[str, str]] = field(default_factory=list)
    sync: str = "not run"                           # "done", "cancelled", "failed", "not run"
    sync_summary: str = ""


class FirstRun:
    """One set-up of a new store, step by step; each step refuses to run out of order."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.data_dir = Path(data_dir)
        self.clock = clock
        self.profile: PolicyProfile | None = None
        self.ws: Workstation | None = None
        self.session: Session | None = None
        self.outcome = Outcome()
        self._password: str | None = None           # the administrator's, until finish()
        self._made_server: Path | None = None       # an embedded server this run created
        self._finished = False

    # -- 1. profile ------------------------------------------------------------------------
    def choose_profile(self, profile_id: str) -> ProfileChoice:
        if self.ws is not None:
            raise ValidationError("The store is already made under the "
                                  f"{self._need_profile().name}; its profile cannot change.")
        self.profile = load_profile(profile_id)
        self.outcome.profile = self.profile.id
        return ProfileChoice.of(self.profile)

    # -- 2. first administrator --------------------------------------------------------------
    def check_administrator(self, username: str, full_name: str, password: str,
                            repeat: str) -> str:
        """Refuse a bad name or password before anything is written; returns the user name."""
        profile = self._need_profile()
        name = validate_username(username)
        if not full_name.strip():
            raise ValidationError("The administrator's full name is required (accounts are personal).")
        if password != repeat:
            raise PasswordRejected("The two passwords differ.")
        passwords.check_rules(password, name, second_factor=profile.needs_totp("administrator"))
        return name

    def create_administrator(self, username: str, full_name: str, password: str,
                             repeat: str | None = None) -> User:
        """Make the encrypted store and its first administrator, who holds the first key slot."""
        profile = self._need_profile()
        if self.ws is not None:
            raise ValidationError("The first administrator already exists.")
        if not needs_first_run(self.data_dir):
            raise StoreError(f"A store already exists in {self.data_dir}; sign in to it instead.")
        name = self.check_administrator(username, full_name, password,
                                        password if repeat is None else repeat)
        ws = None
        try:
            ws = Workstation.create(self.data_dir, profile.id, self.clock)
            user = ws.create_first_admin(name, full_name, password)
        except BaseException:
            if ws is not None:
                ws.close()
            self._remove_store()        # none of its files was there before (checked above)
            raise
        self.ws, self._password = ws, password
        self.outcome.administrator = user.username
        return user

    def _remove_store(self) -> None:
        """Undo a store whose first administrator could not be made (it could never open)."""
        id_file = self.data_dir / ID_NAME
        store_id = id_file.read_text(encoding="ascii").strip() if id_file.exists() else None
        for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", ID_NAME, SLOTS_NAME,
                     SLOTS_NAME.replace(".json", ".tmp")):
            (self.data_dir / name).unlink(missing_ok=True)
        if store_id:
            try:
                keys.delete_secret(f"device-secret/{store_id}")
            except EngineError:
                pass

    # -- 3. sign in, second factor -----------------------------------------------------------
    def sign_in(self) -> TotpEnrolment | None:
        """The administrator's first login (it is what opens the store from now on). Returns
        the authenticator enrolment (QR code, secret) when the profile requires a second
        factor for administrators, else None."""
        ws = self._need_ws()
        if self.session is None:
            self.session = ws.login(self.outcome.administrator, self._need_password())
        if self.session.must_enrol_totp:
            return ws.begin_totp(self.session)
        return None

    @property
    def needs_second_factor(self) -> bool:
        return self.session is not None and self.session.must_enrol_totp

    def confirm_second_factor(self, code: str) -> None:
        session = self._need_session(enrolled=False)
        self._need_ws().confirm_totp(session, code.strip())

    # -- 4. city server ----------------------------------------------------------------------
    def default_server_folder(self) -> Path:
        return self.data_dir / "city-server"

    def test_server(self, address: str, password: str | None = None) -> str:
        """The "Test connection" button: connect to a PostgreSQL server and say how it went;
        logged (``server_test``) with the address, never the password."""
        session, ws = self._need_session(), self._need_ws()
        from app.server.connect import redact
        try:
            said = probe_server(address, password)
        except EngineError as exc:
            ws.log(session.actor, "server_test",
                        detail={"server": redact(address, password), "ok": False,
                                "error": redact(str(exc), password)})
            raise
        ws.log(session.actor, "server_test", detail={"server": redact(address, password), "ok": True})
        return said

    def connect_server(self, choice: ServerChoice,
                       token: CancelToken | None = None) -> Generator[Progress, None, None]:
        """Set the city server (building it first for ``embedded`` and ``demo``); yields Progress.
        ``token`` stops the demo city's build between stages; what was half built is removed."""
        session, ws, password = self._need_session(), self._need_ws(), self._need_password()
        token = token or CancelToken()
        if choice.kind not in SERVER_KINDS:
            raise ValidationError(f"The city server is one of: {', '.join(SERVER_KINDS)}.")
        days = choice.window_days or None
        started = time.monotonic()
        if choice.kind == "postgresql":
            if not choice.address.strip():
                raise ValidationError("Enter the PostgreSQL city server's address.")
            yield Progress("connect", started=started, message="Connecting to the city server")
            self.test_server(choice.address, choice.password)
            ws.sync.configure(session, choice.address, choice.password, days)
            self._configured(choice)
            return
        folder = Path(choice.folder or self.default_server_folder()).expanduser().absolute()
        made_here = self._made_server == folder
        if not made_here and folder.exists() and any(folder.iterdir()):
            raise ValidationError(f"{folder} is not empty; choose a new folder for the city server.")
        if not made_here:
            try:
                if choice.kind == "demo":
                    yield from self._build_demo(folder, choice, token)
                else:
                    yield Progress("server", started=started,
                                   message=f"Creating the embedded city server in {folder}")
                    from app.server.embedded import EmbeddedServer
                    EmbeddedServer.create(folder, self.outcome.administrator, password,
                                          retention_days=self._need_profile().retention_days,
                                          now=int(self.clock())).close()
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            self._made_server = folder
        yield Progress("configure", started=started, message="Keeping the server's key in the store")
        ws.sync.configure(session, f"embedded:{folder}", password, days)
        if choice.kind == "demo":
            yield Progress("users", started=started, message="Adding the demo users")
            self._demo_people(choice)
            self._demo_streets(folder)
        self._configured(choice)

    def _configured(self, choice: ServerChoice) -> None:
        self.outcome.server_kind = choice.kind
        self.outcome.server = self._need_ws().sync.status(self._need_session()).server or ""

    def _build_demo(self, folder: Path, choice: ServerChoice,
                    token: CancelToken) -> Generator[Progress, None, None]:
        from app.server.demo_setup import build_city
        yield from build_city(folder, self.outcome.administrator, self._need_password(),
                              retention_days=self._need_profile().retention_days, days=choice.demo_days,
                              reads_per_day=choice.demo_reads_per_day, now=self.clock(),
                              ocr=choice.demo_ocr, cancel=token)
        token.check()

    def _demo_people(self, choice: ServerChoice) -> None:
        """The demo city's people, for each of their roles this profile has (the demo password,
        training recorded), and training for the administrator, so that the demo reaches a
        working search. All of it is done, and logged, as the administrator."""
        from app.server.demo_setup import DEMO_PASSWORD, DEMO_USERS
        ws, s, profile = self._need_ws(), self._need_session(), self._need_profile()
        today = date.fromtimestamp(self.clock())
        done, until = (today - timedelta(days=30)).isoformat(), (today + timedelta(days=335)).isoformat()
        added = []
        if choice.demo_users:
            for username, full, role in DEMO_USERS:
                if role == "administrator" or role not in profile.roles or ws.auth.get_user(username):
                    continue
                ws.add_user(s, username, full, role, DEMO_PASSWORD)
                added.append((username, role))
        for username in [self.outcome.administrator] + [u for u, _r in added]:
            if not ws.training_records(s, username):
                ws.add_training(s, username, profile.training_course, done, until)
        self.outcome.demo_users = added

    def _demo_streets(self, folder: Path) -> None:
        """The demo city's street map, exported next to its server and imported (logged)."""
        from app.server.democity.streets import write_geojson
        self._need_ws().streets.import_file(self._need_session(),
                                            write_geojson(folder / "gis" / "streets.geojson"))

    # -- 5. first sync -----------------------------------------------------------------------
    def first_sync(self, token: CancelToken | None = None) -> Generator[Progress, None, None]:
        """The first sync from the server just set, as the administrator; Cancel stops it
        between batches (what was committed stays, the next sync resumes there)."""
        session, ws = self._need_session(), self._need_ws()
        if not self.outcome.server:
            raise ValidationError("Choose the city server first.")
        last = None
        try:
            for last in ws.sync.run(session, token):
                yield last
        except Interrupted:
            self.outcome.sync = "cancelled"
            raise
        except EngineError:
            self.outcome.sync = "failed"
            raise
        self.outcome.sync = "done"
        self.outcome.sync_summary = last.message if last else ""

    # -- the end -----------------------------------------------------------------------------
    def finish(self) -> tuple[Workstation, Session]:
        """Log what was set up; the administrator's session goes on into the window."""
        session, ws = self._need_session(), self._need_ws()
        self._log_outcome(stopped=False)
        self._password = None
        return ws, session

    def abandon(self) -> None:
        """Stop here (the wizard's Cancel). What exists stays usable: a store with its
        administrator opens at the next start with the login screen, and the server is set
        in the sync settings; before the administrator, nothing was written."""
        self._password = None
        if self.ws is None:
            return
        if self.session is not None:
            self._log_outcome(stopped=True)
            if not self.session.ended:
                self.ws.logout(self.session)
        self.ws.close()

    def _log_outcome(self, *, stopped: bool) -> None:
        if self._finished or self.ws is None or self.session is None:
            return
        o = self.outcome
        detail: dict[str, object] = {"profile": o.profile, "administrator": o.administrator,
                  "server": o.server or None, "server_kind": o.server_kind or None,
                  "demo_users": [u for u, _r in o.demo_users], "first_sync": o.sync,
                  "data_dir": str(self.data_dir)}
        if stopped:
            detail["stopped"] = True
        self.ws.log(self.session.actor, "first_run", detail=detail)
        self._finished = True

    # -- order -------------------------------------------------------------------------------
    def _need_profile(self) -> PolicyProfile:
        if self.profile is None:
            raise ValidationError("Choose the policy profile first.")
        return self.profile

    def _need_password(self) -> str:
        if self._password is None:
            raise ValidationError("Create the first administrator first.")
        return self._password

    def _need_ws(self) -> Workstation:
        if self.ws is None:
            raise ValidationError("Create the first administrator first.")
        return self.ws

    def _need_session(self, enrolled: bool = True) -> Session:
        self._need_ws()
        if self.session is None:
            raise ValidationError("Sign in as the administrator first.")
        if enrolled and self.session.must_enrol_totp:
            raise ValidationError("Enrol the administrator's authenticator app first.")
        return self.session
