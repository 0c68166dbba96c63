"""Time an evidence export against the copy-and-hash floor on the same disk, phase by phase.

Usage:  scripts/with-keyring .venv/bin/python bench/export.py [--reads 1000] [--scene 1280x720]
        [--dir /path/on/the/disk] [--derived] [--repeat 5]

Builds a real encrypted store with N reads, each with a plate crop and a scene JPEG, then
in one run, on the same disk: (a) ``alpr evidence export``'s engine call (decrypt, check the
ingest hash, write, custody PDF, flush, rename, read back under the final name, log and hold)
and (b) the floor: ``cp -r`` of the same image files already lying as plain files, followed by
``sha256sum`` of the copies. Prints both times, where each one's time went, and their ratio
(goal: under 1.5x). The best of ``--repeat`` runs is reported for each, so a noisy neighbour
hurts both alike. Each side starts from a flushed page cache (``sync``, not timed): the floor
never flushes, and its copies must not be written back on the export's time by the export's
own ``syncfs``. Every output stays on the disk until the end of the run, so that neither side
creates its files among the other's just-deleted ones (on ext4 without a journal, creating a
file scans the recently deleted inodes of its group, which can cost more than the write itself).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import app.engine.evidence as evidence  # noqa: E402
from app.engine.evidence import ExportRequest, custody_pdf, media  # noqa: E402
from tests.conftest import Clock, People, _make_ws  # noqa: E402
from tests.evidence_data import add_reads_with_images  # noqa: E402


class Phases:
    """Wall time of the export's phases, from its progress and a few timed calls."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        for owner, name in ((custody_pdf, "render"), (media.PackageWriter, "sync"),
                            (media.PackageWriter, "finish"), (evidence, "collect")):
            self._time(owner, name)

    def _time(self, owner, name: str) -> None:
        fn = getattr(owner, name)

        def timed(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - t
        setattr(owner, name, timed)

    def run(self, gen) -> tuple[float, dict[str, float], object]:
        """Drive one export; (seconds, phases, result)."""
        self.spent.clear()
        marks: dict[str, float] = {}
        t = time.perf_counter()
        while True:
            try:
                p = next(gen)
            except StopIteration as stop:
                result = stop.value
                break
            marks.setdefault(p.stage, time.perf_counter() - t)
        total = time.perf_counter() - t
        write, verify, done = marks.get("write", 0.0), marks.get("verify", total), marks.get("done", total)
        s = self.spent
        return total, {
            "plan": write,
            "write": verify - write - s.get("sync", 0.0) - s.get("finish", 0.0),
            "pdf (in a thread, during the writes)": s.get("render", 0.0),
            "flush+rename": s.get("sync", 0.0) + s.get("finish", 0.0),
            "read-back": done - verify,
            "log+hold": total - done,
        }, result


def _floor(src: Path, work: Path, n: int) -> tuple[float, float]:
    dst = work / f"copy-{n}"
    t = time.perf_counter()
    subprocess.run(["cp", "-r", str(src), str(dst)], check=True)
    copied = time.perf_counter() - t
    files = sorted(str(p) for p in dst.rglob("*") if p.is_file())
    subprocess.run(["sha256sum", *files], check=True, stdout=subprocess.DEVNULL)
    return copied, time.perf_counter() - t - copied


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reads", type=int, default=1000)
    ap.add_argument("--scene", default="1280x720", help="scene image size, WxH")
    ap.add_argument("--dir", type=Path, default=None, help="folder on the disk to measure (default: a temp folder)")
    ap.add_argument("--derived", action="store_true", help="also write plate-box-outlined copies")
    ap.add_argument("--repeat", type=int, default=5)
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
        phases = Phases()
        exports, floors, last = [], [], None
        for n in range(args.repeat):
            target = work / f"media-{n}"
            target.mkdir()
            os.sync()                   # each side starts clean: the export's flush must not
            took, split, last = phases.run(ws.evidence.export(   # write back the floor's copies

                session, ExportRequest(ids, target, "benchmark", include_derived=args.derived)))
            exports.append((took, split))
            os.sync()
            floors.append(_floor(src, work, n))
        best_e, split = min(exports, key=lambda x: x[0])
        best_f = min(floors, key=sum)
        print(f"images: {2 * args.reads} files, {total / 1e6:.1f} MB; package: {last.files} files, "
              f"{last.bytes / 1e6:.1f} MB")
        print(f"export (decrypt, hash, write, PDF, flush, rename, read back, log, hold): best "
              f"{best_e:.2f} s of {', '.join(f'{x:.2f}' for x, _ in exports)}")
        print("  where it went: " + ", ".join(
            f"{k} {v:.2f} s" for k, v in split.items()))
        print(f"floor  (cp -r + sha256sum of the copies): best {sum(best_f):.2f} s "
              f"(cp {best_f[0]:.2f} s, sha256sum {best_f[1]:.2f} s) of "
              f"{', '.join(f'{sum(x):.2f}' for x in floors)}")
        paired = sorted(e / sum(f) for (e, _), f in zip(exports, floors))
        print(f"ratio export / floor: {best_e / sum(best_f):.2f}x best against best, "
              f"{paired[len(paired) // 2]:.2f}x median of the runs side by side (goal: under 1.5x)")
        ws.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
