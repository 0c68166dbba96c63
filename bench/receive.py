"""Time the receiver: sustained OpenALPR webhooks with photos into PostgreSQL, and a
10,000-line CA DOJ CLEW file imported.

Run:  scripts/with-postgres .venv/bin/python bench/receive.py [--seconds 20] [--clients 16]

A fresh database on the throwaway cluster of scripts/with-postgres gets the schema and two
cameras; a receiver runs on a local port; ``--clients`` keep-alive connections (from four client
processes) post ``alpr_group`` webhooks as fast as they are answered, each with photos of its own
in base64 (a 640x480 vehicle photo of 35 KB and a plate crop, numbered in a JPEG comment so that
the server checks and stores every one). The client encodes the JSON once and fills in each
post's id, plate and photos, and speaks HTTP/1.1 on a plain socket, so that the two cores it
shares with the server go to the server. The receiver answers once the read is committed, so a
post's time is its time to stored. Goals: at least 500 reads a second, p99 under 200 ms; the
CLEW file under 2 s. Figures are printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import struct
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


def photo(w: int, h: int) -> bytes:
    """A camera-like JPEG (smooth, with text), about the size a real one has (35 KB at 640x480)."""
    img = cv2.GaussianBlur(np.random.default_rng(w).integers(0, 255, (h, w, 3), dtype=np.uint8), (0, 0), 3)
    cv2.putText(img, "7ABC123", (w // 4, h // 2), cv2.FONT_HERSHEY_SIMPLEX, h / 240, (255, 255, 255), 3)
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()


def numbered(jpeg: bytes, n: int) -> str:
    """The photo with a comment segment holding ``n`` after its start marker, in base64: every
    post carries photos of its own (the server checks and stores each; none is a duplicate)."""
    text = f"post {n:012d}".encode()
    return b64(jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + jpeg[2:])


def template() -> tuple[bytes, bytes]:
    """An ``alpr_group`` body as JSON once, with markers where each post's id, plate and photos go
    (the client's JSON encoding is not the server's work being measured)."""
    doc = alpr_group("@ID@", plate="@PLATE@", images=False, epoch_ms=int(time.time() - 30) * 1000)
    doc["vehicle_crop_jpeg"], doc["best_plate"]["plate_crop_jpeg"] = "@SCENE@", "@CROP@"
    body = json.dumps(doc).replace("%", "%%")
    for mark, spec in (("@ID@", "%(id)s"), ("@PLATE@", "%(plate)s"), ("@SCENE@", "%(scene)s"),
                       ("@CROP@", "%(crop)s")):
        body = body.replace(mark, spec)
    head = (f"POST /sources/lv-agent HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Length: %d\r\n\r\n").encode()
    return head, body.encode()


def _answer(sock: socket.socket, buf: bytearray) -> int:
    """Read one HTTP/1.1 response (headers and its Content-Length body); its status."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the receiver closed the connection")
        buf += chunk
    end = buf.index(b"\r\n\r\n") + 4
    head = bytes(buf[:end]).decode("latin-1")
    size = int(next(line.split(":", 1)[1] for line in head.split("\r\n")
                    if line.lower().startswith("content-length:")))
    while len(buf) < end + size:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the receiver closed the connection")
        buf += chunk
    del buf[:end + size]
    return int(head.split(" ", 2)[1])


def _client(port: int, seconds: float, threads: int, tag: int, out) -> None:
    """One client process (its own GIL, as real agents are other machines): ``threads``
    keep-alive connections posting as fast as they are answered; puts its latencies on ``out``."""
    scene, crop = photo(640, 480), photo(160, 50)
    head, body = template()
    stop = time.monotonic() + seconds
    times: list[float] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = bytearray()
        mine, i = [], 0
        while time.monotonic() < stop:
            post = (tag * 100 + n) * 1_000_000 + i
            data = body % {b"id": f"b{tag}-{n}-{i}".encode(), b"plate": f"{n % 10}BEN{i % 1000:03d}".encode(),
                           b"scene": numbered(scene, post).encode(), b"crop": numbered(crop, post).encode()}
            t0 = time.perf_counter()
            sock.sendall(head % len(data) + data)
            if _answer(sock, buf) == 200:
                mine.append(time.perf_counter() - t0)
            i += 1
        sock.close()
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
    with open_server(dsn) as server:
        stored = server.stats()
    print(f"  in the database: {stored.get('reads', 0)} reads, {stored.get('images', 0)} photos "
          "(warm-up included)")
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
