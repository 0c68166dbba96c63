"""Hostile and malformed camera drops (issue 12): each bad drop is rejected by itself with one
sentence while the good drops of the same run are stored; image names stay inside the drop
folder; oversized images are refused from their header; sidecar size, nesting and field types
are checked; random sidecars (hypothesis) never break a run."""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.server.drop_files import MAX_DEPTH, nesting_depth
from app.server.ingest import UNEXPECTED, ingest_dir
from tests.server_helpers import CAMS, city, make_city, png  # noqa: F401

NOW = 1795400000                   # 2026-11-23, fixed: nothing here reads the clock
GOOD_TIME = "2026-11-20T08:15:30Z"
ROOT = Path(__file__).resolve().parents[1]


def sidecar(folder: Path, name: str, *, image_seed: int | None = None, raw: str | bytes | None = None,
            **fields) -> None:
    """Write ``name``.json (and a scene photo unless ``scene_image`` is given): a good drop,
    with ``fields`` replacing or adding keys; ``raw`` replaces the whole file."""
    doc = {"camera": "CAM-LV-N", "time": GOOD_TIME, "plate": "7ABC123", "confidence": 0.93,
           "plate_box": [2, 2, 8, 4], "vendor": "Acme", "scene_image": f"{name}.png"}
    if "scene_image" not in fields:
        (folder / f"{name}.png").write_bytes(png(image_seed if image_seed is not None else hash(name) % 10**6))
    doc.update(fields)
    path = folder / f"{name}.json"
    if raw is None:
        path.write_text(json.dumps(doc))
    else:
        path.write_bytes(raw.encode() if isinstance(raw, str) else raw)


def with_raw(name: str, name_field: str, raw_value: str) -> str:
    """Drop ``name``'s good sidecar with ``name_field`` holding JSON text json.dumps would not write."""
    doc = json.dumps({"camera": "CAM-LV-N", "time": GOOD_TIME, "plate": "7ABC123", "confidence": 0.93,
                      "plate_box": [2, 2, 8, 4], "vendor": "Acme", "scene_image": f"{name}.png",
                      name_field: "@@"})
    return doc.replace('"@@"', raw_value)


def one_line_sentences(report) -> None:
    for name, why in report.rejects:
        assert why and "\n" not in why and "Traceback" not in why and not why.startswith(UNEXPECTED), (name, why)
        assert len(why) < 300, (name, why)


