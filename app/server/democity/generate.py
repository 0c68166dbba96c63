"""Camera drops for the demo city: N days of traffic written as JPEGs plus sidecar JSONs.

Commuters pass their usual cameras on most weekdays at rush hour; other vehicles pass once
or twice. A few drops carry a misread (an OCR confusion such as 8/B) or no plate read at all
(they go to the OCR queue), and two are deliberately bad (a corrupt photo, an unknown
camera) so ingest's rejects can be seen. Hotlist entries are drawn from plates that will be
read, so the demo has hits. Sidecars name the plate's state as printed on it; about one plate in
twelve is from Arizona or Nevada, and one Nevada plate carries the very characters of a
hotlisted California plate (the look-alike): it must not hit. One entry leaves its state
unknown, so its hits say "state unknown".
"""
from __future__ import annotations

import hashlib
import json
import os
import string
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from app.engine import states

from ..model import HotlistEntry
from .render import scene
from .sites import BODIES, CAMERAS, COLOURS, ENTRY_KINDS, HOURLY, MAKES, VEHICLE_CAMERAS

CONFUSE = {"8": "B", "B": "8", "0": "O", "O": "0", "1": "I", "5": "S", "S": "5", "2": "Z", "Z": "2", "6": "G", "G": "6"}
LETTERS = [c for c in string.ascii_uppercase if c not in "IOQ"]   # CA plates avoid these


@dataclass
class DemoPlan:
    drops: int = 0
    no_plate: int = 0
    misreads: int = 0
    faulty: int = 0
    entries: list[HotlistEntry] = field(default_factory=list)
    lookalike: str = ""              # a hotlisted California plate also read on a Nevada car


def ca_plate(rng: np.random.Generator) -> str:
    """California passenger format: digit, three letters, three digits (e.g. 8KDM412)."""
    return (str(int(rng.integers(5, 10))) + "".join(rng.choice(LETTERS, 3))
            + "".join(str(int(d)) for d in rng.integers(0, 10, 3)))


def other_plate(rng: np.random.Generator) -> tuple[str, str]:
    """An out-of-state plate now and then: Arizona ABC1234 or Nevada 123A456."""
    if rng.random() < 0.5:
        return "".join(rng.choice(LETTERS, 3)) + "".join(str(int(d)) for d in rng.integers(0, 10, 4)), "Arizona"
    return ("".join(str(int(d)) for d in rng.integers(0, 10, 3)) + str(rng.choice(LETTERS))
            + "".join(str(int(d)) for d in rng.integers(0, 10, 3))), "Nevada"


def vehicle_of(plate: str) -> dict[str, str]:
    """The make, colour and body type of the car behind ``plate``: the same for every read of
    it, drawn from the plate's hash so the drops' random stream is left as it was."""
    h = hashlib.sha256(plate.encode()).digest()
    return {"vehicle_make": MAKES[h[0] % len(MAKES)], "vehicle_color": COLOURS[h[1] % len(COLOURS)],
            "vehicle_body": BODIES[h[2] % len(BODIES)]}


def misread(plate: str, rng: np.random.Generator) -> str:
    spots = [i for i, c in enumerate(plate) if c in CONFUSE]
    if not spots:
        return plate[:-1]
    i = int(rng.choice(spots))
    return plate[:i] + CONFUSE[plate[i]] + plate[i + 1:]


