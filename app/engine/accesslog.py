"""The access log of Civil Code 1798.90.52: a hash chain with forward-secure MACs.

Each entry's hash is SHA-256 over its own fields and the previous entry's hash, so a
changed, deleted, inserted or re-ordered entry breaks the chain for anyone who checks it.
Each entry is also MACed with a key that changes at every entry (k[i+1] = H(k[i]); the old
key is overwritten), after Bellare-Yee: whoever steals the store's current key cannot
re-sign an entry written before the theft. The first key is escrowed with the city server,
which re-derives every key and checks every MAC of what it receives, and keeps the hashes
as receipts; so a re-written, truncated or rolled-back log is found at the next sync even
if it was re-chained locally. The head record names the last entry and is checked before
every append: a store whose head does not match its log writes nothing more, so it
returns no data.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlcipher3

from .errors import AuditLogError, LogTampered

GENESIS = "0" * 64
EVOLVE = b"alpr-log-evolve"

_COLUMNS = ("seq, ts, username, agency, role, action, query, purpose, case_number, "
            "result_ids, detail, prev_hash, hash, mac")


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
    mac: str | None = None

    @classmethod
    def from_row(cls, row: tuple) -> LogEntry:
        return cls(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7],
                   row[8], json.loads(row[9]), json.loads(row[10]), row[11], row[12], row[13])


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


def entry_hash(seq: int, ts: str, username: str, agency: str, role: str, action: str,
               query: str, purpose: str | None, case_number: str | None, result_ids: str,
               detail: str, prev_hash: str) -> str:
    """SHA-256 over length-prefixed fields: the same text the city server's SQL rebuilds."""
    parts = [str(seq), ts, username, agency, role, action, query, purpose, case_number,
             result_ids, detail, prev_hash]
    text = "".join("-;" if p is None else f"{len(p)}:{p};" for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def evolve(key: bytes) -> bytes:
    return hashlib.sha256(EVOLVE + key).digest()


def mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("ascii"), hashlib.sha256).hexdigest()


def _head_mac(key: bytes, seq: int, digest: str) -> str:
    return mac(key, f"head:{seq}:{digest}")


def utc_now_iso(now: float) -> str:
    return datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="microseconds")


def start_chain(conn: sqlcipher3.Connection, seq: int = 0, last_hash: str = GENESIS) -> bytes:
    """Give a new (or upgraded) log its first key; returns it, for escrow with the server."""
    key = secrets.token_bytes(32)
    conn.execute(
        "INSERT INTO access_log_head(id, seq, hash, mac, next_key) VALUES (1, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, "
        "mac = excluded.mac, next_key = excluded.next_key",
        (seq, last_hash, _head_mac(key, seq, last_hash), key))
    return key


def head_problem(conn: sqlcipher3.Connection) -> tuple[str | None, tuple | None]:
    """What is wrong with the head record (None if nothing), and the head itself."""
    head = conn.execute("SELECT seq, hash, mac, next_key FROM access_log_head WHERE id = 1").fetchone()
    if head is None or head[3] is None:
        return "the access log's head record is missing (the log was wiped)", None
    last = conn.execute("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1").fetchone()
    if not hmac.compare_digest(_head_mac(bytes(head[3]), head[0], head[1]), head[2]):
        return "the access log's head record was modified", head
    if (last or (0, GENESIS)) != (head[0], head[1]):
        return (f"the access log ends at entry {last[0] if last else 0} but its head names entry "
                f"{head[0]} (entries were cut off, added or changed)"), head
    return None, head


def _checked_head(conn: sqlcipher3.Connection) -> tuple[int, str, bytes]:
    """The head, refused unless its MAC holds and it names the log's last entry."""
    problem, head = head_problem(conn)
    if problem:
        raise LogTampered(f"{problem[0].upper()}{problem[1:]}. ALPR data stays closed on this "
                          "workstation until the store is restored; the failure is reported at "
                          "the next sync.")
    return head[0], head[1], bytes(head[3])  # type: ignore[index]  # this query always answers a row


