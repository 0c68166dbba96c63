"""One mapper for the vendors we have no adapter for: a declared mapping (a JSON file under
``resources/receiver/mappings/``, checked against ``mapping.schema.json`` at load) names where
each field of a read sits in a JSON webhook, an XML export or a CSV file. Format in
docs/server.md; shipped: Genetec AutoVu SharpV XML, Verkada ``lpr`` webhook, Plate Recognizer
Stream webhook and CSV.

A path is dot-separated keys (a number indexes a list); it is read from the record, or from the
whole document when it starts with ``/``. XML is parsed by defusedxml (no entities, no
network), a CSV row is a record whose keys are its header's names.
"""
from __future__ import annotations

import base64
import binascii
import csv
import email.parser
import email.policy
import io
import json
from calendar import timegm
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import jsonschema

from app.engine.errors import ValidationError
from app.server.drop_files import Reject, parse_json

from .candidate import Candidate, ImageRef, Rejected
from .checks import region_state

MAPPING_DIR = Path(__file__).resolve().parents[3] / "resources" / "receiver" / "mappings"
SCHEMA_PATH = MAPPING_DIR.parent / "mapping.schema.json"
MAX_RECORDS = 10_000


def _get(doc: Any, record: Any, path: str) -> Any:
    node = doc if path.startswith("/") else record
    for key in path.lstrip("/").split("."):
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            return None
    return node


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
    return value


def _xml(elem) -> Any:
    """An element as nested dicts: a leaf is its text, repeated children become a list."""
    children = list(elem)
    if not children:
        return (elem.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        value = _xml(child)
        if child.tag in out:
            held = out[child.tag]
            out[child.tag] = (held if isinstance(held, list) else [held]) + [value]
        else:
            out[child.tag] = value
    return out


@dataclass(frozen=True)
class Mapping:
    name: str
    spec: dict

    def _value(self, doc: Any, rec: Any, field: str, parts: dict[str, bytes]) -> Any:
        f = self.spec["fields"].get(field)
        if f is None:
            return None
        if "part" in f:
            return parts.get(f["part"])
        if "value" in f:
            return f["value"]
        values = [_get(doc, rec, p) for p in f.get("paths", [f.get("path", "")])]
        if field == "box":
            nums = [_number(v) for v in values]
            if len(nums) != 4 or not all(isinstance(v, int | float) for v in nums):
                return None
            x, y, a, b = (int(v) for v in nums)
            return [x, y, a - x, b - y] if f.get("kind", "xywh") == "xyxy" else [x, y, a, b]
        if any(v is None or v == "" for v in values):
            return None
        if field == "time":
            return self._time(values, f.get("format", "iso8601"))
        value = "|".join(map(str, values)) if len(values) > 1 else values[0]
        if "scale" in f:
            value = _number(value)
            value = value * f["scale"] if isinstance(value, int | float) else value
        elif field == "confidence":
            value = _number(value)
        transform = f.get("transform")
        if transform == "region":
            value = region_state(value)
        elif transform == "upper" and isinstance(value, str):
            value = value.upper()
        return value

    @staticmethod
    def _time(values: list, fmt: str) -> Any:
        text = " ".join(str(v).strip() for v in values)
        if fmt in ("unix", "unix_ms"):
            n = _number(values[0])
            return n / 1000.0 if fmt == "unix_ms" and isinstance(n, int | float) else n
        if fmt == "iso8601":
            return text
        try:
            return timegm(datetime.strptime(text, fmt).timetuple())   # declared UTC
        except ValueError:
            raise Reject(f"bad time: {text[:40]!r} does not match {fmt!r}") from None

    def _image(self, doc: Any, rec: Any, field: str, parts: dict[str, bytes]) -> ImageRef | None:
        f = self.spec["fields"].get(field)
        value = self._value(doc, rec, field, parts)
        if f is None or value is None:
            return None
        if isinstance(value, bytes):
            return ImageRef(value)
        if f.get("encoding") == "url":
            return ImageRef(url=str(value))
        try:
            return ImageRef(base64.b64decode(str(value), validate=False))
        except (binascii.Error, ValueError):
            raise Reject(f"{field} is not valid base64") from None

    def _records(self, body: bytes, content_type: str) -> tuple[Any, list, dict[str, bytes]]:
        fmt, parts = self.spec["format"], dict[str, bytes]()
        if content_type.lower().startswith("multipart/form-data"):
            msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(
                b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                if isinstance(name, str):
                    parts[name] = payload if isinstance(payload, bytes) else b""
            body = parts.pop(self.spec.get("json_part", "json"), b"")
        if fmt == "json":
            doc: Any = parse_json(body, "webhook body")
        elif fmt == "xml":
            try:
                doc = _xml(SafeET.fromstring(body))
            except Exception as exc:  # noqa: BLE001 - defusedxml refuses in several ways
                raise Reject(f"not a readable XML export ({type(exc).__name__})") from None
        else:
            try:
                rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
            except (UnicodeDecodeError, csv.Error) as exc:
                raise Reject(f"not a readable CSV export ({exc})") from None
            return None, rows, parts
        recs = _get(doc, doc, "/" + self.spec["records"]) if self.spec.get("records") else doc
        recs = recs if isinstance(recs, list) else [recs] if recs is not None else []
        return doc, recs, parts

    def parse(self, body: bytes, content_type: str, source: str) -> list[Candidate | Rejected]:
        doc, recs, parts = self._records(body, content_type)
        if len(recs) > MAX_RECORDS:
            raise Reject(f"more than {MAX_RECORDS} reads in one payload")
        out: list[Candidate | Rejected] = []
        for n, rec in enumerate(recs, 1):
            try:
                v = {k: self._value(doc, rec, k, parts) for k in
                     ("source_id", "camera", "plate", "state", "time", "confidence", "box",
                      "vehicle_make", "vehicle_color", "vehicle_body")}
                out.append(Candidate(
                    source, str(v["source_id"]) if v["source_id"] is not None else "", v["camera"],
                    v["time"], v["plate"], v["state"], v["confidence"], v["box"],
                    self._image(doc, rec, "scene_image", parts), self._image(doc, rec, "plate_image", parts),
                    self.spec.get("vendor"), v["vehicle_make"], v["vehicle_color"], v["vehicle_body"]))
            except Reject as exc:
                out.append(Rejected(source, str(exc), f"record {n}"))
        return out


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def load(name_or_path: str) -> Mapping:
    """A shipped mapping by name, or a mapping file; checked against the schema."""
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPING_DIR / f"{name_or_path}.json"
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"The mapping {name_or_path} cannot be read ({exc}).") from None
    errors = sorted(_validator().iter_errors(spec), key=lambda e: list(e.path))
    if errors:
        where = ".".join(map(str, errors[0].path)) or "the top level"
        raise ValidationError(f"The mapping {name_or_path} is not valid at {where}: {errors[0].message}")
    return Mapping(spec["name"], spec)


def shipped() -> list[str]:
    return sorted(p.stem for p in MAPPING_DIR.glob("*.json"))
