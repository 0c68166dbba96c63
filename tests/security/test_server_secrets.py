"""Attacks on the city-server password (issue 11, point 8a): it is never part of an address, and
no message, exception text, access-log entry or diagnostic log line shows it, even when a
string carrying it reaches those code paths (a backend error that echoes the connection string)."""
from __future__ import annotations

import io
import logging
import sys

import psycopg
import pytest
import sqlcipher3

from app.cli.main import main
from app.engine import diagnostics, keys
from app.engine.errors import SyncError, ValidationError
from app.engine.sync_run import Puller
from app.engine.workstation import AuditFilter
from app.server.connect import redact
from tests.conftest import PASSWORD
from tests.server_helpers import PG_DSN, make_city, seed_city

SECRET = "correcthorsebatterystaple"          # no digits: the plate scrubber leaves it alone

ADDRESSES = [f"postgresql://alpr:{SECRET}@city-server/alpr",
             f"postgres://alpr:{SECRET}@city-server:5432/alpr?sslmode=require",
             f"postgresql://alpr@city-server/alpr?sslmode=require&password={SECRET}",
             f"host=city-server dbname=alpr user=alpr password={SECRET}",
             f"host=city-server dbname=alpr user=alpr password = '{SECRET} x'",
             f"host=city-server dbname=alpr user=alpr sslpassword={SECRET}"]


def everything_logged(ws) -> str:
    return "\n".join(" ".join(map(str, row)) for row in ws.store.query("SELECT * FROM access_log"))


def settings(ws) -> str:
    return " ".join(map(str, ws.store.query("SELECT * FROM settings")))


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_address_with_a_password_is_refused_at_configure(ws, people, address):
    admin = people.admin()
    with pytest.raises(ValidationError) as err:
        ws.sync.configure(admin, address)
    text = str(err.value)
    assert text.startswith("A city server address must not contain a password: give the address without it")
    assert "Password field of the sync settings" in text and "--server-password-stdin" in text
    assert SECRET not in text and text.count(". ") == 0          # one sentence
    assert ws.sync.status(admin).server is None and SECRET not in settings(ws)
    assert SECRET not in everything_logged(ws)


def test_the_command_line_refuses_it_and_prints_no_secret(ws, people, monkeypatch, capsys, tmp_path):
    people.admin()

    def alpr(*argv: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out + out.err
    code, out = alpr("--data-dir", str(ws.store.data_dir), "sync", "config", "--user", "amanager",
                     "--password-stdin", "--totp", people.code("amanager"), "--server", ADDRESSES[0])
    assert code == 1 and "must not contain a password" in out and SECRET not in out
    for argv in (("server", "stats", "--server", ADDRESSES[3]), ("server", "init", "--dsn", ADDRESSES[0])):
        code, out = alpr(*argv)
        assert code == 2 and "must not contain a password" in out and SECRET not in out
    assert SECRET not in everything_logged(ws)


def test_addresses_are_shown_with_the_user_and_without_the_password():
    assert redact(ADDRESSES[0]) == "postgresql://alpr:***@city-server/alpr"
    assert redact(ADDRESSES[2]) == "postgresql://alpr@city-server/alpr?sslmode=require&password=***"
    assert redact(ADDRESSES[3]) == "host=city-server dbname=alpr user=alpr password=***"
    assert redact(ADDRESSES[4]) == "host=city-server dbname=alpr user=alpr password = ***"
    for harmless in ("postgresql://alpr@city-server:5432/alpr", "postgresql://h1:5432,h2:5433/alpr",
                     "host=db dbname=password_store user=alpr", "password authentication failed for user"):
        assert redact(harmless) == harmless


@pytest.fixture
def configured(ws, people):
    """A password-less address, its password in the encrypted store (not the keyring), and a
    prosecutor who syncs."""
    ws.sync.configure(people.admin(), "postgresql://alpr@city-server/alpr?connect_timeout=1", password=SECRET)
    assert keys.get_secret(f"sync-password/{ws.store.store_id}") is None
    assert ws.store.get_meta("sync.password") == SECRET
    entry = ws.store.query_one("SELECT detail FROM access_log WHERE action = 'settings_change'")[0]
    assert "postgresql://alpr@city-server/alpr" in entry and SECRET not in entry
    return people.user("pat.rivera", "prosecutor")


def test_a_connection_error_echoing_the_password_is_blanked_everywhere(ws, people, configured, monkeypatch,
                                                                       tmp_path):
    def echoing(addr, password):            # a real psycopg error that quotes the whole URI
        return psycopg.connect(f"postgresql://alpr:{password}@[city-server/alpr")
    monkeypatch.setattr("app.engine.sync.open_server", echoing)
    path = diagnostics.setup(tmp_path / "diag", logging.DEBUG)
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "baseFilename", None) == str(path))
    with pytest.raises(SyncError) as err:
        list(ws.sync.run(configured))
    text = str(err.value)
    assert "postgresql://alpr:***@[city-server/alpr" in text and SECRET not in text
    assert err.value.__cause__ is None                 # the raw backend error is not chained
    logging.getLogger("app.ui.errors").error("unexpected failure", exc_info=err.value)
    logging.getLogger("app.test").error("sync to %s failed", f"postgresql://alpr:{SECRET}@city-server/alpr")
    handler.flush()
    root.removeHandler(handler)
    handler.close()
    diag = path.read_text(encoding="utf-8")
    assert "unexpected failure" in diag and "postgresql://alpr:***@city-server/alpr failed" in diag
    assert SECRET not in diag
    [sync] = ws.audit_entries(people.admin(), AuditFilter(action="sync"))
    assert sync.detail["ok"] is False and "postgresql://alpr:***@" in sync.detail["error"]
    assert SECRET not in everything_logged(ws) and SECRET not in settings(ws)


