"""Time the audit review of one month over an access log of 1,000,000 entries.

Run:  scripts/with-keyring .venv/bin/python bench/audit.py [--entries 1000000] [--months 12]

The store is a real encrypted Workstation store. Its log is filled by a bulk insert that
computes the same chain the engine writes (each entry's SHA-256 over the one before, its
forward-secure MAC, the key evolved; the head record at the end), so ``audit verify`` holds;
the mix is a working agency's: searches (a few by camera alone, some at night; each deputy
mostly their own cases' plates, now and then a wanted plate everyone looks for), scrolling,
views and photos, purpose declarations, logins, hot-list work, exports, prints and refusals,
by 30 trained users over the months before the clock. Then ``ws.reviews.run`` reviews the last
full month as the auditor would (guard, rules, chain walk, sample, records and entry). Goal:
under 10 s. Figures are printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine import accesslog  # noqa: E402
from app.engine.workstation import Workstation  # noqa: E402
from tests.conftest import Clock, People  # noqa: E402

NOW = datetime(2026, 11, 5, 18, tzinfo=timezone.utc).timestamp()
CASES = [f"LHS-2026-{n:06d}" for n in range(1, 400)]
PURPOSES = ["STOLEN-VEH", "WANTED", "FELONY-INV", "MISSING"]
MIX = [("search", 52), ("search_page", 10), ("view", 15), ("view_image", 6), ("purpose_set", 3),
       ("login", 3), ("logout", 3), ("hotlist_view", 3), ("hit_disposition", 1.5), ("export", 0.3),
       ("print", 0.3), ("denied", 0.4), ("session_lock", 2.5)]


def _canon(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _entry(rng: random.Random, action: str, plates: list[str]) -> tuple[dict, dict, list[int], bool]:
    """(query, detail, result ids, carries purpose) of one entry of ``action``; ``plates`` are
    the plates of this user's cases."""
    ids = [rng.randrange(1, 5_000_000) for _ in range(rng.choice((1, 2, 3, 5, 8)))]
    if action == "search":
        if rng.random() < 0.02:
            return {"cameras": ["CAM-LV-N"], "start": 0, "end": 3600}, {"returned": 200}, ids, True
        return {"plate": rng.choice(plates), "mode": "exact"}, {"returned": len(ids)}, ids, True
    if action == "search_page":
        return {"plate": rng.choice(plates), "offset": 200}, {"returned": len(ids)}, ids, True
    if action in ("view", "view_image"):
        return {"read_id": ids[0]}, {}, ids[:1], True
    if action in ("export", "print"):
        return {"target": "/media/usb"}, {"package": "PKG"}, ids, True
    if action == "denied":
        return {}, {"action": "purge", "reason": "not authorised"}, [], False
    if action == "hit_disposition":
        return {"hit_id": ids[0]}, {"disposition": "confirmed"}, ids[:1], True
    return {}, {}, [], action == "purpose_set"


