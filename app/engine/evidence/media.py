"""Writing a package to portable media so that "done" means the media really holds it.

The target is checked first (mounted, free space, names free) without writing anything;
only after the export's ``export_started`` entry is committed does ``create`` make
``<name>.INCOMPLETE`` on the target. After the last file every file and folder is flushed
(syncfs/fsync), the folder is renamed to its final name and the parent flushed; then the
flushed pages are dropped from the page cache (``posix_fadvise(POSIX_FADV_DONTNEED)``) and
every file is read back from the media, under its final name, and hashed again. Reading back
after the rename, not before, is what proves the package: one FAT driver lost the folder's
contents at the rename. A failed export's folder is removed (``remove``); where it cannot be
(the drive was pulled) it keeps the ``.INCOMPLETE`` name and gets an ``INCOMPLETE.txt``
marker, so a half-written stick is never mistaken for evidence.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import mmap
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ExportError
from .manifest import ManifestEntry, check_name

INCOMPLETE_SUFFIX = ".INCOMPLETE"
MARKER = "INCOMPLETE.txt"
CHUNK = 1 << 20
READERS = 8                # threads reading the package back (reading and hashing overlap)
_FADVISE = sys.platform.startswith("linux") and hasattr(os, "posix_fadvise")
_write = os.write          # the one write call; tests inject faults here
_rename = os.rename        # the final rename; tests inject a driver that loses files here


def _fsync_path(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs(path: Path) -> bool:
    """Flush the whole file system holding ``path`` (Linux); False where there is no syncfs."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if libc.syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    finally:
        os.close(fd)
    return True


_buffers = threading.local()


def _read_direct(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file as the device holds it.

    With ``O_DIRECT`` the bytes come from the device, not the page cache (and the read does not
    fill the cache either); where the file system refuses direct I/O (tmpfs, some FUSE drivers)
    the file's cached pages are dropped (``POSIX_FADV_DONTNEED``, after the flush) and it is
    read normally.
    """
    direct = getattr(os, "O_DIRECT", 0)
    fd = -1
    if direct:
        try:
            fd = os.open(path, os.O_RDONLY | direct)
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
    if fd < 0:
        return _read_dropped(path)
    h, done = hashlib.sha256(), 0
    try:
        size = os.fstat(fd).st_size
        buf = getattr(_buffers, "buf", None)
        if buf is None:
            buf = _buffers.buf = mmap.mmap(-1, CHUNK)       # page-aligned, as O_DIRECT needs
        view = memoryview(buf)
        while done < size:
            try:
                n = os.readv(fd, [buf])
            except OSError as exc:
                if exc.errno != errno.EINVAL:
                    raise
                break                                     # direct I/O refused after all
            if n <= 0:
                break
            h.update(view[:n])
            done += n
            if n < CHUNK:
                break                                     # end of file (or a short read: below)
        view.release()
    finally:
        os.close(fd)
    if done < size:                                       # the rest, read the ordinary way
        with open(path, "rb") as fh:
            fh.seek(done)
            while chunk := fh.read(CHUNK):
                h.update(chunk)
                done += len(chunk)
    return h.hexdigest(), done


def _read_dropped(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    fd = os.open(path, os.O_RDONLY)
    try:
        if hasattr(os, "posix_fadvise"):                   # (not on Windows or macOS)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        while chunk := os.read(fd, CHUNK):
            h.update(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    return h.hexdigest(), size


def describe_os_error(exc: OSError, target: Path, doing: str) -> ExportError:
    """One sentence a user can act on, for the errors removable media really give."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        text = f"The drive at {target} is full: it ran out of space while {doing}."
    elif code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.ESTALE, errno.ENOTDIR):
        text = f"The drive at {target} was removed or unmounted while {doing}."
    elif code == errno.EIO:
        text = f"The drive at {target} reported an I/O error while {doing} (failing or removed media)."
    elif code == errno.EROFS:
        text = f"The drive at {target} is read-only (write-protect switch?)."
    elif code in (errno.EACCES, errno.EPERM):
        text = f"You may not write to {target}."
    else:
        text = f"Writing to {target} failed while {doing}: {exc.strerror or exc}."
    return ExportError(text + " The package is NOT complete.")


