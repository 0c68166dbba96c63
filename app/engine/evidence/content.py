"""What goes into an evidence package: the reads as a court will read them.

Everything about the selected reads is gathered under one read lock (reads, cameras, hits,
corrections, image descriptions and the access-log entries that touched them) so the
package describes one consistent moment of the store. Image bytes are loaded later, one at
a time while writing, and each is checked against the SHA-256 recorded at ingest.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from .. import vehicles
from ..accesslog import CSV_FIELDS, LogEntry, iter_entries
from ..digests import unpacked
from ..errors import NotFound, ValidationError

LOCAL_TZ = ZoneInfo("America/Los_Angeles")
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/bmp": ".bmp"}
MAX_READS = 100_000


def utc_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, LOCAL_TZ).isoformat(timespec="seconds")


def local_label(ts: float) -> str:
    return datetime.fromtimestamp(ts, LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S %Z")


@dataclass(frozen=True)
class ImageRef:
    read_id: int
    kind: str               # plate | scene
    sha256: str             # recorded at ingest
    mime: str
    width: int | None
    height: int | None
    size: int

    @property
    def path(self) -> str:
        return f"images/original/read-{self.read_id}-{self.kind}{EXTENSIONS.get(self.mime, '.bin')}"


@dataclass
class ExportRead:
    row: dict
    images: list[ImageRef] = field(default_factory=list)
    hits: list[dict] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)
    derived: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class OtherCases:
    """What a package says about access-log entries on its reads made outside its case: counts
    only, so that discovery in one case does not disclose another case's searches."""

    entries: int = 0                    # entries made under other case numbers
    cases: int = 0                      # how many other case numbers
    without_case: int = 0               # entries that carry no case number (logged by the system, ...)

    def sentence(self) -> str:
        if not (self.entries or self.without_case):
            return "No entries on these reads were made under another case or without one."
        parts = []
        if self.entries:
            parts.append(f"{self.entries} entr{'y' if self.entries == 1 else 'ies'} under "
                         f"{self.cases} other case{'s' if self.cases != 1 else ''}")
        if self.without_case:
            parts.append(f"{self.without_case} entr{'y' if self.without_case == 1 else 'ies'} "
                         "without a case number")
        return (" and ".join(parts) + " also touched these reads; they are counted here but not "
                "included.")

    def to_json(self) -> dict:
        return {"entries_other_cases": self.entries, "other_cases": self.cases,
                "entries_without_case": self.without_case, "note": self.sentence()}


@dataclass
class Collected:
    reads: list[ExportRead]
    cameras: list[dict]
    log_entries: list[LogEntry]                      # the entries of this package's case only
    other_cases: OtherCases = field(default_factory=OtherCases)

    @property
    def read_ids(self) -> list[int]:
        return [r.row["id"] for r in self.reads]


_READ_SQL = (
    "SELECT r.id, r.plate, r.original_plate, r.read_at, r.camera_id, r.confidence, r.vendor, "
    "r.plate_box, r.plate_image_sha256, r.scene_image_sha256, r.ocr_plate, r.ocr_confidence, "
    "r.possible_misread, r.plate_state, r.vehicle_make, r.vehicle_color, r.vehicle_body "
    "FROM reads r WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY r.read_at, r.id")
_READ_COLS = ("id", "plate", "original_plate", "read_at", "camera_id", "confidence", "vendor",
              "plate_box", "plate_image_sha256", "scene_image_sha256", "ocr_plate",
              "ocr_confidence", "possible_misread", "plate_state", *vehicles.FIELDS)
_IN_IDS = "IN (SELECT value FROM json_each(?))"


