"""A two-year city on one workstation (issue 17): every figure at N reads, encrypted store and
plain SQLite side by side on the same data.

Usage (PostgreSQL and a keyring are started by the wrappers):
    scripts/with-keyring scripts/with-postgres .venv/bin/python bench/scale.py --reads 1000000
    ... bench/scale.py --reads 20000000 --sync-reads 2000000

The two stores of N reads (two years, a pool of N/8 plates of which a hundredth are commuters
read often; read times rise with the read ids, each up to an hour late, as the city server
numbers reads as they arrive; two image hashes a read, 200 hotlist entries and their hits, 2,000 cached 30 KB
images) are built once, by bulk SQL inserts without the reads' indexes, in a child process
(so the peak memory printed is the measuring process's alone), and kept under ``--cache``
(synthetic data; the encrypted store's key sits beside it for that reason only). Then, in one
process: store size; first page (200 rows) of each search mode and filter, cold (first run)
and warm (median of the runs after it that fill 0.2 s, at least 3); next-page scroll; read
detail with its cached image; each analysis; a day's incremental sync (50,000 reads of the
last day) into the N-read stores while another thread searches and a 5 ms ticker stands in for
the GUI thread (its longest gap is the longest the GIL kept it waiting), once reopened with the
files dropped from the operating system's cache (a workstation's first sync of the morning, and
on stores this run built the first day after the bulk load) and on three later days with the
stores cached (the median sync time and each day's; the longest GUI gap and slowest search of
the three), each day a plate per read and nearly every plate new to the stores; a first sync
of ``--sync-reads`` reads' metadata from PostgreSQL into fresh stores, twice: reads like the
stores' (a pool of plates, times rising with the ids) and the worst case (nearly a plate per
read, times scattered); and the peak resident memory. Every synced read names its two images
and most have a state, as a camera's do; the workstations prefetch no image (the server holds
none). Searches and analyses are the engine's own SQL
(``search.run_page``, ``analyses_sql``), on the store's connection, without the log entry.
"""
from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import random
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from psycopg.conninfo import make_conninfo  # noqa: E402

from app.engine import accesslog, analyses_sql, hits, image_cache, search  # noqa: E402
from app.engine.analyses_types import (CameraMapQuery, CloneQuery, ConvoyQuery, LocateQuery,  # noqa: E402
                                       Place, StakeoutQuery)
from app.engine.keyslots import SLOTS_NAME, SlotFile  # noqa: E402
from app.engine.log_anchor import CHAIN_START_META, ESCROW_META, RECEIPT_META  # noqa: E402
from app.engine.policy import load_profile  # noqa: E402
from app.engine.reads import load_detail  # noqa: E402
from app.engine.search import SearchQuery  # noqa: E402
from app.engine.store import Store, _migrations  # noqa: E402
from app.engine.sync_apply import drop_read_indexes, restore_read_indexes  # noqa: E402
from app.engine.vault import Vault  # noqa: E402
from app.engine.workstation import Workstation  # noqa: E402
from app.server.democity.sites import CAMERAS, HOTLISTS  # noqa: E402
from app.server.model import Image  # noqa: E402
from app.server.postgres import PgServer, init_schema  # noqa: E402
from bench.sync import PlainStore, fill, metadata_only  # noqa: E402

DAY, SPAN = 86400, 730 * 86400
NOW = 1_790_000_000                 # a fixed "now": the data, not the wall clock, decides
CHUNK = 1_000_000
KINDS = ("encrypted", "plain")
LATER_DAYS = 3         # later days synced, their median reported


# -- building ------------------------------------------------------------------------------
def open_store(folder: Path, kind: str) -> Store:
    """The encrypted store (SQLCipher, the workstation's pragmas) or the same schema in plain
    SQLite (SQLCipher without a key, same pragmas)."""
    fresh = not (folder / "workstation.db").exists() and not (folder / "plain.db").exists()
    if kind == "encrypted":
        if fresh:
            Store.new_id(folder)
            (folder / "bench.key").write_text(secrets.token_hex(32))
        return Store.open(folder, bytes.fromhex((folder / "bench.key").read_text()),
                          check_integrity=False, create=fresh)
    store = PlainStore(folder, "plain-bench")
    store.migrate()
    return store


