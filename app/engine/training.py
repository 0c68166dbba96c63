"""Training records: no current training, no access to ALPR data (Calabasas IV(d))."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from .errors import ValidationError


@dataclass(frozen=True)
class TrainingRecord:
    id: int
    username: str
    course: str
    completed_on: str
    expires_on: str
    recorded_by: str


def parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"The {what} {text!r} is not a date (use YYYY-MM-DD).") from None


def today(now: float) -> str:
    return datetime.fromtimestamp(now, timezone.utc).date().isoformat()


def add(conn, user_id: int, course: str, completed_on: str, expires_on: str, recorded_by: str,
        now: float) -> int:
    done, until = parse_date(completed_on, "completion date"), parse_date(expires_on, "expiry date")
    if until <= done:
        raise ValidationError("Training must expire after it was completed.")
    if done.isoformat() > today(now):
        raise ValidationError("Training cannot be completed in the future.")
    if not course.strip():
        raise ValidationError("Name the training course.")
    return conn.execute(
        "INSERT INTO training(user_id, course, completed_on, expires_on, recorded_by, recorded_at) "
        "VALUES (?,?,?,?,?,?)",
        (user_id, course.strip(), done.isoformat(), until.isoformat(), recorded_by, int(now))).lastrowid


def current(conn, user_id: int, now: float) -> TrainingRecord | None:
    """The user's training that is valid today, latest expiry first, if any."""
    row = conn.execute(
        "SELECT t.id, u.username, t.course, t.completed_on, t.expires_on, t.recorded_by "
        "FROM training t JOIN users u ON u.id = t.user_id WHERE t.user_id = ? "
        "AND t.completed_on <= ? AND t.expires_on >= ? ORDER BY t.expires_on DESC LIMIT 1",
        (user_id, today(now), today(now))).fetchone()
    return TrainingRecord(*row) if row else None


def records(conn, user_id: int | None = None) -> list[TrainingRecord]:
    where, params = ("WHERE t.user_id = ?", (user_id,)) if user_id else ("", ())
    return [TrainingRecord(*r) for r in conn.execute(
        "SELECT t.id, u.username, t.course, t.completed_on, t.expires_on, t.recorded_by "
        f"FROM training t JOIN users u ON u.id = t.user_id {where} ORDER BY u.username, t.expires_on",
        params)]
