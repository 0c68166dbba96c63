"""The camera map counts whole days from camera_days (0015) and partial days from the reads: it
must equal a plain count of the reads for every period, after inserts, moves, purges and a bulk
first sync that dropped the triggers and recounted."""
from __future__ import annotations

import random

from app.engine import analyses_sql
from app.engine.analyses_types import CameraMapQuery
from app.engine.sync_apply import drop_read_indexes, restore_read_indexes
from tests.conftest import CAMERAS, insert_reads

DAY = 86400
BASE = 1_790_000_000 // DAY * DAY          # a UTC midnight


def _plain(ws, start, end) -> dict[str, int]:
    cond, params = "", []
    if start is not None:
        cond, params = cond + " AND read_at >= ?", params + [start]
    if end is not None:
        cond, params = cond + " AND read_at < ?", params + [end]
    counts = {c[0]: 0 for c in CAMERAS}
    counts.update(ws.store.query(f"SELECT camera_id, count(*) FROM reads WHERE 1 = 1{cond} GROUP BY camera_id",
                                 tuple(params)))
    return counts


def _mapped(ws, start, end) -> dict[str, int]:
    with ws.store.reading() as conn:
        res = analyses_sql.camera_map(conn, CameraMapQuery(start, end))
    return {v.camera_id: v.reads for v in res.cameras}


def _periods(rng: random.Random) -> list[tuple[int | None, int | None]]:
    edges = [BASE + d * DAY for d in range(-1, 7)]                # exact midnights too
    out: list[tuple[int | None, int | None]] = [(None, None), (None, BASE + 3 * DAY), (BASE + 2 * DAY, None),
                                                (BASE + 100, BASE + 200), (BASE + 3 * DAY - 5, BASE + 3 * DAY + 5)]
    for _ in range(60):
        a = rng.choice(edges) if rng.random() < 0.3 else BASE + rng.randrange(-DAY, 7 * DAY)
        b = rng.choice(edges) if rng.random() < 0.3 else BASE + rng.randrange(-DAY, 7 * DAY)
        out.append((min(a, b), max(a, b) + 1))
    return out


def _check(ws, rng: random.Random) -> None:
    for start, end in _periods(rng):
        assert _mapped(ws, start, end) == _plain(ws, start, end), (start, end)


def test_the_camera_map_equals_a_plain_count_through_inserts_moves_and_purges(ws):
    rng = random.Random(17)
    cams = [c[0] for c in CAMERAS]
    insert_reads(ws, [(i, f"7ABC{i % 1000:03d}", BASE + rng.randrange(0, 6 * DAY), rng.choice(cams), 0.9)
                      for i in range(1, 2001)])
    assert ws.store.query_one("SELECT sum(reads) FROM camera_days")[0] == 2000
    _check(ws, rng)
    with ws.store.transaction() as conn:            # a camera renamed on the server, a clock fixed
        conn.execute("UPDATE reads SET camera_id = ? WHERE id % 7 = 0", (cams[0],))
        conn.execute("UPDATE reads SET read_at = read_at + 40000 WHERE id % 5 = 0")
        conn.execute("DELETE FROM reads WHERE read_at < ?", (BASE + DAY + 3600,))   # a purge
    _check(ws, rng)


def test_a_bulk_load_without_triggers_is_recounted(ws):
    rng = random.Random(18)
    cams = [c[0] for c in CAMERAS]
    insert_reads(ws, [(i, "8XYZ999", BASE + rng.randrange(0, 2 * DAY), rng.choice(cams), 0.9)
                      for i in range(1, 301)])
    with ws.store.transaction() as conn:
        drop_read_indexes(conn)
    insert_reads(ws, [(i, f"5KLM{i % 1000:03d}", BASE + rng.randrange(0, 6 * DAY), rng.choice(cams), 0.9)
                      for i in range(301, 3001)])
    assert ws.store.query_one("SELECT sum(reads) FROM camera_days")[0] == 300     # triggers were off
    with ws.store.transaction() as conn:
        restore_read_indexes(conn)
    assert ws.store.query_one("SELECT sum(reads) FROM camera_days")[0] == 3000
    _check(ws, rng)