def test_each_bad_sidecar_is_rejected_alone_and_the_good_drops_are_stored(city, tmp_path):
    city.server.put_cameras(CAMS)
    d = tmp_path / "drops"
    d.mkdir()
    sidecar(d, "a_good", image_seed=1)
    sidecar(d, "a_noplate", image_seed=2, plate=None, confidence=0.0)
    bad = {
        "cam_list": {"camera": ["CAM-LV-N"]}, "cam_dict": {"camera": {"id": "CAM-LV-N"}},
        "cam_number": {"camera": 7}, "cam_long": {"camera": "C" * 5000},
        "time_list": {"time": [GOOD_TIME]}, "time_bool": {"time": True}, "time_long": {"time": "2" * 5000},
        "plate_long": {"plate": "7ABC123-7ABC123-7"}, "plate_number": {"plate": 1234567},
        "plate_dict": {"plate": {"text": "7ABC123"}},
        "conf_text": {"confidence": "0.9"}, "conf_bool": {"confidence": True},
        "vendor_long": {"vendor": "V" * 201}, "vendor_list": {"vendor": ["Acme"]},
        "vendor_nul": {"vendor": "Acme\x00ALPR"}, "vendor_surrogate": {"vendor": "Acme \ud800"},
        "box_bools": {"plate_box": [True, 2, 8, 4]}, "box_floats": {"plate_box": [2.0, 2, 8, 4]},
        "box_text": {"plate_box": "2,2,8,4"}, "scene_number": {"scene_image": 12},
        "scene_list": {"scene_image": ["x.png"]},
    }
    for i, (name, fields) in enumerate(bad.items()):
        sidecar(d, f"b_{name}", image_seed=100 + i, **fields)
    raw = {
        "time_inf": ("time", "1e999"), "time_nan": ("time", "NaN"), "time_minus_inf": ("time", "-Infinity"),
        "time_5000_digits": ("time", "9" * 5000), "conf_inf": ("confidence", "1e999"),
        "deep_100000": ("extra", "[" * 100_000 + "]" * 100_000),
        "deep_camera": ("camera", '{"a":' * 50_000 + "1" + "}" * 50_000),
        "vendor_5mb": ("vendor", json.dumps("V" * 5_000_000)),
    }
    for i, (name, (key, text)) in enumerate(raw.items()):
        sidecar(d, f"c_{name}", image_seed=200 + i, raw=with_raw(f"c_{name}", key, text))
    for i, (name, text) in enumerate({"not_utf8": b'{"camera": "CAM-LV-N", "vendor": "\xff\xfe"}',
                                      "a_list": "[1, 2, 3]",
                                      "truncated": '{"camera": "CAM-LV-N", "vendor": "abc\\'}.items()):
        sidecar(d, f"c_{name}", image_seed=300 + i, raw=text)
    queued = os.fsencode(d) + b"/d_name_\xff.json"         # a file name that is not UTF-8
    with open(queued, "wb") as f:
        f.write(json.dumps({"camera": "CAM-LV-N", "time": NOW - 500, "plate": None,
                            "scene_image": "a_good.png"}).encode())
    sidecar(d, "z_good", image_seed=3, camera="CAM-CC-E", time=NOW - 100, plate="8xyz 999",
            vendor="Ünicode Cam ✓", extra={"anything": [1, {"b": None}]})

    report = ingest_dir(city.server, d, NOW)

    assert (report.reads, report.queued_for_ocr) == (2, 1)
    assert report.reads + report.queued_for_ocr + len(report.rejects) == len(list(d.glob("*.json")))
    reasons = dict(report.rejects)
    one_line_sentences(report)
    expect = {
        "b_cam_list": "bad camera", "b_cam_dict": "bad camera", "b_cam_number": "bad camera",
        "b_cam_long": "bad camera", "b_time_list": "bad time", "b_time_bool": "bad time",
        "b_time_long": "bad time", "b_plate_long": "bad plate read", "b_plate_number": "bad plate read",
        "b_plate_dict": "bad plate read", "b_conf_text": "bad confidence", "b_conf_bool": "bad confidence",
        "b_vendor_long": "bad vendor", "b_vendor_list": "bad vendor", "b_vendor_nul": "bad vendor",
        "b_vendor_surrogate": "bad vendor", "b_box_bools": "bad plate_box", "b_box_floats": "bad plate_box",
        "b_box_text": "bad plate_box", "b_scene_number": "bad scene image name",
        "b_scene_list": "bad scene image name",
        "c_time_inf": "bad time: not a finite number", "c_time_nan": "sidecar is not valid JSON (NaN",
        "c_time_minus_inf": "sidecar is not valid JSON (-Infinity", "c_time_5000_digits": "bad time: not a finite",
        "c_conf_inf": "bad confidence", "c_deep_100000": f"sidecar is nested more than {MAX_DEPTH} levels",
        "c_deep_camera": "sidecar is nested more than", "c_vendor_5mb": "sidecar c_vendor_5mb.json is larger than 1 MB",
        "c_not_utf8": "sidecar is not valid JSON (it is not UTF-8", "c_a_list": "sidecar is not a JSON object",
        "c_truncated": "sidecar is not valid JSON",
    }
    for name, start in expect.items():
        assert reasons[f"{name}.json"].startswith(start), (name, reasons[f"{name}.json"])
    assert reasons["d_name_\\xff.json"].startswith("bad sidecar name")
    assert reasons["b_cam_long.json"] == "bad camera: an id longer than 64 characters"
    assert reasons["b_plate_long.json"] == "bad plate read: longer than 16 characters"
    assert reasons["b_vendor_long.json"] == "bad vendor: longer than 200 characters"
    rows = city.server.feed("reads", 0, 10)
    assert sorted((r[1], r[5]) for r in rows) == [("7ABC123", "Acme"), ("8XYZ999", "Ünicode Cam ✓")]
    assert [i.source_file for i in city.server.ocr_pending()] == ["a_noplate.json"]

    again = ingest_dir(city.server, d, NOW)          # a re-run: the same answers, nothing raised
    assert (again.reads, again.queued_for_ocr, again.duplicates) == (0, 0, 3)
    assert {n: w for n, w in again.rejects if not w.startswith("duplicate")} == {
        n: w for n, w in report.rejects}


