"""The receiver fed the way OpenALPR agents and vendors' systems send: real HTTP posts to a
running receiver over both city-server backends; what lands is read back from the server."""
from __future__ import annotations

import pytest

from tests.receiver_helpers import (NOW, TOKEN, Clock, Running, alpr_group, b64,
                                    heartbeat, jpeg, photos)  # noqa: F401 - photos is a fixture
from tests.server_helpers import city  # noqa: F401 - the fixture


@pytest.fixture
def rx(city, photos):  # noqa: F811
    r = Running(city, photos, Clock())
    yield r
    r.service.stop()


def test_openalpr_group_lands_with_photos_state_and_vehicle(rx):
    status, out = rx.post("lv-agent", alpr_group("g1"))
    assert status == 200 and out["results"][0]["status"] == "stored"
    (read,) = rx.reads()
    rid, plate, read_at, camera, conf, vendor, box, psha, ssha, state, *_vehicle, _seq = read
    assert (plate, read_at, camera, state) == ("7ABC123", NOW - 60, "CAM-LV-N", "CA")
    assert conf == pytest.approx(0.934, abs=1e-4) and vendor == "OpenALPR alprd 4.1.1"
    assert box is None                     # the vehicle crop is not the frame the corners are in
    assert {i.kind for i in rx.city.server.images([psha, ssha])} == {"plate", "scene"}
    assert rx.sql("SELECT vehicle_make, vehicle_color, vehicle_body FROM reads WHERE id = ?", (rid,)) == \
        [("toyota", "silver-gray", "sedan-standard")]


def test_refused_without_the_token_and_counted(rx):
    assert rx.post("lv-agent", alpr_group("g2"), token=None)[0] == 401
    assert rx.post("lv-agent", alpr_group("g2"), token="wrong")[0] == 401
    assert rx.post("lv-agent", alpr_group("g2"), token=None, query=f"?token={TOKEN}")[0] == 400
    assert rx.post("nosuch", alpr_group("g2"))[0] == 404
    rx.pipeline.flush()
    counts = dict(((s, n), v) for (s, n), v in _counts(rx).items())
    assert counts[("lv-agent", "refused")] == 3 and counts[("(unknown source)", "refused")] == 1
    assert rx.reads() == []


def _counts(rx):
    from app.server.receiver.tables import ReceiverTables
    return ReceiverTables(rx.city.server).counts()


def test_bad_payloads_rejected_one_by_one_with_reasons(rx):
    assert rx.post("lv-agent", b"{not json")[0] == 422
    assert rx.post("lv-agent", '{"data_type": "alpr_group", "x": ' + "[" * 40 + "]" * 40 + "}")[0] == 422
    assert rx.post("lv-agent", alpr_group("g3", camera_id=9999))[0] == 422
    assert rx.post("lv-agent", alpr_group("g4", region="xx-zz"))[0] == 422
    bad_photo = alpr_group("g5")
    bad_photo["vehicle_crop_jpeg"] = b64(b"\xff\xd8\xff\xe0 not a jpeg at all")
    assert rx.post("lv-agent", bad_photo)[0] == 422
    assert rx.post("lv-agent", {"data_type": "video"})[0] == 422
    status, out = rx.post("lv-agent", alpr_group("g6", plate="8XYZ789"))
    assert status == 200 and out["results"][0]["status"] == "stored"
    rx.pipeline.flush()
    from app.server.receiver.tables import ReceiverTables
    reasons = [r[2] for r in ReceiverTables(rx.city.server).rejects()]
    assert any(r.startswith("webhook body is not valid JSON") for r in reasons)
    assert "webhook body is nested more than 32 levels deep" in reasons
    assert "unknown camera '9999'" in reasons
    assert any(r.startswith("bad state:") for r in reasons)
    assert any(r.startswith("corrupt image:") for r in reasons)
    assert any(r.startswith("unknown data_type 'video'") for r in reasons)
    assert [r[1] for r in rx.reads()] == ["8XYZ789"]


