"""Written requests for ALPR data from other agencies, and the designee's decision on them.

Calabasas, "Releasing ALPR data": the requesting agency's written request (agency, person
requesting, intended purpose, description of the information) is put on file first, the
designee approves it before anything is released, and the approved request stays on file.
Civil Code § 1798.90.55(b) allows sharing only with public agencies; the profile says which
kinds of public agency get full data and which get counts only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..errors import NotFound, ReleaseRefused, ValidationError
from ..policy import PolicyProfile

AGENCY_TYPES = ("law_enforcement", "prosecutorial", "public_agency", "private", "public", "media")
PUBLIC_AGENCY_TYPES = frozenset({"law_enforcement", "prosecutorial", "public_agency"})
STATUSES = ("pending", "approved", "denied")
FULL, AGGREGATE = "full", "aggregate"


@dataclass(frozen=True)
class ReleaseRequestForm:
    """What the written request says, as entered by staff."""

    agency: str
    agency_type: str
    requester: str
    purpose: str
    description: str
    case_number: str
    received_on: str                  # ISO date the written request arrived


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

    def summary(self) -> str:
        return (f"Request #{self.id} of {self.agency} ({self.agency_type.replace('_', ' ')}), "
                f"requested by {self.requester} on {self.received_on}, their case {self.case_number}: "
                f"{self.purpose}; {self.status}" + (f" by {self.decided_by}" if self.decided_by else ""))


_COLS = ("id, agency, agency_type, requester, purpose, description, case_number, received_on, "
         "entered_by, entered_at, status, decided_by, decided_at, decision_note")


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


def check_form(form: ReleaseRequestForm) -> ReleaseRequestForm:
    """Every element the policy names must be filled in; the date must be a real date."""
    for label, value in (("the name of the agency", form.agency), ("the name of the person requesting",
                         form.requester), ("the intended purpose", form.purpose),
                         ("a description of the requested information", form.description),
                         ("the requesting agency's case number", form.case_number)):
        if not (value or "").strip():
            raise ValidationError(f"A written release request must state {label}.")
    if form.agency_type not in AGENCY_TYPES:
        raise ValidationError(f"The agency type is one of: {', '.join(AGENCY_TYPES)}.")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", form.received_on or ""):
        raise ValidationError("Give the date the written request was received as YYYY-MM-DD.")
    try:
        date.fromisoformat(form.received_on)
    except ValueError:
        raise ValidationError(f"{form.received_on} is not a calendar date.") from None
    return form


def enter(conn, form: ReleaseRequestForm, entered_by: str, now: int) -> int:
    f = check_form(form)
    cur = conn.execute(
        "INSERT INTO release_requests(agency, agency_type, requester, purpose, description, "
        "case_number, received_on, entered_by, entered_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (f.agency.strip(), f.agency_type, f.requester.strip(), f.purpose.strip(),
         f.description.strip(), f.case_number.strip().upper(), f.received_on, entered_by, now))
    return cur.lastrowid


def get(conn, request_id: int) -> ReleaseRequest:
    row = conn.execute(f"SELECT {_COLS} FROM release_requests WHERE id = ?", (request_id,)).fetchone()
    if row is None:
        raise NotFound(f"No release request #{request_id} on file.")
    return ReleaseRequest(*row)


def list_requests(conn, status: str | None = None) -> list[ReleaseRequest]:
    if status is not None and status not in STATUSES:
        raise ValidationError(f"A request's status is one of: {', '.join(STATUSES)}.")
    where, params = ("WHERE status = ?", (status,)) if status else ("", ())
    return [ReleaseRequest(*r) for r in conn.execute(
        f"SELECT {_COLS} FROM release_requests {where} ORDER BY id", params)]


def decide(conn, profile: PolicyProfile, request_id: int, approve: bool, decided_by: str,
           note: str, now: int) -> ReleaseRequest:
    """The designee's decision; an approval the law forbids is refused, a denial always allowed."""
    req = get(conn, request_id)
    if req.status != "pending":
        raise ValidationError(f"Release request #{request_id} was already {req.status}.")
    if not note.strip():
        raise ValidationError("Record the reason for the decision.")
    if approve:
        scope_for(profile, req.agency_type)
    conn.execute("UPDATE release_requests SET status = ?, decided_by = ?, decided_at = ?, "
                 "decision_note = ? WHERE id = ?",
                 ("approved" if approve else "denied", decided_by, now, note.strip(), request_id))
    return get(conn, request_id)


def approved(conn, profile: PolicyProfile, request_id: int, scope: str) -> ReleaseRequest:
    """The request, if it is on file, approved, and allows a release of this scope."""
    req = get(conn, request_id)
    if req.status != "approved":
        raise ReleaseRefused(f"Release request #{request_id} is {req.status}, not approved by the "
                             f"{profile.designee_title}; nothing may be released on it.")
    allowed = scope_for(profile, req.agency_type)
    if scope == FULL and allowed == AGGREGATE:
        raise ReleaseRefused(
            f"{req.agency} is a public agency outside law enforcement: under the {profile.name} it may "
            "receive only counts of plates and hits (an aggregate release), no plates or images.")
    return req
