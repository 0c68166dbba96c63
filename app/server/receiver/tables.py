"""The receiver's own tables on the city server (installer/server/schema.sql): rejects kept for
the administrator, counters, the retry queue of reads waiting for photos, camera health.

Written with the backends' SQL hooks, like ``base.CityServer``; kept here so that the
interface every backend implements stays about reads, hotlists and sync.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from app.server.base import CityServer


@dataclass(frozen=True)
class Pending:
    """A read whose photos could not be fetched yet, as stored in ``receiver_pending``."""

    key: str
    source: str
    payload: dict
    first_at: int
    attempts: int


class ReceiverTables:
    """The receiver's rows on one open server (used from the receiver's writer thread only)."""

    def __init__(self, server: CityServer) -> None:
        self.server = server

    def write(self, rejects: list[tuple[int, str, str, str]], counts: dict[tuple[str, str], int]) -> None:
        """Rejects (at, source, reason, detail) and counter increments, in one transaction."""
        if not rejects and not counts:
            return
        s = self.server
        with s._tx() as conn:
            s._many(conn, "INSERT INTO receiver_rejects(at, source, reason, detail) VALUES (?,?,?,?)",
                    rejects)
            s._many(conn, "INSERT INTO receiver_counts(source, name, value) VALUES (?,?,?) "
                    "ON CONFLICT (source, name) DO UPDATE SET value = receiver_counts.value + excluded.value",
                    [(src, name, n) for (src, name), n in sorted(counts.items())])

    def counts(self) -> dict[tuple[str, str], int]:
        with self.server._reading() as conn:
            return {(r[0], r[1]): int(r[2]) for r in self.server._run(
                conn, "SELECT source, name, value FROM receiver_counts")}

    def rejects(self, limit: int = 100) -> list[tuple[int, str, str, str]]:
        """The newest rejects first: (at, source, reason, detail)."""
        with self.server._reading() as conn:
            return [(int(r[0]), r[1], r[2], r[3]) for r in self.server._run(
                conn, "SELECT at, source, reason, detail FROM receiver_rejects ORDER BY id DESC LIMIT ?",
                (limit,))]

    # -- the retry queue ---------------------------------------------------------------------
    def hold(self, key: str, source: str, payload: dict, now: int, next_at: int, error: str) -> None:
        """Keep (or re-schedule) a read that waits for its photos."""
        s = self.server
        with s._tx() as conn:
            s._run(conn, "INSERT INTO receiver_pending(key, source, payload, first_at, next_at, attempts, "
                   "last_error) VALUES (?,?,?,?,?,1,?) ON CONFLICT (key) DO UPDATE SET "
                   "next_at = excluded.next_at, attempts = receiver_pending.attempts + 1, "
                   "last_error = excluded.last_error",
                   (key, source, json.dumps(payload), now, next_at, error))

    def due(self, now: int, limit: int = 100) -> list[Pending]:
        with self.server._reading() as conn:
            rows = self.server._run(conn, "SELECT key, source, payload, first_at, attempts FROM "
                                    "receiver_pending WHERE next_at <= ? ORDER BY next_at LIMIT ?",
                                    (now, limit))
        return [Pending(r[0], r[1], json.loads(r[2]), int(r[3]), int(r[4])) for r in rows]

    def waiting(self) -> int:
        with self.server._reading() as conn:
            return int(self.server._run(conn, "SELECT count(*) FROM receiver_pending")[0][0])

    def release(self, keys: Iterable[str]) -> None:
        s = self.server
        keys = list(keys)
        if keys:
            with s._tx() as conn:
                s._many(conn, "DELETE FROM receiver_pending WHERE key = ?", [(k,) for k in keys])

    # -- camera health -----------------------------------------------------------------------
    def seen(self, cameras: dict[str, int]) -> None:
        """Cameras heard from (a read or a heartbeat saying it runs) at these times: their open
        outage, if any, ends then."""
        if not cameras:
            return
        s = self.server
        with s.writing() as conn:
            s._many(conn, "INSERT INTO camera_health(camera_id, last_seen) VALUES (?,?) ON CONFLICT "
                    "(camera_id) DO UPDATE SET last_seen = CASE WHEN excluded.last_seen > "
                    "camera_health.last_seen THEN excluded.last_seen ELSE camera_health.last_seen END",
                    sorted(cameras.items()))
            open_ = s._run(conn, "SELECT id, camera_id FROM camera_outages WHERE ended_at IS NULL")
            ending = [(cameras[cam], oid) for oid, cam in open_ if cam in cameras]
            if ending:
                first = s._alloc(conn, "change", len(ending))
                s._many(conn, "UPDATE camera_outages SET ended_at = ?, seq = ? WHERE id = ?",
                        [(at, first + i, oid) for i, (at, oid) in enumerate(ending)])

    def offline(self, camera: str, since: int, reason: str) -> bool:
        """Open an outage for ``camera`` (unless one is open); True when it opened one."""
        s = self.server
        with s.writing() as conn:
            if s._run(conn, "SELECT 1 FROM camera_outages WHERE camera_id = ? AND ended_at IS NULL",
                      (camera,)):
                return False
            seq = s._alloc(conn, "change", 1)
            s._run(conn, "INSERT INTO camera_outages(camera_id, started_at, ended_at, reason, seq) "
                   "VALUES (?,?,NULL,?,?) RETURNING id", (camera, since, reason, seq))
        return True

    def silent(self, before: int) -> list[tuple[str, int]]:
        """Cameras last heard from before ``before`` and not already offline: (id, last seen)."""
        with self.server._reading() as conn:
            return [(r[0], int(r[1])) for r in self.server._run(
                conn, "SELECT h.camera_id, h.last_seen FROM camera_health h WHERE h.last_seen < ? "
                "AND NOT EXISTS (SELECT 1 FROM camera_outages o WHERE o.camera_id = h.camera_id "
                "AND o.ended_at IS NULL) ORDER BY h.camera_id", (before,))]

    def outages(self) -> list[tuple[str, int, int | None, str]]:
        with self.server._reading() as conn:
            return [(r[0], int(r[1]), None if r[2] is None else int(r[2]), r[3]) for r in self.server._run(
                conn, "SELECT camera_id, started_at, ended_at, reason FROM camera_outages ORDER BY id")]
