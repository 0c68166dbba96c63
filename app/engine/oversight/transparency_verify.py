"""Checking a transparency report against an access log: is every figure the log's?

Given the report (its HTML page or PDF) and the log (the store's, or a CSV export of it for
someone without the store), the check

1. rebuilds the chain from the first entry up to the head the report names, recomputing each
   entry's hash and link: a log changed, cut or re-chained before that head does not end in the
   head's hash;
2. counts the period again from those entries and compares every figure;
3. finds the report's own entry (written before the file, naming the figures' SHA-256) and
   compares the figures about the store it recorded;
4. for a page, renders it again from the figures it carries: its text must be the same bytes.
"""
from __future__ import annotations

import csv
import hmac
import json
import sqlite3
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .. import accesslog
from ..errors import ValidationError
from . import transparency_html, transparency_pdf
from .transparency import Figures, log_figures

_FIELDS = accesslog.CSV_FIELDS


@dataclass(frozen=True)
class Verification:
    ok: bool
    file: str
    through_seq: int
    problems: tuple[str, ...]

    def summary(self) -> str:
        if self.ok:
            return (f"{self.file}: every figure matches the access log up to entry "
                    f"{self.through_seq:,}, and the log's chain up to it is intact.")
        return f"{self.file} DOES NOT MATCH the access log: " + "; ".join(self.problems[:6]) + "."


def chain_problems(conn, seq: int, digest: str, limit: int = 10) -> list[str]:
    """Rebuild entries 1..``seq``: each must follow the one before and hash to itself, and the
    last must be the head the report names."""
    problems: list[str] = []
    prev, expected = accesslog.GENESIS, 1
    cur = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM access_log WHERE seq <= ? ORDER BY seq", (seq,))
    while (rows := cur.fetchmany(5000)) and len(problems) < limit:
        for row in rows:
            if row[0] != expected:
                problems.append(f"entries {expected} to {row[0] - 1} are missing")
            if row[11] != prev:
                problems.append(f"entry {row[0]} does not follow the entry before it")
            if row[13] and not hmac.compare_digest(accesslog.entry_hash(*row[:12]), row[12]):
                problems.append(f"entry {row[0]} was changed after it was written")
            prev, expected = row[12], row[0] + 1
    if not problems and (expected - 1 != seq or not hmac.compare_digest(prev, digest)):
        problems.append(f"the log does not end entry {seq} in the hash the report names (the log "
                        "was cut, or rewritten and chained again)")
    return problems[:limit]


def _differences(label: str, counted: dict, claimed: dict) -> list[str]:
    return [f"{label} {key.replace('_', ' ')}: the report says {claimed.get(key)!r}, the log gives "
            f"{counted.get(key)!r}" for key in sorted(set(counted) | set(claimed))
            if counted.get(key) != claimed.get(key)]


def verify(conn, path: Path) -> Verification:
    """Check ``path`` (.html or .pdf) against the access log on ``conn``."""
    path = Path(path)
    data = path.read_bytes()
    page = transparency_html.read(data) if path.suffix.lower() in (".html", ".htm") else None
    digest = page.figures.digest() if page else transparency_pdf.digest_of(path)
    row = conn.execute("SELECT seq, detail FROM access_log WHERE action = 'transparency_report' AND "
                       "json_extract(detail, '$.figures_sha256') = ? ORDER BY seq LIMIT 1", (digest,)).fetchone()
    recorded = Figures.from_json(json.loads(row[1])["figures"]) if row else None
    claimed = page.figures if page else recorded
    if claimed is None:
        return Verification(False, path.name, 0, ("the log holds no entry recording a report with "
                                                  "these figures (not made from this log, or altered)",))
    problems = chain_problems(conn, claimed.through_seq, claimed.through_hash)
    counted = log_figures(conn, claimed.period_start, claimed.period_end, claimed.through_seq)
    problems += _differences("use of data:", asdict(counted), asdict(claimed.log))
    if recorded is None:
        problems.append("the log holds no entry recording this report (it was not written from this log)")
    elif recorded.store != claimed.store:
        problems += _differences(f"store (entry {row[0]}):", asdict(recorded.store), asdict(claimed.store))
    if replace(claimed, log=counted).digest() != digest:
        problems.append("the figures' SHA-256 the report carries is not that of the figures counted")
    if page is not None and transparency_html.render(page) != data:
        problems.append("the page's text was changed after it was written")
    return Verification(not problems, path.name, claimed.through_seq, tuple(dict.fromkeys(problems)))


def load_csv(path: Path) -> sqlite3.Connection:
    """A CSV export of the access log as an in-memory table with the store's columns."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE access_log (seq INTEGER PRIMARY KEY, {', '.join(_FIELDS[1:])})")
    conn.execute("CREATE INDEX access_log_action_time ON access_log(action, ts)")
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [f for f in _FIELDS if f not in (reader.fieldnames or [])]
            if missing:
                raise ValidationError(f"{Path(path).name} is not an export of the access log (no "
                                      f"column {missing[0]!r}).")
            conn.executemany(f"INSERT INTO access_log VALUES ({','.join('?' * len(_FIELDS))})",
                             ([int(r["seq"])] + [r[f] or (None if f in ("purpose", "case_number", "mac") else "")
                                                 for f in _FIELDS[1:]] for r in reader))
    except (ValueError, csv.Error, sqlite3.Error) as exc:
        raise ValidationError(f"{Path(path).name} cannot be read as an access-log export ({exc}).") from None
    return conn
