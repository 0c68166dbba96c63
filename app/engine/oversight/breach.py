"""A breach of security of ALPR data: the incident, what it exposed, who used it, the notices.

Civil Code § 1798.29 counts ALPR data as personal information, so a breach calls for notice;
the profile's ``[breach]`` table says which notices (Coachella, Section 11: a website notice
kept up at least 30 days, major statewide media, the Office of Information Security), when
they are due and the contact they give. The designee records the incident: what happened,
when it was found, the period the data may have been exposed, and the medium: an evidence
package (its folder name) or this workstation's store. The access log then says what the
medium held and who accessed what in that period (:func:`assess`); the notices are produced
as PDFs (``notices_pdf.py``), each logged before its file is written, and their completion
(sent, posted, taken down no earlier than the minimum) is recorded, each step logged.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from .. import accesslog, timefmt
from ..errors import NotFound, ValidationError

NOTICE_KINDS = {
    "website": "Notice on the agency's website",
    "statewide_media": "Notice to major statewide media",
    "office_of_information_security": "Letter to the Office of Information Security, "
                                      "California Department of Technology",
}
MEDIA = ("package", "store")


@dataclass(frozen=True)
class IncidentForm:
    what: str                         # what happened, in the designee's words
    found_at: int                     # when the breach was found (Unix seconds UTC)
    window_start: int                 # the period the data may have been exposed
    window_end: int
    medium_kind: str                  # "package" (a package on portable media) or "store"
    medium: str = ""                  # the package's folder name (the store: its own id)


@dataclass(frozen=True)
class Incident:
    id: int
    what: str
    found_at: int
    window_start: int
    window_end: int
    medium_kind: str
    medium: str
    recorded_by: str
    recorded_at: int

    def medium_text(self) -> str:
        if self.medium_kind == "package":
            return f"evidence package {self.medium} (portable media)"
        return "the ALPR workstation's encrypted store"


@dataclass(frozen=True)
class Notice:
    id: int
    incident_id: int
    kind: str
    due_at: int
    produced_at: int | None
    produced_by: str | None
    file_path: str | None
    done_on: str | None               # the date it was posted or sent
    done_by: str | None
    keep_until: str | None            # a website notice: stays up at least until this date
    removed_on: str | None

    @property
    def title(self) -> str:
        return NOTICE_KINDS[self.kind]

    def state(self, now: float, tz) -> str:
        """Where the notice stands, in a few words, against its deadline."""
        due = timefmt.local(self.due_at, tz).date()
        if self.done_on is None:
            late = "OVERDUE since" if now > self.due_at else "due by"
            made = "; PDF produced" if self.produced_at else ""
            return f"{late} {due.isoformat()}{made}"
        late = " (after its deadline)" if date.fromisoformat(self.done_on) > due else ""
        if self.kind != "website":
            return f"sent {self.done_on}{late}"
        if self.removed_on:
            return f"posted {self.done_on}{late}, taken down {self.removed_on}"
        return f"posted {self.done_on}{late}; stays up at least until {self.keep_until}"


@dataclass(frozen=True)
class Held:
    """What the breached medium held, from the store and the access log."""

    reads: int
    read_ids: tuple[int, ...]         # a package: the reads its export entries name
    cameras: tuple[str, ...]
    first_read_at: int | None
    last_read_at: int | None
    export_entries: tuple[int, ...]   # a package: the access-log entries naming it (seq)


@dataclass(frozen=True)
class Access:
    """One person's use of ALPR data in the breach window: action, entries, reads touched."""

    username: str
    role: str
    action: str
    entries: int
    reads: int


@dataclass(frozen=True)
class Assessment:
    incident: Incident
    held: Held
    accesses: tuple[Access, ...]


_INCIDENT = ("id, what, found_at, window_start, window_end, medium_kind, medium, recorded_by, "
             "recorded_at")
_NOTICE = ("id, incident_id, kind, due_at, produced_at, produced_by, file_path, done_on, done_by, "
           "keep_until, removed_on")
PACKAGE_ACTIONS = ("export_started", "export", "release_aggregate")


def _package_entries(conn, name: str) -> list[tuple[int, str]]:
    """(seq, result_ids) of the access-log entries naming the package."""
    return conn.execute(
        "SELECT seq, result_ids FROM access_log WHERE action IN (?, ?, ?) AND "
        "json_extract(detail, '$.package') = ? ORDER BY seq", (*PACKAGE_ACTIONS, name)).fetchall()


def check_form(conn, form: IncidentForm, store_id: str, now: float) -> IncidentForm:
    if not (form.what or "").strip():
        raise ValidationError("Say what happened (what was lost, exposed or accessed, and how).")
    if form.medium_kind not in MEDIA:
        raise ValidationError("The breached medium is an evidence package or this workstation's store.")
    try:
        found, start, end = int(form.found_at), int(form.window_start), int(form.window_end)
    except (TypeError, ValueError):
        raise ValidationError("The times of an incident are times.") from None
    if end <= start:
        raise ValidationError("The period of exposure must end after it starts.")
    if found > now:
        raise ValidationError("The breach cannot have been found in the future.")
    medium = store_id
    if form.medium_kind == "package":
        medium = (form.medium or "").strip()
        if not medium or not _package_entries(conn, medium):
            raise NotFound(f"No export in the access log names a package {medium!r}; give the "
                           "package's folder name as its custody form shows it.")
    return IncidentForm(form.what.strip(), found, start, end, form.medium_kind, medium)


