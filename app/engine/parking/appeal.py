"""The Transit Court appeal packet's own pages: the stay, the rule, what was found, accuracy.

The packet is an evidence package (``app/engine/evidence``: the entry and exit reads with
their original images, reads.csv, metadata.json, the case's access-log entries, a manifest
and the chain-of-custody form) with two more files under ``appeal/``: ``statement.pdf`` for
the hearing officer and ``appeal.json`` with the same facts for a machine. The accuracy
statement gives the vendor's rate from the policy (section 9) and this agency's own measured
agreement between the vendor's reads and the workstation's OCR at the facility's gates over
the 30 days before the exit, so the court sees both the claim and the check.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .. import timefmt
from .facilities import Facility
from .rules import Finding

PERIOD_DAYS = 30


@dataclass(frozen=True)
class Agreement:
    start: int
    end: int
    compared: int           # reads the workstation's OCR also read
    agreed: int             # of which the OCR read the same plate as the vendor

    @property
    def rate(self) -> float | None:
        return self.agreed / self.compared if self.compared else None

    def sentence(self) -> str:
        if not self.compared:
            return ("No read at this facility's gates was re-read by the workstation's OCR in the "
                    "period, so no agreement rate was measured.")
        return (f"Of {self.compared} reads at this facility's gates that the workstation's OCR "
                f"re-read in the period, {self.agreed} ({100 * self.rate:.1f}%) gave the same plate "  # type: ignore[operator]  # compared > 0 here
                "as the vendor's camera.")


def agreement(conn, fac: Facility, end: int) -> Agreement:
    """Vendor read (before any correction) against the workstation's OCR, at the gates."""
    start = end - PERIOD_DAYS * 86400
    row = conn.execute(
        "SELECT count(*), coalesce(sum(ocr_plate = coalesce(original_plate, plate)), 0) FROM reads "
        "WHERE ocr_plate IS NOT NULL AND read_at >= ? AND read_at < ? AND camera_id IN "
        "(SELECT value FROM json_each(?))", (start, end, json.dumps(list(fac.gate_cameras)))).fetchone()
    return Agreement(start, end, int(row[0]), int(row[1]))


@dataclass(frozen=True)
class Citation:
    id: int
    citation_no: str
    facility_id: str
    kind: str
    plate: str
    entry_read_id: int
    exit_read_id: int | None
    entry_at: int
    exit_at: int | None
    detail: str
    hold_id: int
    issued_by: str
    issued_at: int

    @property
    def read_ids(self) -> list[int]:
        return [self.entry_read_id] + ([self.exit_read_id] if self.exit_read_id else [])


CITATION_COLS = ("id, citation_no, facility_id, kind, plate, entry_read_id, exit_read_id, entry_at, "
                 "exit_at, detail, hold_id, issued_by, issued_at")


def facts(cit: Citation, fac: Facility, finding: Finding | None, acc: Agreement,
          vendor_rate: float | None, tz: ZoneInfo) -> dict:
    """Everything the statement says, as data (appeal.json)."""
    def t(ts: int | None) -> str | None:
        return timefmt.fmt(ts, tz) if ts is not None else None
    issued = json.loads(cit.detail)
    return {
        "citation": {"number": cit.citation_no, "kind": cit.kind, "issued_by": cit.issued_by,
                     "issued_at": t(cit.issued_at), "reason": issued.get("reason"),
                     "rule": issued.get("rule")},
        "facility": {"id": fac.id, "name": fac.name, "capacity": fac.capacity},
        "stay": {"plate": cit.plate, "entry_read_id": cit.entry_read_id, "entry": t(cit.entry_at),
                 "exit_read_id": cit.exit_read_id, "exit": t(cit.exit_at),
                 "exit_plate": finding.stay.exit_plate if finding else None,
                 "zones_seen": list(finding.zones) if finding else []},
        "rules_applied": [r.describe() for r in finding.rules] if finding else [],
        "fee_due": f"{finding.due_cents / 100:.2f}" if finding else None,
        "payments_found": [{"plate": p.plate, "start": t(p.start_at), "end": t(p.end_at),
                            "amount": f"{p.amount_cents / 100:.2f}", "method": p.method}
                           for p in (finding.payments if finding else ())],
        "permit_found": ({"permit": finding.permit.permit_no, "plate": finding.permit.plate,
                          "zone": finding.permit.zone, "valid_from": t(finding.permit.valid_from),
                          "valid_until": t(finding.permit.valid_until)}
                         if finding and finding.permit else None),
        "violations_now": [v.reason for v in finding.violations] if finding else [],
        "accuracy": {"vendor_perfect_read_rate": vendor_rate,
                     "measured_from": t(acc.start), "measured_until": t(acc.end),
                     "compared": acc.compared, "agreed": acc.agreed, "agreement_rate": acc.rate,
                     "statement": accuracy_text(acc, vendor_rate)},
    }


def accuracy_text(acc: Agreement, vendor_rate: float | None) -> str:
    vendor = (f"The ALPR vendor states a {100 * vendor_rate:.1f}% perfect-read rate (policy section "
              "9). " if vendor_rate is not None else "The policy states no vendor read rate. ")
    return vendor + acc.sentence()


def statement_sections(f: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str]],
                                         list[tuple[str, list[str], list[list[str]]]]]:
    """(facts table, paragraphs, tables) of statement.pdf."""
    c, s = f["citation"], f["stay"]
    table = [("Citation", c["number"]), ("Violation", c["kind"]), ("Reason at issue", c["reason"] or ""),
             ("Issued by", f"{c['issued_by']} at {c['issued_at']}"),
             ("Facility", f"{f['facility']['name']} ({f['facility']['id']})"),
             ("Plate", s["plate"] + (f" (exit read as {s['exit_plate']})" if s["exit_plate"] else "")),
             ("Entry", f"{s['entry']} (read {s['entry_read_id']})"),
             ("Exit", f"{s['exit'] or 'no exit read'}"
                      + (f" (read {s['exit_read_id']})" if s["exit_read_id"] else "")),
             ("Zones seen in", ", ".join(s["zones_seen"]) or "none (no patrol read)"),
             ("Fee due", f["fee_due"] or "-")]
    pays = [[p["plate"], p["start"], p["end"], p["amount"], p["method"]] for p in f["payments_found"]]
    permit = f["permit_found"]
    paragraphs = [
        ("Rule applied", c["rule"] or "; ".join(f["rules_applied"]) or "none"),
        ("Payment records", f"{len(pays)} payment(s) found for this stay." if pays else
         "No payment record was found for this plate, or a similar plate, during the stay."),
        ("Permit records", f"Permit {permit['permit']} ({permit['plate']}, zone {permit['zone']}, "
         f"valid {permit['valid_from']} to {permit['valid_until']}) covers the stay." if permit else
         "No permit was found for this plate, or a similar plate, covering the stay."),
        ("Read accuracy", f["accuracy"]["statement"]),
        ("Images", "The original entry and exit images, byte for byte as the cameras sent them, are "
         "in images/original/ of this packet; their SHA-256 hashes are in manifest.sha256 and on "
         "the chain-of-custody form.")]
    return table, paragraphs, [("Payments found", ["Plate", "Start", "End", "Amount", "Method"], pays)]