@pytest.mark.timeout(60)                # a FIFO read the old way blocks for ever
def test_image_names_are_confined_to_the_drop_folder(tmp_path):
    town, cleanup = make_city("embedded", tmp_path)
    server = town.server
    try:
        server.put_cameras(CAMS)
        secret = tmp_path / "secret"
        secret.mkdir()
        private = png(4242)
        (secret / "private.png").write_bytes(private)
        d = tmp_path / "drops"
        d.mkdir()
        (d / "photos").mkdir()
        (d / "photos" / "inside.png").write_bytes(png(31))
        (d / "real.png").write_bytes(png(32))
        (d / "link_in.png").symlink_to(d / "real.png")
        (d / "link_out.png").symlink_to(secret / "private.png")
        (d / "dir_out").symlink_to(secret, target_is_directory=True)
        (d / "a_folder.png").mkdir()
        os.mkfifo(d / "fifo.png")
        os.mkfifo(d / "k_fifo.json")                   # a sidecar that is a FIFO would block a read
        (d / "l_folder.json").mkdir()
        (d / "m_link_out.json").symlink_to(secret / "outside.json")
        (secret / "outside.json").write_text(json.dumps({"camera": "CAM-LV-N", "time": GOOD_TIME,
                                                         "plate": "7OUT999", "confidence": 0.9,
                                                         "scene_image": "real.png"}))
        bad = {"dotdot": "../secret/private.png", "absolute": str(secret / "private.png"),
               "link_out": "link_out.png", "dir_link_out": "dir_out/private.png",
               "sub_dotdot": "photos/../../secret/private.png", "backslash": "..\\secret\\private.png",
               "windows": "C:\\secret\\private.png", "nul": "real\x00.png", "folder": "a_folder.png",
               "fifo": "fifo.png", "missing": "nowhere.png", "empty": "", "the_folder": "."}
        for i, (name, image) in enumerate(bad.items()):
            sidecar(d, f"b_{name}", scene_image=image, time=NOW - 1000 - i)
        sidecar(d, "c_crop_out", image_seed=40, plate_image="../secret/private.png")
        sidecar(d, "g_link_in", scene_image="link_in.png", time=NOW - 50)
        sidecar(d, "g_subfolder", scene_image="photos/inside.png", plate_image="real.png", time=NOW - 60)

        report = ingest_dir(server, d, NOW)

        reasons = dict(report.rejects)
        one_line_sentences(report)
        assert report.reads == 2 and "g_link_in.json" not in reasons and "g_subfolder.json" not in reasons
        assert report.reads + len(report.rejects) == len(list(d.glob("*.json")))
        assert server.image(hashlib.sha256(private).hexdigest()) is None      # nothing from outside
        assert [r[1] for r in server.feed("reads", 0, 10)] == ["7ABC123", "7ABC123"]
        for name in ("dotdot", "absolute", "sub_dotdot", "backslash", "windows"):
            assert "only files inside the drop folder" in reasons[f"b_{name}.json"], name
        for name in ("link_out", "dir_link_out"):
            assert "link leading out of the drop folder" in reasons[f"b_{name}.json"], name
        assert "only files inside" in reasons["c_crop_out.json"]
        assert reasons["b_nul.json"].startswith("bad scene image name")
        assert reasons["b_empty.json"].startswith("bad scene image name")
        assert reasons["b_folder.json"] == "scene image a_folder.png is not a regular file"
        assert reasons["b_fifo.json"] == "scene image fifo.png is not a regular file"
        assert reasons["b_missing.json"].startswith("scene image nowhere.png cannot be read")
        assert reasons["k_fifo.json"] == "sidecar k_fifo.json is not a regular file"
        assert reasons["l_folder.json"] == "sidecar l_folder.json is not a regular file"
        assert reasons["b_the_folder.json"] == "scene image . is not a regular file"
        assert "link leading out" in reasons["m_link_out.json"]
    finally:
        server.close()
        cleanup()


