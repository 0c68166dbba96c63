"""Plate lists: up to 500 plates searched as ONE logged search naming every plate, results
grouped per plate with counts; a bad list is refused in one sentence, from the engine and the
command line."""
from __future__ import annotations

import json

import pytest

from app.engine import plate_list
from app.engine.errors import PurposeRequired, ValidationError
from app.engine.plate_list import PlateListQuery
from tests.conftest import insert_reads
from tests.test_cli import alpr

PLATES = tuple(f"6LST{i:03d}" for i in range(500))


def test_a_list_of_500_plates_is_one_logged_search_naming_every_plate(ws, people, clock):
    now = int(clock())
    insert_reads(ws, [(i + 1, PLATES[i % 40], now - 60 * i, "CAM-LV-N", 0.9) for i in range(120)])
    s = people.user("dana.kim", "deputy")
    before = ws.store.query_one("SELECT max(seq) FROM access_log")[0]
    res = ws.search_list(s, PlateListQuery(PLATES, per_plate=2))
    assert [g.plate for g in res.groups] == list(PLATES)              # the list's order
    assert [g.count for g in res.groups[:41]] == [3] * 40 + [0] and res.seen == 40
    assert all(len(g.reads) == 2 and g.reads[0].read_at >= g.reads[1].read_at for g in res.groups[:40])
    entries = ws.store.query("SELECT action, query, result_ids, purpose, case_number FROM access_log "
                             "WHERE seq > ?", (before,))
    [(action, query, ids, purpose, case)] = entries
    assert action == "search" and json.loads(query)["plate_list"] == list(PLATES)
    assert sorted(json.loads(ids)) == sorted(res.read_ids) and len(res.read_ids) == 80
    assert (purpose, case) == ("FELONY-INV", "LHS-2026-004512")
    [entry] = [e for e in ws.audit_entries(people.admin()) if e.seq == before + 1]
    assert "a list of 500 plates (6LST000, 6LST001" in ws.audit_search(people.admin()).sentence(entry)


def test_a_corrected_plate_is_found_under_the_plate_listed(ws, people, clock):
    insert_reads(ws, [(1, "7ABC128", int(clock()) - 60, "CAM-LV-N", 0.9)])
    s = people.user("dana.kim", "deputy")
    ws.correct_read(s, 1, "7ABC123", "Crop shows 3")
    res = ws.search_list(s, PlateListQuery(("7ABC128", "5OTH000")))
    assert [(g.plate, g.count) for g in res.groups] == [("7ABC128", 1), ("5OTH000", 0)]
    assert res.groups[0].reads[0].plate == "7ABC123"


@pytest.mark.parametrize("text, words", [
    ("\n".join(PLATES + ("9ZZZ999",)), "at most 500 plates"),
    ("plate\n\n , \n", "empty"),
    ("plate\n7ABC123\n7AB-C12!\n", "Line 3 of the plate list, '7AB-C12!', is not a plate"),
    ("7ABC123\x00", "not text"),
])
def test_bad_lists_get_one_sentence(text, words):
    with pytest.raises(ValidationError, match=words):
        plate_list.parse(text)


def test_a_list_is_purpose_checked_and_files_are_checked(ws, people, tmp_path):
    s = people.user("dana.kim", "deputy", purpose=False)
    with pytest.raises(PurposeRequired):
        ws.search_list(s, PlateListQuery(("7ABC123",)))
    (tmp_path / "photo.csv").write_bytes(b"\xff\xd8\xff\xe0\x00JFIF")
    with pytest.raises(ValidationError, match="photo.csv is not a text file"):
        plate_list.load(tmp_path / "photo.csv")
    (tmp_path / "tips.csv").write_text("Plate,Note\n7abc 123,seen twice\n8XYZ999,\n7ABC123,dup\n",
                                       encoding="utf-8-sig")
    assert plate_list.load(tmp_path / "tips.csv") == ("7ABC123", "8XYZ999")


def test_cli_search_list_and_state(tmp_path, clock):
    from app.engine.workstation import Workstation
    from tests.conftest import PASSWORD
    d = tmp_path / "store"
    ws = Workstation.create(d, "lametro-parking", clock)
    ws.setup_user("eve.park", "Eve Park", "enforcement", PASSWORD)
    from datetime import date, timedelta
    today = date.today()
    ws.add_training(None, "eve.park", ws.profile.training_course, (today - timedelta(days=3)).isoformat(),
                    (today + timedelta(days=300)).isoformat())
    insert_reads(ws, [(1, "7ABC123", int(clock()) - 60, "CAM-LV-N", 0.9),
                      (2, "7ABC123", int(clock()) - 30, "CAM-LV-S", 0.9)])
    ws.store.execute("UPDATE reads SET plate_state = 'NV' WHERE id = 2")
    ws.close()
    who = ["--user", "eve.park", "--password-stdin", "--purpose", "PARKING-ORD", "--case", "CIT-12345678"]
    (tmp_path / "tips.csv").write_text("plate\n7ABC123\n5NOT000\n")
    r = alpr(d, "search", *who, "--list", str(tmp_path / "tips.csv"), stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert "7ABC123         2 reads" in r.stdout and "5NOT000         0 reads" in r.stdout
    assert "1 of 2 plates seen (one logged search)." in r.stdout
    r = alpr(d, "search", *who, "7ABC123", "--state", "NV", stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "1 reads." in r.stdout and " NV " in r.stdout
    (tmp_path / "big.csv").write_text("\n".join(PLATES + ("9ZZZ999",)))
    r = alpr(d, "search", *who, "--list", str(tmp_path / "big.csv"), stdin=PASSWORD + "\n")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "at most 500 plates" in r.stderr
