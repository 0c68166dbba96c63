"""Plate syntax by state: the standard letter/digit layouts each state issues, used to settle
look-alike glyphs (O/0, I/1, Z/2, B/8, S/5) when the plate's state is known.

Why a soft prior and not a rule: vanity, specialty and out-of-state plates follow no
standard layout, so a reading is never forced into one. The recogniser's best reading is
swapped for a look-alike variant only when (a) the best reading fits none of the state's
layouts, (b) replacing look-alike glyphs, and nothing else, makes it fit one, and (c) the
recogniser finds that variant nearly as likely: its probability at least ``1 / weight`` of
the best reading's. A vanity plate read with confidence stays as read.

Why a table learnt from data: the layouts are what development crops show for each state
(``learn_formats``), kept when a layout is common for that state; the shipped table
``STATE_FORMATS`` is its output on the development crops (a test keeps the two equal), and
the cross-validating bench learns it again from each fold's training images only. W/M is
a look-alike pair too, but a layout cannot tell two letters apart, so it is left to the
recogniser.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from .plates import layout

LOOKALIKES = {"O": "0", "I": "1", "Z": "2", "B": "8", "S": "5"}
"""Letter -> the digit it is mistaken for (and back); the pairs a layout can settle."""
_TO_DIGIT = LOOKALIKES
_TO_LETTER = {d: ch for ch, d in LOOKALIKES.items()}

Formats = tuple[tuple[str, tuple[str, ...]], ...]
"""(state code, layouts) pairs, hashable so reader settings can hold them."""

MIN_COUNT = 2
MIN_SHARE = 0.2

STATE_FORMATS: Formats = (
    ("AK", ("LLLNNN",)), ("AL", ("NLNNNNL",)), ("AR", ("NNNLLL",)), ("CA", ("NLLLNNN",)),
    ("CO", ("NNNLLL",)), ("CT", ("NNNLLL",)), ("DC", ("LLNNNN", "NNNNNN")), ("DE", ("NNNNNN",)),
    ("FL", ("LNNNLL",)), ("HI", ("LLLNNN",)), ("IA", ("NNNLLL", "NNNNLL")),
    ("IL", ("LNNNNNN", "NNNNNNN")), ("IN", ("NNNLLL",)), ("KS", ("NNNLLL",)), ("KY", ("NNNLLL",)),
    ("LA", ("LLLNNN", "LNNNNNN")), ("MA", ("NNLLNN", "NNNLLN", "NNLL", "NNNN")),
    ("MD", ("NLLLNN", "LLLNNN")), ("ME", ("NNNNLL", "NNNLLL")), ("MI", ("LLLNNNN",)),
    ("MN", ("LLLNNN", "LLNNN")), ("MO", ("LLNLNL",)), ("MS", ("LLLNNN",)), ("NC", ("LLLNNNN",)),
    ("ND", ("LLLNNN",)), ("NH", ("NNNNNNN", "NNNNNN")), ("NJ", ("LLLNNL",)), ("NM", ("LLLNNN",)),
    ("NV", ("NNNLLL",)), ("NY", ("LLLNNNN",)), ("OH", ("LLLNNNN",)), ("OK", ("NNNLLL",)),
    ("OR", ("LLLNNN", "NNNNN")), ("PA", ("LLLNNNN",)), ("RI", ("LLNNN", "NNNNNN")),
    ("TX", ("LLNLNNN",)), ("UT", ("NNNLLL",)), ("VA", ("LLLNNNN", "LLNNNN", "NNNNLL")),
    ("VT", ("LLLNNN",)), ("WA", ("NNNLLL",)), ("WI", ("NNNLLL", "LLLNNN")), ("WV", ("NLNNNN",)),
    ("WY", ("NNNN", "NNNNL")),
)


def learn_formats(labelled: Iterable[tuple[str | None, str]], min_count: int = MIN_COUNT,
                  min_share: float = MIN_SHARE) -> Formats:
    """A state's layouts from (state, plate text) pairs: those seen at least ``min_count``
    times and on at least ``min_share`` of the state's plates. All-letter layouts are left
    out: they are vanity plates, not a format the state issues."""
    per_state: dict[str, Counter[str]] = {}
    for state, text in labelled:
        if state and text:
            per_state.setdefault(state.upper(), Counter())[layout(text)] += 1
    out = []
    for state in sorted(per_state):
        counts = per_state[state]
        total = sum(counts.values())
        kept = tuple(lay for lay, n in counts.most_common()
                     if n >= min_count and n >= min_share * total and "N" in lay)
        if kept:
            out.append((state, kept))
    return tuple(out)


def layouts_for(state: str | None, formats: Formats = STATE_FORMATS) -> tuple[str, ...]:
    """The standard layouts of a state (a two-letter code, any case); () when unknown."""
    if not state:
        return ()
    wanted = state.upper()
    return next((lays for code, lays in formats if code == wanted), ())


def fit(text: str, target: str) -> str | None:
    """``text`` with look-alike glyphs replaced so that it has layout ``target``; None when
    a character in the wrong class has no look-alike (or the lengths differ)."""
    if len(text) != len(target):
        return None
    out = []
    for ch, want in zip(text, target):
        if (want == "N") == ch.isdigit():
            out.append(ch)
            continue
        swap = _TO_DIGIT.get(ch) if want == "N" else _TO_LETTER.get(ch)
        if swap is None:
            return None
        out.append(swap)
    return "".join(out)


def rerank(ranked: dict[str, float], probability: Callable[[str], float],
           layouts: tuple[str, ...], weight: float) -> dict[str, float]:
    """Scores with the state's syntax applied: when the best text fits none of ``layouts``
    and a look-alike variant fits one at a probability cost of at most ``weight`` times,
    the variant takes the best text's score and the best text the variant's.
    ``probability(text)`` is the recogniser's probability of a text (not only its beams)."""
    if not ranked or not layouts or weight <= 1.0:
        return ranked
    best = max(ranked, key=lambda t: ranked[t])
    if layout(best) in layouts:
        return ranked
    p_best = probability(best)
    options = []
    for target in layouts:
        alt = fit(best, target)
        if alt is not None and alt != best:
            p_alt = probability(alt)
            if p_alt * weight >= p_best:
                options.append((p_alt, alt))
    if not options:
        return ranked
    p_alt, alt = max(options)
    out = dict(ranked)
    alt_score = out.get(alt, ranked[best] * p_alt / max(p_best, 1e-12))
    out[alt], out[best] = ranked[best], min(alt_score, ranked[best])
    return out
