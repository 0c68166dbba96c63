"""Read replicas, proven (issue 17, docs/scaling.md "Read replicas"): a PostgreSQL primary and
a streaming replica as two real local clusters; reads ingested on the primary, a workstation
that pulls from the replica and writes (the log's escrow and receipts, the access log, the
corrections) to the primary through its second address, also while the replica lags behind
the workstation's watermark."""
from __future__ import annotations

import io
import json

import pytest

from app.engine.errors import SyncError, ValidationError
from app.server.connect import open_server

from tests.pg_replica import replica_pair  # noqa: F401
from tests.ui_fixtures import open_window  # noqa: F401
from tests.server_helpers import CAMS, add_reads, seed_city, server_truth

HOT = "7HOT123"


@pytest.fixture
def cities(replica_pair):  # noqa: F811
    """A fresh city-server database on the primary, replayed on the replica:
    (primary DSN, replica DSN, an open connection to the primary)."""
    primary_dsn, replica_dsn = replica_pair.new_database()
    primary = open_server(primary_dsn)
    yield primary_dsn, replica_dsn, primary
    primary.close()
    replica_pair.resume_replay()            # a failed test may have left it paused


def run(ws, session) -> dict:
    list(ws.sync.run(session))
    return json.loads(ws.store.query_one("SELECT value FROM settings WHERE key = 'sync.last'")[0])


def local_reads(ws) -> dict[int, str]:
    rows = ws.store.query("SELECT id, plate FROM reads")
    assert len(rows) == len({r[0] for r in rows})
    return dict(rows)


def local_images(ws) -> set[str]:
    return {r[0] for r in ws.store.query("SELECT lower(hex(sha256)) FROM images")}


def all_uploaded(ws, primary) -> bool:
    """The primary holds this workstation's whole access log, entry for entry."""
    here = ws.store.query("SELECT seq, hash FROM access_log ORDER BY seq")
    there = [(r[0], r[12]) for r in primary.uploaded_log(ws.store.store_id)]
    return here == there and ws.store.query_one(
        "SELECT count(*) FROM access_log WHERE uploaded = 0")[0] == 0


def test_sync_from_the_replica_writes_to_the_primary_even_while_the_replica_lags(
        ws, people, clock, cities, replica_pair):  # noqa: F811
    primary_dsn, replica_dsn, primary = cities
    now = int(clock())
    seed_city(primary, now)                             # 30 reads, 3 of a stolen plate
    replica_pair.wait_replayed()
    admin = people.admin()
    ws.sync.configure(admin, replica_dsn, write_server=primary_dsn)
    status = ws.sync.status(admin)
    assert status.server == replica_dsn and status.write_server == primary_dsn
    s = people.user("pat.rivera", "prosecutor")

    last = run(ws, s)
    truth = server_truth(primary)
    assert local_reads(ws) == truth["reads"] and len(truth["reads"]) == 30 and last["reads"] == 30
    assert local_images(ws) == truth["images"]          # recent reads: images from the replica
    assert ws.store.query_one("SELECT count(*) FROM hits")[0] == 3
    assert all_uploaded(ws, primary)                    # the log went to the primary (the replica
    entry = [e for e in ws.audit_entries(admin) if e.action == "sync"][-1]   # refuses writes)
    assert f"on {replica_pair.replica.socket};" in entry.detail["server"]
    assert entry.detail["server"].endswith(f"writes to PostgreSQL {primary.conn.info.dbname} as "
                                           f"alpr_admin on {replica_pair.primary.socket}")

    # The replica stops replaying; the workstation meets the primary itself once (a pooler
    # sent it there, or an administrator pointed it so) and gets ahead of the replica.
    replica_pair.pause_replay()
    add_reads(primary, [(f"5LAG{i:03d}", now - 500 + i, CAMS[i % 2].id) for i in range(5)], now, seed=2)
    ws.sync.configure(admin, primary_dsn, write_server="")
    assert ws.sync.status(admin).write_server is None
    assert run(ws, s)["reads"] == 5 and local_reads(ws) == server_truth(primary)["reads"]
    mark = ws.sync.status(s).watermarks["reads"]
    add_reads(primary, [(HOT if i == 0 else f"6NEW{i:03d}", now - 200 + i, CAMS[i % 2].id)
                        for i in range(4)], now, seed=3)
    behind = open_server(replica_dsn)
    try:
        assert behind.head() < mark                     # the replica lags behind the watermark
    finally:
        behind.close()

    # Back on the lagging replica: nothing wrong, nothing twice, nothing lost; the log still
    # goes up through the write address.
    ws.sync.configure(admin, replica_dsn, write_server=primary_dsn)
    held = local_reads(ws)
    images = local_images(ws)
    last = run(ws, s)
    assert last["reads"] == 0 and last["hits"] == 0 and last["log_uploaded"] > 0
    assert local_reads(ws) == held and local_images(ws) == images
    assert ws.sync.status(s).watermarks["reads"] == mark      # never moved back
    assert all_uploaded(ws, primary)

    # Replay resumes: the next sync brings exactly what the workstation lacked.
    replica_pair.resume_replay()
    replica_pair.wait_replayed()
    last = run(ws, s)
    truth = server_truth(primary)
    assert last["reads"] == 4 and last["hits"] == 1 and len(truth["reads"]) == 39
    assert local_reads(ws) == truth["reads"] and local_images(ws) == truth["images"]
    assert ws.store.query_one("SELECT count(*) FROM hits")[0] == 4
    assert all_uploaded(ws, primary)


