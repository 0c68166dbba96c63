"""The command line of issue 3: create an embedded server, load cameras, ingest drops, set the
sync server (administrator, second factor) and sync (prosecutor), with clear failures."""
from __future__ import annotations

import io
import json
from dataclasses import asdict

from app.cli.main import main

from tests.conftest import PASSWORD
from tests.server_helpers import CAMS
from tests.test_server_ingest import drop


def alpr(monkeypatch, capsys, *argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_server_and_sync_commands(ws, people, tmp_path, monkeypatch, capsys):
    srv = tmp_path / "city"
    op = ["--operator", "amanager", "--password-stdin"]     # the administrator runs the server too
    assert alpr(monkeypatch, capsys, "server", "create-embedded", str(srv), *op, stdin=PASSWORD + "\n")[0] == 0
    (tmp_path / "cams.json").write_text(json.dumps([asdict(c) for c in CAMS]))
    addr = f"embedded:{srv}"
    code, out = alpr(monkeypatch, capsys, "server", "cameras", "--server", addr, *op, str(tmp_path / "cams.json"),
                     stdin=PASSWORD + "\n")
    assert code == 0 and "2 cameras loaded" in out
    drops = tmp_path / "drops"
    drops.mkdir()
    drop(drops, "a", seed=1, time="2026-11-20T08:15:30Z")
    drop(drops, "b", seed=2, camera="NOPE")
    code, out = alpr(monkeypatch, capsys, "server", "ingest", "--server", addr, *op, str(drops),
                     stdin=PASSWORD + "\n")
    assert code == 0 and "REJECTED b.json: unknown camera 'NOPE'" in out and "1 reads stored" in out

    people.admin()
    people.user("pat.rivera", "prosecutor")
    d = str(ws.data_dir)
    code, out = alpr(monkeypatch, capsys, "--data-dir", d, "sync", "--user", "pat.rivera", "--password-stdin",
                     stdin=PASSWORD + "\n")
    assert code == 1 and "No city server is configured" in out
    code, out = alpr(monkeypatch, capsys, "--data-dir", d, "sync", "config", "--user", "amanager",
                     "--password-stdin", "--totp", people.code("amanager"), "--server", addr,
                     "--server-password-stdin", "--window-days", "700", stdin=PASSWORD + "\n" + PASSWORD + "\n")
    assert code == 0, out
    code, out = alpr(monkeypatch, capsys, "--data-dir", d, "sync", "--user", "pat.rivera", "--password-stdin",
                     stdin=PASSWORD + "\n")
    assert code == 0 and "Sync finished: 1 reads, " in out        # images: prefetch window or on view
    code, out = alpr(monkeypatch, capsys, "--data-dir", d, "sync", "status", "--user", "pat.rivera",
                     "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0 and "window: 700 days" in out and "reads" in out
    code, out = alpr(monkeypatch, capsys, "server", "stats", "--server", addr, *op, stdin=PASSWORD + "\n")
    assert code == 0 and "access_log" in out
