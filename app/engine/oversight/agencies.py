"""The register of agencies ALPR data may be released to (Civil Code § 1798.90.55(b)).

A release request names an entry of this register, never free text, so the designee decides
once, on the record, who an agency is: its type, its level of government, its state, the
agreement or memorandum of understanding on file and a contact. The register refuses an agency
the law bars (private, out-of-state, federal), and because an entry can change after a request
was entered, a request records the entry's version: an approval or a release on an entry that
changed since, or that was retired, is refused (``release.py`` asks :func:`usable`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..errors import NotFound, ReleaseRefused, ValidationError

AGENCY_TYPES = ("law_enforcement", "prosecutorial", "public_agency", "private", "public", "media")
PUBLIC_AGENCY_TYPES = frozenset({"law_enforcement", "prosecutorial", "public_agency"})
LEVELS = ("local", "state", "federal")      # local: a city, county, city and county or district
HOME_STATE = "CA"
RULE = ("Civil Code § 1798.90.55(b): \u201cA public agency shall not sell, share, or transfer ALPR "
        "information, except to another public agency\u201d, and a public agency is the state or a "
        "city, county or other agency or political subdivision of it (§ 1798.90.5(f)); the Attorney "
        "General's Information Bulletin 2023-DLE-06 reads this as California agencies only, never "
        "out-of-state or federal agencies")


@dataclass(frozen=True)
class AgencyForm:
    """What the designee records about an agency."""

    name: str
    agency_type: str
    level: str
    state: str                        # two-letter postal code of the agency's state
    agreement: str                    # the agreement or MOU on file (its reference)
    contact: str                      # who at the agency signs requests or receives data


@dataclass(frozen=True)
class Agency:
    id: int
    name: str
    agency_type: str
    level: str | None                 # None: made from a request entered before the register
    state: str | None
    agreement: str
    contact: str
    version: int                      # +1 at every edit; requests record the one they were made on
    created_by: str
    created_at: int
    updated_by: str
    updated_at: int
    retired_at: int | None = None
    retired_by: str | None = None
    retire_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None

    def summary(self) -> str:
        where = f"{self.level or 'level not recorded'}, {self.state or 'state not recorded'}"
        state = "" if self.active else f"; retired ({self.retire_reason})"
        return (f"#{self.id} {self.name} ({self.agency_type.replace('_', ' ')}; {where}); agreement: "
                f"{self.agreement or 'none recorded'}; contact: {self.contact or 'none recorded'}{state}")


_COLS = ("id, name, agency_type, level, state, agreement, contact, version, created_by, created_at, "
         "updated_by, updated_at, retired_at, retired_by, retire_reason")


def refusal(agency_type: str, level: str | None, state: str | None) -> str | None:
    """Why the law bars releases to such an agency, or None when it allows them."""
    if agency_type not in PUBLIC_AGENCY_TYPES:
        return f"a {agency_type.replace('_', ' ')} recipient is not a public agency"
    if level is None or state is None:
        return ("its level of government and state are not recorded (the entry was made from a "
                "request entered before the register); the designee records them first")
    if level == "federal":
        return "it is a federal agency"
    if state != HOME_STATE:
        return f"it is an agency of {state}, not of California"
    return None


def check_form(form: AgencyForm) -> AgencyForm:
    """Every field filled in, known values, and an agency the law allows releases to."""
    for label, value in (("the agency's name", form.name), ("the agreement or MOU on file (its "
                         "reference, or 'written request only')", form.agreement),
                         ("a contact at the agency", form.contact)):
        if not (value or "").strip():
            raise ValidationError(f"A register entry must state {label}.")
    if form.agency_type not in AGENCY_TYPES:
        raise ValidationError(f"The agency type is one of: {', '.join(AGENCY_TYPES)}.")
    if form.level not in LEVELS:
        raise ValidationError(f"The level of government is one of: {', '.join(LEVELS)}.")
    state = (form.state or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", state):
        raise ValidationError("Give the agency's state as its two-letter postal code (CA, NV, ...).")
    why = refusal(form.agency_type, form.level, state)
    if why:
        raise ReleaseRefused(f"{form.name.strip()} cannot be put in the register: {why}. {RULE}.")
    return replace(form, name=" ".join(form.name.split()), state=state,
                   agreement=form.agreement.strip(), contact=form.contact.strip())


def _clash(conn, name: str, agency_id: int = 0) -> None:
    row = conn.execute("SELECT id FROM agencies WHERE name = ? COLLATE NOCASE AND retired_at IS NULL "
                       "AND id <> ?", (name, agency_id)).fetchone()
    if row:
        raise ValidationError(f"The register already has {name} (entry #{row[0]}); edit that entry.")


def add(conn, form: AgencyForm, by: str, now: int) -> int:
    f = check_form(form)
    _clash(conn, f.name)
    return conn.execute(
        "INSERT INTO agencies(name, agency_type, level, state, agreement, contact, created_by, "
        "created_at, updated_by, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (f.name, f.agency_type, f.level, f.state, f.agreement, f.contact, by, now, by, now)).lastrowid


def edit(conn, agency_id: int, form: AgencyForm, by: str, now: int) -> Agency:
    """A new version of the entry; requests made on the old one can no longer be released."""
    old = get(conn, agency_id)
    if not old.active:
        raise ValidationError(f"Register entry #{agency_id} ({old.name}) is retired; add a new entry.")
    f = check_form(form)
    _clash(conn, f.name, agency_id)
    conn.execute("UPDATE agencies SET name = ?, agency_type = ?, level = ?, state = ?, agreement = ?, "
                 "contact = ?, version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?",
                 (f.name, f.agency_type, f.level, f.state, f.agreement, f.contact, by, now, agency_id))
    return get(conn, agency_id)


def retire(conn, agency_id: int, reason: str, by: str, now: int) -> Agency:
    old = get(conn, agency_id)
    if not old.active:
        raise ValidationError(f"Register entry #{agency_id} ({old.name}) was already retired.")
    if not reason.strip():
        raise ValidationError("Record why the entry is retired (agreement ended, agency merged, ...).")
    conn.execute("UPDATE agencies SET retired_at = ?, retired_by = ?, retire_reason = ? WHERE id = ?",
                 (now, by, reason.strip(), agency_id))
    return get(conn, agency_id)


def get(conn, agency_id: int) -> Agency:
    row = conn.execute(f"SELECT {_COLS} FROM agencies WHERE id = ?", (agency_id,)).fetchone()
    if row is None:
        raise NotFound(f"No agency #{agency_id} in the register; pick one from the register's list.")
    return Agency(*row)


def list_agencies(conn, include_retired: bool = False) -> list[Agency]:
    where = "" if include_retired else "WHERE retired_at IS NULL"
    return [Agency(*r) for r in conn.execute(f"SELECT {_COLS} FROM agencies {where} ORDER BY name, id")]


def usable(conn, agency_id: int | None, version: int | None = None) -> Agency:
    """The entry a request names, if data may go to it now: active, lawful, and (given the
    ``version`` a request was made or approved on) unchanged since."""
    if agency_id is None:
        raise ReleaseRefused("The request names no agency of the register; enter it again, picking "
                             "the agency from the register.")
    a = get(conn, agency_id)
    if not a.active:
        raise ReleaseRefused(f"Register entry #{a.id} ({a.name}) was retired ({a.retire_reason}); "
                             "nothing may be requested for or released to it.")
    if version is not None and a.version != version:
        raise ReleaseRefused(f"Register entry #{a.id} ({a.name}) was changed after the request was "
                             f"made on it (version {version}, now {a.version}); enter a new request "
                             "so the designee decides on the entry as it stands.")
    why = refusal(a.agency_type, a.level, a.state)
    if why:
        raise ReleaseRefused(f"Nothing may be released to {a.name} (register entry #{a.id}): {why}. "
                             f"{RULE}.")
    return a


class AgencyRegister:
    """``ws.agencies``: the designee keeps the register; whoever files or decides requests reads it.
    Every change is logged; an entry the law bars is refused and the refusal logged."""

    def __init__(self, ws) -> None:
        self.ws = ws

    def _change(self, session, action: str, work, query: dict) -> Agency:
        ws = self.ws
        ws.guard(session, "agency_register", need_purpose=False)
        try:
            return ws.logged(session, action, work, query=query, purpose=False,
                             detail=lambda a: {"agency_id": a.id, "version": a.version,
                                               "entry": a.summary()})
        except ReleaseRefused as exc:
            ws.log(session.actor, "denied", detail={"action": action, **query, "reason": str(exc)})
            raise

    def add(self, session, form: AgencyForm) -> Agency:
        now, by = int(self.ws.clock()), session.user.username
        return self._change(session, "agency_add", lambda conn: get(conn, add(conn, form, by, now)),
                            {"name": form.name, "state": form.state, "level": form.level})

    def edit(self, session, agency_id: int, form: AgencyForm) -> Agency:
        now, by = int(self.ws.clock()), session.user.username
        return self._change(session, "agency_edit", lambda conn: edit(conn, agency_id, form, by, now),
                            {"agency_id": agency_id, "name": form.name, "state": form.state,
                             "level": form.level})

    def retire(self, session, agency_id: int, reason: str) -> Agency:
        now, by = int(self.ws.clock()), session.user.username
        return self._change(session, "agency_retire",
                            lambda conn: retire(conn, agency_id, reason, by, now),
                            {"agency_id": agency_id, "reason": reason})

    def entries(self, session, include_retired: bool = False) -> list[Agency]:
        """The register, for the designee and for whoever enters or decides requests."""
        grants = self.ws.profile.role(session.user.role).grants
        action = next((a for a in ("agency_register", "release_request", "release_approve")
                       if a in grants), "agency_register")
        self.ws.guard(session, action, need_purpose=False)
        with self.ws.store.reading() as conn:
            return list_agencies(conn, include_retired)
