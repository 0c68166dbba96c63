"""The plate recogniser: our small CRNN, with CTC beam decoding into ranked texts.

Why a model of our own: easyocr's English recogniser reads every line on a plate (state
name, slogan, stickers) and confuses plate glyphs; our CRNN (convolutions + bidirectional
GRU + CTC, defined and trained in ``training/``) is trained on plates only, so it learns to
output just the main registration line. It is small and runs in a few milliseconds per crop
on a CPU, with ONNX Runtime (``resources/ocr/plate_crnn.onnx``).

Why beam decoding: the best path of a CTC output is often one glyph away from the truth
(0/O, 8/B); keeping the few next-best texts with their probabilities lets the ranking step
use US plate formats and other preprocessings to pick the right one.
"""
from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from .plates import ALPHABET
from .weights import OnnxModel

INPUT_HEIGHT = 40
INPUT_WIDTH = 128
WEIGHTS = Path(__file__).resolve().parents[3] / "resources" / "ocr" / "plate_crnn.onnx"
"""The CRNN exported to ONNX (training/export_onnx.py); the trained weights are the .pt beside it."""


def prepare(gray: np.ndarray) -> np.ndarray:
    """Grey crop -> normalised float32 (H, W) input; shared by training and inference."""
    h, w = gray.shape[:2]
    interp = cv2.INTER_AREA if w > INPUT_WIDTH else cv2.INTER_LINEAR
    return standardise(cv2.resize(gray, (INPUT_WIDTH, INPUT_HEIGHT), interpolation=interp))


def standardise(gray: np.ndarray) -> np.ndarray:
    """Zero mean, unit contrast, as float32; the +8 keeps a flat, featureless crop from being
    stretched into noise. Both networks see their inputs this way."""
    x = gray.astype(np.float32)
    return (x - x.mean()) / (x.std() + 8.0)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Log-probabilities over the last axis, computed stably in float32."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def beam_decode(logprobs: np.ndarray, beam: int = 8) -> list[tuple[str, float]]:
    """CTC prefix beam search on (T, C) log-probabilities; returns (text, probability)."""
    beams: dict[str, tuple[float, float]] = {"": (0.0, -math.inf)}  # prefix -> (blank, non-blank)
    top = np.argsort(-logprobs, axis=1)[:, :4]
    for t in range(logprobs.shape[0]):
        nxt: dict[str, list[float]] = {}

        def add(prefix: str, pb: float, pnb: float) -> None:
            cur = nxt.setdefault(prefix, [-math.inf, -math.inf])  # noqa: B023 - add() runs within this step
            cur[0] = np.logaddexp(cur[0], pb)
            cur[1] = np.logaddexp(cur[1], pnb)

        lp = logprobs[t]
        for prefix, (pb, pnb) in beams.items():
            total = np.logaddexp(pb, pnb)
            for c in top[t]:
                p = float(lp[c])
                if p < -12:
                    continue
                if c == 0:
                    add(prefix, total + p, -math.inf)
                    continue
                ch = ALPHABET[c - 1]
                if prefix and prefix[-1] == ch:
                    add(prefix, -math.inf, pnb + p)          # repeat collapses
                    add(prefix + ch, -math.inf, pb + p)      # new char after blank
                else:
                    add(prefix + ch, -math.inf, total + p)
        beams = dict(sorted(((k, (v[0], v[1])) for k, v in nxt.items()),
                            key=lambda kv: -np.logaddexp(*kv[1]))[:beam])
    return [(k, float(math.exp(np.logaddexp(*v)))) for k, v in beams.items() if k]


def ctc_probability(logprobs: np.ndarray, text: str) -> float:
    """The probability the network gives ``text`` (summed over all its CTC alignments) from
    (T, C) log-probabilities; lets the syntax prior weigh texts the beam did not keep."""
    labels = [ALPHABET.index(ch) + 1 for ch in text if ch in ALPHABET]
    if not labels:
        return float(np.exp(logprobs[:, 0].sum()))
    ext = np.zeros(2 * len(labels) + 1, np.int64)
    ext[1::2] = labels
    # a step over a blank is allowed between two different labels
    skip = np.zeros(len(ext), bool)
    skip[3::2] = np.array(labels[1:]) != np.array(labels[:-1])
    alpha = np.full(len(ext), -np.inf)
    alpha[:2] = logprobs[0, ext[:2]]
    for t in range(1, logprobs.shape[0]):
        stay = alpha
        step = np.concatenate(([-np.inf], alpha[:-1]))
        jump = np.where(skip, np.concatenate(([-np.inf, -np.inf], alpha[:-2])), -np.inf)
        alpha = np.logaddexp(np.logaddexp(stay, step), jump) + logprobs[t, ext]
    return float(np.exp(np.logaddexp(alpha[-1], alpha[-2])))


def char_confidences(logprobs: np.ndarray, text: str) -> list[float] | None:
    """Per-character probabilities of ``text`` along the best CTC path (the largest
    probability of each emitted character over its frames), or None when the best path
    reads another text. The reader re-frames a plate whose end characters are unsure."""
    path = logprobs.argmax(axis=1)
    out: list[float] = []
    prev = 0
    for t, c in enumerate(path):
        if c != 0 and c != prev:
            out.append(float(np.exp(logprobs[t, c])))
        elif c != 0 and out:
            out[-1] = max(out[-1], float(np.exp(logprobs[t, c])))
        prev = c
    greedy = "".join(ALPHABET[c - 1] for i, c in enumerate(path) if c and (i == 0 or c != path[i - 1]))
    return out if greedy == text else None


class PlateRecognizer:
    """Reads batches of grey crops with the CRNN (ONNX Runtime), loaded on first use.

    ``model`` replaces the ONNX graph by anything with the same ``available``, ``loaded`` and
    ``run(batch) -> logits`` (training/nets.py's ``TorchModel`` runs the .pt this way)."""

    def __init__(self, weights: Path = WEIGHTS, model=None) -> None:
        self._weights = model if model is not None else OnnxModel(weights)

    @property
    def available(self) -> bool:
        """True when the weight file ships with this copy of the application."""
        return self._weights.available

    @property
    def loaded(self) -> bool:
        return self._weights.loaded

    def logits(self, grays: list[np.ndarray]) -> np.ndarray:
        """The network's (T, N, classes) scores for N grey crops."""
        return self._weights.run(np.stack([prepare(g) for g in grays])[:, None])

    def logprobs(self, grays: list[np.ndarray]) -> np.ndarray:
        """(T, N, classes) log-probabilities for N grey crops."""
        return log_softmax(self.logits(grays))

    def read(self, grays: list[np.ndarray], beam: int = 8) -> list[list[tuple[str, float]]]:
        """Ranked (text, probability) lists, one per grey crop."""
        if not grays:
            return []
        logp = self.logprobs(grays)
        return [beam_decode(logp[:, i], beam) for i in range(len(grays))]
