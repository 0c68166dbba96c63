"""``alpr alert set|list|cancel|queue``, ``alpr read print`` and ``alpr search --pdf``."""
from __future__ import annotations

import pyotp

from app.engine.workstation import Workstation
from tests.conftest import PASSWORD, insert_reads
from tests.test_cli import alpr, cli_store  # noqa: F401

OFFICER = ["--user", "officer1", "--password-stdin"]
PURPOSE = ["--purpose", "PARKING-ORD", "--case", "CIT-12345678"]


def _officer(d) -> None:
    """A trained enforcement officer and one read, set up in-process."""
    ws = Workstation.open(d)
    s = ws.login("pmanager", PASSWORD)
    secret = ws.begin_totp(s).secret
    ws.confirm_totp(s, pyotp.TOTP(secret).now())
    ws.add_user(s, "officer1", "Olive Officer", "enforcement", PASSWORD)
    ws.add_training(None, "officer1", ws.profile.training_course, "2026-01-05", "2099-01-05")
    insert_reads(ws, [(1, "7ABC123", int(ws.clock()) - 60, "CAM-LV-N", 0.9)])
    ws.close()


def test_alert_commands_and_printing(cli_store, tmp_path):
    d = cli_store
    _officer(d)
    r = alpr(d, "alert", "set", *OFFICER, *PURPOSE, "7ABC123", "--days", "31", stdin=PASSWORD + "\n")
    assert r.returncode == 1 and "1 to 30 days" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = alpr(d, "alert", "set", *OFFICER, *PURPOSE, "7abc1?3", "--days", "10", "--note", "towed twice",
             stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "Standing alert 1 on 7ABC1?3" in r.stdout and "CIT-12345678" in r.stdout, r.stderr
    r = alpr(d, "alert", "list", *OFFICER, stdin=PASSWORD + "\n")
    assert "7ABC1?3" in r.stdout and "live" in r.stdout and "1 standing alert." in r.stdout, r.stderr
    r = alpr(d, "alert", "cancel", *OFFICER, "1", stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "cancelled" in r.stdout, r.stderr
    r = alpr(d, "alert", "list", *OFFICER, "--all", stdin=PASSWORD + "\n")
    assert "ended (cancelled)" in r.stdout
    r = alpr(d, "alert", "queue", *OFFICER, stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "0 reads found" in r.stdout, r.stderr

    pdf = tmp_path / "read.pdf"
    r = alpr(d, "read", "print", *OFFICER, *PURPOSE, "1", "--pdf", str(pdf), stdin=PASSWORD + "\n")
    assert r.returncode == 0 and pdf.read_bytes().startswith(b"%PDF"), r.stderr
    pdf = tmp_path / "search.pdf"
    r = alpr(d, "search", *OFFICER, *PURPOSE, "7ABC123", "--pdf", str(pdf), stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "printed" in r.stdout and pdf.is_file(), r.stderr
    r = alpr(d, "read", "print", *OFFICER, "1", "--pdf", str(tmp_path / "no.pdf"), stdin=PASSWORD + "\n")
    assert r.returncode == 1 and "purpose" in r.stderr.lower() and not (tmp_path / "no.pdf").exists()
