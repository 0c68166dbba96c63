"""The city server's interface, written once over SQL both backends understand.

PostgreSQL and the embedded SQLCipher file differ only in how they connect, open a
transaction, lock the change counter and pass a list; everything else (ingest, hotlists,
purges, the change feeds a workstation pulls, the uploaded access log) is shared here, so
the same sync tests prove both.
"""
from __future__ import annotations

import contextlib
import hmac
import json
from collections.abc import Iterable, Iterator
from typing import Self

from app.engine.accesslog import GENESIS, entry_hash, evolve, mac
from app.engine.errors import ValidationError

from .model import (FEEDS, LOG_COLUMNS, Camera, Hotlist, HotlistEntry, Image, NewRead, OcrItem,
                    ParkingFacility)

_OCR_COLS = ("id, camera_id, read_at, vendor, plate_box, plate_image_sha256, "
             "scene_image_sha256, source_file, queued_at, plate_state, vehicle_make, vehicle_color, "
             "vehicle_body")


class CityServer:
    """One connection to a city server; not shared between threads."""

    kind = "abstract"
    errors: tuple[type[BaseException], ...] = ()

    # -- dialect hooks ------------------------------------------------------------------------
    def _tx(self) -> contextlib.AbstractContextManager:
        raise NotImplementedError

    def _reading(self) -> contextlib.AbstractContextManager:
        """A connection for queries only (each statement sees one consistent snapshot)."""
        return self._tx()

    def _run(self, conn, sql: str, params: tuple = ()) -> list[tuple]:
        raise NotImplementedError

    def _many(self, conn, sql: str, rows: list[tuple]) -> None:
        raise NotImplementedError

    def _in_list(self, values: list) -> tuple[str, object]:
        """SQL for "column IN <values>" with one parameter."""
        raise NotImplementedError

    def _lock_changes(self, conn) -> None:
        """Hold the change counter until commit, so seqs become visible in order."""

    def _prepare_months(self, read_ats: Iterable[int]) -> None:
        """Make sure a partition exists for each month (PostgreSQL only)."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> str:
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[object]:
        with self._tx() as conn:
            self._lock_changes(conn)
            yield conn

    def _alloc(self, conn, name: str, n: int) -> int:
        """Reserve ``n`` numbers of counter ``name``; returns the first."""
        last = self._run(conn, "UPDATE counters SET value = value + ? WHERE name = ? RETURNING value",
                         (n, name))[0][0]
        return int(last) - n + 1

    def server_id(self) -> str:
        with self._reading() as conn:
            return self._run(conn, "SELECT value FROM server_meta WHERE key = 'server_id'")[0][0]

    def head(self) -> int:
        """The last change seq handed out."""
        with self._reading() as conn:
            return int(self._run(conn, "SELECT value FROM counters WHERE name = 'change'")[0][0])

    # -- cameras and hotlists ---------------------------------------------------------------
    def put_cameras(self, cameras: list[Camera]) -> None:
        with self.writing() as conn:
            first = self._alloc(conn, "change", len(cameras))
            self._many(conn, "INSERT INTO cameras(id, name, site, lat, lon, direction, seq) "
                       "VALUES (?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                       "site = excluded.site, lat = excluded.lat, lon = excluded.lon, "
                       "direction = excluded.direction, seq = excluded.seq",
                       [(c.id, c.name, c.site, c.lat, c.lon, c.direction, first + i)
                        for i, c in enumerate(cameras)])

    def put_facilities(self, facilities: list[ParkingFacility]) -> None:
        with self.writing() as conn:
            first = self._alloc(conn, "change", len(facilities))
            self._many(conn, "INSERT INTO parking_facilities(id, name, capacity, spec, seq) "
                       "VALUES (?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                       "capacity = excluded.capacity, spec = excluded.spec, seq = excluded.seq",
                       [(f.id, f.name, f.capacity, f.spec, first + i) for i, f in enumerate(facilities)])

    def camera_ids(self) -> set[str]:
        with self._reading() as conn:
            return {r[0] for r in self._run(conn, "SELECT id FROM cameras")}

    def put_hotlist(self, hotlist: Hotlist) -> None:
        with self.writing() as conn:
            seq = self._alloc(conn, "change", 1)
            self._run(conn, "INSERT INTO hotlists(id, name, source, kind, seq, priority) "
                      "VALUES (?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                      "source = excluded.source, kind = excluded.kind, seq = excluded.seq, "
                      "priority = excluded.priority",
                      (hotlist.id, hotlist.name, hotlist.source, hotlist.kind, seq, hotlist.priority))

    def add_entries(self, entries: list[HotlistEntry]) -> list[int]:
        with self.writing() as conn:
            first_id = self._alloc(conn, "entry", len(entries))
            first = self._alloc(conn, "change", len(entries))
            self._many(conn, "INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, "
                       "expires_at, added_by, added_at, seq, plate_state) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       [(first_id + i, e.hotlist_id, e.plate, e.reason, e.priority, e.expires_at,
                         e.added_by, e.added_at, first + i, e.plate_state) for i, e in enumerate(entries)])
        return [first_id + i for i in range(len(entries))]

    def expire_entry(self, entry_id: int, at: int) -> None:
        with self.writing() as conn:
            seq = self._alloc(conn, "change", 1)
            self._run(conn, "UPDATE hotlist_entries SET expires_at = ?, seq = ? WHERE id = ? RETURNING id",
                      (at, seq, entry_id))

    # -- ingest -----------------------------------------------------------------------------
    def ingest(self, reads: list[NewRead], images: list[Image], now: int) -> list[tuple[str, int | None]]:
        """Store one batch of drops in one transaction: ('read'|'queued'|'duplicate', id) each."""
        self._prepare_months(r.read_at for r in reads if r.plate)
        out: list[tuple[str, int | None]] = []
        with self.writing() as conn:
            keys, param = self._in_list(list(dict.fromkeys(r.drop_key for r in reads)))
            fresh_keys = {row[0] for row in self._run(     # one statement for the batch's keys
                conn, f"INSERT INTO drop_keys(key) SELECT * FROM {keys} AS k WHERE true "
                "ON CONFLICT (key) DO NOTHING RETURNING key", (param,))} if reads else set()
            firsts: dict[str, NewRead] = {}
            for r in reads:
                if r.drop_key in fresh_keys:
                    firsts.setdefault(r.drop_key, r)     # a repeat inside the batch is a duplicate
            fresh = list(firsts.values())
            used = {r.scene_image_sha256 for r in fresh} | {r.plate_image_sha256 for r in fresh}
            self._many(conn, "INSERT INTO images(sha256, kind, mime, width, height, size, data) "
                       "VALUES (?,?,?,?,?,?,?) ON CONFLICT (sha256) DO NOTHING",
                       [(i.sha256, i.kind, i.mime, i.width, i.height, len(i.data), i.data)
                        for i in images if i.sha256 in used])
            plated = [r for r in fresh if r.plate]
            queued = [r for r in fresh if not r.plate]
            ids = {}
            if plated:
                first_id = self._alloc(conn, "read", len(plated))
                first = self._alloc(conn, "change", len(plated))
                rows = []
                for i, r in enumerate(plated):
                    ids[r.drop_key] = first_id + i
                    rows.append((first_id + i, r.plate, r.read_at, r.camera_id, r.confidence, r.vendor,
                                 r.plate_box, r.plate_image_sha256, r.scene_image_sha256, "camera",
                                 now, first + i, r.plate_state, r.vehicle_make, r.vehicle_color,
                                 r.vehicle_body))
                self._many(conn, "INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor, "
                           "plate_box, plate_image_sha256, scene_image_sha256, source, ingested_at, "
                           "seq, plate_state, vehicle_make, vehicle_color, vehicle_body) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
                self._many(conn, "UPDATE drop_keys SET read_id = ? WHERE key = ?",
                           [(ids[r.drop_key], r.drop_key) for r in plated])
            if queued:
                first_q = self._alloc(conn, "ocr", len(queued))
                for i, r in enumerate(queued):
                    ids[r.drop_key] = first_q + i
                self._many(conn, "INSERT INTO ocr_queue(id, camera_id, read_at, vendor, plate_box, "
                           "plate_image_sha256, scene_image_sha256, source_file, queued_at, "
                           "plate_state, vehicle_make, vehicle_color, vehicle_body) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           [(ids[r.drop_key], r.camera_id, r.read_at, r.vendor, r.plate_box,
                             r.plate_image_sha256, r.scene_image_sha256, r.source_file, now,
                             r.plate_state, r.vehicle_make, r.vehicle_color, r.vehicle_body)
                            for r in queued])
        for r in reads:
            if r.drop_key not in fresh_keys:
                out.append(("duplicate", None))
            else:
                fresh_keys.discard(r.drop_key)      # a repeat inside the batch is a duplicate too
                out.append(("read" if r.plate else "queued", ids[r.drop_key]))
        return out

    # -- the OCR queue (drained by the OCR engine) ------------------------------------------
    def ocr_pending(self, limit: int = 100) -> list[OcrItem]:
        with self._reading() as conn:
            rows = self._run(conn, f"SELECT {_OCR_COLS} FROM ocr_queue WHERE status = 'pending' "
                             "ORDER BY id LIMIT ?", (limit,))
        return [OcrItem(*r) for r in rows]

    def resolve_ocr(self, item_id: int, plate: str | None, confidence: float, now: int,
                    vendor: str = "OCR") -> int | None:
        """Turn a queued drop into a read (``plate``) or mark it unreadable (``None``)."""
        with self.writing() as conn:
            rows = self._run(conn, f"SELECT {_OCR_COLS} FROM ocr_queue WHERE id = ? AND status = 'pending'",
                             (item_id,))
            if not rows:
                raise KeyError(f"OCR queue item {item_id} is not pending")
            item = OcrItem(*rows[0])
            if plate is None:
                self._run(conn, "UPDATE ocr_queue SET status = 'unreadable', resolved_at = ? WHERE id = ? "
                          "RETURNING id", (now, item_id))
                return None
            self._prepare_in_tx(conn, item.read_at)
            read_id = self._alloc(conn, "read", 1)
            seq = self._alloc(conn, "change", 1)
            self._run(conn, "INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor, plate_box, "
                      "plate_image_sha256, scene_image_sha256, source, ingested_at, seq, plate_state, "
                      "vehicle_make, vehicle_color, vehicle_body) "
                      "VALUES (?,?,?,?,?,?,?,?,?,'ocr',?,?,?,?,?,?) RETURNING id",
                      (read_id, plate, item.read_at, item.camera_id, confidence, vendor,
                       item.plate_box, item.plate_image_sha256, item.scene_image_sha256, now, seq,
                       item.plate_state, item.vehicle_make, item.vehicle_color, item.vehicle_body))
            self._run(conn, "UPDATE ocr_queue SET status = 'read', read_id = ?, resolved_at = ? "
                      "WHERE id = ? RETURNING id", (read_id, now, item_id))
        return read_id

    def _prepare_in_tx(self, conn, read_at: int) -> None:
        """Hook for a partition inside a transaction (PostgreSQL)."""

    def image(self, sha256: str) -> Image | None:
        found = self.images([sha256])
        return found[0] if found else None

    # -- purges -----------------------------------------------------------------------------
    def purge_reads(self, read_ids: list[int], reason: str, now: int) -> int:
        """Delete reads (and images nothing else uses) and leave tombstones for workstations."""
        if not read_ids:
            return 0
        with self.writing() as conn:
            frag, param = self._in_list(sorted(set(read_ids)))
            gone = self._run(conn, f"DELETE FROM reads WHERE id IN {frag} "
                             "RETURNING id, plate_image_sha256, scene_image_sha256", (param,))
            if not gone:
                return 0
            first = self._alloc(conn, "change", len(gone))
            self._many(conn, "INSERT INTO tombstones(seq, read_id, purged_at, reason) VALUES (?,?,?,?)",
                       [(first + i, g[0], now, reason) for i, g in enumerate(gone)])
            shas = sorted({s for g in gone for s in g[1:] if s})
            if shas:
                frag, param = self._in_list(shas)
                self._run(conn, f"DELETE FROM images WHERE sha256 IN {frag} "
                          "AND sha256 NOT IN (SELECT plate_image_sha256 FROM reads WHERE plate_image_sha256 IS NOT NULL) "
                          "AND sha256 NOT IN (SELECT scene_image_sha256 FROM reads WHERE scene_image_sha256 IS NOT NULL) "
                          "AND sha256 NOT IN (SELECT scene_image_sha256 FROM ocr_queue) RETURNING sha256",
                          (param,))
        return len(gone)

    def retention_days(self) -> int | None:
        with self._reading() as conn:
            rows = self._run(conn, "SELECT value FROM server_meta WHERE key = 'retention_days'")
        return int(rows[0][0]) if rows else None

    def purge_before(self, cutoff: int, reason: str, now: int) -> int:
        """Purge reads older than ``cutoff``; a cutoff inside the retention period is refused
        (those reads must still be kept)."""
        days = self.retention_days()
        if cutoff > now or (days is not None and cutoff > now - days * 86400):
            raise ValidationError(
                f"A purge may remove only reads older than the retention period ({days} days): "
                "the date given is too recent." if days is not None else
                "A purge date cannot be in the future.")
        with self._reading() as conn:
            ids = [r[0] for r in self._run(conn, "SELECT id FROM reads WHERE read_at < ?", (cutoff,))]
        return sum(self.purge_reads(ids[i:i + 5000], reason, now) for i in range(0, len(ids), 5000))

    # -- what workstations pull -------------------------------------------------------------
    def feed(self, name: str, since: int, limit: int) -> list[tuple]:
        cols = ", ".join(FEEDS[name])
        with self._reading() as conn:
            return self._run(conn, f"SELECT {cols} FROM {name} WHERE seq > ? ORDER BY seq LIMIT ?",
                             (since, limit))

    def count_since(self, name: str, since: int) -> int:
        with self._reading() as conn:
            return int(self._run(conn, f"SELECT count(*) FROM {name} WHERE seq > ?", (since,))[0][0])

    def images(self, shas: list[str]) -> list[Image]:
        if not shas:
            return []
        frag, param = self._in_list(sorted(set(shas)))
        with self._reading() as conn:
            rows = self._run(conn, f"SELECT sha256, kind, mime, width, height, data FROM images "
                             f"WHERE sha256 IN {frag}", (param,))
        return [Image(r[0], r[1], r[2], r[3], r[4], bytes(r[5])) for r in rows]

    # -- what workstations push -------------------------------------------------------------
    # -- what operators did --------------------------------------------------------------------
    def audit(self, operator: str, action: str, detail: dict, now: int) -> None:
        """Record a server command by the named person who ran it."""
        with self._tx() as conn:
            self._run(conn, "INSERT INTO server_audit(at, operator, action, detail) VALUES (?,?,?,?)",
                      (now, operator, action, json.dumps(detail, sort_keys=True)))

    def audit_entries(self) -> list[tuple[int, str, str, dict]]:
        with self._reading() as conn:
            return [(int(r[0]), r[1], r[2], json.loads(r[3])) for r in self._run(
                conn, "SELECT at, operator, action, detail FROM server_audit ORDER BY id")]

    # -- the access log's anchor ----------------------------------------------------------
    # PostgreSQL does this in installer/server/schema.sql (a trigger and SECURITY DEFINER
    # functions bound to the login); the embedded server, in the same process as its one
    # workstation, does it here: the chain's escrowed key is what binds entries to it.
    def enrol_log(self, workstation_id: str, first_key: bytes, start_seq: int, start_hash: str,
                  now: int) -> str:
        """Escrow the log's first key: 'enrolled', or 'conflict' if another key was escrowed."""
        with self._tx() as conn:
            held = self._run(conn, "SELECT first_key FROM log_anchors WHERE workstation_id = ?",
                             (workstation_id,))
            if held:
                if bytes(held[0][0]) == first_key:
                    return "enrolled"
                self._alert(conn, workstation_id, now, "re_enrol",
                            "a second first key was offered for this workstation")
                return "conflict"
            last = self._run(conn, "SELECT seq, hash FROM access_log WHERE workstation_id = ? "
                             "ORDER BY seq DESC LIMIT 1", (workstation_id,))
            seq, digest = last[0] if last else (0, GENESIS)
            self._run(conn, "INSERT INTO log_anchors(workstation_id, first_key, next_key, chain_start, "
                      "seq, hash, enrolled_at) VALUES (?,?,?,?,?,?,?)",
                      (workstation_id, first_key, first_key, start_seq, seq, digest, now))
        return "enrolled"

    def _alert(self, conn, workstation_id: str, now: int, kind: str, detail: str) -> None:
        self._run(conn, "INSERT INTO log_alerts(workstation_id, at, kind, detail) VALUES (?,?,?,?)",
                  (workstation_id, now, kind, detail))

    def report_alert(self, workstation_id: str, kind: str, detail: str, now: int) -> None:
        """A workstation reports tampering it found itself (a broken head, a rolled-back log)."""
        with self._tx() as conn:
            self._alert(conn, workstation_id, now, kind, detail)

    def log_alerts(self, workstation_id: str) -> list[tuple[int, str, str]]:
        with self._reading() as conn:
            return [(int(r[0]), r[1], r[2]) for r in self._run(
                conn, "SELECT at, kind, detail FROM log_alerts WHERE workstation_id = ? ORDER BY id",
                (workstation_id,))]

    def log_receipt(self, workstation_id: str) -> tuple[int, str] | None:
        """(seq, hash) of the last entry received and checked; None before enrolment."""
        with self._reading() as conn:
            rows = self._run(conn, "SELECT seq, hash FROM log_anchors WHERE workstation_id = ?",
                             (workstation_id,))
        return (int(rows[0][0]), rows[0][1]) if rows else None

    def upload_log(self, workstation_id: str, rows: list[tuple], now: int) -> tuple[int, str] | None:
        """Append the entries that follow the anchor; refuse (and alert on) any other. Returns
        the receipt, which the workstation compares with what it sent."""
        cols = ", ".join(LOG_COLUMNS)
        marks = ",".join("?" * (len(LOG_COLUMNS) + 2))
        with self._tx() as conn:
            anchor = self._run(conn, "SELECT next_key, chain_start, seq, hash FROM log_anchors "
                               "WHERE workstation_id = ?", (workstation_id,))
            if not anchor:
                self._alert(conn, workstation_id, now, "not_enrolled", f"{len(rows)} entries")
                return None
            key, start, seq, digest = bytes(anchor[0][0]), anchor[0][1], anchor[0][2], anchor[0][3]
            for row in rows:
                problem, key = self._check_entry(conn, workstation_id, row, key, start, seq, digest)
                if problem == "held":
                    continue
                if problem:                   # the rest of the batch cannot follow either
                    self._alert(conn, workstation_id, now, *problem)
                    break
                self._run(conn, f"INSERT INTO access_log(workstation_id, {cols}, received_at) "
                          f"VALUES ({marks})", (workstation_id, *row, now))
                seq, digest = row[0], row[12]
            self._run(conn, "UPDATE log_anchors SET next_key = ?, seq = ?, hash = ? "
                      "WHERE workstation_id = ?", (key, seq, digest, workstation_id))
        return seq, digest

    def _check_entry(self, conn, workstation_id: str, row: tuple, key: bytes, start: int,
                     seq: int, digest: str):
        """(problem or None, the next key): what the PostgreSQL trigger checks, in Python."""
        if row[0] <= seq:
            held = self._run(conn, "SELECT hash FROM access_log WHERE workstation_id = ? AND seq = ?",
                             (workstation_id, row[0]))
            if held and held[0][0] == row[12]:
                return "held", key
            return ("rewrite", f"entry {row[0]} differs from the one received before"), key
        if row[0] != seq + 1 or row[11] != digest:
            return ("gap", f"entry {row[0]} does not follow entry {seq} received before"), key
        if row[13] is None:
            if row[0] > start:
                return ("unsigned", f"entry {row[0]}"), key
            return None, key
        if (entry_hash(*row[:12]) != row[12]
                or not hmac.compare_digest(mac(key, row[12]), row[13])):
            return ("bad_mac", f"entry {row[0]} is not signed with the key its chain reached "
                               "(re-written or re-chained)"), key
        return None, evolve(key)

    def upload_corrections(self, workstation_id: str, rows: list[tuple], now: int) -> int:
        with self._tx() as conn:
            self._many(conn, "INSERT INTO corrections(uuid, workstation_id, read_id, old_plate, new_plate, "
                       "reason, username, corrected_at, received_at) VALUES (?,?,?,?,?,?,?,?,?) "
                       "ON CONFLICT (uuid) DO NOTHING",
                       [(r[0], workstation_id, *r[1:], now) for r in rows])
        return len(rows)

    def uploaded_log(self, workstation_id: str) -> list[tuple]:
        """The server's copy of one workstation's log, in order (administrators, tests)."""
        with self._reading() as conn:
            return self._run(conn, f"SELECT {', '.join(LOG_COLUMNS)} FROM access_log "
                             "WHERE workstation_id = ? ORDER BY seq", (workstation_id,))

    def stats(self) -> dict[str, int]:
        with self._reading() as conn:
            return {t: int(self._run(conn, f"SELECT count(*) FROM {t}")[0][0])
                    for t in ("cameras", "reads", "images", "hotlists", "hotlist_entries",
                              "tombstones", "ocr_queue", "corrections", "access_log")}


def box_json(box: list[int] | None) -> str | None:
    return json.dumps(box) if box is not None else None
