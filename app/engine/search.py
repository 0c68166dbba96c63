"""Plate search over the local store: exact, partial, wildcard and similar, with filters.

Searches are paged: the engine returns one page of rows at a time, and the access log
records exactly the read ids each page returned to the user.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from . import plates, states, vehicles
from .errors import ValidationError

MODES = ("exact", "partial", "wildcard", "similar")
GRAM = 3                # plate_trigrams indexes every 3-character piece of every plate (0018)
SORTS = {"time": "r.read_at", "plate": "r.plate", "camera": "r.camera_id",
         "confidence": "r.confidence"}
MAX_PAGE = 5000
UNKNOWN_STATE = "unknown"               # SearchQuery.state: reads whose state was not read


@dataclass(frozen=True)
class SearchQuery:
    """The data elements of a search, as logged."""

    plate: str = ""
    mode: str = "exact"
    start: int | None = None            # Unix seconds UTC, inclusive
    end: int | None = None              # exclusive
    cameras: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    hits_only: bool = False
    sort: str = "time"
    descending: bool = True
    state: str = ""                     # "" any state, a two-letter code, or UNKNOWN_STATE
    vehicle_make: str = ""              # "" any; else the vendor's word, in any case
    vehicle_color: str = ""
    vehicle_body: str = ""

    def to_log(self) -> dict:
        d = asdict(self)
        d["cameras"], d["sites"] = list(self.cameras), list(self.sites)
        return d


@dataclass(frozen=True)
class ReadRow:
    id: int
    plate: str
    read_at: int
    camera_id: str
    camera_name: str
    site: str
    confidence: float
    vendor: str | None
    original_plate: str | None
    possible_misread: bool
    has_hit: bool
    closeness: float | None = None
    plate_state: str | None = None      # two-letter code; None: the camera did not read it
    vehicle: vehicles.Vehicle = vehicles.Vehicle()      # what the vendor said of the vehicle


@dataclass
class SearchPage:
    rows: list[ReadRow]
    offset: int
    has_more: bool
    log_seq: int = 0
    extra: dict = field(default_factory=dict)


ROW_SQL = ("SELECT r.id, r.plate, r.read_at, r.camera_id, c.name, c.site, r.confidence, r.vendor, "
           "r.original_plate, r.possible_misread, "
           "EXISTS (SELECT 1 FROM hits h WHERE h.read_id = r.id), r.plate_state, "
           "r.vehicle_make, r.vehicle_color, r.vehicle_body "
           "FROM reads r JOIN cameras c ON c.id = r.camera_id")


def row_from(t: tuple, closeness: float | None = None) -> ReadRow:
    car = vehicles.Vehicle(t[12], t[13], t[14]) if t[12] or t[13] or t[14] else _NO_VEHICLE
    return ReadRow(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], bool(t[9]), bool(t[10]),
                   closeness, t[11], car)


_NO_VEHICLE = vehicles.Vehicle()


def check(query: SearchQuery, plateless_max_hours: int | None = None) -> SearchQuery:
    """Validate a query before anything runs; returns it with the plate normalised.

    A search without a plate (by camera or site alone) lists every vehicle seen there, so
    with ``plateless_max_hours`` (the policy profile's limit) it must name a time window no
    longer than that. A hits-only search lists hot-listed vehicles only and is not limited.
    """
    if query.mode not in MODES:
        raise ValidationError(f"Unknown search mode {query.mode!r}; use one of {', '.join(MODES)}.")
    if query.sort not in SORTS:
        raise ValidationError(f"Unknown sort {query.sort!r}; use one of {', '.join(SORTS)}.")
    plate = plates.normalize(query.plate)
    if query.mode == "wildcard":
        plates.wildcard_to_glob(plate)
    elif plate:
        plates.validate_plate(plate)
        if query.mode == "partial" and len(plate) < 2:
            raise ValidationError("A partial search needs at least 2 characters.")
        if query.mode == "similar" and len(plate) < 3:
            raise ValidationError("A similar search needs at least 3 characters.")
    elif not (query.cameras or query.sites or query.hits_only):
        raise ValidationError("Give a plate, or narrow the search by camera, site or hits.")
    if query.start is not None and query.end is not None and query.start >= query.end:
        raise ValidationError("The start of the time range must be before its end.")
    if not plate and not query.hits_only and plateless_max_hours is not None:
        _check_plateless_window(query, plateless_max_hours)
    if plate and query.mode == "partial" and len(plate) < GRAM and plateless_max_hours is not None:
        _check_plateless_window(query, plateless_max_hours, BROAD_PARTIAL)
    return SearchQuery(**{**asdict(query), "plate": plate, "cameras": tuple(query.cameras),
                          "sites": tuple(query.sites), "state": check_state(query.state),
                          **check_vehicle(query)})


def check_vehicle(query: SearchQuery) -> dict[str, str]:
    """The vehicle filters trimmed; one that could never match a stored value is refused."""
    out = {}
    for name in vehicles.FIELDS:
        text = vehicles.normalize(getattr(query, name) or "") or ""
        if text and not vehicles.is_valid(text):
            raise ValidationError(f"The vehicle {vehicles.WORDS[name]} to search for must be one line "
                                  f"of at most {vehicles.MAX_LENGTH} characters.")
        out[name] = text
    return out


def check_state(text: str) -> str:
    """The state filter normalised: "", a two-letter code, or UNKNOWN_STATE."""
    text = (text or "").strip()
    if text.lower() == UNKNOWN_STATE:
        return UNKNOWN_STATE
    return states.code(text) or ""


PLATELESS = "A search without a plate lists every vehicle seen at those cameras or sites"
BROAD_PARTIAL = ("A partial search of two characters matches about a fifth of all plates, so it "
                 "lists nearly every vehicle too")


def _check_plateless_window(query: SearchQuery, max_hours: int, what: str = PLATELESS) -> None:
    """A search that lists nearly every vehicle (by camera or site alone, or by two characters
    of a plate): only within the profile's time window."""
    limit = f"{max_hours} hour{'s' if max_hours != 1 else ''}"
    if query.start is None or query.end is None:
        raise ValidationError(
            f"{what}, so policy allows it only within a time window of at most {limit}: set both "
            "From and To.")
    if query.end - query.start > max_hours * 3600:
        hours, minutes = divmod(-(-(query.end - query.start) // 60), 60)     # minutes, rounded up
        covers = f"{hours} hour{'s' if hours != 1 else ''}" + (
            f" {minutes} minute{'s' if minutes != 1 else ''}" if minutes else "")
        raise ValidationError(
            f"{what}, so policy allows it only within a time window of at most {limit}; this one "
            f"covers {covers}. Narrow From and To, or search for more of the plate.")


def _where(query: SearchQuery) -> tuple[list[str], list]:
    """SQL conditions and parameters for everything except the similar-plate set."""
    conds: list[str] = []
    params: list = []
    p = query.plate
    if p and query.mode == "exact":
        conds.append("(r.plate = ? OR r.original_plate = ?)")
        params += [p, p]
    elif p and query.mode == "partial" and len(p) < GRAM:
        # two characters match a fifth of the plates: the (short) time window drives the search
        conds.append("(instr(r.plate, ?) > 0 "
                     "OR r.id IN (SELECT read_id FROM corrections WHERE instr(old_plate, ?) > 0))")
        params += [p, p]
    elif p and query.mode == "partial":
        sql, args = _candidate_plates(f"*{p}*")
        conds.append(f"(r.plate IN ({sql}) OR r.id IN (SELECT read_id FROM corrections WHERE instr(old_plate, ?) > 0))")
        params += [*args, p]
    elif p and query.mode == "wildcard":
        glob = plates.wildcard_to_glob(p)
        sql, args = _candidate_plates(glob)
        conds.append(f"(r.plate IN ({sql}) OR r.id IN (SELECT read_id FROM corrections WHERE old_plate GLOB ?))")
        params += [*args, glob]
    elif p and query.mode == "similar":
        skels = sorted(plates.similar_skeletons(p))
        conds.append(f"r.plate IN (SELECT plate FROM plate_index WHERE skel IN ({','.join('?' * len(skels))}))")
        params += skels
    time_conds(query.start, query.end, conds, params)
    if query.cameras:
        conds.append(f"r.camera_id IN ({','.join('?' * len(query.cameras))})")
        params += list(query.cameras)
    if query.sites:
        conds.append(f"c.site IN ({','.join('?' * len(query.sites))})")
        params += list(query.sites)
    if query.hits_only:
        conds.append("r.id IN (SELECT read_id FROM hits)")
    if query.state == UNKNOWN_STATE:
        conds.append("r.plate_state IS NULL")
    elif query.state:
        conds.append("r.plate_state = ?")
        params.append(query.state)
    for name in vehicles.FIELDS:
        if getattr(query, name):
            conds.append(f"r.{name} = ? COLLATE NOCASE")
            params.append(getattr(query, name))
    return conds, params


def _candidate_plates(glob: str) -> tuple[str, list[str]]:
    """SQL for the distinct plates matching ``glob``, and its parameters. With three known
    characters in a row, the trigram index looks up the plates holding every piece of the
    pattern; else the distinct plates are tested, within the range of skeletons that the
    pattern's leading literals give (the skeleton maps character by character and leaves the
    wildcards as they are): the reads of two years are never scanned (0013, 0018, 0019).
    Plates and patterns hold only A-Z, 0-9 and the ? and * wildcards (plates.PLATE_RE,
    plates.wildcard_to_glob), so the GLOB means what was typed."""
    if max(map(len, re.split(r"[?*]", glob))) >= GRAM:
        return "SELECT plate FROM plate_trigrams WHERE plate GLOB ?", [glob]
    return "SELECT plate FROM plate_index WHERE skel GLOB ? AND plate GLOB ?", [plates.skeleton(glob), glob]


def time_conds(start: int | None, end: int | None, conds: list[str], params: list) -> None:
    """Add the time window (start inclusive, end exclusive) to SQL conditions on reads ``r``."""
    if start is not None:
        conds.append("r.read_at >= ?")
        params.append(int(start))
    if end is not None:
        conds.append("r.read_at < ?")
        params.append(int(end))


def run_page(conn, query: SearchQuery, offset: int, limit: int) -> tuple[list[ReadRow], bool]:
    """One page of results and whether more follow. Similar search is ranked by closeness."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"A page holds 1 to {MAX_PAGE} rows.")
    conds, params = _where(query)
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    if query.mode == "similar" and query.plate:
        # The candidate set is small (indexed skeletons); rank it in Python by closeness.
        rows = conn.execute(f"{ROW_SQL}{where}", params).fetchall()
        ranked = sorted(((plates.closeness(query.plate, t[1]), t) for t in rows),
                        key=lambda ct: (ct[0], -ct[1][2]))
        ranked = [ct for ct in ranked if ct[0] <= 1.0]
        page = ranked[offset:offset + limit]
        return [row_from(t, c) for c, t in page], offset + limit < len(ranked)
    order = f"{SORTS[query.sort]} {'DESC' if query.descending else 'ASC'}, r.id {'DESC' if query.descending else 'ASC'}"
    # The page's ids first, then their rows: ordering by time over the plate index needs no row
    # of the table, so only the page's rows are read (and, in the encrypted store, decrypted),
    # not every row of every matching plate.
    join = " JOIN cameras c ON c.id = r.camera_id" if query.sites else ""
    page_ids = f"SELECT r.id FROM reads r{join}{where} ORDER BY {order} LIMIT ? OFFSET ?"
    rows = conn.execute(f"{ROW_SQL} WHERE r.id IN ({page_ids}) ORDER BY {order}",
                        params + [limit + 1, offset]).fetchall()
    return [row_from(t) for t in rows[:limit]], len(rows) > limit


def log_query(query: SearchQuery, offset: int, limit: int) -> dict:
    d = query.to_log()
    d["offset"], d["limit"] = offset, limit
    return d
