"""Fixtures for the receiver's tests: a running receiver (real HTTP on an ephemeral port) over
the ``city`` server, payloads written from the vendors' documented field lists, and a camera
system's photo server that can be down and then up."""
from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
import urllib.error
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest

from app.server.connect import open_server
from app.server.receiver import config
from app.server.receiver.service import Service
from tests.server_helpers import CAMS

NOW = 1_795_190_400                  # 2026-11-20 16:00 UTC; the receiver's clock in these tests
TOKEN = "agent-token-Qx7"
TOKEN_SHA = hashlib.sha256(TOKEN.encode()).hexdigest()


def jpeg(seed: int, w: int = 96, h: int = 64) -> bytes:
    rng = np.random.default_rng(seed)
    ok, buf = cv2.imencode(".jpg", rng.integers(0, 255, (h, w, 3), dtype=np.uint8))
    assert ok
    return buf.tobytes()


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Clock:
    def __init__(self, t: float = NOW) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class PhotoServer:
    """An OpenALPR agent's or Frigate's photo API on a fixed local port; ``start`` brings it up."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.photos: dict[str, bytes] = {}
        self.asked: list[str] = []
        self.httpd: ThreadingHTTPServer | None = None

    def start(self) -> None:
        photos, asked = self.photos, self.asked

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                asked.append(self.path)
                data = photos.get(self.path.split("?")[0] + ("?crop" if "crop" in self.path else ""))
                data = data or photos.get(self.path.split("?")[0])
                self.send_response(200 if data else 404)
                self.send_header("Content-Type", "image/jpeg")
                self.end_headers()
                if data:
                    self.wfile.write(data)

            def log_message(self, *_a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()


def receiver_config(photos: PhotoServer, mqtt_port: int | None = None) -> config.Config:
    doc = {"server": "embedded:/unused", "host": "127.0.0.1", "port": 0, "settle_seconds": 3,
           "health_gap_minutes": 15, "retry_give_up_minutes": 60,
           "sources": [
               {"name": "lv-agent", "kind": "openalpr", "token_sha256": TOKEN_SHA, "base_url": photos.url,
                "cameras": {"AGENT1/1001": "CAM-LV-N", "1002": "CAM-CC-E"}},
               {"name": "genetec", "kind": "mapping", "mapping": "genetec_sharpv", "token_sha256": TOKEN_SHA},
               {"name": "verkada", "kind": "mapping", "mapping": "verkada_lpr", "token_sha256": TOKEN_SHA,
                "image_hosts": ["127.0.0.1"], "cameras": {"vk-cam-9": "CAM-CC-E"}},
               {"name": "platerec", "kind": "mapping", "mapping": "plate_recognizer_stream",
                "token_sha256": TOKEN_SHA, "cameras": {"camera-1": "CAM-LV-N"}},
               {"name": "platerec-csv", "kind": "mapping", "mapping": "plate_recognizer_csv",
                "token_sha256": TOKEN_SHA, "cameras": {"camera-1": "CAM-LV-N"}},
               {"name": "frigate", "kind": "frigate", "base_url": photos.url, "topic_prefix": "frigate",
                "cameras": {"driveway": "CAM-CC-E"}}]}
    if mqtt_port:
        doc["mqtt"] = {"host": "127.0.0.1", "port": mqtt_port}
    else:
        doc["sources"] = doc["sources"][:-1]
    return config.parse(doc)


class Running:
    def __init__(self, city, photos: PhotoServer, clock: Clock, mqtt_port: int | None = None) -> None:
        city.server.put_cameras(CAMS)
        address, secret = (city.address, city.key) if city.kind == "embedded" else (city.dsn, None)
        self.city, self.clock, self.photos = city, clock, photos
        self.service = Service(receiver_config(photos, mqtt_port), lambda: open_server(address, secret),
                               clock, timers=False)
        self.pipeline = self.service.pipeline
        self.port = self.service.start()

    def post(self, source: str, body: bytes | dict | str, token: str | None = TOKEN,
             content_type: str = "application/json", query: str = "") -> tuple[int, dict]:
        data = json.dumps(body).encode() if isinstance(body, dict) else \
            body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/sources/{source}{query}", data=data,
                                     headers={"Content-Type": content_type}, method="POST")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def reads(self) -> list[tuple]:
        return self.city.server.feed("reads", 0, 1000)

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        s = self.city.server
        with s._reading() as conn:
            return s._run(conn, query, params)


@pytest.fixture
def photos():
    p = PhotoServer()
    yield p
    p.stop()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def alpr_group(uuid: str, plate: str = "7ABC123", *, camera_id: int = 1001, agent: str = "AGENT1",
               epoch_ms: int = (NOW - 60) * 1000, preview: bool = False, images: bool = True,
               region: str = "us-ca", confidence: float = 93.4) -> dict:
    """An OpenALPR agent's ``alpr_group`` webhook, field for field as documented."""
    doc = {
        "version": 2, "data_type": "alpr_group", "epoch_start": epoch_ms, "epoch_end": epoch_ms + 1800,
        "frame_start": 120, "frame_end": 160, "company_id": "c0mpany", "agent_uid": agent,
        "agent_version": "4.1.1", "agent_type": "alprd", "camera_id": camera_id,
        "gps_latitude": 34.1436, "gps_longitude": -118.7047, "country": "us",
        "uuids": [f"{uuid}-0", f"{uuid}-1"], "vehicle_path": [{"x": 10, "y": 10, "w": 40, "h": 30, "f": 120}],
        "plate_indexes": [0, 0],
        "candidates": [{"plate": plate, "confidence": confidence, "matches_template": 1},
                       {"plate": plate[:-1] + "8", "confidence": 71.2, "matches_template": 0}],
        "best_plate": {"plate": plate, "confidence": confidence, "matches_template": 1, "plate_index": 0,
                       "region": "ca", "region_confidence": 88, "processing_time_ms": 21.5,
                       "requested_topn": 10,
                       "coordinates": [{"x": 30, "y": 30}, {"x": 70, "y": 31}, {"x": 70, "y": 50},
                                       {"x": 30, "y": 49}]},
        "best_confidence": confidence, "best_plate_number": plate, "best_region": region,
        "best_region_confidence": 88, "matches_template": 1, "best_uuid": f"{uuid}-1",
        "best_image_width": 96, "best_image_height": 64, "travel_direction": 182.5, "is_parked": False,
        "is_preview": preview,
        "vehicle": {"color": [{"name": "silver-gray", "confidence": 81.0}],
                    "make": [{"name": "toyota", "confidence": 77.0}],
                    "make_model": [{"name": "toyota_camry", "confidence": 60.0}],
                    "body_type": [{"name": "sedan-standard", "confidence": 90.0}],
                    "year": [{"name": "2015-2019", "confidence": 40.0}]},
    }
    if images:
        doc["vehicle_crop_jpeg"] = b64(jpeg(zlib.crc32(uuid.encode()) % 1000))
        doc["best_plate"]["plate_crop_jpeg"] = b64(jpeg(zlib.crc32(uuid.encode()) % 1000 + 1, 40, 20))
    return doc


def heartbeat(streams: list[tuple[int, bool]], agent: str = "AGENT1") -> dict:
    """An agent's ``heartbeat``, as documented (the fields the receiver reads and others)."""
    return {"data_type": "heartbeat", "version": 2, "agent_uid": agent, "agent_version": "4.1.1",
            "openalpr_version": "2.8.101", "agent_type": "alprd", "timestamp": NOW * 1000,
            "system_uptime_seconds": 86400, "daemon_uptime_seconds": 3600, "cpu_cores": 4,
            "license_valid": True,
            "video_streams": [{"camera_id": cam, "camera_name": f"cam {cam}", "fps": 10 if on else 0,
                               "is_streaming": on, "url": "rtsp://camera.local/stream",
                               "last_plate_read": NOW * 1000, "last_update": NOW * 1000}
                              for cam, on in streams]}
