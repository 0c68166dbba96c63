"""Checking a package years later: the manifest, every file, and the custody form.

A package is sound when every file the manifest lists is there with the listed SHA-256,
no file was added, and every page of the chain-of-custody PDF carries the hash of this very
manifest (so neither the form nor the manifest was swapped). The check needs no store and
no key: a court's expert gets the same answer with ``sha256sum``.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import ExportError
from . import manifest as mf
from .media import CHUNK, INCOMPLETE_SUFFIX, MARKER

_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass
class VerifyResult:
    path: Path
    files_checked: int = 0
    manifest_sha256: str = ""
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)     # manifest, PDF, incomplete marker

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.changed or self.problems)

    def lines(self) -> list[str]:
        out = [f"MISSING  {p}" for p in self.missing] + [f"EXTRA    {p}" for p in self.extra]
        out += [f"CHANGED  {p}" for p in self.changed] + [f"PROBLEM  {p}" for p in self.problems]
        verdict = (f"Package verified: {self.files_checked} files match manifest.sha256 "
                   f"({self.manifest_sha256}) and the custody form carries its hash."
                   if self.ok else f"PACKAGE FAILED VERIFICATION: {len(out)} problem(s).")
        return out + [verdict]

    def to_log(self) -> dict:
        return {"ok": self.ok, "files": self.files_checked, "manifest_sha256": self.manifest_sha256,
                "missing": self.missing[:50], "extra": self.extra[:50], "changed": self.changed[:50],
                "problems": self.problems[:20]}


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _present(root: Path) -> set[str]:
    found = set()
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            found.add((Path(dirpath) / name).relative_to(root).as_posix())
    return found


def check_pdf(data: bytes, manifest_sha256: str) -> list[str]:
    """Every page must show this manifest's hash; name the pages that do not."""
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [p.extract_text() or "" for p in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        return [f"{mf.CUSTODY_PDF} cannot be read as a PDF ({exc})"]
    if not pages:
        return [f"{mf.CUSTODY_PDF} has no pages"]
    problems = []
    bad = [n for n, text in enumerate(pages, 1) if manifest_sha256 not in text.replace("\n", "")]
    if bad:
        other = sorted({h for t in pages for h in _HASH.findall(t)} - {manifest_sha256})
        problems.append(
            f"{mf.CUSTODY_PDF} page(s) {bad[:10]} do not carry this manifest's hash "
            f"{manifest_sha256}" + (" (the form belongs to another manifest)" if other else ""))
    return problems


def verify_package(path: Path) -> VerifyResult:
    """Compare the folder with its manifest and its custody form; never raises for bad data."""
    root = Path(path)
    res = VerifyResult(root)
    if not root.is_dir():
        raise ExportError(f"{root} is not a package folder.")
    if root.name.endswith(INCOMPLETE_SUFFIX) or (root / MARKER).exists():
        res.problems.append("the package is marked INCOMPLETE: it was never verified on the media")
    try:
        text = (root / mf.MANIFEST).read_bytes()
    except OSError:
        res.problems.append(f"{mf.MANIFEST} is missing: nothing can be verified")
        return res
    res.manifest_sha256 = hashlib.sha256(text).hexdigest()
    try:
        listed = mf.parse(text)
    except ExportError as exc:
        res.problems.append(str(exc))
        return res
    present = _present(root)
    res.extra = sorted(present - set(listed) - mf.UNLISTED - {MARKER})
    for rel, sha in sorted(listed.items()):
        if rel not in present:
            res.missing.append(rel)
            continue
        res.files_checked += 1
        if file_sha256(root / rel) != sha:
            res.changed.append(rel)
    if mf.CUSTODY_PDF in present:
        res.problems += check_pdf((root / mf.CUSTODY_PDF).read_bytes(), res.manifest_sha256)
    else:
        res.missing.append(mf.CUSTODY_PDF)
    return res
