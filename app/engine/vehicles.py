"""Vehicle details a camera's vendor may send with a read: make, colour and body type.

We recognise no vehicles ourselves; these are the vendor's words, kept as optional text so an
investigator can narrow "a white pickup" to the reads the camera described that way. Each is
bounded and one line, checked at the camera drop (``app/server/drop_files.py``) and again at
sync, since the city server is another program's data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

FIELDS = ("vehicle_make", "vehicle_color", "vehicle_body")
WORDS = {"vehicle_make": "make", "vehicle_color": "colour", "vehicle_body": "body type"}
MAX_LENGTH = 40                 # "Mercedes-Benz Sprinter" is 22; a sentence is not a make
TEXT_RE = re.compile("[^\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]{1,%d}" % MAX_LENGTH)


@dataclass(frozen=True)
class Vehicle:
    """What the vendor said about the vehicle; ``None`` where it said nothing."""

    make: str | None = None
    color: str | None = None
    body: str | None = None

    def text(self) -> str:
        """One line for a cell or a report: "Toyota, white, pickup"; "" when nothing is known."""
        return ", ".join(v for v in (self.make, self.color, self.body) if v)


def is_valid(value: object) -> bool:
    """A stored vehicle field: None, or one line of 1 to MAX_LENGTH printable characters."""
    return value is None or (type(value) is str and TEXT_RE.fullmatch(value) is not None)


def normalize(value: str) -> str | None:
    """Spaces collapsed and trimmed; nothing left means the vendor said nothing."""
    return " ".join(value.split()) or None
