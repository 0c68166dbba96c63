"""The printed report names the purpose and case on every page, lists the results, and is logged."""
from __future__ import annotations

import json

import pytest
from pypdf import PdfReader

from app.engine.analyses_types import CameraMapQuery, CloneQuery, ConvoyQuery, LocateQuery, StakeoutQuery
from app.engine.errors import PermissionDenied
from tests import analyses_data
from tests.test_analyses import places


@pytest.fixture
def known(ws, clock):
    return analyses_data.load(ws, clock())


def text_of(path) -> tuple[int, list[str]]:
    reader = PdfReader(str(path))
    return len(reader.pages), [p.extract_text() for p in reader.pages]


def test_each_analysis_prints_with_purpose_case_and_results(ws, people, known, tmp_path):
    s = people.user("dwatts", "deputy")
    results = [
        ws.analyses.stakeout(s, StakeoutQuery(places(known))),
        ws.analyses.locate(s, LocateQuery("LOC0001")),
        ws.analyses.convoy(s, ConvoyQuery("TGT1234", known.convoy_start, known.convoy_start + 86400)),
        ws.analyses.clones(s, CloneQuery(known.base, known.base + 9 * 86400)),
        ws.analyses.camera_map(s, CameraMapQuery(known.base, known.base + 9 * 86400)),
    ]
    expected = {"stakeout": ["3OF3AAA", "2OF3BBB"], "locate": ["LOC0001", "CAM-CC-E"],
                "convoy": ["PAL5678", "TGT1234"], "clones": ["CLN4321", "298", "mph"],       # 480 km/h, in the US profile's unit
                "camera_map": ["CAM-FAR-E", "Pomona / I-10"]}
    for res in results:
        path = ws.analyses.report_pdf(s, res, tmp_path / f"{res.kind}.pdf")
        pages, texts = text_of(path)
        assert pages >= 1
        for i, t in enumerate(texts):
            assert "LHS-2026-004512" in t and "FELONY-INV" in t and f"Page {i + 1} of {pages}" in t
        whole = "\n".join(texts)
        assert "Dwatts Person" in whole and ws.store.store_id in whole
        for needle in expected[res.kind]:
            assert needle in whole, (res.kind, needle)
        assert "1OF3CCC" not in whole and "DEC0001" not in whole
        row = ws.store.query_one("SELECT action, query, result_ids FROM access_log ORDER BY seq DESC LIMIT 1")
        assert row[0] == "print" and json.loads(row[1])["analysis"] == res.kind
        assert sorted(json.loads(row[2])) == sorted(res.read_ids)


def test_a_role_without_print_cannot_print(ws, people, known, tmp_path):
    deputy = people.user("dwatts", "deputy")
    res = ws.analyses.locate(deputy, LocateQuery("LOC0001"))
    auditor = people.user("aud", "auditor")
    with pytest.raises(PermissionDenied):
        ws.analyses.report_pdf(auditor, res, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
