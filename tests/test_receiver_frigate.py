"""Frigate's LPR messages through a real Mosquitto broker (scripts/with-mosquitto) into the
receiver, photos from a Frigate-like HTTP API; both city-server backends."""
from __future__ import annotations

import json
import os
import time

import paho.mqtt.client as mqtt
import pytest

from tests.receiver_helpers import NOW, Clock, Running, jpeg, photos  # noqa: F401 - photos is a fixture
from tests.server_helpers import city  # noqa: F401 - the fixture

PORT = int(os.environ.get("ALPR_TEST_MQTT_PORT") or 0)
pytestmark = pytest.mark.skipif(not PORT, reason="ALPR_TEST_MQTT_PORT is not set: run the suite "
                                "with scripts/test (it starts a throwaway Mosquitto)")


@pytest.fixture
def rx(city, photos):  # noqa: F811
    photos.start()
    r = Running(city, photos, Clock(), mqtt_port=PORT)
    assert r.service.mqtt.subscribed.wait(10)
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    pub.connect("127.0.0.1", PORT)
    pub.loop_start()
    r.publish = lambda topic, doc: pub.publish(topic, json.dumps(doc), qos=1).wait_for_publish(5)
    yield r
    pub.loop_stop()
    pub.disconnect()
    r.service.stop()


def _until(predicate, seconds: float = 10.0):
    """Wait for what another thread does (messages cross the broker); not a clock in the code."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the receiver")


def lpr_update(event: str, plate: str, score: float, ts: float) -> dict:
    """``frigate/tracked_object_update``, type lpr, as Frigate 0.16+ sends it (plate_box: 0.18)."""
    return {"type": "lpr", "id": event, "camera": "driveway", "timestamp": ts, "plate": plate,
            "score": score, "name": None, "plate_box": [20, 30, 60, 46]}


def event(kind: str, event_id: str, plate: str | None, score: float | None) -> dict:
    """``frigate/events``: before/after objects with the LPR fields."""
    after = {"id": event_id, "camera": "driveway", "frame_time": NOW - 40, "label": "car",
             "sub_label": None, "top_score": 0.84, "false_positive": False, "start_time": NOW - 45.5,
             "end_time": NOW - 30.0 if kind == "end" else None, "score": 0.84, "box": [10, 10, 90, 60],
             "area": 4000, "region": [0, 0, 96, 64], "current_zones": [], "entered_zones": [],
             "has_clip": True, "has_snapshot": True, "recognized_license_plate": plate,
             "recognized_license_plate_score": score}
    return {"type": kind, "before": dict(after, recognized_license_plate=None), "after": after}


def test_frigate_updates_and_event_end_become_one_read_with_snapshots(rx, photos):
    ev = "1795190355.123456-abc123"
    photos.photos[f"/api/events/{ev}/snapshot.jpg"] = jpeg(50)
    photos.photos[f"/api/events/{ev}/snapshot.jpg?crop"] = jpeg(51, 40, 20)
    rx.publish("frigate/tracked_object_update", lpr_update(ev, "1ABC23", 0.71, NOW - 44))
    rx.publish("frigate/tracked_object_update", lpr_update(ev, "1ABC234", 0.93, NOW - 43))
    rx.publish("frigate/events", event("update", ev, "1ABC234", 0.93))
    rx.publish("frigate/events", {"type": "new", "before": {}, "after": {"id": "no-plate", "camera": "driveway"}})
    rx.publish("frigate/events", event("end", ev, "1ABC234", 0.93))
    (read,) = _until(rx.reads)
    assert (read[1], read[2], read[3], read[9]) == ("1ABC234", NOW - 46, "CAM-CC-E", None)   # state unknown
    assert rx.city.server.image(read[8]).data == jpeg(50)
    assert rx.city.server.image(read[7]).data == jpeg(51, 40, 20)
    rx.publish("frigate/events", event("end", ev, "1ABC234", 0.93))          # again: a duplicate
    rx.pipeline.flush()
    _until(lambda: _count(rx, "duplicate"))
    assert len(rx.reads()) == 1


def _count(rx, name: str) -> int:
    from app.server.receiver.tables import ReceiverTables
    rx.pipeline.flush()
    return ReceiverTables(rx.city.server).counts().get(("frigate", name), 0)


def test_an_update_without_its_end_is_stored_after_the_settle_time(rx, photos):
    ev = "1795190360.5-def456"
    photos.photos[f"/api/events/{ev}/snapshot.jpg"] = jpeg(60)
    rx.publish("frigate/tracked_object_update", lpr_update(ev, "2DEF345", 0.9, NOW - 20))
    _until(lambda: rx.pipeline._settling)
    rx.clock.t += 4
    assert [o.status for o in rx.pipeline.tick()] == ["stored"]
    (read,) = rx.reads()
    assert (read[1], read[6]) == ("2DEF345", "[20, 30, 40, 16]")


def test_a_bad_message_is_rejected_and_the_next_one_still_lands(rx, photos):
    ev = "1795190370.1-ghi789"
    photos.photos[f"/api/events/{ev}/snapshot.jpg"] = jpeg(70)
    rx.service.mqtt.client.publish("frigate/events", b"{broken")
    rx.publish("frigate/events", event("end", "unknown-cam", "3GHI456", 0.9) | {
        "after": event("end", "x", "3GHI456", 0.9)["after"] | {"camera": "garage"}})
    rx.publish("frigate/events", event("end", ev, "4JKL567", 0.88))
    _until(rx.reads)
    assert [r[1] for r in rx.reads()] == ["4JKL567"]
    _until(lambda: _count(rx, "rejected") >= 2)
    from app.server.receiver.tables import ReceiverTables
    reasons = [r[2] for r in ReceiverTables(rx.city.server).rejects()]
    assert any(r.startswith("MQTT message is not valid JSON") for r in reasons)
    assert "unknown camera 'garage'" in reasons
