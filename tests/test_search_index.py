"""The distinct-plate and three-character-piece index of partial and wildcard search (migration
0013) finds exactly what the old scan of every read found, whatever the plates, after inserts,
deletions and plate corrections (a property test on a real encrypted store)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import plates, search
from app.engine.search import SearchQuery
from tests.conftest import CAMERAS

ALPHABET = "AB8O0"         # few characters, so pieces and plates overlap often; B/8 and O/0 share a skeleton
plate_text = st.text(ALPHABET, min_size=1, max_size=10)
query_text = st.text(ALPHABET, min_size=2, max_size=6)
pattern = st.lists(st.sampled_from(list(ALPHABET) + ["?", "*"]), min_size=3, max_size=8).map("".join)


def _ids(conn, query: SearchQuery) -> set[int]:
    rows, more = search.run_page(conn, search.check(query), 0, search.MAX_PAGE)
    assert not more
    return {r.id for r in rows}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(plate_text, min_size=1, max_size=40), renamed=st.lists(plate_text, max_size=5),
       text=query_text, glob=pattern)
def test_partial_and_wildcard_match_the_old_scan(ws, clock, first, renamed, text, glob):
    now = int(clock())
    with ws.store.transaction() as conn:
        conn.execute("DELETE FROM reads")          # the index keeps the old plates: harmless
        conn.executemany("INSERT OR IGNORE INTO cameras(id, name, site, lat, lon, direction) "
                         "VALUES (?,?,?,?,?,?)", CAMERAS)
        conn.executemany("INSERT INTO reads(id, plate, read_at, camera_id, confidence) "
                         "VALUES (?,?,?,?,0.9)",
                         [(i + 1, p, now - i, CAMERAS[0][0]) for i, p in enumerate(first)])
        for i, p in enumerate(renamed):            # a correction changes a read's plate
            conn.execute("UPDATE reads SET original_plate = plate, plate = ? WHERE id = ?",
                         (p, i + 1))
    with ws.store.reading() as conn:
        scan = {r[0] for r in conn.execute("SELECT id FROM reads WHERE instr(plate, ?) > 0", (text,))}
        assert _ids(conn, SearchQuery(text, "partial")) == scan
        literals = sum(ch not in "?*" for ch in glob)
        if literals >= 3:
            want = plates.wildcard_to_glob(glob)
            scan = {r[0] for r in conn.execute("SELECT id FROM reads WHERE plate GLOB ?", (want,))}
            assert _ids(conn, SearchQuery(glob, "wildcard")) == scan
