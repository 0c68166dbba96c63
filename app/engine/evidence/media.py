"""Writing a package to portable media so that "done" means the media really holds it.

The target is checked first (mounted, free space, names free) without writing anything;
only after the export's ``export_started`` entry is committed does ``create`` make
``<name>.INCOMPLETE`` on the target. After the last file every file and folder is flushed
(syncfs/fsync), the flushed pages are dropped from the page cache
(``posix_fadvise(POSIX_FADV_DONTNEED)``) and every file is read back from the media and
hashed again. Only then is the folder renamed to its final name and the parent flushed.
A failed export's folder is removed (``remove``); where it cannot be (the drive was pulled)
it keeps the ``.INCOMPLETE`` name and gets an ``INCOMPLETE.txt`` marker, so a half-written
stick is never mistaken for evidence.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ExportError
from .manifest import ManifestEntry, check_name

INCOMPLETE_SUFFIX = ".INCOMPLETE"
MARKER = "INCOMPLETE.txt"
CHUNK = 1 << 20
_write = os.write          # the one write call; tests inject faults here


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

    @property
    def temp_dir(self) -> Path:
        return self.target / (self.name + INCOMPLETE_SUFFIX)

    @property
    def final_dir(self) -> Path:
        return self.target / self.name

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
        """Write one file (new, never overwriting) and remember its hash for the manifest."""
        path = self.temp_dir / check_name(relpath)
        try:
            if path.parent not in self._dirs:
                # one level at a time below the package folder: never parents=True, which would
                # re-create a vanished mount point's path on the system disk
                missing = [p for p in path.parents if p not in self._dirs and self.temp_dir in p.parents]
                for p in reversed(missing):
                    p.mkdir(exist_ok=True)
                    self._dirs.add(p)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                view, done = memoryview(data), 0
                while done < len(view):
                    done += _write(fd, view[done:done + CHUNK])
            finally:
                os.close(fd)
        except OSError as exc:
            raise describe_os_error(exc, self.target, f"writing {relpath}") from exc
        entry = ManifestEntry(relpath, sha256 or hashlib.sha256(data).hexdigest(), len(data))
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
        """Re-read each file from the media (cache dropped) and compare; yields bytes read."""
        for rel, sha in expected.items():
            path = self.temp_dir / rel
            h = hashlib.sha256()
            try:
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                    while chunk := os.read(fd, CHUNK):
                        h.update(chunk)
                    size = os.fstat(fd).st_size    # not path.stat(): the medium may be gone by then
                finally:
                    os.close(fd)
            except OSError as exc:
                raise describe_os_error(exc, self.target, f"reading back {rel}") from exc
            if h.hexdigest() != sha:
                raise ExportError(
                    f"{rel} read back from the drive at {self.target} differs from what was written: "
                    "the drive does not hold the data (failing or fake-capacity media). "
                    "The package is NOT complete.")
            yield size

    def check_capacity(self) -> None:
        try:
            st = os.statvfs(self.target)
            self.warnings += capacity_warnings(st.f_blocks * st.f_frsize, device_size(self.target),
                                               self._free_before, st.f_bavail * st.f_frsize, self.written)
        except OSError as exc:
            raise describe_os_error(exc, self.target, "checking the drive's capacity") from exc

    def finish(self) -> Path:
        """Rename to the final name and flush the parent: from here on it is complete."""
        try:
            os.rename(self.temp_dir, self.final_dir)
            self.renamed = True
            _fsync_path(self.target, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise describe_os_error(exc, self.target, "renaming the finished package") from exc
        return self.final_dir

    def mark_incomplete(self, reason: str) -> Path | None:
        """Best effort: a marker saying why; the folder keeps its ``.INCOMPLETE`` name anyway."""
        if not self.temp_dir.is_dir():
            return None
        try:
            (self.temp_dir / MARKER).write_text(
                "THIS EVIDENCE PACKAGE IS INCOMPLETE AND WAS NOT VERIFIED.\n"
                f"Reason: {reason}\nDo not book it into evidence; export again.\n", encoding="utf-8")
        except OSError:
            pass
        return self.temp_dir


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
