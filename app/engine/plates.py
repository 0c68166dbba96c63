"""Plate text: normalisation, patterns and the OCR-confusion skeleton used by similar search.

Readers confuse 0/O/D/Q, 1/I/L, 8/B, 5/S, 2/Z and 6/G. Mapping each group to one symbol
gives a *skeleton*: two plates a reader could confuse share it, so an indexed equality on
the skeleton finds them without scanning every read.
"""
from __future__ import annotations

import re

from .errors import ValidationError

PLATE_RE = re.compile(r"^[A-Z0-9]{1,10}$")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

CONFUSION_GROUPS = ("0ODQ", "1IL", "8B", "5S", "2Z", "6G")
_SKEL = {ch: group[0] for group in CONFUSION_GROUPS for ch in group}
SKELETON_ALPHABET = sorted({_SKEL.get(c, c) for c in ALPHABET})


def normalize(text: str) -> str:
    """Upper case, without spaces, dashes or dots (plates are printed with them, read without)."""
    return re.sub(r"[\s\-.·•]", "", text or "").upper()


def validate_plate(text: str) -> str:
    plate = normalize(text)
    if not PLATE_RE.fullmatch(plate):
        raise ValidationError(f"{text!r} is not a plate: use 1 to 10 letters and digits.")
    return plate


def skeleton(plate: str) -> str:
    return "".join(_SKEL.get(c, c) for c in plate)


def skeleton_sql(column: str) -> str:
    """SQL computing :func:`skeleton` of ``column``: the store keys its distinct plates by
    (skeleton, plate) (migration 0019), and every writer of that table computes it so."""
    sql = column
    for ch, to in _SKEL.items():
        if ch != to:
            sql = f"replace({sql}, '{ch}', '{to}')"
    return sql


def similar_skeletons(plate: str) -> set[str]:
    """Skeletons within one missing or extra character of ``plate``'s (confusions are free)."""
    s = skeleton(plate)
    out = {s}
    out.update(s[:i] + s[i + 1:] for i in range(len(s)) if len(s) > 1)
    out.update(s[:i] + c + s[i:] for i in range(len(s) + 1) for c in SKELETON_ALPHABET)
    return out


def closeness(query: str, plate: str) -> float:
    """Weighted edit distance: a confusable swap costs 0.25, any other edit 1. Lower is closer."""
    q, p = query, plate
    prev = [float(j) for j in range(len(p) + 1)]
    for i in range(1, len(q) + 1):
        cur = [float(i)] + [0.0] * len(p)
        for j in range(1, len(p) + 1):
            if q[i - 1] == p[j - 1]:
                sub = 0.0
            elif _SKEL.get(q[i - 1], q[i - 1]) == _SKEL.get(p[j - 1], p[j - 1]):
                sub = 0.25
            else:
                sub = 1.0
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + sub)
        prev = cur
    return prev[-1]


def wildcard_to_glob(pattern: str, min_literals: int = 3) -> str:
    """Check a ``?``/``*`` pattern and return it as an SQLite GLOB (case-sensitive, indexable)."""
    p = normalize(pattern)
    if not re.fullmatch(r"[A-Z0-9?*]{1,12}", p):
        raise ValidationError("A wildcard pattern uses letters, digits, '?' (one character) and '*' (any run).")
    literals = sum(ch not in "?*" for ch in p)
    if literals < min_literals:
        raise ValidationError(
            f"The pattern {pattern!r} is too broad: give at least {min_literals} known characters "
            "(a search must be about a specific plate, not every vehicle).")
    return re.sub(r"\*+", "*", p)
