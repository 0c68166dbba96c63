"""The training data: the validation split stays inside the training portion, the locator
reads the EU and BR street scenes, and the second-generation synthetic plates follow the
states' layouts and keep their damage within bounds.

The training scripts need the ``train`` extra (torch); their tests skip without it. The EU
and BR scenes are read in place from ``../shared/datasets`` (skipped without them).
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from app.engine.ocr.plates import layout
from app.engine.ocr.samples import load_samples
from tests.test_ocr_pipeline import CROPS, DATASETS, SCENES, needs_crops, needs_scenes
from training.split import is_held_out, is_validation
from training.synth import (STATE_LAYOUTS, augment, on_background, render_state_plate,
                            state_plate_text, weather_damage)

EU, BR = DATASETS / "openalpr-eu" / "train", DATASETS / "openalpr-br" / "train"
needs_extra = pytest.mark.skipif(not (EU.is_dir() and BR.is_dir()),
                                 reason="EU/BR training scenes not present")


@needs_crops
@needs_scenes
def test_validation_is_carved_from_the_training_portion_only() -> None:
    samples = load_samples(CROPS) + load_samples(SCENES)
    val = [s for s in samples if is_validation(s.path.name, s.plate)]
    assert val and not any(is_held_out(s.path.name) for s in val)
    train = [s for s in samples if not is_held_out(s.path.name) and s not in val]
    # keyed on the plate text: a car never sits on both sides of the split
    assert not {s.plate for s in val} & {s.plate for s in train}
    assert 0.1 < len(val) / (len(val) + len(train)) < 0.3


def test_state_plates_follow_their_states_layouts() -> None:
    rng = random.Random(7)
    names = {name: lays for name, lays, _ in STATE_LAYOUTS.values()}
    standard = 0
    for _ in range(300):
        label, rendered, name, slogan = state_plate_text(rng)
        assert label == "".join(c for c in rendered if c.isalnum()) and label.isalnum()
        lays = {"".join(c for c in lay if c.isalnum()) for lay in names[name]}
        standard += layout(label) in lays
    assert standard > 0.8 * 300           # vanity plates are the rest


def test_state_plate_rendering_is_reproducible_and_damage_stays_in_range() -> None:
    def draw(seed: int):
        rng, np_rng = random.Random(seed), np.random.default_rng(seed)
        img, text = render_state_plate(rng)
        return augment(img, rng, np_rng, weather=True), text
    (a, ta), (b, tb) = draw(3), draw(3)
    assert ta == tb and np.array_equal(a, b)
    assert a.dtype == np.uint8 and a.ndim == 2 and min(a.shape) >= 8
    rng, np_rng = random.Random(0), np.random.default_rng(0)
    flat = np.full((40, 128), 200.0, np.float32)
    outs = [weather_damage(flat.copy(), rng, np_rng) for _ in range(60)]
    assert all(o.shape == flat.shape and o.min() >= 0 and o.max() <= 255 for o in outs)
    assert any(o.mean() < 120 for o in outs)            # a night scene is darker
    assert any(o.max() > 250 for o in outs)             # glare washes out


def test_on_background_surrounds_the_plate_with_the_scene() -> None:
    rng = random.Random(1)
    plate = np.full((160, 320, 3), 255, np.uint8)
    scene = np.zeros((480, 640, 3), np.uint8)           # a black street
    cut = on_background(plate, scene, rng)
    assert cut.shape[0] > 100 and cut.shape[1] > 200
    # the middle is the plate, and no more than the loose margin around it is scenery
    h, w = cut.shape[:2]
    assert cut[h // 2, w // 2].min() == 255
    assert (cut.max(axis=2) == 255).mean() > 0.6


@needs_extra
def test_locator_reads_eu_and_br_scenes_with_hard_negatives() -> None:
    pytest.importorskip("torch", reason="PyTorch (the train extra) is not installed")
    from training import train_locator as tl

    photos = tl.load_extra(limit=2)
    assert len(photos) == 4
    rng = random.Random(5)
    for photo in photos:
        H, W = photo.gray.shape
        x, y, w, h = photo.box
        assert 0 <= x and 0 <= y and x + w <= W and y + h <= H and w > h > 0
        assert all(tl.iou(n, photo.box) < 0.05 for n in photo.negatives)
        # windows near the plate are mostly positive, with a target that points at the plate
        labels = [tl.photo_window(photo, rng)[1:] for _ in range(200)]
        positives = [reg for label, reg in labels if label == 1.0]
        assert positives and len(positives) < len(labels)
        assert all(abs(reg[0]) < 0.32 and abs(reg[1]) < 0.32 for reg in positives)
    win, label, reg = tl.pasted_window(photos, [np.full((60, 120), 230, np.uint8)], rng)
    assert win.shape == (tl.WIN_H, tl.WIN_W) and label in (0.0, 1.0)
