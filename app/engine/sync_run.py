"""The steps of one sync run: pull each feed in batches, trim to the window, upload.

Split from :mod:`sync` so the service stays about settings and the run's outline; this is
the part the crash test and the benchmark exercise batch by batch.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from app.server.model import CORRECTION_COLUMNS, LOG_COLUMNS

from . import image_cache, image_fetch, sync_apply, timefmt
from .alerts.store import on_new_reads as fire_standing_alerts
from .accesslog import SYSTEM
from .parking import facilities
from .log_anchor import LogAnchor
from .digests import unpacked
from .errors import SyncError
from .oversight import certificates
from .progress import CancelToken, Progress

IMAGE_BATCH = 400            # reads per transaction when they bring photos (bounds memory)
UPLOAD_BATCH = 2000
BULK_MIN = 200_000           # a pull this big (and bigger than the store) loads without indexes
CHECK_SLICE = 5_000          # reads checked in one C-speed pass (no other thread runs during it)
APPLY_BATCH = 20_000         # reads per transaction otherwise (a pull's): a search waits at most one
                             # of them. An index page touched in two batches is encrypted and written
                             # twice: a day of 50,000 new plates into 20 M reads, out of the OS cache,
                             # wrote 774 MB in batches of 10,000 (4.6 s) and 586 MB in these (3.6-3.8
                             # s), and a search waited at most 2.5 s and 1.8 s behind it


class Puller:
    """One run's pulls and pushes over an open server, counting into ``counts``. Pulls come
    from ``server`` (the read address, perhaps a replica); the log's anchor and the uploads
    go to ``writer`` (the primary; by default the same server)."""

    def __init__(self, ws, server, token: CancelToken, counts: dict, batch: int,
                 window_days: int | None, retention_days: int, writer=None) -> None:
        self.ws, self.server, self.token, self.counts = ws, server, token, counts
        self.writer = writer if writer is not None else server
        self.batch = batch
        now = int(ws.clock())
        # Reads older than this are not pulled: past the window, or past retention anyway.
        self.cutoff = now - min(window_days or retention_days, retention_days) * 86400
        self.window_cutoff = now - window_days * 86400 if window_days else None
        with ws.store.reading() as conn:
            self.cache = image_cache.settings(conn)
        # Images come with reads of the prefetch window only; others when someone views them.
        self.image_cutoff = max(self.cutoff, now - self.cache.prefetch_days * 86400)
        self.expected: int | None = None
        self.seen_reads = 0          # read rows handled, kept or skipped (for the progress bar)
        self.bulk = False            # loading without the reads' indexes (a first sync)
        self.store = ws.store
        self.anchor = LogAnchor(ws, self.writer)

    def _progress(self, stage: str, started: float, message: str = "") -> Progress:
        done = sum(self.counts[f] for f in ("cameras", "hotlists", "hotlist_entries", "tombstones"))
        return Progress(stage, done + self.seen_reads, self.expected, self.counts["bytes"], started, message)

    def check_server(self) -> None:
        """Refuse to mix two servers' data in one store, or to read from one server and write
        to another; finish a bulk load a crash cut short."""
        self._restore_indexes()
        sid = self.server.server_id()
        if self.writer is not self.server and self.writer.server_id() != sid:
            raise SyncError("The write address leads to another city server than the read address "
                            "(their server ids differ); give the primary of the read address's "
                            "replica as the write address.")
        with self.store.transaction() as conn:
            row = conn.execute("SELECT value FROM sync_state WHERE key = 'server_id'").fetchone()
            if row is not None and row[0] != sid:
                if conn.execute("SELECT 1 FROM reads LIMIT 1").fetchone() is not None:
                    raise SyncError("This store holds reads from another city server (read ids would "
                                    "clash); sync it from that server, or start a new store for this one.")
                conn.execute("DELETE FROM sync_state WHERE key LIKE 'wm.%'")
            conn.execute("INSERT INTO sync_state(key, value) VALUES ('server_id', ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (sid,))

    def pull(self, feed: str, started: float) -> Iterator[Progress]:
        """Pull one feed to its end. The next batch is fetched while this one is applied (the
        watermark still moves only with a committed batch, so prefetching is safe)."""
        with self.store.reading() as conn:
            mark = sync_apply.get_mark(conn, feed)
        bulk = False
        if feed == "reads":         # the bulk: give the GUI a total for its progress bar
            done = sum(self.counts[f] for f in ("cameras", "hotlists", "hotlist_entries", "tombstones"))
            remaining = self.server.count_since("reads", mark)
            self.expected = done + remaining
            bulk = self.bulk = remaining >= BULK_MIN and remaining > 2 * self._held_reads()
        if bulk:
            with self.store.transaction() as conn:
                sync_apply.drop_read_indexes(conn)
        try:
            yield from self._pull(feed, mark, started)
        except BaseException:
            if bulk:                # keep the store searchable at speed even after a failure
                self._restore_indexes()
            raise
        if bulk:
            yield self._progress("indexes", started, "rebuilding the search indexes")
            self._restore_indexes()

    def _restore_indexes(self) -> None:
        """Rebuild what a bulk load dropped, its sorts allowed to spill (encrypted) to disk."""
        with self.store.spilling(), self.store.transaction() as conn:
            sync_apply.restore_read_indexes(conn)

    def _held_reads(self) -> int:
        """Reads held locally, counted only up to BULK_MIN (a full count(*) scans a million rows)."""
        row = self.store.query_one("SELECT count(*) FROM (SELECT 1 FROM reads LIMIT ?)", (BULK_MIN,))
        return row[0]

    def _pull(self, feed: str, mark: int, started: float) -> Iterator[Progress]:
        with ThreadPoolExecutor(1, thread_name_prefix="sync-fetch") as pool:
            ahead = pool.submit(self.server.feed, feed, mark, self.batch)
            while True:
                self.token.check()
                rows = ahead.result()
                if not rows:
                    return
                more = len(rows) == self.batch
                if more:
                    next_mark = rows[-1][0] if feed == "tombstones" else rows[-1][-1]
                    ahead = pool.submit(self.server.feed, feed, next_mark, self.batch)
                if feed == "reads":
                    yield from self._reads(rows, started)
                else:
                    self._apply_small(feed, rows)
                    yield self._progress(feed, started, f"{feed}: {self.counts[feed]}")
                if not more:
                    return

    def _apply_small(self, feed: str, rows: list[tuple]) -> None:
        now = self.ws.clock()
        with self.store.transaction() as conn:
            if feed == "cameras":
                sync_apply.apply_cameras(conn, rows)
            elif feed == "camera_outages":
                sync_apply.apply_outages(conn, rows)
            elif feed == "parking_facilities":
                facilities.apply_rows(conn, rows)
            elif feed == "hotlists":
                sync_apply.apply_hotlists(conn, rows)
            elif feed == "hotlist_entries":
                self.counts["hits"] += sync_apply.apply_entries(conn, rows, now)
            else:
                self.counts["removed"] += certificates.apply_tombstones(   # removed and certified
                    conn, now, SYSTEM, [r[1] for r in rows], self.ws.profile.retention_days,
                    timefmt.zone(self.ws.profile.time_zone))
            sync_apply.set_mark(conn, feed, rows[-1][-1] if feed != "tombstones" else rows[-1][0])
        self.counts[feed] += len(rows)

    def _reads(self, rows: list[tuple], started: float) -> Iterator[Progress]:
        for i in range(0, len(rows), CHECK_SLICE):      # the whole fetch, before any write; in
            sync_apply.check_reads(rows[i:i + CHECK_SLICE])   # slices, so the GUI thread runs between
        with self.store.reading() as conn:
            cams = {r[0] for r in conn.execute("SELECT id FROM cameras")}
        if {r[3] for r in rows} - cams:          # a camera added after the cameras pass
            self._catch_up_cameras(rows, cams)
        with_images = any((r[7] or r[8]) and r[2] >= self.image_cutoff for r in rows)
        step = IMAGE_BATCH if with_images else len(rows) if self.bulk else APPLY_BATCH
        for i in range(0, len(rows), step):
            self.token.check()
            part = rows[i:i + step]
            kept = [r for r in part if r[2] >= self.cutoff]
            images = self._images([r for r in kept if r[2] >= self.image_cutoff]) if with_images else []
            with self.store.transaction() as conn:
                self.counts["hits"] += sync_apply.apply_reads(conn, kept, images, self.ws.clock(), self.bulk)
                fire_standing_alerts(conn, [r[0] for r in kept], self.ws.clock())
                sync_apply.set_mark(conn, "reads", part[-1][-1])
            self.counts["reads"] += len(kept)
            self.seen_reads += len(part)
            self.counts["images"] += len(images)
            self.counts["bytes"] += sum(len(im.data) for im in images)
            yield self._progress("reads", started, f"reads: {self.counts['reads']}")

    def _catch_up_cameras(self, rows: list[tuple], cams: set[str]) -> None:
        for _ in range(100):
            with self.store.reading() as conn:
                mark = sync_apply.get_mark(conn, "cameras")
            more = self.server.feed("cameras", mark, self.batch)
            if not more:
                break
            self._apply_small("cameras", more)
            cams |= {r[0] for r in more}
        unknown = sorted({r[3] for r in rows} - cams)
        if unknown:
            bad = next(r for r in rows if r[3] in unknown)
            raise SyncError(f"The city server sent read {bad[0]} from camera {bad[3]!r}, which it does "
                            "not list; nothing of this batch was applied.")

    def _images(self, reads: list[tuple]) -> list:
        wanted = {}
        for r in reads:
            for sha in (r[7], r[8]):
                if sha:
                    wanted[sha] = r[0]
        if not wanted:
            return []
        with self.store.reading() as conn:
            held = {unpacked(row[0]) for row in conn.execute(
                "SELECT sha256 FROM images WHERE sha256 IN (SELECT unhex(value) FROM json_each(?))",
                (_json(list(wanted)),))}
        return image_fetch.fetch_verified(self.server, {s: rid for s, rid in wanted.items() if s not in held})

    def pinned_images(self, started: float) -> Iterator[Progress]:
        """Keep the images of open hits and held reads for offline work (a hit on an old read
        has none yet), then bring the cache within its budget. One the server no longer has
        (a held read it purged) is skipped; a wrong one stops the sync."""
        with self.store.reading() as conn:
            ids = image_cache.pinned_reads_missing(conn)
        for i in range(0, len(ids), IMAGE_BATCH):
            self.token.check()
            with self.store.reading() as conn:
                wanted = image_cache.missing(conn, ids[i:i + IMAGE_BATCH])
            images = image_fetch.fetch_verified(self.server, wanted, missing_ok=True)
            with self.store.transaction() as conn:
                image_cache.put(conn, images, self.ws.clock())
            self.counts["images"] += len(images)
            self.counts["bytes"] += sum(len(im.data) for im in images)
            yield self._progress("images", started, f"images of hits and holds: {self.counts['images']}")
        with self.store.transaction() as conn:
            self.counts["evicted"] += image_cache.evict(conn, self.cache.budget_bytes)[0]

    def trim(self, started: float) -> Iterator[Progress]:
        """Drop what fell out of the sync window (retention itself is the purge's job)."""
        if self.window_cutoff is not None:
            with self.store.transaction() as conn:
                self.counts["trimmed"] += sync_apply.trim_window(conn, self.window_cutoff)
            yield self._progress("window", started, f"{self.counts['trimmed']} reads past the window removed")

    def upload(self, started: float) -> Iterator[Progress]:
        """Send the access log and corrections; mark rows uploaded only after the server has
        them (for the log: as far as the server's receipt, which must match what was sent)."""
        while True:
            self.token.check()
            rows = self.store.query(f"SELECT {', '.join(LOG_COLUMNS)} FROM access_log WHERE "
                                    "uploaded = 0 ORDER BY seq LIMIT ?", (UPLOAD_BATCH,))
            if not rows:
                break
            receipt = self.writer.upload_log(self.store.store_id, rows, int(self.ws.clock()))
            upto = self.anchor.confirm((rows[-1][0], rows[-1][12]), receipt)
            self.store.execute("UPDATE access_log SET uploaded = 1 WHERE uploaded = 0 AND seq <= ?",
                               (upto,))
            self.counts["log_uploaded"] += len(rows)
            yield self._progress("upload", started, f"{self.counts['log_uploaded']} access log rows uploaded")
        while True:
            self.token.check()
            rows = self.store.query(f"SELECT {', '.join(CORRECTION_COLUMNS)} FROM corrections "
                                    "WHERE uploaded = 0 ORDER BY id LIMIT ?", (UPLOAD_BATCH,))
            if not rows:
                break
            self.writer.upload_corrections(self.store.store_id, rows, int(self.ws.clock()))
            with self.store.transaction() as conn:
                conn.execute("UPDATE corrections SET uploaded = 1 WHERE uuid IN "
                             "(SELECT value FROM json_each(?))", (_json([r[0] for r in rows]),))
            self.counts["corrections_uploaded"] += len(rows)
            yield self._progress("upload", started, f"{self.counts['corrections_uploaded']} corrections uploaded")


def _json(values: list) -> str:
    return json.dumps(values)