def huge_png(width: int, height: int) -> bytes:
    """A valid all-black RGB PNG of width x height, written row by row (a few hundred KB)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    z = zlib.compressobj(9)
    row = bytes(1 + 3 * width)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) claims width x height."""
    import cv2
    import numpy as np
    _, buf = cv2.imencode(".jpg", np.full((16, 16, 3), 128, np.uint8))
    data = bytearray(buf.tobytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


# The peak is read from VmHWM after resetting it (clear_refs 5): a child's getrusage peak
# starts from its parent's, and the parent here is the whole test session.
BOMB_RUN = """
import json, re, sys
from pathlib import Path
from app.server.embedded import EmbeddedServer
from app.server.ingest import ingest_dir
from tests.server_helpers import CAMS
server = EmbeddedServer.create(Path(sys.argv[1]) / "city", "op.one", "Operator-Passphrase-For-The-City-1",
                               retention_days=730, now=int(sys.argv[2]))
server.put_cameras(CAMS)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
report = ingest_dir(server, Path(sys.argv[1]) / "drops", int(sys.argv[2]))
server.close()
with open("/proc/self/status") as f:
    peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", f.read()).group(1)) / 1024
print(json.dumps({"reads": report.reads, "rejects": report.rejects, "peak_mb": peak}))
"""


def test_images_over_the_pixel_limit_are_refused_from_their_header(tmp_path):
    d = tmp_path / "drops"
    d.mkdir()
    bomb = huge_png(12000, 12000)
    assert len(bomb) < 600_000                          # a 441 KB file that decodes to 432 MB
    (d / "bomb.png").write_bytes(bomb)
    (d / "bomb_jpeg.jpg").write_bytes(jpeg_claiming(20000, 20000))
    (d / "near_limit.png").write_bytes(huge_png(100, 100))
    sidecar(d, "a_bomb", scene_image="bomb.png", plate_box=None, time=NOW - 10)
    sidecar(d, "b_bomb_jpeg", scene_image="bomb_jpeg.jpg", plate_box=None, time=NOW - 20)
    sidecar(d, "c_crop_bomb", image_seed=7, plate_image="bomb.png")
    sidecar(d, "d_good", image_seed=8)
    sidecar(d, "e_good_png", scene_image="near_limit.png", plate_box=[1, 1, 50, 20], time=NOW - 30)
    out = subprocess.run([sys.executable, "-c", BOMB_RUN, str(tmp_path), str(NOW)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    reasons = dict(result["rejects"])
    assert result["reads"] == 2 and set(reasons) == {"a_bomb.json", "b_bomb_jpeg.json", "c_crop_bomb.json"}
    assert reasons["a_bomb.json"] == ("image too large: bomb.png is 12000 x 12000 pixels "
                                      "(the limit is 40 megapixels)")
    assert reasons["b_bomb_jpeg.json"].startswith("image too large: bomb_jpeg.jpg is 20000 x 20000")
    assert reasons["c_crop_bomb.json"].startswith("image too large: bomb.png")
    assert result["peak_mb"] < 300, result["peak_mb"]   # decoding the bomb alone takes 432 MB


def test_sidecar_size_and_nesting_are_checked_before_parsing(tmp_path):
    town, cleanup = make_city("embedded", tmp_path)
    try:
        town.server.put_cameras(CAMS)
        d = tmp_path / "drops"
        d.mkdir()
        sidecar(d, "a_deep_ok", image_seed=1,           # the object itself is the first level
                raw=with_raw("a_deep_ok", "extra", "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)))
        sidecar(d, "b_too_deep", image_seed=2,
                raw=with_raw("b_too_deep", "extra", "[" * MAX_DEPTH + "]" * MAX_DEPTH))
        sidecar(d, "c_brackets_in_text", image_seed=3, extra="[{" * 20_000, note='a \\" [[[[ "')
        sidecar(d, "d_padded", image_seed=4, extra="x" * 1_100_000)
        sidecar(d, "e_unclosed", image_seed=5, raw='{"camera": "[[[[' + "[" * 50_000)
        report = ingest_dir(town.server, d, NOW)
        reasons = dict(report.rejects)
        one_line_sentences(report)
        assert report.reads == 2 and "a_deep_ok.json" not in reasons and "c_brackets_in_text.json" not in reasons
        assert reasons["b_too_deep.json"] == f"sidecar is nested more than {MAX_DEPTH} levels deep"
        assert reasons["d_padded.json"] == "sidecar d_padded.json is larger than 1 MB"
        assert reasons["e_unclosed.json"].startswith("sidecar is not valid JSON")
    finally:
        town.server.close()
        cleanup()


@pytest.mark.parametrize("text, depth", [
    ('{}', 1), ('[[1], {"a": [2]}]', 3), ('"[[[["', 0), ('{"a": "\\"[[", "b": [[]]}', 3),
    ('"unterminated [[[', 0), ('"ends in a backslash \\', 0), ('[' * 10_000, 10_000)])
def test_nesting_depth_scan(text, depth):
    assert nesting_depth(text) == depth


def _depth_by_hand(text: str) -> int:
    """The depth walked character by character: strings (escapes included) hide brackets."""
    depth, deepest, i, in_string, seen = 0, 0, 0, False, False
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = depth if not seen else max(deepest, depth)
            seen = True
        elif ch in "]}":
            depth -= 1
            deepest = depth if not seen else max(deepest, depth)
            seen = True
        i += 1
    return deepest


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet='"[]{}\\aé', max_size=40))
def test_nesting_depth_with_and_without_escapes(text):
    """Texts without a backslash take a shortcut (only quotes and brackets kept): both ways
    agree with a plain walk."""
    assert nesting_depth(text) == _depth_by_hand(text)
    plain = text.replace("\\", "")
    assert nesting_depth(plain) == _depth_by_hand(plain)


# -- property: random sidecars never break a run ------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10)
MISSING = object()
IMAGE_NAMES = ["scene.png", "crop.png", "../outside.png", "link_out.png", "missing.png", "", ".",
               "sub/../scene.png", "/etc/passwd", "broken.png", "folder.png"]


BAD_VALUES = st.one_of(st.just(MISSING), JSON_VALUES, st.text(max_size=300))
GOOD_VALUES = {
    "camera": st.sampled_from(["CAM-LV-N", "CAM-CC-E"]),
    "time": st.one_of(st.just(GOOD_TIME), st.integers(946684800 - 10, NOW + 1000),
                      st.floats(946684800, NOW + 1000), st.sampled_from(["2026-11-20T08:15:30+05:30", "2026-11-20"])),
    "plate": st.one_of(st.none(), st.sampled_from(["7ABC123", "8xyz 999", "A-1", "", "7ABC123456789"])),
    "confidence": st.one_of(st.floats(0, 1), st.integers(0, 1)),
    "plate_box": st.one_of(st.none(), st.just([2, 2, 8, 4]), st.lists(st.integers(-2, 26), min_size=4, max_size=4)),
    "vendor": st.one_of(st.none(), st.text(max_size=210)),
    "vehicle_make": st.one_of(st.none(), st.text(max_size=50)),
    "vehicle_color": st.one_of(st.none(), st.sampled_from(["white", " Dark  blue ", ""])),
    "scene_image": st.sampled_from(["scene.png"] * 8 + IMAGE_NAMES),
    "plate_image": st.one_of(st.none(), st.sampled_from(["crop.png"] * 4 + IMAGE_NAMES)),
}


@st.composite
def random_sidecar(draw) -> str | bytes:
    """Mostly plausible fields, some of them (or all) replaced by any JSON value or dropped,
    extra keys, and sometimes deep nesting or no JSON at all."""
    kind = draw(st.sampled_from(["fields"] * 8 + ["bytes", "deep"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    spoilt = draw(st.sampled_from(["some"] * 5 + ["all"]))
    spoilt = set(GOOD_VALUES) if spoilt == "all" else draw(st.sets(st.sampled_from(sorted(GOOD_VALUES)),
                                                                   max_size=2))
    doc = {}
    for key, good in GOOD_VALUES.items():
        value = draw(BAD_VALUES if key in spoilt else good)
        if value is not MISSING:
            doc[key] = value
    doc.update(draw(st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=3)))
    text = json.dumps(doc)                              # NaN and Infinity come out as such
    if kind == "deep":
        depth = draw(st.sampled_from([2, MAX_DEPTH - 2, MAX_DEPTH + 1, 5000, 100_000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"k":', "}")]))
        text = text[:-1] + (", " if doc else "") + f'"nest": {opener * depth}0{closer * depth}}}'
    return text


SEEDS = itertools.count(10_000)


@pytest.fixture(scope="module")
def property_city(tmp_path_factory):
    town, cleanup = make_city("embedded", tmp_path_factory.mktemp("property"))
    town.server.put_cameras(CAMS)
    yield town.server
    town.server.close()
    cleanup()


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sidecars=st.lists(random_sidecar(), min_size=1, max_size=4))
def test_random_sidecars_are_stored_or_rejected_with_a_reason(property_city, sidecars):
    server = property_city
    with tempfile.TemporaryDirectory() as tmp:
        outside = Path(tmp) / "outside.png"
        outside.write_bytes(png(99))
        d = Path(tmp) / "drops"
        d.mkdir()
        seed = next(SEEDS)
        (d / "scene.png").write_bytes(png(3 * seed))
        (d / "crop.png").write_bytes(png(3 * seed + 1, 6))
        (d / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
        (d / "folder.png").mkdir()
        (d / "link_out.png").symlink_to(outside)
        for i, text in enumerate(sidecars):
            (d / f"r{i}.json").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        sidecar(d, "zz_good", image_seed=3 * seed + 2, time=NOW - seed)

        report = ingest_dir(server, d, NOW)             # nothing may escape

        names = sorted(p.name for p in d.glob("*.json"))
        assert report.reads + report.queued_for_ocr + len(report.rejects) == len(names)
        assert {n for n, _ in report.rejects} <= set(names)
        assert "zz_good.json" not in dict(report.rejects)
        for _, why in report.rejects:
            event(re.match(r"[a-z_ ]*", why).group().strip() or why[:20])
        event(f"random drops stored: {report.reads + report.queued_for_ocr - 1}")
        one_line_sentences(report)
        assert server.image(hashlib.sha256(outside.read_bytes()).hexdigest()) is None
    for row in server.feed("reads", 0, 100_000):
        plate, vendor, box = row[1], row[5], row[6]
        assert 1 <= len(plate) <= 10 and plate.isalnum() and (vendor is None or len(vendor) <= 200)
        assert box is None or len(json.loads(box)) == 4
