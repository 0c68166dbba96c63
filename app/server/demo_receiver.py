"""The demo's real path: part of the demo city's traffic goes through the receiver, as an
OpenALPR agent's ``alpr_group`` webhooks (photos as base64) and, where Mosquitto is installed,
Frigate's MQTT ``events`` with the snapshots served by a Frigate-like photo API; the rest is
ingested from drops as before. Used by ``alpr demo setup --via-receiver``."""
from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

from .connect import open_server
from .ingest import parse_time
from .receiver import config
from .receiver.service import Service
from .receiver.tables import ReceiverTables


def set_aside(folder: Path, every: int = 10) -> Path:
    """Move every ``every``-th drop with a plate read (sidecar and photos) into ``receiver/``."""
    aside = folder / "receiver"
    aside.mkdir(exist_ok=True)
    plated = [(p, doc) for p in sorted(folder.glob("*.json"))
              if (doc := _load(p)) and doc.get("plate") and doc.get("scene_image")]
    for sidecar, doc in plated[::every]:
        for name in (doc.get("scene_image"), doc.get("plate_image")):
            if name and (folder / name).is_file():
                shutil.move(str(folder / name), aside / name)
        shutil.move(str(sidecar), aside / sidecar.name)
    return aside


def _load(path: Path) -> dict | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _broker() -> Iterator[int | None]:
    """A throwaway Mosquitto on a free local port, or None where it is not installed."""
    exe = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)
    if exe is None:
        yield None
        return
    port, folder = _port(), Path(tempfile.mkdtemp(prefix="alpr-demo-mqtt-"))
    (folder / "mosquitto.conf").write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    proc = subprocess.Popen([exe, "-c", str(folder / "mosquitto.conf")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _photo_api(folder: Path, events: dict[str, dict]) -> Iterator[str]:
    """Frigate's snapshot API over the set-aside photos: /api/events/{id}/snapshot.jpg[?crop=1]."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            parts = self.path.split("?")[0].split("/")
            doc = events.get(parts[3]) if len(parts) == 5 else None
            name = doc and (doc.get("plate_image") if "crop=1" in self.path else doc.get("scene_image"))
            data = (folder / name).read_bytes() if name and (folder / name).is_file() else None
            self.send_response(200 if data else 404)
            self.end_headers()
            if data:
                self.wfile.write(data)

        def log_message(self, *_a):
            pass
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _group(doc: dict, folder: Path, now: int) -> dict:
    """A drop as an OpenALPR agent's alpr_group webhook."""
    ts = parse_time(doc["time"], now)
    crop = doc.get("plate_image")
    best: dict = {"plate": doc["plate"], "confidence": round(doc.get("confidence", 0.9) * 100, 1)}
    if crop and (folder / crop).is_file():
        best["plate_crop_jpeg"] = base64.b64encode((folder / crop).read_bytes()).decode()
    return {"data_type": "alpr_group", "version": 2, "epoch_start": ts * 1000, "epoch_end": ts * 1000 + 900,
            "agent_uid": "demo-agent", "agent_type": "alprd", "agent_version": "4.1.1",
            "camera_id": doc["camera"], "uuids": [Path(doc["scene_image"]).stem], "best_plate": best,
            "best_plate_number": doc["plate"], "best_confidence": best["confidence"],
            "best_region": f"us-{(doc.get('state') or '').lower()}" if len(doc.get("state") or "") == 2
            else doc.get("state"), "best_uuid": Path(doc["scene_image"]).stem, "is_preview": False,
            "vehicle_crop_jpeg": base64.b64encode((folder / doc["scene_image"]).read_bytes()).decode()}


def send(server_dir: Path, key_hex: str, folder: Path, now: int) -> dict[str, int]:
    """Send the set-aside drops through a receiver on the demo's server: half as OpenALPR
    webhooks, half as Frigate events (all as webhooks where Mosquitto is missing). Returns
    the receiver's counts per source and outcome."""
    import paho.mqtt.client as mqtt
    docs = [(p.stem, d) for p in sorted(folder.glob("*.json")) if (d := _load(p))]
    token = secrets.token_urlsafe(24)
    with _broker() as mqtt_port, _photo_api(folder, {s: d for s, d in docs}) as api:
        sources: list[dict] = [{"name": "demo-agent", "kind": "openalpr",
                                "token_sha256": hashlib.sha256(token.encode()).hexdigest()}]
        doc: dict = {"server": f"embedded:{server_dir}", "port": 0, "sources": sources}
        if mqtt_port:
            sources.append({"name": "demo-frigate", "kind": "frigate", "base_url": api})
            doc["mqtt"] = {"host": "127.0.0.1", "port": mqtt_port}
        service = Service(config.parse(doc), lambda: open_server(f"embedded:{server_dir}", key_hex),
                          lambda: now, timers=False)
        port = service.start()
        try:
            if service.mqtt:
                service.mqtt.subscribed.wait(10)
            pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2) if mqtt_port else None
            if pub is not None and mqtt_port:
                pub.connect("127.0.0.1", mqtt_port)
                pub.loop_start()
            sent_mqtt = 0
            for i, (stem, d) in enumerate(docs):
                if pub is not None and i % 2:
                    ts = parse_time(d["time"], now)
                    after = {"id": stem, "camera": d["camera"], "label": "car", "start_time": ts,
                             "end_time": ts + 2, "recognized_license_plate": d["plate"],
                             "recognized_license_plate_score": d.get("confidence", 0.9), "has_snapshot": True}
                    pub.publish("frigate/events", json.dumps({"type": "end", "before": after, "after": after}),
                                qos=1).wait_for_publish(5)
                    sent_mqtt += 1
                    continue
                req = urllib.request.Request(f"http://127.0.0.1:{port}/sources/demo-agent",
                                             json.dumps(_group(d, folder, now)).encode(),
                                             {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
                with contextlib.suppress(urllib.error.HTTPError), urllib.request.urlopen(req, timeout=30):
                    pass
            deadline = time.monotonic() + 30
            while sent_mqtt and time.monotonic() < deadline:
                service.pipeline.flush()
                done = service.pipeline.call(lambda s, t: sum(
                    v for (src, _n), v in t.counts().items() if src == "demo-frigate"))
                if done >= sent_mqtt:          # type: ignore[operator]  # the count is an int
                    break
                time.sleep(0.1)
            if pub is not None:
                pub.loop_stop()
                pub.disconnect()
        finally:
            service.stop()
        with open_server(f"embedded:{server_dir}", key_hex) as server:
            return {f"{src} {name}": n for (src, name), n in ReceiverTables(server).counts().items()}
