"""Fixtures for the city server and sync tests: one parametrized ``city`` that is the embedded
server or a fresh database on the throwaway PostgreSQL of ``scripts/test``, and helpers that
fill it with reads carrying real (tiny) PNG photos."""
from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from dataclasses import dataclass

import cv2
import numpy as np
import pytest

from app.server.connect import open_server
from app.server.embedded import EmbeddedServer
from app.server.model import Camera, Hotlist, HotlistEntry, Image, NewRead

PG_DSN = os.environ.get("ALPR_TEST_PG_DSN")
OPERATOR, OPERATOR_PASSWORD = "amanager", "Correct-Horse-7-Battery-Staple"   # conftest's administrator
NO_PG = "ALPR_TEST_PG_DSN is not set: run the suite with scripts/test (it starts a throwaway PostgreSQL)"

CAMS = [Camera("CAM-LV-N", "Las Virgenes Rd northbound", "Las Virgenes / Agoura Rd", 34.1436, -118.7047, "N"),
        Camera("CAM-CC-E", "Calabasas Rd eastbound", "Old Town Calabasas", 34.1573, -118.6387, "E")]
SVS = Hotlist("svs", "Stolen vehicles", "CA DOJ SVS", "stolen")


@dataclass
class City:
    kind: str
    address: str
    server: object
    dsn: str | None = None
    key: str | None = None            # the embedded server's key (hex), as an operator unlocked it

    @property
    def secret(self) -> str | None:
        """What the workstation's administrator gives in the sync settings: the embedded
        server's operator password (the test administrator operates it), none on the trusting
        test PostgreSQL."""
        return OPERATOR_PASSWORD if self.kind == "embedded" else None

    def reconnect(self) -> None:
        try:
            self.server.close()
        except Exception:
            pass
        self.server = open_server(self.address, self.key)


def _pg_database() -> tuple[str, str]:
    import psycopg
    from psycopg.conninfo import make_conninfo

    from app.server.postgres import init_schema
    name = "alpr_t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    dsn = make_conninfo(PG_DSN, dbname=name)
    init_schema(dsn)
    return name, dsn


def _drop_pg(name: str) -> None:
    import psycopg
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def make_city(kind: str, tmp_path) -> tuple[City, callable]:
    if kind == "embedded":
        folder = tmp_path / f"city-{uuid.uuid4().hex[:6]}"
        server = EmbeddedServer.create(folder, OPERATOR, OPERATOR_PASSWORD, retention_days=730,
                                       now=1_700_000_000)
        return City(kind, f"embedded:{folder}", server, key=server._key.hex()), lambda: None
    if not PG_DSN:
        pytest.skip(NO_PG)
    name, dsn = _pg_database()
    return City(kind, dsn, open_server(dsn), dsn), lambda: _drop_pg(name)


@pytest.fixture(params=["embedded", "postgresql"])
def city(request, tmp_path):
    c, cleanup = make_city(request.param, tmp_path)
    yield c
    try:
        c.server.close()
    except Exception:
        pass
    cleanup()


def png(seed: int, size: int = 12) -> bytes:
    rng = np.random.default_rng(seed)
    ok, buf = cv2.imencode(".png", rng.integers(0, 255, (size, size * 2, 3), dtype=np.uint8))
    assert ok
    return buf.tobytes()


def add_reads(server, reads: list[tuple[str, int, str]], now: int, images: bool = True,
              seed: int = 0) -> list[int]:
    """Ingest (plate, read_at, camera) reads, each with its own scene and plate PNG."""
    new, imgs = [], []
    for i, (plate, ts, cam) in enumerate(reads):
        psha = ssha = None
        if images:
            scene, crop = png(seed * 100003 + i * 2), png(seed * 100003 + i * 2 + 1, 6)
            ssha, psha = hashlib.sha256(scene).hexdigest(), hashlib.sha256(crop).hexdigest()
            imgs += [Image(ssha, "scene", "image/png", 24, 12, scene), Image(psha, "plate", "image/png", 12, 6, crop)]
        new.append(NewRead(plate, ts, cam, 0.9, "TestCam", "[1, 1, 4, 2]", psha, ssha or uuid.uuid4().hex,
                           f"{cam}|{ts}|{seed}|{i}"))
    out = server.ingest(new, imgs, now)
    return [rid for what, rid in out if what == "read"]


def seed_city(server, now: int, n: int = 30, hot_plate: str = "7HOT123") -> list[int]:
    """Cameras, the SVS hotlist with one entry, and ``n`` reads (every 10th of ``hot_plate``)."""
    server.put_cameras(CAMS)
    server.put_hotlist(SVS)
    server.add_entries([HotlistEntry("svs", hot_plate, "Stolen vehicle (VC 10851)", 1, None, "doj", now - 100)])
    reads = [(hot_plate if i % 10 == 0 else f"8ABC{i:03d}", now - 3600 * 24 + i * 60, CAMS[i % 2].id)
             for i in range(n)]
    return add_reads(server, reads, now)


def server_truth(server) -> dict:
    """Read ids and plates, image hashes and active entries, straight from the server."""
    reads = []
    mark = 0
    while True:
        rows = server.feed("reads", mark, 5000)
        if not rows:
            break
        reads += rows
        mark = rows[-1][-1]
    entries = server.feed("hotlist_entries", 0, 100000)
    return {"reads": {r[0]: r[1] for r in reads},
            "images": {s for r in reads for s in (r[7], r[8]) if s},
            "entries": entries}


def pg_restart() -> None:
    """Restart the throwaway cluster of scripts/with-postgres (every connection drops)."""
    pgbin, data = os.environ["ALPR_TEST_PG_BIN"], os.environ["ALPR_TEST_PG_DATA"]
    run = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    log = os.path.join(os.path.dirname(data), "log")
    subprocess.run([*run, f"{pgbin}/pg_ctl", "-D", data, "-l", log, "-m", "fast", "-w", "restart"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
