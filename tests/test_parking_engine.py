"""LA Metro parking engine: pairing, each rule kind, permits and payments, reconciliation,
occupancy, and the purposes and grants that guard them (real SQLCipher store)."""
from __future__ import annotations

from datetime import date

import pytest

from app.engine.errors import PermissionDenied, PurposeRequired, ValidationError
from app.engine.parking import stays as stays_mod
from app.engine.parking.facilities import Rule
from app.engine.parking.rules import due_cents

from . import parking_data as pd


@pytest.fixture
def metro(tmp_path):
    ws, clock, people = pd.workstation(tmp_path)
    yield ws, clock, people
    ws.close()


def _session(ws, people, name, role, purpose, case="PRK-20260001"):
    s = people.user(name, role, purpose=False)
    ws.set_purpose(s, purpose, case)
    return s


def test_pairing_tolerates_a_misread_exit_and_reports_unpaired_reads(metro):
    ws, _clock, people = metro
    s = _session(ws, people, "officer", "enforcement", "PARKING-ORD")
    got = ws.parking.stays(s, "NHO", pd.DAY)
    by_plate = {st.plate: st for st in got.stays}
    assert set(by_plate) == {p[0] for p in pd.STAYS}
    abc = by_plate["7ABC123"]
    assert abc.exit_plate == "7A8C123" and abc.exit_at == pd.at(9, 30)
    assert by_plate["3OPN333"].open
    reasons = {plate: reason for _rid, plate, _t, reason in got.unpaired}
    assert reasons == {"4DUP444": stays_mod.NO_EXIT, "2GHO222": stays_mod.NO_ENTRY}
    assert by_plate["4DUP444"].entry_at == pd.at(9)


def test_pair_prefers_the_exact_plate_over_a_similar_one():
    got = stays_mod.pair([(1, "7ABC123", 10, True), (2, "7A8C123", 20, True),
                          (3, "7A8C123", 30, False), (4, "7ABC12", 40, False)])
    assert [(s[0], s[2], s[5]) for s in got.stays] == [("7A8C123", 3, None), ("7ABC123", 4, "7ABC12")]
    assert got.unpaired == []


def test_each_rule_kind(metro, tmp_path):
    ws, _clock, people = metro
    s = _session(ws, people, "officer", "enforcement", "PARKING-ORD")
    _pay, permits = pd.files(tmp_path)
    rep = ws.parking.import_permits(s, "NHO", permits)
    assert rep.accepted == 1 and rep.rejected[0][0] == 3 and "NOPE" in rep.rejected[0][1]
    found = {f.stay.plate: sorted(v.kind for v in f.violations)
             for f in ws.parking.violations(s, "NHO", pd.DAY)}
    # no payment data imported yet: every finished stay that owed a fee is unpaid
    assert found["8XYZ999"] == ["no_payment", "overstay"]          # time limit + grace
    assert found["6PRM777"] == ["no_payment", "no_permit"]          # permit-only zone
    assert "6PER888" not in found                                    # the permit covers it
    assert "7GRC333" not in found                                    # within the grace period
    assert found["3OPN333"] == ["overstay"]                          # open, 25 hours now
    saturday = ws.parking.violations(s, "NHO", date(2026, 3, 7))
    assert saturday == []                                            # days and hours: not enforced


def test_fee_rule_arithmetic():
    rule = Rule(grace_minutes=15, hourly_cents=100, daily_max_cents=300)
    assert [due_cents(rule, m) for m in (10, 15, 16, 61, 179, 181, 1440, 1441, 2000)] == \
        [0, 0, 100, 200, 300, 300, 300, 400, 600]
    assert due_cents(Rule(daily_max_cents=500), 30) == 500           # a flat daily fee


def test_reconciliation_totals_match_an_independent_count(metro, tmp_path):
    ws, _clock, people = metro
    officer = _session(ws, people, "officer", "enforcement", "PARKING-ORD")
    pay, permits = pd.files(tmp_path)
    ws.parking.import_permits(officer, "NHO", permits)
    ops = _session(ws, people, "ops", "operations", "REVENUE")
    rep = ws.parking.import_payments(ops, "NHO", pay)
    assert rep.accepted == 7 and len(rep.rejected) == pd.PAYMENT_REJECTS
    assert all(reason.endswith(".") and "\n" not in reason for _n, reason in rep.rejected)
    rec = ws.parking.reconcile(ops, "NHO", pd.DAY)
    got = {f.stay.plate: (st, f.due_cents if st != "open" else 0, f.paid_cents) for f, st in rec.rows}
    assert got == {p[0]: (p[4], p[5], p[6]) for p in pd.STAYS}
    assert [(p.plate, p.amount_cents) for p in rec.orphans] == pd.UNMATCHED
    # the totals, counted here from the hand-written table and the CSV
    t = rec.totals
    assert t.stays == len(pd.STAYS)
    assert t.due_cents == sum(p[5] for p in pd.STAYS)
    assert t.collected_cents == 200 + 300 + 100 + 300 + 200 + 100 + 300
    assert t.matched_cents == sum(p[6] for p in pd.STAYS)
    assert t.unmatched_cents == 300
    assert t.shortfall_cents == sum(p[5] - p[6] for p in pd.STAYS if p[4] in ("underpaid", "unpaid"))
    assert t.surplus_cents == sum(p[6] - p[5] for p in pd.STAYS if p[4] == "overpaid")
    assert t.collected_cents == t.matched_cents + t.unmatched_cents
    csv_path = ws.parking.write_reconciliation(ops, rec, tmp_path / "rec.csv")
    text = csv_path.read_text(encoding="utf-8")
    assert "payment_without_stay,1NOS999" in text and "total,Shortfall" in text
    entries = [e for e in ws.audit_entries(people.admin()) if e.action.startswith("parking_")]
    assert [e.action for e in entries if e.username == "ops"] == \
        ["parking_import", "parking_reconcile", "parking_report"]
    assert all(e.purpose == "REVENUE" for e in entries if e.username == "ops")