def test_a_server_error_mid_sync_echoing_the_password_is_blanked(ws, people, tmp_path, monkeypatch):
    city, cleanup = make_city("embedded", tmp_path)
    try:
        ws.sync.configure(people.admin(), city.address, password=city.secret)
        syncer = people.user("pat.rivera", "prosecutor")

        def failing(self):
            raise sqlcipher3.OperationalError(f"disk I/O error (opened as host=x password={SECRET})")
        monkeypatch.setattr(Puller, "check_server", failing)
        with pytest.raises(SyncError) as err:
            list(ws.sync.run(syncer))
        assert "password=***" in str(err.value) and SECRET not in str(err.value)

        def refusing(self):
            raise SyncError(f"The server at postgresql://alpr:{SECRET}@city-server/alpr said no.")
        monkeypatch.setattr(Puller, "check_server", refusing)
        with pytest.raises(SyncError) as err:
            list(ws.sync.run(syncer))
        assert str(err.value) == "The server at postgresql://alpr:***@city-server/alpr said no."
        assert SECRET not in everything_logged(ws)
    finally:
        city.server.close()
        cleanup()


def test_an_address_stored_by_an_older_version_is_never_shown_or_used(ws, people):
    with ws.store.transaction() as conn:           # as an older version could have kept it
        conn.execute("INSERT INTO settings(key, value) VALUES ('sync.server', ?)", (ADDRESSES[0],))
    syncer = people.user("pat.rivera", "prosecutor")
    assert ws.sync.status(syncer).server == "postgresql://alpr:***@city-server/alpr"
    with pytest.raises(SyncError, match="configured city server address cannot be used: A city server "
                                        "address must not contain a password") as err:
        list(ws.sync.run(syncer))
    assert SECRET not in str(err.value)
    assert SECRET not in everything_logged(ws)


@pytest.mark.skipif(not PG_DSN, reason="ALPR_TEST_PG_DSN is not set")
def test_a_real_server_gets_its_password_from_the_keyring_only(ws, people, tmp_path, clock):
    from urllib.parse import quote

    from psycopg.conninfo import conninfo_to_dict
    city, cleanup = make_city("postgresql", tmp_path)
    try:
        seed_city(city.server, int(clock()), n=3)
        p = conninfo_to_dict(city.dsn)
        address = f"postgresql://{p['user']}@/{p['dbname']}?host={quote(p['host'], safe='')}"
        with_secret = address.replace("@", f":{SECRET}@", 1)
        admin = people.admin()
        with pytest.raises(ValidationError, match="must not contain a password"):
            ws.sync.configure(admin, with_secret)
        ws.sync.configure(admin, address, password=SECRET)
        syncer = people.user("pat.rivera", "prosecutor")
        list(ws.sync.run(syncer))
        assert ws.store.query_one("SELECT count(*) FROM reads")[0] == 3
        assert ws.sync.status(syncer).server == address
        assert SECRET not in everything_logged(ws) and SECRET not in settings(ws)
    finally:
        city.server.close()
        cleanup()