def collect(conn, read_ids: list[int], case_number: str | None = None) -> Collected:
    """Gather the reads and everything said about them; refuse ids not held locally.

    Of the access-log entries that touched the reads, only those made under ``case_number``
    are kept; the others are counted (:class:`OtherCases`)."""
    ids = sorted({int(i) for i in read_ids})
    if not ids:
        raise ValidationError("Select at least one read to export.")
    if len(ids) > MAX_READS:
        raise ValidationError(f"One package holds at most {MAX_READS} reads; split the export.")
    arg = json.dumps(ids)
    reads = {t[0]: ExportRead(dict(zip(_READ_COLS, (*t[:8], unpacked(t[8]), unpacked(t[9]), *t[10:]))))
             for t in conn.execute(_READ_SQL, (arg,))}
    missing = [i for i in ids if i not in reads]
    if missing:
        raise NotFound(f"Reads not held on this workstation (purged or never synced): {missing[:10]}.")
    cams = [dict(zip(("id", "name", "site", "lat", "lon", "direction"), c)) for c in conn.execute(
        "SELECT id, name, site, lat, lon, direction FROM cameras WHERE id IN "
        "(SELECT camera_id FROM reads WHERE id " + _IN_IDS + ") ORDER BY id", (arg,))]
    for h in conn.execute(
            "SELECT h.read_id, h.id, l.name, l.source, l.kind, e.plate, e.reason, e.priority, "
            "h.created_at, h.disposition, h.disposition_note, h.disposed_by, e.plate_state FROM hits h "
            "JOIN hotlist_entries e ON e.id = h.entry_id JOIN hotlists l ON l.id = e.hotlist_id "
            f"WHERE h.read_id {_IN_IDS} ORDER BY h.read_id, e.priority, h.id", (arg,)):
        reads[h[0]].hits.append(dict(zip(("hit_id", "hotlist", "source", "kind", "plate", "reason",
                                          "priority", "created_at", "disposition",
                                          "disposition_note", "disposed_by", "plate_state"), h[1:])))
    for c in conn.execute(
            "SELECT read_id, old_plate, new_plate, reason, username, corrected_at FROM corrections "
            f"WHERE read_id {_IN_IDS} ORDER BY read_id, corrected_at", (arg,)):
        reads[c[0]].corrections.append(dict(zip(("old_plate", "new_plate", "reason", "username",
                                                 "corrected_at"), c[1:])))
    meta = {unpacked(m[0]): m[1:] for m in conn.execute(
        "SELECT sha256, kind, mime, width, height, size FROM images WHERE sha256 IN "
        "(SELECT plate_image_sha256 FROM reads WHERE id " + _IN_IDS + " UNION "
        "SELECT scene_image_sha256 FROM reads WHERE id " + _IN_IDS + ")", (arg, arg))}
    for r in reads.values():
        for kind in ("plate", "scene"):
            sha = r.row[f"{kind}_image_sha256"]
            if sha and sha in meta:
                _k, mime, w, h, size = meta[sha]
                r.images.append(ImageRef(r.row["id"], kind, sha, mime, w, h, size))
    entries = list(iter_entries(
        conn, "WHERE EXISTS (SELECT 1 FROM json_each(access_log.result_ids) j WHERE j.value "
        f"{_IN_IDS})", (arg,)))
    entries, other = _this_case(conn, entries, case_number)
    ordered = [reads[i] for i in sorted(reads, key=lambda i: (reads[i].row["read_at"], i))]
    return Collected(ordered, cams, entries, other)


def entry_case(entry: LogEntry, hold_cases: dict[int, str]) -> str | None:
    """The case an entry was made under: its own case number, else the case of the hold it
    places or releases (holds are logged without the session's purpose)."""
    if entry.case_number:
        return entry.case_number
    for d in (entry.query, entry.detail):
        if isinstance(d, dict):
            if d.get("case_number"):
                return str(d["case_number"])
            if d.get("hold_id") is not None and int(d["hold_id"]) in hold_cases:
                return hold_cases[int(d["hold_id"])]
    return None


def _this_case(conn, entries: list[LogEntry], case_number: str | None
               ) -> tuple[list[LogEntry], OtherCases]:
    if case_number is None:
        return entries, OtherCases()
    hold_cases = {h: c for h, c in conn.execute("SELECT id, case_number FROM holds")}
    kept, others, without = [], set(), 0
    other_entries = 0
    for e in entries:
        case = entry_case(e, hold_cases)
        if case == case_number:
            kept.append(e)
        elif case is None:
            without += 1
        else:
            other_entries += 1
            others.add(case)
    return kept, OtherCases(other_entries, len(others), without)


