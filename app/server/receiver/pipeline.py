"""The receiver's core: candidates in, reads stored, whatever door they came through.

* A preview (``final`` False) waits ``settle_seconds`` for its final version; versions with the
  same source id are merged before anything is stored, and once stored the source id is the
  read's drop key on the server, so a repeat is a duplicate there (server-side unique key).
* Photos named by URL are fetched; a source that cannot be reached puts the read in the retry
  queue (``receiver_pending``), retried with back-off, stored without photos after the
  give-up time rather than lost.
* Every read is checked by ingest's rules (``checks``); a bad one becomes a reject row with
  its reason, the others go on.
* One writer thread owns the server connection and stores reads in batches (group commit);
  callers wait for their reads' outcome.
"""
from __future__ import annotations

import base64
import dataclasses
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from app.server.base import CityServer
from app.server.drop_files import Reject, shown
from app.server.model import Image, NewRead

from . import checks, fetch
from .candidate import Candidate, Heartbeat, ImageRef, Rejected
from .config import Source
from .tables import Pending, ReceiverTables

log = logging.getLogger(__name__)
BATCH = 200
UNEXPECTED = "this payload could not be checked"


class ServerUnavailable(Exception):
    """The city server could not store a batch now; the sender should send again."""


@dataclass(frozen=True)
class Outcome:
    status: str           # stored, queued_for_ocr, duplicate, rejected, waiting (photos), settling
    source_id: str = ""
    read_id: int | None = None
    reason: str = ""


class Ticket:
    """One payload's outcomes: known ones, and a future for each read the writer has yet to store."""

    def __init__(self, slots: list[Outcome | Future]) -> None:
        self._slots = slots

    def futures(self) -> list[Future]:
        return [s for s in self._slots if isinstance(s, Future)]

    def outcomes(self) -> list[Outcome]:
        """The outcomes in the payload's order, once stored (waits; ServerUnavailable if a batch
        failed)."""
        return [s.result() if isinstance(s, Future) else s for s in self._slots]


def merge(old: Candidate, new: Candidate) -> Candidate:
    """Two versions of one read: the final or the more confident one wins, photos kept."""
    conf = lambda c: c.confidence if isinstance(c.confidence, int | float) else -1.0  # noqa: E731
    best, other = (new, old) if new.final or not old.final and conf(new) >= conf(old) else (old, new)
    return dataclasses.replace(best, final=old.final or new.final, scene=best.scene or other.scene,
                               crop=best.crop or other.crop)


def _backoff(attempts: int) -> int:
    return min(600, 10 * 2 ** min(attempts, 6))


