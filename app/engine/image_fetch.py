"""Images on demand: ``ws.images`` fetches what the cache lacks from the city server.

A read's images arrive only when needed (a view, an evidence export, an OCR check), or ahead
of time for the prefetch window and the hits (the sync's part). Every fetched image is checked
against the SHA-256 recorded at ingest before it is kept or shown, then kept in the encrypted
store (``image_cache``), whose budget is enforced in the same transaction. When the server
cannot be reached the caller gets :class:`ImageOffline`, one sentence that says the image is
not available offline.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace

from . import accesslog, image_cache
from .errors import ImageMismatch, ImageOffline, SyncError
from .image_cache import CacheSettings, CacheStatus

log = logging.getLogger(__name__)
FETCH_BATCH = 400           # images per request (bounds memory: 400 x 40 KB)


@dataclass(frozen=True)
class Fetched:
    images: int
    bytes: int
    evicted: int


def _problem(images: list, wanted: dict[str, int], *, missing_ok: bool = False) -> str | None:
    """What is wrong with what the server sent for ``wanted`` (sha256 -> a read naming it), as a
    clause, or None: each image must hash to its name, and none may be missing (unless
    ``missing_ok``: a held read the server has purged keeps no image there)."""
    for img in images:
        if hashlib.sha256(img.data).hexdigest() != img.sha256:
            return (f"image {img.sha256[:12]}... of read {wanted.get(img.sha256)} from the city server "
                    "fails its SHA-256 check (it is not the image recorded at ingest)")
    missing = set(wanted) - {i.sha256 for i in images}
    if missing and not missing_ok:
        sha = sorted(missing)[0]
        return f"the city server has no image {sha[:12]}... named by read {wanted[sha]}"
    return None


def fetch_verified(server, wanted: dict[str, int], *, missing_ok: bool = False) -> list:
    """The wanted images from an open server, checked; :class:`ImageMismatch` if one is wrong
    (or missing, unless ``missing_ok``)."""
    found: list = []
    shas = sorted(wanted)
    for i in range(0, len(shas), FETCH_BATCH):
        found += server.images(shas[i:i + FETCH_BATCH])
    problem = _problem(found, wanted, missing_ok=missing_ok)
    if problem:
        raise ImageMismatch(problem[0].upper() + problem[1:] + "; it was not kept.")
    return found


class ImageService:
    """``ws.images``: the cache's settings and status, and fetching what it lacks."""

    def __init__(self, ws) -> None:
        self.ws = ws

    def settings(self) -> CacheSettings:
        with self.ws.store.reading() as conn:
            return image_cache.settings(conn)

    def configure(self, session, budget_mb: int, prefetch_days: int) -> CacheStatus:
        """Set the budget and the prefetch window (logged); the budget applies at once, and
        the status returned says what it evicted. The administrator's (``settings_admin``)."""
        self.ws.guard(session, "settings_admin")
        chosen = image_cache.check_settings(budget_mb, prefetch_days)
        with self.ws.store.transaction() as conn:
            image_cache.save_settings(conn, chosen)
            evicted, freed = image_cache.evict(conn, chosen.budget_bytes)
            accesslog.append(conn, self.ws.clock(), session.actor, "settings_change",
                             detail={"images.budget_mb": budget_mb, "images.prefetch_days": prefetch_days,
                                     "images_evicted": evicted, "bytes_freed": freed})
            return replace(image_cache.status(conn), evicted=evicted, freed=freed)

    def status(self, session) -> CacheStatus:
        """Used and budget, pinned images, the prefetch window: the administrator's."""
        self.ws.guard(session, "settings_admin")
        with self.ws.store.reading() as conn:
            return image_cache.status(conn)

    def ensure(self, read_ids: list[int], kinds: tuple[str, ...] = ("plate", "scene")) -> Fetched:
        """Fetch, check and keep every image of these reads the cache lacks. Callers guard and
        log the use they make of them; this only fills the cache (the city server's own copy,
        checked against the hash recorded at ingest)."""
        with self.ws.store.reading() as conn:
            wanted = image_cache.missing(conn, read_ids, kinds)
        if not wanted:
            return Fetched(0, 0, 0)
        try:
            server = self.ws.sync.open_server()
        except SyncError as exc:
            raise self._offline(wanted, exc) from None
        try:
            images = fetch_verified(server, wanted)
        except server.errors as exc:
            raise self._offline(wanted, exc) from None
        finally:
            try:
                server.close()
            except server.errors:
                pass
        with self.ws.store.transaction() as conn:
            image_cache.put(conn, images, self.ws.clock())
            evicted, _freed = image_cache.evict(conn, image_cache.settings(conn).budget_bytes)
        return Fetched(len(images), sum(len(i.data) for i in images), evicted)

    def _offline(self, wanted: dict[str, int], exc: BaseException) -> ImageOffline:
        log.warning("images not fetched, city server unreachable: %s",
                    self.ws.sync.redact_text(str(exc)))
        n = len(wanted)
        what = (f"The image of read {next(iter(wanted.values()))}" if n == 1
                else f"{n} images of reads {', '.join(map(str, sorted(set(wanted.values()))[:5]))}"
                + ("..." if len(set(wanted.values())) > 5 else ""))
        days = self.settings().prefetch_days
        return ImageOffline(
            f"{what} {'is' if n == 1 else 'are'} not available offline: not kept on this workstation, "
            f"and the city server cannot be reached now (images of the last {days} days and of "
            "open hits and holds are kept for offline work; try again when the server is back).")
