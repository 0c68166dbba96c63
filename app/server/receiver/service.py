"""``alpr server receive``: the doors (HTTP by uvicorn, MQTT by paho), the pipeline's writer
thread and a timer for what happens on a schedule (previews that settled, the retry queue,
camera health, the watched hotlist folder), run together until a signal stops them."""
from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

import uvicorn

from app.server.base import CityServer

from . import mapping
from .config import Config
from .http import app
from .mqtt import MqttDoor
from .pipeline import Pipeline

log = logging.getLogger(__name__)
TICK_S, RETRY_S, HEALTH_S = 0.2, 10.0, 60.0


class Service:
    def __init__(self, cfg: Config, open_server: Callable[[], CityServer], clock: Callable[[], float], *,
                 mqtt_password: str | None = None, timers: bool = True,
                 hotlists: Callable[[], None] | None = None) -> None:
        self.cfg = cfg
        self.pipeline = Pipeline(open_server, cfg.sources, clock, settle_seconds=cfg.settle_seconds,
                                 give_up_seconds=cfg.retry_give_up_minutes * 60,
                                 gap_seconds=cfg.health_gap_minutes * 60)
        mappings = {s.name: mapping.load(s.mapping) for s in cfg.sources.values() if s.kind == "mapping" and s.mapping}
        self.http = uvicorn.Server(uvicorn.Config(
            app(self.pipeline, cfg.sources, cfg.max_body_mb * 1024 * 1024, mappings),
            log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=30))
        frigates = [s for s in cfg.sources.values() if s.kind == "frigate"]
        self.mqtt = MqttDoor(self.pipeline, cfg.mqtt, frigates, mqtt_password) \
            if cfg.mqtt and frigates else None
        self.timers, self.hotlists = timers, hotlists
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.port = 0

    def start(self) -> int:
        """Start everything in the background; returns the HTTP port (the configured one, or
        the one the system chose for port 0)."""
        self.pipeline.start()
        sock = socket.socket(socket.AF_INET6 if ":" in self.cfg.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.cfg.host, self.cfg.port))
        self.port = sock.getsockname()[1]
        self._spawn(lambda: self.http.run(sockets=[sock]), "receiver-http")
        if self.mqtt:
            self.mqtt.start()
        if self.timers:
            self._spawn(self._timer, "receiver-timer")
        deadline = time.monotonic() + 10
        while not self.http.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.port

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def _timer(self) -> None:
        due = {"retry": 0.0, "health": time.monotonic() + HEALTH_S, "hotlists": 0.0}
        while not self._stop.wait(TICK_S):
            now = time.monotonic()
            jobs: list[tuple[str, Callable[[], object], float]] = [
                ("retry", self.pipeline.retry_due, RETRY_S), ("health", self.pipeline.check_health, HEALTH_S)]
            if self.hotlists:
                jobs.append(("hotlists", self.hotlists, self.cfg.hotlist_every_minutes * 60.0))
            try:
                self.pipeline.tick()
                for name, job, every in jobs:
                    if now >= due[name]:
                        due[name] = now + every
                        job()
            except Exception as exc:  # noqa: BLE001 - the next round tries again; the service stays up
                log.error("scheduled receiver work failed: %s", type(exc).__name__)

    def stop(self) -> None:
        self._stop.set()
        self.http.should_exit = True
        if self.mqtt:
            self.mqtt.stop()
        for t in self._threads:
            t.join(timeout=10)
        self.pipeline.tick()
        self.pipeline.stop()

    def run(self) -> None:
        """Run until SIGTERM or Ctrl-C (systemd stops the unit with SIGTERM)."""
        import signal
        self.start()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self._stop.set())
        self._stop.wait()
        self.stop()