def test_vehicle_words_are_checked_as_at_the_camera_drop(rx):
    """One rule and one sentence for a vendor's vehicle words, whichever door the read came in by."""
    long_make, bell = alpr_group("v1"), alpr_group("v2")
    long_make["vehicle"]["make"][0]["name"] = "m" * 41
    bell["vehicle"]["body_type"][0]["name"] = "van\x07"
    assert rx.post("lv-agent", long_make)[0] == 422
    assert rx.post("lv-agent", bell)[0] == 422
    spaced = alpr_group("v3", plate="8XYZ790")
    spaced["vehicle"]["color"][0]["name"] = "  dark   blue "
    assert rx.post("lv-agent", spaced)[0] == 200
    rx.pipeline.flush()
    from app.server.receiver.tables import ReceiverTables
    assert [r[2] for r in ReceiverTables(rx.city.server).rejects()] == [
        "bad vehicle_body: it holds control characters or is not valid Unicode",
        "bad vehicle_make: longer than 40 characters"]
    assert rx.sql("SELECT vehicle_color FROM reads") == [("dark blue",)]


def test_previews_and_repeats_merge_by_source_id(rx):
    assert rx.post("lv-agent", alpr_group("g7", plate="7ABC12", preview=True, confidence=70.0))[1][
        "results"][0]["status"] == "settling"
    assert rx.post("lv-agent", alpr_group("g7", plate="7ABC123"))[1]["results"][0]["status"] == "stored"
    assert rx.post("lv-agent", alpr_group("g7", plate="7ABC123"))[1]["results"][0]["status"] == "duplicate"
    alert = {"data_type": "alpr_alert", "version": 2, "agent_uid": "AGENT1", "alert_list": "Stolen",
             "description": "stolen vehicle", "group": alpr_group("g7")}
    assert rx.post("lv-agent", alert)[1]["results"][0]["status"] == "duplicate"
    assert [r[1] for r in rx.reads()] == ["7ABC123"]
    # a preview whose final never comes is stored once the settle time has passed
    rx.post("lv-agent", alpr_group("g8", plate="6DEF456", preview=True))
    assert rx.pipeline.tick() == []
    rx.clock.t += 5
    assert [o.status for o in rx.pipeline.tick()] == ["stored"]
    assert sorted(r[1] for r in rx.reads()) == ["6DEF456", "7ABC123"]


def test_photos_fetched_from_the_agent_wait_while_it_is_down(rx, photos):
    photos.photos["/img/g9-1.jpg"] = jpeg(9)
    photos.photos["/crop/g9-1?crop"] = jpeg(10, 40, 20)
    status, out = rx.post("lv-agent", alpr_group("g9", images=False))
    assert status == 200 and out["results"][0]["status"] == "waiting"
    assert "cannot be reached" in out["results"][0]["reason"]
    assert rx.reads() == []
    rx.clock.t += 30
    assert [o.status for o in rx.pipeline.retry_due()] == ["waiting"]      # still down
    photos.start()
    assert rx.pipeline.retry_due() == []                                   # not due yet (back-off)
    rx.clock.t += 60
    assert [o.status for o in rx.pipeline.retry_due()] == ["stored"]
    (read,) = rx.reads()
    assert read[6] == "[30, 30, 40, 20]"                                   # the frame's corners fit
    assert rx.city.server.image(read[8]).data == jpeg(9)
    assert any(p.startswith("/crop/g9-1?x1=30&y1=30&x2=70&y2=50") for p in photos.asked)
    from app.server.receiver.tables import ReceiverTables
    assert ReceiverTables(rx.city.server).waiting() == 0


def test_photos_that_never_come_leave_the_read_stored_without_them(rx):
    rx.post("lv-agent", alpr_group("g10", images=False))
    rx.clock.t += 3601
    assert [o.status for o in rx.pipeline.retry_due()] == ["stored"]
    (read,) = rx.reads()
    assert read[7] is None and read[8] is None


