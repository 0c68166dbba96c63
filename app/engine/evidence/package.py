"""Turning a list of files into a verified package on the target, yielding progress.

Shared by evidence exports and aggregate releases: write every file, then the manifest of
their hashes, then the custody form that prints the manifest's hash, flush, rename the folder
to its final name, and read everything back from the media under that name. The caller checks
the target and commits the ``export_started`` entry before calling this (the first byte goes to
the media here), and records the export (and the hold) after it; a package whose export is not
recorded is removed (by the caller at once, or by the next start after a crash).

Where the time goes (``bench/export.py``): decrypting each image from the store and hashing it
(this thread), writing it (one helper thread, so the two overlap; each file's write-back to the
device is started as soon as it is written), the custody form (made here while the helper
writes the last files, since every hash is known by then), one ``syncfs``, and the read-back
(several threads, ``O_DIRECT``: reading from the device and hashing overlap).
"""
from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from ..errors import ExportError
from ..progress import CancelToken, Progress
from . import manifest as mf
from .media import PackageWriter

OVERHEAD = 256 << 10        # manifest and custody form beyond the data itself
PER_FILE = 4096             # a file system block of slack per file
WRITERS = 1                 # threads writing: two contend for the folder's lock in the kernel
MAX_PENDING = 256           # files handed to the writing threads and not yet written ...
MAX_PENDING_BYTES = 48 << 20    # ... and their bytes: the memory an export holds at most


@dataclass(frozen=True)
class PackageFile:
    """One file to write; ``expected_sha256`` is the ingest hash the bytes must match."""

    path: str
    size: int
    load: Callable[[], bytes]
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
                  token: CancelToken) -> Generator[Progress, None, Written]:
    """Create the folder, write, flush, rename and read back; on any error the caller removes it.

    ``writer.check`` has passed and the export is logged as started before this is called.
    """
    writer.create()
    yield Progress("write", 0, len(files), message=f"Writing {len(files)} files to {writer.temp_dir}")
    # The store is read (and decrypted) in this thread while a helper thread writes the previous
    # files to the media, so the two overlap; the store never leaves this thread.
    entries: list[mf.ManifestEntry] = []
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="evidence-write") as pool:
        pending: deque[tuple[Future, int]] = deque()
        held = 0
        try:
            for n, f in enumerate(files, 1):
                token.check()
                data = f.load()
                sha = hashlib.sha256(data).hexdigest()
                if f.expected_sha256 is not None and sha != f.expected_sha256:
                    raise ExportError(
                        f"{f.what or f.path} does not match the SHA-256 recorded at ingest "
                        f"({f.expected_sha256[:16]}..., now {sha[:16]}...): the stored copy was "
                        "altered or damaged, so it cannot be exported as evidence.")
                entries.append(mf.ManifestEntry(f.path, sha, len(data)))
                pending.append((pool.submit(writer.write, f.path, data, sha), len(data)))
                held += len(data)
                while pending and (held > MAX_PENDING_BYTES or len(pending) > MAX_PENDING
                                   or pending[0][0].done()):
                    future, size = pending.popleft()
                    future.result()                 # a failed write raises here
                    held -= size
                yield Progress("write", n, len(files), bytes_done=writer.written)
            # Every hash is known: the manifest and the form are made while the helper writes on.
            token.check()
            manifest = mf.render(entries)
            msha = hashlib.sha256(manifest).hexdigest()
            pdf = custody(msha, sorted(entries, key=lambda e: e.path))
            while pending:
                pending.popleft()[0].result()
        finally:
            for future, _size in pending:
                future.cancel()
    token.check()
    writer.write(mf.MANIFEST, manifest, msha)
    pdf_sha = writer.write(mf.CUSTODY_PDF, pdf).sha256
    writer.sync()
    writer.finish()                                 # the final name, then the proof under it
    expected = {e.path: e.sha256 for e in writer.entries}
    yield Progress("verify", 0, len(expected), message="Reading the package back from the media")
    for n, _size in enumerate(writer.read_back(expected), 1):
        token.check()
        yield Progress("verify", n, len(expected))
    writer.check_capacity()
    return Written(writer, entries, msha, pdf_sha)
