"""Reading the files of a camera drop as untrusted input: every limit is checked before the
expensive or dangerous step it guards.

* A file is read only from inside the drop folder: no absolute names, no ``..``, no link that
  leads out, nothing but a regular file (a FIFO or a device would hang or never end).
* A sidecar is at most ``MAX_SIDECAR_BYTES`` and nested at most ``MAX_DEPTH`` levels; the depth
  is measured by a linear scan *before* the JSON parser (which recurses) sees the text.
* An image is at most ``MAX_IMAGE_BYTES`` and ``MAX_PIXELS``; its size comes from the PNG or
  JPEG header (parsed here, nothing decoded), so a small file that would decode to gigabytes
  is refused before any pixel memory is taken.

Each refusal is a ``Reject`` whose message is the one sentence the operator sees.
"""
from __future__ import annotations

import json
import os
import re
import stat
import struct
from pathlib import Path, PurePosixPath, PureWindowsPath

import numpy as np

from app.engine import vehicles

MAX_SIDECAR_BYTES = 1_000_000          # a real sidecar is a few hundred bytes
MAX_DEPTH = 32                         # a real sidecar is 2 levels deep (the plate_box list)
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000                # 40 megapixels: about 120 MB once decoded
MAX_NAME = 255                         # characters in an image name
_MAX_INT_DIGITS = 40                   # longer integers are read as floats (Python refuses >4300)

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8"
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}

# A JSON string, or an unterminated one running to the end: it always matches once started,
# so the scan is linear even on hostile text.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
# Control characters (NUL is refused by PostgreSQL, a newline splits a report line), lone
# surrogates (not UTF-8, refused by both databases) and the Unicode line separators.
_UNCLEAN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')


class Reject(Exception):
    """One drop is refused; the message is the reason shown to the operator."""


