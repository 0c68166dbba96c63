"""Benchmark the plate OCR pipeline (ONNX Runtime, as the workstation runs it) against the
same pipeline on the PyTorch weights and against plain easyocr, on a labelled folder.

Usage:  .venv/bin/python bench/ocr.py ../shared/datasets/openalpr-us-crops/dev [--limit N]
        .venv/bin/python bench/ocr.py ../shared/datasets/openalpr-us/dev --split holdout
        .venv/bin/python bench/ocr.py ../shared/datasets/openalpr-us/dev --cv

The folder is either crops (groundtruth.csv: file,state,PLATE) or scene photos (NAME.txt:
file x y w h PLATE); the format is detected. All readers run in the same process, on the
same images, one after another on each image, with the same thread count, so their
figures can be compared directly even on a busy machine.
- "ours (onnx)": the workstation's pipeline, networks run by ONNX Runtime.
- "ours (pytorch)": the same pipeline on the .pt weights the graphs were exported from
  (needs the train extra; --no-torch skips it). The "agreement" lines say on how many
  images both gave the same best text and the same candidate list.
- "plain easyocr": easyocr's English model on the whole crop or photo, taking the text with
  the highest confidence (needs the easyocr extra; skipped without it, or --no-baseline).
``--split holdout`` keeps only the 30% of images never used to train the CRNN or the plate
locator (training/split.py), which are the honest figures.
``--cv`` prints 5-fold cross-validated figures instead, with their spread, the settings
chosen on training folds only (bench/ocr_cv.py says what the folds cover).
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

from app.engine.ocr import PlateReader, ReaderSettings, normalise  # noqa: E402
from app.engine.ocr.easy import EasyOcr, easyocr_installed  # noqa: E402
from app.engine.ocr.locator import WEIGHTS as LOCATOR_ONNX  # noqa: E402
from app.engine.ocr.locator import PlateLocator  # noqa: E402
from app.engine.ocr.recognizer import WEIGHTS as CRNN_ONNX  # noqa: E402
from app.engine.ocr.recognizer import PlateRecognizer  # noqa: E402
from app.engine.ocr.samples import Sample, folder_kind, load_samples  # noqa: E402
from app.engine.ocr.weights import OnnxModel, intra_op_threads  # noqa: E402
from bench import ocr_cv as cv  # noqa: E402
from training.split import is_held_out  # noqa: E402


@dataclass
class Tally(cv.Score):
    """Running figures of one reader, with the images it got wrong."""

    name: str = ""
    misses: list[str] = field(default_factory=list)

    def add_read(self, truth: str, texts: list[str], seconds: float, label: str) -> None:
        best = self.count(truth, texts, seconds)
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


@dataclass
class Agreement:
    """How often two readers gave the same readings of the same images."""

    n: int = 0
    best: int = 0           # same best text
    lists: int = 0          # same candidate texts (and boxes) in the same order
    worst: float = 0.0      # largest confidence difference where the lists agree

    def add(self, a: list, b: list) -> None:
        self.n += 1
        self.best += [c.text for c in a[:1]] == [c.text for c in b[:1]]
        same = [(c.text, c.box) for c in a] == [(c.text, c.box) for c in b]
        self.lists += same
        if same:
            self.worst = max([self.worst] + [abs(x.confidence - y.confidence) for x, y in zip(a, b)])


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def _table(title: str, readers: list[Tally], unit: str) -> None:
    print(f"\n{title}")
    print(f"{'reader':<18}{'exact':>9}{'within 1':>10}{'in top 3':>10}{'ms/' + unit:>11}")
    for r in readers:
        print(f"{r.name:<18}{r.pct(r.exact):>8.1f}%{r.pct(r.near):>9.1f}%"
              f"{r.pct(r.top3):>9.1f}%{r.ms:>11.1f}")
    ours = readers[0]
    for other in readers[1:]:
        label = "onnx / pytorch" if "pytorch" in other.name else "onnx / plain"
        print(f"{label:<18}{_ratio(ours.exact, other.exact):>9}{_ratio(ours.near, other.near):>10}"
              f"{_ratio(ours.top3, other.top3):>10}{_ratio(ours.ms, other.ms):>11}")


def _agreement(title: str, agree: Agreement) -> None:
    if not agree.n:
        return
    print(f"{title}: same best text on {agree.best}/{agree.n} images, same candidate list on "
          f"{agree.lists}/{agree.n}; largest confidence difference {agree.worst:.4f}")


def _torch_reader(settings: ReaderSettings, threads: int) -> PlateReader | None:
    """The pipeline on the .pt weights, or None without PyTorch (the train extra)."""
    try:
        import torch

        from training.nets import TorchModel
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return PlateReader(settings, recognizer=PlateRecognizer(
        model=TorchModel(kind="crnn", path=CRNN_ONNX.with_suffix(".pt"))),
        locator=PlateLocator(model=TorchModel(kind="locator", path=LOCATOR_ONNX.with_suffix(".pt"))))


def _onnx_reader(settings: ReaderSettings, threads: int) -> PlateReader:
    return PlateReader(settings, recognizer=PlateRecognizer(model=OnnxModel(CRNN_ONNX, threads)),
                       locator=PlateLocator(model=OnnxModel(LOCATOR_ONNX, threads)))


def run_cv(args: argparse.Namespace) -> int:
    """``--cv``: k-fold figures over the whole folder (see bench/ocr_cv.py)."""
    threads = args.threads or intra_op_threads()
    folder = Path(args.folder)
    as_crops = folder_kind(folder) == "crops" or args.as_crops
    samples = load_samples(folder)[: args.limit or None]

    def read(r: PlateReader, s: Sample) -> list[str]:
        img = _crop(s) if as_crops else None
        if as_crops and img is None:
            return []
        cands = (r.read_crop(img, s.state) if as_crops
                 else r.read_scene(s.path.read_bytes(), state=s.state))
        return [c.text for c in cands]
    print(f"{folder}: {len(samples)} images, reading {'plate crops' if as_crops else 'photos'}, "
          f"{threads} threads")
    return cv.cross_validate(samples, read, lambda st: _onnx_reader(st, threads),
                             "crop" if as_crops else "photo", progress=args.progress)


def run(args: argparse.Namespace) -> int:
    if args.cv:
        return run_cv(args)
    threads = args.threads or intra_op_threads()
    folder = Path(args.folder)
    kind = folder_kind(folder)
    samples = load_samples(folder)
    if args.split != "all":
        want = args.split == "holdout"
        samples = [s for s in samples if is_held_out(s.path.name) == want]
    samples = samples[: args.limit] if args.limit else samples
    as_crops = kind == "crops" or args.as_crops
    unit = "crop" if as_crops else "photo"
    settings = ReaderSettings(use_easyocr=args.easyocr_second_opinion)
    reader = _onnx_reader(settings, threads)
    pt_reader = None if args.no_torch else _torch_reader(settings, threads)
    baseline = not args.no_baseline and easyocr_installed()
    print(f"{folder}: {kind}, {len(samples)} images, split={args.split}, "
          f"reading {'plate crops' if as_crops else 'whole photos'}, {threads} threads; "
          f"easyocr second opinion {'on' if reader.uses_easyocr else 'off'}")
    if pt_reader is None and not args.no_torch:
        print("PyTorch (the train extra) is not installed: no pytorch column")
    if not baseline and not args.no_baseline:
        print("easyocr (the easyocr extra) is not installed: no plain easyocr column")

    for name, r in (("onnx", reader), ("pytorch", pt_reader)):
        if r is not None:
            t0 = time.perf_counter()
            r.load()
            print(f"{name} models loaded in {time.perf_counter() - t0:.2f} s (not counted below)")
    plain = EasyOcr()
    if baseline:
        t0 = time.perf_counter()
        plain.reader()
        print(f"plain easyocr loaded in {time.perf_counter() - t0:.2f} s (not counted below)")

    def tallies() -> list[Tally]:
        return ([Tally(name="ours (onnx)")] + ([Tally(name="ours (pytorch)")] if pt_reader else [])
                + ([Tally(name="plain easyocr")] if baseline else []))
    every, held_out = tallies(), tallies()
    agree, h_agree = Agreement(), Agreement()

    def ours(r: PlateReader, img, data: bytes, state: str | None) -> list:
        return r.read_crop(img, state) if as_crops else r.read_scene(data, state=state)

    def plain_read(img, data: bytes) -> list[str]:
        photo = img if as_crops else cv2.imdecode(np.frombuffer(data, np.uint8), 1)
        found = sorted(plain.read_all(photo), key=lambda r: -r[1])
        return [x for x in (normalise(r[0]) for r in found) if x]

    for i, s in enumerate(samples, 1):
        img = _crop(s) if as_crops else None
        if as_crops and img is None:
            continue
        data = s.path.read_bytes()
        held = is_held_out(s.path.name)
        results = []
        for r in (reader, pt_reader):
            if r is not None:
                t = time.perf_counter()
                cands = ours(r, img, data, s.state)
                results.append((cands, [c.text for c in cands], time.perf_counter() - t))
        if baseline:
            t = time.perf_counter()
            texts = plain_read(img, data)
            results.append((None, texts, time.perf_counter() - t))
        for group in (every, held_out) if held else (every,):
            for tally, (_, texts, spent) in zip(group, results):
                tally.add_read(s.plate, texts, spent, s.path.name)
        if pt_reader is not None:
            for a in (agree, h_agree) if held else (agree,):
                a.add(results[0][0], results[1][0])
        if args.progress and i % 25 == 0:
            print(f"  {i}/{len(samples)}  ours {every[0].pct(every[0].exact):.1f}%", flush=True)

    _table(f"all {every[0].n} images", every, unit)
    _agreement("onnx against pytorch", agree)
    if args.split == "all" and held_out[0].n:
        _table(f"held out of training only: {held_out[0].n} images (the honest figures)",
               held_out, unit)
        _agreement("onnx against pytorch", h_agree)
    if args.show_misses:
        print("\nmisses (ours, onnx):")
        for m in every[0].misses:
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
    ap.add_argument("--no-torch", action="store_true", help="skip the PyTorch column (faster)")
    ap.add_argument("--easyocr-second-opinion", action="store_true",
                    help="our pipeline with easyocr as second opinion (off on the workstation)")
    ap.add_argument("--threads", type=int, default=0,
                    help="CPU threads of ONNX Runtime and PyTorch alike "
                         "(default: the workstation's, half the cores, at most 2)")
    ap.add_argument("--show-misses", action="store_true", help="list the plates we got wrong")
    ap.add_argument("--cv", action="store_true",
                    help="5-fold cross-validated figures with their spread (bench/ocr_cv.py)")
    ap.add_argument("--progress", action="store_true", help="print progress every 25 images")
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
