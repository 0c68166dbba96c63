"""Importing hotlist files, one named on the command line or every new one in a watched folder
(the receiver runs the folder on its schedule; ``alpr server hotlist watch`` does alone).

A file is known by its name (``svs*``, ``sfr*``, ``slr*``: CLEW; ``ncic*``: NCIC; ``*.csv``:
CSV, the list named after the file) and imported once per content: the same bytes again are
skipped. Every import, and every file refused whole, is recorded in ``server_audit``.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from app.engine.errors import ValidationError
from app.server.base import CityServer

from .formats import FileRefused, detect, parse
from .replace import ImportReport, imported, replace_list

MAX_FILE_BYTES = 512 * 1024 * 1024


def import_file(server: CityServer, path: Path, operator: str, now: int, *, fmt: str | None = None,
                list_id: str | None = None) -> ImportReport:
    """One file into its list; raises FileRefused (nothing changed) with the reason."""
    path = Path(path)
    found = detect(path.name)
    fmt = fmt or (found[0] if found else None)
    list_id = list_id or (found[1] if found else None)
    if fmt is None or list_id is None:
        raise FileRefused(f"{path.name}: name the format and list (--format, --list); the file name "
                          "does not say (svs*, sfr*, slr*, ncic*, *.csv)")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise FileRefused(f"{path.name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        data = path.read_bytes()
    except OSError as exc:
        raise FileRefused(f"{path.name} cannot be read ({exc.strerror})") from None
    try:
        parsed = parse(fmt, data, list_id, now)
    except FileRefused as exc:
        server.audit(operator, "hotlist_refused", {"file": path.name, "list": list_id, "reason": str(exc)}, now)
        raise FileRefused(f"{path.name} was not imported: {exc}") from None
    report = replace_list(server, parsed, path.name, data, now)
    server.audit(operator, "hotlist_import", {
        "file": path.name, "list": list_id, "format": fmt, "added": report.added, "kept": report.kept,
        "expired": report.expired, "rejected": len(report.rejects),
        "rejects": [f"line {n}: {why}" for n, why in report.rejects[:50]]}, now)
    return report


def scan(server: CityServer, folder: Path, operator: str, now: int) -> list[ImportReport | str]:
    """Import each hotlist file in ``folder`` not imported before; a refused file is its sentence."""
    out: list[ImportReport | str] = []
    for path in sorted(Path(folder).iterdir()):
        found = detect(path.name)
        if found is None or not path.is_file():
            continue
        try:
            if imported(server, found[1], hashlib.sha256(path.read_bytes()).hexdigest()):
                continue
            out.append(import_file(server, path, operator, now))
        except (ValidationError, OSError) as exc:
            out.append(str(exc))
    return out
