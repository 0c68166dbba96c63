"""Policy profiles: the agency's ALPR policy turned into settings the engine enforces.

A profile is a TOML file in ``resources/policies/``. It names the roles and what each may
do, the authorised purposes, the case-number format, retention, and the release rules.
Every profile is checked at load against ``profile.schema.json`` (types and ranges: retention
1 day up to what the cited law or policy allows, lock-out after 3-10 failures, idle lock 1-60
minutes, ...) and against the rules between keys; one broken rule refuses the whole profile.
"""
from __future__ import annotations

import functools
import json
import math
import re
import tomllib
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator

from . import timefmt
from .errors import PurposeRequired, ValidationError
from .permissions import ACTIONS

POLICY_DIR = Path(__file__).resolve().parents[2] / "resources" / "policies"

# A purpose must name an offense, ordinance or other concrete category (SB 34 and every
# seed policy restrict use to specific authorised purposes), never a bare catch-all.
_BARE_PURPOSES = {"investigation", "general", "other", "misc", "law enforcement", "research"}
# Civil Code § 1798.90.55(b): ALPR data goes to public agencies only (evidence/release.py).
_PUBLIC_AGENCY_TYPES = frozenset({"law_enforcement", "prosecutorial", "public_agency"})


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    agency: str
    grants: frozenset[str]
    # Coachella Section 3: the contractor "shall not access footage without explicit, written
    # permission": its grants apply only under a valid written permission (oversight/permits.py)
    barred_without_permission: bool = False


@dataclass(frozen=True)
class Purpose:
    code: str
    label: str


@dataclass(frozen=True)
class Disposition:
    """What was done about a hit, as the agency's policy names it, and whether it needs a note
    (the record of why a hit was not acted on must say why)."""

    code: str
    label: str
    note: str                         # "required" or "optional"

    @property
    def note_required(self) -> bool:
        return self.note == "required"


@dataclass(frozen=True)
class ReleaseRules:
    requires_written_request: bool
    requires_designee_approval: bool
    public_agencies_only: bool
    full_data_to: tuple[str, ...]
    aggregate_only_to: tuple[str, ...]


@dataclass(frozen=True)
class BreachRules:
    """The notices a breach of ALPR data calls for (Civil Code § 1798.29, and the policy where it
    says more), how soon each is due and how long the website notice stays up."""

    basis: str
    notices: tuple[str, ...]          # kinds, see oversight/breach.py NOTICE_KINDS
    notice_within_days: int           # due this many days after the breach was found
    website_min_days: int             # a website notice stays posted at least this long
    contact: str                      # who the public may ask (the notice's "For More Information")


@dataclass(frozen=True)
class AuditRules:
    """The audit cycle's schedule and the thresholds of its risk rules (``[audit]``).

    The defaults are the profile's when it has no ``[audit]`` table: a monthly review."""

    review_interval_months: int = 1     # a review is due for each period of this many months
    sample_size: int = 20               # entries drawn at random to check against case files
    burst_searches: int = 15            # this many searches by one user...
    burst_minutes: int = 10             # ...within this many minutes is a burst
    baseline_days: int = 90             # a user's usual hours: their searches in these days
    baseline_min_searches: int = 30     # fewer searches than this give no baseline
    unusual_hour_share: float = 0.02    # an hour holding under this share of them is unusual
    repeat_searches: int = 5            # one plate, one user, this often, no hit, no case activity
    plate_users: int = 3                # one plate searched by this many different users


