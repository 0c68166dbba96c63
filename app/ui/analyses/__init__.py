"""The investigative-analysis panels (issue 7), each a standalone widget on ``(ws, session, runner)``.

Mounting in the main window::

    tabs = AnalysesTabs(ctx.ws, ctx.session, ctx.runner)
    tabs.read_activated.connect(detail_panel.load)          # the one read-detail view
    tabs.camera_clicked.connect(search_panel_filter_to_camera)
    ctx.session_changed.connect(lambda: tabs.set_session(ctx.session))
    ctx.purpose_changed.connect(lambda: tabs.set_session(ctx.session))

Show the tab only when ``ctx.can("analysis")``; the engine enforces it anyway.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from .camera_map import CameraMapPanel
from .clones import ClonesPanel
from .common import AnalysisPanel
from .convoy import ConvoyPanel
from .locate import LocatePanel
from .stakeout import StakeoutPanel

PANELS = (StakeoutPanel, LocatePanel, ConvoyPanel, ClonesPanel, CameraMapPanel)
__all__ = ["AnalysesTabs", "AnalysisPanel", "CameraMapPanel", "ClonesPanel", "ConvoyPanel",
           "LocatePanel", "StakeoutPanel", "PANELS"]


class AnalysesTabs(QWidget):
    """All five panels in tabs, with their signals gathered in one place."""

    read_activated = Signal(int)
    camera_clicked = Signal(str)

    def __init__(self, ws, session, runner) -> None:
        super().__init__()
        self.setObjectName("analysesTabs")
        self.tabs = QTabWidget()
        self.panels: list[AnalysisPanel] = []
        for cls in PANELS:
            panel = cls(ws, session, runner)
            panel.read_activated.connect(self.read_activated)
            self.tabs.addTab(panel, cls.title)
            self.panels.append(panel)
        self.panels[-1].camera_clicked.connect(self.camera_clicked)  # type: ignore[attr-defined]  # only the camera-map panel has it; looked up by name
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)

    def panel(self, cls: type[AnalysisPanel]) -> AnalysisPanel:
        return next(p for p in self.panels if isinstance(p, cls))

    def set_session(self, session) -> None:
        for p in self.panels:
            p.set_session(session)
