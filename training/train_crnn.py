"""Train the plate CRNN (resources/ocr/plate_crnn.pt) on synthetic and real plates, on CPU;
then ``python -m training.export_onnx`` writes the plate_crnn.onnx the workstation runs.

The command lines, the data and the durations of each run are in training/README.md.
Why this mix: synthetic plates (training/synth.py) teach glyphs and to ignore state names,
slogans and stickers; the non-held-out 70% of the development crops and scene plate boxes
teach real fonts and camera damage. The held-out 30% (training/split.py) is not even read.
Model selection: by default a validation 20% of the training portion (keyed on the plate
text, ``split.is_validation``) is kept out of training, and the checkpoint with the best
exact-match rate on it is saved; ``--no-validation`` trains on it too and saves the last
weights (the first shipped weights' recipe). ``--synth v2`` draws the second generation of
synthetic plates (states' real layouts, street-scene backgrounds, glare, night, rain).
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from app.engine.ocr.recognizer import beam_decode, prepare
from app.engine.ocr.samples import load_samples
from training.nets import ALPHABET, PlateCRNN
from training.seeding import add_run_options, load_init, report_saved, save_checkpoint, seed_all
from training.split import is_held_out, is_validation
from training.synth import augment, on_background, render_plate, render_state_plate

ROOT = Path(__file__).resolve().parents[1]
DATASETS = Path(os.environ.get("ALPR_DATASETS", ROOT.parent / "shared" / "datasets"))


Plates = list[tuple[np.ndarray, str]]


def real_plates(validation: bool = True) -> tuple[Plates, Plates]:
    """(train, validation) lists of (BGR plate image, text) from both dev folders. The
    held-out 30% is not even read. With ``validation`` the training portion's validation
    plates (training/split.py) are kept out of training, to choose the checkpoint on;
    without it (the shipped weights' recipe) the validation list is empty."""
    train, val = [], []
    for sub in ("openalpr-us-crops/dev", "openalpr-us/dev"):
        for s in load_samples(DATASETS / sub):
            if is_held_out(s.path.name):
                continue
            img = cv2.imread(str(s.path))
            if img is None or not s.plate:
                continue
            if s.box is not None:
                x, y, w, h = s.box
                img = img[max(y, 0):y + h, max(x, 0):x + w]
            (val if validation and is_validation(s.path.name, s.plate) else train).append(
                (img, s.plate))
    return train, val


def scenes() -> list[np.ndarray]:
    """Street photos to paste synthetic plates into: the training portion's development
    photos and the EU and BR training photos (grey backgrounds; real plates in them are
    rarely where a patch lands, and then only as scenery around the pasted plate)."""
    out = []
    for sub in ("openalpr-us/dev", "openalpr-eu/train", "openalpr-br/train"):
        folder = DATASETS / sub
        if not folder.is_dir():
            continue
        for s in load_samples(folder):
            if sub.startswith("openalpr-us") and (is_held_out(s.path.name)
                                                  or is_validation(s.path.name, s.plate)):
                continue
            img = cv2.imread(str(s.path))
            if img is not None:
                out.append(cv2.resize(img, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
    return out


def synthetic(rng, np_rng, backgrounds: list[np.ndarray]) -> tuple[np.ndarray, str]:
    """A second-generation synthetic plate, augmented (synth.py): 70% a state's real layout,
    30% the first generation's random layouts; 30% of them warped into a real street scene;
    glare, night and rain among the damage."""
    img, text = render_state_plate(rng) if rng.random() < 0.7 else render_plate(rng)
    if backgrounds and rng.random() < 0.3:
        img = on_background(img, backgrounds[rng.randrange(len(backgrounds))], rng)
    return prepare(augment(img, rng, np_rng, weather=True)), text


def encode(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    idx = [ALPHABET.index(c) + 1 for t in texts for c in t]
    return torch.tensor(idx, dtype=torch.long), torch.tensor([len(t) for t in texts])


def evaluate(model: nn.Module, held: Plates) -> tuple[float, float]:
    """(exact-match rate of the network's best beam reading, mean CTC loss) on (image, text)
    pairs; the loss separates checkpoints that read as many plates right."""
    model.eval()
    grays = [prepare(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)) for img, _ in held]
    with torch.inference_mode():
        logp_t = torch.log_softmax(model(torch.from_numpy(np.stack(grays))[:, None]), -1)
        targets, lengths = encode([text for _, text in held])
        loss = nn.CTCLoss(blank=0, zero_infinity=True)(
            logp_t, targets, torch.full((len(held),), logp_t.shape[0]), lengths).item()
    logp = logp_t.numpy()
    hits = 0
    for i, (_, text) in enumerate(held):
        best = beam_decode(logp[:, i], 4)
        hits += bool(best) and best[0][0] == text
    model.train()
    return hits / max(len(held), 1), loss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=4500)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--real-fraction", type=float, default=0.35)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--max-lr", type=float, default=3e-3)
    ap.add_argument("--stop-at", type=int, default=0, help="stop early, keeping the schedule")
    ap.add_argument("--synth", choices=["v1", "v2"], default="v1",
                    help="v1: the shipped weights' synthetic plates; v2: states' real layouts, "
                         "street-scene backgrounds, glare, night and rain")
    add_run_options(ap, eval_every=250)
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "ocr" / "plate_crnn.pt")
    args = ap.parse_args()
    rng, np_rng = seed_all(args.seed, args.threads)

    train, val = real_plates(validation=not args.no_validation)
    backgrounds = scenes() if args.synth == "v2" else []
    print(f"real plates: {len(train)} train, {len(val)} validation (the held-out 30% unread); "
          f"{len(backgrounds)} scene backgrounds", flush=True)
    model = load_init(PlateCRNN(), args.init)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.max_lr, total_steps=args.steps,
                                                pct_start=0.1)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    n_real = int(args.batch * args.real_fraction) if train else 0
    start, running, best = time.time(), 0.0, (-1.0, 0.0)
    if val and args.init:  # a checkpoint must beat the weights it started from
        acc, val_loss = evaluate(model, val)
        best = (acc, -val_loss)
        print(f"starting weights: validation exact {acc:.3f} loss {val_loss:.3f}", flush=True)
    beaten = best
    last = args.stop_at or args.steps
    for step in range(1, last + 1):
        imgs, texts = [], []
        v2 = args.synth == "v2"
        for _ in range(args.batch - n_real):
            if v2:
                x_one, text = synthetic(rng, np_rng, backgrounds)
            else:
                img, text = render_plate(rng)
                x_one = prepare(augment(img, rng, np_rng))
            imgs.append(x_one)
            texts.append(text)
        for _ in range(n_real):
            img, text = train[rng.randrange(len(train))]
            imgs.append(prepare(augment(img, rng, np_rng, weather=v2)))
            texts.append(text)
        x = torch.from_numpy(np.stack(imgs))[:, None]
        targets, lengths = encode(texts)
        logp = torch.log_softmax(model(x), dim=-1)
        loss = ctc(logp, targets, torch.full((len(texts),), logp.shape[0]), lengths)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        sched.step()
        running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
        if step % args.eval_every == 0 or step == last:
            acc, val_loss = evaluate(model, val) if val else (0.0, 0.0)
            keep = not val or (acc, -val_loss) > best
            best = max(best, (acc, -val_loss))
            print(f"step {step} loss {running:.3f} validation exact {acc:.3f} loss {val_loss:.3f}"
                  f"{' (kept)' if keep and val else ''} {time.time() - start:.0f}s", flush=True)
            save_checkpoint(model, args.out, keep)
    report_saved(args.out, bool(val), best != beaten,
                 f"best validation exact {best[0]:.3f}, then loss")


if __name__ == "__main__":
    main()
