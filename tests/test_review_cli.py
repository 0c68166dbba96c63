"""``alpr audit review ...`` and ``alpr user set-supervisor``: the whole cycle from a terminal,
and bad input answered in one sentence with a non-zero exit (issue 14)."""
from __future__ import annotations

import io
import logging
import re
import sys
from datetime import datetime, timezone

import pytest

from app.cli import main as cli
from app.engine.workstation import Workstation
from tests.conftest import PASSWORD, Clock, People
from tests.review_log import put, search, staff

PW = PASSWORD + "\n"
JAN = ["--since", "2025-01-01", "--until", "2025-02-01"]       # long past: the CLI runs on the real clock


def _t(day: int, hour: int) -> float:
    return datetime(2025, 1, day, hour, tzinfo=timezone.utc).timestamp()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review-cli") / "store"
    clock = Clock()
    ws = Workstation.create(folder, "lametro-parking", clock)
    people = People(ws, clock)
    officer = staff(people, "officer", "enforcement").actor
    for name, role in (("aud1", "auditor"), ("aud2", "auditor"), ("sup1", "supervisor")):
        people.user(name, role, purpose=False)
    people.admin()
    for day in range(2, 9):
        search(ws, _t(day, 18), officer, None, case="CIT-12345678", purpose="PARKING-ORD", sites=["Lot 7"])
    put(ws, _t(9, 18), officer, "denied", detail={"action": "purge", "reason": "not authorised"})
    ws.close()
    SECRET[folder] = people.totp["amanager"]
    yield folder
    root = logging.getLogger()
    for h in [h for h in root.handlers if str(folder) in str(getattr(h, "baseFilename", ""))]:
        root.removeHandler(h)
        h.close()


SECRET: dict = {}


def _code(folder) -> str:
    """The administrator's next one-time code on the real clock (the last step forgotten)."""
    import pyotp
    ws = Workstation.open(folder, purge_on_start=False)
    try:
        ws.vault.unseal(ws.vault.key_for("amanager", PASSWORD))
        ws.store.execute("UPDATE users SET totp_last_step = NULL")
    finally:
        ws.close()
    return pyotp.TOTP(SECRET[folder]).now()


def _alpr(store, monkeypatch, capfd, user: str, *argv: str) -> tuple[int, str, str]:
    args = ["--data-dir", str(store), *argv, "--user", user, "--password-stdin"]
    if user == "amanager":
        args += ["--totp", _code(store)]
    monkeypatch.setattr(sys, "stdin", io.StringIO(PW))
    monkeypatch.delenv("ALPR_DEBUG", raising=False)
    capfd.readouterr()
    try:
        code = cli.main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capfd.readouterr()
    return code, out.out, out.err.strip()


def test_the_cycle_from_the_command_line(store, monkeypatch, capfd, tmp_path):
    def alpr(user, *argv):
        return _alpr(store, monkeypatch, capfd, user, *argv)
    code, out, err = alpr("amanager", "user", "set-supervisor", "officer", "sup1")
    assert code == 0 and "officer is supervised by sup1" in out, err
    code, out, err = alpr("aud1", "audit", "review", "run", *JAN)
    assert code == 0, err
    rid, n = int(re.search(r"Review #(\d+)", out)[1]), int(re.search(r"(\d+) items to record", out)[1])
    assert "Searches without a plate" in out and "Refused attempts" in out
    for item in range(1, n + 1):
        code, out, err = alpr("aud1", "audit", "review", "finding", str(rid), str(item), "--outcome",
                              "explained", "--note", "Lot 7 occupancy counts for the board report.")
        assert code == 0 and f"Item {item} of review #{rid} recorded as explained" in out, err
    assert alpr("aud1", "audit", "review", "signoff", str(rid), "--note", "done")[0] == 0
    code, _out, err = alpr("aud1", "audit", "review", "approve", str(rid))
    assert code == 1 and "someone other than the reviewer" in err
    code, out, err = alpr("aud2", "audit", "review", "approve", str(rid), "--note", "agreed")
    assert code == 0 and "approved" in out, err
    code, out, _ = alpr("sup1", "audit", "review", "run", *JAN)          # the supervisor's team review
    assert code == 0 and "officer" in out
    code, out, _ = alpr("aud1", "audit", "review", "list")
    assert f"#{rid}" in out and "approved by aud2" in out and "staff of sup1" in out
    for name in ("r.pdf", "r.csv"):
        code, out, err = alpr("aud1", "audit", "review", "report", str(rid), str(tmp_path / name))
        assert code == 0 and (tmp_path / name).is_file(), err
    code, out, _ = alpr("aud1", "audit", "verify", "--against", str(tmp_path / "r.pdf"))
    assert code == 0 and "still holds entry" in out
    code, out, _ = alpr("aud2", "audit", "review", "check", str(rid))
    assert code == 0 and "matches its chain entries" in out
    assert alpr("aud1", "audit", "verify")[0] == 0
    code, out, _ = alpr("aud1", "audit", "show", "--action", "audit_approve")
    assert "audit_approve" in out


