"""Reads with real JPEG images, inserted the way a sync stores them (shared by tests and bench)."""
from __future__ import annotations

import functools
import hashlib
import json

import cv2
import numpy as np

from tests.conftest import insert_reads


def plate_jpeg(plate: str, seed: int) -> bytes:
    img = np.full((80, 260, 3), 245, np.uint8)
    cv2.rectangle(img, (3, 3), (256, 76), (40, 40, 40), 3)
    cv2.putText(img, plate, (18, 58), cv2.FONT_HERSHEY_DUPLEX, 1.6, (90, 30, 20), 3, cv2.LINE_AA)
    noise = np.random.default_rng(seed).integers(0, 12, img.shape, dtype=np.uint8)
    return cv2.imencode(".jpg", cv2.add(img, noise), [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


@functools.lru_cache(maxsize=16)
def _background(size: tuple[int, int], variant: int) -> np.ndarray:
    """A noisy road-grey gradient; cached, since drawing noise costs more than the JPEG."""
    w, h = size
    ramp = np.linspace(70, 180, h, dtype=np.float32)[:, None, None]
    noise = np.random.default_rng(variant).normal(0, 14, (h, w, 3))
    return np.clip(ramp + noise, 0, 255).astype(np.uint8)


def scene_jpeg(plate_img: bytes, seed: int, size: tuple[int, int]) -> tuple[bytes, list[int]]:
    w, h = size
    img = _background(size, seed % 8).copy()
    rng = np.random.default_rng(seed)
    x, y = (int(v) for v in rng.integers(0, (max(1, w - 40), max(1, h - 40))))
    img[y:y + 40, x:x + 40] = rng.integers(0, 255, (min(40, h - y), min(40, w - x), 3), dtype=np.uint8)
    cw, ch = w // 3, h // 3
    cx, cy = w // 3, h // 2
    cv2.rectangle(img, (cx, cy - ch // 2), (cx + cw, cy + ch // 2), (60, 60, 110), -1)
    plate = cv2.imdecode(np.frombuffer(plate_img, np.uint8), cv2.IMREAD_COLOR)
    pw = cw // 2
    ph = max(8, pw * plate.shape[0] // plate.shape[1])
    px, py = cx + (cw - pw) // 2, cy + ch // 2 - ph - 4
    img[py:py + ph, px:px + pw] = cv2.resize(plate, (pw, ph))
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes(), [px, py, pw, ph]


def add_images(ws, reads: list[tuple[int, str]], scene_size: tuple[int, int] = (320, 180)) -> dict[int, dict]:
    """Give each (read_id, plate) a plate crop and a scene photo; returns id -> {kind: bytes}."""
    out: dict[int, dict] = {}
    rows, updates = [], []
    for rid, plate in reads:
        p = plate_jpeg(plate, rid)
        s, box = scene_jpeg(p, rid + 10_000_000, scene_size)
        ps, ss = hashlib.sha256(p).hexdigest(), hashlib.sha256(s).hexdigest()
        rows += [(ps, "plate", "image/jpeg", 260, 80, len(p), p),
                 (ss, "scene", "image/jpeg", scene_size[0], scene_size[1], len(s), s)]
        updates.append((ps, ss, json.dumps(box), rid))
        out[rid] = {"plate": p, "scene": s, "box": box}
    with ws.store.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO images(sha256, kind, mime, width, height, size, data) "
                         "VALUES (unhex(?),?,?,?,?,?,?)", rows)
        conn.executemany("UPDATE reads SET plate_image_sha256 = unhex(?), scene_image_sha256 = unhex(?), plate_box = ? "
                         "WHERE id = ?", updates)
    return out


def add_reads_with_images(ws, n: int, start_id: int, now: int, scene_size=(320, 180)) -> list[int]:
    cams = ["CAM-LV-N", "CAM-LV-S", "CAM-CC-E", "CAM-MP-W"]
    reads = [(start_id + i, f"{(i % 9) + 1}ABC{i % 1000:03d}", now - 60 * (i + 1), cams[i % 4],
              0.8 + (i % 20) / 100) for i in range(n)]
    insert_reads(ws, reads)
    add_images(ws, [(r[0], r[1]) for r in reads], scene_size)
    return [r[0] for r in reads]


def add_hit_and_correction(ws, read_id: int, plate: str, now: int) -> None:
    with ws.store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO hotlists(id, name, source, kind) VALUES "
                     "('svs', 'CA DOJ Stolen Vehicle System', 'CA DOJ SVS', 'stolen')")
        cur = conn.execute("INSERT INTO hotlist_entries(hotlist_id, plate, reason, priority, added_at) "
                           "VALUES ('svs', ?, 'Stolen vehicle, VC 10851', 1, ?)", (plate, now - 86400))
        conn.execute("INSERT INTO hits(read_id, entry_id, created_at, disposition, disposed_by, disposed_at) "
                     "VALUES (?, ?, ?, 'confirmed', 'dsmith', ?)", (read_id, cur.lastrowid, now - 50, now - 40))
        conn.execute("INSERT INTO corrections(read_id, old_plate, new_plate, reason, username, corrected_at, uuid) "
                     "VALUES (?, ?, ?, 'Plate image shows B, vendor read 8', 'dsmith', ?, ?)",
                     (read_id, plate.replace("B", "8"), plate, now - 30, f"corr-{read_id}"))


def agency(ws, designee, name: str = "Ventura County Sheriff's Office", agency_type: str = "law_enforcement",
           state: str = "CA", level: str = "local") -> int:
    """The id of this agency's entry in the register (``designee`` adds it the first time)."""
    from app.engine.oversight.agencies import AgencyForm
    for entry in ws.agencies.entries(designee):
        if entry.name == name:
            return entry.id
    return ws.agencies.add(designee, AgencyForm(name, agency_type, level, state, "MOU 2026-014 on file",
                                                "Records unit, (805) 555-0100")).id
