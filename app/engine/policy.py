"""Policy profiles: the agency's ALPR policy turned into settings the engine enforces.

A profile is a TOML file in ``resources/policies/``. It names the roles and what each may
do, the authorised purposes, the case-number format, retention, and the release rules.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import timefmt
from .errors import PurposeRequired, ValidationError
from .permissions import ACTIONS

POLICY_DIR = Path(__file__).resolve().parents[2] / "resources" / "policies"

# A purpose must name an offense, ordinance or other concrete category (SB 34 and every
# seed policy restrict use to specific authorised purposes), never a bare catch-all.
_BARE_PURPOSES = {"investigation", "general", "other", "misc", "law enforcement", "research"}


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    agency: str
    grants: frozenset[str]


@dataclass(frozen=True)
class Purpose:
    code: str
    label: str


@dataclass(frozen=True)
class ReleaseRules:
    requires_written_request: bool
    requires_designee_approval: bool
    public_agencies_only: bool
    full_data_to: tuple[str, ...]
    aggregate_only_to: tuple[str, ...]


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
    roles: dict[str, Role]
    purposes: tuple[Purpose, ...]
    vendor_perfect_read_rate: float | None = None
    time_zone: str = "America/Los_Angeles"      # every time is shown in this zone (timefmt.py)
    speed_unit: str = "mph"                     # "mph" or "km/h"

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


def load_profile(profile_id: str, directory: Path = POLICY_DIR) -> PolicyProfile:
    """Read and check one profile; a malformed profile is refused, never half-applied."""
    path = directory / f"{profile_id}.toml"
    if not path.exists():
        raise ValidationError(
            f"No policy profile {profile_id!r}; available: {', '.join(available_profiles())}."
        )
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    roles = {}
    for role_id, r in raw["roles"].items():
        unknown = set(r["grants"]) - ACTIONS
        if unknown:
            raise ValidationError(f"Profile {profile_id}: role {role_id} grants unknown actions {sorted(unknown)}.")
        roles[role_id] = Role(role_id, r["title"], r["agency"], frozenset(r["grants"]))
    purposes = tuple(Purpose(p["code"], p["label"]) for p in raw["purposes"])
    for p in purposes:
        if p.label.strip().lower() in _BARE_PURPOSES or p.code.lower() in _BARE_PURPOSES:
            raise ValidationError(f"Profile {profile_id}: purpose {p.code!r} is a bare catch-all.")
    rel = raw["release"]
    re.compile(raw["case_number_pattern"])
    return PolicyProfile(
        id=raw["id"], name=raw["name"], agency=raw["agency"],
        policy_reference=raw["policy_reference"], statute=raw["statute"],
        retention_days=int(raw["retention_days"]), retention_basis=raw["retention_basis"],
        idle_lock_minutes=int(raw["idle_lock_minutes"]),
        lockout_attempts=int(raw["lockout_attempts"]), lockout_minutes=int(raw["lockout_minutes"]),
        password_max_age_days=int(raw["password_max_age_days"]),
        totp_roles=tuple(raw["totp_roles"]), case_number_pattern=raw["case_number_pattern"],
        case_number_hint=raw["case_number_hint"], designee_title=raw["designee_title"],
        custodian_title=raw["custodian_title"], breach_notice=bool(raw["breach_notice"]),
        training_course=raw["training_course"],
        release=ReleaseRules(
            requires_written_request=bool(rel["requires_written_request"]),
            requires_designee_approval=bool(rel["requires_designee_approval"]),
            public_agencies_only=bool(rel["public_agencies_only"]),
            full_data_to=tuple(rel["full_data_to"]),
            aggregate_only_to=tuple(rel["aggregate_only_to"]),
        ),
        roles=roles, purposes=purposes,
        vendor_perfect_read_rate=raw.get("vendor_perfect_read_rate"),
        time_zone=timefmt.zone(raw.get("time_zone", timefmt.DEFAULT_TIME_ZONE)).key,
        speed_unit=timefmt.check_speed_unit(raw.get("speed_unit", "mph")),
    )
