"""Diagnostic logs never hold plate text, even when code logs it by mistake."""
from __future__ import annotations

import logging

from app.engine import diagnostics
from app.engine.search import SearchQuery


def test_scrub_keeps_words_and_numbers_drops_plates():
    assert diagnostics.scrub("search 7ABC123 at CAM-LV-N took 12 ms") == "search [plate] at CAM-LV-N took 12 ms"
    assert diagnostics.scrub("plates 8xyz999, ABC12 and 4KLM456.") == "plates [plate], [plate] and [plate]."
    assert diagnostics.scrub("sync of 1000 reads in 2.5 s") == "sync of 1000 reads in 2.5 s"


def test_log_file_of_a_session_has_no_plate_bytes(ws, people, seeded):
    path = diagnostics.setup(ws.store.data_dir, logging.DEBUG)
    log = logging.getLogger("app.test")
    dep = people.user("dep1", "deputy")
    page = ws.search(dep, SearchQuery(plate="7ABC123"))
    log.info("searched %s and got %d rows", "7ABC123", len(page.rows))
    try:
        raise ValueError("no read for plate 8XYZ999")
    except ValueError:
        log.exception("lookup failed")
    for h in logging.getLogger().handlers:
        h.flush()
    data = path.read_bytes()
    assert b"got 2 rows" in data and b"lookup failed" in data
    for plate, *_ in [(r[1],) for r in seeded]:
        assert plate.encode() not in data
