"""The access log of Civil Code 1798.90.52, chained with a keyed hash.

Each entry's hash is an HMAC over its own fields and the previous entry's hash, so a
changed, deleted, inserted or re-ordered entry breaks the chain. The key lives in the OS
keyring, not in the store, so someone who can edit the decrypted file still cannot forge a
consistent chain; the keyed head record also catches a cut-off tail.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlcipher3

from .errors import AuditLogError

GENESIS = "0" * 64

_COLUMNS = ("seq, ts, username, agency, role, action, query, purpose, case_number, "
            "result_ids, detail, prev_hash, hash")


@dataclass(frozen=True)
class LogEntry:
    seq: int
    ts: str
    username: str
    agency: str
    role: str
    action: str
    query: dict
    purpose: str | None
    case_number: str | None
    result_ids: list[int]
    detail: dict
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: tuple) -> LogEntry:
        return cls(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7],
                   row[8], json.loads(row[9]), json.loads(row[10]), row[11], row[12])


@dataclass(frozen=True)
class Actor:
    """Who an entry is about; ``system`` for work the program does by itself."""

    username: str
    agency: str
    role: str


SYSTEM = Actor("system", "workstation", "system")


@dataclass
class VerifyReport:
    ok: bool
    entries: int
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.ok:
            return f"Access log intact: {self.entries} entries, chain and head verified."
        return (f"ACCESS LOG TAMPERED: {len(self.problems)} problem(s) in {self.entries} "
                "entries: " + "; ".join(self.problems[:5]))


def _canon(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _mac(key: bytes, fields: list) -> str:
    return hmac.new(key, _canon(fields).encode(), hashlib.sha256).hexdigest()


def _entry_mac(key: bytes, seq: int, ts: str, username: str, agency: str, role: str,
               action: str, query: str, purpose: str | None, case_number: str | None,
               result_ids: str, detail: str, prev_hash: str) -> str:
    return _mac(key, [seq, ts, username, agency, role, action, query, purpose, case_number,
                      result_ids, detail, prev_hash])


def utc_now_iso(now: float) -> str:
    return datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="microseconds")


def append(conn: sqlcipher3.Connection, key: bytes, now: float, actor: Actor, action: str, *,
           query: dict | None = None, purpose: str | None = None,
           case_number: str | None = None, result_ids: list[int] | None = None,
           detail: dict | None = None) -> int:
    """Write one entry inside the caller's transaction; returns its sequence number.

    Called in the same transaction as the work it records, so either both commit or
    neither does; if the entry cannot be written the caller's data is never returned.
    """
    try:
        head = conn.execute("SELECT seq, hash FROM access_log_head WHERE id = 1").fetchone()
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        ts = utc_now_iso(now)
        q, r, d = _canon(query or {}), _canon(list(result_ids or [])), _canon(detail or {})
        digest = _entry_mac(key, seq, ts, actor.username, actor.agency, actor.role, action, q,
                            purpose, case_number, r, d, prev)
        conn.execute(
            f"INSERT INTO access_log({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (seq, ts, actor.username, actor.agency, actor.role, action, q, purpose, case_number,
             r, d, prev, digest))
        conn.execute(
            "INSERT INTO access_log_head(id, seq, hash, mac) VALUES (1, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, "
            "mac = excluded.mac", (seq, digest, _mac(key, ["head", seq, digest])))
    except sqlcipher3.Error as exc:
        raise AuditLogError(
            f"The access log could not be written ({exc}); nothing was returned.") from exc
    return seq


def iter_entries(conn: sqlcipher3.Connection, where: str = "", params: tuple = (),
                 batch: int = 5000) -> Iterator[LogEntry]:
    cur = conn.execute(f"SELECT {_COLUMNS} FROM access_log {where} ORDER BY seq", params)
    while rows := cur.fetchmany(batch):
        for row in rows:
            yield LogEntry.from_row(row)


def verify(conn: sqlcipher3.Connection, key: bytes) -> VerifyReport:
    """Walk the whole chain and the head record; name every break found."""
    problems: list[str] = []
    prev_hash, expected_seq, count = GENESIS, 1, 0
    cur = conn.execute(f"SELECT {_COLUMNS} FROM access_log ORDER BY seq")
    while rows := cur.fetchmany(5000):
        for row in rows:
            count += 1
            seq = row[0]
            if seq != expected_seq:
                problems.append(f"entries {expected_seq} to {seq - 1} are missing (deleted)")
            if row[11] != prev_hash:
                problems.append(f"entry {seq} does not follow the entry before it "
                                "(deleted, inserted or re-ordered entries)")
            digest = _entry_mac(key, seq, *row[1:12])
            if not hmac.compare_digest(digest, row[12]):
                problems.append(f"entry {seq} was modified after it was written")
            prev_hash, expected_seq = row[12], seq + 1
    head = conn.execute("SELECT seq, hash, mac FROM access_log_head WHERE id = 1").fetchone()
    if head is None:
        if count:
            problems.append("the chain's head record is missing")
    else:
        if not hmac.compare_digest(_mac(key, ["head", head[0], head[1]]), head[2]):
            problems.append("the chain's head record was modified")
        elif head[0] != expected_seq - 1 or head[1] != prev_hash:
            problems.append(f"the log ends at entry {expected_seq - 1} but the head says "
                            f"{head[0]}: entries were cut off the end")
    return VerifyReport(not problems, count, problems)


CSV_FIELDS = ["seq", "ts", "username", "agency", "role", "action", "query", "purpose",
              "case_number", "result_ids", "detail", "prev_hash", "hash"]


def write_csv(entries: Iterator[LogEntry], path: Path) -> int:
    """Export entries as CSV (one row each, JSON in the structured columns)."""
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_FIELDS)
        for e in entries:
            w.writerow([e.seq, e.ts, e.username, e.agency, e.role, e.action, _canon(e.query),
                        e.purpose or "", e.case_number or "", _canon(e.result_ids),
                        _canon(e.detail), e.prev_hash, e.hash])
            n += 1
    return n
