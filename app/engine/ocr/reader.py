"""The plate reader: crops and scene photos in, ranked plate candidates out.

Why this shape: our small CRNN reads a whole plate crop in milliseconds, so the reader can
afford to read several preprocessings of each crop and many box proposals per photo, and let
agreement between readings and the US plate format prior pick the answer. In a scene photo
the plate locator re-frames each OpenCV proposal first and scores how plate-like it is, so
the recogniser sees plates framed as it was trained and signs rank below plates; when no
proposal leads to a plate that reads (a dim or dirty plate both OpenCV cues missed), the
locator sweeps the whole photo instead, which costs 0.6-0.9 s on one thread. Both networks
run with ONNX Runtime (weights.py); PyTorch is not needed to read.

easyocr (the optional ``easyocr`` extra, offline) can be a second opinion for crops the CRNN
is unsure of, when ``ReaderSettings.use_easyocr`` is set. It is off by default: on photos
outside the development set it changed no reading for the better (crops 90.6% exact with
it, 90.8% without; photos 76.1% against 77.0%) and made a photo about four times slower.
Where it is installed it is still the whole engine when the recogniser's model file is
missing, as before; where neither can read, reading raises ``OcrUnavailable``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import EngineError
from ..progress import CancelToken
from .detect import iou, propose
from .easy import EasyOcr, easyocr_installed
from .images import as_bgr
from .lines import find_main_line, skew_angle
from .locator import PlateLocator, sweep_boxes
from .plates import format_prior, normalise
from .recognizer import PlateRecognizer, beam_decode, char_confidences, ctc_probability
from .syntax import STATE_FORMATS, Formats, layouts_for, rerank

Box = tuple[int, int, int, int]


class OcrUnavailable(EngineError):
    """This copy of the program has no way to read plate text (model file missing and
    easyocr not installed)."""


@dataclass(frozen=True)
class PlateCandidate:
    """One possible reading of a plate.

    ``confidence`` is in [0, 1]: the recogniser's probability averaged over preprocessings,
    times the plate format prior (and, in a scene photo, the locator's plate probability),
    so it is comparable across crops and boxes. ``box`` is
    (x, y, w, h) in the input image; None when the whole input was read as one crop.
    """

    text: str
    confidence: float
    box: Box | None


@dataclass(frozen=True)
class ReaderSettings:
    """Knobs of the pipeline, with the values measured best on the training split."""

    use_easyocr: bool = False        # easyocr as a second opinion (needs the easyocr extra);
                                     # off: measured no better on unseen photos, 4x slower
    easyocr_below: float = 0.45      # ask easyocr too when the best CRNN candidate is below this
    located_boxes: int = 10          # located plate boxes read quickly per photo
    scene_boxes: int = 4             # of those, boxes re-read carefully
    read_margin: tuple[float, float] = (1.15, 1.1)  # located box grown by (width, height)
    max_candidates: int = 5
    syntax_weight: float = 3.0       # a look-alike variant that fits the plate's state layout
                                     # replaces a best read that does not when its probability
                                     # is at least 1/this of it (syntax.py); 0: off. 3: chosen
                                     # on every training fold of bench/ocr.py --cv (crops)
    home_state: str | None = None    # the state assumed when a read's state is not known
    formats: Formats = STATE_FORMATS  # the states' layouts (syntax.py)
    widen: float = 0.12              # a located plate whose end characters are unsure is
                                     # re-read from a box this much wider on each side; 0: off
    widen_below: float = 0.6         # "unsure": the first or last character's probability
    widen_extends: float = 0.5       # a wider read that adds one character at an end of the
                                     # first read wins at this share of its score (else: only
                                     # when it scores higher)


def _variants(bgr: np.ndarray) -> list[np.ndarray]:
    """Grey preprocessings of one crop; readings that agree across them are trusted more."""
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 8)).apply(gray)
    dx, dy = max(1, w // 25), max(1, h // 20)
    inset = gray[dy:h - dy, dx:w - dx] if h > 4 * dy and w > 4 * dx else gray
    padded = cv2.copyMakeBorder(gray, 2 * dy, 2 * dy, 2 * dx, 2 * dx, cv2.BORDER_REPLICATE)
    out = [gray, clahe, inset, padded]
    angle = skew_angle(gray)
    if 2.5 <= abs(angle) <= 25:  # rectify a visibly tilted plate; keep the others too
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        out.append(cv2.warpAffine(gray, rot, (w, h), borderMode=cv2.BORDER_REPLICATE))
    return out


STAMP_BAND_WEIGHT = 0.3


def _in_stamp_band(box: Box, height: int) -> bool:
    """True for a box inside the top or bottom 6% of a photo, where cameras print date
    stamps; plates are almost never there."""
    _, y, _, bh = box
    return y + bh <= 0.06 * height or y >= 0.94 * height


def _refine(bgr: np.ndarray, box: Box) -> Box | None:
    """A tighter plate box around the main character line found in a loose proposal:
    the recogniser was trained on plate boxes, and reads a well-framed plate best."""
    x, y, w, h = box
    H, W = bgr.shape[:2]
    x0, y0 = max(0, x - w // 6), max(0, y - h // 4)
    x1, y1 = min(W, x + w + w // 6), min(H, y + h + h // 4)
    region = cv2.cvtColor(bgr[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    line = find_main_line(region) if region.size else None
    if line is None:
        return None
    lx, ly, lw, lh = line
    cx, cy = x0 + lx + lw / 2, y0 + ly + lh / 2
    pw, ph = lw * 1.1, lh * 1.8
    bx, by = int(max(0, cx - pw / 2)), int(max(0, cy - ph / 2))
    bw, bh = int(min(W, cx + pw / 2)) - bx, int(min(H, cy + ph / 2)) - by
    return (bx, by, bw, bh) if bw >= 8 and bh >= 6 else None


class PlateReader:
    """Reads plates; models load on first use (thread-safe), see :meth:`load`.

    ``use_easyocr`` overrides ``settings.use_easyocr``; easyocr is used only where its extra
    is installed, and ``use_easyocr=False`` also keeps it from standing in for a missing
    recogniser. ``recognizer`` and ``locator`` replace the shipped networks (the ONNX parity
    test runs the PyTorch weights through the same pipeline this way)."""

    def __init__(self, settings: ReaderSettings | None = None, use_easyocr: bool | None = None,
                 recognizer: PlateRecognizer | None = None,
                 locator: PlateLocator | None = None) -> None:
        self.settings = settings or ReaderSettings()
        self._crnn = recognizer or PlateRecognizer()
        self._locator = locator or PlateLocator()
        wanted = self.settings.use_easyocr if use_easyocr is None else use_easyocr
        stand_in = use_easyocr is not False and not self._crnn.available
        self._easy = EasyOcr() if (wanted or stand_in) and easyocr_installed() else None
        self._lock = threading.Lock()
        self._loaded = False

    @property
    def uses_easyocr(self) -> bool:
        """Whether this reader asks easyocr (as a second opinion or in the recogniser's place)."""
        return self._easy is not None

    @property
    def can_read(self) -> bool:
        """Whether plate text can be read at all: the recogniser or easyocr is there."""
        return self._crnn.available or self._easy is not None

    @property
    def loaded(self) -> bool:
        """True once :meth:`load` has run, so a call will not stall on model loading."""
        crnn_ready = self._crnn.loaded or not self._crnn.available
        locator_ready = self._locator.loaded or not self._locator.available
        return self._loaded or (crnn_ready and locator_ready
                                and (self._easy is None or self._easy.loaded))

    def _check_can_read(self) -> None:
        if not self.can_read:
            raise OcrUnavailable(
                "Plate OCR is not available in this copy of the program: the recogniser's "
                "model file (resources/ocr/plate_crnn.onnx) is missing and easyocr is not "
                "installed.")

    def load(self) -> None:
        """Load the models now (seconds); a GUI calls this from a worker at start-up."""
        with self._lock:
            if self._crnn.available:
                self._crnn.read([np.zeros((40, 128), np.uint8)])
            if self._locator.available:
                self._locator.locate(np.zeros((64, 128), np.uint8), [(0, 0, 32, 16)])
            if self._easy is not None:
                self._easy.reader()
            self._loaded = True

    # -- crops ---------------------------------------------------------------------------
    def read_crop(self, image: bytes | np.ndarray,
                  state: str | None = None) -> list[PlateCandidate]:
        """Read one plate crop (file bytes or BGR array); candidates best first. ``state``
        (a two-letter code), where known, lets the state's plate layouts settle look-alike
        glyphs (syntax.py); without it ``settings.home_state`` is assumed, if set."""
        bgr = as_bgr(image)
        self._check_can_read()
        return self._read_plate(bgr, None, state)

    def _layouts(self, state: str | None) -> tuple[str, ...]:
        return layouts_for(state or self.settings.home_state, self.settings.formats)

    def _read_plate(self, bgr: np.ndarray, box: Box | None,
                    state: str | None = None) -> list[PlateCandidate]:
        return self._read_ends(bgr, box, state)[0]

    def _read_ends(self, bgr: np.ndarray, box: Box | None,
                   state: str | None) -> tuple[list[PlateCandidate], float]:
        """Candidates, and how sure the recogniser is of the best one's first and last
        characters (the smaller probability; 0 when no preprocessing's best path reads it)."""
        scores: dict[str, float] = {}
        ranked: dict[str, float] = {}
        ends = 1.0
        if self._crnn.available:
            variants = _variants(bgr)
            logp = self._crnn.logprobs(variants)
            for i in range(len(variants)):
                for text, p in beam_decode(logp[:, i]):
                    scores[text] = scores.get(text, 0.0) + p / len(variants)
            ranked = {t: p * format_prior(t) for t, p in scores.items()}

            def probability(text: str) -> float:
                return sum(ctc_probability(logp[:, i], text) for i in range(len(variants))) \
                    / len(variants)
            ranked = rerank(ranked, probability, self._layouts(state), self.settings.syntax_weight)
            top = max(ranked, key=lambda t: ranked[t], default="")
            sure = [c for c in (char_confidences(logp[:, i], top) for i in range(len(variants)))
                    if c]
            ends = max((min(c[0], c[-1]) for c in sure), default=0.0)
        best = max(ranked.values(), default=0.0)
        if self._easy is not None and best < self.settings.easyocr_below:
            # easyocr as a second opinion: agreeing with a CRNN reading raises it; its own
            # text only enters when the CRNN found nothing plate-like (measured: it misreads
            # more plates than it rescues otherwise)
            for text, conf in self._easy_read(bgr):
                if text in ranked:
                    ranked[text] += 0.5 * conf * format_prior(text)
                elif best < 0.05 or not self._crnn.available:
                    ranked[text] = conf * format_prior(text)
        out = sorted(ranked.items(), key=lambda kv: -kv[1])[: self.settings.max_candidates]
        return [PlateCandidate(t, round(min(1.0, c), 4), box)
                for t, c in out if t and c >= 5e-4], ends

    def read_box(self, image: bytes | np.ndarray, box: Box,
                 state: str | None = None) -> list[PlateCandidate]:
        """Read the plate in one (x, y, w, h) box of a photo, as a located plate is read
        (grown by ``settings.read_margin``, widened when a character may be cut off)."""
        bgr = as_bgr(image)
        self._check_can_read()
        return self._read_located(bgr, box, state)

    def _read_located(self, bgr: np.ndarray, box: Box, state: str | None = None,
                      margin: tuple[float, float] | None = None) -> list[PlateCandidate]:
        """Read a located plate box; re-read a wider box when a character may be cut off and
        keep the better read. Measured on development photos cut tighter than the plate: the
        recogniser reads the remaining characters confidently, so the signs are the main
        character line touching the crop's side, unsure end characters, or a read shorter
        than every layout of the state; the wider read then either scores higher or is the
        first read with the missing character added."""
        margin = margin or self.settings.read_margin
        crop = _cut(bgr, box, margin)
        cands, ends = self._read_ends(crop, box, state)
        layouts = self._layouts(state)
        short = bool(cands and layouts and len(cands[0].text) < min(map(len, layouts)))
        if self.settings.widen <= 0 or (cands and ends >= self.settings.widen_below
                                        and not short and not _line_at_side(crop)):
            return cands
        wider = (margin[0] * (1 + 2 * self.settings.widen), margin[1])
        other, _ = self._read_ends(_cut(bgr, box, wider), box, state)
        if not other:
            return cands
        if not cands:
            return other
        first, wide = cands[0], other[0]
        extends = len(wide.text) == len(first.text) + 1 and first.text in (wide.text[1:],
                                                                            wide.text[:-1])
        share = self.settings.widen_extends if extends and self.settings.widen_extends else 1.0
        return other if wide.confidence > share * first.confidence else cands

    def _easy_read(self, bgr: np.ndarray) -> list[tuple[str, float]]:
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        line = find_main_line(gray)
        if line is not None:
            x, y, w, h = line
            gray = gray[y:y + h, x:x + w]
        if gray.shape[0] < 32:
            gray = cv2.resize(gray, None, fx=32 / gray.shape[0], fy=32 / gray.shape[0])
        out = []
        for text, conf in self._easy.read_line(gray):  # type: ignore[union-attr]
            t = normalise(text)
            if t:
                out.append((t, conf))
        return out

    # -- scenes --------------------------------------------------------------------------
    def read_scene(self, image: bytes | np.ndarray, cancel: CancelToken | None = None,
                   state: str | None = None) -> list[PlateCandidate]:
        """Find plates in a photo and read each; candidates best first, with their boxes.
        ``state`` as in :meth:`read_crop`."""
        bgr = as_bgr(image)
        self._check_can_read()
        h, w = bgr.shape[:2]
        proposals = [p.box for p in propose(bgr)]
        proposals += [r for r in (_refine(bgr, b) for b in proposals) if r is not None]
        if w <= 600 and 1.2 <= w / max(h, 1) <= 4.0:  # the photo may itself be a plate crop
            proposals.insert(0, (0, 0, w, h))
        if cancel is not None:
            cancel.check()
        if not self._locator.available:
            return self._read_boxes(bgr, [(1.0, b) for b in proposals], state, cancel)
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        found = self._read_boxes(bgr, self._locate(gray, proposals), state, cancel)
        if found or not self._crnn.available:
            return found
        # No proposal led to a plate that reads: the locator looks over the whole photo
        # (0.6-0.9 s on one thread, only for such photos).
        if cancel is not None:
            cancel.check()
        first = self._locator.locate(gray, sweep_boxes(w, h), cancel)
        best = sorted(first, key=lambda t: -t[0])[: self.settings.located_boxes]
        return self._read_boxes(bgr, self._locate(gray, [b for _, b in best]), state, cancel)

    def _read_boxes(self, bgr: np.ndarray, located: list[tuple[float, Box]], state: str | None,
                    cancel: CancelToken | None) -> list[PlateCandidate]:
        """Read the located boxes (plate probability, box) of a photo: all quickly, then the
        most plate-like of them carefully; candidates best first."""
        if not located:
            return []
        if cancel is not None:
            cancel.check()
        h = bgr.shape[0]
        # plate probability x stamp band: text in a date-stamp band stays a candidate, but
        # below any plate-like read
        weights = [p * (STAMP_BAND_WEIGHT if _in_stamp_band(b, h) else 1.0) for p, b in located]
        margin = self.settings.read_margin if self._locator.available else (1.0, 1.0)
        crops = [_cut(bgr, b, margin) for _, b in located]
        if self._crnn.available:
            quick = self._crnn.read([cv2.cvtColor(c, cv2.COLOR_BGR2GRAY) for c in crops], beam=3)
            plate_like = [wt * max((p * format_prior(t) for t, p in beams), default=0.0)
                          for beams, wt in zip(quick, weights)]
            order = np.argsort(plate_like)[::-1][: self.settings.scene_boxes]
            order = [i for i in order if plate_like[i] > 0.02]  # type: ignore[assignment]  # order is a list of indices either way
        else:
            order = list(range(min(len(crops), self.settings.scene_boxes)))  # type: ignore[assignment]  # order is a list of indices either way
        merged: dict[str, PlateCandidate] = {}
        for i in order:
            if cancel is not None:
                cancel.check()
            for cand in self._read_located(bgr, located[i][1], state, margin):
                cand = PlateCandidate(cand.text, round(cand.confidence * weights[i], 4), cand.box)
                if cand.text not in merged or merged[cand.text].confidence < cand.confidence:
                    merged[cand.text] = cand
        out = sorted(merged.values(), key=lambda c: -c.confidence)
        return out[: self.settings.max_candidates]

    def _locate(self, gray: np.ndarray, proposals: list[Box]) -> list[tuple[float, Box]]:
        """Proposals re-framed by the locator (twice: the second pass starts from the first
        pass's box, which centres the window on the plate), the most plate-like first,
        overlapping boxes dropped."""
        H, W = gray.shape[:2]
        first = self._locator.locate(gray, proposals)
        second = self._locator.locate(gray, [b for _, b in first])
        kept: list[tuple[float, Box]] = []
        for p, box in sorted(second, key=lambda t: -t[0]):
            box = _clip(box, W, H)  # type: ignore[assignment]  # a clipped box of a found plate is never empty
            if box is not None and all(iou(box, k) < 0.5 for _, k in kept):
                kept.append((p, box))
                if len(kept) >= self.settings.located_boxes:
                    break
        return kept


def _line_at_side(bgr: np.ndarray) -> bool:
    """True when the main character line (with its margin) reaches the crop's left or right
    side, within 2% of its width: a character there may be cut off."""
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    line = find_main_line(gray)
    if line is None:
        return False
    x, _, w, _ = line
    return x <= 0.02 * gray.shape[1] or x + w >= 0.98 * gray.shape[1]


def _clip(box: Box, width: int, height: int) -> Box | None:
    x, y, w, h = box
    x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
    return (x0, y0, x1 - x0, y1 - y0) if x1 - x0 >= 8 and y1 - y0 >= 6 else None


def _cut(bgr: np.ndarray, box: Box, margin: tuple[float, float]) -> np.ndarray:
    """The box grown by margin (width, height factors) about its centre, inside the image:
    a located box can be a few pixels tight, and a cut-off character is a misread."""
    x, y, w, h = box
    gw, gh = w * margin[0], h * margin[1]
    grown = _clip((int(x + w / 2 - gw / 2), int(y + h / 2 - gh / 2), int(gw), int(gh)),
                  bgr.shape[1], bgr.shape[0])
    x, y, w, h = grown or box
    return bgr[y:y + h, x:x + w]


_shared: PlateReader | None = None
_shared_lock = threading.Lock()


def get_reader() -> PlateReader:
    """The process-wide reader, created on first call; models load on first read."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PlateReader()
        return _shared


def reader_loaded() -> bool:
    """Whether the shared reader exists and its models are loaded (the GUI shows 'ready')."""
    return _shared is not None and _shared.loaded
