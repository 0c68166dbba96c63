"""The whole demo in one call: embedded city server, N days of drops ingested, hotlists, a
workstation store under the Calabasas profile with a demo user of each role, and a sync.

Used by ``alpr demo setup`` (the README's run command); everything is real (encrypted
files, keys in the keyring, logged actions), only the data are made up.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from app.engine.policy import load_profile
from app.engine.progress import CancelToken, Progress
from app.engine.workstation import Workstation

from .democity.generate import generate
from .democity.sites import CAMERAS, HOTLISTS
from .democity.streets import write_geojson
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
          say: Callable[[str], None] = lambda _m: None, ocr: bool = True,
          via_receiver: bool = False) -> DemoResult:
    data_dir = Path(data_dir)
    server_dir = Path(server_dir or data_dir / "city-server")
    steps = build_city(server_dir, DEMO_USERS[0][0], DEMO_PASSWORD,
                       retention_days=load_profile("calabasas").retention_days, days=days,
                       reads_per_day=reads_per_day, now=now, drops_dir=drops_dir, ocr=ocr,
                       via_receiver=via_receiver)
    report = _said(steps, say)
    say(f"Creating the workstation store in {data_dir} (Calabasas profile)")
    ws = Workstation.create(data_dir, "calabasas", clock or (lambda: now))
    try:
        users = _users(ws, now)
        streets = ws.streets.import_file(None, write_geojson(server_dir / "gis" / "streets.geojson"))
        say(f"Imported the city's street map ({streets.segments} street lines)")
        ws.sync.configure(None, f"embedded:{server_dir}", DEMO_PASSWORD, operator=DEMO_USERS[0][0])
        summary = ""
        for progress in ws.sync.run(None):
            summary = progress.message
            say(f"  sync: {progress.message}")
    finally:
        ws.close()
    return DemoResult(server_dir, data_dir, report, summary, users)


def _said(steps: Generator[Progress, None, IngestReport], say: Callable[[str], None]) -> IngestReport:
    """Run ``build_city``, saying each stage once (the OCR's running count is indented)."""
    stage = None
    while True:
        try:
            p = next(steps)
        except StopIteration as stop:
            return stop.value
        if p.stage != stage:
            stage = p.stage
            say(p.message)


def build_city(server_dir: Path, operator: str, password: str, *, retention_days: int, days: int,
               reads_per_day: int, now: float, drops_dir: Path | None = None, ocr: bool = True,
               cancel: CancelToken | None = None,
               via_receiver: bool = False) -> Generator[Progress, None, IngestReport]:
    """The demo city's embedded server: created with ``operator`` as its first operator, its
    cameras, hotlists and ``days`` days of camera drops ingested (and read by OCR where they
    came without a plate read). Yields a Progress per stage; ``cancel`` stops it between
    stages (the caller removes the half-built folder). ``via_receiver``: one drop in ten goes
    through the receiver instead (demo_receiver.py)."""
    cancel = cancel or CancelToken()
    started = time.monotonic()
    yield Progress("server", 0, None, started=started,
                   message=f"Creating the embedded city server in {server_dir}")
    server = EmbeddedServer.create(server_dir, operator, password, retention_days=retention_days,
                                   now=int(now))
    tmp = None
    try:
        server.put_cameras(CAMERAS)
        for h in HOTLISTS:
            server.put_hotlist(h)
        if drops_dir is None:
            tmp = folder = Path(tempfile.mkdtemp(prefix="alpr-demo-drops-"))
        else:
            folder = Path(drops_dir)
        cancel.check()
        yield Progress("generate", 0, None, started=started,
                       message=f"Generating {days} days of camera drops (~{reads_per_day} a day) in {folder}")
        plan = generate(folder, days, reads_per_day, int(now))
        aside = None
        if via_receiver:
            from .demo_receiver import set_aside
            aside = set_aside(folder)
        cancel.check()
        yield Progress("ingest", 0, plan.drops + plan.faulty, started=started,
                       message=f"Ingesting {plan.drops + plan.faulty} drops")
        report = ingest_dir(server, folder, int(now))
        if aside is not None:
            from .demo_receiver import send
            yield Progress("receiver", 0, None, started=started, message="Sending one drop in ten "
                           "through the receiver (OpenALPR webhooks, Frigate MQTT events)")
            counts = send(server_dir, server._key.hex(), aside, int(now))
            yield Progress("receiver-done", 0, None, started=started, message="  receiver: " + ", ".join(
                f"{k} {v}" for k, v in sorted(counts.items())))
        server.add_entries(plan.entries)
        if ocr and report.queued_for_ocr:
            cancel.check()
            yield from _read_queue(server, cancel, started)
    finally:
        server.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return report


def _read_queue(server: EmbeddedServer, cancel: CancelToken, started: float) -> Iterator[Progress]:
    """Drops that came without a plate read are read by the workstation's OCR engine."""
    from app.engine.ocr import get_reader

    from .ocr_queue import DrainResult, drain
    yield Progress("ocr", 0, None, started=started, message="Reading the drops that came without "
                   "a plate read (plate OCR; models load first)")
    for step in drain(server, get_reader(), cancel):
        if isinstance(step, DrainResult):
            yield Progress("ocr-done", step.read + step.unreadable, None, started=started,
                           message=f"  OCR: {step.read} read, {step.unreadable} unreadable")
        else:
            yield Progress("ocr", step.done, None, started=started, message=step.message)


def _users(ws: Workstation, now: float, users: list[tuple[str, str, str]] = DEMO_USERS,
           password: str = DEMO_PASSWORD) -> list[tuple[str, str]]:
    """Demo users of each role, with current training recorded by the administrator."""
    first = users[0]
    ws.create_first_admin(first[0], first[1], password)
    today = date.fromtimestamp(now)
    done, until = (today - timedelta(days=30)).isoformat(), (today + timedelta(days=335)).isoformat()
    ws.add_training(None, first[0], ws.profile.training_course, done, until)
    for username, full, role in users[1:]:
        # Set-up by the program itself (logged as the system), as 'alpr init' does for the first admin.
        ws.setup_user(username, full, role, password)
        ws.add_training(None, username, ws.profile.training_course, done, until)
    return [(u, r) for u, _f, r in users]
