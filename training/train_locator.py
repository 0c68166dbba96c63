"""Train the plate locator (resources/ocr/plate_locator.pt) on CPU; then
``python -m training.export_onnx`` writes the plate_locator.onnx the workstation runs.

The command lines, the data and the durations of each run are in training/README.md.
Why this data: windows cut around the plate boxes of the non-held-out development photos
(at random offsets and scales, so the network learns to re-frame a loose proposal), the
same photos' OpenCV proposals away from the plate as hard negatives (signs, stickers, date
stamps), and development crops and synthetic plates pasted into background windows, for
more plate faces than the photos hold. With ``--extra-fraction`` a share of the photo windows
comes from the EU and BR street scenes (openalpr-eu/train, openalpr-br/train: more real
plates and non-plates in real scenes; never a measure, as they are not US plates). The
held-out 30% (training/split.py) is not even read; by default the validation 20% of the
training portion chooses the checkpoint (``--no-validation``: the first recipe, last weights).
"""
from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from app.engine.ocr.detect import iou, propose
from app.engine.ocr.locator import WIN_H, WIN_W, Window, cut, run_locator, window_for
from app.engine.ocr.recognizer import standardise
from app.engine.ocr.samples import load_samples
from training.nets import LocatorNet, TorchModel
from training.seeding import add_run_options, load_init, report_saved, save_checkpoint, seed_all
from training.split import is_held_out, is_validation
from training.synth import render_plate

ROOT = Path(__file__).resolve().parents[1]
DATASETS = Path(os.environ.get("ALPR_DATASETS", ROOT.parent / "shared" / "datasets"))


EXTRA = ("openalpr-eu/train", "openalpr-br/train")
"""Street scenes with plate boxes, for training only (not US plates: never a measure)."""


class Photo:
    """A photo in grey, its plate box and its proposals away from the plate."""

    def __init__(self, gray: np.ndarray, box: tuple[int, int, int, int], negatives: list):
        self.gray, self.box, self.negatives = gray, box, negatives


def read_photo(path: Path, box: tuple[int, int, int, int]) -> Photo | None:
    """The photo in grey with its OpenCV proposals that miss the plate (hard negatives), or
    None when the file cannot be read."""
    bgr = cv2.imread(str(path))
    if bgr is None:
        return None
    negs = [p.box for p in propose(bgr) if iou(p.box, box) < 0.05]
    return Photo(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), box, negs)


def load_photos(validation: bool = True) -> tuple[list[Photo], list[Photo]]:
    """(train, validation) development photos; the held-out 30% is not even read. Without
    ``validation`` (the shipped weights' recipe) every photo not held out trains."""
    train, val = [], []
    for s in load_samples(DATASETS / "openalpr-us" / "dev"):
        if s.box is None or is_held_out(s.path.name):
            continue
        photo = read_photo(s.path, s.box)
        if photo is not None:
            (val if validation and is_validation(s.path.name, s.plate) else train).append(photo)
    return train, val


def load_extra(folders: tuple[str, ...] = EXTRA, limit: int = 0) -> list[Photo]:
    """The EU and BR street scenes (read in place from the shared datasets; a folder that is
    not there is skipped), optionally only the first ``limit`` of each folder."""
    out = []
    for sub in folders:
        folder = DATASETS / sub
        if not folder.is_dir():
            continue
        samples = [s for s in load_samples(folder) if s.box is not None]
        for s in samples[:limit or None]:
            photo = read_photo(s.path, s.box)  # type: ignore[arg-type]
            if photo is not None:
                out.append(photo)
    return out


def load_crops(validation: bool = True) -> list[np.ndarray]:
    out = []
    for s in load_samples(DATASETS / "openalpr-us-crops" / "dev"):
        if is_held_out(s.path.name) or (validation and is_validation(s.path.name, s.plate)):
            continue
        img = cv2.imread(str(s.path), cv2.IMREAD_GRAYSCALE)
        if img is not None:
            out.append(img)
    return out


