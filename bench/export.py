"""Time an evidence export against the copy-and-hash floor on the same disk.

Usage:  scripts/with-keyring .venv/bin/python bench/export.py [--reads 1000] [--scene 1280x720]
        [--dir /path/on/the/disk] [--derived] [--repeat 3]

Builds a real encrypted store with N reads, each with a plate crop and a scene JPEG, then
in one run, on the same disk: (a) ``alpr evidence export``'s engine call (decrypt, check the
ingest hash, write, fsync, drop the cache, read back, hash, custody PDF, log and hold) and
(b) the floor: ``cp -r`` of the same image files already lying as plain files, followed by
``sha256sum`` of the copies. Prints both times and their ratio (goal: within 2x). The best
of ``--repeat`` runs is reported for each, so a noisy neighbour hurts both alike.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine.evidence import ExportRequest, run  # noqa: E402
from tests.conftest import Clock, People, _make_ws  # noqa: E402
from tests.evidence_data import add_reads_with_images  # noqa: E402


def _floor(src: Path, work: Path, n: int) -> float:
    dst = work / f"copy-{n}"
    t = time.perf_counter()
    subprocess.run(["cp", "-r", str(src), str(dst)], check=True)
    files = sorted(str(p) for p in dst.rglob("*") if p.is_file())
    subprocess.run(["sha256sum", *files], check=True, stdout=subprocess.DEVNULL)
    took = time.perf_counter() - t
    shutil.rmtree(dst)
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reads", type=int, default=1000)
    ap.add_argument("--scene", default="1280x720", help="scene image size, WxH")
    ap.add_argument("--dir", type=Path, default=None, help="folder on the disk to measure (default: a temp folder)")
    ap.add_argument("--derived", action="store_true", help="also write plate-box-outlined copies")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    w, h = (int(v) for v in args.scene.lower().split("x"))
    work = Path(tempfile.mkdtemp(prefix="alpr-bench-", dir=args.dir))
    try:
        clock = Clock()
        ws = _make_ws(work, clock)
        people = People(ws, clock)
        t = time.perf_counter()
        ids = add_reads_with_images(ws, args.reads, 1, int(clock()), (w, h))
        print(f"set-up: {args.reads} reads with {w}x{h} scenes stored in {time.perf_counter() - t:.1f} s")
        session = people.user("dsmith", "deputy")
        src = work / "plain"
        for rid, plate_sha, scene_sha in ws.store.query(
                "SELECT id, plate_image_sha256, scene_image_sha256 FROM reads"):
            for kind, sha in (("plate", plate_sha), ("scene", scene_sha)):
                data = ws.store.query_one("SELECT data FROM images WHERE sha256 = ?", (sha,))[0]
                p = src / "images" / "original" / f"read-{rid}-{kind}.jpg"
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(data)
        total = sum(p.stat().st_size for p in src.rglob("*") if p.is_file())
        subprocess.run(["sync"], check=True)
        exports, floors, last = [], [], None
        for n in range(args.repeat):
            target = work / f"media-{n}"
            target.mkdir()
            t = time.perf_counter()
            last = run(ws.evidence.export(session, ExportRequest(ids, target, "benchmark",
                                                                 include_derived=args.derived)))
            exports.append(time.perf_counter() - t)
            floors.append(_floor(src, work, n))
            shutil.rmtree(target)
        best_e, best_f = min(exports), min(floors)
        print(f"images: {2 * args.reads} files, {total / 1e6:.1f} MB; package: {last.files} files, "
              f"{last.bytes / 1e6:.1f} MB")
        print(f"export (write, fsync, drop cache, read back, PDF, log, hold): best {best_e:.2f} s "
              f"of {', '.join(f'{x:.2f}' for x in exports)}")
        print(f"floor  (cp -r + sha256sum of the copies):                 best {best_f:.2f} s "
              f"of {', '.join(f'{x:.2f}' for x in floors)}")
        print(f"ratio export / floor: {best_e / best_f:.2f}x (goal: within 2x)")
        ws.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
