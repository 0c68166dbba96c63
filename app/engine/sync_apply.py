"""Applying what the city server sends to the local store: plain functions on a connection.

Each is called inside the sync's one-transaction-per-batch, together with the batch's
watermark, so a batch is either entirely in the store (and never asked for again) or not at
all. Rows are checked first: a malformed row raises :class:`SyncError` before any write.
"""
from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator

from . import hits, image_cache, plates, states, vehicles
from .digests import bindable
from .errors import SyncError
from .retention import HELD

_SHA = re.compile(r"^[0-9a-f]{64}$")
_STATES = frozenset(states.NAMES) | {None}
_BOX = re.compile(r"^\[\s*\d+\s*,\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\]$")
SORT_CACHE = -16384       # KiB of page cache while the reads' indexes are rebuilt


def get_mark(conn, name: str) -> int:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (f"wm.{name}",)).fetchone()
    return int(row[0]) if row else 0


def set_mark(conn, name: str, seq: int) -> None:
    conn.execute("INSERT INTO sync_state(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (f"wm.{name}", str(seq)))


def _bad(feed: str, row: tuple, why: str) -> SyncError:
    return SyncError(f"The city server sent a malformed {feed} row ({why}): {row[:4]!r}... "
                     "Nothing of this batch was applied; fix the row on the server and sync again.")


def check_read(row: tuple) -> None:
    """Types and formats of one read row; the common case costs a few comparisons."""
    rid, plate, read_at, camera, conf, _vendor, box, psha, ssha, state, make, color, body, seq = row
    if type(rid) is not int or rid <= 0 or type(seq) is not int:
        raise _bad("read", row, "id")
    if type(plate) is not str or not plates.PLATE_RE.fullmatch(plate):
        raise _bad("read", row, "plate")
    if type(read_at) is not int or type(camera) is not str:
        raise _bad("read", row, "time or camera")
    if not isinstance(conf, int | float) or not 0 <= conf <= 1:
        raise _bad("read", row, "confidence")
    if box is not None and (type(box) is not str or not _BOX.fullmatch(box)):
        raise _bad("read", row, "plate box")
    for sha in (psha, ssha):
        if sha is not None and (type(sha) is not str or not _SHA.fullmatch(sha)):
            raise _bad("read", row, "image hash")
    if state not in _STATES:
        raise _bad("read", row, "plate state")
    if not all(map(vehicles.is_valid, (make, color, body))):
        raise _bad("read", row, "vehicle")


def check_reads(rows: list[tuple]) -> None:
    """Check a whole batch column by column (C-speed loops); only when something is off,
    :func:`check_read` goes row by row to name the culprit in the error."""
    ids, plates_, times, cams, confs, _v, boxes, pshas, sshas, states_, *cars, seqs = zip(*rows)
    ok = (set(map(type, ids)) == {int} and min(ids) > 0 and set(map(type, seqs)) == {int}
          and set(map(type, plates_)) == {str} and all(map(plates.PLATE_RE.fullmatch, plates_))
          and set(map(type, times)) == {int} and set(map(type, cams)) == {str}
          and set(map(type, confs)) <= {int, float} and 0 <= min(confs) and max(confs) <= 1
          and set(states_) <= _STATES)
    said = [v for column in cars for v in column if v is not None]
    ok = ok and set(map(type, said)) <= {str} and all(map(vehicles.TEXT_RE.fullmatch, said))
    boxes = [b for b in boxes if b is not None]  # type: ignore[assignment]  # any sequence of boxes will do
    ok = ok and set(map(type, boxes)) <= {str} and all(map(_BOX.fullmatch, boxes))
    shas = [h for h in pshas + sshas if h is not None]
    ok = ok and set(map(type, shas)) <= {str} and all(map(_SHA.fullmatch, shas))
    if not ok:
        for row in rows:
            check_read(row)


def apply_cameras(conn, rows: list[tuple]) -> None:
    conn.executemany("INSERT INTO cameras(id, name, site, lat, lon, direction) VALUES (?,?,?,?,?,?) "
                     "ON CONFLICT(id) DO UPDATE SET name = excluded.name, site = excluded.site, "
                     "lat = excluded.lat, lon = excluded.lon, direction = excluded.direction",
                     [r[:6] for r in rows])


def apply_outages(conn, rows: list[tuple]) -> None:
    """Camera outages (an open one is updated when it ends)."""
    for r in rows:
        if type(r[0]) is not int or type(r[1]) is not str or type(r[2]) is not int \
                or (r[3] is not None and type(r[3]) is not int) or type(r[4]) is not str:
            raise _bad("camera outage", r, "types")
    conn.executemany("INSERT INTO camera_outages(id, camera_id, started_at, ended_at, reason) "
                     "VALUES (?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET ended_at = excluded.ended_at, "
                     "reason = excluded.reason", [r[:5] for r in rows])


def apply_hotlists(conn, rows: list[tuple]) -> None:
    for r in rows:
        if type(r[4]) is not int or not 1 <= r[4] <= 5:
            raise _bad("hotlist", r, "priority")
    conn.executemany("INSERT INTO hotlists(id, name, source, kind, priority) VALUES (?,?,?,?,?) "
                     "ON CONFLICT(id) DO UPDATE SET name = excluded.name, source = excluded.source, "
                     "kind = excluded.kind, priority = excluded.priority", [r[:5] for r in rows])


def apply_entries(conn, rows: list[tuple], now: float) -> int:
    """Insert or update entries, then match them against reads already held."""
    for r in rows:
        if not isinstance(r[2], str) or not plates.PLATE_RE.fullmatch(r[2]):
            raise _bad("hotlist entry", r, "plate")
        if r[8] not in _STATES:
            raise _bad("hotlist entry", r, "plate state")
    conn.executemany("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, expires_at, "
                     "added_by, added_at, plate_state) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO "
                     "UPDATE SET hotlist_id = excluded.hotlist_id, plate = excluded.plate, "
                     "reason = excluded.reason, priority = excluded.priority, "
                     "expires_at = excluded.expires_at, added_by = excluded.added_by, "
                     "added_at = excluded.added_at, plate_state = excluded.plate_state",
                     [r[:9] for r in rows])
    return hits.match_entries(conn, [r[0] for r in rows], now)


# sqlcipher3 binds None and bytes through its adapter lookup (0.8 us a parameter against 0.05
# for a str or a bytearray), which was most of a read's insert: so a read's optional columns go
# in as '' or an empty bytearray (digests.bindable) and NULLIF turns them back into NULL. Every
# column so treated is checked first (check_reads), and none can hold '' or an empty digest.
_INSERT_READS = ("INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor, plate_box, "
                 "plate_image_sha256, scene_image_sha256, plate_state, vehicle_make, vehicle_color, "
                 "vehicle_body) VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, x''), NULLIF(?, x''), "
                 "NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, '')) ON CONFLICT(id) DO NOTHING")


def _add_plates(column: str, source: str) -> str:
    """SQL adding the plates ``column`` of ``source`` to the plate index in its key's order. A
    plate held already is skipped by ON CONFLICT DO NOTHING, which, unlike OR IGNORE, still
    fails on any other error (a NULL plate)."""
    return (f"INSERT INTO plate_index(skel, plate) SELECT {plates.skeleton_sql(column)}, {column} "
            f"FROM {source} WHERE true ORDER BY 1, 2 ON CONFLICT DO NOTHING")


_ADD_PLATES = _add_plates("value", "json_each(?)")
_REBUILD_PLATES = _add_plates("plate", "(SELECT DISTINCT plate FROM reads)")


def apply_reads(conn, rows: list[tuple], images: list, now: float, bulk: bool = False) -> int:
    """Insert reads (already held ones are left as they are, corrections included) and the
    images prefetched for them (into the cache, as viewed now); returns the number of new hits.

    The batch's plates go into the plate index first, in one statement (a bulk load, whose
    triggers are dropped, leaves that to :func:`restore_read_indexes`; a plate whose read was
    held already may come too, which search does not mind). The reads' trigger would add each
    new plate by a statement of its own, and FTS5 writes its pending entries out at every
    statement's savepoint: a segment of the trigram index for each new plate. A day of
    50,000 new plates into a store of 20 M reads spent 1.2 s there; in one statement, sorted,
    the day's whole insert takes 2.2 s instead of 3.4-3.9 s (in the OS cache)."""
    image_cache.put(conn, images, now)
    if not bulk:
        conn.execute(_ADD_PLATES, (json.dumps(list({r[1] for r in rows})),))
    conn.executemany(_INSERT_READS, ((*r[:6], r[6] or "", bindable(r[7]), bindable(r[8]), r[9] or "",
                                      r[10] or "", r[11] or "", r[12] or "") for r in rows))
    return hits.match_reads(conn, [r[0] for r in rows], now)


def remove_reads(conn, read_ids: list[int]) -> int:
    """Delete reads (not those under an active hold), their hits, and images left unused."""
    ids = json.dumps(list(read_ids))
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS sync_gone(id INTEGER PRIMARY KEY, psha BLOB, ssha BLOB)")
    conn.execute("DELETE FROM sync_gone")
    conn.execute("INSERT INTO sync_gone SELECT id, plate_image_sha256, scene_image_sha256 FROM reads "
                 f"WHERE id IN (SELECT value FROM json_each(?)) AND id NOT IN ({HELD})", (ids,))
    conn.execute("DELETE FROM hits WHERE read_id IN (SELECT id FROM sync_gone)")
    conn.execute("DELETE FROM corrections WHERE read_id IN (SELECT id FROM sync_gone) AND uploaded = 1")
    n = conn.execute("DELETE FROM reads WHERE id IN (SELECT id FROM sync_gone)").rowcount
    if n:
        conn.execute(
            "DELETE FROM images WHERE sha256 IN (SELECT psha FROM sync_gone UNION SELECT ssha FROM sync_gone) "
            "AND sha256 NOT IN (SELECT plate_image_sha256 FROM reads WHERE plate_image_sha256 IS NOT NULL) "
            "AND sha256 NOT IN (SELECT scene_image_sha256 FROM reads WHERE scene_image_sha256 IS NOT NULL)")
    conn.execute("DELETE FROM sync_gone")
    return n


def trim_window(conn, cutoff: int) -> int:
    """Drop reads older than the sync window (held reads stay); cheap when there are none."""
    if conn.execute(f"SELECT 1 FROM reads WHERE read_at < ? AND id NOT IN ({HELD}) LIMIT 1",
                    (cutoff,)).fetchone() is None:
        return 0
    ids = [r[0] for r in conn.execute("SELECT id FROM reads WHERE read_at < ?", (cutoff,))]
    return remove_reads(conn, ids)


def drop_read_indexes(conn) -> None:
    """For a first sync of many reads: drop the reads' secondary indexes and the trigger that
    keeps the plate index (kept as SQL in ``sync_state`` in the same transaction) so rows
    append instead of scattering over five B-trees; :func:`restore_read_indexes` rebuilds them
    by sorting, several times faster."""
    found = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                         "AND tbl_name = 'reads' AND sql IS NOT NULL").fetchall()
    saved = json.loads((conn.execute("SELECT value FROM sync_state WHERE key = 'bulk.indexes'").fetchone()
                        or ("[]",))[0])
    conn.execute("INSERT INTO sync_state(key, value) VALUES ('bulk.indexes', ?) ON CONFLICT(key) DO UPDATE "
                 "SET value = excluded.value", (json.dumps(saved + [[n, q] for _t, n, q in found]),))
    for kind, name, _sql in found:
        conn.execute(f'DROP {kind.upper()} "{name}"')


