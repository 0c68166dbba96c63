"""A built access log for the audit-cycle tests: an innocent month and the patterns each risk
rule is for, appended straight into the chain at chosen times (the chain stays sound)."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from app.engine import accesslog
from app.engine.accesslog import Actor

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 5, 18, 0, tzinfo=timezone.utc).timestamp()   # after October, in November
CASE, PURPOSE = "LHS-2026-004512", "FELONY-INV"


def at(month: int, day: int, hour: int, minute: int = 0) -> float:
    """A time in 2026, in Calabasas's own (Pacific) time."""
    return datetime(2026, month, day, hour, minute, tzinfo=LA).timestamp()


def put(ws, when: float, who: Actor, action: str, **fields) -> int:
    with ws.store.transaction() as conn:
        return accesslog.append(conn, when, who, action, **fields)


def search(ws, when: float, who: Actor, plate: str | None = "7ABC123", *, case: str = CASE,
           purpose: str = PURPOSE, **query) -> int:
    q = {"plate": plate, "mode": "exact", **query} if plate else {"plate": "", **query}
    return put(ws, when, who, "search", query=q, purpose=purpose, case_number=case, result_ids=[1])


def staff(people, name: str, role: str = "deputy"):
    """A user trained since long before the baseline (so only the training test lapses)."""
    s = people.user(name, role, trained=False, purpose=False)
    people.train(name, days_ago=300, valid_days=700)
    return s


def innocent_month(ws, who: Actor) -> None:
    """90 days of daytime searches before October, then an ordinary October: daytime searches
    of different plates under one case, one purpose declared."""
    for day in range(1, 91):
        base = at(10, 1, 0) - day * 86400
        search(ws, base + (9 + day % 7) * 3600, who, f"1BAS{day:03d}")
    put(ws, at(10, 2, 8, 55), who, "purpose_set", purpose=PURPOSE, case_number=CASE,
        detail={"label": "Specific felony investigation"})
    for i in range(12):
        search(ws, at(10, 2 + i * 2, 9 + i % 7), who, f"8OCT{i:03d}")
