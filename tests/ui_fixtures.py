"""Fixtures for the GUI tests: the real window on a real encrypted store, offscreen.

The runner is the synchronous one unless a test asks for threads, so most flows need no
waiting; every flow still goes through the same widgets and engine calls as the desktop.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from app.ui.context import AppContext
from app.ui.errors import ErrorPresenter
from app.ui.main_window import MainWindow
from app.ui.ops import ImmediateRunner, Runner


def make_ctx(ws, threaded: bool = False) -> AppContext:
    runner = Runner() if threaded else ImmediateRunner()
    return AppContext(ws, runner, ErrorPresenter(interactive=False))


@pytest.fixture
def ctx(ws, qapp):
    c = make_ctx(ws)
    yield c
    c.runner.shutdown()


@pytest.fixture
def open_window(ws, qtbot, tmp_path):
    """``open_window(session, ctx=None)``: the main window signed in as ``session``."""
    made = []

    def factory(session, context: AppContext | None = None, settings_name: str = "ui.ini"):
        c = context or make_ctx(ws)
        settings = QSettings(str(tmp_path / settings_name), QSettings.Format.IniFormat)
        window = MainWindow(c, settings, choose_path=lambda _p: str(tmp_path / "audit.csv"))
        c.set_session(session)
        window.show()                   # closed below, after its background work is delivered
        made.append(window)
        return window
    yield factory
    for window in made:
        qtbot.waitUntil(lambda: window.ctx.runner.idle, timeout=10_000)
        window.close()
        qtbot.waitUntil(lambda: window.ctx.runner.idle, timeout=10_000)
        window.ctx.runner.shutdown()
        window.deleteLater()
        bugs = [text for title, text in window.ctx.presenter.shown if title == "Unexpected error"]
        assert not bugs, bugs


def log_actions(ws, since: int = 0) -> list[tuple]:
    """(seq, username, action, purpose, case_number, query, result_ids) after ``since``."""
    return ws.store.query("SELECT seq, username, action, purpose, case_number, query, result_ids "
                          "FROM access_log WHERE seq > ? ORDER BY seq", (since,))


def last_seq(ws) -> int:
    return ws.store.query_one("SELECT coalesce(max(seq), 0) FROM access_log")[0]