def restore_read_indexes(conn) -> None:
    """Rebuild what :func:`drop_read_indexes` dropped (also after a crash in between), add the
    plates the load brought to the plate index, and recount the cameras' days."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'bulk.indexes'").fetchone()
    if row is None:
        return
    with _cache_gives_way(conn):
        for _name, sql in json.loads(row[0]):
            conn.execute(re.sub(r"^CREATE (INDEX|TRIGGER) ", r"CREATE \1 IF NOT EXISTS ", sql))
    # sorted into the key's order (spilled, as the indexes): 11 M plates in 26.4 s, 29.2 s unsorted
    conn.execute(_REBUILD_PLATES)
    conn.execute("DELETE FROM camera_days")                # its triggers were dropped with the indexes
    conn.execute("INSERT INTO camera_days(camera_id, day, reads) SELECT camera_id, read_at / 86400, "
                 "count(*) FROM reads GROUP BY camera_id, read_at / 86400")
    conn.execute("DELETE FROM sync_state WHERE key = 'bulk.indexes'")


@contextlib.contextmanager
def _cache_gives_way(conn) -> Iterator[None]:
    """Shrink the page cache while the indexes are sorted. Each sort reads one table from start
    to end, which a big cache does not speed up, and the cache's size is also the size of the
    sorter's runs: where the store's temporary files are encrypted (``tempcrypt``) the sorter
    writes runs of 16 MB to them and merges them, so a build of 20 M reads peaks at 612-629 MB
    instead of 1,567; where they are not, it holds every key in memory (about 64 bytes a read)
    and the small cache at least does not add to it (5 M reads: 364 MB instead of 619 MB
    during the sorts)."""
    size = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {SORT_CACHE}")
    conn.execute("PRAGMA shrink_memory")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {size}")