def test_camera_health_from_heartbeats_and_gaps(rx):
    from app.server.receiver.tables import ReceiverTables
    tables = ReceiverTables(rx.city.server)
    rx.post("lv-agent", heartbeat([(1001, True), (1002, False)]))
    rx.pipeline.flush()
    assert tables.outages() == [("CAM-CC-E", NOW, None, "the camera system reports it is not running")]
    rx.clock.t += 120
    rx.post("lv-agent", alpr_group("g11", camera_id=1002))
    rx.pipeline.flush()
    assert tables.outages() == [("CAM-CC-E", NOW, NOW + 120, "the camera system reports it is not running")]
    rx.clock.t = NOW + 15 * 60 + 60             # CAM-LV-N last heard at NOW, CAM-CC-E at NOW + 120
    assert rx.pipeline.check_health() == ["CAM-LV-N"]
    assert tables.outages()[-1] == ("CAM-LV-N", NOW, None, "no read or heartbeat for 15 minutes")
    assert [r[1] for r in rx.city.server.feed("camera_outages", 0, 10)] == ["CAM-CC-E", "CAM-LV-N"]


GENETEC = """<?xml version="1.0" encoding="utf-8"?>
<Reads>
  <Read><Guid>5e1c2f4a-0001</Guid><Plate>4GHI567</Plate><State>CA</State><UTCDate>2026-11-20</UTCDate>
    <UTCTime>15:58:30</UTCTime><CameraName>CAM-LV-N</CameraName><ContextImage>{scene}</ContextImage>
    <PlateImage>{crop}</PlateImage><LongitudeX>-118.7047</LongitudeX><LatitudeY>34.1436</LatitudeY></Read>
  <Read><Guid>5e1c2f4a-0002</Guid><Plate>5JKL678</Plate><State>Nevada</State><UTCDate>2026-11-20</UTCDate>
    <UTCTime>15:59:00</UTCTime><CameraName>CAM-CC-E</CameraName><ContextImage>{scene2}</ContextImage>
    <PlateImage></PlateImage><LongitudeX>-118.6387</LongitudeX><LatitudeY>34.1573</LatitudeY></Read>
  <Read><Guid>5e1c2f4a-0003</Guid><Plate>BAD PLATE !!</Plate><State>CA</State><UTCDate>2026-11-20</UTCDate>
    <UTCTime>15:59:10</UTCTime><CameraName>CAM-CC-E</CameraName></Read>
</Reads>"""


def test_genetec_sharpv_xml_export(rx):
    body = GENETEC.format(scene=b64(jpeg(20)), crop=b64(jpeg(21, 40, 20)), scene2=b64(jpeg(22)))
    status, out = rx.post("genetec", body, content_type="application/xml")
    assert status == 200 and [r["status"] for r in out["results"]] == ["stored", "stored", "rejected"]
    assert out["results"][2]["reason"].startswith("bad plate read")
    got = {r[1]: (r[2], r[3], r[9], bool(r[7])) for r in rx.reads()}
    assert got == {"4GHI567": (NOW - 90, "CAM-LV-N", "CA", True), "5JKL678": (NOW - 60, "CAM-CC-E", "NV", False)}
    assert rx.post("genetec", body, content_type="application/xml")[1]["results"][0]["status"] == "duplicate"
    assert rx.post("genetec", "<Reads><Read>", content_type="application/xml")[0] == 422
    assert rx.post("genetec", '<!DOCTYPE r [<!ENTITY a "aaaa">]><Reads>&a;</Reads>',
                   content_type="application/xml")[0] == 422