def test_import_refuses_a_file_with_no_good_line_in_one_sentence(metro, tmp_path):
    ws, _clock, people = metro
    ops = _session(ws, people, "ops", "operations", "REVENUE")
    bad = tmp_path / "bad.csv"
    bad.write_text("7ABC123,yesterday,today,3.00,card\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        ws.parking.import_payments(ops, "NHO", bad)
    assert "line 1" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ValidationError):
        ws.parking.import_payments(ops, "NHO", tmp_path / "missing.csv")


def test_occupancy_counts_by_hour_and_live(metro):
    ws, clock, people = metro
    ops = _session(ws, people, "ops", "operations", "OCCUPANCY")
    day, live = ws.parking.occupancy(ops, "NHO", pd.DAY)
    # counted by hand from STAYS and the unpaired 08:00 entry (not a stay)
    assert day.by_hour[6] == 2 and day.by_hour[7] == 3
    assert day.by_hour[8] == 5 and day.by_hour[9] == 6 and day.by_hour[12] == 5
    assert day.by_hour[23] == 1 and day.peak == 6
    assert day.entries == len(pd.STAYS) and day.exits == len(pd.STAYS) - 1
    assert live == 1                                                 # the open stay, 25 h in
    t = ws.parking.trend(ops, "NHO", pd.DAY, 7)
    assert t.by_weekday[2] == day.peak and len(t.by_hour) == 24
    clock.advance(3 * 86400)                     # past max_stay_hours, and Saturday's stay left
    ops = people.login("ops")
    ws.set_purpose(ops, "OCCUPANCY", "PRK-20260001")
    assert ws.parking.occupancy(ops, "NHO", pd.DAY)[1] == 0


def test_role_or_purpose_without_the_function_is_refused_and_logged(metro):
    ws, _clock, people = metro
    aud = people.user("aud1", "auditor", purpose=False)
    with pytest.raises(PermissionDenied):
        ws.parking.occupancy(aud, "NHO", pd.DAY)
    ops = _session(ws, people, "ops", "operations", "OCCUPANCY")
    with pytest.raises(PermissionDenied):                            # operations cannot enforce
        ws.parking.violations(ops, "NHO", pd.DAY)
    with pytest.raises(PurposeRequired):                             # right role, wrong purpose
        ws.parking.reconcile(ops, "NHO", pd.DAY)
    denied = [e for e in ws.audit_entries(people.admin()) if e.action == "denied"]
    assert [(e.username, e.detail["action"]) for e in denied] == \
        [("aud1", "parking_occupancy"), ("ops", "parking_enforce"), ("ops", "parking_revenue")]


def test_citation_holds_the_reads_and_refuses_a_stay_without_that_violation(metro):
    ws, _clock, people = metro
    s = _session(ws, people, "officer", "enforcement", "PARKING-ORD")
    v = next(f for f in ws.parking.violations(s, "NHO", pd.DAY) if f.stay.plate == "8XYZ999")
    cit = ws.parking.issue_citation(s, "NHO", v.stay.entry_read_id, "overstay", "CIT-00000042")
    held = {h.id: h for h in ws.list_holds(people.admin())}
    assert held[cit.hold_id].case_number == "CIT-00000042" and held[cit.hold_id].read_count == 2
    with pytest.raises(ValidationError):
        ws.parking.issue_citation(s, "NHO", v.stay.entry_read_id, "overstay", "CIT-00000042")
    grace = next(st for st in ws.parking.stays(s, "NHO", pd.DAY).stays if st.plate == "7GRC333")
    with pytest.raises(ValidationError, match="no overstay"):
        ws.parking.issue_citation(s, "NHO", grace.entry_read_id, "overstay", "CIT-00000043")
    # retention: the held reads outlive the 365 days, the others do not
    ws.clock.advance(400 * 86400)
    ws.purge(None)
    with ws.store.reading() as conn:
        left = {r[0] for r in conn.execute("SELECT id FROM reads")}
    assert left == set(cit.read_ids)
    with ws.store.transaction() as conn:            # what every parking call does first
        stays_mod.expire(conn, "NHO", int(ws.clock()) - 365 * 86400)
        assert [r[0] for r in conn.execute("SELECT plate FROM parking_stays")] == ["8XYZ999"]
        assert conn.execute("SELECT count(*) FROM parking_unpaired").fetchone()[0] == 0
