"""Bad store files, a full disk, a read-only folder and a pulled medium each give one sentence
(a StoreError or ExportError), never a raw OperationalError, UnicodeDecodeError or
FileNotFoundError, and a missing or empty store file is never silently recreated."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.engine.errors import ExportError, StoreError
from app.engine.evidence import ExportRequest, media
from app.engine.keyslots import SLOTS_NAME
from app.engine.store import DB_NAME, ID_NAME, Store
from app.engine.workstation import Workstation
from tests.conftest import PASSWORD, People
from tests.evidence_data import add_reads_with_images


def _made(folder: Path, clock) -> tuple[Workstation, People]:
    w = Workstation.create(folder, "calabasas", clock)
    people = People(w, clock)
    people.admin()
    return w, people


def _login(folder: Path, clock, people: People, password: str = PASSWORD) -> Workstation:
    w = Workstation.open(folder, clock)
    try:
        w.login("amanager", password, people.code("amanager"))
    except BaseException:
        w.close()
        raise
    return w


@pytest.fixture
def store(tmp_path, clock):
    w, people = _made(tmp_path / "s", clock)
    w.close()
    return tmp_path / "s", people


# -- the store file ----------------------------------------------------------------------------
def test_an_empty_store_file_is_refused_and_left_as_it_is(store, clock):
    folder, people = store
    (folder / DB_NAME).write_bytes(b"")
    for name in (f"{DB_NAME}-wal", f"{DB_NAME}-shm"):
        (folder / name).unlink(missing_ok=True)
    with pytest.raises(StoreError, match=r"is empty \(0 bytes\).*not recreated"):
        Workstation.open(folder, clock)
    with pytest.raises(StoreError, match="empty"):
        Store.open(folder, bytes(32))                 # the store's own door says the same
    assert (folder / DB_NAME).stat().st_size == 0


def test_a_missing_store_file_is_refused_at_every_door(store, clock):
    folder, _people = store
    (folder / DB_NAME).unlink()
    with pytest.raises(StoreError, match="missing; it was not recreated"):
        Workstation.open(folder, clock)
    with pytest.raises(StoreError, match="missing; it was not recreated"):
        Store.open(folder, bytes(32))
    assert not (folder / DB_NAME).exists()


@pytest.mark.parametrize("content", [
    "störe-1234\n".encode(), b"\xff\xfe\x00bad", b"", b"../../etc\n", "ид".encode("utf-16"),
], ids=["non-ascii", "binary", "empty", "path", "utf16"])
def test_a_damaged_store_id_is_a_sentence(store, clock, content):
    folder, _people = store
    (folder / ID_NAME).write_bytes(content)
    with pytest.raises(StoreError, match="store id file .* is damaged"):
        Workstation.open(folder, clock)


def test_a_store_id_that_is_a_folder_is_a_sentence(store, clock):
    folder, _people = store
    (folder / ID_NAME).unlink()
    (folder / ID_NAME).mkdir()
    with pytest.raises(StoreError, match="store id"):
        Workstation.open(folder, clock)


# -- the key-slot file ---------------------------------------------------------------------------
def _slots_edit(folder: Path, change) -> None:
    path = folder / SLOTS_NAME
    raw = json.loads(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(json.dumps(raw), encoding="utf-8")


DAMAGE = {
    "not-json": lambda f: (f / SLOTS_NAME).write_text("{ not json", encoding="utf-8"),
    "not-utf8": lambda f: (f / SLOTS_NAME).write_bytes(b'{"format": "\xff\xfe"}'),
    "a-list": lambda f: (f / SLOTS_NAME).write_text("[1, 2, 3]", encoding="utf-8"),
    "deep": lambda f: (f / SLOTS_NAME).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8"),
    "huge": lambda f: (f / SLOTS_NAME).write_bytes(b" " * 5_000_000 + b"{}"),
    "empty": lambda f: (f / SLOTS_NAME).write_bytes(b""),
    "slot-not-base64": lambda f: _slots_edit(f, lambda r: next(iter(r["slots"].values())).update(salt="%%%")),
    "slot-number": lambda f: _slots_edit(f, lambda r: next(iter(r["slots"].values())).update(nonce=12)),
    "store-id-number": lambda f: _slots_edit(f, lambda r: r.update(store_id=7)),
    "pending-not-records": lambda f: _slots_edit(f, lambda r: r.update(pending=[1, "x"])),
    "pending-no-user": lambda f: _slots_edit(f, lambda r: r.update(pending=[{"ts": 1.0, "reason": "x"}])),
    "failures-not-records": lambda f: _slots_edit(f, lambda r: r.update(failures={"amanager": 5})),
    "failures-infinite": lambda f: (f / SLOTS_NAME).write_text(
        (f / SLOTS_NAME).read_text().replace('"failures": {}',
                                             '"failures": {"amanager": {"count": Infinity}}'), encoding="utf-8"),
    "slots-a-string": lambda f: _slots_edit(f, lambda r: r.update(slots="all")),
    "a-folder": lambda f: ((f / SLOTS_NAME).unlink(), (f / SLOTS_NAME).mkdir()),
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_key_slot_file_is_a_sentence_before_any_login(store, clock, damage):
    folder, people = store
    DAMAGE[damage](folder)
    with pytest.raises(StoreError, match=f"key-slot file {folder / SLOTS_NAME}"):
        _login(folder, clock, people)


# -- a read-only folder and a full disk -------------------------------------------------------------
@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    """A small file system of its own (needs root, as the test machine is)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small file system needs root")
    path.mkdir(parents=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                       capture_output=True, text=True)
    if r.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def _remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True)


