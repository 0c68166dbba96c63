"""The city server's own commands: a named operator, logged, and purges only past retention."""
from __future__ import annotations

import json
import time
import uuid

import pytest

from app.engine.errors import AuthError, StoreError, ValidationError
from app.server.embedded import DB_NAME, EmbeddedServer
from tests.security.test_key_slots import _keyring_secrets, _opens
from tests.server_helpers import CAMS, NO_PG, PG_DSN, add_reads, make_city
from tests.test_cli import alpr

OP_PW = "Operator-Passphrase-For-The-City-1"
DAY = 86400


@pytest.fixture
def server_dir(tmp_path):
    folder = tmp_path / "city"
    now = int(time.time())
    s = EmbeddedServer.create(folder, "casey.lee", OP_PW, retention_days=30, now=now)
    s.put_cameras(CAMS)
    add_reads(s, [("7ABC123", now - 40 * DAY, CAMS[0].id), ("8XYZ999", now - 5 * DAY, CAMS[0].id)], now)
    s.close()
    return folder


def test_the_embedded_server_file_opens_with_no_keyring_secret(server_dir):
    assert not any(_opens(server_dir / DB_NAME, s) for s in _keyring_secrets())
    with pytest.raises(AuthError):
        EmbeddedServer.unlock(server_dir, "casey.lee", "wrong-password-entirely", time.time())
    with pytest.raises(AuthError):
        EmbeddedServer.unlock(server_dir, "somebody", OP_PW, time.time())
    key = EmbeddedServer.unlock(server_dir, "casey.lee", OP_PW, time.time())
    EmbeddedServer.open(server_dir, key).close()
    with pytest.raises(StoreError):
        EmbeddedServer.open(server_dir, bytes(32))


def test_commands_need_a_named_operator_and_are_logged(server_dir, tmp_path):
    where = f"embedded:{server_dir}"
    r = alpr(tmp_path, "server", "stats", "--server", where)
    assert r.returncode != 0 and "--operator" in r.stderr and "Traceback" not in r.stderr
    r = alpr(tmp_path, "server", "stats", "--server", where, "--operator", "casey.lee",
             "--password-stdin", stdin="not-it\n")
    assert r.returncode != 0 and "Wrong operator name or password" in r.stderr
    hotlists = tmp_path / "h.json"
    hotlists.write_text(json.dumps({"hotlists": [{"id": "svs", "name": "Stolen", "source": "DOJ",
                                                   "kind": "stolen"}], "entries": []}))
    r = alpr(tmp_path, "server", "hotlists", "--server", where, "--operator", "casey.lee",
             "--password-stdin", str(hotlists), stdin=OP_PW + "\n")
    assert r.returncode == 0, r.stderr
    r = alpr(tmp_path, "server", "purge", "--server", where, "--operator", "casey.lee",
             "--password-stdin", "--before", time.strftime("%Y-%m-%d", time.gmtime(time.time() - 31 * DAY)),
             stdin=OP_PW + "\n")
    assert r.returncode == 0 and "1 reads purged" in r.stdout, r.stderr
    s = EmbeddedServer.open(server_dir, EmbeddedServer.unlock(server_dir, "casey.lee", OP_PW, time.time()))
    try:
        done = [(op, action) for _at, op, action, _d in s.audit_entries()]
    finally:
        s.close()
    assert done == [("casey.lee", "server_create"), ("casey.lee", "hotlists"), ("casey.lee", "purge")]


def test_a_purge_inside_the_retention_period_is_refused(server_dir):
    now = int(time.time())
    s = EmbeddedServer.open(server_dir, EmbeddedServer.unlock(server_dir, "casey.lee", OP_PW, now))
    try:
        for cutoff in (now + DAY, now - 10 * DAY, now - 30 * DAY + 60):
            with pytest.raises(ValidationError, match="retention period|future"):
                s.purge_before(cutoff, "too soon", now)
        assert s.stats()["reads"] == 2
        assert s.purge_before(now - 31 * DAY, "retention ended", now) == 1
    finally:
        s.close()


def test_a_second_operator_gets_a_slot_only_from_an_open_server(server_dir):
    now = int(time.time())
    s = EmbeddedServer.open(server_dir, EmbeddedServer.unlock(server_dir, "casey.lee", OP_PW, now))
    s.add_operator("casey.lee", "alex.morgan", "Second-Operator-Passphrase-22", now)
    s.close()
    assert EmbeddedServer.unlock(server_dir, "alex.morgan", "Second-Operator-Passphrase-22", now)


@pytest.mark.skipif(not PG_DSN, reason=NO_PG)
def test_postgres_records_the_login_of_whoever_runs_a_command(tmp_path):
    import psycopg
    from psycopg.conninfo import make_conninfo

    from app.server.postgres import PgServer
    c, cleanup = make_city("postgresql", tmp_path)
    try:
        name = "t_custodian_" + uuid.uuid4().hex[:6]
        with psycopg.connect(c.dsn, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {name} LOGIN IN ROLE alpr_server_admin")
        srv = PgServer(make_conninfo(c.dsn, user=name))
        try:
            srv.audit("casey.lee", "purge", {"reads": 0}, 0)
        finally:
            srv.close()
        with psycopg.connect(c.dsn) as conn:
            rows = conn.execute("SELECT operator, login, action FROM server_audit").fetchall()
        assert rows == [("casey.lee", name, "purge")]
    finally:
        c.server.close()
        cleanup()
