"""The Transit Court appeal packet: built on the evidence machinery, read back, verified, and
its statement's text and fonts checked with poppler; the reconciliation and occupancy PDFs too."""
from __future__ import annotations

import json
import subprocess

import pytest

from app.engine.errors import PurposeRequired
from app.engine.evidence import run, verify_package

from . import parking_data as pd
from .evidence_data import add_images
from .pdf_checks import pdffonts, structure_tags


@pytest.fixture
def metro(tmp_path):
    ws, clock, people = pd.workstation(tmp_path)
    with ws.store.reading() as conn:
        reads = conn.execute("SELECT id, plate FROM reads").fetchall()
    add_images(ws, reads)
    yield ws, clock, people
    ws.close()


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _fonts_embedded(path) -> None:
    fonts = pdffonts(path)
    assert fonts and all(f.embedded for f in fonts), fonts
    assert all("DejaVu" in f.name or "Vera" in f.name for f in fonts), fonts


def test_appeal_packet_reads_back_verifies_and_states_the_facts(metro, tmp_path):
    ws, _clock, people = metro
    officer = people.user("officer", "enforcement", purpose=False)
    ws.set_purpose(officer, "PARKING-ORD", "PRK-20260001")
    abc = next(f for f in ws.parking.violations(officer, "NHO", pd.DAY) if f.stay.plate == "5KLM456")
    cit = ws.parking.issue_citation(officer, "NHO", abc.stay.entry_read_id, "no_payment", "CIT-20260007")
    with pytest.raises(PurposeRequired):                 # the packet is made under its own case
        run(ws.parking.appeal_packet(officer, "CIT-20260007", tmp_path / "usb"))
    ws.set_purpose(officer, "TRANSIT-COURT", "CIT-20260007")
    (tmp_path / "usb").mkdir()
    res = run(ws.parking.appeal_packet(officer, "CIT-20260007", tmp_path / "usb"))
    check = verify_package(res.path)
    assert check.ok, check
    assert sorted(res.read_ids) == sorted(cit.read_ids)
    names = sorted(p.relative_to(res.path).as_posix() for p in res.path.rglob("*") if p.is_file())
    assert "appeal/statement.pdf" in names and "appeal/appeal.json" in names
    assert sum(n.startswith("images/original/") for n in names) == 4     # both reads, both images
    doc = json.loads((res.path / "appeal" / "appeal.json").read_text(encoding="utf-8"))
    assert doc["citation"]["number"] == "CIT-20260007" and doc["stay"]["plate"] == "5KLM456"
    assert doc["payments_found"] == [] and doc["permit_found"] is None
    # agreement measured independently: gate reads the workstation's OCR re-read, same plate
    with ws.store.reading() as conn:
        compared, agreed = conn.execute(
            "SELECT count(*), sum(ocr_plate = plate) FROM reads WHERE ocr_plate IS NOT NULL AND "
            "camera_id IN ('NHO-IN', 'NHO-OUT') AND read_at < ?", (cit.exit_at,)).fetchone()
    assert (doc["accuracy"]["compared"], doc["accuracy"]["agreed"]) == (compared, agreed)
    statement = res.path / "appeal" / "statement.pdf"
    text = " ".join(_text(statement).split())
    for words in ("Transit Court appeal: citation CIT-20260007", "5KLM456", "97.8% perfect-read rate",
                  f"Of {compared} reads", "No payment record was found",
                  "No permit was found", "time limit 720 min"):
        assert words in text, words
    _fonts_embedded(statement)
    assert {"H1", "Table", "H2", "P"} <= set(structure_tags(statement))
    custody = " ".join(_text(res.path / "chain-of-custody.pdf").split())
    assert "TRANSIT COURT APPEAL PACKET" in custody and "appeal/statement.pdf" in custody
    log = [e for e in ws.audit_entries(people.admin()) if e.case_number == "CIT-20260007"]
    assert [e.action for e in log][-3:] == ["parking_appeal", "export_started", "export"]
    assert all(e.purpose == "TRANSIT-COURT" for e in log[-3:])


def test_reconciliation_and_occupancy_pdfs(metro, tmp_path):
    ws, _clock, people = metro
    ops = people.user("ops", "operations", purpose=False)
    pay, _per = pd.files(tmp_path)
    ws.set_purpose(ops, "REVENUE", "PRK-20260001")
    ws.parking.import_payments(ops, "NHO", pay)
    rec = ws.parking.reconcile(ops, "NHO", pd.DAY)
    pdf = ws.parking.write_reconciliation(ops, rec, tmp_path / "rec.pdf")
    text = " ".join(_text(pdf).split())
    assert "Revenue reconciliation" in text and "1NOS999" in text
    assert f"Shortfall (underpaid and unpaid) {rec.totals.shortfall_cents / 100:.2f}" in text
    _fonts_embedded(pdf)
    ws.set_purpose(ops, "OCCUPANCY", "PRK-20260001")
    occ = ws.parking.occupancy_pdf(ops, "NHO", pd.DAY, tmp_path / "occ.pdf", days=7)
    text = " ".join(_text(occ).split())
    assert "Occupancy: North Hollywood" in text and "Peak on the day 6" in text
    assert "Figure" in structure_tags(occ)
    _fonts_embedded(occ)
    written = [e for e in ws.audit_entries(people.admin()) if e.action == "parking_report"]
    assert [e.detail["file"] for e in written] == ["rec.pdf", "occ.pdf"]