def record(conn, f: IncidentForm, notices: tuple[str, ...], within_days: int, by: str,
           now: int) -> int:
    """The incident and one notice of each kind the profile requires, each with its deadline."""
    incident = conn.execute(
        "INSERT INTO breach_incidents(what, found_at, window_start, window_end, medium_kind, medium, "
        "recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?)",
        (f.what, f.found_at, f.window_start, f.window_end, f.medium_kind, f.medium, by, now)).lastrowid
    conn.executemany("INSERT INTO breach_notices(incident_id, kind, due_at) VALUES (?,?,?)",
                     [(incident, kind, f.found_at + within_days * 86400) for kind in notices])
    return incident


def incident(conn, incident_id: int) -> Incident:
    row = conn.execute(f"SELECT {_INCIDENT} FROM breach_incidents WHERE id = ?", (incident_id,)).fetchone()
    if row is None:
        raise NotFound(f"No breach incident #{incident_id} on file.")
    return Incident(*row)


def incidents(conn) -> list[Incident]:
    return [Incident(*r) for r in conn.execute(f"SELECT {_INCIDENT} FROM breach_incidents ORDER BY id")]


def notices(conn, incident_id: int) -> list[Notice]:
    return [Notice(*r) for r in conn.execute(
        f"SELECT {_NOTICE} FROM breach_notices WHERE incident_id = ? ORDER BY id", (incident_id,))]


def notice(conn, notice_id: int) -> Notice:
    row = conn.execute(f"SELECT {_NOTICE} FROM breach_notices WHERE id = ?", (notice_id,)).fetchone()
    if row is None:
        raise NotFound(f"No breach notice #{notice_id} on file.")
    return Notice(*row)


def held(conn, inc: Incident, retention_days: int) -> Held:
    """A package: the reads its export entries name. The store: the reads it held in the window
    (taken before the window's end and not yet past retention at its start)."""
    if inc.medium_kind == "package":
        entries = _package_entries(conn, inc.medium)
        ids = sorted({i for _seq, r in entries for i in json.loads(r)})
        where, params = "id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
        seqs = tuple(seq for seq, _r in entries)
    else:
        where = "read_at < ? AND read_at >= ?"
        params = (inc.window_end, inc.window_start - retention_days * 86400)  # type: ignore[assignment]
        ids, seqs = [], ()
    count, first, last = conn.execute(f"SELECT count(*), min(read_at), max(read_at) FROM reads "
                                      f"WHERE {where}", params).fetchone()
    cams = tuple(r[0] for r in conn.execute(f"SELECT DISTINCT camera_id FROM reads WHERE {where} "
                                            "ORDER BY camera_id", params))
    return Held(len(ids) if ids else count, tuple(ids), cams, first, last, seqs)


def accesses(conn, inc: Incident) -> tuple[Access, ...]:
    """Who did what in the window, by person and action, with the reads each touched."""
    start, end = accesslog.utc_now_iso(inc.window_start), accesslog.utc_now_iso(inc.window_end)
    return tuple(Access(*r) for r in conn.execute(
        "SELECT username, role, action, count(*), sum(json_array_length(result_ids)) FROM access_log "
        "WHERE ts >= ? AND ts < ? AND username <> 'system' GROUP BY username, role, action "
        "ORDER BY username, action", (start, end)))


def produced(conn, notice_id: int, path: str, by: str, now: int) -> None:
    conn.execute("UPDATE breach_notices SET produced_at = ?, produced_by = ?, file_path = ? WHERE id = ?",
                 (now, by, path, notice_id))


def complete(conn, notice_id: int, done_on: str, by: str, min_days: int) -> Notice:
    """Record the date a notice was sent or posted (a website notice: and its earliest removal)."""
    n = notice(conn, notice_id)
    if n.done_on is not None:
        raise ValidationError(f"Notice #{notice_id} was already recorded as done on {n.done_on}.")
    day = _date(done_on)
    keep = (day + timedelta(days=min_days)).isoformat() if n.kind == "website" else None
    conn.execute("UPDATE breach_notices SET done_on = ?, done_by = ?, keep_until = ? WHERE id = ?",
                 (day.isoformat(), by, keep, notice_id))
    return notice(conn, notice_id)


def removed(conn, notice_id: int, removed_on: str, min_days: int) -> Notice:
    """The website notice was taken down: never before it has been up ``min_days`` days."""
    n = notice(conn, notice_id)
    if n.kind != "website":
        raise ValidationError(f"Notice #{notice_id} is not a website notice; only those are taken down.")
    if n.done_on is None or n.keep_until is None:
        raise ValidationError(f"Website notice #{notice_id} was never recorded as posted.")
    if n.removed_on is not None:
        raise ValidationError(f"Website notice #{notice_id} was already taken down on {n.removed_on}.")
    day = _date(removed_on)
    if day < date.fromisoformat(n.keep_until):
        raise ValidationError(f"The website notice must stay up at least {min_days} days (Civil Code "
                              f"§ 1798.29(i)(3)(B)): it was posted on {n.done_on}, so not before "
                              f"{n.keep_until}.")
    conn.execute("UPDATE breach_notices SET removed_on = ? WHERE id = ?", (day.isoformat(), notice_id))
    return notice(conn, notice_id)


def _date(text: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError(f"{text!r} is not a date; give it as YYYY-MM-DD.") from None
