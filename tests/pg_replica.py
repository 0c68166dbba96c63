"""A PostgreSQL primary and a streaming replica, as two throwaway local clusters.

The read-replica tests (docs/scaling.md, "Read replicas") need what a city would run: a
primary that takes ingest and the workstations' uploads, and a hot standby fed by streaming
replication that the workstations read from. Both listen only on a Unix socket, each in its
own folder; the standby is made with ``pg_basebackup -R`` through a replication role and a
replication slot (so the primary keeps the WAL it has not had). As root, the clusters run as
the ``postgres`` user, as ``scripts/with-postgres`` runs its own.

The ``replica_pair`` fixture is skipped, saying why, only where no PostgreSQL server binaries
are installed; under the README's test command they are, so it runs there.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER, REPLICATOR = "alpr_admin", "alpr_replicator"
SETTINGS = ("-c listen_addresses='' -c fsync=off -c max_connections=100 -c wal_level=replica "
            "-c max_wal_senders=4 -c max_replication_slots=4 -c hot_standby=on")


def pg_bin() -> Path | None:
    """The PostgreSQL server binaries: ``ALPR_TEST_PG_BIN`` (set by scripts/with-postgres), else
    the newest under /usr/lib/postgresql; None when there are none."""
    named = os.environ.get("ALPR_TEST_PG_BIN")
    found = [Path(named)] if named else sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                                               key=lambda p: [int(x) for x in p.parent.name.split(".")
                                                              if x.isdigit()])
    found = [p for p in found if (p / "initdb").is_file() and (p / "pg_basebackup").is_file()]
    return found[-1] if found else None


@dataclass(frozen=True)
class Cluster:
    data: Path
    socket: Path

    def dsn(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        return f"host={self.socket} dbname={dbname} user={user}"


class ReplicaPair:
    """The primary and its streaming replica; ``start()`` makes both, ``stop()`` removes them."""

    def __init__(self, bindir: Path) -> None:
        self.bin = bindir
        self.root = Path(tempfile.mkdtemp(prefix="alpr-rep.", dir="/tmp"))   # short: socket paths
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.primary = Cluster(self.root / "primary", self.root / "p")
        self.replica = Cluster(self.root / "replica", self.root / "r")

    def _run(self, *argv: str, timeout: int = 120) -> None:
        done = subprocess.run([*self.as_postgres, str(self.bin / argv[0]), *argv[1:]],
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    def _pg_ctl_start(self, c: Cluster) -> None:
        self._run("pg_ctl", "-D", str(c.data), "-l", str(self.root / f"{c.data.name}.log"), "-w",
                  "-o", f"-k {c.socket} {SETTINGS}", "start")

    def start(self) -> ReplicaPair:
        for folder in (self.primary.socket, self.replica.socket):
            folder.mkdir()
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
            for folder in (self.primary.socket, self.replica.socket):
                shutil.chown(folder, "postgres")
        self._run("initdb", "-D", str(self.primary.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        with open(self.primary.data / "pg_hba.conf", "a", encoding="utf-8") as hba:
            hba.write(f"local replication {REPLICATOR} trust\n")
        self._pg_ctl_start(self.primary)
        self.sql(self.primary, f"CREATE ROLE {REPLICATOR} WITH REPLICATION LOGIN")
        self._run("pg_basebackup", "-h", str(self.primary.socket), "-U", REPLICATOR, "-D",
                  str(self.replica.data), "-R", "-X", "stream", "-C", "-S", "alpr_replica")
        self._pg_ctl_start(self.replica)
        self.wait_replayed()
        return self

    def stop(self) -> None:
        for c in (self.replica, self.primary):
            if c.data.exists():
                subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(c.data), "-m",
                                "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- while running -----------------------------------------------------------------------
    def sql(self, c: Cluster, statement: str, dbname: str = "postgres"):
        import psycopg
        with psycopg.connect(c.dsn(dbname), autocommit=True) as conn:
            cur = conn.execute(statement)
            return cur.fetchone() if cur.description else None

    def wait_replayed(self, timeout: float = 60) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        lsn = self.sql(self.primary, "SELECT pg_current_wal_lsn()")[0]
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.sql(self.replica, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn")[0]:
                    return
            except Exception:                 # the standby may still be starting
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the replica did not replay the primary's WAL up to {lsn} "
                                   f"in {timeout} s")
            time.sleep(0.05)

    def pause_replay(self) -> None:
        """The replica keeps receiving WAL but stops applying it: it lags from now on."""
        self.sql(self.replica, "SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.sql(self.replica, "SELECT pg_wal_replay_resume()")

    def new_database(self) -> tuple[str, str]:
        """A fresh city-server database on the primary (schema applied), replayed on the
        replica: (primary DSN, replica DSN)."""
        from app.server.postgres import init_schema
        name = "alpr_r_" + uuid.uuid4().hex[:10]
        self.sql(self.primary, f"CREATE DATABASE {name}")
        init_schema(self.primary.dsn(name))
        self.wait_replayed()
        return self.primary.dsn(name), self.replica.dsn(name)


@pytest.fixture(scope="module")
def replica_pair():
    bindir = pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_basebackup) are not installed: "
                    "install postgresql, or run the suite with scripts/test")
    pair = ReplicaPair(bindir)
    try:
        yield pair.start()
    finally:
        pair.stop()
