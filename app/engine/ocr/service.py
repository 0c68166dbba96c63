"""OCR put to work on ALPR data: read verification and search by photo, guarded and logged.

The OCR itself (``PlateReader``) runs outside any database transaction, since it takes tens
to hundreds of milliseconds; only the short write of its outcome and the log entry share a
transaction.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import NotFound
from ..progress import CancelToken, Progress
from ..search import SearchPage, SearchQuery
from .images import decode_image
from .plates import edit_distance
from .reader import PlateCandidate, get_reader


@dataclass(frozen=True)
class Verification:
    read_id: int
    vendor_plate: str
    ocr_plate: str | None
    ocr_confidence: float
    possible_misread: bool


@dataclass(frozen=True)
class PhotoSearch:
    photo_sha256: str
    candidates: list[PlateCandidate]
    pages: dict[str, SearchPage]          # candidate text -> similar-plate results


class OcrService:
    """``ws.ocr``: re-read plate crops and read witness photos."""

    def __init__(self, ws, reader=None) -> None:
        self.ws = ws
        self._reader = reader

    @property
    def reader(self):
        return self._reader or get_reader()

    def verify_read(self, session, read_id: int) -> Verification:
        """Re-read the read's plate crop; mark it *possible misread* when we read otherwise."""
        self.ws.guard(session, "view")
        self.ws.images.ensure([read_id], ("plate",))        # a crop not cached comes from the server
        with self.ws.store.reading() as conn:
            row = conn.execute(
                "SELECT r.plate, coalesce(r.original_plate, r.plate), i.data, r.plate_state FROM reads r "
                "LEFT JOIN images i ON i.sha256 = r.plate_image_sha256 WHERE r.id = ?", (read_id,)).fetchone()
        if row is None:
            raise NotFound(f"Read {read_id} is not held on this workstation.")
        if row[2] is None:
            raise NotFound(f"Read {read_id} has no plate crop to verify.")
        # the camera's state, where it read one, lets the state's layouts settle look-alikes
        candidates = self.reader.read_crop(bytes(row[2]), state=row[3])
        best = candidates[0] if candidates else None
        vendor = row[1]
        misread = best is None or best.text != row[0]

        def work(conn) -> Verification:
            conn.execute("UPDATE reads SET ocr_plate = ?, ocr_confidence = ?, possible_misread = ? WHERE id = ?",
                         (best.text if best else None, best.confidence if best else 0.0, int(misread), read_id))
            return Verification(read_id, vendor, best.text if best else None,
                                best.confidence if best else 0.0, misread)
        return self.ws.logged(
            session, "ocr_verify", work, query={"read_id": read_id}, result_ids=lambda _v: [read_id],
            detail=lambda v: {"vendor_plate": v.vendor_plate, "ocr_plate": v.ocr_plate,
                              "ocr_confidence": v.ocr_confidence, "possible_misread": v.possible_misread,
                              "distance": edit_distance(v.vendor_plate, v.ocr_plate or "")})

    def verify_reads(self, session, read_ids: list[int],
                     cancel: CancelToken | None = None) -> Iterator[Progress]:
        """Verify many reads, yielding progress; a read without a crop is skipped."""
        cancel = cancel or CancelToken()
        progress = Progress("Verifying plate reads", 0, len(read_ids))
        flagged = 0
        for i, rid in enumerate(read_ids, 1):
            cancel.check()
            try:
                flagged += self.verify_read(session, rid).possible_misread
            except NotFound:
                pass
            yield Progress(progress.stage, i, len(read_ids), started=progress.started,
                           message=f"{flagged} possible misreads")

    def read_photo(self, session, photo: bytes) -> tuple[str, list[PlateCandidate]]:
        """Plate candidates in a witness photo (logged with the photo's hash, not its bytes)."""
        self.ws.guard(session, "search")
        decode_image(photo)                          # a bad image is refused before anything
        sha = hashlib.sha256(photo).hexdigest()
        candidates = self.reader.read_scene(photo)
        self.ws.log(session.actor, "photo_read", query={"photo_sha256": sha, "bytes": len(photo)},
                    purpose=session.purpose, case_number=session.case_number,
                    detail={"candidates": [[c.text, c.confidence] for c in candidates]})
        return sha, candidates

    def search_by_photo(self, session, photo: bytes, limit: int = 100,
                        top: int = 3) -> PhotoSearch:
        """Read the photo, then run a logged similar-plate search for each top candidate."""
        sha, candidates = self.read_photo(session, photo)
        pages = {c.text: self.ws.search(session, SearchQuery(plate=c.text, mode="similar"), limit=limit)
                 for c in candidates[:top] if len(c.text) >= 3}
        return PhotoSearch(sha, candidates, pages)
