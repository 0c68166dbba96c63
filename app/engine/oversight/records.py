"""The stored record of reviews: the review, its items (flags and sample) and their findings.

Each change here is made in the same transaction as the access-log entry that records it
(review.py), and the sign-off entry carries a digest of every finding, so a record edited
afterwards no longer matches its chain entry (:func:`findings_digest`).
"""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass

from ..errors import NotFound, ValidationError
from .risk_rules import Flag

OUTCOMES = {"confirmed": "the use matches the case file",
            "explained": "a lawful reason is on record",
            "referred": "passed on for follow-up (supervisor, internal affairs)",
            "misuse": "misuse found"}


@dataclass(frozen=True)
class Item:
    item: int
    rule: str
    sentence: str
    seqs: tuple[int, ...]
    users: tuple[str, ...]
    outcome: str | None = None
    note: str | None = None
    found_seq: int | None = None


@dataclass(frozen=True)
class Review:
    id: int
    period_start: int
    period_end: int
    label: str
    scheduled: bool
    scope_owner: str | None
    scope_users: tuple[str, ...]
    reviewer: str
    started_at: int
    start_seq: int
    through_seq: int
    through_hash: str
    sample_seed: str
    notes: tuple[str, ...]
    status: str
    signed_at: int | None
    signoff_seq: int | None
    signoff_note: str | None
    approver: str | None
    approved_at: int | None
    approve_seq: int | None
    approve_note: str | None


_REVIEW_COLS = ("id, period_start, period_end, label, scheduled, scope_owner, scope_users, reviewer, "
                "started_at, start_seq, through_seq, through_hash, sample_seed, notes, status, signed_at, "
                "signoff_seq, signoff_note, approver, approved_at, approve_seq, approve_note")


def _review(row) -> Review:
    r = list(row)
    r[4] = bool(r[4])
    r[6] = tuple(json.loads(r[6]))
    r[13] = tuple(json.loads(r[13]))
    return Review(*r)


def draw_sample(population: list[int], seed: str, size: int) -> list[int]:
    """The entries to check by hand: the same population and seed always give the same draw."""
    rng = random.Random(int(seed, 16))
    return sorted(rng.sample(sorted(population), min(size, len(population))))


def insert(conn, *, period, scope, reviewer: str, now: int, start_seq: int, through: tuple[int, str],
           seed: str, notes: list[str], flags: list[Flag], sample: list[tuple[int, str, str]]) -> int:
    """A new review with its flags and its sample ((seq, user, sentence)); returns its id."""
    rid = conn.execute(
        "INSERT INTO audit_reviews(period_start, period_end, label, scheduled, scope_owner, scope_users, "
        "reviewer, started_at, start_seq, through_seq, through_hash, sample_seed, notes) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (period.start, period.end, period.label, int(period.scheduled), scope.owner,
         json.dumps(sorted(scope.users or [])), reviewer, now, start_seq, through[0], through[1], seed,
         json.dumps(notes))).lastrowid
    items = [(f.rule, f.sentence, list(f.seqs), list(f.users)) for f in flags]
    items += [("sample", text, [seq], [user]) for seq, user, text in sample]
    conn.executemany("INSERT INTO audit_review_items(review_id, item, rule, sentence, seqs, users) "
                     "VALUES (?,?,?,?,?,?)",
                     [(rid, n, rule, text, json.dumps(seqs), json.dumps(users))
                      for n, (rule, text, seqs, users) in enumerate(items, 1)])
    return rid


def get(conn, review_id: int) -> Review:
    row = conn.execute(f"SELECT {_REVIEW_COLS} FROM audit_reviews WHERE id = ?", (int(review_id),)).fetchone()
    if row is None:
        raise NotFound(f"There is no audit review #{review_id}.")
    return _review(row)


def all_reviews(conn) -> list[Review]:
    return [_review(r) for r in conn.execute(
        f"SELECT {_REVIEW_COLS} FROM audit_reviews ORDER BY period_start DESC, id DESC")]


def items(conn, review_id: int) -> list[Item]:
    return [Item(n, rule, text, tuple(json.loads(seqs)), tuple(json.loads(users)), outcome, note, seq)
            for n, rule, text, seqs, users, outcome, note, seq in conn.execute(
                "SELECT item, rule, sentence, seqs, users, outcome, note, found_seq FROM audit_review_items "
                "WHERE review_id = ? ORDER BY item", (review_id,))]


def set_finding(conn, review_id: int, item: int, outcome: str, note: str, now: int, seq: int) -> None:
    conn.execute("UPDATE audit_review_items SET outcome = ?, note = ?, found_at = ?, found_seq = ? "
                 "WHERE review_id = ? AND item = ?", (outcome, note, now, seq, review_id, item))


def check_finding(found: list[Item], item: int, outcome: str, note: str) -> Item:
    """The item a finding is for, refused unless the outcome is known and a note says why."""
    target = next((i for i in found if i.item == item), None)
    if target is None:
        raise NotFound(f"The review has no item {item}; its items are 1 to {len(found)}.")
    if outcome not in OUTCOMES:
        raise ValidationError(f"{outcome!r} is not a finding; use one of: {', '.join(OUTCOMES)}.")
    if outcome != "confirmed" and not note.strip():
        raise ValidationError(f"A finding of '{outcome}' needs a note saying what was found.")
    return target


def findings_digest(found: list[Item]) -> str:
    """SHA-256 over every item and its finding: what the sign-off entry vouches for."""
    canon = json.dumps([[i.item, i.rule, i.sentence, list(i.seqs), i.outcome, i.note] for i in found],
                       sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def mark(conn, review_id: int, status: str, fields: dict) -> None:
    sets = ", ".join(f"{k} = ?" for k in fields)
    conn.execute(f"UPDATE audit_reviews SET status = ?, {sets} WHERE id = ?",
                 (status, *fields.values(), review_id))
