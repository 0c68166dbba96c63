"""Which development images are held out of training (fixed, by a hash of the file name),
and which of the rest are kept aside to choose a training run's checkpoint.

Why a hash: it is stable across machines and runs, needs no list in the repository, and the
bench (``bench/ocr.py --split holdout``) uses the same rule to report on unseen images only.
Why the validation set is keyed on the plate text: the same car appears as a crop and in a
photo, and in consecutive frames; keying on the text keeps all of them on one side, so the
checkpoint is not chosen on a twin of a training image.
"""
from __future__ import annotations

import hashlib

HOLDOUT_PERCENT = 30
VALIDATION_PERCENT = 20
"""Share of the plate texts (of the images not held out) kept aside to choose checkpoints."""


def is_held_out(file_name: str) -> bool:
    """True for about 30% of file names: never used to train, only to measure."""
    digest = hashlib.md5(file_name.encode()).hexdigest()
    return int(digest[:8], 16) % 100 < HOLDOUT_PERCENT


def is_validation(file_name: str, plate: str) -> bool:
    """True for the training-portion images whose plate text falls in the validation 20%:
    not trained on, used only to choose epochs and checkpoints. Never true of held-out images,
    so choosing on it leaves the held-out figures honest."""
    if is_held_out(file_name):
        return False
    digest = hashlib.md5(("validation:" + plate).encode()).hexdigest()
    return int(digest[:8], 16) % 100 < VALIDATION_PERCENT
