"""The command line runs the same logged, guarded engine calls; bad arguments fail clearly."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, insert_reads

ROOT = Path(__file__).resolve().parents[1]


def alpr(data_dir, *args, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli.main", "--data-dir", str(data_dir), *args],
                          input=stdin, capture_output=True, text=True, cwd=ROOT, env=os.environ.copy(),
                          timeout=120)


def fresh_code(data_dir, secret: str) -> str:
    """A one-time code for the next command. A code works once and these commands run on the
    real clock, so rather than wait for the next code, forget the last step used (as if the
    administrator had waited 30 seconds)."""
    import pyotp
    from app.engine.workstation import Workstation
    ws = Workstation.open(data_dir, purge_on_start=False)
    try:
        ws.vault.unseal(ws.vault.key_for("pmanager", PASSWORD))     # the administrator's own slot
        ws.store.execute("UPDATE users SET totp_last_step = NULL")
    finally:
        ws.close()
    return pyotp.TOTP(secret).now()


@pytest.fixture
def cli_store(tmp_path):
    """A store made by ``alpr init`` under LA Metro (second factor for administrators only)."""
    d = tmp_path / "store"
    r = alpr(d, "init", "--profile", "lametro-parking", "--admin", "pmanager",
             "--admin-name", "Pat Manager", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    return d


def test_init_user_training_search_audit(cli_store, tmp_path):
    d = cli_store
    # The administrator must enrol a second factor before administering; do it in-process.
    import pyotp
    from app.engine.workstation import Workstation
    ws = Workstation.open(d)
    s = ws.login("pmanager", PASSWORD)
    secret = ws.begin_totp(s).secret
    ws.confirm_totp(s, pyotp.TOTP(secret).now())
    insert_reads(ws, [(1, "7ABC123", int(ws.clock()) - 60, "CAM-LV-N", 0.9)])
    ws.close()

    pw_file = tmp_path / "pw"
    pw_file.write_text(PASSWORD + "\n")
    admin = ["--user", "pmanager", "--password-stdin", "--totp"]
    r = alpr(d, "user", "add", *admin, fresh_code(d, secret), "officer1", "--full-name",
             "Olive Officer", "--role", "enforcement", "--new-password-file", str(pw_file), stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "officer1" in r.stdout, r.stderr
    r = alpr(d, "search", "--user", "officer1", "--password-stdin", "--purpose", "PARKING-ORD",
             "--case", "CIT-12345678", "7ABC123", stdin=PASSWORD + "\n")
    assert r.returncode == 1 and "training" in r.stderr
    r = alpr(d, "training", "add", *admin, fresh_code(d, secret), "officer1", "--completed", "2026-01-05",
             "--expires", "2099-01-05", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = alpr(d, "search", "--user", "officer1", "--password-stdin", "7ABC123", stdin=PASSWORD + "\n")
    assert r.returncode == 1 and "purpose" in r.stderr.lower()
    r = alpr(d, "search", "--user", "officer1", "--password-stdin", "--purpose", "PARKING-ORD",
             "--case", "CIT-12345678", "7ABC123", stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "7ABC123" in r.stdout and "1 reads" in r.stdout, r.stderr
    r = alpr(d, "user", "list", *admin, fresh_code(d, secret), stdin=PASSWORD + "\n")
    assert "officer1" in r.stdout and "enforcement" in r.stdout
    r = alpr(d, "audit", "verify", *admin, fresh_code(d, secret), stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "intact" in r.stdout, r.stderr
    out = tmp_path / "audit.csv"
    r = alpr(d, "audit", "export", *admin, fresh_code(d, secret), str(out), stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "search" in out.read_text()
    r = alpr(d, "audit", "show", *admin, fresh_code(d, secret), "--filter-user", "officer1",
             "--action", "search", stdin=PASSWORD + "\n")
    assert "CIT-12345678" in r.stdout and "7ABC123" in r.stdout


def test_hold_purge_and_unlock_commands(cli_store, tmp_path):
    import pyotp
    from app.engine.workstation import Workstation
    ws = Workstation.open(cli_store)
    s = ws.login("pmanager", PASSWORD)
    secret = ws.begin_totp(s).secret
    ws.confirm_totp(s, pyotp.TOTP(secret).now())
    ws.add_training(s, "pmanager", "Metro ALPR training", "2026-01-01", "2099-01-01")
    now = int(ws.clock())
    insert_reads(ws, [(1, "7ABC123", now - 400 * 86400, "CAM-LV-N", 0.9),
                      (2, "7ABC124", now - 400 * 86400, "CAM-LV-N", 0.9),
                      (3, "7ABC125", now - 3600, "CAM-LV-N", 0.9)])
    ws.set_purpose(s, "PARKING-ORD", "CIT-12345678")
    ws.place_hold(s, "PRK-20260001", "litigation", "appeal pending", [1])
    ws.close()
    admin = ["--user", "pmanager", "--password-stdin", "--totp"]
    r = alpr(cli_store, "hold", "add", *admin, fresh_code(cli_store, secret), "--case-number", "PRK-20260002",
             "--kind", "discovery", "--reason", "discovery request", "3", stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "Hold 2" in r.stdout, r.stderr
    r = alpr(cli_store, "purge", *admin, fresh_code(cli_store, secret), stdin=PASSWORD + "\n")
    # Read 2 went at start-up (the purge every open runs); read 1 stays under its hold.
    assert "Purged 0 reads" in r.stdout and "1 reads kept by holds" in r.stdout, r.stdout + r.stderr
    r = alpr(cli_store, "hold", "list", *admin, fresh_code(cli_store, secret), stdin=PASSWORD + "\n")
    assert "PRK-20260001" in r.stdout and "PRK-20260002" in r.stdout and "active" in r.stdout
    r = alpr(cli_store, "hold", "release", *admin, fresh_code(cli_store, secret), "1", "--reason", "closed",
             stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = alpr(cli_store, "user", "unlock", *admin, fresh_code(cli_store, secret), "nobody",
             stdin=PASSWORD + "\n")
    assert r.returncode == 1 and "No user" in r.stderr


@pytest.mark.parametrize("args, code, message", [
    (["search"], 2, "--user"),
    (["nonsense"], 2, "invalid choice"),
    (["hold", "add", "--case-number", "x", "--reason", "y", "notanumber"], 2, "invalid int"),
    (["init", "--profile", "nowhere", "--admin", "a", "--admin-name", "b"], 2, "invalid choice"),
])
def test_bad_arguments_exit_non_zero_with_a_message(tmp_path, args, code, message):
    r = alpr(tmp_path / "s", *args)
    assert r.returncode == code and message in r.stderr


def test_status(cli_store):
    r = alpr(cli_store, "status")
    assert r.returncode == 0 and "LA Metro" in r.stdout and "closed" in r.stdout
    assert "reads" not in r.stdout                        # nothing of the data without a login
    r = alpr(cli_store, "status", "--user", "pmanager", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "0 reads" in r.stdout, r.stderr
    assert "Temporary files: a big sort (a first sync's index rebuild) spills to disk encrypted" in r.stdout


def test_commands_on_a_missing_store_say_so(tmp_path):
    r = alpr(tmp_path / "none", "audit", "verify", "--user", "x", "--password-stdin", stdin="pw\n")
    assert r.returncode == 1 and "alpr init" in r.stderr


def test_wrong_password_is_refused(cli_store):
    r = alpr(cli_store, "user", "list", "--user", "pmanager", "--password-stdin", stdin="wrong\n")
    assert r.returncode == 1 and "Wrong user name or password" in r.stderr


def test_disable_enable_and_reset_password_give_back_a_key_slot(cli_store, tmp_path):
    import pyotp
    from app.engine.workstation import Workstation
    ws = Workstation.open(cli_store)
    s = ws.login("pmanager", PASSWORD)
    secret = ws.begin_totp(s).secret
    ws.confirm_totp(s, pyotp.TOTP(secret).now())
    ws.add_user(s, "olive.officer", "Olive Officer", "enforcement", PASSWORD)
    ws.close()
    admin = ["--user", "pmanager", "--password-stdin", "--totp"]
    r = alpr(cli_store, "user", "disable", *admin, fresh_code(cli_store, secret), "olive.officer",
             stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "disabled" in r.stdout, r.stderr
    r = alpr(cli_store, "user", "enable", *admin, fresh_code(cli_store, secret), "olive.officer",
             stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "reset their password" in r.stdout, r.stderr
    first = tmp_path / "first"
    first.write_text("Temporary-First-Passphrase-2026\n")
    r = alpr(cli_store, "user", "reset-password", *admin, fresh_code(cli_store, secret), "olive.officer",
             "--new-password-file", str(first), stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "new key slot" in r.stdout, r.stderr
    ws = Workstation.open(cli_store)
    try:
        from app.engine.auth import PasswordExpired
        with pytest.raises(PasswordExpired):               # they must choose their own now
            ws.login("olive.officer", "Temporary-First-Passphrase-2026")
    finally:
        ws.close()
