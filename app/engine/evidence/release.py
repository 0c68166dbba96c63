"""Written requests for ALPR data from other agencies, and the designee's decision on them.

Calabasas, "Releasing ALPR data": the requesting agency's written request (agency, person
requesting, intended purpose, description of the information) is put on file first, the
designee approves it before anything is released, and the approved request stays on file.
Civil Code § 1798.90.55(b) allows sharing only with public agencies, which the Attorney General
reads as California agencies: a request names an entry of the agency register
(``oversight/agencies.py``), never free text, and the entry is checked again at the approval
and at the release. The profile says which kinds of public agency get full data and which get
counts only.

A request also carries its *scope*, the information it describes in a form the engine can
check: plates and/or read ids, a period, and optionally the cameras. The approver must be
another person than the one who entered it; a release under it may hold only reads inside
that scope, and the request is used up by its one release (status ``released``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date

from .. import plates as plates_mod
from ..errors import NotFound, ReleaseRefused, ValidationError
from ..oversight import agencies
from ..oversight.agencies import AGENCY_TYPES, PUBLIC_AGENCY_TYPES
from ..policy import PolicyProfile
from .aggregate import AggregateQuery
from .content import utc_iso

STATUSES = ("pending", "approved", "denied", "released")
FULL, AGGREGATE = "full", "aggregate"
MAX_SCOPE_READS = 100_000


@dataclass(frozen=True)
class ReleaseRequestForm:
    """What the written request says, as entered by staff, with its scope in checkable form."""

    agency_id: int                    # the requesting agency's entry in the agency register
    requester: str
    purpose: str
    description: str
    case_number: str
    received_on: str                  # ISO date the written request arrived
    plates: tuple[str, ...] = ()      # the plates asked for (any read of them in the period)
    read_ids: tuple[int, ...] = ()    # and/or particular reads
    start: int | None = None          # the period asked for, Unix seconds UTC, inclusive
    end: int | None = None            # exclusive
    camera_ids: tuple[str, ...] = ()  # the place: these cameras only (empty: any camera)


@dataclass(frozen=True)
class ReleaseRequest:
    id: int
    agency: str
    agency_type: str
    requester: str
    purpose: str
    description: str
    case_number: str
    received_on: str
    entered_by: str
    entered_at: int
    status: str
    decided_by: str | None
    decided_at: int | None
    decision_note: str | None
    plates: tuple[str, ...] = ()
    read_ids: tuple[int, ...] = ()
    camera_ids: tuple[str, ...] = ()
    start: int | None = None
    end: int | None = None
    released_at: int | None = None
    released_by: str | None = None
    released_package: str | None = None
    agency_id: int | None = None      # its register entry, and the entry's version it was made
    agency_version: int | None = None  # (then approved) on; None: entered before the register

    @property
    def has_scope(self) -> bool:
        return self.start is not None and self.end is not None

    def scope_text(self) -> str:
        """The scope in one line, as it goes on the custody form and into the access log."""
        if not self.has_scope:
            return "no scope on file (entered before requests carried one)"
        parts = []
        if self.plates:
            parts.append("plates " + ", ".join(self.plates))
        if self.read_ids:
            shown = ", ".join(f"#{i}" for i in self.read_ids[:10])
            more = f" and {len(self.read_ids) - 10} more" if len(self.read_ids) > 10 else ""
            parts.append(f"reads {shown}{more}")
        parts.append(f"from {utc_iso(self.start)} to {utc_iso(self.end)}")  # type: ignore[arg-type]  # a request on file always has its period (required when filed)
        parts.append("cameras " + ", ".join(self.camera_ids) if self.camera_ids else "any camera")
        return "; ".join(parts)

    def summary(self) -> str:
        if self.status == "released":
            state = (f"approved by {self.decided_by}, released by {self.released_by} in "
                     f"{self.released_package}")
        else:
            state = self.status + (f" by {self.decided_by}" if self.decided_by else "")
        return (f"Request #{self.id} of {self.agency} ({self.agency_type.replace('_', ' ')}, register "
                f"entry #{self.agency_id}), "
                f"requested by {self.requester} on {self.received_on}, their case {self.case_number}: "
                f"{self.purpose}; scope: {self.scope_text()}; {state}")


_COLS = ("id, agency, agency_type, requester, purpose, description, case_number, received_on, "
         "entered_by, entered_at, status, decided_by, decided_at, decision_note, scope_plates, "
         "scope_read_ids, scope_cameras, scope_start, scope_end, released_at, released_by, "
         "released_package, agency_id, agency_version")


def _from_row(row) -> ReleaseRequest:
    head, (plates, ids, cams), tail = row[:14], row[14:17], row[17:]
    return ReleaseRequest(*head, tuple(json.loads(plates)), tuple(json.loads(ids)),  # type: ignore[call-arg]  # a row unpacked positionally; mypy cannot count a tuple's length
                          tuple(json.loads(cams)), *tail)


def scope_for(profile: PolicyProfile, agency_type: str) -> str:
    """``full`` or ``aggregate`` for this kind of recipient; refuse what the law or policy bars."""
    if agency_type not in AGENCY_TYPES:
        raise ValidationError(f"The agency type is one of: {', '.join(AGENCY_TYPES)}.")
    rules = profile.release
    if agency_type not in PUBLIC_AGENCY_TYPES:          # the statute binds every profile
        raise ReleaseRefused(
            f"ALPR data may not be released to a {agency_type.replace('_', ' ')} recipient: only "
            "public agencies may receive it (Civil Code § 1798.90.55(b)).")
    if agency_type in rules.full_data_to:
        return FULL
    if agency_type in rules.aggregate_only_to:
        return AGGREGATE
    raise ReleaseRefused(f"The {profile.name} does not release ALPR data to "
                         f"{agency_type.replace('_', ' ')} agencies.")


def check_form(form: ReleaseRequestForm, profile: PolicyProfile, agency_type: str) -> ReleaseRequestForm:
    """Every element the policy names must be filled in (the agency is its register entry, of
    ``agency_type``), the date must be a real date, and the scope must be complete; returns the
    form with its scope normalised (sorted, no repeats)."""
    for label, value in (("the name of the person requesting",
                         form.requester), ("the intended purpose", form.purpose),
                         ("a description of the requested information", form.description),
                         ("the requesting agency's case number", form.case_number)):
        if not (value or "").strip():
            raise ValidationError(f"A written release request must state {label}.")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", form.received_on or ""):
        raise ValidationError("Give the date the written request was received as YYYY-MM-DD.")
    try:
        date.fromisoformat(form.received_on)
    except ValueError:
        raise ValidationError(f"{form.received_on} is not a calendar date.") from None
    return _check_scope(form, profile, agency_type)


def _check_scope(form: ReleaseRequestForm, profile: PolicyProfile, agency_type: str) -> ReleaseRequestForm:
    if form.start is None or form.end is None:
        raise ValidationError("A release request must state the period it covers (a start and an end time).")
    try:
        start, end = int(form.start), int(form.end)
    except (TypeError, ValueError):
        raise ValidationError("The period of a release request is given as two times.") from None
    if end <= start:
        raise ValidationError("The period of a release request must end after it starts.")
    plates = tuple(sorted({plates_mod.validate_plate(p) for p in form.plates or ()}))
    try:
        ids = tuple(sorted({int(i) for i in form.read_ids or ()}))
    except (TypeError, ValueError):
        raise ValidationError("Read ids in a release request are numbers.") from None
    if any(i <= 0 for i in ids):
        raise ValidationError("Read ids in a release request are positive numbers.")
    if len(ids) > MAX_SCOPE_READS:
        raise ValidationError(f"A release request names at most {MAX_SCOPE_READS} reads.")
    cams = tuple(sorted({(c or "").strip() for c in form.camera_ids or ()}))
    if "" in cams:
        raise ValidationError("A camera id in a release request is empty.")
    counts_only = agency_type in profile.release.aggregate_only_to
    if counts_only and (plates or ids):
        raise ValidationError(
            f"A {agency_type.replace('_', ' ')} may receive only counts by place and period under "
            f"the {profile.name}; leave plates and reads out of the request's scope.")
    if not counts_only and not (plates or ids):
        raise ValidationError("A release request must name the plates or the reads it asks for.")
    return replace(form, plates=plates, read_ids=ids, camera_ids=cams, start=start, end=end)


def enter(conn, form: ReleaseRequestForm, profile: PolicyProfile, entered_by: str, now: int) -> int:
    """File the request under its register entry (refused when the law bars the agency)."""
    try:
        agency_id = int(form.agency_id)
    except (TypeError, ValueError):
        raise ValidationError("Pick the requesting agency from the agency register (its entry "
                              "number); free-text agencies are not accepted.") from None
    agency = agencies.usable(conn, agency_id)
    scope_for(profile, agency.agency_type)
    f = check_form(form, profile, agency.agency_type)
    known = {r[0] for r in conn.execute("SELECT id FROM cameras")}
    unknown = [c for c in f.camera_ids if c not in known]
    if unknown:
        raise ValidationError(f"No camera {', '.join(unknown)} on this workstation; give camera ids "
                              "as the camera list shows them.")
    cur = conn.execute(
        "INSERT INTO release_requests(agency, agency_type, requester, purpose, description, "
        "case_number, received_on, entered_by, entered_at, scope_plates, scope_read_ids, "
        "scope_cameras, scope_start, scope_end, agency_id, agency_version) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (agency.name, agency.agency_type, f.requester.strip(), f.purpose.strip(),
         f.description.strip(), f.case_number.strip().upper(), f.received_on, entered_by, now,
         json.dumps(list(f.plates)), json.dumps(list(f.read_ids)), json.dumps(list(f.camera_ids)),
         f.start, f.end, agency.id, agency.version))
    return cur.lastrowid


def get(conn, request_id: int) -> ReleaseRequest:
    row = conn.execute(f"SELECT {_COLS} FROM release_requests WHERE id = ?", (request_id,)).fetchone()
    if row is None:
        raise NotFound(f"No release request #{request_id} on file.")
    return _from_row(row)


def list_requests(conn, status: str | None = None) -> list[ReleaseRequest]:
    if status is not None and status not in STATUSES:
        raise ValidationError(f"A request's status is one of: {', '.join(STATUSES)}.")
    where, params = ("WHERE status = ?", (status,)) if status else ("", ())
    return [_from_row(r) for r in conn.execute(
        f"SELECT {_COLS} FROM release_requests {where} ORDER BY id", params)]


def decide(conn, profile: PolicyProfile, request_id: int, approve: bool, decided_by: str,
           note: str, now: int) -> ReleaseRequest:
    """The designee's decision; an approval the law forbids is refused, a denial always allowed.
    The person who entered a request may not approve it: a second person decides."""
    req = get(conn, request_id)
    if req.status != "pending":
        raise ValidationError(f"Release request #{request_id} was already {req.status}.")
    if not note.strip():
        raise ValidationError("Record the reason for the decision.")
    if approve:
        if req.entered_by == decided_by:
            raise ReleaseRefused(
                f"You entered release request #{request_id} yourself, so you may not approve it: "
                f"another {profile.designee_title} must decide it (two people for every release).")
        if not req.has_scope:
            raise ReleaseRefused(
                f"Release request #{request_id} has no scope on file (it was entered before requests "
                "carried one); enter the request again with its plates or reads, period and cameras.")
        version = register_entry(conn, req).version
        scope_for(profile, req.agency_type)
        conn.execute("UPDATE release_requests SET agency_version = ? WHERE id = ?", (version, request_id))
    conn.execute("UPDATE release_requests SET status = ?, decided_by = ?, decided_at = ?, "
                 "decision_note = ? WHERE id = ?",
                 ("approved" if approve else "denied", decided_by, now, note.strip(), request_id))
    return get(conn, request_id)


def register_entry(conn, req: ReleaseRequest) -> agencies.Agency:
    """The request's register entry, if data may still go to it: active, lawful, of the type the
    request was filed as, and unchanged since the request was made (or approved) on it."""
    entry = agencies.usable(conn, req.agency_id, req.agency_version)
    if entry.agency_type != req.agency_type:
        raise ReleaseRefused(f"Register entry #{entry.id} ({entry.name}) is now of type "
                             f"{entry.agency_type.replace('_', ' ')}, not the "
                             f"{req.agency_type.replace('_', ' ')} request #{req.id} was filed as; "
                             "enter a new request.")
    return entry


def approved(conn, profile: PolicyProfile, request_id: int, scope: str) -> ReleaseRequest:
    """The request, if it is on file, approved, not yet used, and allows a release of this scope."""
    req = get(conn, request_id)
    if req.status == "released":
        raise ReleaseRefused(
            f"Release request #{request_id} was already used for {req.released_package or 'a release'} "
            f"on {utc_iso(req.released_at or 0)}; an approved request covers one release, so "
            "anything more needs a new written request.")
    if req.status != "approved":
        raise ReleaseRefused(f"Release request #{request_id} is {req.status}, not approved by the "
                             f"{profile.designee_title}; nothing may be released on it.")
    if not req.has_scope:
        raise ReleaseRefused(f"Release request #{request_id} has no scope on file; nothing may be "
                             "released on it. Enter the request again with its scope.")
    register_entry(conn, req)
    allowed = scope_for(profile, req.agency_type)
    if scope == FULL and allowed == AGGREGATE:
        raise ReleaseRefused(
            f"{req.agency} is a public agency outside law enforcement: under the {profile.name} it may "
            "receive only counts of plates and hits (an aggregate release), no plates or images.")
    return req


def _outside(req: ReleaseRequest, what: str) -> ReleaseRefused:
    return ReleaseRefused(f"{what}, so it is outside the scope of release request #{req.id} "
                          f"({req.scope_text()}); nothing was released.")


def check_reads(conn, req: ReleaseRequest, read_ids: list[int]) -> None:
    """Refuse a full release holding any read the request does not describe: not one of its
    reads or plates, outside its period, or from a camera it does not name."""
    ids, plates, cams = set(req.read_ids), set(req.plates), set(req.camera_ids)
    rows = conn.execute("SELECT id, plate, read_at, camera_id FROM reads "
                        "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                        (json.dumps(sorted({int(i) for i in read_ids})),)).fetchall()
    for rid, plate, read_at, camera in rows:
        if rid not in ids and plate not in plates:
            raise _outside(req, f"Read #{rid} is neither one of the reads nor of the plates the "
                                "request names")
        if not req.start <= read_at < req.end:
            raise _outside(req, f"Read #{rid} was taken at {utc_iso(read_at)}, outside the "
                                "request's period")
        if cams and camera not in cams:
            raise _outside(req, f"Read #{rid} is from camera {camera}, which the request does not name")


def check_aggregate(req: ReleaseRequest, q: AggregateQuery) -> AggregateQuery:
    """The counts asked for must lie inside the request's period and place; a request that
    names no cameras allows any, one that does narrows the counts to them. Returns the query."""
    q.check()
    if req.plates or req.read_ids:
        raise ReleaseRefused(
            f"Release request #{req.id} asks for particular plates or reads; an aggregate release "
            "counts every plate by place and period, so it cannot be made under this request.")
    if q.start < req.start or q.end > req.end:  # type: ignore[operator]  # a request on file always has its period (required when filed)
        raise _outside(req, f"The period {utc_iso(q.start)} to {utc_iso(q.end)} is not inside the "
                            "request's period")
    if req.camera_ids:
        extra = sorted(set(q.cameras) - set(req.camera_ids))
        if extra:
            raise _outside(req, f"Camera {', '.join(extra)} is not named by the request")
        if not q.cameras:
            q = replace(q, cameras=req.camera_ids)
    return q


def check_rows_cameras(req: ReleaseRequest, cameras: list[str]) -> None:
    """After counting: every counted camera is one the request names (belt and braces)."""
    extra = sorted(set(cameras) - set(req.camera_ids)) if req.camera_ids else []
    if extra:
        raise _outside(req, f"Camera {', '.join(extra)} is not named by the request")


def consume(conn, request_id: int, released_by: str, package: str, now: int) -> None:
    """Mark the request used by this release, in the release's own transaction; a second
    release under it (even one racing this one) is refused."""
    cur = conn.execute("UPDATE release_requests SET status = 'released', released_at = ?, "
                       "released_by = ?, released_package = ? WHERE id = ? AND status = 'approved'",
                       (now, released_by, package, request_id))
    if cur.rowcount != 1:
        raise ReleaseRefused(f"Release request #{request_id} was used by another release meanwhile; "
                             "nothing more may be released on it.")
