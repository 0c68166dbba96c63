"""Sync benchmark: reads/s of a first sync and the time of an incremental one, from PostgreSQL
into the encrypted store and, side by side in the same run, into a plain SQLite file.

Run (starts its own throwaway PostgreSQL and keyring):
    scripts/with-keyring scripts/with-postgres .venv/bin/python bench/sync.py
    scripts/with-keyring scripts/with-postgres .venv/bin/python bench/sync.py --reads 100000   # quick

Defaults as issue 3 asks: a first sync of 1,000,000 reads (metadata: the bench's reads name
their photos, the server holds none and the workstations prefetch none), then 10,000 new reads
synced into that store of 1,000,000. Goals: first sync at least 50,000 reads/s, incremental
under 2 s.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
import sqlcipher3  # noqa: E402
from psycopg.conninfo import make_conninfo  # noqa: E402

from app.engine import accesslog, image_cache  # noqa: E402
from app.engine.keyslots import SLOTS_NAME, SlotFile  # noqa: E402
from app.engine.log_anchor import CHAIN_START_META, ESCROW_META  # noqa: E402
from app.engine.policy import load_profile  # noqa: E402
from app.engine.store import _PRAGMAS, Store  # noqa: E402
from app.engine.vault import Vault  # noqa: E402
from app.engine.workstation import Workstation  # noqa: E402
from app.server.democity.sites import CAMERAS, HOTLISTS  # noqa: E402
from app.server.model import HotlistEntry  # noqa: E402
from app.server.postgres import PgServer, init_schema  # noqa: E402

SPAN = 60 * 86400           # reads spread over the last 60 days (three monthly partitions)


def fill(dsn: str, first: int, n: int, now: int, span: int = SPAN, city: bool = False) -> None:
    """Insert reads first..first+n-1 server-side (generate_series), taking seqs as ingest does,
    their times spread over the ``span`` seconds before ``now``.

    By default nearly every read has a plate of its own and the times are scattered over the
    ids (the worst case for the plate index and the time indexes). ``city``: reads as
    bench/scale.py's stores hold them, a pool of n/8 plates of which a hundredth are commuters
    read often, and times rising with the read ids, each up to an hour late, as the city
    server numbers reads as they arrive. Each read names its two images by SHA-256 and nine in
    ten have a state, as a camera's reads do (the images themselves are not on the server)."""
    cams = "ARRAY[" + ",".join(f"'{c.id}'" for c in CAMERAS) + "]"
    pool = max(20_000, n // 8)
    key = (f"(CASE WHEN g %% 10 < 3 THEN (g * 2654435761) %% {pool // 100} ELSE (g * 2654435761) %% {pool} END)"
           if city else "g")
    when = (f"%s - {span} + ((g - {first}) * {span}) / {n} - (g * 7919) %% 3600" if city
            else f"%s - 1 - (g::bigint * 7919) %% {span}")
    with psycopg.connect(dsn, autocommit=True) as conn:
        for month_start in range(now - SPAN - 40 * 86400, now + 40 * 86400, 25 * 86400):
            conn.execute("SELECT alpr_ensure_month(%s)", (month_start,))
        with conn.transaction():
            base = conn.execute("UPDATE counters SET value = value + %s WHERE name = 'change' "
                                "RETURNING value", (n,)).fetchone()[0] - n
            conn.execute("UPDATE counters SET value = value + %s WHERE name = 'read'", (n,))
            conn.execute(
                f"INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor, plate_box, "
                f"plate_image_sha256, scene_image_sha256, plate_state, source, ingested_at, seq) "
                f"SELECT g, (5 + k %% 5)::text || chr((65 + (k / 7) %% 26)::int) || "
                f"chr((65 + (k / 181) %% 26)::int) || chr((65 + (k / 4703) %% 26)::int) || lpad((k %% 1000)::text, 3, '0'), "
                f"{when}, ({cams})[1 + g %% {len(CAMERAS)}], 0.8 + (g %% 20) / 100.0, "
                f"'BenchCam', '[100, 200, 120, 60]', md5('p' || g) || md5('q' || g), "
                f"md5('s' || g) || md5('t' || g), "
                f"CASE WHEN g %% 10 = 0 THEN NULL ELSE 'CA' END, 'camera', %s, %s + g - %s "
                f"FROM generate_series(%s::bigint, %s::bigint) g, LATERAL (SELECT {key}::bigint AS k) p",
                (now, now, base + 1, first, first, first + n - 1))


class PlainStore(Store):
    """The store's schema, pragmas, readers and checkpointer over an unencrypted SQLite file
    (SQLCipher without a key): the same work as the encrypted store, less the encryption; in
    :meth:`spilling` its sorts spill to temporary files through SQLite's own VFS (unencrypted),
    where the store's go through ``tempcrypt``."""

    def __init__(self, folder: Path, store_id: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "plain.db"
        super().__init__(folder, self._plain(path, _PRAGMAS), store_id, "0" * 64)
        self.path, self._wal = path, Path(f"{path}-wal")

    @staticmethod
    def _plain(path: Path, pragmas: tuple[str, ...]) -> sqlcipher3.Connection:
        conn = sqlcipher3.connect(f"file:{quote(str(path))}?vfs=unix", uri=True, isolation_level=None,
                                  check_same_thread=False)
        for pragma in pragmas:
            conn.execute(pragma)
        return conn

    def _side_connection(self, pragmas: tuple[str, ...]) -> sqlcipher3.Connection:
        return self._plain(self.path, pragmas)

    def _may_spill(self) -> bool:
        """Plain SQLite spills as it would anyway: through its own VFS, in the clear."""
        return True


def metadata_only(store: Store) -> None:
    """No image prefetch: the figures are the reads' metadata, and the server holds no image."""
    with store.transaction() as c:
        image_cache.save_settings(c, replace(image_cache.settings(c), prefetch_days=0))


def plain_workstation(folder: Path) -> Workstation:
    """The same schema in an unencrypted SQLite file, behind a vault that is already open (no
    key slot: nothing to unwrap)."""
    store = PlainStore(folder, str(uuid.uuid4()))
    store.migrate()
    with store.transaction() as c:
        store.set_meta("profile", "calabasas", c)
        store.set_meta(ESCROW_META, accesslog.start_chain(c).hex(), c)   # as Workstation.create
        store.set_meta(CHAIN_START_META, f"0:{accesslog.GENESIS}", c)
    vault = Vault(folder, SlotFile(folder / SLOTS_NAME, store.store_id, "calabasas"))
    vault._store = store
    return Workstation(vault, load_profile("calabasas"))


def timed_sync(ws: Workstation, batch: int) -> tuple[float, float, dict]:
    """(wall seconds, this process's CPU seconds, the sync's counts)."""
    ws.sync.batch = batch
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in ws.sync.run(None):
        pass
    last = json.loads(ws.store.query_one("SELECT value FROM settings WHERE key = 'sync.last'")[0])
    return time.perf_counter() - t0, time.process_time() - c0, last


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reads", type=int, default=1_000_000, help="reads of the first sync")
    ap.add_argument("--incremental", type=int, default=10_000, help="new reads of the incremental sync")
    ap.add_argument("--batch", type=int, default=10_000, help="reads per local transaction")
    ap.add_argument("--city", action="store_true",
                    help="first sync of reads as a city has them (a pool of plates, times in order); "
                         "default: nearly a plate per read, times scattered (the worst case)")
    args = ap.parse_args()
    admin_dsn = os.environ.get("ALPR_TEST_PG_DSN")
    if not admin_dsn:
        sys.exit("Run under scripts/with-postgres (it sets ALPR_TEST_PG_DSN); see the top of this file.")
    name = "alpr_bench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    dsn = make_conninfo(admin_dsn, dbname=name)
    init_schema(dsn)
    now = int(time.time())
    server = PgServer(dsn)
    server.put_cameras(CAMERAS)
    for h in HOTLISTS:
        server.put_hotlist(h)
    # 2,000 hotlist entries, a few hundred of them on plates that are read: hits are made too.
    server.add_entries([HotlistEntry(HOTLISTS[i % 4].id, f"{5 + i % 5}{chr(65 + (i // 7) % 26)}AA{i % 1000:03d}",
                                     "bench", 1 + i % 5, None, "bench", now) for i in range(2000)])
    server.close()
    t0 = time.perf_counter()
    fill(dsn, 1, args.reads, now, city=args.city)
    print(f"PostgreSQL filled with {args.reads:,} reads in {time.perf_counter() - t0:.1f} s")
    results = {}
    with tempfile.TemporaryDirectory(prefix="alpr-bench-") as tmp:
        targets = {"encrypted (SQLCipher)": Workstation.create(Path(tmp) / "enc", "calabasas"),
                   "plain SQLite": plain_workstation(Path(tmp) / "plain")}
        for label, ws in targets.items():
            metadata_only(ws.store)
            ws.sync.configure(None, dsn)
            secs, cpu, last = timed_sync(ws, args.batch)
            results[label] = {"first_s": secs, "first_rate": last["reads"] / secs, "hits": last["hits"]}
            print(f"{label:22} first sync: {last['reads']:,} reads in {secs:.2f} s = "
                  f"{last['reads'] / secs:,.0f} reads/s ({last['hits']} hits; workstation CPU {cpu:.2f} s "
                  f"= {last['reads'] / cpu:,.0f} reads per CPU-second)", flush=True)
        fill(dsn, args.reads + 1, args.incremental, now)
        for label, ws in targets.items():
            secs, cpu, last = timed_sync(ws, args.batch)
            results[label]["inc_s"] = secs
            size = ws.store.query_one("SELECT count(*) FROM reads")[0]
            print(f"{label:22} incremental: {last['reads']:,} new reads into {size:,} in {secs:.2f} s "
                  f"= {last['reads'] / secs:,.0f} reads/s (workstation CPU {cpu:.2f} s)", flush=True)
            ws.close()
    enc, plain = results["encrypted (SQLCipher)"], results["plain SQLite"]
    print(f"\nSummary ({os.cpu_count()} CPUs, load average now {os.getloadavg()[0]:.1f})")
    print(f"  first sync   encrypted {enc['first_rate']:,.0f} reads/s, plain {plain['first_rate']:,.0f} reads/s, "
          f"encrypted/plain = {enc['first_rate'] / plain['first_rate']:.2f} (goal >= 50,000 reads/s: "
          f"{'met' if enc['first_rate'] >= 50000 else 'NOT met'})")
    print(f"  incremental  encrypted {enc['inc_s']:.2f} s, plain {plain['inc_s']:.2f} s, "
          f"encrypted/plain time = {enc['inc_s'] / plain['inc_s']:.2f} (goal < 2 s: "
          f"{'met' if enc['inc_s'] < 2 else 'NOT met'})")
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