def target(win: Window, box: tuple[int, int, int, int]) -> tuple[float, np.ndarray]:
    """Label of a window: 1 when the plate is inside and a fair part of it, with the
    regression target (dx, dy, log width ratio); 0 otherwise."""
    cx, cy, ww = win
    x, y, w, h = box
    dx, dy, r = (x + w / 2 - cx) / ww, (y + h / 2 - cy) / (ww / 2), w / ww
    pos = abs(dx) < 0.32 and abs(dy) < 0.32 and 0.22 <= r <= 0.95
    return float(pos), np.array([dx, dy, np.log(r)], np.float32)


def photo_window(photo: Photo, rng: random.Random) -> tuple[np.ndarray, float, np.ndarray]:
    """A window near the plate (mostly positive) or a proposal or random window elsewhere."""
    x, y, w, h = photo.box
    kind = rng.random()
    if kind < 0.55:
        ww = w / np.exp(rng.uniform(np.log(0.18), np.log(1.0)))
        win = (x + w / 2 + rng.uniform(-0.4, 0.4) * ww, y + h / 2 + rng.uniform(-0.4, 0.4) * ww / 2,
               ww)
    elif kind < 0.8 and photo.negatives:
        win = window_for(rng.choice(photo.negatives))
        win = (win[0], win[1], win[2] * rng.uniform(0.8, 1.25))
    else:
        H, W = photo.gray.shape
        ww = rng.uniform(60, min(W, 700))
        win = (rng.uniform(0, W), rng.uniform(0, H), ww)
    label, reg = target(win, photo.box)
    return cut(photo.gray, win), label, reg


def pasted_window(photos: list[Photo], crops: list[np.ndarray], rng: random.Random
                  ) -> tuple[np.ndarray, float, np.ndarray]:
    """A background window from a photo with a crop or synthetic plate pasted into it."""
    photo = rng.choice(photos)
    H, W = photo.gray.shape
    ww = rng.uniform(100, min(W, 700))
    bg = cut(photo.gray, (rng.uniform(0, W), rng.uniform(0, H), ww)).copy()
    if rng.random() < 0.6:
        plate = rng.choice(crops)
    else:
        plate = cv2.cvtColor(render_plate(rng)[0], cv2.COLOR_BGR2GRAY)
    r = rng.uniform(0.25, 0.9)
    pw, ph = max(8, int(r * WIN_W)), max(4, int(r * WIN_W / 2))
    px = int(WIN_W / 2 + rng.uniform(-0.3, 0.3) * WIN_W - pw / 2)
    py = int(WIN_H / 2 + rng.uniform(-0.3, 0.3) * WIN_H - ph / 2)
    small = cv2.resize(plate, (pw, ph), interpolation=cv2.INTER_AREA)
    gain, bias = rng.uniform(0.5, 1.2), rng.uniform(-40, 30)
    small = np.clip(small.astype(np.float32) * gain + bias, 0, 255).astype(np.uint8)
    x0, y0, x1, y1 = max(0, px), max(0, py), min(WIN_W, px + pw), min(WIN_H, py + ph)
    bg[y0:y1, x0:x1] = small[y0 - py:y1 - py, x0 - px:x1 - px]
    win = (WIN_W / 2, WIN_H / 2, float(WIN_W))
    label, reg = target(win, (px, py, pw, ph))
    return bg, label, reg


def augment(win: np.ndarray, reg: np.ndarray, rng: random.Random,
            np_rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = win.astype(np.float32)
    x = x * rng.uniform(0.6, 1.4) + rng.uniform(-50, 50)
    if rng.random() < 0.4:
        x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.3, 1.4))
    if rng.random() < 0.5:
        x = x + np_rng.normal(0, rng.uniform(2, 12), x.shape)
    reg = reg.copy()
    if rng.random() < 0.5:
        x = x[:, ::-1]
        reg[0] = -reg[0]
    return np.clip(x, 0, 255).astype(np.uint8), reg