@dataclass(frozen=True)
class PolicyProfile:
    id: str
    name: str
    agency: str
    policy_reference: str
    statute: str
    retention_days: int
    retention_basis: str
    idle_lock_minutes: int
    lockout_attempts: int
    lockout_minutes: int
    password_max_age_days: int
    totp_roles: tuple[str, ...]
    case_number_pattern: str
    case_number_hint: str
    designee_title: str
    custodian_title: str
    breach_notice: bool
    training_course: str
    release: ReleaseRules
    breach: BreachRules
    roles: dict[str, Role]
    purposes: tuple[Purpose, ...]
    vendor_perfect_read_rate: float | None = None
    time_zone: str = "America/Los_Angeles"      # every time is shown in this zone (timefmt.py)
    speed_unit: str = "mph"                     # "mph" or "km/h"
    plateless_search_max_hours: int = 4     # a search without a plate covers at most this window
    aggregate_min_count: int = 5            # aggregate counts below this show as "fewer than N"
    audit: AuditRules = AuditRules()        # the audit cycle (oversight/)
    # Parking function (revenue, enforcement, occupancy, court) -> the purpose code it needs.
    parking_purposes: tuple[tuple[str, str], ...] = ()
    alert_max_days: int = 30                # a standing alert lasts at most this long (alerts/)
    dispositions: tuple[Disposition, ...] = ()   # what a hit's disposition may be (hits.py)

    def role(self, role_id: str) -> Role:
        try:
            return self.roles[role_id]
        except KeyError:
            raise ValidationError(
                f"The role {role_id!r} is not defined by the {self.name}; roles are: "
                f"{', '.join(self.roles)}."
            ) from None

    def purpose(self, code: str) -> Purpose:
        for p in self.purposes:
            if p.code == code:
                return p
        raise PurposeRequired(
            f"{code!r} is not an authorised purpose under the {self.name}. Pick one of: "
            + "; ".join(f"{p.code} ({p.label})" for p in self.purposes)
        )

    def disposition(self, code: str) -> Disposition:
        for d in self.dispositions:
            if d.code == code:
                return d
        raise ValidationError(
            f"{code!r} is not a disposition under the {self.name}; it is one of: "
            + ", ".join(f"{d.code} ({d.label})" for d in self.dispositions) + ".")

    def check_case_number(self, case_number: str | None) -> str:
        case_number = (case_number or "").strip().upper()
        if not case_number:
            raise PurposeRequired(
                f"A case or incident number is required, for example {self.case_number_hint}."
            )
        if not re.fullmatch(self.case_number_pattern, case_number):
            raise PurposeRequired(
                f"{case_number!r} is not a case or incident number in this agency's format; "
                f"expected {self.case_number_hint}."
            )
        return case_number

    def needs_totp(self, role_id: str) -> bool:
        return "*" in self.totp_roles or role_id in self.totp_roles


def available_profiles() -> list[str]:
    return sorted(p.stem for p in POLICY_DIR.glob("*.toml"))


# -- checking a profile ------------------------------------------------------------------------
SCHEMA_PATH = POLICY_DIR / "profile.schema.json"
_PROFILE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# Strings that are not case numbers: a pattern that accepts any of them would let a search run
# under no real case (the empty string, "X", "0", "N/A", ...).
_NOT_CASE_NUMBERS = ("", " ", "X", "0", "00", "-", ".", "?", "NONE", "N/A", "NA", "UNKNOWN", "TEST",
                     "CASE", "XXXX", "XXXX-XXXX", "0000-0000", "AAAAAAAAAAAAAAAAAAAA")
_RULES = {   # jsonschema keyword -> how a person reads the rule
    "minimum": "must be at least {v}", "maximum": "must be at most {v}",
    "exclusiveMinimum": "must be more than {v}", "exclusiveMaximum": "must be less than {v}",
    "minLength": "must not be empty", "maxLength": "must be at most {v} characters",
    "minItems": "must list at least {v}", "minProperties": "must define at least {v}",
    "uniqueItems": "must not repeat an entry", "pattern": "must match {v}",
}


@functools.cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["$defs"]["action"] = {"enum": sorted(ACTIONS)}      # what the engine knows
    Draft202012Validator.check_schema(schema)
    return schema


def _key(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the whole file)"


