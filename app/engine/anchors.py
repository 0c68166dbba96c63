"""The access-log anchor that evidence packages and printed reports carry.

Each package's ``metadata.json`` (or ``aggregate.json``) and custody PDF, and each printed
report's PDF, name the access log's last entry at the time they were made (seq and hash).
Shown later to ``alpr audit verify --against``, this proves the log still holds that entry
unchanged, so nothing up to it was removed or rewritten since the paper left the building.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import ValidationError

_PDF_KEYWORD = re.compile(r"alpr-log-anchor:(\d+):([0-9a-f]{64})")


def anchor_of(path: Path) -> tuple[int, str]:
    """(seq, hash) named by a package folder, its JSON metadata, or a PDF we printed."""
    path = Path(path)
    try:
        if path.is_dir():
            for name in ("metadata.json", "aggregate.json"):
                if (path / name).is_file():
                    return _from_json(path / name)
            raise ValidationError(f"{path} is not an evidence package (no metadata.json).")
        if path.suffix.lower() == ".json":
            return _from_json(path)
        if path.suffix.lower() == ".pdf":
            return _from_pdf(path)
    except OSError as exc:
        raise ValidationError(f"{path} cannot be read ({exc.strerror or exc}).") from None
    raise ValidationError(f"{path} is neither an evidence package nor a PDF report.")


def _from_json(path: Path) -> tuple[int, str]:
    try:
        anchor = json.loads(path.read_text(encoding="utf-8"))["package"]["log_anchor"]
        return int(anchor["seq"]), str(anchor["hash"])
    except (ValueError, KeyError, TypeError):
        raise ValidationError(f"{path.name} names no access-log anchor (made by an older "
                              "version, or not ours).") from None


def _from_pdf(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        keywords = (PdfReader(path).metadata or {}).get("/Keywords") or ""  # type: ignore[call-overload]  # pypdf's metadata is a dict of str keys
    except (PdfReadError, ValueError) as exc:
        raise ValidationError(f"{path.name} is not a readable PDF ({exc}).") from None
    found = _PDF_KEYWORD.search(str(keywords))
    if not found:
        raise ValidationError(f"{path.name} names no access-log anchor (not printed by this program).")
    return int(found.group(1)), found.group(2)