@pytest.mark.parametrize("user, argv, words", [
    ("aud1", ["audit", "review", "run", "--period", "October"], "YYYY-MM"),
    ("aud1", ["audit", "review", "run", "--period", "2025-01", *JAN], "not both"),
    ("aud1", ["audit", "review", "run"], "Name the month"),
    ("aud1", ["audit", "review", "run", "--since", "soon", "--until", "later"], "not a date"),
    ("aud1", ["audit", "review", "run", "--since", "2025-02-01", "--until", "2025-01-01"], "after its start"),
    ("aud1", ["audit", "review", "run", "--period", "2999-01"], "has not ended"),
    ("aud1", ["audit", "review", "finding", "1", "x", "--outcome", "explained"], "invalid int"),
    ("aud1", ["audit", "review", "finding", "1", "1", "--outcome", "fine"], "invalid choice"),
    ("aud1", ["audit", "review", "finding", "999", "1", "--outcome", "misuse", "--note", "x"], "no audit review #999"),
    ("aud1", ["audit", "review", "signoff", "999"], "no audit review #999"),
    ("aud1", ["audit", "review", "report", "999", "{t}/r.pdf"], "no audit review #999"),
    ("aud1", ["audit", "review", "show", "one"], "invalid int"),
    ("officer", ["audit", "review", "list"], "not authorised"),
    ("officer", ["audit", "review", "run", *JAN], "not authorised"),
    ("sup1", ["audit", "review", "approve", "1"], "not authorised"),
    ("amanager", ["user", "set-supervisor", "officer"], "--none"),
    ("amanager", ["user", "set-supervisor", "nobody", "sup1"], "nobody"),
    ("amanager", ["user", "set-supervisor", "officer", "aud1", "--none"], "not both"),
    ("officer", ["user", "set-supervisor", "officer", "sup1"], "not authorised"),
])
def test_bad_input_gives_one_sentence(store, monkeypatch, capfd, tmp_path, user, argv, words):
    argv = [a.replace("{t}", str(tmp_path)) for a in argv]
    code, out, err = _alpr(store, monkeypatch, capfd, user, *argv)
    assert code != 0 and "Traceback" not in out + err
    assert len(err.splitlines()) == 1 and err.startswith("alpr") and "unexpected error" not in err, err
    assert words in err, err


def test_a_report_of_another_kind_or_place_is_refused(store, monkeypatch, capfd, tmp_path):
    code, out, _ = _alpr(store, monkeypatch, capfd, "aud1", "audit", "review", "run", *JAN)
    rid = re.search(r"Review #(\d+)", out)[1]
    (tmp_path / "f").write_text("x")
    for target, words in ((tmp_path / "r.txt", ".pdf or a .csv"), (tmp_path / "f" / "r.pdf", ""),
                          (tmp_path, ".pdf or a .csv")):
        code, out, err = _alpr(store, monkeypatch, capfd, "aud1", "audit", "review", "report", rid, str(target))
        assert code != 0 and len(err.splitlines()) == 1 and "unexpected error" not in err and words in err, err
