"""Benchmark the plate OCR pipeline against plain easyocr on a labelled folder.

Usage:  .venv/bin/python bench/ocr.py ../shared/datasets/openalpr-us-crops/dev [--limit N]
        .venv/bin/python bench/ocr.py ../shared/datasets/openalpr-us/dev --split holdout

The folder is either crops (groundtruth.csv: file,state,PLATE) or scene photos (NAME.txt:
file x y w h PLATE); the format is detected. Both readers run in the same process, on the
same images, with the same thread count, so their figures can be compared directly.
"Plain easyocr" is easyocr's English model on the whole crop or photo, taking the text with
the highest confidence. ``--split holdout`` keeps only the 30% of images never used to
train the CRNN or the plate locator (training/split.py), which are the honest figures.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine.ocr import PlateReader, edit_distance, normalise  # noqa: E402
from app.engine.ocr.easy import EasyOcr  # noqa: E402
from app.engine.ocr.samples import Sample, folder_kind, load_samples  # noqa: E402
from training.split import is_held_out  # noqa: E402


@dataclass
class Tally:
    """Running figures of one reader."""

    name: str
    n: int = 0
    exact: int = 0
    near: int = 0
    top3: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, truth: str, texts: list[str], seconds: float, label: str) -> None:
        self.n += 1
        self.seconds += seconds
        best = texts[0] if texts else ""
        self.exact += best == truth
        self.near += edit_distance(best, truth) <= 1
        self.top3 += truth in texts[:3]
        if best != truth:
            self.misses.append(f"{label}: truth {truth} read {best or '-'} {texts[1:3]}")

    def pct(self, k: int) -> float:
        return 100.0 * k / self.n if self.n else 0.0

    @property
    def ms(self) -> float:
        return 1000.0 * self.seconds / self.n if self.n else 0.0


def _crop(sample: Sample):
    img = cv2.imread(str(sample.path))
    if sample.box is not None and img is not None:
        x, y, w, h = sample.box
        img = img[max(y, 0):y + h, max(x, 0):x + w]
    return img


def _table(title: str, ours: Tally, base: Tally | None, unit: str) -> None:
    print(f"\n{title}")
    print(f"{'reader':<16}{'exact':>9}{'within 1':>10}{'in top 3':>10}{'ms/' + unit:>11}")
    for r in [ours] + ([base] if base else []):
        print(f"{r.name:<16}{r.pct(r.exact):>8.1f}%{r.pct(r.near):>9.1f}%"
              f"{r.pct(r.top3):>9.1f}%{r.ms:>11.0f}")
    if base:
        def ratio(a: float, b: float) -> str:
            return f"{a / b:.2f}x" if b else "n/a"
        print(f"{'ours / plain':<16}{ratio(ours.exact, base.exact):>9}"
              f"{ratio(ours.near, base.near):>10}{ratio(ours.top3, base.top3):>10}"
              f"{ratio(ours.ms, base.ms):>11}")


def run(args: argparse.Namespace) -> int:
    import torch

    torch.set_num_threads(args.threads)
    folder = Path(args.folder)
    kind = folder_kind(folder)
    samples = load_samples(folder)
    if args.split != "all":
        want = args.split == "holdout"
        samples = [s for s in samples if is_held_out(s.path.name) == want]
    samples = samples[: args.limit] if args.limit else samples
    as_crops = kind == "crops" or args.as_crops
    unit = "crop" if as_crops else "photo"
    print(f"{folder}: {kind}, {len(samples)} images, split={args.split}, "
          f"reading {'plate crops' if as_crops else 'whole photos'}, {args.threads} threads")

    reader = PlateReader(use_easyocr=not args.no_easyocr_fallback)
    t0 = time.perf_counter()
    reader.load()
    print(f"models loaded in {time.perf_counter() - t0:.1f} s (not counted below)")
    plain = EasyOcr()
    if not args.no_baseline:
        plain.reader()
    ours, base = Tally("ours"), Tally("plain easyocr")
    h_ours, h_base = Tally("ours"), Tally("plain easyocr")  # the held-out part alone
    for i, s in enumerate(samples, 1):
        img = _crop(s) if as_crops else None
        if as_crops and img is None:
            continue
        data = s.path.read_bytes()
        held = is_held_out(s.path.name)
        t = time.perf_counter()
        cands = reader.read_crop(img) if as_crops else reader.read_scene(data)
        spent = time.perf_counter() - t
        for tally in (ours, h_ours) if held else (ours,):
            tally.add(s.plate, [c.text for c in cands], spent, s.path.name)
        if not args.no_baseline:
            t = time.perf_counter()
            photo = img if as_crops else cv2.imdecode(np.frombuffer(data, np.uint8), 1)
            found = sorted(plain.read_all(photo), key=lambda r: -r[1])
            texts = [x for x in (normalise(r[0]) for r in found) if x]
            spent = time.perf_counter() - t
            for tally in (base, h_base) if held else (base,):
                tally.add(s.plate, texts, spent, s.path.name)
        if args.progress and i % 25 == 0:
            print(f"  {i}/{len(samples)}  ours {ours.pct(ours.exact):.1f}%", flush=True)

    _table(f"all {ours.n} images", ours, None if args.no_baseline else base, unit)
    if args.split == "all" and h_ours.n:
        _table(f"held out of training only: {h_ours.n} images (the honest figures)",
               h_ours, None if args.no_baseline else h_base, unit)
    if args.show_misses:
        print("\nmisses (ours):")
        for m in ours.misses:
            print("  " + m)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folder", help="dataset folder (crops or scene photos)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N images")
    ap.add_argument("--split", choices=["all", "holdout", "train"], default="all",
                    help="holdout: only images never used in training (honest figures)")
    ap.add_argument("--as-crops", action="store_true",
                    help="scene folders: read the ground-truth plate boxes as crops")
    ap.add_argument("--no-baseline", action="store_true", help="skip plain easyocr (faster)")
    ap.add_argument("--no-easyocr-fallback", action="store_true",
                    help="our pipeline with the CRNN only")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    ap.add_argument("--show-misses", action="store_true", help="list the plates we got wrong")
    ap.add_argument("--progress", action="store_true", help="print progress every 25 images")
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