def test_a_read_only_folder_is_a_sentence(tmp_path, clock):
    with tmpfs(tmp_path / "ro", "32m") as disk:
        w, people = _made(disk / "s", clock)
        w.close()
        _remount(disk, "ro")
        w = Workstation.open(disk / "s", clock)       # the header alone can be read
        with pytest.raises(StoreError, match="read-only"):
            w.login("amanager", PASSWORD, people.code("amanager"))
        with pytest.raises(StoreError, match="read-only"):
            w.login("amanager", "Wrong-password-for-this-1")     # the failure cannot be counted
        w.close()
        with pytest.raises(StoreError, match="read-only"):
            Workstation.create(disk / "new", "calabasas", clock)
        _remount(disk, "rw")
        _login(disk / "s", clock, people).close()        # nothing was damaged


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    # Unbuffered: a buffered file would try its partial last chunk again at close and raise
    # there, depending on how many bytes the store happened to leave free.
    with open(filler, "wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()
    return filler


def test_a_full_disk_is_a_sentence_and_loses_nothing(tmp_path, clock):
    with tmpfs(tmp_path / "full", "24m") as disk:
        w, people = _made(disk / "s", clock)
        admin = people.admin()
        before = w.store.query_one("SELECT count(*) FROM access_log")[0]
        filler = _fill(disk)
        with pytest.raises(StoreError, match="is full; nothing of this change was kept"):
            for i in range(500):
                w.log(admin.actor, "test", detail={"n": i, "pad": "x" * 20000})
        with pytest.raises(StoreError, match="full"):
            Workstation.create(disk / "new", "calabasas", clock)
        assert not (disk / "new" / ID_NAME).exists()          # no half-made store is left
        w.close()
        with pytest.raises(StoreError, match="full"):
            Workstation.open(disk / "s", clock).login("amanager", "Wrong-password-for-this-1")
        filler.unlink()
        w = _login(disk / "s", clock, people)                  # intact: integrity checked at open
        assert w.store.query_one("SELECT count(*) FROM access_log")[0] >= before
        w.close()
        _made(disk / "new", clock)[0].close()                  # and init works once there is room


# -- a medium pulled during read-back ------------------------------------------------------------
class _PullAfterReading:
    """``os`` as media.py sees it, except that the medium is pulled the moment the second
    file read back has been closed (between reading it and taking its size)."""

    def __init__(self, stick: Path, pulled: Path) -> None:
        self.stick, self.pulled, self.read_fds, self.closed = stick, pulled, set(), 0

    def __getattr__(self, name):
        return getattr(os, name)

    def open(self, path, flags, *args):
        fd = os.open(path, flags, *args)
        if flags & os.O_ACCMODE == os.O_RDONLY and Path(path).is_file():   # (with O_DIRECT too)
            self.read_fds.add(fd)
        return fd

    def close(self, fd):
        os.close(fd)
        if fd in self.read_fds:
            self.read_fds.discard(fd)
            self.closed += 1
            if self.closed == 2:
                self.stick.rename(self.pulled)


def test_a_medium_pulled_during_read_back_is_a_sentence(ws, people, clock, tmp_path, monkeypatch):
    ids = add_reads_with_images(ws, 4, 900, int(clock()), scene_size=(320, 180))
    s = people.user("dsmith", "deputy")
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setattr(media, "os", _PullAfterReading(stick, tmp_path / "pulled"))
    with pytest.raises(ExportError, match="removed or unmounted while reading back.*NOT complete"):
        for _ in ws.evidence.export(s, ExportRequest(ids, stick, "x")):
            pass
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'export'")[0] == 0