def fill_log(ws: Workstation, users: list[tuple[str, str, str]], n: int, months: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    def plate() -> str:
        return f"{rng.randrange(1, 9)}{''.join(rng.choices('ABCDEFGHJKLMNPRSTUVWXYZ', k=3))}{rng.randrange(100, 999)}"
    shared = [plate() for _ in range(50)]                      # wanted plates everyone looks for
    own = {u[0]: [plate() for _ in range(3000)] for u in users}  # each deputy's own cases' plates
    purpose_of = {c: PURPOSES[i % len(PURPOSES)] for i, c in enumerate(CASES)}
    actions, weights = zip(*MIX)
    span = months * 30 * 86400
    start = NOW - span - 86400
    step = span / n
    with ws.store.transaction() as conn:
        seq, prev, key = accesslog._checked_head(conn)
        batch: list[tuple] = []
        t = start
        for _ in range(n):
            t += step * rng.uniform(0.2, 1.8)
            day = int(t // 86400) * 86400
            hour = rng.choice((8, 9, 10, 11, 13, 14, 15, 16, 17, 19)) if rng.random() < 0.97 else rng.randrange(24)
            ts = accesslog.utc_now_iso(day + hour * 3600 + (t % 3600))
            user, agency, role = users[rng.randrange(len(users))]
            action = rng.choices(actions, weights)[0]
            q, d, ids, purposeful = _entry(rng, action, shared if rng.random() < 0.002 else own[user])
            case = rng.choice(CASES)
            purpose, case = (purpose_of[case], case) if purposeful else (None, None)
            if purposeful and rng.random() < 0.0005:
                purpose = rng.choice(PURPOSES)                   # now and then a case under another purpose
            seq += 1
            qs, rs, ds = _canon(q), _canon(ids), _canon(d)
            digest = accesslog.entry_hash(seq, ts, user, agency, role, action, qs, purpose, case, rs, ds, prev)
            batch.append((seq, ts, user, agency, role, action, qs, purpose, case, rs, ds, prev, digest,
                          accesslog.mac(key, digest)))
            key, prev = accesslog.evolve(key), digest
            if len(batch) >= 50_000:
                conn.executemany("INSERT INTO access_log(seq, ts, username, agency, role, action, query, purpose, "
                                 "case_number, result_ids, detail, prev_hash, hash, mac) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
                batch.clear()
        if batch:
            conn.executemany("INSERT INTO access_log(seq, ts, username, agency, role, action, query, purpose, "
                             "case_number, result_ids, detail, prev_hash, hash, mac) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
        conn.execute("UPDATE access_log_head SET seq = ?, hash = ?, mac = ?, next_key = ? WHERE id = 1",
                     (seq, prev, accesslog._head_mac(key, seq, prev), key))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--verify", action="store_true", help="also time a full 'audit verify' of the chain")
    args = ap.parse_args()
    clock = Clock(NOW)
    with tempfile.TemporaryDirectory(prefix="alpr-bench-audit-") as tmp:
        ws = Workstation.create(Path(tmp) / "store", "calabasas", clock)
        people = People(ws, clock)
        users = []
        for i in range(30):
            s = people.user(f"deputy{i:02d}", "deputy", trained=False, purpose=False)
            people.train(s.user.username, days_ago=500, valid_days=900)
            users.append((s.user.username, s.user.agency, "deputy"))
        auditor = people.user("aaud", "auditor", purpose=False)
        t0 = time.perf_counter()
        fill_log(ws, users, args.entries, args.months)
        built = time.perf_counter() - t0
        total = ws.store.query_one("SELECT count(*) FROM access_log")[0]
        print(f"log built: {total:,} entries over {args.months} months in {built:.1f} s")
        period = ws.reviews.period("2026-10")
        t0 = time.perf_counter()
        review = ws.reviews.run(auditor, period)
        took = time.perf_counter() - t0
        r = review.review
        month = ws.store.query_one("SELECT count(*) FROM access_log WHERE ts >= ? AND ts < ?",
                                   (accesslog.utc_now_iso(r.period_start), accesslog.utc_now_iso(r.period_end)))[0]
        by_rule: dict[str, int] = {}
        for i in review.items:
            by_rule[i.rule] = by_rule.get(i.rule, 0) + 1
        print(f"review of {r.label}: {month:,} entries in the month, {len(review.items)} items "
              f"({', '.join(f'{k} {v}' for k, v in sorted(by_rule.items()))})")
        print(f"one-month review: {took:.2f} s (goal < 10 s)")
        t0 = time.perf_counter()
        ws.reviews.report(auditor, r.id, Path(tmp) / "review.pdf")
        print(f"its PDF report: {time.perf_counter() - t0:.2f} s")
        if args.verify:
            t0 = time.perf_counter()
            report = ws.audit_verify(auditor)
            print(f"full audit verify: {report.entries:,} entries, ok={report.ok}, {time.perf_counter() - t0:.1f} s")
        ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
