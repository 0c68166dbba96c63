"""``manifest.sha256``: the list of a package's files in the format ``sha256sum -c`` reads.

Anyone can check a package with standard tools, without this program: ``cd`` into it and
run ``sha256sum -c manifest.sha256``. The manifest covers every file except itself and the
chain-of-custody PDF, which prints the manifest's own hash on every page instead (a file
cannot contain its own hash).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..errors import ExportError

MANIFEST = "manifest.sha256"
CUSTODY_PDF = "chain-of-custody.pdf"
UNLISTED = frozenset({MANIFEST, CUSTODY_PDF})

_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


@dataclass(frozen=True)
class ManifestEntry:
    path: str           # relative, with forward slashes
    sha256: str
    size: int


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_name(path: str) -> str:
    """Refuse names ``sha256sum`` would escape or that could leave the package folder."""
    parts = path.split("/")
    if (not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts)
            or any(c in path for c in "\\\n\r\0")):
        raise ExportError(f"{path!r} cannot be a file name inside an evidence package.")
    return path


def render(entries: list[ManifestEntry]) -> bytes:
    """Text mode lines ``<hash>  <name>`` (two spaces), sorted by name, ending in a newline."""
    lines = [f"{e.sha256}  {check_name(e.path)}\n" for e in sorted(entries, key=lambda e: e.path)]
    return "".join(lines).encode("utf-8")


def parse(text: bytes) -> dict[str, str]:
    """Name -> hash; a line that is not ``sha256sum`` output makes the manifest invalid."""
    out: dict[str, str] = {}
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExportError("manifest.sha256 is not UTF-8 text; it was altered.") from exc
    for n, line in enumerate(decoded.splitlines(), 1):
        if not line.strip():
            continue
        m = _LINE.match(line)
        if m is None:
            raise ExportError(f"manifest.sha256 line {n} is not a sha256sum line: {line[:80]!r}")
        if m.group(2) in out:
            raise ExportError(f"manifest.sha256 lists {m.group(2)} twice.")
        out[m.group(2)] = m.group(1)
    return out
