"""The VFS that encrypts SQLite's temporary files (app/engine/tempcrypt.c), driven below SQLite.

SQLite itself writes its temporary files in a few regular patterns (sorted runs written once,
pages of a temp database); the model run here also writes across block edges, past the end
(leaving gaps that must read as zeros), truncates down and up, and reads past the end, and
compares every read with a plain copy. It runs with AddressSanitizer and UBSan, and checks
that the bytes on disk are not the bytes written. The store-level attacks (an insider reading
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


def test_the_model_catches_a_file_left_in_the_clear(model, tmp_path):
    """Control: the same model against a copy of the VFS that does not encrypt fails."""
    ext, prog = model
    source = (ROOT / "app/engine/tempcrypt.c").read_text()
    clear = source.replace("    if (EVP_EncryptUpdate(f->ctx, p, &len, p, n) != 1 || len != n) return SQLITE_IOERR;\n",
                           "    (void)len;\n")
    assert clear != source
    (tmp_path / "clear.c").write_text(clear)
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", str(tmp_path / "clear.c"), "-lcrypto",
                    "-o", str(tmp_path / "clear.so")], check=True)
    run = subprocess.run([str(prog), str(tmp_path / "clear.so"), "1", "5000"], capture_output=True,
                         text=True, timeout=300, env={"ASAN_OPTIONS": "detect_leaks=0"})
    assert run.returncode == 1 and "plaintext on disk" in run.stderr
