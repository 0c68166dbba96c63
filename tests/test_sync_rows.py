"""Row checks of the sync: each kind of malformed read row is caught and named."""
from __future__ import annotations

import pytest

from app.engine.errors import SyncError
from app.engine.sync_apply import check_reads

GOOD = (1, "7ABC123", 1795400000, "CAM-1", 0.9, "Acme", "[1, 2, 3, 4]", "a" * 64, "b" * 64, "NV",
        "Toyota", "white", "pickup", 10)


@pytest.mark.parametrize("index, value, why", [
    (0, -1, "id"), (0, "1", "id"), (13, None, "id"), (1, "7abc 123", "plate"), (1, "7ABC123\n", "plate"),
    (1, None, "plate"), (2, "2026-11-20", "time or camera"), (3, 5, "time or camera"),
    (4, 1.5, "confidence"), (4, "0.9", "confidence"), (6, "[1, 2]", "plate box"), (6, 7, "plate box"),
    (7, "xyz", "image hash"), (8, "A" * 64, "image hash"), (9, "Nevada", "plate state"),
    (9, "ZZ", "plate state"), (10, 7, "vehicle"), (11, "x" * 41, "vehicle"), (12, "pick\nup", "vehicle"),
    (12, "", "vehicle"),
])
def test_each_malformed_field_is_named(index, value, why):
    check_reads([GOOD, GOOD[:0] + (2,) + GOOD[1:]])
    bad = GOOD[:index] + (value,) + GOOD[index + 1:]
    with pytest.raises(SyncError, match=f"malformed read row \\({why}\\)"):
        check_reads([GOOD, bad])


def test_missing_optional_fields_are_fine():
    check_reads([(3, "8XYZ999", 1795400000, "CAM-1", 1, None, None, None, None, None, None, None, None, 11)])
