"""``alpr --version`` prints the version that pyproject.toml declares."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from app import __version__
from app.cli.main import main


def test_version_flag_matches_pyproject(capsys: pytest.CaptureFixture[str]) -> None:
    declared = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert __version__ == declared["project"]["version"]
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"alpr {__version__}"
