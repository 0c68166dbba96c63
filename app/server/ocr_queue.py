"""Drain the server's OCR queue: camera drops that arrived without a plate read.

Each queued drop is read from its plate crop when the camera sent one, else from the scene
photo; a reading below the confidence floor is marked unreadable rather than guessed.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from app.engine.errors import BadImage
from app.engine.progress import CancelToken, Progress

MIN_CONFIDENCE = 0.30


@dataclass(frozen=True)
class DrainResult:
    read: int
    unreadable: int


def drain(server, reader, cancel: CancelToken | None = None, batch: int = 50,
          min_confidence: float = MIN_CONFIDENCE) -> Iterator[Progress | DrainResult]:
    """Resolve every pending item; yields Progress, then one DrainResult."""
    cancel = cancel or CancelToken()
    started = time.monotonic()
    read = unreadable = 0
    while items := server.ocr_pending(batch):
        for item in items:
            cancel.check()
            candidates = []
            for sha, method in ((item.plate_image_sha256, reader.read_crop),
                                (item.scene_image_sha256, reader.read_scene)):
                image = server.image(sha) if sha else None
                if image is None:
                    continue
                try:
                    candidates = method(image.data)
                except BadImage:
                    candidates = []
                if candidates:
                    break
            best = candidates[0] if candidates else None
            if best and best.confidence >= min_confidence:
                server.resolve_ocr(item.id, best.text, best.confidence, int(time.time()), vendor="Workstation OCR")
                read += 1
            else:
                server.resolve_ocr(item.id, None, 0.0, int(time.time()))
                unreadable += 1
            yield Progress("Reading queued camera drops", read + unreadable, None, started=started,
                           message=f"{read} read, {unreadable} unreadable")
    yield DrainResult(read, unreadable)
