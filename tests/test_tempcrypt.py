"""The VFS that encrypts SQLite's temporary files (app/engine/tempcrypt.c), driven below SQLite.

SQLite itself writes its temporary files in a few regular patterns (sorted runs written once,
pages of a temp database); the model run here also writes across block edges, past the end
(leaving gaps that must read as zeros), truncates down and up, and reads past the end, and
compares every read with a plain copy. It runs with AddressSanitizer and UBSan, and checks
that the bytes on disk are not the bytes written, that a block written again after a
truncation gets a new keystream, and that a write the disk refused leaves the file refusing
reads rather than returning wrong bytes (a VFS below fails writes on demand). The store-level attacks (an insider reading
the files of a running sort) are in test_store.py and test_sync_core.py.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> tuple[Path, Path]:
    """The extension and the model program, built with the sanitizers."""
    cc = shutil.which("gcc") or shutil.which("cc")
    assert cc, "no C compiler: scripts/setup installs gcc"
    out = tmp_path_factory.mktemp("tempcrypt")
    flags = ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
             "-fno-sanitize-recover=undefined", "-Wall", "-Wextra", "-Werror"]
    ext, prog = out / "tempcrypt.so", out / "model"
    subprocess.run([cc, *flags, "-shared", "-fPIC", str(ROOT / "app/engine/tempcrypt.c"), "-lcrypto",
                    "-o", str(ext)], check=True)
    subprocess.run([cc, *flags, str(ROOT / "tests/tempcrypt_model.c"), "-lsqlite3", "-o", str(prog)],
                   check=True)
    return ext, prog


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_writes_reads_and_truncations_read_back_exactly_and_are_not_on_disk(model, seed):
    ext, prog = model
    run = subprocess.run([str(prog), str(ext), str(seed), "20000"], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("ok ") and "0 truncates" not in run.stdout


MUTANTS = {
    # no encryption at all
    "plaintext on disk": ("    if (EVP_EncryptUpdate(f->ctx, p, &len, p, n) != 1 || len != n) return SQLITE_IOERR;\n",
                          "    (void)len;\n"),
    # a truncation restarts the blocks' generations: the next write reuses a keystream
    "keystream reused after a truncation": ("f->gen[b] &= ~LIVE;", "f->gen[b] = 0;"),
    # a failed write is forgotten: the block's bytes are then decrypted under the wrong keystream
    "wrong bytes after a failed write": ("        f->broken = 1;\n", "        (void)0;\n"),
}


@pytest.mark.parametrize("caught", sorted(MUTANTS))
def test_the_model_catches_a_vfs_that_leaks_or_misreads(model, tmp_path, caught):
    """Controls: a copy of the VFS with one defence taken out fails the model, with its reason."""
    ext, prog = model
    source = (ROOT / "app/engine/tempcrypt.c").read_text()
    old, new = MUTANTS[caught]
    mutant = source.replace(old, new)
    assert mutant != source
    (tmp_path / "mutant.c").write_text(mutant)
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", str(tmp_path / "mutant.c"), "-lcrypto",
                    "-o", str(tmp_path / "mutant.so")], check=True)
    run = subprocess.run([str(prog), str(tmp_path / "mutant.so"), "1", "5000"], capture_output=True,
                         text=True, timeout=300, env={"ASAN_OPTIONS": "detect_leaks=0"})
    assert run.returncode == 1 and caught in run.stderr, run.stderr[-2000:]