def _sentence(err: jsonschema.ValidationError) -> str:
    """One schema error as 'key: what is wrong (rule)'."""
    key, value, rule = _key(err.absolute_path), err.instance, err.validator
    want = err.validator_value
    if rule == "required":
        missing = [k for k in want if k not in value]
        return f"{_key([*err.absolute_path, missing[0]])}: is missing (rule: required key)"
    if rule == "additionalProperties":
        known = set(err.schema.get("properties", {}))
        extra = sorted(k for k in value if k not in known)
        return f"{_key([*err.absolute_path, extra[0]])}: is not a key of a policy profile (rule: no unknown keys)"
    if rule == "type":
        article = "an" if str(want)[:1] in "aeiou" else "a"
        return f"{key} = {_show(value)}: must be {article} {want} (rule: type {want})"
    if rule == "enum":
        return f"{key} = {_show(value)}: must be one of {', '.join(map(str, want))} (rule: enum)"
    if "propertyNames" in err.schema_path:
        return (f"{key}: the name {_show(value)} must be lower-case letters, digits or _ "
                "(rule: propertyNames)")
    if rule == "pattern" and want == r"\S":
        return f"{key} = {_show(value)}: must not be blank (rule: text)"
    text = _RULES.get(str(rule), "is not allowed").format(v=want)
    shown = "" if isinstance(want, bool) else f" {want}"
    return f"{key} = {_show(value)}: {text} (rule: {rule}{shown})"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _non_finite(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Where the profile has nan or inf (TOML allows both; no setting may be either)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield path
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _non_finite(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _non_finite(v, (*path, i))


def _at(raw: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        raw = raw[part]
    return raw


def _case_pattern_errors(raw: dict[str, Any]) -> Iterator[str]:
    pattern, hint = raw["case_number_pattern"], raw["case_number_hint"]
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        yield f"case_number_pattern = {_show(pattern)}: must be a regular expression that compiles ({exc}) (rule: compiles)"
        return
    loose = [s for s in _NOT_CASE_NUMBERS if compiled.fullmatch(s)]
    if loose:
        what = "the empty string" if loose[0] == "" else repr(loose[0])
        yield (f"case_number_pattern = {_show(pattern)}: must not accept {what}, which is no case number "
               "(rule: a case-number pattern may not match everything)")
    elif not any(compiled.fullmatch(tok.strip(",;:()[]\"'").upper()) for tok in hint.split()):
        yield (f"case_number_hint = {_show(hint)}: must show an example that case_number_pattern accepts "
               "(rule: the hint matches the pattern)")


def _cross_errors(raw: dict[str, Any], profile_id: str) -> Iterator[str]:
    """The rules a schema cannot state: between keys, and against the engine."""
    if raw["id"] != profile_id:
        yield f"id = {_show(raw['id'])}: must be the file's name, {profile_id!r} (rule: id is the file name)"
    if raw["retention_days"] > raw["retention_max_days"]:
        yield (f"retention_days = {raw['retention_days']}: must be at most retention_max_days = "
               f"{raw['retention_max_days']}, the longest the law or policy allows (rule: retention within the law)")
    yield from _case_pattern_errors(raw)
    if "time_zone" in raw:
        try:
            zoneinfo.ZoneInfo(raw["time_zone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            yield f"time_zone = {_show(raw['time_zone'])}: must be an IANA time zone (rule: known zone)"
    for i, role in enumerate(raw["totp_roles"]):
        if role != "*" and role not in raw["roles"]:
            yield f"totp_roles[{i}] = {role!r}: must be '*' or a role the profile defines (rule: known role)"
    codes = [p["code"] for p in raw["purposes"]]
    for i, p in enumerate(raw["purposes"]):
        if codes.index(p["code"]) != i:
            yield f"purposes[{i}].code = {p['code']!r}: must not repeat another purpose's code (rule: unique code)"
        if p["label"].strip().lower() in _BARE_PURPOSES or p["code"].lower() in _BARE_PURPOSES:
            yield (f"purposes[{i}] {p['code']!r}: must name a concrete offense or category, not a bare "
                   "catch-all (rule: no catch-all purpose)")
    kinds = [d["code"] for d in raw["dispositions"]]
    for i, d in enumerate(raw["dispositions"]):
        if kinds.index(d["code"]) != i:
            yield f"dispositions[{i}].code = {d['code']!r}: must not repeat another disposition's code (rule: unique code)"
    for role_id, role in raw["roles"].items():
        if role.get("barred_without_permission") and "permission_grant" in role["grants"]:
            yield (f"roles.{role_id}.grants: a role barred without written permission must not hold "
                   "permission_grant (rule: nobody permits themselves)")
    if any(r.get("barred_without_permission") for r in raw["roles"].values()) and not any(
            "permission_grant" in r["grants"] for r in raw["roles"].values()):
        yield ("roles: a role is barred without written permission but no role holds permission_grant "
               "(rule: someone can give the permission)")
    for function, code in raw.get("parking", {}).items():
        if code not in codes:
            yield f"parking.{function} = {code!r}: must be one of the profile's purpose codes (rule: known purpose)"
    rel = raw["release"]
    if rel["public_agencies_only"]:
        for key in ("full_data_to", "aggregate_only_to"):
            for i, kind in enumerate(rel[key]):
                if kind not in _PUBLIC_AGENCY_TYPES:
                    yield (f"release.{key}[{i}] = {kind!r}: must be a public agency type while "
                           "public_agencies_only is true (rule: Civil Code § 1798.90.55(b))")


def check_profile(raw: Any, profile_id: str) -> list[str]:
    """Every rule a profile breaks, one line each ('key = value: problem (rule: ...)')."""
    schema_errors = sorted(Draft202012Validator(_schema()).iter_errors(raw),
                           key=lambda e: [str(p) for p in e.absolute_path])
    bad_numbers = list(_non_finite(raw))
    problems = [f"{_key(path)} = {_show(_at(raw, path))}: must be a finite number (rule: finite)"
                for path in bad_numbers]
    problems += [_sentence(e) for e in schema_errors if tuple(e.absolute_path) not in bad_numbers]
    if not problems:                      # the cross checks need the shape the schema guarantees
        problems = list(_cross_errors(raw, profile_id))
    return problems


def load_profile(profile_id: str, directory: Path = POLICY_DIR) -> PolicyProfile:
    """Read and check one profile; a malformed profile is refused, never half-applied.

    Every key is checked against ``profile.schema.json`` and the cross-key rules above; the
    refusal names the file, each key and the rule it breaks."""
    if not isinstance(profile_id, str) or not _PROFILE_ID.fullmatch(profile_id):
        raise ValidationError(f"{str(profile_id)[:60]!r} is not the name of a policy profile; available: "
                              f"{', '.join(available_profiles())}.")
    path = Path(directory) / f"{profile_id}.toml"
    if not path.is_file():
        raise ValidationError(
            f"No policy profile {profile_id!r}; available: {', '.join(available_profiles())}."
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValidationError(f"The policy profile {path} is not UTF-8 text; it was not loaded.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"The policy profile {path} is not valid TOML ({exc}); it was not loaded.") from None
    except OSError as exc:
        raise ValidationError(f"The policy profile {path} cannot be read ({exc.strerror or exc}).") from None
    problems = check_profile(raw, profile_id)
    if problems:
        raise ValidationError(f"The policy profile {path} is refused: " + "; ".join(problems) + ".")
    return _build(raw)


def _build(raw: dict[str, Any]) -> PolicyProfile:
    roles = {role_id: Role(role_id, r["title"], r["agency"], frozenset(r["grants"]),
                           bool(r.get("barred_without_permission", False)))
             for role_id, r in raw["roles"].items()}
    rel, br = raw["release"], raw["breach"]
    return PolicyProfile(
        id=raw["id"], name=raw["name"], agency=raw["agency"],
        policy_reference=raw["policy_reference"], statute=raw["statute"],
        retention_days=int(raw["retention_days"]), retention_basis=raw["retention_basis"],
        idle_lock_minutes=int(raw["idle_lock_minutes"]),
        lockout_attempts=int(raw["lockout_attempts"]), lockout_minutes=int(raw["lockout_minutes"]),
        password_max_age_days=int(raw["password_max_age_days"]),
        totp_roles=tuple(raw["totp_roles"]), case_number_pattern=raw["case_number_pattern"],
        case_number_hint=raw["case_number_hint"], designee_title=raw["designee_title"],
        custodian_title=raw["custodian_title"], breach_notice=raw["breach_notice"],
        training_course=raw["training_course"],
        release=ReleaseRules(
            requires_written_request=rel["requires_written_request"],
            requires_designee_approval=rel["requires_designee_approval"],
            public_agencies_only=rel["public_agencies_only"],
            full_data_to=tuple(rel["full_data_to"]),
            aggregate_only_to=tuple(rel["aggregate_only_to"]),
        ),
        breach=BreachRules(basis=br["basis"], notices=tuple(br["notices"]),
                           notice_within_days=int(br["notice_within_days"]),
                           website_min_days=int(br["website_min_days"]), contact=br["contact"]),
        roles=roles, purposes=tuple(Purpose(p["code"], p["label"]) for p in raw["purposes"]),
        vendor_perfect_read_rate=raw.get("vendor_perfect_read_rate"),
        time_zone=timefmt.zone(raw.get("time_zone", timefmt.DEFAULT_TIME_ZONE)).key,
        speed_unit=timefmt.check_speed_unit(raw.get("speed_unit", "mph")),
        plateless_search_max_hours=int(raw.get("plateless_search_max_hours", 4)),
        aggregate_min_count=int(raw.get("aggregate_min_count", 5)),
        audit=AuditRules(**raw.get("audit", {})),
        parking_purposes=tuple(sorted(raw.get("parking", {}).items())),
        alert_max_days=int(raw.get("alert_max_days", 30)),
        dispositions=tuple(Disposition(d["code"], d["label"], d["note"]) for d in raw["dispositions"]),
    )
