"""``alpr setup``: the first-run wizard's engine calls from a script, as CI sets up the installed
package's store (issue 13): the same steps and log entries as the wizard, a real second factor
(the script reads the printed secret and answers a code), and nothing secret on the screen."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pyotp
import pytest

from app.engine.search import SearchQuery
from app.engine.workstation import Workstation
from tests.server_helpers import PG_DSN, make_city, seed_city
from tests.setup_driver import drive, totp

ROOT = Path(__file__).resolve().parents[1]
PW = "Harbor-Lantern-Quiet-7"


def _setup(data: Path, *args: str, then: list[str] = ()) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ALPR_DEBUG"}
    return drive([sys.executable, "-m", "app.cli.main", "--data-dir", str(data), "setup", "--admin",
                  "amorgan", "--admin-name", "Alex Morgan", "--password-stdin", *args], PW, then,
                 env=env, cwd=str(ROOT))


def _open_as_admin(data: Path, secret: str) -> tuple[Workstation, object]:
    """Sign in a minute later (the set-up's code is spent: a code works once)."""
    later = time.time() + 60
    ws = Workstation.open(data, clock=lambda: later)
    return ws, ws.login("amorgan", PW, pyotp.TOTP(secret).at(later))


def test_setup_with_the_demo_city_reaches_a_working_search_and_logs_like_the_wizard(tmp_path):
    data = tmp_path / "store"
    code, out, secret = _setup(data, "--server", "demo", "--demo-days", "1", "--demo-reads", "150",
                               "--no-ocr")
    assert code == 0, out
    assert "Second factor confirmed." in out and "First sync: done." in out
    assert PW not in out
    assert len(secret) >= 16 and " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in out
    ws, session = _open_as_admin(data, secret)
    try:
        actions = [a for (a,) in ws.store.query("SELECT action FROM access_log ORDER BY seq")]
        assert actions[:2] == ["store_create", "user_add"]
        for step in ("login", "totp_enrol", "settings_change", "sync", "training_add", "first_run"):
            assert step in actions, (step, actions)
        assert actions.index("sync") < actions.index("first_run")
        detail = json.loads(ws.store.query_one(
            "SELECT detail FROM access_log WHERE action = 'first_run'")[0])
        assert (detail["profile"], detail["server_kind"], detail["first_sync"]) == ("calabasas", "demo", "done")
        assert set(detail["demo_users"]) >= {"dana.kim", "avery.shah"}
        ws.set_purpose(session, "STOLEN-VEH", "LHS-2026-004512")
        assert ws.store.query_one("SELECT count(*) FROM reads")[0] > 0
        plate = ws.store.query_one("SELECT plate FROM reads LIMIT 1")[0]
        assert ws.search(session, SearchQuery(plate=plate)).rows
    finally:
        ws.close()


def test_a_wrong_code_leaves_the_store_with_its_administrator_and_says_so(tmp_path):
    data = tmp_path / "store"
    env = {k: v for k, v in os.environ.items() if k != "ALPR_DEBUG"}
    import subprocess
    r = subprocess.run([sys.executable, "-m", "app.cli.main", "--data-dir", str(data), "setup", "--admin",
                        "amorgan", "--admin-name", "Alex Morgan", "--password-stdin", "--server", "none"],
                       input=f"{PW}\n000000\n", capture_output=True, text=True, env=env, cwd=ROOT,
                       timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "store exists with its administrator" in r.stderr
    assert (data / "store.id").exists()
    # the administrator signs in later and is asked to enrol the second factor again
    ws = Workstation.open(data, clock=time.time)
    try:
        session = ws.login("amorgan", PW)
        assert session.must_enrol_totp
        stopped = json.loads(ws.store.query_one(
            "SELECT detail FROM access_log WHERE action = 'first_run'")[0])
        assert stopped["stopped"] is True and stopped["first_sync"] == "not run"
    finally:
        ws.close()


@pytest.mark.skipif(not PG_DSN, reason="needs the throwaway PostgreSQL of scripts/test")
def test_setup_against_postgresql_reads_the_server_password_after_the_code(tmp_path):
    city, cleanup = make_city("postgresql", tmp_path)
    try:
        seed_city(city.server, int(time.time()), n=12)
        data = tmp_path / "store"
        code, out, secret = _setup(data, "--server", "postgresql", "--address", city.dsn,
                                   then=["pg-secret-1"])
        assert code == 0, out
        assert "pg-secret-1" not in out and "First sync: done." in out
        ws, _session = _open_as_admin(data, secret)
        try:
            assert ws.store.get_meta("sync.password") == "pg-secret-1"
            assert ws.store.query_one("SELECT count(*) FROM reads")[0] == 12
        finally:
            ws.close()
    finally:
        city.server.close()
        cleanup()


def test_the_driver_makes_the_codes_an_authenticator_makes():
    secret = pyotp.random_base32()
    for at in (0, 59, 1_700_000_000, 2_000_000_029):
        assert totp(secret, at) == pyotp.TOTP(secret).at(at)