def test_verkada_lpr_webhook_with_an_image_url(rx, photos):
    photos.photos["/verkada/img/77.jpg"] = jpeg(30)
    photos.start()
    body = {"org_id": "org-1", "webhook_type": "lpr", "created_at": NOW - 30, "webhook_id": "wh-1",
            "data": {"camera_id": "vk-cam-9", "created": NOW - 31, "license_plate_number": "3MNO890",
                     "confidence": 0.88, "image_url": f"{photos.url}/verkada/img/77.jpg?sig=SECRET"}}
    status, out = rx.post("verkada", body)
    assert status == 200 and out["results"][0]["status"] == "stored"
    (read,) = rx.reads()
    assert (read[1], read[2], read[3], read[9]) == ("3MNO890", NOW - 31, "CAM-CC-E", None)
    elsewhere = dict(body, data=dict(body["data"], created=NOW - 20,
                                     image_url="http://203.0.113.9/x.jpg?sig=SECRET"))
    status, out = rx.post("verkada", elsewhere)
    assert status == 422 and "not on a host configured" in out["results"][0]["reason"]
    assert "SECRET" not in out["results"][0]["reason"]


def test_plate_recognizer_stream_webhook_multipart_and_csv(rx):
    doc = {"hook": {"target": "http://receiver/sources/platerec", "id": "camera-1", "event": "recognition",
                    "filename": "camera-1_screenshots/26-11-20/15-58-00.000000.jpg"},
           "data": {"camera_id": "camera-1", "filename": "camera-1_screenshots/26-11-20/15-58-00.000000.jpg",
                    "timestamp": "2026-11-20T15:58:00.000000Z", "timestamp_local": "2026-11-20 03:58:00-08:00",
                    "results": [{"box": {"xmin": 20, "ymin": 30, "xmax": 60, "ymax": 50},
                                 "candidates": [{"plate": "2pqr345", "score": 0.91}], "dscore": 0.8,
                                 "plate": "2pqr345", "region": {"code": "us-ca", "score": 0.7}, "score": 0.91,
                                 "vehicle": {"type": "Sedan", "score": 0.8,
                                             "box": {"xmin": 0, "ymin": 0, "xmax": 90, "ymax": 60}},
                                 "model_make": [{"make": "Honda", "model": "Civic", "score": 0.6}],
                                 "color": [{"color": "blue", "score": 0.7}], "direction": 210}]}}
    import json
    boundary = "xXbOuNdArYxX"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n{json.dumps(doc)}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + jpeg(40) + f"\r\n--{boundary}--\r\n".encode()
    status, out = rx.post("platerec", body, content_type=f"multipart/form-data; boundary={boundary}")
    assert status == 200 and out["results"][0]["status"] == "stored"
    (read,) = rx.reads()
    assert (read[1], read[3], read[6], read[9]) == ("2PQR345", "CAM-LV-N", "[20, 30, 40, 20]", "CA")
    assert rx.sql("SELECT vehicle_make, vehicle_color, vehicle_body FROM reads") == [("Honda", "blue", "Sedan")]
    csv_body = ("camera_id,filename,timestamp,timestamp_local,plate,score,dscore,region_code,vehicle_type\n"
                "camera-1,f1.jpg,2026-11-20T15:50:00Z,,1stu234,0.9,0.8,us-az,SUV\n"
                "camera-1,f2.jpg,2026-11-20T15:51:00Z,,9vwx012,1.7,0.8,us-ca,Sedan\n")
    status, out = rx.post("platerec-csv", csv_body, content_type="text/csv")
    assert [r["status"] for r in out["results"]] == ["stored", "rejected"]
    assert out["results"][1]["reason"].startswith("bad confidence")
    assert {r[1]: r[9] for r in rx.reads()}["1STU234"] == "AZ"


def test_a_restarted_database_is_a_503_then_the_receiver_reconnects(city, photos):  # noqa: F811
    if city.kind != "postgresql":
        pytest.skip("the embedded server has no connection to lose")
    from tests.server_helpers import pg_restart
    rx = Running(city, photos, Clock())
    try:
        assert rx.post("lv-agent", alpr_group("r1"))[1]["results"][0]["status"] == "stored"
        pg_restart()
        status, out = rx.post("lv-agent", alpr_group("r2"))
        assert status == 503 and "send again" in out["results"][0]["reason"]
        assert rx.post("lv-agent", alpr_group("r2"))[1]["results"][0]["status"] == "stored"
        city.reconnect()
        assert len(rx.reads()) == 2
    finally:
        rx.service.stop()
