"""Log before data leaves (issue 11, point 3): no byte of ALPR data reaches a medium or a file
unless a committed access-log entry names it.

An export is killed with SIGKILL at ten points spread over its steps (tests/export_kill_runner.py);
after each kill every file on the medium must belong to an export whose ``export_started`` entry
is committed, and the next start must remove the leftovers and log ``export_failed`` naming them.
A log that refuses the entry must leave the medium and the disk untouched.
"""
from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.engine import accesslog
from app.engine.analyses_types import LocateQuery
from app.engine.errors import AuditLogError
from app.engine.evidence import AggregateQuery, ExportRequest, ReleaseRequestForm, run, verify_package
from app.engine.evidence.media import INCOMPLETE_SUFFIX
from app.engine.evidence.package import package_name
from app.engine.workstation import AuditFilter, Workstation
from tests import analyses_data
from tests.conftest import PASSWORD
from tests.evidence_data import add_reads_with_images, agency

ROOT = Path(__file__).resolve().parents[2]
KILLS = 10
CASE = "LHS-2026-004512"


def _next_start(ws, clock, people) -> Workstation:
    """The program started again: the store opens at the first login, which runs the
    start-up work (the clean-up of interrupted exports)."""
    w = Workstation.open(ws.data_dir, clock)
    w.login("amanager", PASSWORD, people.code("amanager"))
    return w


def _entries(ws, action: str) -> list[accesslog.LogEntry]:
    with ws.store.reading() as conn:
        return list(accesslog.iter_entries(conn, "WHERE action = ?", (action,)))


def _child(ws, medium: Path, now: float, kill_at: int, ids: list[int]) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.export_kill_runner", str(ws.data_dir), "pat.rivera",
         str(medium), repr(now), str(kill_at), *map(str, ids)],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def _on_medium(medium: Path) -> dict[str, list[Path]]:
    """Every file and folder on the medium, by the package name its top folder carries."""
    found: dict[str, list[Path]] = {}
    for top in medium.iterdir():
        name = top.name.removesuffix(INCOMPLETE_SUFFIX)
        found.setdefault(name, []).append(top)
        found[name] += list(top.rglob("*"))
    return found


