"""Diagnostic logging, kept apart from the access log and scrubbed of plate text and secrets.

Diagnostic logs are plain files for support staff; they must never become a second,
unencrypted copy of ALPR data. Every record passes a filter that replaces plate-like tokens
(letters and digits mixed, 2 to 8 long, as plates are) before any handler writes it, and
blanks any password a server address or a backend's error message carries.
"""
from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from app.server.connect import redact

_PLATE_LIKE = re.compile(r"\b(?=[A-Za-z0-9]{2,8}\b)(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]+\b")
REDACTED = "[plate]"


def scrub(text: str) -> str:
    return _PLATE_LIKE.sub(REDACTED, redact(text))


class ScrubPlates(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def setup(data_dir: Path, level: int = logging.INFO) -> Path:
    """Log to ``DATA_DIR/logs/workstation.log`` (rotated), scrubbed; returns the file's path."""
    folder = Path(data_dir) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "workstation.log"
    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        return path
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubPlates())
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return path
