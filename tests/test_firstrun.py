"""The first run's steps as engine calls, driven without a screen (what the wizard and a CI
script do): nothing written before the administrator, each step logged like ``alpr init``,
the server's secret kept in the encrypted store, a stopped demo build leaves nothing behind."""
from __future__ import annotations

import json

import pyotp
import pytest

from app.engine import keys
from app.engine.errors import (Interrupted, KeyringError, PasswordRejected, SyncError,
                               ValidationError)
from app.engine.policy import load_profile
from app.engine.firstrun import (FirstRun, ServerChoice, needs_first_run, password_rules,
                                 probe_server, profile_choices)
from app.engine.progress import CancelToken
from app.engine.search import SearchQuery
from app.engine.workstation import Workstation
from app.server.embedded import EmbeddedServer
from tests.server_helpers import PG_DSN, make_city, seed_city

ADMIN, PW = "amorgan", "Harbor-Lantern-Quiet-7"


def _entries(ws) -> list[tuple[str, str, dict]]:
    return [(u, a, json.loads(d)) for u, a, d in ws.store.query(
        "SELECT username, action, detail FROM access_log ORDER BY seq")]


def _signed_in(run: FirstRun, clock, profile: str = "calabasas") -> FirstRun:
    run.choose_profile(profile)
    run.create_administrator(ADMIN, "Alex Morgan", PW, PW)
    enrolment = run.sign_in()
    assert enrolment is not None and enrolment.qr_png.startswith(b"\x89PNG")
    run.confirm_second_factor(pyotp.TOTP(enrolment.secret).at(clock()))
    return run


def test_profiles_show_retention_purposes_and_the_administrators_password_rules():
    found = {c.id: c for c in profile_choices()}
    assert {"calabasas", "coachella", "lametro-parking"} <= set(found)
    assert (found["calabasas"].retention_days, found["coachella"].retention_days) == (730, 30)
    assert ("STOLEN-VEH", "Stolen vehicle or stolen plate (VC 10851 / PC 496d)") in found["calabasas"].purposes
    assert found["coachella"].second_factor_roles == ("every role",)
    rules = password_rules(load_profile("calabasas"))
    assert rules[0].startswith("At least 8 characters") and "user name" in rules[1]
    assert password_rules(load_profile("calabasas"), "prosecutor")[0].startswith("At least 20 characters")


def test_headless_first_run_with_a_new_embedded_server_is_logged_like_init(tmp_path, clock):
    data = tmp_path / "store"
    assert needs_first_run(data)
    run = _signed_in(FirstRun(data, clock), clock)
    with pytest.raises(ValidationError, match="profile cannot change"):
        run.choose_profile("coachella")
    steps = [p.stage for p in run.connect_server(ServerChoice.embedded(run.default_server_folder(),
                                                                       window_days=30))]
    assert steps == ["server", "configure"]
    assert [p.stage for p in run.first_sync()][-1] == "done"
    ws, session = run.finish()
    assert session.user.username == ADMIN and not session.must_enrol_totp
    assert not needs_first_run(data)

    # The administrator is the embedded server's first operator; the store keeps its key.
    server_dir = data / "city-server"
    key = EmbeddedServer.unlock(server_dir, ADMIN, PW, clock())
    assert ws.store.get_meta("sync.password") == key.hex()
    assert keys.get_secret(f"sync-password/{ws.store.store_id}") is None
    assert ws.sync.window_days() == 30

    got = _entries(ws)
    # alpr init's two entries, the same, then the administrator's own steps.
    init = Workstation.create(tmp_path / "init", "calabasas", clock)
    init.create_first_admin(ADMIN, "Alex Morgan", PW)
    assert got[:2] == _entries(init)[:2]
    init.close()
    assert [(u, a) for u, a, _d in got] == [
        ("system", "store_create"), ("system", "user_add"), (ADMIN, "login"), (ADMIN, "totp_enrol"),
        (ADMIN, "settings_change"), (ADMIN, "sync"), (ADMIN, "first_run")]
    settings, sync, first = got[4][2], got[5][2], got[6][2]
    assert settings["sync.server"] == f"embedded:{server_dir}" and settings["password_changed"]
    assert sync["ok"] is True
    assert first == {"profile": "calabasas", "administrator": ADMIN, "server": f"embedded:{server_dir}",
                     "server_kind": "embedded", "demo_users": [], "first_sync": "done",
                     "data_dir": str(data)}
    assert PW not in json.dumps(got) and key.hex() not in json.dumps(got)
    ws.close()

    # From now on the program starts at the sign-in: the store opens with the administrator's slot.
    again = Workstation.open(data, clock)
    s = again.login(ADMIN, PW, pyotp.TOTP(run_secret(again)).at(clock() + 30))
    assert s.user.username == ADMIN
    again.close()


def run_secret(ws) -> str:
    """The administrator's TOTP secret, read from the open store (test only)."""
    ws.vault.unseal(ws.vault.key_for(ADMIN, PW))
    secret = ws.store.query_one("SELECT totp_secret FROM users WHERE username = ?", (ADMIN,))[0]
    ws.vault.seal()
    return secret


