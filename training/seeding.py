"""Fixed seeds for a training run, so that a rebuild draws the same data.

Why every generator: the scripts draw from Python's and NumPy's generators and torch
initialises weights from its own; all three follow the one seed. Two CPU threads, as on the
build machine. Threaded CPU kernels still differ in the last bits, so a rebuild is a model
of the same quality, not the identical file.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
import torch
from torch import nn


def seed_all(seed: int, threads: int = 2) -> tuple[random.Random, np.random.Generator]:
    """Seed every generator; returns the (Python, NumPy) generators the script draws from.
    ``threads``: torch's CPU threads (1 lets two runs share a 2-core machine)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    return random.Random(seed), np.random.default_rng(seed)


def add_run_options(ap: argparse.ArgumentParser, eval_every: int) -> None:
    """The options both training scripts share: fine-tuning start, checkpoint choice, threads."""
    ap.add_argument("--init", type=Path, help="start from these weights (fine-tuning)")
    ap.add_argument("--eval-every", type=int, default=eval_every,
                    help="steps between validation measures (and checkpoint choices)")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    ap.add_argument("--no-validation", action="store_true",
                    help="train on the validation 20%% too and save the last weights "
                         "(the first shipped weights' recipe)")


def load_init(model: nn.Module, path: Path | None) -> nn.Module:
    """Fill ``model`` from a float16 ``.pt`` state dict when ``path`` is given."""
    if path:
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict({k: v.float() for k, v in state.items()})
    return model


def save_checkpoint(model: nn.Module, out: Path, best: bool) -> None:
    """Save the weights (float16) as ``NAME.last.pt`` beside ``out``, and as ``out`` when they
    are the best so far on validation (or when there is no validation)."""
    state = {k: v.half() for k, v in model.state_dict().items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, out.with_suffix(".last.pt"))
    if best:
        torch.save(state, out)


def report_saved(out: Path, validated: bool, improved: bool, how: str) -> None:
    """The run's last line: which weights ``out`` holds, or that no checkpoint beat the
    starting weights on validation (then ``out`` was not written by this run)."""
    if not validated:
        print("saved", out, "(last weights)")
    elif improved:
        print("saved", out, f"({how})")
    else:
        print(f"no checkpoint beat the starting weights on validation: {out} not written "
              f"(the last weights are in {out.with_suffix('.last.pt')})")
