"""Which development images are held out of training (fixed, by a hash of the file name).

Why a hash: it is stable across machines and runs, needs no list in the repository, and the
bench (``bench/ocr.py --split holdout``) uses the same rule to report on unseen images only.
"""
from __future__ import annotations

import hashlib

HOLDOUT_PERCENT = 30


def is_held_out(file_name: str) -> bool:
    """True for about 30% of file names: never used to train, only to measure."""
    digest = hashlib.md5(file_name.encode()).hexdigest()
    return int(digest[:8], 16) % 100 < HOLDOUT_PERCENT
