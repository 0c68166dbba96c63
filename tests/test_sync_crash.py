"""kill -9 the sync at random points, over and over, while the city server keeps changing;
after a final sync the local reads, images and hits and the server's copy of the access log
must equal the truth: nothing lost, nothing twice."""
from __future__ import annotations

import hashlib
import random
import subprocess
import sys
import time

import pytest

from app.engine import accesslog
from app.server.model import LOG_COLUMNS, HotlistEntry

from tests.conftest import PASSWORD
from tests.server_helpers import CAMS, PG_DSN, add_reads, make_city, seed_city, server_truth

KILLS = 20


@pytest.mark.slow
def test_kill_minus_nine_at_random_points(ws, people, tmp_path, clock):
    city, cleanup = make_city("postgresql" if PG_DSN else "embedded", tmp_path)
    try:
        _crash_loop(ws, people, city, clock)
    finally:
        city.server.close()
        cleanup()


def _crash_loop(ws, people, city, clock):
    now = int(clock())
    seed_city(city.server, now, n=300)
    ws.sync.configure(people.admin(), city.address, city.secret)
    session = people.user("pat.rivera", "prosecutor")
    rng = random.Random(20261123)
    kills, finished, rounds = 0, 0, 0
    while kills < KILLS and rounds < 100:
        rounds += 1
        plates = [rng.choice(["7HOT123", f"5RND{rng.randrange(1000):03d}", f"6CMT{rng.randrange(40):03d}"])
                  for _ in range(80)]
        add_reads(city.server, [(p, now - rng.randrange(86400), rng.choice(CAMS).id) for p in plates],
                  now, seed=rounds)
        if rounds % 3 == 0:
            city.server.add_entries([HotlistEntry("svs", f"6CMT{rng.randrange(40):03d}", "Wanted", 2, None,
                                                  "doj", now)])
        if rounds % 4 == 0:
            ids = sorted(server_truth(city.server)["reads"])
            city.server.purge_reads(rng.sample(ids, 5), "court order", now)
        proc = subprocess.Popen([sys.executable, "-m", "tests.sync_crash_runner", str(ws.store.data_dir),
                                 "pat.rivera", "15"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        proc.stdin.write(PASSWORD + "\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "SYNCING", proc.stderr.read()
        # Somewhere inside the sync: after a random number of its progress steps, then a few
        # random milliseconds into the next batch (steps, not wall time, so load cannot move it).
        line = ""
        for _ in range(rng.randrange(0, 24)):
            line = proc.stdout.readline().strip()
            if line != "STEP":
                break
        time.sleep(rng.uniform(0.0, 0.02))
        if line != "DONE" and proc.poll() is None:
            proc.kill()
            kills += 1
        else:
            finished += 1
        proc.wait(timeout=30)
        proc.stdin.close()
        proc.stdout.close()
        proc.stderr.close()
    assert kills >= KILLS, f"only {kills} kills in {rounds} rounds"

    list(ws.sync.run(session))                         # the final, uninterrupted sync
    truth = server_truth(city.server)
    local = dict(ws.store.query("SELECT id, plate FROM reads"))
    assert local == truth["reads"]
    images = {s: bytes(d) for s, d in ws.store.query("SELECT lower(hex(sha256)), data FROM images")}
    assert set(images) == truth["images"]
    assert all(hashlib.sha256(d).hexdigest() == s for s, d in images.items())
    active = {}
    for e in truth["entries"]:
        if e[5] is None or e[5] > clock():
            active.setdefault(e[2], []).append(e[0])
    expected = {(rid, eid) for rid, plate in truth["reads"].items() for eid in active.get(plate, [])}
    held = ws.store.query("SELECT read_id, entry_id FROM hits")
    assert len(held) == len(set(held)) and set(held) == expected
    log = [tuple(r) for r in ws.store.query(f"SELECT {', '.join(LOG_COLUMNS)} FROM access_log ORDER BY seq")]
    assert [tuple(r) for r in city.server.uploaded_log(ws.store.store_id)] == log
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE uploaded = 0")[0] == 0
    with ws.store.reading() as conn:
        assert accesslog.verify(conn, ws.log_first_key(), ws.log_receipt()).ok
    print(f"{kills} kills, {finished} syncs finished on their own, {len(local)} reads, {len(held)} hits")