def _kill_points(total: int, rng: random.Random) -> list[int]:
    """One step from each tenth of the export, so the kills cover it from start to rename."""
    bounds = [1 + total * i // KILLS for i in range(KILLS + 1)]
    return [rng.randrange(lo, max(lo + 1, hi)) for lo, hi in zip(bounds, bounds[1:])]


@pytest.mark.slow
def test_kill_minus_nine_anywhere_in_an_export_leaves_only_logged_data(ws, people, clock, tmp_path):
    ids = add_reads_with_images(ws, 4, 700, int(clock()))
    ws.add_user(people.admin(), "pat.rivera", "Pat Rivera", "prosecutor", PASSWORD)
    people.train("pat.rivera")
    medium = tmp_path / "medium"
    medium.mkdir()

    rc, out = _child(ws, medium, clock(), 0, ids)          # a whole export: it holds the reads
    assert rc == 0, out
    rc, out = _child(ws, medium, clock() + 1, 0, ids)      # and one that keeps that hold: its steps
    assert rc == 0, out
    total = int(out.split("STEPS ")[1].split()[0])
    assert total > 40, out                                # 12 files and more, each two steps
    points = _kill_points(total, random.Random(20260311))
    assert len(set(points)) == KILLS

    with_leftovers = 0
    for k, kill_at in enumerate(points, 1):
        now = clock() + 60 * k                            # each run its own package name
        name = package_name("ALPR", CASE, now)
        rc, out = _child(ws, medium, now, kill_at, ids)
        assert rc == -signal.SIGKILL, (kill_at, out)

        # 1. whatever is on the medium is named by a committed export_started entry
        started = {e.detail["package"]: e for e in _entries(ws, "export_started")}
        on_medium = _on_medium(medium)
        assert set(on_medium) <= set(started), (kill_at, sorted(set(on_medium) - set(started)))
        temp, final = medium / (name + INCOMPLETE_SUFFIX), medium / name
        had_temp, had_final = temp.exists(), final.exists()
        recorded = any(e.detail.get("package") == name for e in _entries(ws, "export"))
        with_leftovers += had_temp or (had_final and not recorded)
        entry = started.get(name)
        if entry is not None:
            assert entry.case_number == CASE and entry.purpose == "FELONY-INV"
            assert sorted(entry.result_ids) == sorted(ids) and entry.query["target"] == str(medium)
            assert entry.username == "pat.rivera"

        # 2. the next start removes the leftovers and says so
        w2 = _next_start(ws, clock, people)
        try:
            failed = [e for e in _entries(w2, "export_failed")
                      if entry is not None and e.detail.get("export_started_seq") == entry.seq]
            if had_final and recorded:                     # renamed, read back, logged: kept
                assert not had_temp and verify_package(final).ok and failed == []
            else:                                          # not recorded: nothing of it stays
                assert not temp.exists() and not final.exists(), kill_at
                if entry is None:
                    assert not had_temp and not had_final
                else:
                    [f] = failed
                    assert f.username == "system" and f.case_number == CASE
                    assert f.detail["removed"] == [str(p) for p, had in ((temp, had_temp),
                                                                         (final, had_final)) if had]
                    assert f.detail["unremoved"] == [] and f.detail["medium_present"] is True
            assert w2.store.query("SELECT id FROM export_journal WHERE state NOT IN ('done', 'failed')") == []
            with w2.store.reading() as conn:
                assert accesslog.verify(conn, w2.log_first_key(), w2.log_receipt()).ok
        finally:
            w2.close()
        assert set(_on_medium(medium)) <= {e.detail["package"] for e in _entries(ws, "export_started")}
    assert with_leftovers >= KILLS // 2, with_leftovers      # most kills did leave files to remove


@pytest.fixture
def deputy(ws, people, clock):
    ids = add_reads_with_images(ws, 3, 800, int(clock()))
    return people.user("dsmith", "deputy"), ids


def _refuse(ws, action: str) -> None:
    """A store that refuses one kind of access-log entry (as a full disk or a failed write would)."""
    ws.store.execute(f"CREATE TRIGGER refuse_{action} BEFORE INSERT ON access_log WHEN NEW.action = "
                     f"'{action}' BEGIN SELECT RAISE(ABORT, 'disk says no'); END")


def test_a_failing_log_commit_leaves_no_byte_on_the_medium(ws, deputy, tmp_path, monkeypatch):
    s, ids = deputy
    medium = tmp_path / "medium"
    medium.mkdir()
    _refuse(ws, "export_started")
    with pytest.raises(AuditLogError, match="access log could not be written"):
        run(ws.evidence.export(s, ExportRequest(ids, medium, "Sightings")))
    assert list(medium.iterdir()) == []
    assert ws.store.query("SELECT * FROM export_journal") == []

    ws.store.execute("DROP TRIGGER refuse_export_started")
    real = accesslog.append

    def refusing(conn, now, actor, action, **kw):
        if action == "export_started":
            raise AuditLogError("The access log could not be written (read-only store).")
        return real(conn, now, actor, action, **kw)
    monkeypatch.setattr(accesslog, "append", refusing)
    with pytest.raises(AuditLogError):
        run(ws.evidence.export(s, ExportRequest(ids, medium, "Sightings")))
    assert list(medium.iterdir()) == [] and ws.store.query("SELECT * FROM export_journal") == []
    assert ws.store.query_one("SELECT count(*) FROM holds")[0] == 0

    monkeypatch.setattr(accesslog, "append", real)          # the journal cannot be written either
    ws.store.execute("CREATE TRIGGER refuse_journal BEFORE INSERT ON export_journal "
                     "BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END")
    with pytest.raises(AuditLogError, match="nothing was written"):
        run(ws.evidence.export(s, ExportRequest(ids, medium, "Sightings")))
    assert list(medium.iterdir()) == [] and _entries(ws, "export_started") == []


def test_a_failing_log_commit_leaves_no_aggregate_release_on_the_medium(ws, people, deputy, tmp_path,
                                                                         clock):
    admin = people.admin()
    clerk = people.user("cclerk", "custodian")
    now = int(clock())
    works = agency(ws, admin, "Calabasas Public Works", "public_agency")
    req = ws.evidence.request_release(clerk, ReleaseRequestForm(
        agency_id=works, requester="P. Planner",
        purpose="Traffic study", description="Counts by site", case_number="PW-1", received_on="2026-11-20",
        start=now - 86400, end=now + 1))
    ws.evidence.decide_release(admin, req.id, True, "Counts only, per policy")
    medium = tmp_path / "medium"
    medium.mkdir()
    _refuse(ws, "export_started")
    query = AggregateQuery(now - 86400, now + 1)
    with pytest.raises(AuditLogError):
        run(ws.evidence.export_aggregate(admin, req.id, query, medium, "counts"))
    assert list(medium.iterdir()) == []
    ws.store.execute("DROP TRIGGER refuse_export_started")
    res = run(ws.evidence.export_aggregate(admin, req.id, query, medium, "counts"))
    [started] = _entries(ws, "export_started")
    assert started.detail["action"] == "release_aggregate" and started.detail["package"] == res.path.name
    [done] = _entries(ws, "release_aggregate")
    assert done.seq > started.seq and done.detail["export_started_seq"] == started.seq


def test_a_failing_final_entry_removes_the_written_package(ws, deputy, tmp_path):
    s, ids = deputy
    medium = tmp_path / "medium"
    medium.mkdir()
    _refuse(ws, "export")                         # written and verified, but not recordable
    with pytest.raises(AuditLogError):
        run(ws.evidence.export(s, ExportRequest(ids, medium, "Sightings")))
    assert list(medium.iterdir()) == []
    [started] = _entries(ws, "export_started")
    [failed] = _entries(ws, "export_failed")
    assert failed.detail["export_started_seq"] == started.seq and failed.detail["error"] == "AuditLogError"
    assert failed.detail["removed"] == [started.detail["final_path"]]   # renamed, read back, unrecorded
    assert ws.store.query("SELECT state FROM export_journal") == [("failed",)]
    assert ws.store.query_one("SELECT count(*) FROM holds")[0] == 0


def test_a_failing_log_commit_leaves_no_report_pdf_on_disk(ws, people, clock, tmp_path):
    analyses_data.load(ws, clock())
    s = people.user("dwatts", "deputy")
    res = ws.analyses.locate(s, LocateQuery("LOC0001"))
    out = tmp_path / "reports"
    _refuse(ws, "print")
    with pytest.raises(AuditLogError):
        ws.analyses.report_pdf(s, res, out / "locate.pdf")
    assert not out.exists() or list(out.iterdir()) == []
    ws.store.execute("DROP TRIGGER refuse_print")
    path = ws.analyses.report_pdf(s, res, out / "locate.pdf")
    [entry] = _entries(ws, "print")
    assert entry.detail["path"] == str(path) and path.read_bytes().startswith(b"%PDF")
    assert [p.name for p in out.iterdir()] == ["locate.pdf"]


def test_a_failing_log_commit_leaves_no_audit_csv_on_disk(ws, people, tmp_path):
    people.admin()
    auditor = people.user("aaudit", "auditor")
    out = tmp_path / "audit.csv"
    _refuse(ws, "audit_export")
    with pytest.raises(AuditLogError):
        ws.audit_export(auditor, out)
    assert list(tmp_path.glob("audit.csv*")) == []
    ws.store.execute("DROP TRIGGER refuse_audit_export")
    n = ws.audit_export(auditor, out, AuditFilter())
    [entry] = _entries(ws, "audit_export")
    assert entry.detail["path"] == str(out) and entry.detail["entries"] == n
    assert len(out.read_text().splitlines()) == n + 1
    assert entry.seq > max(int(line.split(",")[0]) for line in out.read_text().splitlines()[1:])


def test_an_export_still_running_elsewhere_is_not_touched_by_a_start(ws, deputy, tmp_path, clock, people):
    s, ids = deputy
    medium = tmp_path / "medium"
    medium.mkdir()
    gen = ws.evidence.export(s, ExportRequest(ids, medium, "Sightings"))
    for p in gen:
        if p.stage == "write" and p.done == 2:
            break
    [temp] = medium.iterdir()
    w2 = _next_start(ws, clock, people)     # the command line starts meanwhile
    try:
        assert w2.evidence.recover_interrupted() == [] and temp.is_dir()
    finally:
        w2.close()
    res = run(gen)
    assert verify_package(res.path).ok and [p.name for p in medium.iterdir()] == [res.path.name]
    assert _entries(ws, "export_failed") == []


@pytest.fixture
def prosecutor(ws, people, clock):
    ids = add_reads_with_images(ws, 3, 900, int(clock()))
    ws.add_user(people.admin(), "pat.rivera", "Pat Rivera", "prosecutor", PASSWORD)
    people.train("pat.rivera")
    return ids


def test_leftovers_on_an_absent_medium_are_logged_unremoved_then_removed_when_it_is_back(
        ws, prosecutor, tmp_path, clock, people):
    stick = tmp_path / "stick"
    stick.mkdir()
    # steps: export_started (1, 2), the folder (3, 4), then two steps a file: killed in the third
    rc, out = _child(ws, stick, clock(), 10, prosecutor)
    assert rc == -signal.SIGKILL, out
    [temp] = stick.iterdir()
    assert temp.name.endswith(INCOMPLETE_SUFFIX) and len(list(temp.rglob("*.jpg"))) >= 2
    pulled = tmp_path / "pulled"
    stick.rename(pulled)                                    # the stick is pulled before the next start
    w2 = _next_start(ws, clock, people)
    w2.close()
    [failed] = _entries(ws, "export_failed")
    [started] = _entries(ws, "export_started")
    assert failed.detail["export_started_seq"] == started.seq and failed.username == "system"
    final = stick / temp.name.removesuffix(INCOMPLETE_SUFFIX)     # unseen: it may have been renamed
    assert failed.detail["medium_present"] is False and failed.detail["unremoved"] == [str(temp), str(final)]
    assert failed.detail["removed"] == [] and failed.result_ids == started.result_ids
    assert ws.store.query("SELECT state FROM export_journal") == [("unremoved",)]
    assert ws.evidence.recover_interrupted() == []          # still away: nothing more to say
    assert (pulled / temp.name).is_dir()
    pulled.rename(stick)                                    # plugged in again
    [again] = ws.evidence.recover_interrupted()
    assert again.outcome == "removed" and again.removed == [str(temp)]
    assert list(stick.iterdir()) == []
    [removed] = _entries(ws, "export_leftovers_removed")
    assert removed.detail["export_started_seq"] == started.seq and removed.detail["removed"] == [str(temp)]
    assert ws.store.query("SELECT state FROM export_journal") == [("failed",)]
    assert ws.evidence.recover_interrupted() == []


def test_kill_after_the_rename_but_before_the_export_is_logged(ws, prosecutor, tmp_path, clock, people):
    """The package is renamed before it is read back (the read-back proves the final name), so a
    kill between the rename and the export's entry leaves a folder under its final name that no
    entry calls complete: the next start removes it and says so."""
    medium = tmp_path / "medium"
    medium.mkdir()
    _child(ws, medium, clock(), 0, prosecutor)                  # places the hold
    rc, out = _child(ws, medium, clock() + 1, 0, prosecutor)    # keeps it: the steps from now on
    total = int(out.split("STEPS ")[1].split()[0])
    now = clock() + 60
    rc, out = _child(ws, medium, now, total - 1, prosecutor)   # the last call: the export's entry
    assert rc == -signal.SIGKILL, out
    name = package_name("ALPR", CASE, now)
    final = medium / name
    assert final.is_dir() and not (medium / (name + INCOMPLETE_SUFFIX)).exists()
    assert verify_package(final).ok                             # written, renamed, read back ...
    assert not [e for e in _entries(ws, "export") if e.detail["package"] == name]   # ... not logged
    started = next(e for e in _entries(ws, "export_started") if e.detail["package"] == name)
    _next_start(ws, clock, people).close()
    assert not final.exists()
    [failed] = [e for e in _entries(ws, "export_failed")
                if e.detail["export_started_seq"] == started.seq]
    assert failed.detail["removed"] == [str(final)] and failed.detail["interrupted_in"] == "writing"
    assert ws.store.query("SELECT state FROM export_journal WHERE started_seq = ?", (started.seq,)) == \
        [("failed",)]
