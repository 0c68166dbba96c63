"""Hotlist hits: made locally when a read's plate matches an active hotlist entry.

Matching is done here, not on the server, so a workstation finds hits in reads it already
holds the moment a new entry arrives (by sync or added by hand), and a plate correction can
re-run it inside its own transaction through :func:`reevaluate_reads`. The GUI's queue,
dispositions and hotlist edits go through :class:`HitService`, guarded and logged.

A hit needs the plate's characters *and* its state to agree: the same characters from another
state are another vehicle. An unknown state on either side still matches (a camera that could
not read the state must not hide a stolen car), and the hit says "state unknown" so the officer
checks the state before acting; one that turns out to be another state's is disposed of as
``wrong_state``.

What may be recorded about a hit, and which dispositions need a note, is the agency's policy:
the profile's ``[[dispositions]]`` (policy.py), not a list fixed here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from . import plates, states
from .errors import NotFound, ValidationError

_ACTIVE = "(e.expires_at IS NULL OR e.expires_at > ?)"
# The same plate: characters and state agree, or the state is unknown on one side.
SAME_PLATE = ("e.plate = r.plate AND (r.plate_state IS NULL OR e.plate_state IS NULL "
              "OR r.plate_state = e.plate_state)")


def match_reads(conn, read_ids: list[int], now: float) -> int:
    """Add hits for these reads against every active entry; returns how many are new."""
    if not read_ids:
        return 0
    return conn.execute(
        "INSERT OR IGNORE INTO hits(read_id, entry_id, created_at) "
        f"SELECT r.id, e.id, ? FROM reads r JOIN hotlist_entries e ON {SAME_PLATE} "
        f"WHERE r.id IN (SELECT value FROM json_each(?)) AND {_ACTIVE}",
        (int(now), json.dumps(list(read_ids)), int(now))).rowcount


def match_entries(conn, entry_ids: list[int], now: float) -> int:
    """Add hits for these (new or changed) entries against the reads already held."""
    if not entry_ids:
        return 0
    return conn.execute(
        "INSERT OR IGNORE INTO hits(read_id, entry_id, created_at) "
        f"SELECT r.id, e.id, ? FROM hotlist_entries e JOIN reads r ON {SAME_PLATE} "
        f"WHERE e.id IN (SELECT value FROM json_each(?)) AND {_ACTIVE}",
        (int(now), json.dumps(list(entry_ids)), int(now))).rowcount


def reevaluate_reads(conn, read_ids: list[int], now: float) -> tuple[int, int]:
    """After reads' plates changed (a correction): drop open hits that no longer match and add
    new ones. A hit someone already disposed of stays, as the record of that decision.
    Returns (added, removed)."""
    ids = json.dumps(list(read_ids))
    removed = conn.execute(
        "DELETE FROM hits WHERE disposition IS NULL AND read_id IN (SELECT value FROM json_each(?)) "
        f"AND NOT EXISTS (SELECT 1 FROM reads r JOIN hotlist_entries e ON {SAME_PLATE} "
        "WHERE r.id = hits.read_id AND e.id = hits.entry_id)", (ids,)).rowcount
    return match_reads(conn, list(read_ids), now), removed


@dataclass(frozen=True)
class HitRow:
    id: int
    read_id: int
    plate: str
    read_at: int
    camera_id: str
    site: str
    entry_id: int
    hotlist: str
    source: str
    kind: str
    reason: str
    priority: int
    created_at: int
    disposition: str | None
    disposition_note: str | None
    disposed_by: str | None
    read_state: str | None = None       # the read's plate state (None: unknown)
    entry_state: str | None = None      # the hotlist entry's

    @property
    def state_unknown(self) -> bool:
        """Matched on the characters alone: the state must be checked before acting."""
        return self.read_state is None or self.entry_state is None

    @property
    def state_text(self) -> str:
        return states.UNKNOWN_TEXT if self.state_unknown else str(self.read_state)


@dataclass(frozen=True)
class HitFilter:
    open_only: bool = False
    hotlist_id: str | None = None
    plate: str | None = None
    max_priority: int | None = None     # 1 = only the most urgent
    limit: int = 500


@dataclass(frozen=True)
class EntryRow:
    id: int
    hotlist_id: str
    hotlist: str
    source: str
    plate: str
    reason: str
    priority: int
    expires_at: int | None
    added_by: str | None
    added_at: int
    plate_state: str | None
    active: bool
    local: bool                       # added on this workstation (negative id)


@dataclass(frozen=True)
class HitAlert:
    open_hits: int
    newest_id: int
    new_since: int                    # hits with id above the caller's mark
    top_priority: int | None          # most urgent priority among the new ones


_HIT_SQL = (
    "SELECT h.id, r.id, r.plate, r.read_at, r.camera_id, c.site, e.id, l.name, l.source, l.kind, "
    "e.reason, e.priority, h.created_at, h.disposition, h.disposition_note, h.disposed_by, "
    "r.plate_state, e.plate_state FROM hits h JOIN reads r ON r.id = h.read_id JOIN cameras c ON c.id = r.camera_id "
    "JOIN hotlist_entries e ON e.id = h.entry_id JOIN hotlists l ON l.id = e.hotlist_id")

_ENTRY_SQL = ("SELECT e.id, e.hotlist_id, l.name, l.source, e.plate, e.reason, e.priority, e.expires_at, "
              "e.added_by, e.added_at, e.plate_state FROM hotlist_entries e "
              "JOIN hotlists l ON l.id = e.hotlist_id")


def _entry(row: tuple, now: float) -> EntryRow:
    return EntryRow(*row, active=row[7] is None or row[7] > now, local=row[0] < 0)  # type: ignore[misc]  # a row unpacked positionally; mypy cannot count a tuple's length


class HitService:
    """The hits queue and hotlists for the GUI; every access is guarded and logged."""

    def __init__(self, ws) -> None:
        self.ws = ws

    def queue(self, session, flt: HitFilter = HitFilter()) -> list[HitRow]:
        """Hits, open ones first, then by priority (1 first) and newest; a logged view."""
        self.ws.guard(session, "hotlist_view")
        conds: list[str] = []
        params: list[object] = []
        if flt.open_only:
            conds.append("h.disposition IS NULL")
        if flt.hotlist_id:
            conds.append("l.id = ?")
            params.append(flt.hotlist_id)
        if flt.plate:
            conds.append("r.plate = ?")
            params.append(plates.validate_plate(flt.plate))
        if flt.max_priority is not None:
            conds.append("e.priority <= ?")
            params.append(int(flt.max_priority))
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        sql = (f"{_HIT_SQL}{where} ORDER BY h.disposition IS NOT NULL, e.priority, h.id DESC LIMIT ?")
        return self.ws.logged(
            session, "hotlist_view",
            lambda conn: [HitRow(*r) for r in conn.execute(sql, (*params, int(flt.limit)))],
            query={"view": "hits", **{k: v for k, v in vars(flt).items() if v not in (None, False)}},
            result_ids=lambda rows: [h.read_id for h in rows],
            detail=lambda rows: {"hits": len(rows)})

    def dispose(self, session, hit_id: int, disposition: str, note: str = "") -> HitRow:
        """Record what was done about a hit, as one of the profile's dispositions; one whose
        rule says so is refused without a note."""
        self.ws.guard(session, "hit_disposition")
        kind = self.ws.profile.disposition(disposition)
        note = (note or "").strip()
        if kind.note_required and not note:
            raise ValidationError(f"A hit disposed of as '{kind.label}' needs a note saying what "
                                  "was done or why.")
        now = int(self.ws.clock())
        previous: list[str | None] = []

        def work(conn) -> HitRow:
            row = conn.execute(f"{_HIT_SQL} WHERE h.id = ?", (hit_id,)).fetchone()
            if row is None:
                raise NotFound(f"No hit {hit_id} on this workstation.")
            previous.append(row[13])
            conn.execute("UPDATE hits SET disposition = ?, disposition_note = ?, disposed_by = ?, "
                         "disposed_at = ? WHERE id = ?",
                         (disposition, note, session.user.username, now, hit_id))
            return HitRow(*row[:13], disposition, note, session.user.username, *row[16:])  # type: ignore[call-arg]  # a row unpacked positionally; mypy cannot count a tuple's length
        return self.ws.logged(session, "hit_disposition", work,
                              query={"hit_id": hit_id}, result_ids=lambda h: [h.read_id],
                              detail=lambda h: {"disposition": disposition, "note": note,
                                                "previous": previous[0], "plate": h.plate})

    def hotlists(self, session) -> list[tuple[str, str, str, str]]:
        """(id, name, source, kind) of every hotlist held; names only, so not logged."""
        self.ws.guard(session, "hotlist_view")
        return self.ws.store.query("SELECT id, name, source, kind FROM hotlists ORDER BY name")

    def entries(self, session, hotlist_id: str | None = None, active_only: bool = True,
                plate: str | None = None) -> list[EntryRow]:
        self.ws.guard(session, "hotlist_view")
        now = self.ws.clock()
        conds, params = [], []
        if hotlist_id:
            conds.append("e.hotlist_id = ?")
            params.append(hotlist_id)
        if active_only:
            conds.append(_ACTIVE.replace("?", str(int(now))))
        if plate:
            conds.append("e.plate = ?")
            params.append(plates.validate_plate(plate))
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        return self.ws.logged(
            session, "hotlist_view",
            lambda conn: [_entry(r, now) for r in conn.execute(
                f"{_ENTRY_SQL}{where} ORDER BY e.priority, e.plate", params)],
            query={"view": "entries", "hotlist_id": hotlist_id, "active_only": active_only,
                   "plate": plate}, detail=lambda rows: {"entries": len(rows)})

    def add_entry(self, session, hotlist_id: str, plate: str, reason: str, priority: int = 3,
                  expires_at: int | None = None, state: str | None = None) -> tuple[int, int]:
        """Add a local entry (negative id) and match it against held reads: (entry id, new hits).
        ``state`` None: the list does not say which state's plate it is (matches any)."""
        self.ws.guard(session, "hotlist_edit")
        plate = plates.validate_plate(plate)
        state = states.code(state)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("Give the reason for the hotlist entry (what the vehicle is wanted for).")
        if not 1 <= int(priority) <= 5:
            raise ValidationError("Priority runs from 1 (most urgent) to 5.")
        now = self.ws.clock()
        if expires_at is not None and expires_at <= now:
            raise ValidationError("The expiry must be in the future.")

        def work(conn) -> tuple[int, int]:
            if conn.execute("SELECT 1 FROM hotlists WHERE id = ?", (hotlist_id,)).fetchone() is None:
                raise NotFound(f"No hotlist {hotlist_id!r}; sync the hotlists first.")
            new_id = min(conn.execute("SELECT min(id) FROM hotlist_entries").fetchone()[0] or 0, 0) - 1
            conn.execute("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, expires_at, "
                         "added_by, added_at, plate_state) VALUES (?,?,?,?,?,?,?,?,?)",
                         (new_id, hotlist_id, plate, reason, int(priority), expires_at,
                          session.user.username, int(now), state))
            return new_id, match_entries(conn, [new_id], now)
        return self.ws.logged(session, "hotlist_edit", work,
                              query={"hotlist_id": hotlist_id, "plate": plate, "state": state},
                              detail=lambda res: {"op": "add", "entry_id": res[0], "reason": reason,
                                                  "priority": priority, "new_hits": res[1]})

    def expire_entry(self, session, entry_id: int) -> None:
        """End an entry now; its hits stay in the queue as the record of what was seen."""
        self.ws.guard(session, "hotlist_edit")
        now = int(self.ws.clock())

        def work(conn) -> str:
            row = conn.execute("SELECT plate, expires_at FROM hotlist_entries WHERE id = ?",
                               (entry_id,)).fetchone()
            if row is None:
                raise NotFound(f"No hotlist entry {entry_id}.")
            if row[1] is not None and row[1] <= now:
                raise ValidationError(f"Hotlist entry {entry_id} has already expired.")
            conn.execute("UPDATE hotlist_entries SET expires_at = ? WHERE id = ?", (now, entry_id))
            return row[0]
        self.ws.logged(session, "hotlist_edit", work, query={"entry_id": entry_id},
                       detail=lambda plate: {"op": "expire", "plate": plate})

    def alert(self, session, since_id: int = 0) -> HitAlert:
        """Cheap poll for the GUI's alert: counts only, no plate, so not logged and it does not
        count as activity for the idle lock."""
        if "hotlist_view" not in self.ws.profile.role(session.user.role).grants or session.locked:
            return HitAlert(0, since_id, 0, None)
        row = self.ws.store.query_one(
            "SELECT (SELECT count(*) FROM hits WHERE disposition IS NULL), "
            "(SELECT coalesce(max(id), 0) FROM hits), "
            "(SELECT count(*) FROM hits WHERE id > ?), "
            "(SELECT min(e.priority) FROM hits h JOIN hotlist_entries e ON e.id = h.entry_id "
            " WHERE h.id > ?)", (since_id, since_id))
        return HitAlert(*row)
