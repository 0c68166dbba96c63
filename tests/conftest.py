"""Shared fixtures: a real encrypted store in a temporary folder, people of each role, reads."""
from __future__ import annotations

import os
import time

import pyotp
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.engine import plates  # noqa: E402
from app.engine.auth import Session  # noqa: E402
from app.engine.workstation import Workstation  # noqa: E402

PASSWORD = "Correct-Horse-7-Battery-Staple"      # long enough for every role (20+)
PURPOSES = {"calabasas": ("FELONY-INV", "LHS-2026-004512"),
            "coachella": ("AUTO-THEFT", "RSO-260012345"),
            "lametro-parking": ("PARKING-ORD", "CIT-12345678")}


class Clock:
    """A clock the test moves by hand; starts at the real time so training dates line up."""

    def __init__(self, start: float | None = None) -> None:
        self.t = float(start if start is not None else time.time())

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class People:
    """Creates users of any role (with training and a second factor where needed) and logs them in."""

    def __init__(self, ws: Workstation, clock: Clock) -> None:
        self.ws, self.clock = ws, clock
        self.totp: dict[str, str] = {}
        self._steps: dict[str, int] = {}
        self._admin: Session | None = None

    def code(self, username: str) -> str | None:
        """A fresh one-time code: a code works once, so each call hands out a later time-step
        than the last (the next step is still accepted; beyond it the clock moves on, as a
        user would wait for the next code)."""
        secret = self.totp.get(username)
        if not secret:
            return None
        now = int(self.clock()) // 30
        step = max(now, self._steps.get(username, now - 1) + 1)
        if step > now + 1:
            self.clock.advance((step - now - 1) * 30)
        self._steps[username] = step
        return pyotp.TOTP(secret).at(step * 30)

    def login(self, username: str, password: str = PASSWORD) -> Session:
        s = self.ws.login(username, password, self.code(username))
        if s.must_enrol_totp:
            e = self.ws.begin_totp(s)
            self.totp[username] = e.secret
            self.ws.confirm_totp(s, self.code(username))
        return s

    def admin(self, trained: bool = True) -> Session:
        stale = self._admin is not None and (
            self._admin.locked or self._admin.ended
            or self.clock() - self._admin.last_activity > self.ws.profile.idle_lock_minutes * 60)
        if stale:
            self.ws.logout(self._admin)
        if self._admin is None or stale:
            if self.ws.needs_first_admin():
                self.ws.create_first_admin("amanager", "Alex Manager", PASSWORD)
                if trained:
                    self.train("amanager")
            self._admin = self.login("amanager")
            self._set_purpose(self._admin)
        return self._admin

    def train(self, username: str, days_ago: int = 30, valid_days: int = 365) -> None:
        from datetime import date, timedelta
        today = date.fromtimestamp(self.clock())
        self.ws.add_training(None, username, self.ws.profile.training_course,
                             (today - timedelta(days=days_ago)).isoformat(),
                             (today + timedelta(days=valid_days - days_ago)).isoformat())

    def _set_purpose(self, s: Session) -> None:
        code, case = PURPOSES[self.ws.profile.id]
        self.ws.set_purpose(s, code, case)

    def user(self, username: str, role: str, *, trained: bool = True, purpose: bool = True) -> Session:
        self.ws.add_user(self.admin(), username, f"{username.title()} Person", role, PASSWORD)
        if trained:
            self.train(username)
        s = self.login(username)
        if purpose:
            self._set_purpose(s)
        return s


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _make_ws(tmp_path, clock, profile="calabasas") -> Workstation:
    return Workstation.create(tmp_path / f"store-{profile}", profile, clock)


@pytest.fixture
def ws(tmp_path, clock):
    w = _make_ws(tmp_path, clock)
    yield w
    w.close()


@pytest.fixture
def make_ws(tmp_path, clock):
    """Factory for a workstation under another profile."""
    made = []

    def factory(profile: str = "calabasas") -> Workstation:
        w = _make_ws(tmp_path, clock, profile)
        made.append(w)
        return w
    yield factory
    for w in made:
        w.close()


@pytest.fixture
def people(ws, clock) -> People:
    return People(ws, clock)


CAMERAS = [("CAM-LV-N", "Las Virgenes Rd northbound", "Las Virgenes / Agoura Rd", 34.1436, -118.7047, "N"),
           ("CAM-LV-S", "Las Virgenes Rd southbound", "Las Virgenes / Agoura Rd", 34.1430, -118.7050, "S"),
           ("CAM-CC-E", "Calabasas Rd eastbound", "Old Town Calabasas", 34.1573, -118.6387, "E"),
           ("CAM-MP-W", "Mulholland Hwy westbound", "Mulholland / Old Topanga", 34.1339, -118.6540, "W")]


def temp_files_read_during(conn, work, needles: list[bytes]) -> tuple[set[str], int, list[str]]:
    """What an insider with this OS account reads of SQLite's temp files (``etilqs_*``) while
    ``work`` runs on ``conn``: the files seen, the most bytes read from one, and the needles
    found.

    SQLite unlinks a temp file right after opening it, so the folder looks empty; the open
    descriptor is what shows it, and /proc/PID/fd/N opens it. The insider looks every 50,000
    virtual-machine steps of the connection (its progress handler), so what is seen does not
    depend on how threads happen to be scheduled; a file is read again only when it has grown.
    """
    sizes: dict[str, int] = {}
    found: list[str] = []

    def look() -> int:
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
                if "etilqs_" not in target or os.stat(f"/proc/self/fd/{fd}").st_size <= sizes.get(target, -1):
                    continue
                with open(f"/proc/self/fd/{fd}", "rb") as f:
                    data = f.read()
            except OSError:
                continue
            sizes[target] = len(data)
            found.extend(n.decode() for n in needles if n in data)
        return 0

    conn.set_progress_handler(look, 50_000)
    try:
        work()
    finally:
        conn.set_progress_handler(None, 0)
    return set(sizes), max(sizes.values(), default=0), found


def insert_reads(ws: Workstation, reads: list[tuple[int, str, int, str, float]]) -> None:
    """Put (id, plate, read_at, camera_id, confidence) reads into the store, as a sync would
    (into a store of a schema before 0017 too, whose reads carry their plate's skeleton)."""
    with ws.store.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO cameras(id, name, site, lat, lon, direction) VALUES (?,?,?,?,?,?)", CAMERAS)
        skel = "plate_skel" in {r[1] for r in conn.execute("PRAGMA table_info(reads)")}
        conn.executemany(
            f"INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor{', plate_skel' * skel}) "
            f"VALUES (?,?,?,?,?,?{',?' * skel})",
            [(i, p, t, c, conf, "TestVendor", plates.skeleton(p))[:7 if skel else 6] for i, p, t, c, conf in reads])


@pytest.fixture
def seeded(ws, clock):
    """A few reads of known plates, recent enough to be inside every retention period."""
    now = int(clock())
    reads = [(1, "7ABC123", now - 3600, "CAM-LV-N", 0.97), (2, "7ABC123", now - 1800, "CAM-CC-E", 0.95),
             (3, "8XYZ999", now - 600, "CAM-LV-S", 0.91), (4, "7A8C123", now - 300, "CAM-MP-W", 0.72),
             (5, "4KLM456", now - 100, "CAM-LV-N", 0.99), (6, "7ABC12", now - 50, "CAM-CC-E", 0.60)]
    insert_reads(ws, reads)
    return reads
