"""What is known of US plate texts: normalisation and a format prior for ranking.

Why a prior: the recogniser's close alternatives differ by look-alike glyphs (O/0, I/1, B/8);
most US plates follow a few letter/digit layouts (ABC1234, 1ABC234, 123ABC ...), so a
candidate that fits one of them is more likely to be the plate.
"""
from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Characters a plate can hold; CTC class 0 is the blank, class i+1 is ALPHABET[i]."""

_KEEP = re.compile(r"[^A-Z0-9]")
_LOOKALIKE_DIGITS = str.maketrans("IOZSB", "10258")
_DATE_LIKE = re.compile(r"^(19|20)\d{5,6}$")

COMMON_LAYOUTS = {
    "LLLNNNN": 1.0, "NLLLNNN": 1.0, "NNNLLL": 1.0, "LLLNNN": 1.0, "NNNNNNN": 0.7,
    "LLNNNNN": 0.6, "NNNLNN": 0.5, "NLLNNN": 0.7, "LLNNNN": 0.6, "NNNNNN": 0.7,
    "LNNNNN": 0.5, "NNLLNN": 0.5, "LLLNNL": 0.5, "NNNNLL": 0.5, "LNNLLL": 0.4,
    "NNNLLLL": 0.5, "LLNLNL": 0.5, "NNNNN": 0.5, "LLLLNNN": 0.5, "NLLNNNN": 0.5,
}


def normalise(text: str) -> str:
    """Uppercase A-Z0-9 only: the form plates are stored and compared in."""
    return _KEEP.sub("", text.upper())


def layout(text: str) -> str:
    """'ABC123' -> 'LLLNNN'."""
    return "".join("N" if c.isdigit() else "L" for c in text)


def format_prior(text: str) -> float:
    """A weight in (0, 1]: how plausible the text is as a US plate, from length and layout."""
    n = len(text)
    if n < 2 or n > 8:
        return 0.05
    length_w = {2: 0.2, 3: 0.3, 4: 0.5, 5: 0.75, 6: 1.0, 7: 1.0, 8: 0.6}[n]
    w = length_w * (0.6 + 0.4 * COMMON_LAYOUTS.get(layout(text), 0.3))
    if _DATE_LIKE.match(text.translate(_LOOKALIKE_DIGITS)):  # a camera date stamp, not a plate
        w *= 0.25
    return w


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, for 'within one character' figures."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
