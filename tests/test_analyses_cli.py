"""``alpr analysis`` end to end on a real store: results printed, PDF written, errors in one line."""
from __future__ import annotations

import io
import sys
from datetime import datetime, timezone

import pytest

from app.cli.main import main
from tests import analyses_data
from tests.conftest import PASSWORD


@pytest.fixture
def cli(ws, people, clock, monkeypatch):
    people.user("cprosecutor", "prosecutor")
    known = analyses_data.load(ws, clock())
    data_dir = str(ws.store.data_dir)
    ws.close()

    def run(*argv: str) -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        return main(["--data-dir", data_dir, "analysis", *argv, "--user", "cprosecutor", "--password-stdin",
                     "--purpose", "FELONY-INV", "--case", "LHS-2026-004512"])
    return run, known


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def test_cli_runs_each_analysis(cli, capsys, tmp_path):
    run, k = cli
    places = [f"{i}@{iso(s)}/{iso(e)}" if kind == "camera" else f"site:{i}@{iso(s)}/{iso(e)}"
              for kind, i, s, e in k.stakeout_places]
    assert run("stakeout", *sum((["--place", p] for p in places), [])) == 0
    out = capsys.readouterr().out
    assert "3OF3AAA" in out and "2OF3BBB" in out and "1OF3CCC" not in out and "2 plates." in out

    assert run("locate", "LOC0001", "--pdf", str(tmp_path / "loc.pdf")) == 0
    out = capsys.readouterr().out
    assert "3 reads of LOC0001" in out and "CAM-LV-N" in out and (tmp_path / "loc.pdf").exists()

    assert run("convoy", "TGT1234", "--since", iso(k.convoy_start),
               "--until", iso(k.convoy_start + 86400)) == 0
    out = capsys.readouterr().out
    assert "PAL5678" in out and "with it 4 times at 4 cameras" in out and "DEC0001" not in out

    assert run("clones", "--since", iso(k.base), "--until", iso(k.base + 9 * 86400)) == 0
    out = capsys.readouterr().out
    assert "CLN4321" in out and "480 km/h" in out and "CAM-NOGPS" in out and "1 pairs" in out

    assert run("cameras") == 0
    assert "CAM-FAR-E" in capsys.readouterr().out


def test_cli_bad_input_is_one_clear_line(cli, capsys):
    run, _k = cli
    assert run("stakeout", "--place", "CAM-LV-N") == 2
    assert "use CAMERA" in capsys.readouterr().err
    assert run("convoy", "TGT1234", "--since", "yesterday", "--until", "2026-01-01") == 2
    assert "not a date" in capsys.readouterr().err
    assert run("clones", "--since", "2026-01-02", "--until", "2026-01-01") == 1
    assert "before its end" in capsys.readouterr().err
