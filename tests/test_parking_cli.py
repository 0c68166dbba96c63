"""``alpr parking``: the commands reach ws.parking under the declared purpose; bad input and
refusals are one line on standard error."""
from __future__ import annotations

import io
import sys

from app.cli import main as cli
from app.engine.workstation import Workstation

from . import parking_data as pd
from .conftest import PASSWORD, Clock, People


def _store(tmp_path):
    """The command line runs on the real clock, so the store is made on it too (the March
    reads may be past retention by then: these tests use the facility, not the reads)."""
    clock = Clock()
    ws = Workstation.create(tmp_path / "store", "lametro-parking", clock)
    pd.build(ws)
    people = People(ws, clock)
    people.user("ops", "operations", purpose=False)
    people.user("aud1", "auditor", purpose=False)
    ws.close()
    return tmp_path / "store"


def _run(monkeypatch, capfd, store, *argv):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    capfd.readouterr()
    code = cli.main(["--data-dir", str(store), "parking", *argv, "--password-stdin"])
    out = capfd.readouterr()
    return code, out.out, out.err.strip()


def test_parking_commands(tmp_path, monkeypatch, capfd):
    store = _store(tmp_path)
    code, out, _err = _run(monkeypatch, capfd, store, "facilities", "--user", "ops")
    assert code == 0 and "NHO" in out and "time limit 720 min" in out
    code, out, err = _run(monkeypatch, capfd, store, "occupancy", "NHO", "2026-03-04", "--user", "ops",
                          "--purpose", "OCCUPANCY", "--case", "PRK-20260001")
    assert code == 0 and "capacity" not in err and "of 40" in out
    code, _out, err = _run(monkeypatch, capfd, store, "occupancy", "NHO", "2026-13-01", "--user", "ops",
                           "--purpose", "OCCUPANCY", "--case", "PRK-20260001")
    assert code == 2 and err == "alpr: '2026-13-01' is not a day; use YYYY-MM-DD."
    code, _out, err = _run(monkeypatch, capfd, store, "reconcile", "NHO", "2026-03-04", "--user", "aud1",
                           "--purpose", "AUDIT", "--case", "PRK-20260001")
    assert code == 1 and len(err.splitlines()) == 1 and "not authorised" in err
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe not text")
    code, _out, err = _run(monkeypatch, capfd, store, "import", "NHO", "payments", str(bad), "--user",
                           "ops", "--purpose", "REVENUE", "--case", "PRK-20260001")
    assert code == 1 and err == "alpr: bad.csv is not UTF-8 text (byte 0)."
