"""``alpr demo setup --via-receiver``: part of the demo city's traffic takes the real path, as
OpenALPR webhooks over HTTP and Frigate events through Mosquitto, into the embedded server."""
from __future__ import annotations

from app.server.connect import open_server
from app.server.demo_setup import build_city
from app.server.embedded import EmbeddedServer
from tests.test_democity import NOON_PACIFIC


def test_demo_city_sends_part_of_its_traffic_through_the_receiver(tmp_path):
    steps = build_city(tmp_path / "city", "amanager", "Correct-Horse-7-Battery-Staple", retention_days=730,
                       days=1, reads_per_day=80, now=NOON_PACIFIC, ocr=False, via_receiver=True)
    said = []
    while True:
        try:
            said.append(next(steps).message)
        except StopIteration:
            break
    assert any(m.startswith("  receiver: demo-agent stored") for m in said), said
    key = EmbeddedServer.unlock(tmp_path / "city", "amanager", "Correct-Horse-7-Battery-Staple", NOON_PACIFIC)
    with open_server(f"embedded:{tmp_path / 'city'}", key.hex()) as server:
        vendors = {r[5] for r in server.feed("reads", 0, 100000)}
    assert "OpenALPR alprd 4.1.1" in vendors
    assert "Frigate LPR" in vendors, said           # scripts/test runs a Mosquitto; so does the demo where installed
