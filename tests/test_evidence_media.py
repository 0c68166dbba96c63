"""Writing to media: a full drive, a write fault, a pulled drive and bad read-back never end 'done'."""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.engine.errors import ExportError
from app.engine.evidence import ExportRequest, drives, media, run
from app.engine.evidence.media import INCOMPLETE_SUFFIX, capacity_warnings
from tests.evidence_data import add_reads_with_images


@pytest.fixture
def setup(ws, people, clock):
    ids = add_reads_with_images(ws, 6, 900, int(clock()), scene_size=(640, 360))
    return ws, people.user("dsmith", "deputy"), ids


def _assert_not_done(ws, target, renamed: bool = False) -> dict:
    """Nothing of the package is left, and the failure names what was removed (the folder under
    its final name if the read-back under it failed); its detail."""
    assert [p.name for p in target.iterdir() if p.name.startswith("ALPR-")] == []
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'export'")[0] == 0
    [(detail,)] = ws.store.query("SELECT detail FROM access_log WHERE action = 'export_failed'")
    failed = json.loads(detail)
    assert len(failed["removed"]) == 1
    assert failed["removed"][0].endswith(INCOMPLETE_SUFFIX) != renamed
    assert ws.store.query_one("SELECT count(*) FROM holds")[0] == 0
    return failed