def device_size(path: Path) -> int | None:
    """Bytes of the block device holding ``path`` (Linux sysfs), or None if unknown."""
    st = os.stat(path)
    for rel in ("size", "../size"):
        p = Path(f"/sys/dev/block/{os.major(st.st_dev)}:{os.minor(st.st_dev)}") / rel
        try:
            return int(p.read_text().strip()) * 512
        except (OSError, ValueError):
            continue
    return None


def capacity_warnings(fs_size: int, dev_size: int | None, free_before: int, free_after: int,
                      written: int) -> list[str]:
    """Signs of a fake-capacity stick: the filesystem claims more than the device or the data."""
    warnings = []
    if dev_size and fs_size > dev_size * 1.02:
        warnings.append(f"The drive's file system claims {fs_size / 1e9:.2f} GB but the device "
                        f"reports {dev_size / 1e9:.2f} GB: it may be a fake-capacity drive.")
    if written > 4 << 20 and free_before - free_after < written // 2:
        warnings.append(f"{written / 1e6:.1f} MB were written but the drive's free space fell only "
                        f"{max(free_before - free_after, 0) / 1e6:.1f} MB: the drive's reported "
                        "size and what it holds disagree (fake-capacity drive?).")
    return warnings


@dataclass
class PackageWriter:
    """One package folder being written on one target folder."""

    target: Path
    name: str
    entries: list[ManifestEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: int = 0
    renamed: bool = False
    _dirs: set[Path] = field(default_factory=set)
    _free_before: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def temp_dir(self) -> Path:
        return self.target / (self.name + INCOMPLETE_SUFFIX)

    @property
    def final_dir(self) -> Path:
        return self.target / self.name

    @property
    def current_dir(self) -> Path:
        """Where the package is now: its final name once renamed."""
        return self.final_dir if self.renamed else self.temp_dir

    def check(self, needed: int) -> None:
        """Refuse a target that cannot take the package, writing nothing to it."""
        if not self.target.is_dir():
            raise ExportError(f"The target {self.target} is not a folder or drive that is mounted now.")
        for p in (self.final_dir, self.temp_dir):
            if os.path.lexists(p):
                raise ExportError(f"{p} already exists; choose another target or name.")
        try:
            st = os.statvfs(self.target)
        except OSError as exc:
            raise describe_os_error(exc, self.target, "checking the free space") from exc
        self._free_before = st.f_bavail * st.f_frsize
        if needed > self._free_before:
            raise ExportError(
                f"The drive at {self.target} has {self._free_before / 1e6:.1f} MB free but the "
                f"package needs about {needed / 1e6:.1f} MB. Nothing was written.")

    def create(self) -> None:
        """Make the ``.INCOMPLETE`` folder: the first change to the media."""
        try:
            self.temp_dir.mkdir()
        except OSError as exc:
            raise describe_os_error(exc, self.target, "creating the package folder") from exc
        self._dirs.add(self.temp_dir)

    def write(self, relpath: str, data: bytes, sha256: str | None = None) -> ManifestEntry:
        """Write one file (new, never overwriting) and remember its hash for the manifest.
        Several threads may write at once."""
        path = self.temp_dir / check_name(relpath)
        try:
            if path.parent not in self._dirs:
                with self._lock:
                    # one level at a time below the package folder: never parents=True, which
                    # would re-create a vanished mount point's path on the system disk
                    missing = [p for p in path.parents if p not in self._dirs and self.temp_dir in p.parents]
                    for p in reversed(missing):
                        p.mkdir(exist_ok=True)
                        self._dirs.add(p)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                view, done = memoryview(data), 0
                while done < len(view):
                    done += _write(fd, view[done:done + CHUNK])
                if _FADVISE:
                    # start writing this file to the device now (Linux starts write-back for
                    # DONTNEED), so the flush at the end has little left to wait for
                    try:
                        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                    except OSError:
                        pass                            # only a head start; the flush still runs
            finally:
                os.close(fd)
        except OSError as exc:
            raise describe_os_error(exc, self.target, f"writing {relpath}") from exc
        entry = ManifestEntry(relpath, sha256 or hashlib.sha256(data).hexdigest(), len(data))
        with self._lock:
            self.entries.append(entry)
            self.written += len(data)
        return entry

    def sync(self) -> None:
        """Flush every file, then every folder, so the names as well as the bytes are on the media.

        On Linux one ``syncfs`` of the target's file system flushes all files at once (a
        thousand separate fsyncs cost a cache flush each, several times the copy itself);
        elsewhere each file is fsynced. The read-back that follows is the real proof.
        """
        try:
            if not _syncfs(self.temp_dir):
                for e in self.entries:
                    _fsync_path(self.temp_dir / e.path, os.O_RDONLY)
            for d in sorted(self._dirs, key=lambda p: len(p.parts), reverse=True):
                _fsync_path(d, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise describe_os_error(exc, self.target, "flushing the package to the media") from exc

    def read_back(self, expected: dict[str, str]) -> Iterator[int]:
        """Re-read each file from the media (cache dropped) and compare; yields bytes read, in
        the order of ``expected``. Several threads read at once."""
        base = self.current_dir
        pool = ThreadPoolExecutor(READERS, thread_name_prefix="evidence-read")
        try:
            futures = [pool.submit(self._read_one, base, rel, sha) for rel, sha in expected.items()]
            for future in futures:
                yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _read_one(self, base: Path, rel: str, sha: str) -> int:
        path = base / rel
        try:
            digest, size = _read_direct(path)
        except FileNotFoundError as exc:
            if self.target.is_dir() and base.is_dir():
                raise ExportError(
                    f"{rel} is missing from the package on the drive at {self.target} after it was "
                    "renamed to its final name: the drive (or its driver) lost it. The package is "
                    "NOT complete.") from exc
            raise describe_os_error(exc, self.target, f"reading back {rel}") from exc
        except OSError as exc:
            raise describe_os_error(exc, self.target, f"reading back {rel}") from exc
        if digest != sha:
            raise ExportError(
                f"{rel} read back from the drive at {self.target} differs from what was written: "
                "the drive does not hold the data (failing or fake-capacity media). "
                "The package is NOT complete.")
        return size

    def check_capacity(self) -> None:
        try:
            st = os.statvfs(self.target)
            self.warnings += capacity_warnings(st.f_blocks * st.f_frsize, device_size(self.target),
                                               self._free_before, st.f_bavail * st.f_frsize, self.written)
        except OSError as exc:
            raise describe_os_error(exc, self.target, "checking the drive's capacity") from exc

    def finish(self) -> Path:
        """Rename to the final name and flush the parent; the read-back under that name follows,
        and only a recorded export is complete."""
        try:
            _rename(self.temp_dir, self.final_dir)
            self.renamed = True
            _fsync_path(self.target, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise describe_os_error(exc, self.target, "renaming the finished package") from exc
        return self.final_dir

    def mark_incomplete(self, reason: str) -> Path | None:
        """Best effort: a marker saying why (the folder keeps its ``.INCOMPLETE`` name, or had
        its final name when the read-back under it failed)."""
        folder = self.current_dir
        if not folder.is_dir():
            return None
        try:
            (folder / MARKER).write_text(
                "THIS EVIDENCE PACKAGE IS INCOMPLETE AND WAS NOT VERIFIED.\n"
                f"Reason: {reason}\nDo not book it into evidence; export again.\n", encoding="utf-8")
        except OSError:
            pass
        return folder


def medium_present(target: Path, on_mount: bool) -> bool:
    """Whether the medium an export was written to is there: the folder exists and, if it was
    a mount point when the export started, it still is one (not the bare, empty mount point)."""
    try:
        return target.is_dir() and (not on_mount or os.path.ismount(target))
    except OSError:
        return False


def remove_tree(path: Path) -> bool:
    """Remove a package folder we made (never following a link out of it); True once it is gone."""
    try:
        if not os.path.lexists(path):
            return True
        if path.is_symlink() or not path.is_dir():
            os.unlink(path)
        else:
            shutil.rmtree(path)
        try:
            _fsync_path(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            pass
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return not os.path.lexists(path)


def remove_leftovers(paths: list[Path], target: Path, on_mount: bool
                     ) -> tuple[bool, list[str], list[str]]:
    """Remove what is left of a failed export on its medium.

    Returns (medium present, removed, unremoved). With the medium absent nothing can be looked
    at, so every path counts as unremoved; with it present, the paths not found were never made.
    """
    if not medium_present(target, on_mount):
        return False, [], [str(p) for p in paths]
    removed: list[str] = []
    unremoved: list[str] = []
    for p in paths:
        if not os.path.lexists(p):
            continue
        (removed if remove_tree(p) else unremoved).append(str(p))
    return True, removed, unremoved
