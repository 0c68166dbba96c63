"""Packages and printed reports carry the access log's head; `audit verify --against` checks it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.engine.analyses_types import LocateQuery
from app.engine.errors import ValidationError
from app.engine.evidence import ExportRequest, run
from tests import analyses_data
from tests.conftest import PASSWORD
from tests.evidence_data import add_reads_with_images
from tests.security.test_log_tamper import _resign_head

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def exported(ws, people, clock, tmp_path):
    ids = add_reads_with_images(ws, 2, 700, int(clock()))
    dep = people.user("dsmith", "deputy")
    res = run(ws.evidence.export(dep, ExportRequest(ids, tmp_path, "Anchor test")))
    return res.path


def _entry_named(path: Path) -> tuple[int, str]:
    anchor = json.loads((path / "metadata.json").read_text())["package"]["log_anchor"]
    return anchor["seq"], anchor["hash"]


def test_a_package_names_the_log_head_and_the_log_still_holds_it(ws, people, exported):
    seq, digest = _entry_named(exported)
    assert ws.store.query_one("SELECT hash FROM access_log WHERE seq = ?", (seq,))[0] == digest
    custody = next(exported.glob("*.pdf"))
    assert f"alpr-log-anchor:{seq}:{digest}" in PdfReader(custody).metadata["/Keywords"]
    aud = people.user("aud1", "auditor")
    assert ws.audit_check_anchor(aud, exported) == (seq, digest, True)


def test_a_rewritten_or_rolled_back_log_no_longer_holds_it(ws, people, exported):
    seq, _digest = _entry_named(exported)
    aud = people.user("aud1", "auditor")
    ws.store.execute("UPDATE access_log SET detail = '{}', hash = ? WHERE seq = ?", ("f" * 64, seq))
    assert ws.audit_check_anchor(aud, exported)[2] is False


def test_a_printed_report_carries_the_anchor(ws, people, clock, tmp_path):
    analyses_data.load(ws, clock())
    s = people.user("dwatts", "deputy")
    path = ws.analyses.report_pdf(s, ws.analyses.locate(s, LocateQuery("LOC0001")), tmp_path / "r.pdf")
    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert "Access-log anchor" in text
    aud = people.user("aud1", "auditor")
    seq, digest, held = ws.audit_check_anchor(aud, path)
    assert held and seq > 0
    ws.store.execute("DELETE FROM access_log WHERE seq >= ?", (seq,))    # cut back before the print
    _resign_head(ws)                                   # and made to look whole
    assert ws.audit_check_anchor(aud, path)[2] is False


def test_something_else_is_a_sentence(ws, people, tmp_path):
    aud = people.user("aud1", "auditor")
    bogus = tmp_path / "x.pdf"
    bogus.write_bytes(b"not a pdf")
    for path in (bogus, tmp_path, tmp_path / "none.txt"):
        with pytest.raises(ValidationError):
            ws.audit_check_anchor(aud, path)


def test_the_command_line_says_whether_the_log_still_holds_it(ws, people, exported):
    aud = people.user("aud1", "auditor")
    del aud
    data_dir = ws.data_dir
    ws.close()
    cmd = [sys.executable, "-m", "app.cli.main", "--data-dir", str(data_dir), "audit", "verify",
           "--user", "aud1", "--password-stdin", "--totp", people.code("aud1") or "",
           "--against", str(exported)]
    r = subprocess.run(cmd, input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and "still holds entry" in r.stdout, r.stdout + r.stderr