def test_fault_injected_at_the_write_call_ends_with_a_clear_error(setup, tmp_path, monkeypatch):
    ws, s, ids = setup
    budget = {"left": 150_000}

    def failing_write(fd, data):
        if budget["left"] < len(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        budget["left"] -= len(data)
        return os.write(fd, data)
    monkeypatch.setattr(media, "_write", failing_write)
    with pytest.raises(ExportError, match="is full.*NOT complete"):
        run(ws.evidence.export(s, ExportRequest(ids, tmp_path, "x")))
    assert "full" in _assert_not_done(ws, tmp_path)["reason"]


def test_io_error_is_reported_as_such(setup, tmp_path, monkeypatch):
    ws, s, ids = setup

    def eio(fd, data):
        raise OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(media, "_write", eio)
    with pytest.raises(ExportError, match="I/O error"):
        run(ws.evidence.export(s, ExportRequest(ids, tmp_path, "x")))
    _assert_not_done(ws, tmp_path)


def test_drive_pulled_mid_write(setup, tmp_path):
    ws, s, ids = setup
    stick = tmp_path / "stick"
    stick.mkdir()
    with pytest.raises(ExportError, match="removed or unmounted"):
        for p in ws.evidence.export(s, ExportRequest(ids, stick, "x", include_derived=True)):
            if p.stage == "write" and p.done == 2:
                stick.rename(tmp_path / "pulled")           # the mount point's content is gone
    assert not stick.exists()                               # and nothing re-created it
    [(detail,)] = ws.store.query("SELECT detail FROM access_log WHERE action = 'export_failed'")
    failed = json.loads(detail)                             # the drive is gone: left, and said so
    assert failed["medium_present"] is False and failed["removed"] == []
    [left] = (tmp_path / "pulled").glob("ALPR-*")
    assert failed["unremoved"] == [str(stick / left.name)] and left.name.endswith(INCOMPLETE_SUFFIX)
    assert ws.store.query_one("SELECT count(*) FROM holds")[0] == 0
    (tmp_path / "pulled").rename(stick)                     # plugged in again: the next start cleans up
    [rec] = ws.evidence.recover_interrupted()
    assert rec.outcome == "removed" and list(stick.iterdir()) == []


def test_media_that_returns_other_bytes_fails_the_read_back(setup, tmp_path):
    ws, s, ids = setup
    with pytest.raises(ExportError, match="read back from the drive.*differs"):
        for p in ws.evidence.export(s, ExportRequest(ids, tmp_path, "x")):
            if p.stage == "verify" and p.done == 0:        # written, flushed and renamed
                [pkg] = tmp_path.glob("ALPR-*")
                assert not pkg.name.endswith(INCOMPLETE_SUFFIX)
                (pkg / "reads.csv").write_bytes(b"what a fake stick returns")
    _assert_not_done(ws, tmp_path, renamed=True)


def test_a_driver_that_loses_the_folder_at_the_rename_is_caught_by_the_read_back(setup, tmp_path,
                                                                                   monkeypatch):
    """One FAT driver emptied the folder at the final rename while the dialog said "verified":
    the read-back happens under the final name, so the export is NOT done and says why."""
    ws, s, ids = setup
    real = media._rename

    def losing_rename(src, dst):
        real(src, dst)
        for p in sorted(Path(dst).rglob("*"), reverse=True):    # the driver drops the contents
            p.rmdir() if p.is_dir() else p.unlink()
    monkeypatch.setattr(media, "_rename", losing_rename)
    with pytest.raises(ExportError, match="missing from the package .* after it was renamed"):
        run(ws.evidence.export(s, ExportRequest(ids, tmp_path, "x")))
    failed = _assert_not_done(ws, tmp_path, renamed=True)
    assert "lost it" in failed["reason"]


@pytest.fixture
def small_drive(tmp_path):
    """A real 3 MiB ext4 file system on a loop device (needs root and loop devices)."""
    if os.geteuid() != 0 or not shutil.which("mkfs.ext4"):
        pytest.skip("mounting a loop file system needs root and mkfs.ext4")
    image, mnt = tmp_path / "stick.img", tmp_path / "stick"
    with open(image, "wb") as fh:
        fh.truncate(3 << 20)
    mnt.mkdir()
    subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", str(image)], check=True)
    done = subprocess.run(["mount", "-o", "loop", str(image), str(mnt)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"loop mount not permitted here: {done.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=False)


def test_small_drive_that_fills_up_mid_write(setup, small_drive):
    ws, s, ids = setup
    with pytest.raises(ExportError, match="is full.*NOT complete"):
        for p in ws.evidence.export(s, ExportRequest(ids, small_drive, "x")):
            if p.stage == "write" and p.done == 1:        # another program fills the stick
                with open(small_drive / "filler.bin", "wb") as fh:
                    try:
                        while True:
                            fh.write(b"\0" * 65536)
                            fh.flush()
                    except OSError as exc:
                        assert exc.errno == errno.ENOSPC
    _assert_not_done(ws, small_drive)


def test_small_drive_too_small_is_refused_before_writing(setup, small_drive):
    ws, s, ids = setup
    with open(small_drive / "filler.bin", "wb") as fh:
        fh.write(b"\0" * (1500 << 10))
    with pytest.raises(ExportError, match="Nothing was written"):
        run(ws.evidence.export(s, ExportRequest(ids, small_drive, "x")))
    assert not list(small_drive.glob("ALPR-*"))


def test_package_on_a_real_small_drive_verifies(setup, small_drive):
    ws, s, ids = setup
    res = run(ws.evidence.export(s, ExportRequest(ids[:2], small_drive, "two reads")))
    assert res.path.parent == small_drive and res.warnings == []
    assert subprocess.run(["sha256sum", "-c", "--quiet", "manifest.sha256"], cwd=res.path).returncode == 0
    assert media.device_size(small_drive) == 3 << 20


def test_fake_capacity_warnings():
    assert capacity_warnings(64_000_000_000, 8_000_000_000, 10, 10, 0)[0].startswith(
        "The drive's file system claims 64.00 GB but the device reports 8.00 GB")
    assert "fell only" in capacity_warnings(1 << 34, None, 1 << 30, 1 << 30, 50 << 20)[0]
    assert capacity_warnings(1 << 34, 1 << 34, 1 << 30, (1 << 30) - (50 << 20), 50 << 20) == []


LSBLK = {"blockdevices": [
    {"name": "nvme0n1", "rm": False, "hotplug": False, "tran": "nvme", "label": None, "mountpoints": [None],
     "children": [{"name": "nvme0n1p2", "rm": False, "hotplug": False, "tran": None, "label": None,
                   "mountpoints": ["/"]}]},
    {"name": "sdb", "rm": True, "hotplug": True, "tran": "usb", "label": None, "mountpoints": [None],
     "children": [{"name": "sdb1", "rm": True, "hotplug": True, "tran": None, "label": "EVIDENCE",
                   "mountpoints": ["/media/clerk/EVIDENCE"]}]}]}

UDISKS = """/org/freedesktop/UDisks2/block_devices/nvme0n1p2:
  org.freedesktop.UDisks2.Block:
    Device:                     /dev/nvme0n1p2
    HintSystem:                 true
    IdLabel:
  org.freedesktop.UDisks2.Filesystem:
    MountPoints:                /
    Size:                       511101108224

/org/freedesktop/UDisks2/block_devices/sdc1:
  org.freedesktop.UDisks2.Block:
    Device:                     /dev/sdc1
    HintSystem:                 false
    IdLabel:                    CASE42
  org.freedesktop.UDisks2.Filesystem:
    MountPoints:                /media/clerk/CASE42
                                /mnt/case42
    Size:                       15997075456
"""


def test_removable_drives_from_lsblk_and_udisks_output():
    found = drives.parse_lsblk(json.dumps(LSBLK))
    assert [(d.device, str(d.mount_point), d.label) for d in found] == \
        [("/dev/sdb1", "/media/clerk/EVIDENCE", "EVIDENCE")]
    found = drives.parse_udisks(UDISKS)
    assert [(d.device, str(d.mount_point), d.label) for d in found] == \
        [("/dev/sdc1", "/media/clerk/CASE42", "CASE42"), ("/dev/sdc1", "/mnt/case42", "CASE42")]


def test_the_read_back_comes_from_the_device_or_drops_the_cached_pages(tmp_path, monkeypatch):
    """O_DIRECT where the file system allows it; where it refuses (tmpfs, some FUSE drivers), the
    pages are dropped and the file read normally. Either way every byte is hashed."""
    import hashlib
    data = os.urandom(300_001)                          # not a whole number of blocks
    path = tmp_path / "scene.jpg"
    path.write_bytes(data)
    (tmp_path / "empty").write_bytes(b"")
    want = (hashlib.sha256(data).hexdigest(), len(data))
    assert media._read_direct(path) == want
    assert media._read_direct(tmp_path / "empty") == (hashlib.sha256(b"").hexdigest(), 0)
    real_open, opened = os.open, []

    def no_direct_io(p, flags, *a, **k):
        opened.append(flags)
        if flags & getattr(os, "O_DIRECT", 0):
            raise OSError(errno.EINVAL, "direct I/O not supported")
        return real_open(p, flags, *a, **k)
    with monkeypatch.context() as m:
        m.setattr(media.os, "open", no_direct_io)
        assert media._read_direct(path) == want
    assert len(opened) == (2 if getattr(os, "O_DIRECT", 0) else 1)