def evaluate(model: nn.Module, held: list[Photo]) -> tuple[float, float, float]:
    """(share of photos whose best-scored box frames the plate at IoU >= 0.5,
    share where any of the three best does, mean IoU of the best box with the plate), after
    two locator passes as the reader runs."""
    model.eval()
    top1 = top3 = 0
    overlap = 0.0
    for photo in held:
        bgr = cv2.cvtColor(photo.gray, cv2.COLOR_GRAY2BGR)
        first = run_locator(TorchModel(model), photo.gray, [p.box for p in propose(bgr)])
        second = run_locator(TorchModel(model), photo.gray, [b for _, b in first])
        ranked = sorted(second, key=lambda t: -t[0])
        ious = [iou(b, photo.box) for _, b in ranked[:3]]
        hits = [v >= 0.5 for v in ious]
        top1 += bool(hits) and hits[0]
        top3 += any(hits)
        overlap += ious[0] if ious else 0.0
    model.train()
    n = max(len(held), 1)
    return top1 / n, top3 / n, overlap / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=96)
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--max-lr", type=float, default=3e-3)
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "ocr" / "plate_locator.pt")
    ap.add_argument("--extra-fraction", type=float, default=0.0,
                    help="share of the photo windows cut from the EU and BR street scenes "
                         "(0: US development photos only, the shipped weights' recipe)")
    add_run_options(ap, eval_every=500)
    args = ap.parse_args()
    rng, np_rng = seed_all(args.seed, args.threads)

    train, val = load_photos(validation=not args.no_validation)
    crops = load_crops(validation=not args.no_validation)
    extra = load_extra() if args.extra_fraction > 0 else []
    print(f"photos: {len(train)} train, {len(val)} validation (the held-out 30% unread); "
          f"{len(extra)} EU/BR scenes; {len(crops)} crops", flush=True)
    model = load_init(LocatorNet(), args.init)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.max_lr, total_steps=args.steps,
                                                pct_start=0.1)
    bce, l1 = nn.BCEWithLogitsLoss(), nn.SmoothL1Loss(beta=0.05)
    start, running, best = time.time(), 0.0, (-1.0, -1.0, -1.0)
    if val and args.init:  # a checkpoint must beat the weights it started from
        best = evaluate(model, val)
        print(f"starting weights: validation framed: best {best[0]:.3f} top-3 {best[1]:.3f} "
              f"mean IoU {best[2]:.3f}", flush=True)
    beaten = best
    for step in range(1, args.steps + 1):
        xs, labels, regs = [], [], []
        for _ in range(args.batch):
            if rng.random() < 0.7:
                pool = extra if extra and rng.random() < args.extra_fraction else train
                win, label, reg = photo_window(rng.choice(pool), rng)
            else:
                win, label, reg = pasted_window(train + extra, crops, rng)
            win, reg = augment(win, reg, rng, np_rng)
            xs.append(standardise(win))
            labels.append(label)
            regs.append(reg)
        out = model(torch.from_numpy(np.stack(xs))[:, None])
        y = torch.tensor(labels)
        loss = bce(out[:, 0], y)
        pos = y > 0.5
        if pos.any():
            loss = loss + 5.0 * l1(out[pos, 1:], torch.from_numpy(np.stack(regs))[pos])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
        if step % args.eval_every == 0 or step == args.steps:
            score = evaluate(model, val) if val else (0.0, 0.0, 0.0)
            keep = not val or score > best
            best = max(best, score)
            print(f"step {step} loss {running:.3f} validation framed: best {score[0]:.3f} "
                  f"top-3 {score[1]:.3f} mean IoU {score[2]:.3f}{' (kept)' if keep and val else ''} "
                  f"{time.time() - start:.0f}s", flush=True)
            save_checkpoint(model, args.out, keep)
    report_saved(args.out, bool(val), best != beaten,
                 "best on validation: framed by the best box, then by the top 3, then mean IoU")


if __name__ == "__main__":
    main()
