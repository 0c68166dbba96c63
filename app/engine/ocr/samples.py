"""Labelled plate image folders, in the two formats of ``../shared/datasets``.

Why in the engine: the bench, the tests and the training script all read the same folders;
one reader keeps the format rules (and the plate normalisation) in one place.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .plates import normalise


@dataclass(frozen=True)
class Sample:
    """One labelled image: a crop (box None) or a scene photo with its plate box; the
    plate's state (two-letter code, upper case) where the ground truth names it."""

    path: Path
    plate: str
    box: tuple[int, int, int, int] | None = None
    state: str | None = None


def folder_kind(folder: Path) -> str:
    """'crops' when the folder has groundtruth.csv, 'scenes' when it has NAME.txt files."""
    if (folder / "groundtruth.csv").is_file():
        return "crops"
    if any(folder.glob("*.txt")):
        return "scenes"
    raise ValueError(f"{folder} holds neither groundtruth.csv nor NAME.txt ground truth files.")


def load_samples(folder: Path) -> list[Sample]:
    """All labelled images of a folder, sorted by file name."""
    folder = Path(folder)
    out: list[Sample] = []
    if folder_kind(folder) == "crops":
        with open(folder / "groundtruth.csv", newline="") as fh:
            for row in csv.reader(fh):
                if len(row) >= 3 and (folder / row[0]).is_file():
                    out.append(Sample(folder / row[0], normalise(row[2]),
                                      state=row[1].strip().upper() or None))
    else:
        for txt in folder.glob("*.txt"):
            for line in txt.read_text().splitlines():
                parts = line.strip().split("\t")
                if len(parts) < 6:
                    continue
                x, y, w, h = (int(v) for v in parts[1:5])
                out.append(Sample(folder / parts[0], normalise(parts[5]), (x, y, w, h)))
    return sorted(out, key=lambda s: s.path.name)