def test_nothing_is_written_before_the_administrator_and_a_refused_one_leaves_no_store(tmp_path, clock, monkeypatch):
    data = tmp_path / "store"
    run = FirstRun(data, clock)
    with pytest.raises(ValidationError, match="policy profile first"):
        run.create_administrator(ADMIN, "Alex Morgan", PW, PW)
    run.choose_profile("calabasas")
    with pytest.raises(ValidationError, match="administrator first"):
        run.sign_in()
    with pytest.raises(PasswordRejected, match="differ"):
        run.create_administrator(ADMIN, "Alex Morgan", PW, PW + "x")
    with pytest.raises(PasswordRejected, match="at least 8"):
        run.create_administrator(ADMIN, "Alex Morgan", "Sh0rt!", "Sh0rt!")
    with pytest.raises(ValidationError, match="generic name"):
        run.create_administrator("admin", "Alex Morgan", PW, PW)
    assert not data.exists() and needs_first_run(data)

    def no_keyring(*_a, **_k):
        raise KeyringError("No usable OS keyring (Secret Service) was found.")
    with monkeypatch.context() as m:                 # a machine without a keyring: a sentence, no debris
        m.setattr(keys, "get_or_create_key", no_keyring)
        with pytest.raises(KeyringError):
            run.create_administrator(ADMIN, "Alex Morgan", PW, PW)
    assert needs_first_run(data) and list(data.iterdir()) == []

    made = {}
    real = Workstation.create_first_admin

    def broken(self, *a):
        made["store_id"] = self.vault.slots.store_id
        raise OSError("disk full")
    monkeypatch.setattr(Workstation, "create_first_admin", broken)
    with pytest.raises(OSError):
        run.create_administrator(ADMIN, "Alex Morgan", PW, PW)
    assert needs_first_run(data) and list(data.iterdir()) == []      # no store without a slot
    assert keys.get_secret(f"device-secret/{made['store_id']}") is None
    monkeypatch.setattr(Workstation, "create_first_admin", real)
    run.create_administrator(ADMIN, "Alex Morgan", PW, PW)           # and it can be done again
    run.sign_in()
    with pytest.raises(ValidationError, match="authenticator"):
        list(run.connect_server(ServerChoice.embedded(tmp_path / "srv")))  # before the second factor
    run.abandon()
    assert not needs_first_run(data)


def test_demo_build_stopped_halfway_leaves_nothing_then_the_demo_reaches_a_working_search(tmp_path, clock):
    data = tmp_path / "store"
    run = _signed_in(FirstRun(data, clock), clock)
    folder = data / "demo-city"
    token = CancelToken()
    steps = run.connect_server(ServerChoice.demo(folder, demo_days=1, demo_reads_per_day=20,
                                                 demo_ocr=False), token)
    assert [next(steps).stage, next(steps).stage] == ["server", "generate"]
    assert (folder / "city-server.db").exists()
    token.cancel()
    with pytest.raises(Interrupted):
        list(steps)
    assert not folder.exists()
    assert run.ws.sync.status(run.session).server is None
    with pytest.raises(ValidationError, match="city server first"):
        list(run.first_sync())

    choice = ServerChoice.demo(folder, demo_days=1, demo_reads_per_day=20, demo_ocr=False)
    stages = [p.stage for p in run.connect_server(choice)]
    assert stages[0] == "server" and stages[-2:] == ["configure", "users"]
    list(run.first_sync())
    ws, admin = run.finish()
    assert [u for u, _r in run.outcome.demo_users] == ["pat.rivera", "dana.kim", "casey.lee", "avery.shah"]
    ws.set_purpose(admin, "STOLEN-VEH", "LHS-2026-004512")
    hit = ws.hits.queue(admin)[0]
    page = ws.search(admin, SearchQuery(plate=hit.plate))
    assert page.rows and all(r.plate == hit.plate for r in page.rows)
    actions = [(u, a) for u, a, _d in _entries(ws)]
    assert actions.count((ADMIN, "user_add")) == 4 and actions.count((ADMIN, "training_add")) == 5
    ws.close()


def test_demo_users_follow_the_profiles_roles(tmp_path, clock):
    run = _signed_in(FirstRun(tmp_path / "store", clock), clock, "coachella")
    list(run.connect_server(ServerChoice.demo(tmp_path / "city", demo_days=1, demo_reads_per_day=10,
                                              demo_ocr=False)))
    assert run.outcome.demo_users == [("dana.kim", "deputy"), ("avery.shah", "auditor")]
    run.abandon()


@pytest.mark.skipif(not PG_DSN, reason="needs the throwaway PostgreSQL of scripts/test")
def test_postgresql_is_tested_first_and_its_password_is_kept_in_the_store(tmp_path, clock):
    city, cleanup = make_city("postgresql", tmp_path)
    try:
        seed_city(city.server, int(clock()), n=12)
        run = _signed_in(FirstRun(tmp_path / "store", clock), clock)
        with pytest.raises(ValidationError, match="must not contain a password"):
            run.test_server("postgresql://alpr:hunter2-secret@localhost/alpr")
        with pytest.raises(SyncError, match="cannot be reached"):
            run.test_server("host=127.0.0.1 port=1 dbname=alpr user=alpr connect_timeout=3",
                            "pg-secret-1")
        said = run.test_server(city.dsn, "pg-secret-1")
        assert said.startswith("Connected to PostgreSQL") and city.server.server_id() in said
        assert probe_server(city.dsn) == said
        list(run.connect_server(ServerChoice.postgresql(city.dsn, "pg-secret-1")))
        list(run.first_sync())
        ws, _s = run.finish()
        assert ws.store.get_meta("sync.password") == "pg-secret-1"
        assert keys.get_secret(f"sync-password/{ws.store.store_id}") is None
        assert ws.store.query_one("SELECT count(*) FROM reads")[0] == 12
        got = _entries(ws)
        tests = [d for _u, a, d in got if a == "server_test"]
        assert [t["ok"] for t in tests] == [False, False, True, True]   # the button's, then Next's
        assert "cannot be reached" in tests[1]["error"]
        assert "pg-secret-1" not in json.dumps(got) and "hunter2" not in json.dumps(got)
        assert run.outcome.server_kind == "postgresql" and run.outcome.sync == "done"
        ws.close()
    finally:
        city.server.close()
        cleanup()
