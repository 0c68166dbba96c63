"""What crosses between the city server, ingest and the workstation's sync: plain dataclasses.

The two backends (PostgreSQL and the embedded SQLCipher file) speak these, so sync, ingest
and the demo never know which one they talk to.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Camera:
    id: str
    name: str
    site: str
    lat: float | None = None
    lon: float | None = None
    direction: str | None = None


@dataclass(frozen=True)
class ParkingFacility:
    """A parking facility; ``spec`` is the JSON of app/engine/parking/facilities.py."""

    id: str
    name: str
    capacity: int
    spec: str


@dataclass(frozen=True)
class Hotlist:
    id: str
    name: str
    source: str          # e.g. "CA DOJ SVS"
    kind: str            # stolen, wanted, missing, code_enforcement
    priority: int = 3    # 1 most urgent .. 5: what a hit notification shows (and who hears it)


@dataclass(frozen=True)
class HotlistEntry:
    hotlist_id: str
    plate: str
    reason: str
    priority: int = 3
    expires_at: int | None = None
    added_by: str | None = None
    added_at: int = 0
    plate_state: str | None = None     # two-letter code; None: the list does not say


@dataclass(frozen=True)
class Image:
    sha256: str
    kind: str            # plate or scene
    mime: str
    width: int | None
    height: int | None
    data: bytes


@dataclass(frozen=True)
class NewRead:
    """One validated camera drop: a read with its images' hashes (images go in alongside)."""

    plate: str | None    # None: no plate read, so it waits in the OCR queue
    read_at: int
    camera_id: str
    confidence: float
    vendor: str | None
    plate_box: str | None
    plate_image_sha256: str | None
    scene_image_sha256: str | None     # None only for a received read whose photo never came
    drop_key: str        # camera|time|scene hash: the same drop twice is a duplicate
    source_file: str = ""
    plate_state: str | None = None     # two-letter code from the sidecar; None: unknown
    vehicle_make: str | None = None    # the vendor's words (app/engine/vehicles.py); None: unsaid
    vehicle_color: str | None = None
    vehicle_body: str | None = None


@dataclass(frozen=True)
class OcrItem:
    """A drop without a plate read; the OCR engine resolves it into a read or as unreadable."""

    id: int
    camera_id: str
    read_at: int
    vendor: str | None
    plate_box: str | None
    plate_image_sha256: str | None
    scene_image_sha256: str
    source_file: str
    queued_at: int
    plate_state: str | None = None
    vehicle_make: str | None = None
    vehicle_color: str | None = None
    vehicle_body: str | None = None


# Columns a workstation pulls, in this order (the sync checks each row against them).
READ_COLUMNS = ("id", "plate", "read_at", "camera_id", "confidence", "vendor", "plate_box",
                "plate_image_sha256", "scene_image_sha256", "plate_state", "vehicle_make",
                "vehicle_color", "vehicle_body", "seq")
CAMERA_COLUMNS = ("id", "name", "site", "lat", "lon", "direction", "seq")
HOTLIST_COLUMNS = ("id", "name", "source", "kind", "priority", "seq")
ENTRY_COLUMNS = ("id", "hotlist_id", "plate", "reason", "priority", "expires_at", "added_by",
                 "added_at", "plate_state", "seq")
TOMBSTONE_COLUMNS = ("seq", "read_id", "purged_at", "reason")
LOG_COLUMNS = ("seq", "ts", "username", "agency", "role", "action", "query", "purpose",
               "case_number", "result_ids", "detail", "prev_hash", "hash", "mac")
CORRECTION_COLUMNS = ("uuid", "read_id", "old_plate", "new_plate", "reason", "username",
                      "corrected_at")

FACILITY_COLUMNS = ("id", "name", "capacity", "spec", "seq")
OUTAGE_COLUMNS = ("id", "camera_id", "started_at", "ended_at", "reason", "seq")   # camera health

FEEDS = {"cameras": CAMERA_COLUMNS, "parking_facilities": FACILITY_COLUMNS, "hotlists": HOTLIST_COLUMNS,
         "hotlist_entries": ENTRY_COLUMNS, "tombstones": TOMBSTONE_COLUMNS, "reads": READ_COLUMNS,
         "camera_outages": OUTAGE_COLUMNS}