CSV_COLUMNS = ["read_id", "plate", "plate_state", "original_plate", "read_at_utc", "read_at_local", "camera_id",
               "camera_name", "site", "latitude", "longitude", "direction", "confidence", "vendor",
               "hits", "corrections", "plate_image", "plate_image_sha256", "scene_image",
               "scene_image_sha256", *vehicles.FIELDS]


def reads_csv(data: Collected) -> bytes:
    cams = {c["id"]: c for c in data.cameras}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in data.reads:
        row, cam = r.row, cams[r.row["camera_id"]]
        imgs = {i.kind: i for i in r.images}
        w.writerow([row["id"], row["plate"], row["plate_state"] or "unknown", row["original_plate"] or "", utc_iso(row["read_at"]),
                    local_iso(row["read_at"]), cam["id"], cam["name"], cam["site"],
                    cam["lat"] if cam["lat"] is not None else "",
                    cam["lon"] if cam["lon"] is not None else "", cam["direction"] or "",
                    f"{row['confidence']:.3f}", row["vendor"] or "",
                    "; ".join(f"{h['hotlist']}: {h['reason']}" for h in r.hits),
                    "; ".join(f"{c['old_plate']}->{c['new_plate']} by {c['username']}" for c in r.corrections),
                    imgs["plate"].path if "plate" in imgs else "", imgs["plate"].sha256 if "plate" in imgs else "",
                    imgs["scene"].path if "scene" in imgs else "", imgs["scene"].sha256 if "scene" in imgs else "",
                    *(row[name] or "" for name in vehicles.FIELDS)])
    return buf.getvalue().encode("utf-8")


def _times(ts: int | None) -> dict:
    return {"utc": utc_iso(ts), "local": local_iso(ts)} if ts is not None else None  # type: ignore[return-value]  # None for a read without a time, as callers expect


def metadata_json(header: dict, data: Collected) -> bytes:
    cams = {c["id"]: c for c in data.cameras}
    reads = []
    for r in data.reads:
        row = r.row
        reads.append({
            "read_id": row["id"], "plate": row["plate"], "plate_state": row["plate_state"],
            "original_plate": row["original_plate"],
            "read_at": _times(row["read_at"]), "camera": cams[row["camera_id"]],
            "confidence": row["confidence"], "vendor": row["vendor"],
            **{name: row[name] for name in vehicles.FIELDS},
            "plate_box": json.loads(row["plate_box"]) if row["plate_box"] else None,
            "ocr_check": {"plate": row["ocr_plate"], "confidence": row["ocr_confidence"],
                          "possible_misread": bool(row["possible_misread"])},
            "images": [{"file": i.path, "kind": i.kind, "original": True, "sha256": i.sha256,
                        "sha256_recorded_at_ingest": i.sha256, "mime": i.mime, "width": i.width,
                        "height": i.height, "bytes": i.size} for i in r.images],
            "derived_images": r.derived,
            "hits": [{**h, "created_at": _times(h["created_at"])} for h in r.hits],
            "corrections": [{**c, "corrected_at": _times(c["corrected_at"])} for c in r.corrections],
        })
    doc = {"package": header, "time_zone": str(LOCAL_TZ), "cameras": data.cameras,
           "sites": sorted({c["site"] for c in data.cameras}),
           "access_log_entries": len(data.log_entries),
           "access_log": {"file": "access_log.csv", "entries_this_case": len(data.log_entries),
                          **data.other_cases.to_json()},
           "reads": []}
    # One read per line: readable, and json's C encoder (an indented dump is ten times slower).
    head = json.dumps(doc, indent=2, ensure_ascii=False)[:-len("[]\n}")]
    body = ",\n    ".join(json.dumps(r, ensure_ascii=False) for r in reads)
    return f"{head}[\n    {body}\n  ]\n}}\n".encode("utf-8")


def access_log_csv(entries: list[LogEntry]) -> bytes:
    """The entries of the package's case, each with the sentence an auditor reads."""
    from ..audit import describe

    def canon(obj) -> str:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_FIELDS[:-1] + ["description"])
    for e in entries:
        w.writerow([e.seq, e.ts, e.username, e.agency, e.role, e.action, canon(e.query),
                    e.purpose or "", e.case_number or "", canon(e.result_ids), canon(e.detail),
                    e.prev_hash, e.hash, describe(e)])
    return buf.getvalue().encode("utf-8")
