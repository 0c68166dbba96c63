"""The whole demo in one call: embedded city server, N days of drops ingested, hotlists, a
workstation store under the Calabasas profile with a demo user of each role, and a sync.

Used by ``alpr demo setup`` (the README's run command); everything is real (encrypted
files, keys in the keyring, logged actions), only the data are made up.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from app.engine.policy import load_profile
from app.engine.workstation import Workstation

from .democity.generate import generate
from .democity.sites import CAMERAS, HOTLISTS
from .embedded import EmbeddedServer
from .ingest import IngestReport, ingest_dir

DEMO_PASSWORD = "Calabasas-Demo-Plates-2026!"
# (user name, full name, role); the first is the store's first administrator.
DEMO_USERS = [("alex.morgan", "Alex Morgan (City Manager designee)", "administrator"),
              ("pat.rivera", "Pat Rivera (City Prosecutor)", "prosecutor"),
              ("dana.kim", "Dana Kim (LASD Lost Hills deputy)", "deputy"),
              ("casey.lee", "Casey Lee (City Clerk)", "custodian"),
              ("avery.shah", "Avery Shah (ALPR auditor)", "auditor")]


@dataclass
class DemoResult:
    server_dir: Path
    data_dir: Path
    ingest: IngestReport
    sync_summary: str
    users: list[tuple[str, str]] = field(default_factory=list)    # (user name, role)


def setup(data_dir: Path, *, days: int = 3, reads_per_day: int = 1000, server_dir: Path | None = None,
          drops_dir: Path | None = None, now: float, clock: Callable[[], float] | None = None,
          say: Callable[[str], None] = lambda _m: None, ocr: bool = True) -> DemoResult:
    data_dir = Path(data_dir)
    server_dir = Path(server_dir or data_dir / "city-server")
    say(f"Creating the embedded city server in {server_dir}")
    server = EmbeddedServer.create(server_dir, DEMO_USERS[0][0], DEMO_PASSWORD,
                                   retention_days=load_profile("calabasas").retention_days, now=int(now))
    try:
        server.put_cameras(CAMERAS)
        for h in HOTLISTS:
            server.put_hotlist(h)
        tmp = None
        if drops_dir is None:
            tmp = Path(tempfile.mkdtemp(prefix="alpr-demo-drops-"))
        folder = Path(drops_dir or tmp)  # type: ignore[arg-type]  # one of the two is always set
        say(f"Generating {days} days of camera drops (~{reads_per_day} a day) in {folder}")
        plan = generate(folder, days, reads_per_day, int(now))
        say(f"Ingesting {plan.drops + plan.faulty} drops")
        report = ingest_dir(server, folder, int(now))
        server.add_entries(plan.entries)
        if ocr and report.queued_for_ocr:
            _read_queue(server, say)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        server.close()
    say(f"Creating the workstation store in {data_dir} (Calabasas profile)")
    ws = Workstation.create(data_dir, "calabasas", clock or (lambda: now))
    try:
        users = _users(ws, now)
        ws.sync.configure(None, f"embedded:{server_dir}", DEMO_PASSWORD, operator=DEMO_USERS[0][0])
        summary = ""
        for progress in ws.sync.run(None):
            summary = progress.message
            say(f"  sync: {progress.message}")
    finally:
        ws.close()
    return DemoResult(server_dir, data_dir, report, summary, users)


def _read_queue(server: EmbeddedServer, say: Callable[[str], None]) -> None:
    """Drops that came without a plate read are read by the workstation's OCR engine."""
    from app.engine.ocr import get_reader

    from .ocr_queue import DrainResult, drain
    say("Reading the drops that came without a plate read (plate OCR; models load first)")
    for step in drain(server, get_reader()):
        if isinstance(step, DrainResult):
            say(f"  OCR: {step.read} read, {step.unreadable} unreadable")


def _users(ws: Workstation, now: float) -> list[tuple[str, str]]:
    """Demo users of each role, with current training recorded by the administrator."""
    first = DEMO_USERS[0]
    ws.create_first_admin(first[0], first[1], DEMO_PASSWORD)
    today = date.fromtimestamp(now)
    done, until = (today - timedelta(days=30)).isoformat(), (today + timedelta(days=335)).isoformat()
    ws.add_training(None, first[0], ws.profile.training_course, done, until)
    for username, full, role in DEMO_USERS[1:]:
        # Set-up by the program itself (logged as the system), as 'alpr init' does for the first admin.
        ws.setup_user(username, full, role, DEMO_PASSWORD)
        ws.add_training(None, username, ws.profile.training_course, done, until)
    return [(u, r) for u, _f, r in DEMO_USERS]