def shown(name: str, limit: int = 80) -> str:
    """A file name fit for a one-line report: escapes for what does not print, bounded."""
    try:
        text = os.fsencode(name).decode("utf-8", "backslashreplace")   # a file name's raw bytes
    except UnicodeEncodeError:
        text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    text = _UNCLEAN.sub(lambda m: repr(m.group())[1:-1], text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def is_clean_text(text: str) -> bool:
    """True when ``text`` can be stored and shown on one line: UTF-8, no control characters."""
    return _UNCLEAN.search(text) is None


def vehicle(doc: dict) -> vehicles.Vehicle:
    """The vendor's optional ``vehicle_make``, ``vehicle_color`` and ``vehicle_body``: text of at
    most ``vehicles.MAX_LENGTH`` characters on one line each, or absent, null or empty."""
    found = {}
    for name in vehicles.FIELDS:
        value = doc.get(name)
        if value is not None and not isinstance(value, str):
            raise Reject(f"bad {name}: give the vehicle's {vehicles.WORDS[name]} as text, or leave it out")
        text = vehicles.normalize(value) if value else None
        if text is not None and len(text) > vehicles.MAX_LENGTH:
            raise Reject(f"bad {name}: longer than {vehicles.MAX_LENGTH} characters")
        if text is not None and not vehicles.is_valid(text):
            raise Reject(f"bad {name}: it holds control characters or is not valid Unicode")
        found[name.removeprefix("vehicle_")] = text
    return vehicles.Vehicle(**found)


def read_inside(root: Path, name: object, limit: int, what: str) -> bytes:
    """Bytes of the regular file ``name`` inside the (resolved) folder ``root``, at most ``limit``."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME or "\0" in name:
        raise Reject(f"bad {what} name: give a file name inside the drop folder")
    for flavour in (PurePosixPath, PureWindowsPath):
        pure = flavour(name)
        if pure.is_absolute() or pure.drive or pure.root or ".." in pure.parts:
            raise Reject(f"bad {what} name {shown(name)!r}: only files inside the drop folder "
                         "are read (no absolute path, no '..')")
    try:
        path = (root / name).resolve()
    except (OSError, RuntimeError, ValueError):
        raise Reject(f"{what} {shown(name)} cannot be found (a broken or looping link)") from None
    if path != root and not path.is_relative_to(root):
        raise Reject(f"bad {what} name {shown(name)!r}: it is a link leading out of the drop folder")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise Reject(f"{what} {shown(name)} cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Reject(f"{what} {shown(name)} is not a regular file")
        if info.st_size > limit:
            raise Reject(f"{what} {shown(name)} is larger than {_size(limit)}")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise Reject(f"{what} {shown(name)} cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > limit:                 # it grew while being read
        raise Reject(f"{what} {shown(name)} is larger than {_size(limit)}")
    return data


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n % (1024 * 1024) == 0 else f"{n / 1e6:g} MB"


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON ``text`` (linear time, no recursion)."""
    if "\\" not in text:
        # Without escapes only quotes and brackets matter: keep just them (a C loop), so a
        # webhook's long base64 photos are not walked by the regular expressions.
        text = text.encode("utf-8", "surrogatepass").translate(None, _NOT_STRUCTURE).decode("ascii")
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets.encode("ascii"), np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def _no_constant(token: str, what: str) -> object:
    raise Reject(f"{what} is not valid JSON ({token} is not a JSON number)")


def _int(digits: str) -> int | float:
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else float(digits)


def load_sidecar(root: Path, name: str) -> dict:
    """The sidecar's JSON object, or a Reject saying why not."""
    return parse_json(read_inside(root, name, MAX_SIDECAR_BYTES, "sidecar"), "sidecar")


def parse_json(data: bytes, what: str) -> dict:
    """A JSON object from untrusted bytes (a sidecar, a webhook's body): UTF-8, nesting
    measured before the recursive parser sees it, no NaN/Infinity; else a Reject naming ``what``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Reject(f"{what} is not valid JSON (it is not UTF-8 text)") from None
    if nesting_depth(text) > MAX_DEPTH:
        raise Reject(f"{what} is nested more than {MAX_DEPTH} levels deep")
    try:
        doc = json.loads(text, parse_constant=lambda t: _no_constant(t, what), parse_int=_int)
    except json.JSONDecodeError as exc:
        raise Reject(f"{what} is not valid JSON ({exc})") from None
    except (ValueError, RecursionError):
        raise Reject(f"{what} is not valid JSON") from None
    if not isinstance(doc, dict):
        raise Reject(f"{what} is not a JSON object")
    return doc


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """(MIME type, width, height) from a PNG's IHDR or a JPEG's frame header; None if neither."""
    if data[:8] == _PNG:
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        w, h = struct.unpack(">II", data[16:24])
        return "image/png", w, h
    if data[:2] != _JPEG:
        return None
    i = 2
    while i + 4 <= len(data):             # walk the markers up to the first frame header
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:                # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:      # markers without a length
            i += 2
            continue
        if marker in (0xD9, 0xDA):        # end of image or start of scan before any frame
            return None
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if length < 2:
            return None
        if marker in _SOF:
            if i + 9 > len(data):
                return None
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return "image/jpeg", w, h
        i += 2 + length
    return None


def image_header(data: bytes, name: str) -> tuple[str, int, int]:
    """(MIME type, width, height) of a PNG or JPEG whose header declares at most ``MAX_PIXELS``;
    decodes nothing."""
    if data[:8] != _PNG and data[:2] != _JPEG:
        raise Reject(f"corrupt image: {shown(name)} is neither JPEG nor PNG")
    found = image_size(data)
    if found is None:
        raise Reject(f"corrupt image: {shown(name)} has no readable header")
    mime, w, h = found
    if w <= 0 or h <= 0:
        raise Reject(f"corrupt image: {shown(name)} has no pixels")
    if w * h > MAX_PIXELS:
        raise Reject(f"image too large: {shown(name)} is {w} x {h} pixels "
                     f"(the limit is {MAX_PIXELS // 1_000_000} megapixels)")
    return mime, w, h
