"""The engine is a plain library: importing all of it never pulls in Qt or the UI."""
from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_engine_imports_no_qt():
    import app.engine
    names = [f"app.engine.{m.name}" for m in pkgutil.walk_packages(app.engine.__path__)
             if not m.name.startswith("migrations")]
    code = ("import importlib, sys\n"
            f"for n in {names!r}:\n    importlib.import_module(n)\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'app.ui'))]\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
