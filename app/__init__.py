"""ALPR investigator workstation."""

# The program's version: ``alpr --version``, the bundle and the Debian package read it here
# (kept equal to pyproject.toml's ``version``; tests/test_version.py checks that).
__version__ = "0.1.0"
