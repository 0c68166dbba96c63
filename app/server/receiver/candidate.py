"""What every source's payload becomes before it is checked: plain dataclasses.

Values stay as the source sent them (``object``) so that the one set of checks in
``app/server/ingest.py`` judges them, with the same reasons, whichever system sent them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageRef:
    """A photo: its bytes when the payload carried them, else where the source serves it."""

    data: bytes | None = None
    url: str | None = None


@dataclass(frozen=True)
class Candidate:
    """One plate read as a source reported it."""

    source: str                  # the configured source's name
    source_id: str               # the source's own id of this read (group uuid, event id...)
    camera: object               # the camera as the source names it (mapped to ours in checks)
    time: object                 # Unix seconds or ISO 8601 text with a zone
    plate: object
    state: object = None         # a code, a name or a region such as "us-ca"; None: unknown
    confidence: object = None    # 0..1
    box: object = None           # [x, y, w, h] in scene pixels
    scene: ImageRef | None = None
    crop: ImageRef | None = None
    vendor: object = None
    vehicle_make: object = None
    vehicle_color: object = None
    vehicle_body: object = None
    final: bool = True           # False: a preview; a better version with the same id may follow

    @property
    def key(self) -> str:
        """The server-side unique key of this read: source and source id."""
        return f"src|{self.source}|{self.source_id}"


@dataclass(frozen=True)
class Heartbeat:
    """A camera system says whether one of its cameras is running."""

    source: str
    camera: str
    online: bool
    at: int


@dataclass(frozen=True)
class Rejected:
    """A payload (or one read in it) refused, with the sentence the administrator sees."""

    source: str
    reason: str
    detail: str = ""