def workstation(store: Store, folder: Path) -> Workstation:
    """A workstation over an open store (no key slot: the bench opened it), for ``ws.sync``."""
    with store.transaction() as c:     # a fresh log, as Workstation.create leaves it: each run
        c.execute("DELETE FROM access_log")          # syncs with a new server, which escrows it
        c.execute("DELETE FROM sync_state")          # and a run cut short left its server's id
        c.execute("DELETE FROM meta WHERE key = ?", (RECEIPT_META,))
        store.set_meta("profile", "calabasas", c)
        store.set_meta(ESCROW_META, accesslog.start_chain(c).hex(), c)
        store.set_meta(CHAIN_START_META, f"0:{accesslog.GENESIS}", c)
    metadata_only(store)
    vault = Vault(folder, SlotFile(folder / SLOTS_NAME, store.store_id, "calabasas"))
    vault._store = store
    return Workstation(vault, load_profile("calabasas"), clock=lambda: float(NOW))


def plate_pool(n: int) -> list[tuple[int, str]]:
    rng = random.Random(1)
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(f"{rng.randint(1, 9)}{''.join(rng.choice(letters) for _ in range(3))}{rng.randint(0, 999):03d}")
    # From the plates in order: a set's order changes with each process's string hashing, and
    # each store is built by a process of its own, so both stores must shuffle the same list.
    pool = sorted(seen)
    rng.shuffle(pool)
    return list(enumerate(pool))


