"""Misread correction: authorised, reasoned, logged, both plates searchable, hits re-evaluated."""
from __future__ import annotations

import json

import pytest

from app.engine.errors import PermissionDenied, ValidationError
from app.engine.search import SearchQuery


@pytest.fixture
def with_hotlist(ws, seeded):
    with ws.store.transaction() as c:
        c.execute("INSERT INTO hotlists(id, name, source, kind) VALUES ('svs', 'Stolen vehicles', 'CA DOJ SVS', 'stolen')")
        c.execute("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, added_at) "
                  "VALUES (10, 'svs', '7ABC123', 'stolen 2026-11-01', 1, 0)")
        c.execute("INSERT INTO hits(read_id, entry_id, created_at) VALUES (1, 10, 0), (2, 10, 0)")


def test_correction_keeps_original_and_rehits(ws, people, with_hotlist):
    dep = people.user("dep1", "deputy")
    result = ws.correct_read(dep, 4, "7abc123", "crop shows B, not 8")
    assert (result.old_plate, result.new_plate, result.hits_added) == ("7A8C123", "7ABC123", 1)
    row = ws.store.query_one("SELECT plate, original_plate FROM reads WHERE id = 4")
    assert row == ("7ABC123", "7A8C123")
    assert {r.id for r in ws.search(dep, SearchQuery(plate="7ABC123")).rows} == {1, 2, 4}
    assert [r.id for r in ws.search(dep, SearchQuery(plate="7A8C123")).rows] == [4]
    # Correcting a hit read away from the hotlist plate drops its open hit.
    result = ws.correct_read(dep, 2, "7ABC128", "second look at the overview photo")
    assert result.hits_removed == 1
    assert not ws.store.query("SELECT 1 FROM hits WHERE read_id = 2")
    assert ws.store.query_one("SELECT original_plate FROM reads WHERE id = 2")[0] == "7ABC123"
    entry = ws.store.query_one("SELECT query, result_ids, detail, purpose, case_number FROM access_log "
                               "WHERE action = 'correct' ORDER BY seq LIMIT 1")
    assert json.loads(entry[0]) == {"read_id": 4, "new_plate": "7ABC123"} and json.loads(entry[1]) == [4]
    assert json.loads(entry[2])["reason"] == "crop shows B, not 8" and entry[3:] == ("FELONY-INV", "LHS-2026-004512")
    pending = ws.store.query("SELECT read_id, old_plate, new_plate, uploaded FROM corrections ORDER BY id")
    assert pending == [(4, "7A8C123", "7ABC123", 0), (2, "7ABC123", "7ABC128", 0)]


def test_disposed_hit_is_kept_as_the_record(ws, people, with_hotlist):
    dep = people.user("dep1", "deputy")
    ws.store.execute("UPDATE hits SET disposition = 'misread', disposed_by = 'dep1' WHERE read_id = 1")
    ws.correct_read(dep, 1, "7ABC128", "the hit was a misread")
    assert ws.store.query("SELECT disposition FROM hits WHERE read_id = 1") == [("misread",)]


def test_correction_rules(ws, people, seeded):
    dep = people.user("dep1", "deputy")
    aud = people.user("aud1", "auditor")
    with pytest.raises(PermissionDenied):
        ws.correct_read(aud, 1, "7ABC128", "auditors cannot")
    with pytest.raises(ValidationError, match="why"):
        ws.correct_read(dep, 1, "7ABC128", "")
    with pytest.raises(ValidationError, match="already"):
        ws.correct_read(dep, 1, "7ABC123", "same plate again")
    with pytest.raises(ValidationError, match="not a plate"):
        ws.correct_read(dep, 1, "7ABC-12$", "bad text")
    with pytest.raises(Exception, match="not held"):
        ws.correct_read(dep, 999, "7ABC128", "no such read")
    assert not ws.store.query("SELECT 1 FROM corrections")
