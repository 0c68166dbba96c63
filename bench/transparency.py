"""The transparency report of one month over an access log of 1,000,000 entries (goal: under 5 s).

Builds a Calabasas store whose log holds a year of entries (searches under every purpose,
views, dispositions, holds, releases, purges, audit reviews, refusals), each chained to the one
before as the workstation writes them, then times the records custodian writing the month's
HTML page and PDF (figures counted from the log up to its head), and the check of the page
against the log (which rebuilds the whole chain up to that head). Prints the figures; no asserts.
Run from the project root inside scripts/with-keyring (the store's key slots need a keyring).
"""
from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyotp  # noqa: E402

from app.engine import accesslog  # noqa: E402
from app.engine.oversight import transparency  # noqa: E402
from app.engine.workstation import Workstation  # noqa: E402

PASSWORD = "Bench-Transparency-Passphrase-26"
ENTRIES = 1_000_000
NOW = 1_795_723_200                     # 2026-11-26 12:00 PST
YEAR = 365 * 86400
COLS = ", ".join(accesslog.CSV_FIELDS)


def _entry(rng: random.Random, purposes: list[str]) -> tuple[str, dict, str | None, str | None, list, dict]:
    """(action, query, purpose, case, result ids, detail) of one made-up entry."""
    r = rng.random()
    purpose, case = rng.choice(purposes), f"LHS-2026-{rng.randrange(1, 99999):06d}"
    ids = [rng.randrange(1, 10_000_000) for _ in range(rng.randrange(1, 20))]
    if r < 0.45:
        return "search", {"plate": "7ABC123", "mode": "exact"}, purpose, case, ids, {"returned": len(ids)}
    if r < 0.75:
        return "view", {"read_id": ids[0]}, purpose, case, ids[:1], {}
    if r < 0.80:
        return "hit_disposition", {"hit_id": ids[0]}, purpose, case, ids[:1], {
            "disposition": rng.choice(["confirmed", "misread", "not_actioned"])}
    if r < 0.81:
        return "hold_place", {"case_number": case, "kind": "evidence"}, None, None, ids, {"reads": len(ids)}
    if r < 0.812:
        return "export", {"read_ids": len(ids)}, purpose, case, ids, {"release_request": None}
    if r < 0.813:
        return "audit_review", {}, None, None, [], {"period": "month"}
    if r < 0.83:
        return "denied", {}, None, None, [], {"action": "search", "reason": "no purpose"}
    if r < 0.831:
        return "sync", {}, None, None, [], {"ok": True, "hits": rng.randrange(0, 5)}
    return "login", {}, None, None, [], {}


def build_log(ws: Workstation) -> None:
    """ENTRIES chained entries over the year before NOW, after what the store holds."""
    rng = random.Random(7)
    purposes = [p.code for p in ws.profile.purposes]
    canon = accesslog._canon
    with ws.store.transaction() as conn:
        seq, prev = accesslog.head(conn)
        rows = []
        for i in range(1, ENTRIES + 1):
            action, q, purpose, case, ids, d = _entry(rng, purposes)
            ts = accesslog.utc_now_iso(NOW - YEAR + i * YEAR / ENTRIES - 7200)
            qs, rs, ds = canon(q), canon(ids), canon(d)
            digest = accesslog.entry_hash(seq + i, ts, "dana.kim", "LASD", "deputy", action, qs,
                                          purpose, case, rs, ds, prev)
            rows.append((seq + i, ts, "dana.kim", "LASD", "deputy", action, qs, purpose, case, rs, ds,
                         prev, digest, None))
            prev = digest
            if len(rows) == 50_000:
                conn.executemany(f"INSERT INTO access_log({COLS}) VALUES ({','.join('?' * 14)})", rows)
                rows = []
        conn.executemany(f"INSERT INTO access_log({COLS}) VALUES ({','.join('?' * 14)})", rows)
        accesslog.start_chain(conn, seq + ENTRIES, prev)       # the head names the last entry


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="alpr-bench-transparency-"))
    ws = Workstation.create(folder / "store", "calabasas", lambda: NOW)
    ws.create_first_admin("bench.admin", "Bench Admin", PASSWORD)
    ws.setup_user("casey.lee", "Casey Lee", "custodian", PASSWORD)
    today = date.fromtimestamp(NOW)
    ws.add_training(None, "casey.lee", ws.profile.training_course, str(today - timedelta(days=9)),
                    str(today + timedelta(days=300)))
    t0 = time.perf_counter()
    build_log(ws)
    print(f"log of {ENTRIES:,} entries built in {time.perf_counter() - t0:.1f} s")
    s = ws.login("casey.lee", PASSWORD)
    enrol = ws.begin_totp(s)
    ws.confirm_totp(s, pyotp.TOTP(enrol.secret).at(NOW))
    period = transparency.month(2026, 10, ws.custody.tz)
    month = ws.store.query_one("SELECT count(*) FROM access_log WHERE ts >= ? AND ts < ?", period.iso)[0]
    for name in ("report.html", "report.pdf"):
        t0 = time.perf_counter()
        done = ws.custody.transparency_report(s, period, folder / name)
        took = time.perf_counter() - t0
        print(f"transparency report {name} for {period.label} ({month:,} entries of the month, up to "
              f"entry {done.through_seq:,}): {took:.2f} s (goal: under 5 s)")
    t0 = time.perf_counter()
    result = ws.custody.verify_transparency(s, folder / "report.html")
    print(f"check of the page against the log (chain rebuilt up to entry {result.through_seq:,}): "
          f"{time.perf_counter() - t0:.2f} s, {'ok' if result.ok else result.summary()}")
    figures = json.loads(ws.store.query_one("SELECT detail FROM access_log WHERE action = "
                                            "'transparency_report' ORDER BY seq DESC LIMIT 1")[0])["figures"]
    print("searches by purpose:", figures["log"]["searches_by_purpose"])
    ws.close()


if __name__ == "__main__":
    main()
