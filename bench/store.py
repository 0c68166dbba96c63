"""Encrypted store vs plain SQLite: insert rate and exact-plate lookup rate on the same data.

Run:  scripts/with-keyring .venv/bin/python bench/store.py [--reads 1000000] [--lookups 20000]

Both databases get the same schema (the real migrations), the same pragmas and the same
rows in the same order; only the SQLCipher key differs. Figures are measured side by side
in one run, and the ratio is what matters on a noisy machine.
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine.store import _PRAGMAS, _migrations  # noqa: E402
from app.engine.vault import Vault  # noqa: E402

BATCH = 50_000      # the sync's batch (SyncService.batch): how the workstation really inserts
CAMERAS = [(f"CAM-{i:02d}", f"Camera {i}", f"Site {i // 2}", 34.1 + i / 100, -118.6, "N") for i in range(24)]


def synthetic_reads(n: int, seed: int = 1):
    """Reads of a city: a pool of vehicles, a few of them commuters seen every day."""
    rnd = random.Random(seed)
    pool = [f"{rnd.randint(1, 9)}{''.join(rnd.choices(string.ascii_uppercase, k=3))}{rnd.randint(0, 999):03d}"
            for _ in range(max(1000, n // 4))]
    t0 = 1_730_000_000
    for i in range(n):
        # 30% of traffic is commuters (2% of vehicles, seen daily); the rest pass now and then.
        p = pool[rnd.randrange(len(pool) // 50)] if rnd.random() < 0.3 else rnd.choice(pool)
        yield (i + 1, p, t0 + i * 60, CAMERAS[i % len(CAMERAS)][0],
               round(rnd.uniform(0.5, 1.0), 3), "BenchVendor")


def plain_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    for pragma in _PRAGMAS:
        conn.execute(pragma)
    for _v, _n, sql in _migrations():
        for stmt in sql.split(";\n"):
            if stmt.strip():
                conn.execute(stmt)
    return conn


def fill_both(plain, enc, n: int, batch_size: int) -> tuple[float, float]:
    """Insert the same batches into both, alternating, so machine noise hits both alike."""
    for conn in (plain, enc):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO cameras VALUES (?,?,?,?,?,?)", CAMERAS)
        conn.execute("COMMIT")
    rows = synthetic_reads(n)
    sql = ("INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor) "
           "VALUES (?,?,?,?,?,?)")
    spent = {id(plain): 0.0, id(enc): 0.0}
    turn = 0
    while batch := [r for _, r in zip(range(batch_size), rows)]:
        order = (plain, enc) if turn % 2 == 0 else (enc, plain)
        turn += 1
        for conn in order:
            start = time.perf_counter()
            conn.execute("BEGIN")
            conn.executemany(sql, batch)
            conn.execute("COMMIT")
            spent[id(conn)] += time.perf_counter() - start
    return spent[id(plain)], spent[id(enc)]


def lookups(conn, plates: list[str]) -> tuple[float, int]:
    found = 0
    start = time.perf_counter()
    for p in plates:
        found += len(conn.execute(
            "SELECT id, read_at, camera_id, confidence FROM reads WHERE plate = ? ORDER BY read_at DESC",
            (p,)).fetchall())
    return time.perf_counter() - start, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reads", type=int, default=1_000_000)
    ap.add_argument("--lookups", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=BATCH, help="reads per insert transaction")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="alpr-bench-store-"))
    enc = Vault.create(tmp / "encrypted", "calabasas")[0].store
    plain = plain_connect(tmp / "plain.db")
    enc_conn = enc._conn

    print(f"Filling both stores with {args.reads:,} reads (batches of {args.batch:,}, indexes in place)...")
    t_plain, t_enc = fill_both(plain, enc_conn, args.reads, args.batch)

    rnd = random.Random(9)
    probe = [r[1] for r in synthetic_reads(args.reads)]
    probe = [rnd.choice(probe) for _ in range(args.lookups)]
    # Warm both caches the same way, then time interleaved halves so drift hits both.
    lookups(plain, probe[:500])
    lookups(enc_conn, probe[:500])
    half = len(probe) // 2
    tp1, fp1 = lookups(plain, probe[:half])
    te1, fe1 = lookups(enc_conn, probe[:half])
    te2, fe2 = lookups(enc_conn, probe[half:])
    tp2, fp2 = lookups(plain, probe[half:])
    assert fp1 + fp2 == fe1 + fe2, "both stores must return the same rows"
    lp, le = tp1 + tp2, te1 + te2

    plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_plain = (tmp / "plain.db").stat().st_size
    enc.checkpoint()
    size_enc = (tmp / "encrypted" / "workstation.db").stat().st_size
    print()
    print(f"{'':28}{'plain SQLite':>16}{'SQLCipher store':>18}{'ratio':>9}")
    print(f"{'insert (reads/s)':28}{args.reads / t_plain:16,.0f}{args.reads / t_enc:18,.0f}{t_enc / t_plain:9.2f}x")
    print(f"{'exact lookup (queries/s)':28}{len(probe) / lp:16,.0f}{len(probe) / le:18,.0f}{le / lp:9.2f}x")
    print(f"{'  rows returned':28}{fp1 + fp2:16,}{fe1 + fe2:18,}")
    print(f"{'file size (MB)':28}{size_plain / 1e6:16,.1f}{size_enc / 1e6:18,.1f}{size_enc / size_plain:9.2f}x")
    print(f"\nGoal: the encrypted store within 1.3x of plain SQLite "
          f"(insert {t_enc / t_plain:.2f}x, lookup {le / lp:.2f}x).")
    enc.close()
    plain.close()


if __name__ == "__main__":
    main()
