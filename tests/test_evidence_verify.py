"""A changed, missing or extra file, or a swapped custody form, is found by verify and by sha256sum."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from app.engine.evidence import ExportRequest, run, verify_package
from tests.evidence_data import add_reads_with_images


@pytest.fixture
def package(ws, people, clock, tmp_path):
    ids = add_reads_with_images(ws, 3, 700, int(clock()))
    s = people.user("dsmith", "deputy")
    (tmp_path / "media").mkdir()
    res = run(ws.evidence.export(s, ExportRequest(ids, tmp_path / "media", "Three sightings")))
    return ws, s, res


def _sha256sum(pkg) -> subprocess.CompletedProcess:
    return subprocess.run(["sha256sum", "-c", "--quiet", "manifest.sha256"], cwd=pkg,
                          capture_output=True, text=True)


def _extras_by_standard_tools(pkg) -> str:
    """The README's recipe: files present but not in the manifest (other than it and the form)."""
    script = ("find . -type f | sed 's|^\\./||' | grep -vxF -e manifest.sha256 -e chain-of-custody.pdf "
              "| sort | diff - <(cut -c67- manifest.sha256 | sort)")
    return subprocess.run(["bash", "-c", script], cwd=pkg, capture_output=True, text=True).stdout


def test_intact_package_passes_both_checks_and_the_check_is_logged(package):
    ws, s, res = package
    assert _sha256sum(res.path).returncode == 0 and _extras_by_standard_tools(res.path) == ""
    result = ws.evidence.verify(s, res.path)
    assert result.ok and result.files_checked == res.files - 2
    entry = ws.store.query_one("SELECT username, detail FROM access_log WHERE action = 'evidence_verify'")
    assert entry[0] == "dsmith" and json.loads(entry[1])["ok"] is True


def test_changed_file_is_named(package):
    _ws, _s, res = package
    target = res.path / "images/original/read-701-scene.jpg"
    data = bytearray(target.read_bytes())
    data[100] ^= 0x01
    target.write_bytes(bytes(data))
    result = verify_package(res.path)
    assert result.changed == ["images/original/read-701-scene.jpg"] and not result.ok
    proc = _sha256sum(res.path)
    assert proc.returncode == 1 and "read-701-scene.jpg: FAILED" in proc.stdout


def test_missing_file_is_named(package):
    _ws, _s, res = package
    (res.path / "reads.csv").unlink()
    result = verify_package(res.path)
    assert result.missing == ["reads.csv"]
    proc = _sha256sum(res.path)
    assert proc.returncode == 1 and "reads.csv" in proc.stdout + proc.stderr


def test_extra_file_is_named(package):
    ws, s, res = package
    (res.path / "images/original/read-999-plate.jpg").write_bytes(b"planted")
    result = ws.evidence.verify(s, res.path)
    assert result.extra == ["images/original/read-999-plate.jpg"] and not result.ok
    assert "EXTRA    images/original/read-999-plate.jpg" in result.lines()
    # sha256sum -c alone only checks listed files; the README's standard-tools recipe finds it
    assert _sha256sum(res.path).returncode == 0
    assert "images/original/read-999-plate.jpg" in _extras_by_standard_tools(res.path)
    logged = json.loads(ws.store.query_one(
        "SELECT detail FROM access_log WHERE action = 'evidence_verify'")[0])
    assert logged["ok"] is False and logged["extra"] == ["images/original/read-999-plate.jpg"]


def test_edited_manifest_or_swapped_form_is_caught(package, tmp_path):
    _ws, _s, res = package
    other = tmp_path / "copy"
    shutil.copytree(res.path, other)
    # someone "fixes" a changed file by editing the manifest: the form no longer matches it
    (other / "reads.csv").write_text("read_id\n")
    lines = (other / "manifest.sha256").read_text().splitlines()
    new_sha = subprocess.run(["sha256sum", "reads.csv"], cwd=other, capture_output=True,
                             text=True).stdout.split()[0]
    (other / "manifest.sha256").write_text(
        "".join((f"{new_sha}  reads.csv" if ln.endswith("  reads.csv") else ln) + "\n" for ln in lines))
    assert _sha256sum(other).returncode == 0          # the files match the edited manifest...
    result = verify_package(other)
    assert not result.ok and any("do not carry this manifest's hash" in p for p in result.problems)


def test_incomplete_or_manifestless_folders_fail(package, tmp_path):
    _ws, _s, res = package
    (res.path / "manifest.sha256").unlink()
    assert any("manifest.sha256 is missing" in p for p in verify_package(res.path).problems)
    half = tmp_path / "media" / "ALPR-X.INCOMPLETE"
    half.mkdir()
    assert any("INCOMPLETE" in p for p in verify_package(half).problems)
