"""Plate OCR: read licence plates from plate crops and scene photos, offline, on the CPU.

Public API::

    decode_image(data) -> BGR ndarray            # raises BadImage with a sentence
    PlateCandidate(text, confidence, box)        # one reading, best first in lists
    PlateReader().read_crop(image) / .read_scene(image)
    get_reader() / reader_loaded()               # the shared, lazily loaded reader

Both networks run with ONNX Runtime; PyTorch is never imported to read (it is needed only
to train and export the networks, in ``training/``). easyocr is an optional second opinion
(the ``easyocr`` extra, off unless ``ReaderSettings.use_easyocr``). Importing this package is
cheap: the models load on the first read (or on ``get_reader().load()`` from a worker
thread), never at import time.
"""
from .images import decode_image
from .plates import edit_distance, normalise
from .reader import OcrUnavailable, PlateCandidate, PlateReader, ReaderSettings, get_reader, reader_loaded

__all__ = [
    "OcrUnavailable", "PlateCandidate", "PlateReader", "ReaderSettings", "decode_image",
    "edit_distance", "get_reader", "normalise", "reader_loaded",
]
