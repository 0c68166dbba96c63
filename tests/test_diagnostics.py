"""Diagnostic logs never hold plate text, even when code logs it by mistake."""
from __future__ import annotations

import logging
import re

from app.engine import diagnostics
from app.engine.search import SearchQuery


def test_scrub_keeps_words_drops_everything_that_could_be_a_plate():
    scrub = diagnostics.scrub
    assert scrub("search 7ABC123 at CAM-LV-N took 2.5 ms") == "search [plate] at [plate]-[plate]-[plate] took 2.5 ms"
    assert scrub("plates 8xyz999, ABC12 and 4KLM456.") == "plates [plate], [plate] and [plate]."
    # all letters, all digits, 9 and 10 characters, one character, spaced or hyphenated
    assert scrub("plates HELLO, 1234567, ABCD12345, ABCDEFGHIJ, 123456789X, Q and 7ABC-123") \
        == "plates [plate], [plate], [plate], [plate], [plate], [plate] and [plate]-[plate]"
    # whatever a user typed is echoed quoted: all of it goes, in any case
    assert scrub("'hello' is not a plate; \"cat\" either") == "'[plate]' is not a plate; \"[plate]\" either"
    assert scrub("A store already exists; The KeyError said no") == "A store already exists; The KeyError said no"
    assert scrub("a reference_number_that_is_long stays") == "a reference_number_that_is_long stays"


def _record(msg, *args, exc_info=None):
    return logging.LogRecord("app.test", logging.INFO, __file__, 1, msg, args or None, exc_info)


def test_message_arguments_keep_numbers_and_drop_short_words_in_any_case():
    f = diagnostics.ScrubPlates()
    r = _record("sync of %d reads in %.1f s for %s at %s", 1000, 2.5, "hello", "CAM-LV-N")
    f.filter(r)
    assert r.getMessage() == "sync of 1000 reads in 2.5 s for [plate] at [plate]"
    r = _record("%(n)d rows for %(plate)r", {"n": 3, "plate": "7abc123"})
    f.filter(r)
    assert r.getMessage() == "3 rows for '[plate]'"
    r = _record("connecting to %s", "postgresql://alpr:hunter2@city-server/alpr")
    f.filter(r)
    assert r.getMessage() == "connecting to postgresql://alpr:***@city-server/alpr"
    r = _record("a bad template %d", "7ABC123")          # still logged, still scrubbed
    f.filter(r)
    assert "7ABC123" not in r.getMessage() and "bad template" in r.getMessage()


def test_two_log_files_get_the_same_scrubbed_record(tmp_path):
    """Each handler has its own filter; the second must not scrub the first one's result again."""
    paths = [diagnostics.setup(tmp_path / name, logging.DEBUG) for name in ("a", "b")]
    logging.getLogger("app.test.two").info("sync of %d reads for %s", 1000, "7ABC123")
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "baseFilename", None) in map(str, paths)]:
        h.flush()
        root.removeHandler(h)
        h.close()
    for path in paths:
        assert "sync of 1000 reads for [plate]" in path.read_text(encoding="utf-8")


def test_no_plate_of_any_form_reaches_the_file(tmp_path):
    import random
    rnd = random.Random(12)
    letters, digits = "ABCDEFGHJKLMNPRSTUVWXYZ", "0123456789"
    plates = []
    for n in range(1, 11):
        for alphabet in (letters, digits, letters + digits):
            plates += ["".join(rnd.choices(alphabet, k=n)) for _ in range(5)]
    plates = [p for p in plates if p not in ("A", "I")]
    path = diagnostics.setup(tmp_path, logging.DEBUG)
    log = logging.getLogger("app.test.plates")
    for p in plates:
        log.info(f"search for {p} found nothing")
        log.info("search for %s took %d ms", p, 12)
        log.info("search for %s took %d ms", p.lower(), 12)
        log.warning(f"{p.lower()!r} is not a plate in this state")
        try:
            raise ValueError(f"No read of {p!r} or {p}")
        except ValueError:
            log.exception("lookup failed")
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "baseFilename", None) == str(path))
    handler.flush()
    root.removeHandler(handler)
    handler.close()
    text = path.read_text(encoding="utf-8")
    body = "\n".join(line.split(": ", 1)[1] for line in text.splitlines() if ": " in line)
    body = re.sub(r'File "[^"\n]*", line \d+|took 12 ms', "", body)     # the code's own, kept on purpose
    words = set(re.findall(r"[A-Za-z0-9]+", body))
    leaked = sorted(p for p in plates if p in words or p.lower() in words)
    assert leaked == [], leaked
    assert "took 12 ms" in text and "lookup failed" in text and "Traceback" in text


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