def generate(folder: Path, days: int, reads_per_day: int, end: int, seed: int = 2026,
             faults: bool = True, workers: int | None = None) -> DemoPlan:
    """Write the drops for ``days`` days ending at ``end`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    cams = [c.id for c in CAMERAS]
    commuters = [(ca_plate(rng), "California", list(rng.choice(cams, 2, replace=False)),
                  int(rng.choice([7, 8, 8, 9])), int(rng.choice([16, 17, 17, 18]))) for _ in range(120)]
    weights = np.array(HOURLY) / sum(HOURLY)
    plan, seen, jobs = DemoPlan(), [], []  # type: ignore[var-annotated]  # filled below, types obvious there
    start_day = end - days * 86400
    for day in range(days + 1):                   # whole UTC days covering (start_day, end]
        day0 = start_day - start_day % 86400 + day * 86400
        weekday = datetime.fromtimestamp(day0, timezone.utc).weekday() < 5
        events = []
        for plate, state, route, am, pm in commuters:
            if weekday and rng.random() < 0.85:
                # Pacific time is UTC-8: a 8 am commute is 16:00 UTC.
                events.append((day0 + (am + 8) * 3600 + int(rng.integers(0, 3600)), plate, state, route[0]))
                events.append((day0 + ((pm + 8) % 24) * 3600 + int(rng.integers(0, 3600)), plate, state, route[1]))
        for _ in range(max(reads_per_day - len(events), 0)):
            hour = int(rng.choice(24, p=weights))
            plate, state = other_plate(rng) if rng.random() < 0.08 else (ca_plate(rng), "California")
            events.append((day0 + ((hour + 8) % 24) * 3600 + int(rng.integers(0, 3600)), plate, state,
                           str(rng.choice(cams))))
        for ts, plate, state, cam in sorted(events):
            if start_day < ts <= end:
                jobs.append((len(jobs), ts, plate, state, cam, False))
                seen.append((plate, state))
    if jobs:
        plan.lookalike = commuters[0][0]      # hotlisted (first of the pool in _entries)
        for hours, cam in ((5, cams[0]), (2, cams[-1])):
            jobs.append((len(jobs), end - hours * 3600, plan.lookalike, "Nevada", cam, True))
    if faults and jobs:
        jobs.append((len(jobs), end - 30, "7TST002", "California", "CAM-UNKNOWN", False))
    for no_plate, misread_ in _render_all(folder, seed, jobs, workers):
        plan.no_plate += no_plate
        plan.misreads += misread_
    plan.drops = len(jobs)
    if faults and jobs:
        (folder / "zz_corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a photo")
        _sidecar(folder / "zz_corrupt.json", cams[0], end - 60, "7TST001", 0.9, None, "zz_corrupt.jpg", None)
        plan.drops -= 1                 # the unknown-camera drop is one of the two faulty ones
        plan.faulty = 2
    plan.entries = _entries(rng, commuters, seen, end)
    return plan


def _render_all(folder: Path, seed: int, jobs: list[tuple], workers: int | None):
    """Render the photos in worker processes (each drop has its own seeded generator, so the
    result does not depend on how the work is split)."""
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers <= 1 or len(jobs) < 200:
        return [_render_chunk(folder, seed, jobs)]
    chunks = [jobs[i::workers * 4] for i in range(workers * 4)]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_render_chunk, [folder] * len(chunks), [seed] * len(chunks), chunks))


def _render_chunk(folder: Path, seed: int, jobs: list[tuple]) -> tuple[int, int]:
    no_plate = misreads = 0
    for index, ts, plate, state, cam, faithful in jobs:
        rng = np.random.default_rng([seed, index])
        hour = (datetime.fromtimestamp(ts, timezone.utc).hour - 8) % 24
        scene_jpg, crop_jpg, box = scene(plate, rng, hour, state)
        name = f"{cam}_{ts}_{index:06d}"
        (folder / f"{name}.jpg").write_bytes(scene_jpg)
        (folder / f"{name}_plate.jpg").write_bytes(crop_jpg)
        roll = rng.random()
        read, conf = plate, round(float(rng.uniform(0.82, 0.99)), 3)
        if faithful:
            pass                          # the look-alike: read as it is, to show it does not hit
        elif roll < 0.02:
            read, conf = None, 0.0
            no_plate += cam != "CAM-UNKNOWN"
        elif roll < 0.06:
            read, conf = misread(plate, rng), round(float(rng.uniform(0.45, 0.7)), 3)
            misreads += cam != "CAM-UNKNOWN"
        _sidecar(folder / f"{name}.json", cam, ts, read, conf, box, f"{name}.jpg", f"{name}_plate.jpg",
                 state, vehicle_of(plate) if cam in VEHICLE_CAMERAS else {})
    return no_plate, misreads


def _sidecar(path: Path, cam: str, ts: int, plate: str | None, conf: float, box, scene_file: str,
             plate_file: str | None, state: str = "California", vehicle: dict | None = None) -> None:
    doc = {"camera": cam, "time": datetime.fromtimestamp(ts, timezone.utc).isoformat().replace("+00:00", "Z"),
           "plate": plate, "state": state, "confidence": conf, "plate_box": box,
           "vendor": "DemoCam ALPR 3", "scene_image": scene_file, **(vehicle or {})}
    if plate_file:
        doc["plate_image"] = plate_file
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")


def _entries(rng, commuters, seen: list[tuple[str, str]], now: int) -> list[HotlistEntry]:
    """Entries on plates that were read (they will hit) and a few never seen; the last of the
    read ones is listed without its state (its hits say "state unknown")."""
    pool = [(c[0], c[1]) for c in commuters[:20]] + list(dict.fromkeys(seen[::97]))[:12]
    out = []
    for i, (plate, state) in enumerate(pool):
        hotlist, reason, prio, days = ENTRY_KINDS[i % len(ENTRY_KINDS)]
        code = None if i == len(pool) - 1 else states.code(state)
        out.append(HotlistEntry(hotlist, plate, reason.format(d=int(rng.integers(1, 20))), prio,
                                now + days * 86400 if days else None, "demo", now - 86400, code))
    for _ in range(8):
        hotlist, reason, prio, days = ENTRY_KINDS[int(rng.integers(len(ENTRY_KINDS)))]
        out.append(HotlistEntry(hotlist, ca_plate(rng), reason.format(d=3), prio, None, "demo",
                                now - 86400, "CA"))
    return out
