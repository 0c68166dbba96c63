"""Faults: unreachable server, bad credentials, a restart mid-sync, a malformed row and a
damaged image each give one clear SyncError, leave the store consistent, and the next sync
resumes where the last committed batch ended."""
from __future__ import annotations

import pytest

from app.engine.errors import AuthError, SyncError
from app.server.embedded import EmbeddedServer

from tests.server_helpers import city, pg_restart, seed_city, server_truth  # noqa: F401


@pytest.fixture
def setup(ws, people, city, clock):
    seed_city(city.server, int(clock()), n=60)
    ws.sync.configure(people.admin(), city.address, city.secret)
    return people.user("pat.rivera", "prosecutor")


def count(ws, table="reads") -> int:
    return ws.store.query_one(f"SELECT count(*) FROM {table}")[0]


def mark(ws) -> int:
    row = ws.store.query_one("SELECT value FROM sync_state WHERE key = 'wm.reads'")
    return int(row[0]) if row else 0


def consistent(ws) -> None:
    """Every held read has its images and its hits, and the watermark covers what is held."""
    assert ws.store.query_one("SELECT count(*) FROM reads r WHERE r.scene_image_sha256 IS NOT NULL AND "
                              "NOT EXISTS (SELECT 1 FROM images i WHERE i.sha256 = r.scene_image_sha256)")[0] == 0
    assert ws.store.query_one("SELECT count(*) FROM reads WHERE plate = '7HOT123' AND id NOT IN "
                              "(SELECT read_id FROM hits)")[0] == 0


def test_unreachable_server(ws, people, setup, tmp_path):
    ws.sync.configure(people.admin(), "host=/nonexistent/socket dbname=alpr user=alpr connect_timeout=2")
    with pytest.raises(SyncError, match="cannot be reached"):
        list(ws.sync.run(setup))
    ws.sync.configure(people.admin(), f"embedded:{tmp_path / 'no-server-here'}")
    with pytest.raises(SyncError, match="cannot be reached"):
        list(ws.sync.run(setup))
    assert count(ws) == 0


def test_bad_credentials(ws, people, city, setup):
    if city.kind == "postgresql":
        from psycopg.conninfo import make_conninfo
        ws.sync.configure(people.admin(), make_conninfo(city.dsn, user="no_such_role"), password="wrong")
    else:
        with pytest.raises(AuthError, match="Wrong operator name or password"):
            ws.sync.configure(people.admin(), city.address, "not the operator's password")
        ws.store.set_meta("sync.password", "ab" * 32)      # a key that is not the server's
    with pytest.raises(SyncError, match="refused the credentials"):
        list(ws.sync.run(setup))
    assert count(ws) == 0


def test_connection_lost_mid_sync_then_resume(ws, city, setup, monkeypatch):
    ws.sync.batch = 20
    seen = []
    if city.kind == "embedded":
        real = EmbeddedServer.feed

        def flaky(self, name, since, limit):
            if name == "reads" and since > 0 and count(ws) > 0:
                self.close()                           # the server goes away after a batch or two
            return real(self, name, since, limit)
        monkeypatch.setattr(EmbeddedServer, "feed", flaky)
    with pytest.raises(SyncError, match="lost during the sync"):
        for p in ws.sync.run(setup):
            seen.append(p.stage)
            if p.stage == "reads" and city.kind == "postgresql":
                pg_restart()
    assert seen.count("reads") >= 1
    held = count(ws)
    assert 0 < held < 60 and mark(ws) >= held        # what is held is exactly what was marked
    consistent(ws)
    monkeypatch.undo()
    city.reconnect()
    list(ws.sync.run(setup))
    assert dict(ws.store.query("SELECT id, plate FROM reads")) == server_truth(city.server)["reads"]
    consistent(ws)


def test_malformed_row_stops_that_batch_and_resumes_after_the_fix(ws, city, setup, clock):
    ws.sync.batch = 20
    bad_id = server_truth(city.server)["reads"]
    bad_id = sorted(bad_id)[30]
    with city.server._tx() as conn:
        city.server._run(conn, "UPDATE reads SET plate = ? WHERE id = ?", ("NOT A PLATE", bad_id))
    with pytest.raises(SyncError, match="malformed read row"):
        list(ws.sync.run(setup))
    assert count(ws) == 20 and bad_id not in {r[0] for r in ws.store.query("SELECT id FROM reads")}
    consistent(ws)
    with city.server._tx() as conn:
        city.server._run(conn, "UPDATE reads SET plate = ? WHERE id = ?", ("8FIX001", bad_id))
    list(ws.sync.run(setup))
    assert count(ws) == 60
    assert ws.store.query_one("SELECT plate FROM reads WHERE id = ?", (bad_id,))[0] == "8FIX001"


def test_damaged_image_is_refused(ws, city, setup):
    ws.sync.batch = 20
    reads = sorted(server_truth(city.server)["reads"])
    sha = city.server.feed("reads", 0, 100)[25][8]
    with city.server._tx() as conn:
        city.server._run(conn, "UPDATE images SET data = ? WHERE sha256 = ?", (b"tampered", sha))
    with pytest.raises(SyncError, match="SHA-256"):
        list(ws.sync.run(setup))
    assert count(ws) == 20 and count(ws, "images") == 40 and len(reads) == 60
    failed = ws.store.query("SELECT detail FROM access_log WHERE action = 'sync'")
    assert '"ok":false' in failed[-1][0] and "SHA-256" in failed[-1][0]


def test_cancel_between_batches_then_resume(ws, city, setup):
    from app.engine.errors import Interrupted
    from app.engine.progress import CancelToken
    ws.sync.batch = 20
    token = CancelToken()
    with pytest.raises(Interrupted):
        for p in ws.sync.run(setup, token):
            if p.stage == "reads":
                assert p.total is not None and p.total >= 60
                token.cancel()
    assert 0 < count(ws) < 60
    consistent(ws)
    list(ws.sync.run(setup))
    assert count(ws) == 60
