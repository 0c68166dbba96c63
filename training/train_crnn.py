"""Train the plate CRNN (resources/ocr/plate_crnn.pt) on synthetic and real plates, on CPU;
then ``python -m training.export_onnx`` writes the plate_crnn.onnx the workstation runs.

Reproduce the shipped weights (two phases; the first was cut short when the shared CPU got
busy, so it keeps the 4000-step learning-rate schedule but stops at step 750):
    nice -n 10 .venv/bin/python -m training.train_crnn --steps 4000 --stop-at 750 \
        --out /tmp/phase1.pt
    nice -n 10 .venv/bin/python -m training.train_crnn --init /tmp/phase1.pt --steps 1200 \
        --max-lr 1e-3 --seed 1235
Why this mix: synthetic plates (training/synth.py) teach glyphs and to ignore state names,
slogans and stickers; the non-held-out 70% of the development crops and scene plate boxes
teach real fonts and camera damage. The held-out 30% (training/split.py) is only measured.
Fixed seeds; about 25 minutes of CPU on 2 cores in all.
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
from training.seeding import seed_all
from training.split import is_held_out
from training.synth import augment, render_plate

ROOT = Path(__file__).resolve().parents[1]
DATASETS = Path(os.environ.get("ALPR_DATASETS", ROOT.parent / "shared" / "datasets"))


def real_plates() -> tuple[list[tuple[np.ndarray, str]], list[tuple[np.ndarray, str]]]:
    """(train, held-out) lists of (BGR plate image, text) from both dev folders."""
    train, held = [], []
    for sub in ("openalpr-us-crops/dev", "openalpr-us/dev"):
        for s in load_samples(DATASETS / sub):
            img = cv2.imread(str(s.path))
            if img is None or not s.plate:
                continue
            if s.box is not None:
                x, y, w, h = s.box
                img = img[max(y, 0):y + h, max(x, 0):x + w]
            (held if is_held_out(s.path.name) else train).append((img, s.plate))
    return train, held


def encode(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    idx = [ALPHABET.index(c) + 1 for t in texts for c in t]
    return torch.tensor(idx, dtype=torch.long), torch.tensor([len(t) for t in texts])


def evaluate(model: nn.Module, held: list[tuple[np.ndarray, str]]) -> float:
    model.eval()
    grays = [prepare(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)) for img, _ in held]
    with torch.inference_mode():
        logp = torch.log_softmax(model(torch.from_numpy(np.stack(grays))[:, None]), -1).numpy()
    hits = 0
    for i, (_, text) in enumerate(held):
        best = beam_decode(logp[:, i], 4)
        hits += bool(best) and best[0][0] == text
    model.train()
    return hits / max(len(held), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=4500)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--real-fraction", type=float, default=0.35)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--max-lr", type=float, default=3e-3)
    ap.add_argument("--stop-at", type=int, default=0, help="stop early, keeping the schedule")
    ap.add_argument("--init", type=Path, help="start from these weights (a second phase)")
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "ocr" / "plate_crnn.pt")
    args = ap.parse_args()
    rng, np_rng = seed_all(args.seed)

    train, held = real_plates()
    print(f"real plates: {len(train)} train, {len(held)} held out", flush=True)
    model = PlateCRNN()
    if args.init:
        state = torch.load(args.init, map_location="cpu", weights_only=True)
        model.load_state_dict({k: v.float() for k, v in state.items()})
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.max_lr, total_steps=args.steps,
                                                pct_start=0.1)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    n_real = int(args.batch * args.real_fraction) if train else 0
    start, running = time.time(), 0.0
    last = args.stop_at or args.steps
    for step in range(1, last + 1):
        imgs, texts = [], []
        for _ in range(args.batch - n_real):
            img, text = render_plate(rng)
            imgs.append(prepare(augment(img, rng, np_rng)))
            texts.append(text)
        for _ in range(n_real):
            img, text = train[rng.randrange(len(train))]
            imgs.append(prepare(augment(img, rng, np_rng)))
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
        if step % 250 == 0 or step == last:
            acc = evaluate(model, held)
            print(f"step {step} loss {running:.3f} held-out exact {acc:.3f} "
                  f"{time.time() - start:.0f}s", flush=True)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            torch.save({k: v.half() for k, v in model.state_dict().items()}, args.out)
    print("saved", args.out)


if __name__ == "__main__":
    main()
