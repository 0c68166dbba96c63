"""The local image cache: images inside the encrypted store, under a size budget.

Two years of a city's photos would be a terabyte, so sync brings every read's metadata but
images only for the prefetch window and the hits; the rest come from the city server when
someone views a read (``image_fetch.py``). Cached images stay in the ``images`` table of the
SQLCipher file, encrypted like everything else: no image byte is ever written beside it.

The budget, set by the administrator, evicts the least recently viewed first (a prefetched
image counts as viewed when it arrived) and never a pinned one: an image of a read under an
active hold (every evidence package places or keeps one on its reads) or in an open hit.
Plain functions on a connection, called inside the caller's transaction.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .digests import packed, unpacked
from .errors import ValidationError
from .retention import HELD

BUDGET_KEY, PREFETCH_KEY = "images.budget_mb", "images.prefetch_days"
DEFAULT_BUDGET_MB = 20_000          # ~600,000 images of 30 KB: a few months of a mid-size city
DEFAULT_PREFETCH_DAYS = 7
MAX_PREFETCH_DAYS = 90
MB = 1_000_000

# Reads whose images must stay: under an active hold (evidence packages included), or an open hit.
PINNED_READS = f"{HELD} UNION SELECT read_id FROM hits WHERE disposition IS NULL"


@dataclass(frozen=True)
class CacheSettings:
    budget_mb: int
    prefetch_days: int

    @property
    def budget_bytes(self) -> int:
        return self.budget_mb * MB


@dataclass(frozen=True)
class CacheStatus:
    """What the administration screen and ``alpr images status`` show about the cache; after
    a change of settings, also what the new budget evicted."""

    settings: CacheSettings
    images: int
    bytes: int
    pinned_images: int
    evicted: int = 0            # images removed to fit the budget just set
    freed: int = 0              # their bytes

    def summary(self) -> str:
        """The cache in one sentence."""
        used = self.bytes / MB
        share = 100 * self.bytes / self.settings.budget_bytes
        return (f"{used:,.1f} MB of {self.settings.budget_mb:,} MB used ({share:.1f}%) by "
                f"{self.images:,} images, {self.pinned_images:,} of them pinned (holds, evidence, "
                f"open hits); prefetch window {self.settings.prefetch_days} days.")


def settings(conn) -> CacheSettings:
    kept = dict(conn.execute("SELECT key, value FROM settings WHERE key IN (?, ?)",
                             (BUDGET_KEY, PREFETCH_KEY)).fetchall())
    return CacheSettings(int(kept.get(BUDGET_KEY, DEFAULT_BUDGET_MB)),
                         int(kept.get(PREFETCH_KEY, DEFAULT_PREFETCH_DAYS)))


def check_settings(budget_mb: int, prefetch_days: int) -> CacheSettings:
    """The administrator's figures, refused in one sentence when they make no sense."""
    if not isinstance(budget_mb, int) or budget_mb < 100:
        raise ValidationError("The image cache budget is a whole number of megabytes, at least 100.")
    if not isinstance(prefetch_days, int) or not 0 <= prefetch_days <= MAX_PREFETCH_DAYS:
        raise ValidationError(f"The prefetch window is 0 to {MAX_PREFETCH_DAYS} days.")
    return CacheSettings(budget_mb, prefetch_days)


def save_settings(conn, s: CacheSettings) -> None:
    conn.executemany("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                     "SET value = excluded.value",
                     [(BUDGET_KEY, str(s.budget_mb)), (PREFETCH_KEY, str(s.prefetch_days))])


def status(conn) -> CacheStatus:
    count, size = conn.execute("SELECT count(*), coalesce(sum(size), 0) FROM images").fetchone()
    pinned = conn.execute(f"SELECT count(*) FROM images WHERE sha256 IN ({_pinned_shas()})").fetchone()[0]
    return CacheStatus(settings(conn), count, size, pinned)


def get(conn, sha256: str, now: float) -> bytes | None:
    """A cached image's bytes, marked as viewed now; None when it is not cached."""
    key = packed(sha256)
    row = conn.execute("SELECT data FROM images WHERE sha256 = ?", (key,)).fetchone()
    if row is None:
        return None
    conn.execute("UPDATE images SET viewed_at = ? WHERE sha256 = ?", (int(now), key))
    return bytes(row[0])


def put(conn, images: list, now: float) -> None:
    """Keep verified images (``app.server.model.Image``), as viewed now."""
    conn.executemany("INSERT INTO images(sha256, kind, mime, width, height, size, data, viewed_at) "
                     "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(sha256) DO UPDATE SET "
                     "viewed_at = excluded.viewed_at",
                     [(packed(i.sha256), i.kind, i.mime, i.width, i.height, len(i.data), i.data, int(now))
                      for i in images])


def missing(conn, read_ids: list[int], kinds: tuple[str, ...] = ("plate", "scene")) -> dict[str, int]:
    """Images these reads name that are not cached: sha256 -> a read that names it."""
    wanted: dict[str, int] = {}
    for kind in kinds:
        for rid, sha in conn.execute(
                f"SELECT id, {kind}_image_sha256 FROM reads WHERE id IN (SELECT value FROM json_each(?)) "
                f"AND {kind}_image_sha256 IS NOT NULL AND {kind}_image_sha256 NOT IN "
                "(SELECT sha256 FROM images)", (json.dumps(sorted(set(read_ids))),)):
            wanted.setdefault(unpacked(sha), rid)  # type: ignore[arg-type]  # never NULL here
    return wanted


def pinned_reads_missing(conn) -> list[int]:
    """Pinned reads (open hits, holds) with an image not cached: prefetched for offline work."""
    return [r[0] for r in conn.execute(
        f"SELECT id FROM reads WHERE id IN ({PINNED_READS}) AND "
        "((plate_image_sha256 IS NOT NULL AND plate_image_sha256 NOT IN (SELECT sha256 FROM images)) OR "
        "(scene_image_sha256 IS NOT NULL AND scene_image_sha256 NOT IN (SELECT sha256 FROM images)))")]


def evict(conn, budget_bytes: int) -> tuple[int, int]:
    """Remove least recently viewed unpinned images until the cache fits its budget; returns
    (images removed, bytes freed). Pinned images stay even when they alone exceed it."""
    total = conn.execute("SELECT coalesce(sum(size), 0) FROM images").fetchone()[0]
    if total <= budget_bytes:
        return 0, 0
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS cache_pins(sha256 BLOB PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM cache_pins")
    conn.execute(f"INSERT OR IGNORE INTO cache_pins {_pinned_shas()}")
    gone: list[tuple[bytes]] = []
    freed = 0
    for sha, size in conn.execute("SELECT sha256, size FROM images WHERE sha256 NOT IN "
                                  "(SELECT sha256 FROM cache_pins) ORDER BY viewed_at, sha256"):
        if total - freed <= budget_bytes:
            break
        gone.append((sha,))
        freed += size
    conn.executemany("DELETE FROM images WHERE sha256 = ?", gone)
    conn.execute("DELETE FROM cache_pins")
    return len(gone), freed


def _pinned_shas() -> str:
    return (f"SELECT plate_image_sha256 FROM reads WHERE id IN ({PINNED_READS}) "
            "AND plate_image_sha256 IS NOT NULL UNION "
            f"SELECT scene_image_sha256 FROM reads WHERE id IN ({PINNED_READS}) "
            "AND scene_image_sha256 IS NOT NULL")
