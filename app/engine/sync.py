"""Incremental sync from the city server into the local encrypted store, and upload back.

Pull order: cameras, hotlists, hotlist entries, tombstones, reads. Each feed is read by its
change sequence from the last watermark kept in ``sync_state``; each batch is applied in ONE
local transaction together with its new watermark, so a crash (even kill -9) loses at most
the batch in flight and the next sync resumes there. Reads bring their images only inside
the prefetch window (``image_cache``); then the images of open hits and held reads follow,
and the cache is brought within its budget. Then the access log and corrections
go up; a local row is marked uploaded only after the server committed it, and is never
deleted. Every server error becomes one :class:`SyncError` sentence.

A city that outgrows one server (docs/scaling.md, "Read replicas") gives two addresses: the
read address (a streaming replica, or a pooler in front of several) that every pull and image
comes from, and an optional write address (the primary) that takes the log's escrow and
receipts and the two uploads. Both are the same city server (the same server id), reached
with the same password; without a write address, everything goes to the one address.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.server.connect import ServerAddress, open_server, parse_address, redact

from . import accesslog, keys, sync_apply
from .accesslog import SYSTEM
from .errors import AuthError, Interrupted, LogTampered, StoreError, SyncError, ValidationError
from .progress import CancelToken, Progress
from .sync_errors import CONNECT_ERRORS, describe_server_error
from .sync_run import Puller

FEEDS = ("cameras", "camera_outages", "parking_facilities", "hotlists", "hotlist_entries", "tombstones",
         "reads")


@dataclass(frozen=True)
class SyncStatus:
    server: str | None
    window_days: int | None
    watermarks: dict[str, int]
    last_sync: dict | None         # counts and time of the last finished sync
    write_server: str | None = None   # the primary, where the read address is a replica


PASSWORD_META = "sync.password"
SERVER_KEY, WRITE_KEY = "sync.server", "sync.write_server"


class SyncService:
    """``ws.sync``: configure the city server and run a sync (a generator of Progress)."""

    def __init__(self, ws) -> None:
        self.ws = ws
        # Rows per pull (photos go in sub-batches of 400). A first sync of a million reads ran at
        # 88,000 reads/s in pulls of 20,000 and 76,000-80,000 in pulls of 50,000, whose rows
        # outgrow the CPU's caches while they are checked and bound (bench/scale.py, 2026-11-29).
        self.batch = 20_000

    # -- settings ---------------------------------------------------------------------------
    def _setting(self, key: str) -> str | None:
        row = self.ws.store.query_one("SELECT value FROM settings WHERE key = ?", (key,))
        return row[0] if row else None

    def _password(self) -> str | None:
        """The city-server password, kept in the encrypted store: like the data it opens, it
        is reachable only through a personal login (never the OS keyring alone). One left in
        the keyring by an older version moves into the store the first time it is needed."""
        kept = self.ws.store.get_meta(PASSWORD_META)
        if kept is not None:
            return kept or None
        legacy_name = f"sync-password/{self.ws.store.store_id}"
        try:
            legacy = keys.get_secret(legacy_name)
        except StoreError:
            return None
        if legacy:
            self.ws.store.set_meta(PASSWORD_META, legacy)
            keys.delete_secret(legacy_name)
        return legacy

    def redact_text(self, text: object) -> str:
        """``text`` with any address password, and the server password, blanked: what the
        sync shows, raises or logs never carries a secret."""
        return redact(text, self._password())

    def configure(self, session, server: str, password: str | None = None,
                  window_days: int | None = None, *, operator: str | None = None,
                  write_server: str | None = None) -> None:
        """Set the city server and the sync window; logged. A new address of the same server
        (moved, a replica) keeps the watermarks: the server's id, not its address, decides
        (see ``Puller.check_server``). An address that carries a password is refused.

        ``password`` is the PostgreSQL password, kept in the encrypted store; for the embedded
        server it is the password of one of its operators (``operator``, by default the
        session's user), which unlocks the server's key slot once: the key is what the store
        keeps.

        ``write_server`` is the primary where ``server`` is a read replica (PostgreSQL only;
        the same login and password): None keeps the one set before, "" removes it."""
        if session is not None:
            self.ws.guard(session, "settings_admin")
        try:
            addr = parse_address(server)
            waddr = parse_address(write_server) if write_server else None
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if waddr is not None and (addr.kind, waddr.kind) != ("postgresql", "postgresql"):
            raise ValidationError("A write address is for a PostgreSQL city server whose read "
                                  "address is a replica; the embedded server has one address.")
        if addr.kind == "embedded":
            write_server = ""                   # nothing else can take its writes
        if window_days is not None and not 1 <= int(window_days) <= self.ws.profile.retention_days:
            raise ValidationError(f"The sync window is 1 to {self.ws.profile.retention_days} days "
                                  "(the retention period).")
        actor = session.actor if session is not None else SYSTEM
        if password and addr.kind == "embedded":
            from app.server.embedded import EmbeddedServer
            name = operator or (session.user.username if session is not None else "")
            try:
                password = EmbeddedServer.unlock(Path(addr.target), name, password,
                                                 self.ws.clock()).hex()
            except AuthError:
                self.ws.log(actor, "settings_change_failed",
                            detail={"sync.server": str(addr), "reason": "wrong operator password"})
                raise
        if password:
            self.ws.store.set_meta(PASSWORD_META, password)
        detail = {"sync.server": str(addr), "sync.window_days": window_days,
                  "password_changed": bool(password)}
        with self.ws.store.transaction() as conn:
            _put(conn, SERVER_KEY, str(addr))
            if waddr is not None:
                _put(conn, WRITE_KEY, str(waddr))
                detail[WRITE_KEY] = str(waddr)
            elif write_server == "" and self._setting(WRITE_KEY) is not None:
                conn.execute("DELETE FROM settings WHERE key = ?", (WRITE_KEY,))
                detail[WRITE_KEY] = None
            if window_days is not None:
                self._set_window(conn, int(window_days))
            accesslog.append(conn, self.ws.clock(), actor, "settings_change", detail=detail)

    def set_window(self, session, days: int | None) -> None:
        """Hold only the last ``days`` days locally (None: all the retention period)."""
        self.ws.guard(session, "settings_admin")
        if days is not None and not 1 <= int(days) <= self.ws.profile.retention_days:
            raise ValidationError(f"The sync window is 1 to {self.ws.profile.retention_days} days.")
        with self.ws.store.transaction() as conn:
            self._set_window(conn, days)
            accesslog.append(conn, self.ws.clock(), session.actor,
                             "settings_change", detail={"sync.window_days": days})

    def _set_window(self, conn, days: int | None) -> None:
        old = self.window_days()
        if days is None:
            conn.execute("DELETE FROM settings WHERE key = 'sync.window_days'")
        else:
            _put(conn, "sync.window_days", str(int(days)))
        if days is None or (old is not None and days > old):
            sync_apply.set_mark(conn, "reads", 0)    # wider: fetch the older reads again

    def window_days(self) -> int | None:
        value = self._setting("sync.window_days")
        return int(value) if value else None

    def status(self, session) -> SyncStatus:
        self.ws.guard(session, "sync")
        with self.ws.store.reading() as conn:
            marks = {f: sync_apply.get_mark(conn, f) for f in FEEDS}
        last = self._setting("sync.last")
        server, writer = self._setting(SERVER_KEY), self._setting(WRITE_KEY)
        return SyncStatus(redact(server) if server else None, self.window_days(), marks,
                          json.loads(last) if last else None, redact(writer) if writer else None)

    def alerts(self, session) -> list[tuple[int, str, str]]:
        """What the city server recorded against this workstation's access log (tampering it
        or this workstation found): (time, kind, detail), for the administrator and auditor."""
        self.ws.guard(session, "audit_view")
        server = self.open_writer()         # the alerts are written on the primary
        try:
            found = server.log_alerts(self.ws.store.store_id)
        except server.errors as exc:
            raise SyncError(self.redact_text(describe_server_error(exc, server.describe()))) from None
        finally:
            server.close()
        self.ws.log(session.actor, "audit_view", detail={"log_alerts": len(found)})
        return found

    # -- the sync -----------------------------------------------------------------------------
    def open_server(self):
        """The configured city server at its read address, open; :class:`SyncError` (a
        sentence) if it cannot be. Every pull of the sync and the images fetched on demand
        (``ws.images``) come through here."""
        server = self._setting(SERVER_KEY)
        if not server:
            raise SyncError("No city server is configured; an administrator sets it in the "
                            "administration screen or with 'alpr sync config'.")
        return self._open(server, "")

    def open_writer(self, reader=None):
        """The city server at its write address (the primary), open; without one, ``reader``
        (the read connection, shared) or the read address opened anew. What the server keeps
        for this workstation goes here: the log's escrow and receipts, alerts, uploads."""
        writer = self._setting(WRITE_KEY)
        if not writer:
            return reader if reader is not None else self.open_server()
        return self._open(writer, "write ")

    def _open(self, text: str, which: str):
        try:
            addr: ServerAddress = parse_address(text)
        except ValueError as exc:       # kept by an older version that let a password through
            raise SyncError(f"The configured city server {which}address cannot be used: {exc}") from None
        password = self._password()
        failures: tuple[type[BaseException], ...] = (StoreError, *CONNECT_ERRORS)
        try:
            return open_server(addr, password)
        except failures as exc:
            where = f"write address {addr}" if which else str(addr)
            raise SyncError(redact(describe_server_error(exc, where), password)) from None

    def run(self, session, token: CancelToken | None = None) -> Iterator[Progress]:
        """Sync now. ``session`` None is the unattended/set-up run, logged as the system."""
        actor = SYSTEM
        if session is not None:
            self.ws.guard(session, "sync")
            actor = session.actor
        token = token or CancelToken()
        started, t0 = time.monotonic(), time.time()
        counts = {f: 0 for f in FEEDS} | {"hits": 0, "images": 0, "bytes": 0, "trimmed": 0,
                                          "removed": 0, "evicted": 0, "log_uploaded": 0, "corrections_uploaded": 0}
        yield Progress("connect", started=started, message="Connecting to the city server")
        try:
            server = self.open_server()
        except SyncError as exc:
            self._log(actor, self._setting(SERVER_KEY) or "none", counts, ok=False, error=str(exc))
            raise self._clean(exc) from None
        try:
            writer = self.open_writer(server)
        except SyncError as exc:
            server.close()
            self._log(actor, self._setting(WRITE_KEY) or "none", counts, ok=False, error=str(exc))
            raise self._clean(exc) from None
        where = server.describe() + ("" if writer is server else f"; writes to {writer.describe()}")
        at = server                     # the server the step under way talks to, for its errors
        try:
            puller = Puller(self.ws, server, token, counts, self.batch, self.window_days(),
                            self.ws.profile.retention_days, writer)
            puller.check_server()
            at = writer
            puller.anchor.check()
            at = server
            for feed in FEEDS:
                yield from puller.pull(feed, started)
            yield from puller.trim(started)
            yield from puller.pinned_images(started)
            self._log(actor, where, counts, ok=True)
            at = writer
            yield from puller.upload(started)
        except Interrupted as exc:
            self._log(actor, where, counts, ok=False, error=str(exc))
            raise
        except SyncError as exc:
            try:
                self._log(actor, where, counts, ok=False, error=str(exc))
            except LogTampered:
                pass            # a broken head writes nothing; the server has the alert
            raise self._clean(exc) from None
        except server.errors as exc:
            err = SyncError(self.redact_text(describe_server_error(exc, at.describe())))
            self._log(actor, where, counts, ok=False, error=str(err))
            raise err from None
        finally:
            for open_one in {id(s): s for s in (server, writer)}.values():
                try:
                    open_one.close()
                except open_one.errors:
                    pass
        summary = dict(counts, finished=int(self.ws.clock()), seconds=round(time.time() - t0, 2))
        with self.ws.store.transaction() as conn:
            _put(conn, "sync.last", json.dumps(summary))
        yield Progress("done", sum(counts[f] for f in FEEDS), None, counts["bytes"], started,
                       _summary(counts))

    def _clean(self, exc: SyncError) -> SyncError:
        """The same error, or a copy of it without the secret its text carried."""
        text = self.redact_text(exc)
        return exc if text == str(exc) else SyncError(text)

    def _log(self, actor, where: str, counts: dict, *, ok: bool, error: str | None = None) -> None:
        """One access-log entry per sync run, finished or not, with what it moved (and no secret)."""
        detail = {"ok": ok, "server": self.redact_text(where), **counts}
        if error:
            detail["error"] = self.redact_text(error)
        self.ws.log(actor, "sync", detail=detail)


def _put(conn, key: str, value: str) -> None:
    conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                 "value = excluded.value", (key, value))


def _summary(c: dict) -> str:
    return (f"{c['reads']} reads, {c['images']} images, {c['hotlist_entries']} hotlist entries, "
            f"{c['tombstones']} purges, {c['hits']} new hits; {c['log_uploaded']} log entries and "
            f"{c['corrections_uploaded']} corrections uploaded.")

