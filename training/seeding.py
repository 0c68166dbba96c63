"""Fixed seeds for a training run, so that a rebuild draws the same data.

Why every generator: the scripts draw from Python's and NumPy's generators and torch
initialises weights from its own; all three follow the one seed. Two CPU threads, as on the
build machine. Threaded CPU kernels still differ in the last bits, so a rebuild is a model
of the same quality, not the identical file.
"""
from __future__ import annotations

import random

import numpy as np
import torch


def seed_all(seed: int) -> tuple[random.Random, np.random.Generator]:
    """Seed every generator; returns the (Python, NumPy) generators the script draws from."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    return random.Random(seed), np.random.default_rng(seed)
