"""The MQTT door: the receiver subscribes to each Frigate source's topics on the broker.

The broker's login is the receiver's own (its password from the ``mqtt-password`` secret); who
may publish Frigate's topics is the broker's ACL. Messages are handed to a small pool so a
slow store never stalls the broker connection; a message we cannot use is its reject.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import paho.mqtt.client as mqtt

from . import frigate
from .config import Mqtt, Source
from .pipeline import Pipeline

log = logging.getLogger(__name__)
TOPICS = ("tracked_object_update", "events")


class MqttDoor:
    def __init__(self, pipeline: Pipeline, cfg: Mqtt, sources: list[Source], password: str | None) -> None:
        self.pipeline, self.cfg, self.sources = pipeline, cfg, sources
        self.pool = ThreadPoolExecutor(4, thread_name_prefix="receiver-mqtt")
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="alpr-receiver",
                                  clean_session=True)
        if cfg.username:
            self.client.username_pw_set(cfg.username, password)
        if cfg.tls:
            self.client.tls_set()
        self.client.on_connect = self._connected
        self.client.on_message = self._message
        self.subscribed = threading.Event()           # set once the broker confirmed the topics
        self.client.on_subscribe = lambda *_a: self.subscribed.set()

    def start(self) -> None:
        self.client.connect(self.cfg.host, self.cfg.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.pool.shutdown(wait=True)

    def _connected(self, client, _userdata, _flags, reason, _props=None) -> None:
        if reason.is_failure:
            log.error("the MQTT broker refused the receiver: %s", reason)
            return
        client.subscribe([(f"{s.topic_prefix}/{t}", 1) for s in self.sources for t in TOPICS])

    def _message(self, _client, _userdata, msg) -> None:
        for source in self.sources:
            if msg.topic.startswith(source.topic_prefix + "/"):
                self.pool.submit(self._handle, source, msg.topic, bytes(msg.payload))

    def _handle(self, source: Source, topic: str, payload: bytes) -> None:
        try:
            self.pipeline.accept(list(frigate.parse(topic, payload, source)))
        except Exception as exc:  # noqa: BLE001 - one message's fault never stops the door
            self.pipeline.reject(source.name, f"this message could not be stored ({type(exc).__name__})", topic)