def build(folder: Path, kind: str, n: int) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    store = open_store(folder, kind)
    pool = max(20_000, n // 8)
    with store.transaction() as c:
        c.executemany("INSERT INTO cameras(id, name, site, lat, lon, direction) VALUES (?,?,?,?,?,?)",
                      [(x.id, x.name, x.site, x.lat, x.lon, x.direction) for x in CAMERAS])
        c.execute("CREATE TEMP TABLE bench_pool(i INTEGER PRIMARY KEY, plate TEXT)")
        c.executemany("INSERT INTO bench_pool VALUES (?,?)", plate_pool(pool))
        c.execute("CREATE TEMP TABLE bench_cams(i INTEGER PRIMARY KEY, id TEXT)")
        c.executemany("INSERT INTO bench_cams VALUES (?,?)", list(enumerate(x.id for x in CAMERAS)))
        drop_read_indexes(c)
    for first in range(1, n + 1, CHUNK):
        last = min(first + CHUNK - 1, n)
        with store.transaction() as c:
            c.execute(
                "INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor, plate_box, "
                "plate_image_sha256, scene_image_sha256, plate_state) "
                "WITH RECURSIVE g(x) AS (SELECT ? UNION ALL SELECT x + 1 FROM g WHERE x < ?) "
                "SELECT x, p.plate, ? - ? + (x * ?) / ? - (x * 7919) % 3600, c.id, 0.5 + (x % 50) / 100.0, 'BenchCam', "
                "'[100, 200, 120, 60]', unhex(printf('%032x%032x', x, 1)), unhex(printf('%032x%032x', x, 2)), "
                "CASE WHEN x % 10 = 0 THEN NULL ELSE 'CA' END FROM g "
                "JOIN bench_pool p ON p.i = CASE WHEN x % 10 < 3 THEN (x * 2654435761) % (? / 100) "
                "ELSE (x * 2654435761) % ? END JOIN bench_cams c ON c.i = x % ?",
                (first, last, NOW, SPAN, SPAN, n, pool, pool, len(CAMERAS)))
        print(f"  {kind}: {last:,} reads", flush=True)
    with store.transaction() as c:
        c.executemany("INSERT INTO hotlists(id, name, source, kind) VALUES (?,?,?,?)",
                      [(h.id, h.name, h.source, h.kind) for h in HOTLISTS])
        c.executemany("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, added_at) "
                      "SELECT i + 1, ?, plate, 'bench', 1, ? FROM bench_pool WHERE i % ? = 7 LIMIT 200",
                      [(HOTLISTS[0].id, NOW, max(1, pool // 200))])
        c.execute("DROP TABLE temp.bench_pool")       # the bench's own, not the rebuild's, memory
        c.execute("DROP TABLE temp.bench_cams")
    before = _memory_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")     # the peak from here on (Linux)
    with store.spilling(), store.transaction() as c:      # as the first sync does
        restore_read_indexes(c)
    rebuild_peak = _memory_mb("VmHWM")
    with store.transaction() as c:
        hits.match_entries(c, list(range(1, 201)), NOW)
        rng = random.Random(2)
        recent = c.execute("SELECT id, lower(hex(scene_image_sha256)) FROM reads WHERE read_at >= ? ORDER BY read_at DESC "
                           "LIMIT 2000", (NOW - DAY,)).fetchall()
        image_cache.put(c, [Image(sha, "scene", "image/jpeg", 640, 480, rng.randbytes(30_000))
                            for _rid, sha in recent], NOW)
    store.checkpoint()
    store.close()
    # the bulk load's rebuild (sorting every read into each index) is the first sync's as well
    print(f"  {kind}: peak memory of the building process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB, "
          f"{rebuild_peak:,.0f} MB while it rebuilt the indexes (from {before:,.0f} MB)", flush=True)


def _memory_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (the peak since /proc/self/clear_refs was last written)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


# -- measuring -----------------------------------------------------------------------------
def timed(fn) -> tuple[float, float]:
    """(first run, median of the runs after it), in milliseconds. The warm runs go on until
    they fill 0.2 s (at least 3, at most 200), as timeit's autorange does: the median of three
    runs of a 0.1 ms query moved by half between runs of the bench, and decided ratios. As
    timeit also does, garbage is collected before and not during the runs: a full collection
    of this process (10-15 ms) otherwise lands in whichever query happens to be running."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        fn()
        cold = (time.perf_counter() - t0) * 1000
        runs: list[float] = []
        while len(runs) < 3 or (sum(runs) < 200 and len(runs) < 200):
            t0 = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - t0) * 1000)
    finally:
        gc.enable()
    return cold, statistics.median(runs)


def cases(store: Store) -> list[tuple[str, object]]:
    q = store.query_one
    busy = q("SELECT plate FROM reads WHERE id = 3")[0]                 # a commuter
    rare = q("SELECT plate FROM reads WHERE id = 4")[0]
    recent_id = q("SELECT r.id FROM reads r JOIN images i ON i.sha256 = r.scene_image_sha256 LIMIT 1")[0]
    cam = CAMERAS[3].id

    def page(query, offset=0):
        return lambda: _page(store, query, offset)

    def detail():
        with store.reading() as conn:
            d = load_detail(conn, recent_id)
            assert d is not None and image_cache.get(conn, d.scene_image_sha256, NOW)
    searches = [
        ("exact (commuter plate)", page(SearchQuery(busy))),
        ("exact (rare plate)", page(SearchQuery(rare))),
        ("partial, 3 chars", page(SearchQuery(rare[1:4], "partial"))),
        ("partial, 5 chars", page(SearchQuery(rare[2:7], "partial"))),
        ("partial, 2 chars, 4 h (policy window)", page(SearchQuery(rare[4:6], "partial", start=NOW - 4 * 3600,
                                                                   end=NOW))),
        ("wildcard ?..*", page(SearchQuery(f"{rare[0]}?{rare[2:4]}*", "wildcard"))),
        ("similar", page(SearchQuery(rare, "similar"))),
        ("filter: camera, 24 h", page(SearchQuery("", cameras=(cam,), start=NOW - DAY, end=NOW))),
        ("filter: exact + state CA + 30 days", page(SearchQuery(busy, start=NOW - 30 * DAY, end=NOW, state="CA"))),
        ("filter: hits only", page(SearchQuery("", hits_only=True))),
        ("scroll: next page (partial 3)", page(SearchQuery(rare[1:4], "partial"), 200)),
        ("scroll: next page (camera 24 h)", page(SearchQuery("", cameras=(cam,), start=NOW - DAY, end=NOW), 200)),
        ("read detail + cached image", detail),
    ]
    week, month = (NOW - 7 * DAY, NOW), (NOW - 30 * DAY, NOW)
    sites = sorted({c.site for c in CAMERAS})[:3]
    stake = StakeoutQuery(tuple(Place(NOW - (i + 1) * DAY, NOW - (i + 1) * DAY + 7200, sites=(s,))
                                for i, s in enumerate(sites)), 2)

    def analysis(fn):
        def go():
            with store.reading() as conn:
                fn(conn)
        return go
    analyses = [
        ("stakeout 3 sites x 2 h", analysis(lambda c: analyses_sql.stakeout(
            c, stake, [analyses_sql.place_cameras(c, i, p.cameras, p.sites) for i, p in enumerate(stake.places)]))),
        ("locate commuter, all time", analysis(lambda c: analyses_sql.locate(c, LocateQuery(busy)))),
        ("convoy commuter, 30 days", analysis(lambda c: analyses_sql.convoy(c, ConvoyQuery(busy, *month)))),
        ("clones, last 7 days", analysis(lambda c: analyses_sql.clones(c, CloneQuery(*week)))),
        ("camera map, 30 days", analysis(lambda c: analyses_sql.camera_map(c, CameraMapQuery(*month)))),
        ("camera map, all time", analysis(lambda c: analyses_sql.camera_map(c, CameraMapQuery()))),
    ]
    return searches + analyses


def _page(store: Store, query: SearchQuery, offset: int) -> None:
    with store.reading() as conn:
        search.run_page(conn, search.check(query), offset, 200)


def store_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.name.endswith((".db", ".db-wal")))


def new_pg(admin_dsn: str, first: int, n: int, span: int = SPAN, city: bool = False) -> str:
    name = "alpr_scale_" + uuid.uuid4().hex[:8]
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    dsn = make_conninfo(admin_dsn, dbname=name)
    init_schema(dsn)
    server = PgServer(dsn)
    server.put_cameras(CAMERAS)
    for h in HOTLISTS:
        server.put_hotlist(h)
    server.close()
    fill(dsn, first, n, NOW, span, city)
    with psycopg.connect(dsn, autocommit=True) as conn:    # as autovacuum leaves a server, and
        conn.execute("VACUUM ANALYZE reads")               # not during the measurement
        conn.execute("CHECKPOINT")
    return dsn


def drop_pg(admin_dsn: str, dsn: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {psycopg.conninfo.conninfo_to_dict(dsn)['dbname']} WITH (FORCE)")


def evict(folder: Path) -> None:
    """Take the store's file out of the operating system's page cache: synced first, every page
    is clean, and POSIX_FADV_DONTNEED drops clean pages (no root needed)."""
    for path in folder.iterdir():
        if path.name.endswith((".db", ".db-wal")):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def _day_figures(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """A round's days as one row: the median sync time (a single day's ratio moved by 0.1 from
    run to run on the 2-core development machine), the longest GUI gap and slowest search of any."""
    return (statistics.median(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs))


def sync_once(ws: Workstation, dsn: str) -> tuple[float, int]:
    ws.sync.configure(None, dsn)
    t0 = time.perf_counter()
    for _ in ws.sync.run(None):
        pass
    last = ws.store.query_one("SELECT value FROM settings WHERE key = 'sync.last'")[0]
    return time.perf_counter() - t0, json.loads(last)["reads"]


def sync_while_searching(ws: Workstation, dsn: str) -> tuple[float, float, float]:
    """(sync seconds, longest GUI-thread gap ms, slowest search during the sync ms). The ticker
    keeps the GUI's garbage collection (app/ui/ops.py: what start-up made is frozen, automatic
    collection is off, and the GUI thread collects young objects every 2 s and all every 30 s,
    its gap counting the time that takes): with Python's default, a full collection of this
    process, triggered by any thread, stops every thread for it."""
    stop = threading.Event()
    gaps, waits = [0.0], [0.0]
    plate = ws.store.query_one("SELECT plate FROM reads WHERE id = 4")[0]
    n_before = ws.store.query_one("SELECT max(id) FROM reads")[0]

    def ticker():
        last = collected = time.perf_counter()
        ticks = itertools.count(1)
        while not stop.is_set():
            time.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
            if now - collected >= 2:
                gc.collect(2 if next(ticks) % 15 == 0 else 0)
                collected = now

    def searcher():
        while not stop.is_set():
            t0 = time.perf_counter()
            _page(ws.store, SearchQuery(plate[1:4], "partial"), 0)
            waits.append(time.perf_counter() - t0)
            time.sleep(0.05)
    threads = [threading.Thread(target=ticker), threading.Thread(target=searcher)]
    gc.collect()
    gc.freeze()
    gc.disable()
    for t in threads:
        t.start()
    try:
        secs, _n = sync_once(ws, dsn)
    finally:
        stop.set()
        for t in threads:
            t.join()
        gc.enable()
        gc.unfreeze()
        with ws.store.transaction() as conn:       # the kept store stays N reads for the next run
            conn.execute("DELETE FROM hits WHERE read_id > ?", (n_before,))
            conn.execute("DELETE FROM reads WHERE id > ?", (n_before,))
            conn.execute("DELETE FROM sync_state")
    return secs, max(gaps) * 1000, max(waits) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reads", type=int, default=1_000_000)
    ap.add_argument("--sync-reads", type=int, help="reads of the first sync (default: --reads)")
    ap.add_argument("--day", type=int, default=50_000, help="reads of the incremental sync")
    ap.add_argument("--cache", default=os.path.expanduser("~/.cache/alpr-bench-scale"))
    ap.add_argument("--build", choices=KINDS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = args.reads
    # a new schema, or new data (v2: the same plates in both stores; v3: a day counter, below), builds anew
    base = Path(args.cache) / f"reads-{n}-schema{_migrations()[-1][0]}-data3"
    if args.build:
        build(base / args.build, args.build, n)
        return
    if not all((base / kind / "done").exists() for kind in KINDS):     # both anew, and no day yet
        for kind in KINDS:
            (base / kind / "done").unlink(missing_ok=True)
        (base / "days").unlink(missing_ok=True)
    for kind in KINDS:
        if not (base / kind / "done").exists():
            t0 = time.perf_counter()
            print(f"Building the {kind} store of {n:,} reads under {base / kind} ...", flush=True)
            subprocess.run([sys.executable, __file__, "--reads", str(n), "--cache", args.cache,
                            "--build", kind], check=True)
            (base / kind / "done").write_text(f"{time.perf_counter() - t0:.0f}\n")
        print(f"{kind} store built in {(base / kind / 'done').read_text().strip()} s", flush=True)
    admin_dsn = os.environ.get("ALPR_TEST_PG_DSN")
    if not admin_dsn:
        sys.exit("Run under scripts/with-postgres (it sets ALPR_TEST_PG_DSN); see the top of this file.")
    stores = {k: open_store(base / k, k) for k in KINDS}
    sizes = {k: store_size(base / k) for k in KINDS}
    print(f"\n{n:,} reads; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'':38}{'encrypted ms':>22}{'plain ms':>20}{'enc/plain':>11}")
    print(f"{'':38}{'cold':>11}{'warm':>11}{'cold':>10}{'warm':>10}{'(warm)':>11}")
    print(f"{'store size (MB)':38}{sizes['encrypted'] / 1e6:22,.0f}{sizes['plain'] / 1e6:20,.0f}"
          f"{sizes['encrypted'] / sizes['plain']:11.2f}")
    plain_cases = dict(cases(stores["plain"]))
    for name, fn in cases(stores["encrypted"]):
        ec, ew = timed(fn)
        pc, pw = timed(plain_cases[name])
        print(f"{name:38}{ec:11.1f}{ew:11.1f}{pc:10.1f}{pw:10.1f}{ew / max(pw, 0.01):11.2f}", flush=True)
    # a day's incremental sync into the N-read stores, while searching: first reopened with the
    # file out of the operating system's cache (a workstation's first sync of the morning), then
    # as that left them, each from a server of its own (a run resets the log's escrow). On
    # stores built by this run the first is also the first day after the bulk load, whose index
    # pages are packed full. Each day's reads are deleted after it, but their plates stay in
    # the plate index: so every day, run after run, takes read ids never used before and so
    # plates the stores have (nearly all) never seen: a plate per read, the worst case for the
    # plate and trigram indexes (``days`` keeps the count of days and the next free read id).
    inc: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    days = []
    kept_days, next_id = (map(int, (base / "days").read_text().split()) if (base / "days").exists()
                          else (0, n + 1))
    first_label = ("first day after the bulk" if kept_days == 0
                   else f"a day on stores kept through {kept_days} earlier days") + ", out of the OS cache"
    later_label = f"a later day, store in the OS cache (median of {LATER_DAYS} days)"
    rounds = [(first_label, True)] + [(later_label, False)] * LATER_DAYS
    for label, cold in rounds:
        days.append(new_pg(admin_dsn, next_id, args.day, DAY))
        kept_days, next_id = kept_days + 1, next_id + args.day
        (base / "days").write_text(f"{kept_days} {next_id}\n")
        for kind in KINDS:
            if cold:
                stores[kind].close()
                evict(base / kind)
                stores[kind] = open_store(base / kind, kind)
            got = sync_while_searching(workstation(stores[kind], base / kind), days[-1])
            inc.setdefault((kind, label), []).append(got)
    for label in dict(rounds):
        e, p = _day_figures(inc["encrypted", label]), _day_figures(inc["plain", label])
        print(f"{f'incremental sync of {args.day:,} reads (s)':38}{e[0]:22.2f}{p[0]:20.2f}{e[0] / p[0]:11.2f}"
              f"   {label}")
        if len(inc["encrypted", label]) > 1:
            each = [f"{e_[0]:.2f}/{p_[0]:.2f}" for e_, p_ in zip(inc["encrypted", label], inc["plain", label])]
            print(f"{'  each day, encrypted/plain (s)':38}{', '.join(each):>42}")
        print(f"{'  longest GUI-thread gap (ms)':38}{e[1]:22.1f}{p[1]:20.1f}")
        print(f"{'  slowest search during it (ms)':38}{e[2]:22.1f}{p[2]:20.1f}", flush=True)
    for s in stores.values():
        s.close()
    for dsn in days:
        drop_pg(admin_dsn, dsn)
    # the first sync of the reads' metadata, into fresh stores: reads as the stores hold them
    # (a pool of plates, times rising with the ids), then the worst case for the plate index
    # and the time indexes (nearly a plate per read, times scattered over the ids)
    m = args.sync_reads or n
    for label, city in (("city's plates and times", True), ("a plate per read, times scattered", False)):
        t0 = time.perf_counter()
        first = new_pg(admin_dsn, 1, m, city=city)
        print(f"(PostgreSQL filled with {m:,} reads, {label}, in {time.perf_counter() - t0:.0f} s)",
              flush=True)
        rate = {}
        for kind in KINDS:
            folder = Path(args.cache) / f"first-sync-{uuid.uuid4().hex[:6]}" / kind
            store = open_store(folder, kind)
            secs, got = sync_once(workstation(store, folder), first)
            rate[kind] = got / secs
            store.close()
            shutil.rmtree(folder.parent)
        drop_pg(admin_dsn, first)                     # a 20 M database takes 7 GB of disk
        print(f"{f'first sync of {m:,} reads (reads/s)':38}{rate['encrypted']:22,.0f}{rate['plain']:20,.0f}"
              f"{rate['encrypted'] / rate['plain']:11.2f}   {label}", flush=True)
    print(f"{'peak memory of this process (MB)':38}"
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:22,.0f}")


if __name__ == "__main__":
    main()
