"""Retention certificates: each purge (the custodian's, the start-up's, the city server's
tombstones) writes one, in the chain, with the right numbers; the preview changes nothing."""
from __future__ import annotations

import json
import subprocess

import pytest

from app.engine.errors import PermissionDenied
from tests.conftest import insert_reads
from tests.pdf_checks import pdffonts

DAY = 86400


def _store(ws, clock):
    """Five reads past Calabasas retention over two days, one kept under a hold, two recent."""
    now = int(clock())
    old = now - 740 * DAY
    insert_reads(ws, [(1, "1OLD111", old, "CAM-LV-N", 0.9), (2, "2OLD222", old + 60, "CAM-LV-S", 0.9),
                      (3, "3OLD333", old + DAY, "CAM-CC-E", 0.9), (4, "4OLD444", old + DAY + 60, "CAM-LV-N", 0.9),
                      (5, "5OLD555", old - DAY, "CAM-MP-W", 0.9),
                      (6, "6NEW666", now - 10 * DAY, "CAM-LV-N", 0.9), (7, "7NEW777", now - DAY, "CAM-CC-E", 0.9)])
    return old


def _local_day(ws, ts):
    from app.engine import timefmt
    return timefmt.local(ts, timefmt.zone(ws.profile.time_zone)).date().isoformat()


def test_purge_preview_then_purge_writes_a_certificate_in_the_chain(ws, people, clock, tmp_path):
    old = _store(ws, clock)
    deputy = people.user("dep1", "deputy")
    hold = ws.place_hold(deputy, "LHS-2026-004512", "litigation", "civil suit pending", [5])
    cust = people.user("cust1", "custodian")
    rows_before = ws.store.query("SELECT count(*) FROM reads")[0][0]
    preview = ws.custody.preview(cust)
    assert ws.store.query("SELECT count(*) FROM reads")[0][0] == rows_before      # nothing changed
    expected_days = {_local_day(ws, old): 2, _local_day(ws, old + DAY): 2}
    assert dict(preview.by_day) == expected_days and preview.reads == 4 and preview.kept_by_hold == 1
    assert [(h.hold_id, h.case_number, h.reason, h.reads) for h in preview.holds_kept] == \
        [(hold, "LHS-2026-004512", "civil suit pending", 1)]
    assert preview.oldest_left == old - DAY                                      # the held read
    logged = ws.store.query("SELECT username, detail FROM access_log WHERE action = 'purge_preview'")
    assert logged[0][0] == "cust1" and json.loads(logged[0][1])["reads"] == 4

    cert = ws.custody.purge(cust)
    assert (cert.source, cert.username, cert.reads, cert.kept_by_hold) == ("purge", "cust1", 4, 1)
    assert dict(cert.by_day) == expected_days and cert.oldest_left == old - DAY
    assert [(h.hold_id, h.kind, h.reason) for h in cert.holds_kept] == [(hold, "litigation", "civil suit pending")]
    seq, action, detail = ws.store.query_one("SELECT seq, action, detail FROM access_log WHERE seq = ?", (cert.seq,))
    d = json.loads(detail)
    assert action == "retention_certificate" and d["certificate_id"] == cert.id and d["reads"] == 4
    assert d["holds_kept"][0]["case_number"] == "LHS-2026-004512" and d["by_day"] == expected_days
    assert ws.store.query_one("SELECT seq FROM retention_certificates WHERE id = ?", (cert.id,))[0] == seq
    assert ws.audit_verify(people.user("aud1", "auditor")).ok

    pdf = tmp_path / "cert.pdf"
    ws.custody.certificate_pdf(cust, cert.id, pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"Retention certificate #{cert.id}" in text and "civil suit pending" in text
    assert "LHS-2026-004512" in text and expected_days and all(day in text for day in expected_days)
    assert not any(p in text for p in ("1OLD111", "5OLD555"))
    assert all(f.embedded for f in pdffonts(pdf)) and pdffonts(pdf)
    printed = ws.store.query("SELECT seq FROM access_log WHERE action = 'retention_certificate_print'")
    assert printed and printed[0][0] > cert.seq
    seq_anchor, _digest, held = ws.audit_check_anchor(people.admin(), pdf)
    assert held and seq_anchor == cert.seq


def test_startup_purge_certifies_what_it_removed(ws, people, clock):
    _store(ws, clock)
    report = ws.purge(None)
    assert report.reads == 5 and report.certificate is not None
    row = ws.store.query_one("SELECT source, username, reads FROM retention_certificates WHERE id = ?",
                             (report.certificate,))
    assert row == ("startup", "system", 5)
    assert ws.purge(None).certificate is None            # nothing left to remove: no certificate


def test_certificates_are_refused_to_a_role_without_purge_or_audit(ws, people, clock):
    _store(ws, clock)
    deputy = people.user("dep1", "deputy")
    for call in (lambda: ws.custody.preview(deputy), lambda: ws.custody.certificates(deputy)):
        with pytest.raises(PermissionDenied):
            call()
    denied = ws.store.query("SELECT count(*) FROM access_log WHERE action = 'denied' AND username = 'dep1'")
    assert denied[0][0] == 2
    assert ws.custody.certificates(people.user("aud1", "auditor")) == []


def test_server_tombstones_are_certified_and_matched(ws, people, clock):
    from app.engine.accesslog import SYSTEM
    from app.engine import timefmt
    from app.engine.oversight.certificates import apply_tombstones
    _store(ws, clock)
    deputy = people.user("dep1", "deputy")
    ws.place_hold(deputy, "LHS-2026-004512", "evidence", "booked", [6])
    with ws.store.transaction() as conn:
        removed = apply_tombstones(conn, clock(), SYSTEM, [6, 7, 999], 730, timefmt.zone("America/Los_Angeles"))
    assert removed == 1
    row = ws.store.query_one("SELECT detail, reads, kept_by_hold FROM retention_certificates WHERE source = 'sync'")
    t = json.loads(row[0])["tombstones"]
    assert (row[1], row[2]) == (1, 1)
    assert t == {"received": 3, "removed": 1, "absent": 1, "kept_by_hold": 1, "left": 0}
    entry = json.loads(ws.store.query_one("SELECT detail FROM access_log WHERE action = 'retention_certificate'")[0])
    assert entry["tombstones_match"] is True and entry["holds_kept"][0]["reason"] == "booked"