def test_a_replica_alone_is_refused_writes_in_a_sentence(ws, people, clock, cities, replica_pair):  # noqa: F811
    primary_dsn, replica_dsn, primary = cities
    seed_city(primary, int(clock()))
    replica_pair.wait_replayed()
    admin = people.admin()
    ws.sync.configure(admin, replica_dsn)
    with pytest.raises(SyncError, match="takes no writes: it is a read replica.*write address"):
        run(ws, admin)
    assert primary.log_receipt(ws.store.store_id) is None
    ws.sync.configure(admin, replica_dsn, write_server=primary_dsn)
    assert run(ws, admin)["reads"] == 30 and all_uploaded(ws, primary)


def test_a_write_address_must_be_the_same_server_and_carry_no_secret(ws, people, clock, cities,
                                                                     replica_pair, tmp_path):  # noqa: F811
    primary_dsn, replica_dsn, primary = cities
    other_dsn, _other_replica = replica_pair.new_database()      # another city server's database
    admin = people.admin()
    with pytest.raises(ValidationError, match="must not contain a password") as refused:
        ws.sync.configure(admin, replica_dsn, write_server="postgresql://alpr:s3cr3t-pw@city/alpr")
    assert "s3cr3t-pw" not in str(refused.value)
    with pytest.raises(ValidationError, match="embedded server has one address"):
        ws.sync.configure(admin, f"embedded:{tmp_path / 'x'}", write_server=primary_dsn)
    assert ws.sync.status(admin).server is None                 # nothing was kept
    ws.sync.configure(admin, replica_dsn, write_server=other_dsn)
    with pytest.raises(SyncError, match="write address leads to another city server"):
        run(ws, admin)
    gone = f"host={tmp_path / 'no-primary'} dbname=alpr user=alpr_admin"
    ws.sync.configure(admin, replica_dsn, write_server=gone)   # the primary down: nothing moves
    with pytest.raises(SyncError, match=r"The city server \(write address host=.*no-primary.*\) "
                                        "cannot be reached"):
        run(ws, admin)
    assert ws.store.query_one("SELECT count(*) FROM reads")[0] == 0
    logged = [e.detail for e in ws.audit_entries(admin) if e.action == "settings_change"]
    assert logged[-2]["sync.write_server"] == other_dsn
    assert "s3cr3t" not in json.dumps([e.detail for e in ws.audit_entries(admin)])


def test_cli_and_admin_screen_set_the_write_address(ws, people, clock, cities, replica_pair,  # noqa: F811
                                                    monkeypatch, capsys, open_window, qtbot):  # noqa: F811
    from app.cli.main import main
    from tests.conftest import PASSWORD
    from tests.ui_fixtures import make_ctx

    def alpr(*argv: str) -> tuple[int, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        code = main(["--data-dir", str(ws.data_dir), *argv])
        out = capsys.readouterr()
        return code, out.out + out.err

    primary_dsn, replica_dsn, primary = cities
    seed_city(primary, int(clock()))
    replica_pair.wait_replayed()
    people.admin()
    people.user("pat.rivera", "prosecutor")
    code, out = alpr("sync", "config", "--user", "amanager", "--password-stdin", "--totp",
                     people.code("amanager"), "--server", replica_dsn, "--write-server", primary_dsn)
    assert code == 0 and f"writes to {primary_dsn}" in out, out
    code, out = alpr("sync", "status", "--user", "pat.rivera", "--password-stdin")
    assert code == 0 and f"Server: {replica_dsn}; writes to: {primary_dsn};" in out, out

    ctx = make_ctx(ws, threaded=True)
    window = open_window(people.admin(), ctx)
    sync = window.admin.sync
    qtbot.waitUntil(lambda: sync.write_server.text() == primary_dsn, timeout=5000)
    sync.sync_button.click()
    qtbot.waitUntil(lambda: window.status_sync.text().startswith(("Sync: done", "Sync: failed")),
                    timeout=30_000)
    assert window.status_sync.text().startswith("Sync: done"), sync.message.text()
    assert len(local_reads(ws)) == 30 and all_uploaded(ws, primary)
    sync.write_server.clear()                           # the replica alone: writes are refused
    sync.save.click()
    qtbot.waitUntil(lambda: sync.stage.text() == "Settings saved.", timeout=5000)
    assert ws.sync.status(people.admin()).write_server is None
    sync.sync_button.click()
    qtbot.waitUntil(lambda: "read replica" in sync.message.text(), timeout=30_000)
    assert "write address" in sync.message.text()