def append(conn: sqlcipher3.Connection, now: float, actor: Actor, action: str, *,
           query: dict | None = None, purpose: str | None = None,
           case_number: str | None = None, result_ids: list[int] | None = None,
           detail: dict | None = None) -> int:
    """Write one entry inside the caller's transaction; returns its sequence number.

    Called in the same transaction as the work it records, so either both commit or
    neither does; if the entry cannot be written the caller's data is never returned.
    """
    try:
        last_seq, prev, key = _checked_head(conn)
        seq, ts = last_seq + 1, utc_now_iso(now)
        q, r, d = _canon(query or {}), _canon(list(result_ids or [])), _canon(detail or {})
        digest = entry_hash(seq, ts, actor.username, actor.agency, actor.role, action, q,
                            purpose, case_number, r, d, prev)
        conn.execute(
            f"INSERT INTO access_log({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (seq, ts, actor.username, actor.agency, actor.role, action, q, purpose, case_number,
             r, d, prev, digest, mac(key, digest)))
        key = evolve(key)                 # the key that signed this entry is gone from now on
        conn.execute("UPDATE access_log_head SET seq = ?, hash = ?, mac = ?, next_key = ? "
                     "WHERE id = 1", (seq, digest, _head_mac(key, seq, digest), key))
    except sqlcipher3.Error as exc:
        raise AuditLogError(
            f"The access log could not be written ({exc}); nothing was returned.") from exc
    return seq


def head(conn: sqlcipher3.Connection) -> tuple[int, str]:
    """(seq, hash) of the last entry: what packages and reports carry as their anchor."""
    row = conn.execute("SELECT seq, hash FROM access_log_head WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def contains(conn: sqlcipher3.Connection, seq: int, digest: str) -> bool:
    """Whether the log still holds entry ``seq`` with this hash (an anchor still stands)."""
    if seq == 0:
        return digest == GENESIS
    row = conn.execute("SELECT hash FROM access_log WHERE seq = ?", (seq,)).fetchone()
    return bool(row) and hmac.compare_digest(row[0], digest)


def iter_entries(conn: sqlcipher3.Connection, where: str = "", params: tuple = (),
                 batch: int = 5000) -> Iterator[LogEntry]:
    cur = conn.execute(f"SELECT {_COLUMNS} FROM access_log {where} ORDER BY seq", params)
    while rows := cur.fetchmany(batch):
        for row in rows:
            yield LogEntry.from_row(row)


def verify(conn: sqlcipher3.Connection, first_key: bytes | None = None,
           receipt: tuple[int, str] | None = None) -> VerifyReport:
    """Walk the chain and the head; name every break found.

    With ``first_key`` (held until the server has it in escrow) every MAC is checked too,
    and the key reached at the end must be the head's; ``receipt`` is the last entry the
    city server confirmed, which the log must still hold."""
    problems: list[str] = []
    prev_hash, expected_seq, count, key = GENESIS, 1, 0, first_key
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
            if row[13] is not None:       # entries before the forward-secure format: linked only
                if not hmac.compare_digest(entry_hash(*row[:12]), row[12]):
                    problems.append(f"entry {seq} was modified after it was written")
                elif key is not None:
                    if not hmac.compare_digest(mac(key, row[12]), row[13]):
                        problems.append(f"entry {seq} was signed again with a key it never had "
                                        "(the log was re-chained)")
                    key = evolve(key)
            prev_hash, expected_seq = row[12], seq + 1
    problem, head_row = head_problem(conn)
    if problem:
        problems.append(problem)
    elif key is not None:
        if not hmac.compare_digest(key, bytes(head_row[3])):  # type: ignore[index]  # this query always answers a row
            problems.append("the log's key does not follow from its first key (entries were "
                            "cut off the end or the log was re-chained)")
    if receipt is not None and receipt[0] > 0 and not contains(conn, *receipt):
        problems.append(f"entry {receipt[0]}, which the city server confirmed, is no longer in "
                        "the log as it was sent (the store was rolled back or rewritten)")
    return VerifyReport(not problems, count, problems)


CSV_FIELDS = ["seq", "ts", "username", "agency", "role", "action", "query", "purpose",
              "case_number", "result_ids", "detail", "prev_hash", "hash", "mac"]


def write_csv(entries: Iterator[LogEntry], path: Path) -> int:
    """Export entries as CSV (one row each, JSON in the structured columns)."""
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_FIELDS)
        for e in entries:
            w.writerow([e.seq, e.ts, e.username, e.agency, e.role, e.action, _canon(e.query),
                        e.purpose or "", e.case_number or "", _canon(e.result_ids),
                        _canon(e.detail), e.prev_hash, e.hash, e.mac or ""])
            n += 1
    return n
