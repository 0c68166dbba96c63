"""Turning a list of files into a verified package on the target, yielding progress.

Shared by evidence exports and aggregate releases: write every file, then the manifest of
their hashes, then the custody form that prints the manifest's hash, flush, rename the folder
to its final name, and read everything back from the media under that name. The caller checks
the target and commits the ``export_started`` entry before calling this (the first byte goes to
the media here), and records the export (and the hold) after it; a package whose export is not
recorded is removed (by the caller at once, or by the next start after a crash).

Where the time goes (``bench/export.py``): decrypting each image from the store and hashing it
(several threads, each with its own read-only connection to the store: SQLCipher decrypts a
page in the thread that reads it, so one connection would leave all but one core idle), and
writing it (one thread: two threads creating files in one folder contend for its lock in the
kernel, and the thread that drives the export shares the interpreter with the caller's
progress); each file's write-back to the device starts as soon as it is written. Then
the manifest and the custody form (every hash is known by then), one ``syncfs``, and the
read-back (several threads, ``O_DIRECT``: reading from the device and hashing overlap).
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import queue
import re
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from ..errors import ExportError
from ..progress import CancelToken, Progress
from . import manifest as mf
from .media import PackageWriter

OVERHEAD = 256 << 10        # manifest and custody form beyond the data itself
PER_FILE = 4096             # a file system block of slack per file
LOADERS = min(4, max(2, os.cpu_count() or 2))   # threads decrypting and hashing files
MAX_PENDING = 16            # files loaded (and again files handed to the writer) and not yet
                            # written: with the loaders' own, the memory an export holds

Reader = Callable[[str, tuple], "tuple | None"]   # one row of a query on the store, or None


@dataclass(frozen=True)
class PackageFile:
    """One file to write; ``expected_sha256`` is the ingest hash the bytes must match."""

    path: str
    size: int
    load: Callable[[Reader], bytes]    # called in a writing thread with that thread's reader
    expected_sha256: str | None = None
    what: str = ""                     # "the plate image of read 12" for error messages


@dataclass
class Written:
    writer: PackageWriter
    entries: list[mf.ManifestEntry]    # the files the manifest lists
    manifest_sha256: str
    pdf_sha256: str
    extra: dict = field(default_factory=dict)

    @property
    def bytes(self) -> int:
        return self.writer.written


def package_name(prefix: str, case_number: str, now: float) -> str:
    from .content import utc_iso
    stamp = utc_iso(now).replace("-", "").replace(":", "")
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"{prefix}-{case_number}-{stamp}")


def space_needed(files: list[PackageFile]) -> int:
    """Bytes the target must have free: the files plus the manifest, the form and slack."""
    return sum(f.size for f in files) + OVERHEAD + PER_FILE * len(files)


def write_package(writer: PackageWriter, files: list[PackageFile],
                  custody: Callable[[str, list[mf.ManifestEntry]], bytes],
                  token: CancelToken,
                  open_reader: Callable[[], AbstractContextManager[Reader]] | None = None,
                  ) -> Generator[Progress, None, Written]:
    """Create the folder, write, flush, rename and read back; on any error the caller removes it.

    ``writer.check`` has passed and the export is logged as started before this is called.
    ``open_reader`` gives each loading thread its own read-only view of the store.
    """
    writer.create()
    yield Progress("write", 0, len(files), message=f"Writing {len(files)} files to {writer.temp_dir}")
    entries: list[mf.ManifestEntry | None] = [None] * len(files)
    loaded: queue.Queue = queue.Queue(MAX_PENDING)
    stop = threading.Event()
    order = itertools.count()
    threads = [threading.Thread(target=_load, name=f"evidence-load-{n}", daemon=True,
                                args=(files, open_reader or _no_reader, order, stop, loaded))
               for n in range(min(LOADERS, max(1, len(files))))]
    for t in threads:
        t.start()
    pool = ThreadPoolExecutor(1, thread_name_prefix="evidence-write")
    writing: deque[tuple[int, Future]] = deque()
    try:
        live, done = len(threads), 0
        while live or writing:
            item = loaded.get() if live else None
            if isinstance(item, BaseException):
                raise item
            if item is None:
                live -= 1 if live else 0
            else:
                index, data, sha = item
                writing.append((index, pool.submit(writer.write, files[index].path, data, sha)))
            while writing and (not live or len(writing) > MAX_PENDING or writing[0][1].done()):
                index, future = writing.popleft()
                entries[index] = future.result()        # a failed write raises here
                done += 1
                token.check()
                yield Progress("write", done, len(files), bytes_done=writer.written)
    finally:
        pool.shutdown(cancel_futures=True)
        stop.set()                  # an error or a cancel: the loaders stop after their file
        while any(t.is_alive() for t in threads):
            with contextlib.suppress(queue.Empty):
                loaded.get(timeout=0.05)       # a loader waiting on a full queue gets its turn
        for t in threads:
            t.join()
    token.check()
    listed = [e for e in entries if e is not None]
    manifest = mf.render(listed)
    msha = hashlib.sha256(manifest).hexdigest()
    writer.write(mf.MANIFEST, manifest, msha)
    pdf_sha = writer.write(mf.CUSTODY_PDF, custody(msha, sorted(listed, key=lambda e: e.path))).sha256
    writer.sync()
    writer.finish()                                 # the final name, then the proof under it
    expected = {e.path: e.sha256 for e in writer.entries}
    yield Progress("verify", 0, len(expected), message="Reading the package back from the media")
    for n, _size in enumerate(writer.read_back(expected), 1):
        token.check()
        yield Progress("verify", n, len(expected))
    writer.check_capacity()
    return Written(writer, listed, msha, pdf_sha)


@contextlib.contextmanager
def _no_reader() -> Iterator[Reader]:
    def refuse(sql: str, params: tuple) -> tuple | None:
        raise ExportError("This package has no store to read from.")
    yield refuse


def _load(files: list[PackageFile], open_reader: Callable[[], AbstractContextManager[Reader]],
          order: Iterator[int], stop: threading.Event, loaded: queue.Queue) -> None:
    """One loading thread: take the next file, load it and check its hash; hand it on."""
    try:
        with open_reader() as read:
            while not stop.is_set():
                index = next(order)
                if index >= len(files):
                    break
                f = files[index]
                data = f.load(read)
                sha = hashlib.sha256(data).hexdigest()
                if f.expected_sha256 is not None and sha != f.expected_sha256:
                    raise ExportError(
                        f"{f.what or f.path} does not match the SHA-256 recorded at ingest "
                        f"({f.expected_sha256[:16]}..., now {sha[:16]}...): the stored copy was "
                        "altered or damaged, so it cannot be exported as evidence.")
                loaded.put((index, data, sha))
    except BaseException as exc:        # reported to the export's thread, which raises it
        loaded.put(exc)
    finally:
        loaded.put(None)
