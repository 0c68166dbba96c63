"""The oversight commands on bad input: one sentence on standard error, no traceback; and the
check of a transparency report from a CSV export needs no store and no login."""
from __future__ import annotations

import pytest

from app.cli.main import main
from app.engine.accesslog import CSV_FIELDS


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 1
    return code, err


@pytest.mark.parametrize("case, make, words", [
    ("log-missing", lambda t: None, "no such file"),
    ("log-not-an-export", lambda t: (t / "log.csv").write_text("a,b\n1,2\n"), "not an export of the access log"),
    ("report-missing", lambda t: (t / "log.csv").write_text(",".join(CSV_FIELDS) + "\n"), "no such file"),
    ("report-not-ours", lambda t: ((t / "log.csv").write_text(",".join(CSV_FIELDS) + "\n"),
                                   (t / "r.html").write_text("<html>hello</html>")), "carries no transparency figures"),
    ("pdf-not-ours", lambda t: ((t / "log.csv").write_text(",".join(CSV_FIELDS) + "\n"),
                                (t / "r.pdf").write_bytes(b"%PDF-1.4 junk")), "not a readable PDF"),
])
def test_verify_from_a_log_export_refuses_bad_input_in_a_sentence(capsys, tmp_path, case, make, words):
    make(tmp_path)
    report = tmp_path / ("r.pdf" if case == "pdf-not-ours" else "r.html")
    code, err = _run(capsys, "report", "transparency", "--verify", str(report), "--log", str(tmp_path / "log.csv"))
    assert code in (1, 2) and words in err, err


def test_a_report_needs_a_file_and_a_period(capsys, tmp_path):
    code, err = _run(capsys, "--data-dir", str(tmp_path), "report", "transparency", "--month", "2026-03")
    assert code == 2 and "--html FILE" in err
    with pytest.raises(SystemExit) as usage:
        main(["--data-dir", str(tmp_path), "purge", "certificate", "x"])
    err = capsys.readouterr().err
    assert usage.value.code == 2 and "invalid int value" in err and len(err.strip().splitlines()) == 1
