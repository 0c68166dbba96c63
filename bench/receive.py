"""Time the receiver: sustained OpenALPR webhooks with photos into PostgreSQL, and a
10,000-line CA DOJ CLEW file imported.

Run:  scripts/with-postgres .venv/bin/python bench/receive.py [--seconds 20] [--clients 16]

A fresh database on the throwaway cluster of scripts/with-postgres gets the schema and two
cameras; a receiver runs on a local port; ``--clients`` keep-alive connections (from four client processes) post
``alpr_group`` webhooks (each with a 640x480 vehicle photo of 35 KB and a plate crop, base64) as fast
as they are answered. The receiver answers once the read is committed, so a post's time is
its time to stored. Goals: at least 500 reads a second, p99 under 200 ms; the CLEW file under
2 s. Figures are printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from app.server.connect import open_server  # noqa: E402
from app.server.hotlist_files.watch import import_file  # noqa: E402
from app.server.receiver import config  # noqa: E402
from app.server.receiver.service import Service  # noqa: E402
from tests.receiver_helpers import TOKEN, TOKEN_SHA, alpr_group, b64  # noqa: E402
from tests.server_helpers import CAMS, _drop_pg, _pg_database  # noqa: E402


def photo(w: int, h: int) -> str:
    """A camera-like JPEG (smooth, with text), about the size a real one has (35 KB at 640x480)."""
    img = cv2.GaussianBlur(np.random.default_rng(w).integers(0, 255, (h, w, 3), dtype=np.uint8), (0, 0), 3)
    cv2.putText(img, "7ABC123", (w // 4, h // 2), cv2.FONT_HERSHEY_SIMPLEX, h / 240, (255, 255, 255), 3)
    return b64(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())


def _client(port: int, seconds: float, threads: int, tag: int, out) -> None:
    """One client process (its own GIL, as real agents are other machines): ``threads``
    keep-alive connections posting as fast as they are answered; puts its latencies on ``out``."""
    scene, crop = photo(640, 480), photo(160, 50)
    stop = time.monotonic() + seconds
    times: list[float] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, i = [], 0
        while time.monotonic() < stop:
            doc = alpr_group(f"b{tag}-{n}-{i}", plate=f"{n % 10}BEN{i % 1000:03d}", images=False,
                             epoch_ms=int(time.time() - 30) * 1000)
            doc["vehicle_crop_jpeg"], doc["best_plate"]["plate_crop_jpeg"] = scene, crop
            body = json.dumps(doc)
            t0 = time.perf_counter()
            conn.request("POST", "/sources/lv-agent", body, {"Content-Type": "application/json",
                                                              "Authorization": f"Bearer {TOKEN}"})
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                mine.append(time.perf_counter() - t0)
            i += 1
        with lock:
            times.extend(mine)

    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put(times)


def webhooks(seconds: float, clients: int, port: int, tag: int) -> tuple[int, list[float]]:
    import multiprocessing as mp
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_client, args=(port, seconds, clients // 4 or 1, tag * 10 + k, out))
             for k in range(4)]
    for p in procs:
        p.start()
    times = [t for _ in procs for t in out.get()]
    for p in procs:
        p.join()
    return len(times), sorted(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", type=int, default=16)
    args = ap.parse_args()
    if not os.environ.get("ALPR_TEST_PG_DSN"):
        sys.exit("Run under scripts/with-postgres (ALPR_TEST_PG_DSN is not set).")
    name, dsn = _pg_database()
    with open_server(dsn) as server:
        server.put_cameras(CAMS)
    cfg = config.parse({"server": dsn, "port": 0, "sources": [
        {"name": "lv-agent", "kind": "openalpr", "token_sha256": TOKEN_SHA,
         "cameras": {"AGENT1/1001": "CAM-LV-N"}}]})
    service = Service(cfg, lambda: open_server(dsn), time.time, timers=False)
    port = service.start()
    try:
        webhooks(2, args.clients, port, 1)                               # warm up
        n, times = webhooks(args.seconds, args.clients, port, 2)
        wall = args.seconds                 # each client posts for exactly this long once started
    finally:
        service.stop()
    pct = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1000  # noqa: E731
    print(f"OpenALPR webhooks with photos into PostgreSQL, {args.clients} connections, {wall:.1f} s:")
    print(f"  {n / wall:7.0f} reads/s stored (goal >= 500)")
    print(f"  time to stored: p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms "
          f"(goal p99 < 200 ms)")
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "svs.txt"
        recs = [f"{i:07d} CA19{20261101}" for i in range(10_000)]
        f.write_text("DATE 20261120\n" + "\n".join(recs) + "\nTOTAL RECORDS 010000\n", encoding="ascii")
        with open_server(dsn) as server:
            t0 = time.perf_counter()
            report = import_file(server, f, "bench", int(time.time()))
            took = time.perf_counter() - t0
    print(f"CLEW file of 10,000 lines imported in {took:.2f} s (goal < 2 s): {report.summary()}")
    _drop_pg(name)


if __name__ == "__main__":
    main()
