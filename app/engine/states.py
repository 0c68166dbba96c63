"""The issuing jurisdiction of a plate: a two-letter code, or unknown (``None``).

A plate is a plate *and* a state: 8ABC123 in California is another vehicle than 8ABC123 in
Nevada. Cameras' sidecars name the state as a code ("NV") or as the name printed on the plate
("Nevada"); both come out here as the code. A camera that could not read the state leaves it
unknown, and an unknown state is kept as ``None`` rather than guessed, so a hit on it can say
"state unknown" instead of pretending to agree.
"""
from __future__ import annotations

from .errors import ValidationError

NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands", "GV": "U.S. Government", "BC": "British Columbia",
    "AB": "Alberta", "ON": "Ontario", "QC": "Quebec", "MX": "Mexico",
}
_BY_NAME = {name.upper(): code for code, name in NAMES.items()}
UNKNOWN_WORDS = frozenset({"", "UNKNOWN", "UNK", "??", "XX"})
UNKNOWN_TEXT = "state unknown"


def code(value: object) -> str | None:
    """The two-letter code of ``value`` (a code or a name, any case); ``None`` for unknown.

    Raises ValidationError for text that names no jurisdiction we know: a typo must not
    silently become "unknown", which would match every state."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("Give the plate's state as a two-letter code such as CA, or leave "
                              "it empty for unknown.")
    text = " ".join(value.split()).upper()
    if text in UNKNOWN_WORDS:
        return None
    if text in NAMES:
        return text
    if text in _BY_NAME:
        return _BY_NAME[text]
    raise ValidationError(f"{value[:40]!r} is not a state: give a two-letter code such as CA or "
                          "NV, or leave it empty for unknown.")


def shown(state: str | None) -> str:
    """The state as a cell shows it: the code, or a dash for unknown."""
    return state or "—"

