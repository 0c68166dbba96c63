"""Sample data for the GUI's tests, screenshots and bench: cameras, reads, photos, hotlists, hits.

Written straight into a real encrypted store, the way a sync would leave it, so the desktop
can be driven and photographed without a city server. Photos are drawn with OpenCV (a
plate crop and a street scene with the plate in it) and stored by SHA-256 like real ones.
"""
from __future__ import annotations

import hashlib
import json
import random

import cv2
import numpy as np

from app.engine import hits

from .conftest import CAMERAS

PLATES = ["7ABC123", "8XYZ999", "7A8C123", "4KLM456", "6TRK221", "5SAM808", "3DOG777",
          "8BEE020", "2ZED515", "7ABC128", "1LIL101", "9QRS334"]
HOTLISTS = [("ca-doj-svs", "Stolen vehicles", "CA DOJ SVS", "stolen"),
            ("lasd-wanted", "Wanted persons", "LASD Lost Hills", "wanted"),
            ("city-ce", "Code enforcement", "City of Calabasas", "code_enforcement")]
ENTRIES = [(1, "ca-doj-svs", "8XYZ999", "Stolen 2019 Honda Civic, VC 10851", 1, "CA"),
           (2, "lasd-wanted", "6TRK221", "Felony warrant, registered owner", 2, "CA"),
           (3, "city-ce", "5SAM808", "Oversize vehicle ordinance, repeat", 4, None)]
# Issuing states: most plates are Californian; two are from elsewhere, one was not read.
STATES = {"3DOG777": "NV", "9QRS334": "AZ", "1LIL101": None}


def _jpeg(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return buf.tobytes()


def plate_image(text: str, dim: bool = False) -> np.ndarray:
    img = np.full((90, 260, 3), 245, np.uint8)
    cv2.rectangle(img, (3, 3), (256, 86), (60, 60, 60), 2)
    cv2.putText(img, "California", (78, 22), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 0.6, (40, 40, 200), 1,
                cv2.LINE_AA)
    cv2.putText(img, text, (16, 72), cv2.FONT_HERSHEY_SIMPLEX, 1.55, (110, 40, 20), 4, cv2.LINE_AA)
    if dim:
        img = cv2.GaussianBlur((img * 0.45 + 40).astype(np.uint8), (5, 5), 1.6)
    return img


def scene_image(text: str, seed: int) -> tuple[np.ndarray, list[int]]:
    rng = random.Random(seed)
    h, w = 540, 960
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = np.linspace(95, 55, h, dtype=np.uint8)[:, None, None]
    cv2.rectangle(img, (0, 0), (w, 150), (150, 130, 110), -1)            # buildings
    for x in range(0, w, 120):
        cv2.rectangle(img, (x + 10, 30), (x + 90, 140), (110 + rng.randint(0, 40),) * 3, -1)
    cv2.line(img, (w // 2, 150), (w // 2, h), (200, 200, 200), 4)
    colour = tuple(rng.randint(40, 200) for _ in range(3))
    cv2.rectangle(img, (300, 210), (660, 470), colour, -1)                 # the car
    cv2.rectangle(img, (330, 230), (630, 320), (40, 40, 40), -1)           # rear window
    cv2.rectangle(img, (310, 420), (360, 445), (30, 30, 190), -1)
    cv2.rectangle(img, (600, 420), (650, 445), (30, 30, 190), -1)
    crop = cv2.resize(plate_image(text), (130, 45))
    box = [415, 400, 130, 45]
    img[400:445, 415:545] = crop
    return img, box


def _image_row(kind: str, img: np.ndarray) -> tuple:
    data = _jpeg(img)
    return (hashlib.sha256(data).hexdigest(), kind, "image/jpeg", img.shape[1], img.shape[0],
            len(data), data)


def misread_id(per_plate: int = 6) -> int:
    return PLATES.index("7A8C123") * per_plate + 1


def insert_sample(ws, now: int, per_plate: int = 6) -> list[int]:
    """A small city: reads of PLATES over ten days with photos, hotlists and their hits.

    The first read of 7A8C123 (``misread_id(per_plate)``) is flagged as a possible misread,
    our OCR having read 7ABC123. Returns the read ids in insertion order.
    """
    rng = random.Random(4)
    images, reads = {}, []
    rid = 0
    for p_index, plate in enumerate(PLATES):
        for k in range(per_plate):
            rid += 1
            cam = CAMERAS[(p_index + k) % len(CAMERAS)]
            read_at = now - rng.randint(600, 10 * 86400) if k else now - 300 * (p_index + 1)
            dim = (rid % 5 == 0)
            plate_row = _image_row("plate", plate_image(plate, dim=dim))
            scene, box = scene_image(plate, rid)
            scene_row = _image_row("scene", scene)
            images[plate_row[0]], images[scene_row[0]] = plate_row, scene_row
            conf = round(0.62 + rng.random() * 0.37, 2)
            reads.append((rid, plate, read_at, cam[0], conf, "Flock",
                          json.dumps(box), plate_row[0], scene_row[0], None, None, 0,
                          STATES.get(plate, "CA")))
    m = misread_id(per_plate) - 1
    reads[m] = reads[m][:9] + ("7ABC123", 0.88, 1, reads[m][12])
    with ws.store.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO cameras(id, name, site, lat, lon, direction) "
                         "VALUES (?,?,?,?,?,?)", CAMERAS)
        conn.executemany("INSERT OR IGNORE INTO images(sha256, kind, mime, width, height, size, data) "
                         "VALUES (unhex(?),?,?,?,?,?,?)", list(images.values()))
        conn.executemany(
            "INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor, "
            "plate_box, plate_image_sha256, scene_image_sha256, ocr_plate, ocr_confidence, "
            "possible_misread, plate_state) VALUES (?,?,?,?,?,?,?,unhex(?),unhex(?),?,?,?,?)", reads)
        conn.executemany("INSERT OR IGNORE INTO hotlists(id, name, source, kind) VALUES (?,?,?,?)",
                         HOTLISTS)
        conn.executemany("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, "
                         "plate_state, added_by, added_at) VALUES (?,?,?,?,?,?,?,?)",
                         [(*e, "server", now - 20 * 86400) for e in ENTRIES])
        hits.match_entries(conn, [e[0] for e in ENTRIES], now - 60)
    return [r[0] for r in reads]


def bulk_reads(ws, count: int, now: int, seed: int = 7, batch: int = 50_000) -> None:
    """``count`` reads without photos over the last 300 days (for the bench), with the
    sample PLATES sprinkled in so every search mode finds something."""
    rng = random.Random(seed)
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    with ws.store.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO cameras(id, name, site, lat, lon, direction) "
                         "VALUES (?,?,?,?,?,?)", CAMERAS)
    start = (ws.store.query_one("SELECT coalesce(max(id), 0) FROM reads")[0] or 0) + 1
    for first in range(start, start + count, batch):
        rows = []
        for rid in range(first, min(first + batch, start + count)):
            if rid % 997 == 0:
                plate = PLATES[rid % len(PLATES)]
            else:
                plate = (f"{rng.randint(1, 9)}{''.join(rng.choice(letters) for _ in range(3))}"
                         f"{rng.randint(0, 999):03d}")
            cam = CAMERAS[rid % len(CAMERAS)][0]
            rows.append((rid, plate, now - rng.randint(60, 300 * 86400),
                         cam, round(0.5 + rng.random() * 0.5, 2), "Flock"))
        with ws.store.transaction() as conn:
            conn.executemany("INSERT INTO reads(id, plate, read_at, camera_id, "
                             "confidence, vendor) VALUES (?,?,?,?,?,?)", rows)
