"""Vehicle details (issue 15, part 8): the vendor's make, colour and body type travel from the
sidecar through the city server (embedded and PostgreSQL) and sync into the store, are searched
on, and are written into an evidence package; bad ones are refused per drop with a reason."""
from __future__ import annotations

import csv
import io
import json

import pytest

from app.engine.errors import ValidationError
from app.engine.evidence import ExportRequest, run
from app.engine.search import SearchQuery
from app.server.ingest import ingest_dir
from tests.server_helpers import CAMS, city, png  # noqa: F401 - fixture

PICKUP = {"vehicle_make": "Toyota", "vehicle_color": " White ", "vehicle_body": "pickup"}


def _drops(folder, now: int, docs: list[dict]) -> None:
    folder.mkdir()
    for i, extra in enumerate(docs):
        (folder / f"d{i}.png").write_bytes(png(70 + i))
        (folder / f"d{i}.json").write_text(json.dumps({
            "camera": CAMS[i % 2].id, "time": now - 900 + i * 10, "plate": "7VAN001", "state": "CA",
            "confidence": 0.9, "scene_image": f"d{i}.png", "plate_image": f"d{i}.png", **extra}))


def test_vehicle_details_flow_from_sidecar_to_search_and_export(ws, people, city, clock, tmp_path):
    now = int(clock())
    city.server.put_cameras(CAMS)
    _drops(tmp_path / "drops", now, [
        PICKUP, {"vehicle_make": "Honda", "vehicle_color": "blue"}, {},
        {"vehicle_make": "Ford", "vehicle_color": None, "vehicle_body": ""},
        {"plate": None, **PICKUP},                                     # no plate: OCR queue
        {"vehicle_make": 7}, {"vehicle_color": "x" * 41}, {"vehicle_body": "van\x07"},
        {"vehicle_make": ["Toyota"]}])
    report = ingest_dir(city.server, tmp_path / "drops", now)
    assert (report.reads, report.queued_for_ocr) == (4, 1)
    assert sorted(reason for _, reason in report.rejects) == [
        "bad vehicle_body: it holds control characters or is not valid Unicode",
        "bad vehicle_color: longer than 40 characters",
        "bad vehicle_make: give the vehicle's make as text, or leave it out",
        "bad vehicle_make: give the vehicle's make as text, or leave it out"]
    [item] = city.server.ocr_pending()
    assert (item.vehicle_make, item.vehicle_color, item.vehicle_body) == ("Toyota", "White", "pickup")
    city.server.resolve_ocr(item.id, "7VAN002", 0.8, now)             # the OCR'd read keeps them

    ws.sync.configure(people.admin(), city.address, city.secret)
    s = people.user("dana.kim", "deputy")
    list(ws.sync.run(s))
    held = ws.store.query("SELECT plate, ifnull(vehicle_make, '-'), ifnull(vehicle_color, '-'), "
                          "ifnull(vehicle_body, '-') FROM reads ORDER BY plate, read_at")
    assert held == [("7VAN001", "Toyota", "White", "pickup"), ("7VAN001", "Honda", "blue", "-"),
                    ("7VAN001", "-", "-", "-"), ("7VAN001", "Ford", "-", "-"),
                    ("7VAN002", "Toyota", "White", "pickup")]
    # Search narrows by any of the three, whole words in any case, and the log records them.
    white = ws.search(s, SearchQuery(plate="7VAN001", vehicle_color="WHITE", vehicle_body=" Pickup"))
    assert [r.vehicle.text() for r in white.rows] == ["Toyota, White, pickup"]
    assert [r.plate for r in ws.search(s, SearchQuery(plate="7VAN002", vehicle_make="toyota")).rows] \
        == ["7VAN002"]
    assert ws.search(s, SearchQuery(plate="7VAN001", vehicle_make="Toy")).rows == []
    logged = json.loads(ws.store.query("SELECT query FROM access_log WHERE action = 'search' "
                                       "ORDER BY seq")[0][0])
    assert (logged["vehicle_color"], logged["vehicle_body"]) == ("WHITE", "Pickup")
    with pytest.raises(ValidationError, match="one line of at most 40"):
        ws.search(s, SearchQuery(plate="7VAN001", vehicle_make="T" * 41))
    # The detail and the evidence package say the same.
    every = ws.search(s, SearchQuery(plate="7VAN001")).rows
    assert ws.read_detail(s, white.rows[0].id).read.vehicle.make == "Toyota"
    (tmp_path / "out").mkdir()
    pkg = run(ws.evidence.export(s, ExportRequest([r.id for r in every], tmp_path / "out",
                                                  "Vehicle check"))).path
    rows = list(csv.DictReader(io.StringIO((pkg / "reads.csv").read_text())))
    assert sorted((r["vehicle_make"], r["vehicle_color"], r["vehicle_body"]) for r in rows) == [
        ("", "", ""), ("Ford", "", ""), ("Honda", "blue", ""), ("Toyota", "White", "pickup")]
    meta = json.loads((pkg / "metadata.json").read_text())
    assert sorted((r["vehicle_make"] or "", r["vehicle_body"] or "") for r in meta["reads"]) == [
        ("", ""), ("Ford", ""), ("Honda", ""), ("Toyota", "pickup")]
