"""Thumbnails for the picture grid, fetched lazily and never on the GUI thread.

A card asks for its read's pictures when it is first painted; requests made during one paint
are gathered and fetched together by ONE engine call on the database thread (``ws.pictures``:
one logged view of images), then decoded and scaled on the pool, and only the small finished
``QImage``s come back to the GUI thread. The cache is emptied whenever the results, the user or
the purpose change, so nothing is shown again without its own log entry.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from app.engine.errors import BadImage
from app.engine.pictures import MAX_READS

from . import enhance
from .context import AppContext

PLATE_SIZE = (176, 60)
SCENE_SIZE = (176, 100)


@dataclass(frozen=True)
class Thumbs:
    plate: QImage | None
    scene: QImage | None


def _scaled(data: bytes | None, size: tuple[int, int]) -> QImage | None:
    """Decoded and shrunk with OpenCV, as the detail view's pictures are (enhance.py), not with
    ``QImage.fromData`` and a smooth ``scaled``: PySide6 holds the GIL through those C++ calls,
    and Qt hands a photo's conversion to its own thread pool and waits, so the window waited on
    the worker and the worker on Qt's pool for good (a test hung so once). OpenCV lets the GUI
    thread run meanwhile; only the finished thumbnail becomes a QImage."""
    if not data:
        return None
    try:
        img = enhance.decode(data)
    except BadImage:
        return None
    h, w = img.shape[:2]
    scale = min(size[0] / w, size[1] / h)
    fit = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return enhance.to_qimage(cv2.resize(img, fit, interpolation=interp))


def decode(found) -> dict[int, Thumbs]:
    """On the pool: the stored photos made into small images (ReadPictures -> Thumbs)."""
    return {p.read_id: Thumbs(_scaled(p.plate, PLATE_SIZE), _scaled(p.scene, SCENE_SIZE)) for p in found}


class PictureCache(QObject):
    arrived = Signal()                  # some thumbnails are ready: repaint

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.thumbs: dict[int, Thumbs] = {}
        self.wanted: list[int] = []
        self.asked: set[int] = set()
        self.generation = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(15)
        self._timer.timeout.connect(self._fetch)

    def get(self, read_id: int) -> Thumbs | None:
        """The thumbnails if held; otherwise asks for them (soon, with the others asked)."""
        found = self.thumbs.get(read_id)
        if found is None and read_id not in self.asked:
            self.asked.add(read_id)
            self.wanted.append(read_id)
            self._timer.start()
        return found

    @property
    def pending(self) -> bool:
        """Thumbnails asked for and not yet sent to the engine (the bench and tests wait on it)."""
        return bool(self.wanted) or self._timer.isActive()

    def clear(self) -> None:
        self.generation += 1
        self.thumbs, self.wanted, self.asked = {}, [], set()
        self._timer.stop()

    def _fetch(self) -> None:
        ws, session, generation = self.ctx.ws, self.ctx.session, self.generation
        while self.wanted:
            batch, self.wanted = self.wanted[:MAX_READS], self.wanted[MAX_READS:]

            def decoded(thumbs, batch=batch) -> None:
                if generation == self.generation:
                    self.thumbs.update(thumbs)
                    for rid in batch:             # a read without photos: an empty card, once
                        self.thumbs.setdefault(rid, Thumbs(None, None))
                    self.arrived.emit()

            def fetched(found, decoded=decoded) -> None:
                if generation == self.generation:
                    self.ctx.runner.pool(lambda: decode(found), decoded)

            def fetch(batch: list[int] = batch) -> object:
                return ws.pictures(session, batch)
            self.ctx.runner.db(fetch, fetched)