class Pipeline:
    def __init__(self, open_server: Callable[[], CityServer], sources: dict[str, Source],
                 clock: Callable[[], float], *, settle_seconds: int = 3, give_up_seconds: int = 3600,
                 gap_seconds: int = 900, fetcher: Callable[[str], bytes] = fetch.fetch) -> None:
        self.sources, self.clock, self.fetcher = sources, clock, fetcher
        self.settle, self.give_up, self.gap = settle_seconds, give_up_seconds, gap_seconds
        self._open = open_server
        self._jobs: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._settling: dict[str, tuple[Candidate, float]] = {}
        self._counts: Counter[tuple[str, str]] = Counter()
        self._rejects: list[tuple[int, str, str, str]] = []
        self._seen: dict[str, int] = {}
        self._cameras: set[str] = set()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failed: BaseException | None = None

    # -- the writer thread -------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._writer, name="receiver-writer", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failed is not None:
            raise self._failed

    def stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _writer(self) -> None:
        try:
            server = self._open()
            self._cameras = server.camera_ids()
        except BaseException as exc:  # noqa: BLE001 - handed to start(), which raises it
            self._failed = exc
            self._ready.set()
            return
        tables = ReceiverTables(server)
        self._ready.set()
        last_flush = time.monotonic()
        try:
            while True:
                try:
                    job = self._jobs.get(timeout=0.25)
                except queue.Empty:
                    job = ()
                jobs = [job] + self._drain(BATCH)
                stop = None in jobs
                writes = [j for j in jobs if isinstance(j, tuple) and len(j) == 4]
                if writes and not self._store(server, writes):
                    server = self._reopen(server)
                    tables = ReceiverTables(server)
                for j in jobs:
                    if isinstance(j, tuple) and len(j) == 2:
                        fn, fut = j
                        try:
                            fut.set_result(fn(server, tables))
                        except BaseException as exc:  # noqa: BLE001 - the caller gets it
                            fut.set_exception(exc)
                if stop or time.monotonic() - last_flush > 0.5:
                    self._flush(tables)
                    last_flush = time.monotonic()
                if stop:
                    return
        finally:
            server.close()

    def _drain(self, n: int) -> list:
        out: list = []
        while len(out) < n:
            try:
                out.append(self._jobs.get_nowait())
            except queue.Empty:
                break
        return out

    def _store(self, server: CityServer, writes: list[tuple[NewRead, list[Image], Candidate, Future]]) -> bool:
        """One batch in one transaction; False when the server failed it (callers are told).
        Each read is counted here, so it is counted even if its sender has gone."""
        try:
            outcome = server.ingest([w[0] for w in writes], [i for w in writes for i in w[1]],
                                    int(self.clock()))
        except server.errors as exc:
            log.error("storing %d reads failed: %s", len(writes), type(exc).__name__)
            for w in writes:
                w[3].set_exception(ServerUnavailable())
            return False
        for w, result in zip(writes, outcome):
            w[3].set_result(self._landed(w[2], result))
        return True

    def _reopen(self, server: CityServer) -> CityServer:
        """A new connection after a failed batch (a restarted database, a dropped link); the
        old one is kept if the server cannot be reached yet (the next batch tries again)."""
        try:
            fresh = self._open()
        except Exception as exc:  # noqa: BLE001 - unreachable now: keep trying at the next batch
            log.error("the city server cannot be reached: %s", type(exc).__name__)
            return server
        try:
            server.close()
        except server.errors:
            pass
        return fresh

    def _flush(self, tables: ReceiverTables) -> None:
        with self._lock:
            rejects, counts, seen = self._rejects, dict(self._counts), self._seen
            self._rejects, self._counts, self._seen = [], Counter(), {}
        try:
            tables.write(rejects, counts)
            tables.seen(seen)
        except tables.server.errors as exc:
            log.error("writing the receiver's counters failed: %s", type(exc).__name__)

    def call(self, fn: Callable[[CityServer, ReceiverTables], object]) -> object:
        """Run ``fn`` on the writer thread (the one that owns the connection) and wait."""
        fut: Future = Future()
        self._jobs.put((fn, fut))
        return fut.result()

    def flush(self) -> None:
        """Write the buffered rejects, counters and health now (tests, shutdown)."""
        self.call(lambda _s, t: self._flush(t))

    def refresh_cameras(self) -> None:
        self._cameras = self.call(lambda s, _t: s.camera_ids())  # type: ignore[assignment]  # a set of ids

    # -- counting ----------------------------------------------------------------------------
    def count(self, source: str, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[(source, name)] += n

    def reject(self, source: str, reason: str, detail: str = "") -> Outcome:
        with self._lock:
            self._counts[(source, "rejected")] += 1
            self._rejects.append((int(self.clock()), source, reason, shown(detail, 200)))
        return Outcome("rejected", detail, reason=reason)

    # -- what the doors call -----------------------------------------------------------------
    def accept(self, items: list[Candidate | Heartbeat | Rejected]) -> list[Outcome]:
        """Everything one payload held, outcomes in its order; returns once its reads are
        stored (or queued)."""
        return self.submit(items).outcomes()

    def submit(self, items: list[Candidate | Heartbeat | Rejected]) -> Ticket:
        """Check everything one payload held and hand its good reads to the writer thread;
        the ticket's outcomes are known once its futures are done (the HTTP door awaits
        them without holding a thread)."""
        slots: list[Outcome | Future | None] = []
        ready: list[tuple[int, Candidate]] = []
        for item in items:
            if isinstance(item, Rejected):
                slots.append(self.reject(item.source, item.reason, item.detail))
            elif isinstance(item, Heartbeat):
                slots.append(self._heartbeat(item))
            elif not item.final:
                with self._lock:
                    held = self._settling.get(item.key)
                    self._settling[item.key] = (merge(held[0], item) if held else item,
                                                held[1] if held else self.clock() + self.settle)
                slots.append(Outcome("settling", item.source_id))
            else:
                with self._lock:
                    held = self._settling.pop(item.key, None)
                ready.append((len(slots), merge(held[0], item) if held else item))
                slots.append(None)
        for (i, _c), slot in zip(ready, self._queue([c for _i, c in ready])):
            slots[i] = slot
        return Ticket([s for s in slots if s is not None])

    def tick(self) -> list[Outcome]:
        """Store previews whose final version did not come within the settle time."""
        now = self.clock()
        with self._lock:
            due = [k for k, (_c, deadline) in self._settling.items() if deadline <= now]
            ready = [self._settling.pop(k)[0] for k in due]
        return self._process(ready)

    def _process(self, cands: list[Candidate]) -> list[Outcome]:
        """Fetch, check and store; outcomes in the candidates' order."""
        return Ticket(self._queue(cands)).outcomes()

    def _queue(self, cands: list[Candidate]) -> list[Outcome | Future]:
        """Fetch and check; a good read goes to the writer thread (its future is its outcome)."""
        out: list[Outcome | Future] = []
        for c in cands:
            try:
                checks.camera_id(c, self._cameras, self.sources[c.source].cameras)   # before any fetch
                scene, crop = self._photos(c)
            except fetch.FetchFailed as exc:
                out.append(self._hold(c, str(exc), attempts=0))
                continue
            except Reject as exc:
                out.append(self.reject(c.source, str(exc), c.source_id))
                continue
            result = self._check(c, scene, crop)
            if isinstance(result, Outcome):
                out.append(result)
            else:
                fut: Future = Future()
                self._jobs.put((*result, c, fut))
                out.append(fut)
        return out

    def _photos(self, c: Candidate) -> tuple[bytes | None, bytes | None]:
        src = self.sources[c.source]
        got = []
        for ref in (c.scene, c.crop):
            if ref is None or ref.data is not None:
                got.append(ref.data if ref else None)
            else:
                fetch.check_host(ref.url or "", src.image_hosts)
                got.append(self.fetcher(ref.url or ""))
        return got[0], got[1]

    def _check(self, c: Candidate, scene: bytes | None,
               crop: bytes | None) -> Outcome | tuple[NewRead, list[Image]]:
        try:
            return checks.to_read(c, self._cameras, self.sources[c.source].cameras, int(self.clock()),
                                  scene, crop)
        except Reject as exc:
            return self.reject(c.source, str(exc), c.source_id)
        except Exception as exc:  # noqa: BLE001 - a check we lack: this read's reject, never a crash
            return self.reject(c.source, f"{UNEXPECTED} ({type(exc).__name__})", c.source_id)

    def _landed(self, c: Candidate, result: tuple[str, int | None]) -> Outcome:
        what, rid = result
        status = {"read": "stored", "queued": "queued_for_ocr"}.get(what, what)
        self.count(c.source, status)
        if status != "duplicate":
            camera = self.sources[c.source].cameras.get(str(c.camera), str(c.camera))
            with self._lock:
                self._seen[camera] = int(self.clock())
        return Outcome(status, c.source_id, rid)

    # -- the retry queue ---------------------------------------------------------------------
    def _hold(self, c: Candidate, error: str, attempts: int) -> Outcome:
        now = int(self.clock())
        payload = dataclasses.asdict(c)
        for side in ("scene", "crop"):
            ref = getattr(c, side)
            payload[side] = None if ref is None else {
                "url": ref.url, "data": base64.b64encode(ref.data).decode("ascii") if ref.data else None}
        self.call(lambda _s, t: t.hold(c.key, c.source, payload, now, now + _backoff(attempts), error))
        self.count(c.source, "waiting_photos")
        return Outcome("waiting", c.source_id, reason=error)

    def retry_due(self) -> list[Outcome]:
        """Try again the reads whose photos could not be fetched; after the give-up time a read
        is stored without its photos (its reject row says so) rather than lost."""
        now = int(self.clock())
        due: list[Pending] = self.call(lambda _s, t: t.due(now))  # type: ignore[assignment]  # due()'s list
        out: list[Outcome] = []
        for p in due:
            c = _candidate(p.payload)
            try:
                scene, crop = self._photos(c)
            except fetch.FetchFailed as exc:
                if now - p.first_at < self.give_up:
                    out.append(self._hold(c, str(exc), p.attempts))
                    continue
                self.reject(c.source, f"photos never came ({exc}); the read is stored without them",
                            c.source_id)
                scene = crop = None
            except Reject as exc:
                out.append(self.reject(c.source, str(exc), c.source_id))
                self._release(p.key)
                continue
            out += self._process([dataclasses.replace(
                c, scene=ImageRef(scene) if scene else None, crop=ImageRef(crop) if crop else None)])
            self._release(p.key)
        return out

    def _release(self, key: str) -> None:
        self.call(lambda _s, t: t.release([key]))

    # -- camera health -----------------------------------------------------------------------
    def _heartbeat(self, hb: Heartbeat) -> Outcome:
        camera = self.sources[hb.source].cameras.get(hb.camera, hb.camera)
        if camera not in self._cameras:
            return self.reject(hb.source, f"unknown camera {shown(camera)!r} in a heartbeat", hb.camera)
        self.count(hb.source, "heartbeats")
        if hb.online:
            with self._lock:
                self._seen[camera] = max(self._seen.get(camera, 0), hb.at)
        else:
            self.call(lambda _s, t: t.offline(camera, hb.at, "the camera system reports it is not running"))
        return Outcome("heartbeat", camera)

    def check_health(self) -> list[str]:
        """Cameras silent for longer than the gap are offline from their last word."""
        now = int(self.clock())

        def mark(_s, t: ReceiverTables) -> list[str]:
            self._flush(t)
            gone = t.silent(now - self.gap)
            for cam, last in gone:
                t.offline(cam, last, f"no read or heartbeat for {self.gap // 60} minutes")
            return [cam for cam, _ in gone]
        return self.call(mark)  # type: ignore[return-value]  # mark's list


def _candidate(payload: dict) -> Candidate:
    refs = {}
    for side in ("scene", "crop"):
        ref = payload.get(side)
        refs[side] = None if ref is None else ImageRef(
            base64.b64decode(ref["data"]) if ref.get("data") else None, ref.get("url"))
    return Candidate(**{**payload, **refs})
