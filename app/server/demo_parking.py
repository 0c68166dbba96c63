"""``alpr demo setup --profile lametro-parking``: the LA Metro parking demo in one call.

An embedded city server with three park-and-ride facilities and a week of their drops, a
workstation store under the LA Metro profile with a demo user of each role, a sync, and the
operator's permits and daily transactions imported (by the enforcement officer and the
operations clerk, logged under their purposes), so that every parking screen has data.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from app.engine.policy import load_profile
from app.engine.progress import CancelToken
from app.engine.workstation import Workstation

from .democity import parking
from .embedded import EmbeddedServer
from .ingest import ingest_dir

DEMO_PASSWORD = "Metro-Parking-Demo-2026!"
DEMO_USERS = [("morgan.ito", "Morgan Ito (Parking Management administrator)", "administrator"),
              ("sam.ortiz", "Sam Ortiz (contracted parking enforcement)", "enforcement"),
              ("lee.chan", "Lee Chan (parking operations, revenue)", "operations"),
              ("rita.gomez", "Rita Gomez (records custodian)", "custodian"),
              ("avery.shah", "Avery Shah (ALPR auditor)", "auditor")]
CASE = "PRK-20260001"


def setup(data_dir: Path, *, days: int, server_dir: Path, now: float, clock: Callable[[], float],
          say: Callable[[str], None], ocr: bool):
    """Build it all; returns (ingest report, sync summary, users, operator files folder)."""
    from .demo_setup import _read_queue, _users
    say(f"Creating the embedded city server in {server_dir}")
    server = EmbeddedServer.create(server_dir, DEMO_USERS[0][0], DEMO_PASSWORD,
                                   retention_days=load_profile("lametro-parking").retention_days,
                                   now=int(now))
    drops = Path(tempfile.mkdtemp(prefix="alpr-parking-drops-"))
    try:
        cams, facs = parking.server_rows()
        server.put_cameras(cams)
        server.put_facilities(facs)
        say(f"Generating {days} days of park-and-ride traffic at {len(facs)} facilities")
        plan = parking.generate(drops, days, int(now))
        say(f"Ingesting {plan.drops} drops")
        report = ingest_dir(server, drops, int(now))
        if ocr and report.queued_for_ocr:
            for p in _read_queue(server, CancelToken(), 0.0):
                say(p.message)
    finally:
        server.close()
        shutil.rmtree(drops, ignore_errors=True)
    say(f"Creating the workstation store in {data_dir} (LA Metro parking profile)")
    ws = Workstation.create(data_dir, "lametro-parking", clock)
    files = Path(data_dir) / "parking-demo-files"
    try:
        users = _users(ws, now, DEMO_USERS, DEMO_PASSWORD)
        ws.sync.configure(None, f"embedded:{server_dir}", DEMO_PASSWORD, operator=DEMO_USERS[0][0])
        summary = ""
        for progress in ws.sync.run(None):
            summary = progress.message
        say(f"  sync: {summary}")
        made = parking.write_operator_files(plan, files)
        _import(ws, made, say)
    finally:
        ws.close()
    return report, summary, users, files


def _import(ws: Workstation, made: dict[str, list[Path]], say: Callable[[str], None]) -> None:
    """The permit office's and the payment processor's files, imported as their users would."""
    officer = ws.login(DEMO_USERS[1][0], DEMO_PASSWORD)
    clerk = ws.login(DEMO_USERS[2][0], DEMO_PASSWORD)
    try:
        ws.set_purpose(officer, "PARKING-ORD", CASE)
        ws.set_purpose(clerk, "REVENUE", CASE)
        for fid, paths in made.items():
            ws.parking.import_permits(officer, fid, paths[0])
            n = sum(ws.parking.import_payments(clerk, fid, p).accepted for p in paths[1:])
            say(f"  {fid}: permits and {n} transactions imported from {paths[0].parent}")
    finally:
        ws.logout(officer)
        ws.logout(clerk)
