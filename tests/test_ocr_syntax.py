"""State plate syntax settles look-alike glyphs, and never forces a layout on a vanity plate.

Development crops are read in place from ``../shared/datasets`` (skipped without them); the
crops asserted on are among those held out of training (training/split.py).
"""
from __future__ import annotations

import numpy as np
import pytest

from app.engine.ocr import PlateReader, ReaderSettings
from app.engine.ocr.plates import layout
from app.engine.ocr.recognizer import ALPHABET, ctc_probability
from app.engine.ocr.samples import load_samples
from app.engine.ocr.syntax import STATE_FORMATS, fit, layouts_for, learn_formats, rerank
from tests.test_ocr_pipeline import CROPS, SCENES, needs_crops, needs_scenes
from training.split import is_held_out


def _crop(name: str):
    return next(s for s in load_samples(CROPS) if s.path.name == name)


def test_fit_replaces_only_look_alikes() -> None:
    assert fit("N78BBY", "LNNNLL") == "N788BY"          # B -> 8 where Florida has a digit
    assert fit("7ABC1Z3", "NLLLNNN") == "7ABC123"
    assert fit("903GZR", "LLLNNN") is None               # 9 has no look-alike letter
    assert fit("ABC123", "LLLNNNN") is None              # lengths differ
    assert layouts_for("ca") == ("NLLLNNN",) and layouts_for(None) == () == layouts_for("ZZ")


def test_rerank_is_soft_and_leaves_fitting_reads_alone() -> None:
    probs = {"N78BBY": 0.5, "N788BY": 0.2}
    ranked = {"N78BBY": 0.5}
    near = rerank(ranked, lambda t: probs.get(t, 0.0), ("LNNNLL",), weight=3.0)
    assert max(near, key=near.get) == "N788BY" and near["N788BY"] == 0.5
    far = rerank(ranked, lambda t: probs.get(t, 0.0), ("LNNNLL",), weight=2.0)
    assert far == ranked                                  # cost 2.5x: more than the weight
    fitting = {"N788BY": 0.5, "N78BBY": 0.4}
    assert rerank(fitting, lambda t: probs.get(t, 0.0), ("LNNNLL",), 3.0) == fitting
    assert rerank(ranked, lambda t: 1.0, (), 3.0) == ranked          # state unknown


def test_ctc_probability_sums_alignments() -> None:
    """Two frames, 'A' certain in each: 'A' is read (AA collapses), 'AA' cannot be."""
    logp = np.full((2, len(ALPHABET) + 1), -1e9, np.float32)
    logp[:, ALPHABET.index("A") + 1] = 0.0
    assert ctc_probability(logp, "A") == pytest.approx(1.0)
    assert ctc_probability(logp, "AA") == pytest.approx(0.0)


@needs_crops
def test_shipped_table_is_what_the_dev_crops_show() -> None:
    samples = load_samples(CROPS)
    assert learn_formats((s.state, s.plate) for s in samples) == STATE_FORMATS
    assert ("CA", ("NLLLNNN",)) in STATE_FORMATS        # digit, three letters, three digits


@needs_crops
def test_state_layout_corrects_a_dev_crop() -> None:
    """fl920.png (held out): the recogniser's best is N78BBY, which fits no Florida layout;
    with the state known, N788BY (B -> 8, Florida's LNNNLL) is read instead."""
    sample = _crop("fl920.png")
    assert is_held_out(sample.path.name) and sample.state == "FL"
    data = sample.path.read_bytes()
    reader = PlateReader(ReaderSettings(), use_easyocr=False)
    assert reader.read_crop(data)[0].text == "N78BBY"               # no state: as read
    assert reader.read_crop(data, state="FL")[0].text == sample.plate == "N788BY"
    off = PlateReader(ReaderSettings(syntax_weight=0.0), use_easyocr=False)
    assert off.read_crop(data, state="FL")[0].text == "N78BBY"      # the prior switched off


@needs_crops
def test_a_vanity_plate_is_not_forced_into_the_state_layout() -> None:
    """ri1080.png (held out) reads 12345 on a Rhode Island plate. Look-alike swaps could make
    it IZ345, which fits Rhode Island's LLNNN, but the recogniser finds that far less likely,
    so the plate is read as it is."""
    sample = _crop("ri1080.png")
    assert is_held_out(sample.path.name) and sample.state == "RI"
    forced = fit(sample.plate, "LLNNN")
    assert forced == "IZ345" and layout(forced) in layouts_for("RI")
    cands = PlateReader(use_easyocr=False).read_crop(sample.path.read_bytes(), state="RI")
    assert cands[0].text == sample.plate == "12345"


# -- framing that keeps every character ----------------------------------------------------
@needs_scenes
@pytest.mark.parametrize("name, cut", [("us4.jpg", 0.22), ("wts-lg-000078.jpg", 0.22),
                                       ("wts-lg-000021.jpg", 0.18)])
def test_a_cut_off_first_character_is_recovered(name: str, cut: float) -> None:
    """Held-out development photos whose plate box is made tighter on the left (by ``cut``
    of its width), as a locator that frames a plate short does. No development photo has
    the shipped pipeline drop a first character, so the tight box is constructed: read as
    it is, the first character is lost (or misread); the reader sees the main line touch
    the crop's side, re-reads a wider box and keeps the whole plate."""
    sample = next(s for s in load_samples(SCENES) if s.path.name == name)
    assert is_held_out(name)
    x, y, w, h = sample.box
    tight = (x + int(cut * w), y, w - int(cut * w), h)
    data = sample.path.read_bytes()
    narrow = PlateReader(ReaderSettings(widen=0.0), use_easyocr=False).read_box(data, tight)
    lost = narrow[0].text
    assert lost != sample.plate and sample.plate[1:] in (lost, lost[1:])   # only the first
    assert PlateReader(use_easyocr=False).read_box(data, tight)[0].text == sample.plate
    full = PlateReader(use_easyocr=False).read_box(data, sample.box)     # a good box: as read
    assert full[0].text == sample.plate
