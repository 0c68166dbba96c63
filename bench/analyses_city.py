"""Demo-city reads for the analysis benchmark and screenshots, with known cases planted in them.

The twelve demo-city cameras (``app.server.democity.sites``) see a pool of vehicles: a few
thousand commuters pass their cameras at rush hour most weekdays, the rest are drawn from a
long tail. Planted on top, so every analysis has something true to find:
a convoy pair (8CNV123 with 6PAL456 at five cameras), a stakeout plate at three sites
(7STK001), a cloned plate (5CLN777 at two ends of the city 90 seconds apart) and a commuter
to locate (4LOC888, weekday mornings northbound, evenings in Old Town).
Rows go straight in with ``executemany`` (as a sync would), in batches inside transactions.
"""
from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np

from app.server.democity.sites import CAMERAS, HOURLY

DAY = 86400
LETTERS = np.array([c for c in string.ascii_uppercase if c not in "IOQ"])
BATCH = 50_000


@dataclass(frozen=True)
class Planted:
    start: int                  # first day of data (Unix seconds, local midnight-ish)
    end: int
    stakeout: list[tuple[str, int, int]]     # (site, start, end)
    convoy: tuple[str, int, int]             # (plate, start, end)
    clone_day: int
    locate: str


def _plates(rng: np.random.Generator, n: int) -> np.ndarray:
    d1 = rng.integers(5, 10, n).astype(str)
    letters = LETTERS[rng.integers(0, len(LETTERS), (n, 3))]
    digits = rng.integers(0, 1000, n)
    return np.array([f"{a}{''.join(b)}{c:03d}" for a, b, c in zip(d1, letters, digits)])


def fill(ws, n_reads: int, days: int, end: int, seed: int = 7) -> Planted:
    """Insert about ``n_reads`` reads over ``days`` days ending at ``end``."""
    rng = np.random.default_rng(seed)
    start = end - days * DAY
    cams = [c.id for c in CAMERAS]
    with ws.store.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO cameras(id, name, site, lat, lon, direction) "
                         "VALUES (?,?,?,?,?,?)",
                         [(c.id, c.name, c.site, c.lat, c.lon, c.direction) for c in CAMERAS])
    pool = _plates(rng, max(2000, n_reads // 12))
    m = int(n_reads * 1.1) + 100            # some draws are dropped as impossible journeys
    # a long tail: a few plates are read very often, most a handful of times
    pick = np.minimum((rng.pareto(1.1, m) * len(pool) / 40).astype(np.int64), len(pool) - 1)
    hourly = np.array(HOURLY) / sum(HOURLY)
    t = (start + rng.integers(0, days, m) * DAY + rng.choice(24, m, p=hourly) * 3600
         + rng.integers(0, 3600, m))
    cam_w = rng.uniform(0.4, 1.6, len(cams))
    cam = rng.choice(len(cams), m, p=cam_w / cam_w.sum())
    conf = np.round(rng.uniform(0.55, 0.99, m), 3)
    chosen = np.flatnonzero(_plausible(pick, t, cam))[:n_reads]
    order = chosen[np.argsort(t[chosen], kind="stable")]
    rows = [(str(pool[pick[i]]), int(t[i]), cams[cam[i]], float(conf[i])) for i in order]
    planted, extra = _planted(start, end)
    rows += [(p, ts, c, 0.93) for p, ts, c in extra]
    sql = ("INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor) "
           "VALUES (?,?,?,?,?,'DemoVendor')")
    for i in range(0, len(rows), BATCH):
        with ws.store.transaction() as conn:
            conn.executemany(sql, [(i + k + 1, p, ts, c, cf)
                                   for k, (p, ts, c, cf) in enumerate(rows[i:i + BATCH])])
    return planted


def _plausible(plate: np.ndarray, t: np.ndarray, cam: np.ndarray) -> np.ndarray:
    """Drop random reads that would put one car at two cameras within 15 minutes.

    Independent random draws make impossible journeys that real traffic does not; without
    this the planted clone would drown in accidental ones.
    """
    order = np.lexsort((t, plate))
    p, tt, c = plate[order], t[order], cam[order]
    bad = np.zeros(len(order), dtype=bool)
    bad[1:] = (p[1:] == p[:-1]) & (tt[1:] - tt[:-1] < 900) & (c[1:] != c[:-1])
    keep = np.ones(len(order), dtype=bool)
    keep[order[bad]] = False
    return keep


def _planted(start: int, end: int) -> tuple[Planted, list[tuple[str, int, int]]]:
    extra: list[tuple[str, int, int]] = []
    # Convoy: five cameras along one trip, the companion 5-40 s behind, on three days.
    route = ["LV-MUL-N", "AG-LV-E", "LV-101-N", "PC-CC-N", "CR-OT-E"]
    for d in (3, 5, 8):
        t0 = end - d * DAY + 18 * 3600                 # 10:00 Pacific
        for i, cam in enumerate(route):
            extra += [("8CNV123", t0 + i * 240, cam), ("6PAL456", t0 + i * 240 + 5 + 7 * i, cam)]
    extra.append(("3DEC999", end - 3 * DAY + 18 * 3600 + 20, "LV-MUL-N"))        # once, by chance
    # Stakeout: three incidents at three sites, the same plate near each.
    sites = [("Old Town Calabasas", "CR-OT-E", 12), ("Parkway Calabasas / Calabasas Rd", "PC-CC-N", 9),
             ("Mulholland Hwy / Old Topanga", "MUL-OTC-W", 6)]
    windows = []
    for site, cam, d in sites:
        w0 = end - d * DAY + 21 * 3600
        windows.append((site, w0, w0 + 2 * 3600))
        extra.append(("7STK001", w0 + 1500, cam))
    # Clone: one plate at Malibu Canyon and at Old Topanga 90 s apart (about 7 km).
    k0 = end - 2 * DAY + 14 * 3600
    extra += [("5CLN777", k0, "MAL-CYN-S"), ("5CLN777", k0 + 90, "OTC-N")]
    # Locate: a commuter, weekday mornings northbound at US-101, evenings in Old Town.
    for d in range(1, (end - start) // DAY):
        day0 = (start // DAY + d) * DAY
        if ((day0 // DAY) + 3) % 7 < 5:       # Monday..Friday (Unix day 0 was a Thursday)
            extra += [("4LOC888", day0 + 15 * 3600 + (d * 97) % 1500, "LV-101-N"),
                      ("4LOC888", day0 + 26 * 3600 + 1800 + (d * 53) % 1800, "CR-OT-W")]
    return Planted(start, end, windows, ("8CNV123", end - 10 * DAY, end), end - 2 * DAY, "4LOC888"), extra
