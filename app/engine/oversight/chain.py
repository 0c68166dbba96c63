"""The log-chain rule: gaps and breaks in the period's part of the chain, and the alerts.

A full ``audit verify`` walks the whole log and its MACs; a review of one month walks that
month's entries (and the one before, to which the first links), recomputes each hash and
checks the numbering, checks the head record, that the last entry the city server confirmed
is still held, that the anchors of earlier reviews still stand, and gathers what the period's
own entries report: chain checks that failed, syncs stopped for tampering, and the city
server's alerts. Only a review of everyone's entries runs it: integrity is the auditor's.
"""
from __future__ import annotations

import hmac

from .. import accesslog
from ..accesslog import utc_now_iso
from .period_log import ROW_COLUMNS, Entry
from .risk_rules import Flag



def _flag(sentence: str, seqs: list[int] | tuple[int, ...] = ()) -> Flag:
    return Flag("chain", sentence, tuple(seqs), ())


def walk(conn, start: int, end: int, through_seq: int) -> list[Flag]:
    """Breaks in the chain between the period's first entry and its last (up to ``through_seq``)."""
    lo, hi = conn.execute("SELECT min(seq), max(seq) FROM access_log WHERE ts >= ? AND ts < ? "
                          "AND seq <= ?", (utc_now_iso(start), utc_now_iso(end), through_seq)).fetchone()
    if lo is None:
        return []
    out: list[Flag] = []
    before = conn.execute("SELECT seq, hash FROM access_log WHERE seq < ? ORDER BY seq DESC LIMIT 1",
                          (lo,)).fetchone()
    expected, prev = (before[0] + 1, before[1]) if before else (1, accesslog.GENESIS)
    for row in conn.execute(f"SELECT {ROW_COLUMNS} FROM access_log WHERE seq >= ? AND seq <= ? "
                            "ORDER BY seq", (lo, hi)):
        seq = row[0]
        if seq != expected:
            out.append(_flag(f"Entries {expected} to {seq - 1} are missing from the log (deleted).", [seq]))
        if row[11] != prev:
            out.append(_flag(f"Entry {seq} does not follow the entry before it (entries deleted, "
                             "inserted or re-ordered).", [seq]))
        if row[13] is not None and not hmac.compare_digest(accesslog.entry_hash(*row[:12]), row[12]):
            out.append(_flag(f"Entry {seq} was modified after it was written.", [seq]))
        expected, prev = seq + 1, row[12]
    return out


def head_and_receipt(conn, receipt: tuple[int, str] | None) -> list[Flag]:
    problem, _head = accesslog.head_problem(conn)
    out = [_flag(f"{problem[0].upper()}{problem[1:]}.")] if problem else []
    if receipt is not None and receipt[0] > 0 and not accesslog.contains(conn, *receipt):
        out.append(_flag(f"Entry {receipt[0]}, which the city server confirmed, is no longer in the "
                         "log as it was sent (the store was rolled back or rewritten)."))
    return out


def earlier_anchors(conn) -> list[Flag]:
    """Every earlier review read the log up to an entry whose hash it kept: it must still be there."""
    return [_flag(f"Review #{rid} read the log up to entry {seq}, which is no longer in the log as "
                  "it was (the log was rewritten after that review).", [seq])
            for rid, seq, digest in conn.execute("SELECT id, through_seq, through_hash FROM audit_reviews")
            if not accesslog.contains(conn, seq, digest)]


def reported(entries: list[Entry]) -> list[Flag]:
    """What the period's own entries report: failed chain checks and syncs stopped for tampering."""
    out = []
    for e in entries:
        d = e.detail
        if e.action == "audit_verify" and (d.get("ok") is False or d.get("held") is False):
            what = "; ".join(str(p) for p in d.get("problems", [])[:3]) or \
                f"entry {d.get('seq')} named by {d.get('against')} is no longer held"
            out.append(_flag(f"{e.who} found the log changed: {what}.", [e.seq]))
        elif e.action == "sync" and d.get("ok") is False and "tamper" in str(d.get("error", "")).lower():
            out.append(_flag(f"A sync stopped on tampering: {d.get('error')}", [e.seq]))
    return out


def server_alerts(alerts: list[tuple[int, str, str]], start: int, end: int) -> list[Flag]:
    return [_flag(f"The city server recorded a '{kind}' alert against this workstation's log: {detail}.")
            for at, kind, detail in alerts if start <= at < end]
