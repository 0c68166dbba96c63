"""The command line: export, verify, drives and the release workflow, run as a user would."""
from __future__ import annotations

import io
import sys
from datetime import datetime, timezone

import pytest

from app.cli.main import main
from tests.conftest import PASSWORD
from tests.evidence_data import add_reads_with_images, agency


@pytest.fixture
def cli(ws, people, tmp_path, monkeypatch, capsys):
    people.admin()
    ws.add_user(people.admin(), "pprosecutor", "Pat Prosecutor", "prosecutor", PASSWORD)
    people.train("pprosecutor")

    def alpr(*argv: str, user: str = "pprosecutor") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        extra = ["--user", user, "--password-stdin"]
        code = people.code(user)                    # a code works once: take one per command
        if code:
            extra += ["--totp", code]
        code = main(["--data-dir", str(ws.store.data_dir), *argv[:2], *extra, *argv[2:]])
        out = capsys.readouterr()
        return code, out.out, out.err
    return alpr


def test_export_then_verify_then_tamper(cli, ws, clock, tmp_path):
    ids = add_reads_with_images(ws, 3, 40, int(clock()))
    target = tmp_path / "stick"
    target.mkdir()
    code, out, err = cli("evidence", "export", "--purpose", "CIVIL-ADMIN", "--case", "CE-2026-00123",
                         "--to", str(target), "--description", "Code case vehicle", *map(str, ids))
    assert code == 0, err
    assert "Package written and verified" in out and "evidence hold" in out and "write:" in err
    [pkg] = target.iterdir()
    code, out, _ = cli("evidence", "verify", str(pkg))
    assert code == 0 and "Package verified" in out
    (pkg / "reads.csv").write_text("changed")
    code, out, _ = cli("evidence", "verify", str(pkg))
    assert code == 1 and "CHANGED  reads.csv" in out


def test_export_without_purpose_or_to_another_agency_is_refused(cli, ws, clock, tmp_path):
    ids = add_reads_with_images(ws, 1, 60, int(clock()))
    code, _out, err = cli("evidence", "export", "--to", str(tmp_path), "--description", "x", str(ids[0]))
    assert code == 1 and "purpose" in err.lower()
    code, _out, err = cli("evidence", "export", "--purpose", "CIVIL-ADMIN", "--case", "CE-2026-00123",
                          "--to", str(tmp_path), "--description", "x", "--for-agency", "Ventura County SO",
                          str(ids[0]))
    assert code == 1 and "written release request" in err


def test_release_workflow(cli, ws, people, clock, tmp_path):
    ids = add_reads_with_images(ws, 2, 80, int(clock()))
    since = datetime.fromtimestamp(clock() - 3600, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    until = datetime.fromtimestamp(clock() + 60, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert agency(ws, people.admin()) == 1                       # the designee's register entry
    code, out, _ = cli("agency", "list")                         # whoever files requests sees it
    assert "#1 Ventura County Sheriff's Office" in out
    with pytest.raises(SystemExit):                              # the scope is part of the request
        cli("release", "request", "--agency", "1", "--requester", "Det. Alvarez",
            "--request-purpose", "Robbery", "--description", "Reads of one plate",
            "--their-case", "VCSO-26-1", "--received-on", "2026-11-20")
    with pytest.raises(SystemExit):                              # a register entry, not a name
        cli("release", "request", "--agency", "Ventura County Sheriff's Office", "--requester", "D",
            "--request-purpose", "R", "--description", "d", "--their-case", "V-1", "--received-on",
            "2026-11-20", "--read", "1", "--since", since, "--until", until)
    code, out, err = cli("release", "request", "--agency", "1", "--requester", "Det. Alvarez",
                         "--request-purpose", "Robbery", "--description", "Reads of one plate",
                         "--their-case", "VCSO-26-1", "--received-on", "2026-11-20",
                         "--read", str(ids[0]), "--since", since, "--until", until, "--camera", "CAM-LV-N")
    assert code == 0 and "Release request #1 on file (pending)" in out, err
    assert f"scope: reads #{ids[0]}; from " in out and "cameras CAM-LV-N" in out
    code, _out, err = cli("release", "approve", "1", "--note", "ok")
    assert code == 1 and "not authorised" in err                 # the prosecutor is not the designee
    code, out, err = cli("release", "approve", "1", "--note", "MOU on file", user="amanager")
    assert code == 0 and "approved by amanager" in out, err
    code, out, _ = cli("release", "list", "--status", "approved")
    assert "Request #1 of Ventura County Sheriff's Office" in out
    export = ("evidence", "export", "--purpose", "CIVIL-ADMIN", "--case", "CE-2026-00123", "--to",
              str(tmp_path), "--description", "For VCSO", "--release-request", "1")
    code, _out, err = cli(*export, *map(str, ids))
    assert code == 1 and f"Read #{ids[1]}" in err and "outside the scope of release request #1" in err
    code, out, err = cli(*export, str(ids[0]))
    assert code == 0 and "Package written and verified" in out, err
    code, _out, err = cli(*export, str(ids[0]))
    assert code == 1 and "already used" in err
    code, out, _ = cli("release", "list", "--status", "released")
    assert "Request #1 of" in out and "approved by amanager, released by pprosecutor in ALPR-" in out


def test_drives_lists_or_explains(capsys):
    assert main(["evidence", "drives"]) == 0
    out = capsys.readouterr().out
    assert "GB free" in out or "No removable drive is mounted" in out
