"""Hit notifications: which new hits a person is told about, and their own mute setting.

A notification carries a plate and its crop, so it is ALPR data shown to someone: the facade
logs it like the hits queue. Whether a hit is worth interrupting someone for is the hotlist's
priority (1 most urgent .. 5, pulled from the city server); a person may mute all but the most
urgent. That choice is theirs and travels with the data (the encrypted store), not with the
desktop (QSettings).
"""
from __future__ import annotations

from dataclasses import dataclass

HIGHEST = 1                             # the most urgent hotlist priority
ONLY_HIGHEST = "notify.only_highest"    # user_settings key: "1" mutes all but HIGHEST


@dataclass(frozen=True)
class HitNotice:
    """One new hit, as the notification shows it."""

    hit_id: int
    read_id: int
    plate: str
    plate_state: str | None
    read_at: int
    site: str
    hotlist: str
    priority: int                       # the hotlist's
    reason: str
    crop: bytes | None                  # the plate crop, when the workstation holds it


@dataclass(frozen=True)
class NoticeBatch:
    """What a poll found: the notices to show, how many new hits were muted, and the mark to
    poll from next time."""

    notices: list[HitNotice]
    muted: int
    mark: int


_NOTICE_SQL = (
    "SELECT h.id, r.id, r.plate, r.plate_state, r.read_at, c.site, l.name, l.priority, e.reason, "
    "i.data FROM hits h JOIN reads r ON r.id = h.read_id JOIN cameras c ON c.id = r.camera_id "
    "JOIN hotlist_entries e ON e.id = h.entry_id JOIN hotlists l ON l.id = e.hotlist_id "
    "LEFT JOIN images i ON i.sha256 = r.plate_image_sha256")


def newest_hit(conn) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM hits").fetchone()[0]


def muted_count(conn, since: int, worst: int) -> tuple[int, int]:
    """(new hits shown, new hits muted) since the mark, for ``worst`` the lowest priority heard."""
    return conn.execute(
        "SELECT coalesce(sum(l.priority <= ?), 0), coalesce(sum(l.priority > ?), 0) FROM hits h "
        "JOIN hotlist_entries e ON e.id = h.entry_id JOIN hotlists l ON l.id = e.hotlist_id "
        "WHERE h.id > ?", (worst, worst, since)).fetchone()


def new_notices(conn, since: int, worst: int) -> list[HitNotice]:
    """Hits after ``since`` on hotlists of priority ``worst`` or more urgent, most urgent first."""
    rows = conn.execute(f"{_NOTICE_SQL} WHERE h.id > ? AND l.priority <= ? "
                        "ORDER BY l.priority, h.id", (since, worst)).fetchall()
    return [HitNotice(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                      bytes(r[9]) if r[9] is not None else None) for r in rows]


def only_highest(conn, username: str) -> bool:
    row = conn.execute("SELECT value FROM user_settings WHERE username = ? AND key = ?",
                       (username, ONLY_HIGHEST)).fetchone()
    return bool(row and row[0] == "1")


def set_only_highest(conn, username: str, on: bool) -> None:
    conn.execute("INSERT INTO user_settings(username, key, value) VALUES (?,?,?) ON CONFLICT"
                 "(username, key) DO UPDATE SET value = excluded.value",
                 (username, ONLY_HIGHEST, "1" if on else "0"))
