"""Printed reports of a read and of a search: read back with poppler (text, embedded fonts),
naming purpose, case, state and the log head, and logged as a print before the file exists."""
from __future__ import annotations

import hashlib
import subprocess

import pytest

from app.engine.anchors import anchor_of
from app.engine.errors import PurposeRequired
from app.engine.search import SearchQuery

from tests.pdf_checks import pdffonts, structure_tags
from tests.server_helpers import png


def text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def photographed(ws, seeded):
    """Read 1 (7ABC123, California) with a plate crop and a scene photo."""
    crop, scene = png(1, 40), png(2, 120)
    with ws.store.transaction() as conn:
        for kind, data in (("plate", crop), ("scene", scene)):
            sha = hashlib.sha256(data).hexdigest()
            conn.execute("INSERT INTO images(sha256, kind, mime, width, height, size, data) "
                         "VALUES (unhex(?),?,?,?,?,?,?)", (sha, kind, "image/png", 0, 0, len(data), data))
            conn.execute(f"UPDATE reads SET {kind}_image_sha256 = unhex(?) WHERE id = 1", (sha,))
        conn.execute("UPDATE reads SET plate_state = 'CA' WHERE id IN (1, 2)")
    return seeded


@pytest.fixture
def watched(ws, monkeypatch):
    """Which files existed when each print entry was committed."""
    seen: list[tuple[str, bool]] = []
    real = ws.log

    def log(actor, action, **fields):
        if action == "print":
            path = fields["detail"]["path"]
            seen.append((path, __import__("os").path.exists(path)))
        return real(actor, action, **fields)
    monkeypatch.setattr(ws, "log", log)
    return seen


def test_a_printed_read_shows_both_photos_its_facts_and_the_log_head(ws, people, photographed, tmp_path,
                                                                      watched):
    s = people.user("dana.kim", "deputy")
    head = ws.log_anchor()
    out = ws.printing.read(s, 1, tmp_path / "read-1.pdf")
    words = " ".join(text(out).split())
    for expected in ("ALPR read 1: 7ABC123", "State CA", "CAM-LV-N", "FELONY-INV", "LHS-2026-004512",
                     "Dana.Kim Person (dana.kim)", f"entry {head[0]}, hash {head[1][:20]}", "Plate photo",
                     "Scene photo"):
        assert expected in words, expected
    assert "no photo held" not in words
    fonts = pdffonts(out)
    assert fonts and all(f.embedded for f in fonts) and {f.name.split("+")[-1] for f in fonts} >= {"DejaVuSans"}
    assert structure_tags(out).count("Figure") == 2
    assert anchor_of(out) == head
    assert watched == [(str(out), False)]           # logged before the file existed
    entry = [e for e in ws.audit_entries(people.admin()) if e.action == "print"][-1]
    assert (entry.username, entry.purpose, entry.case_number) == ("dana.kim", "FELONY-INV", "LHS-2026-004512")
    assert entry.query == {"report": "read", "read_id": 1} and entry.result_ids == [1]


def test_a_printed_search_lists_its_reads_and_the_search_asked(ws, people, photographed, tmp_path, watched):
    s = people.user("dana.kim", "deputy")
    out = ws.printing.search(s, SearchQuery(plate="7ABC123"), tmp_path / "search.pdf")
    words = " ".join(text(out).split())
    assert "ALPR search results" in words and "Reads (2)" in words and "Plate 7ABC123" in words
    assert words.count("7ABC123") >= 3 and "LHS-2026-004512" in words
    assert all(f.embedded for f in pdffonts(out))
    assert watched == [(str(out), False)]
    entry = [e for e in ws.audit_entries(people.admin()) if e.action == "print"][-1]
    assert entry.query["report"] == "search" and sorted(entry.result_ids) == [1, 2]


def test_printing_needs_a_purpose_and_writes_nothing_without_one(ws, people, photographed, tmp_path):
    s = people.user("dana.kim", "deputy", purpose=False)
    with pytest.raises(PurposeRequired):
        ws.printing.read(s, 1, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
