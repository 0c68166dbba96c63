"""The receiver's configuration: one TOML file, declared here once and checked at start, so a
mistake is one sentence before the service listens rather than a fault at the first read.

Nothing secret is in it: a source's token is kept as its SHA-256 (``token_sha256``), and the
city server's and the MQTT broker's passwords come from ``secrets`` (systemd credentials or
the OS keyring). Example in docs/server.md.
"""
from __future__ import annotations

import re
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from app.engine.errors import ValidationError
from app.server.connect import has_secret

KINDS = ("openalpr", "frigate", "mapping")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Source:
    name: str
    kind: str                                   # openalpr, frigate or mapping
    token_sha256: str | None = None             # HTTP sources: SHA-256 of the token they send
    cameras: dict[str, str] = field(default_factory=dict)   # the source's camera -> our camera id
    base_url: str | None = None                 # the agent or Frigate API photos are fetched from
    image_hosts: frozenset[str] = frozenset()   # hosts a payload's image URL may name
    mapping: str | None = None                  # a shipped mapping's name or a file
    topic_prefix: str = "frigate"               # MQTT (Frigate)


@dataclass(frozen=True)
class Mqtt:
    host: str
    port: int = 1883
    username: str | None = None                 # password: the "mqtt-password" secret
    tls: bool = False


@dataclass(frozen=True)
class Config:
    server: str
    operator: str | None = None                 # embedded server: whose key slot opens it
    host: str = "127.0.0.1"
    port: int = 8355
    max_body_mb: int = 30
    settle_seconds: int = 3                     # how long a preview waits for its final version
    retry_give_up_minutes: int = 60             # then a read is stored without its photos
    health_gap_minutes: int = 15                # silent this long: the camera is offline
    hotlist_folder: str | None = None           # watched for hotlist files
    hotlist_every_minutes: int = 5
    mqtt: Mqtt | None = None
    sources: dict[str, Source] = field(default_factory=dict)


def _int(doc: dict, key: str, default: int, low: int, high: int) -> int:
    value = doc.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(f"Receiver configuration: {key} must be a whole number from {low} to {high}.")
    return value


def _text(doc: dict, key: str, required: bool = False) -> str | None:
    value = doc.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"Receiver configuration: {key} must be text.")
    return value.strip()


def _source(doc: object) -> Source:
    if not isinstance(doc, dict):
        raise ValidationError("Receiver configuration: each [[sources]] entry is a table.")
    name = _text(doc, "name", True) or ""
    if not _NAME.fullmatch(name):
        raise ValidationError(f"Receiver configuration: source name {name[:40]!r} must be lower-case "
                              "letters, digits, '.', '_' or '-' (at most 40).")
    kind = _text(doc, "kind", True)
    if kind not in KINDS:
        raise ValidationError(f"Receiver configuration: source {name}: kind must be one of {', '.join(KINDS)}.")
    token = _text(doc, "token_sha256")
    if token is not None and not _SHA.fullmatch(token):
        raise ValidationError(f"Receiver configuration: source {name}: token_sha256 must be 64 hex "
                              "digits (alpr server receive --new-token prints one).")
    if kind != "frigate" and token is None:
        raise ValidationError(f"Receiver configuration: source {name} takes HTTP posts and needs a "
                              "token_sha256 (alpr server receive --new-token prints one).")
    cams = doc.get("cameras", {})
    if not isinstance(cams, dict) or not all(isinstance(v, str) for v in cams.values()):
        raise ValidationError(f"Receiver configuration: source {name}: cameras maps the source's camera "
                              "names to camera ids (text).")
    base = _text(doc, "base_url")
    hosts = set(h.lower() for h in doc.get("image_hosts", []) if isinstance(h, str))
    if base is not None:
        if has_secret(base) or urllib.parse.urlsplit(base).password:
            raise ValidationError(f"Receiver configuration: source {name}: base_url must not hold a password.")
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise ValidationError(f"Receiver configuration: source {name}: base_url must be http(s)://host:port.")
        hosts.add((urllib.parse.urlsplit(base).hostname or "").lower())
    mapping = _text(doc, "mapping")
    if kind == "mapping" and mapping is None:
        raise ValidationError(f"Receiver configuration: source {name} needs mapping = NAME or a file.")
    return Source(name, kind, token, {str(k): v for k, v in cams.items()}, base.rstrip("/") if base else None,
                  frozenset(hosts), mapping, _text(doc, "topic_prefix") or "frigate")


def parse(doc: dict) -> Config:
    server = _text(doc, "server", True) or ""
    if has_secret(server):
        raise ValidationError("Receiver configuration: the server address must not hold a password "
                              "(it comes from the server-password credential).")
    sources = {}
    for s in map(_source, doc.get("sources", [])):
        if s.name in sources:
            raise ValidationError(f"Receiver configuration: source {s.name} is named twice.")
        sources[s.name] = s
    if not sources:
        raise ValidationError("Receiver configuration: name at least one [[sources]] entry.")
    mq = doc.get("mqtt")
    mqtt = None
    if isinstance(mq, dict):
        mqtt = Mqtt(_text(mq, "host", True) or "", _int(mq, "port", 1883, 1, 65535),
                    _text(mq, "username"), bool(mq.get("tls", False)))
    elif any(s.kind == "frigate" for s in sources.values()):
        raise ValidationError("Receiver configuration: a frigate source needs an [mqtt] broker.")
    return Config(server, _text(doc, "operator"), _text(doc, "host") or "127.0.0.1",
                  _int(doc, "port", 8355, 0, 65535), _int(doc, "max_body_mb", 30, 1, 200),
                  _int(doc, "settle_seconds", 3, 0, 600), _int(doc, "retry_give_up_minutes", 60, 1, 7 * 1440),
                  _int(doc, "health_gap_minutes", 15, 1, 7 * 1440), _text(doc, "hotlist_folder"),
                  _int(doc, "hotlist_every_minutes", 5, 1, 1440), mqtt, sources)


def load(path: Path) -> Config:
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"The receiver configuration {path} cannot be read ({exc}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"The receiver configuration {path} is not valid TOML ({exc}).") from None
    return parse(doc)
