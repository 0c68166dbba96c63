"""Diagnostic logging, kept apart from the access log and scrubbed of plate text and secrets.

Diagnostic logs are plain files for support staff; they must never become a second,
unencrypted copy of ALPR data. Every record passes a filter before any handler writes it. A
plate is 1 to 10 letters and digits (all letters, all digits or mixed; vanity plates too),
so the filter is conservative; it replaces with ``[plate]``:

- every run of up to 10 letters and digits that holds a digit, or two or more capitals, or is
  a single capital (``7ABC123``, ``1234567``, ``HELLO``, ``ABCDEFGHIJ``, ``7ABC-123``): what
  it keeps is lower-case words, capitalised words (``The``, ``KeyError``), runs longer than
  10 characters (no plate is), decimals (``2.5``) and a traceback's ``line 42``;
- everything inside quotes (``'...'`` or ``"..."``: the engine echoes what a user typed with
  ``repr``), whatever its case;
- an argument of the message (``log.info("... %s", value)``) that is a short word of letters
  and digits, whatever its case: it is data, and may be a plate typed in lower case.

Numbers given as arguments (``%d``, ``%.1f``) are kept, so counts and timings survive: log
them that way, not inside an f-string. Any password a server address or a backend's error
message carries is blanked first.
"""
from __future__ import annotations

import logging
import logging.handlers
import numbers
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.server.connect import redact

REDACTED = "[plate]"
MAX_PLATE = 10                     # the longest plate any state issues

_QUOTED = re.compile(r"""(?<![A-Za-z0-9])(['"])(?:(?!\1)[^\n]){0,300}\1(?![A-Za-z0-9])""")
# Kept as they are: decimals, and a traceback's 'File "/path/module.py", line 42'.
_KEEP = re.compile(r"\d+\.\d+|File \"[^\"\n]*\", line \d+|\bline \d+\b")
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_AFTER_ARTICLE = re.compile(r" [a-z]")               # "A store ...", "I ..." (not a plate "A")
_SHORT_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,11}")
# printf-style fields of a message template ("%s", "%5.1f", "%(name)s", "%%")
_FIELD = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


def _plate_like(token: str) -> bool:
    if len(token) > MAX_PLATE:
        return False
    if not token.isalpha():
        return True                                   # holds a digit: "7ABC123", "1234567"
    if token.islower():
        return False                                  # a word: "search", "reads"
    if len(token) > 1 and token[0].isupper() and token[1:].islower():
        return False                                  # a capitalised word: "The", "No"
    return sum(c.islower() for c in token) < 2        # "HELLO", "N", "aBC"; not "KeyError"


def _scrub_tokens(text: str) -> str:
    out, last = [], 0
    for m in _TOKEN.finditer(text):
        out.append(text[last:m.start()])
        token = m.group(0)
        article = token in ("A", "I") and _AFTER_ARTICLE.match(text, m.end()) is not None
        out.append(REDACTED if _plate_like(token) and not article else token)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def scrub(text: str) -> str:
    """``text`` without anything that could be a plate, and without passwords."""
    text = redact(text)
    out, last = [], 0
    for m in _KEEP.finditer(text):
        out.append(_scrub_free(text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_scrub_free(text[last:]))
    return "".join(out)


def _scrub_free(text: str) -> str:
    text = _QUOTED.sub(lambda m: f"{m.group(1)}{REDACTED}{m.group(1)}", text)
    return _scrub_tokens(text)


def _scrub_template(template: str) -> str:
    """A message template scrubbed around its ``%`` fields, which stay as they are."""
    out, last = [], 0
    for m in _FIELD.finditer(template):
        out.append(scrub(template[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(scrub(template[last:]))
    return "".join(out)


def _scrub_arg(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real):           # counts, sizes, timings: never a plate
        return value
    text = redact(str(value))
    if _SHORT_WORD.fullmatch(text.strip()):       # a bare short word is data: maybe a plate
        return REDACTED
    return scrub(text)


def scrub_record(record: logging.LogRecord) -> str:
    """The record's message, scrubbed: the template's words, its numbers, no plate."""
    try:
        template, args = record.msg, record.args
        if not isinstance(template, str):
            return scrub(str(template))
        if not args:
            return scrub(template)
        if isinstance(args, Mapping):
            return _scrub_template(template) % {k: _scrub_arg(v) for k, v in args.items()}
        return _scrub_template(template) % tuple(_scrub_arg(a) for a in args)
    except Exception:                              # a bad template must not lose the record
        try:
            return scrub(record.getMessage())
        except Exception:
            return scrub(f"{record.msg!s} {record.args!s}")


class ScrubPlates(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "alpr_scrubbed", False):     # another handler's filter did it already
            return True
        record.alpr_scrubbed = True
        record.msg = scrub_record(record)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
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
