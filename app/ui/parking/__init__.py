"""The parking screens (issue 18) in one tab, each shown to the roles that have its function.

Mounted by the main window as ``ParkingTabs(ws, session, runner)`` when the role has any
``parking_*`` grant and the profile names parking purposes; the engine enforces it anyway.
"""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from .appeal import AppealPanel
from .common import ParkingPanel
from .occupancy import OccupancyPanel
from .reconciliation import ReconciliationPanel
from .violations import ViolationsPanel

PANELS = ((OccupancyPanel, "parking_occupancy"), (ViolationsPanel, "parking_enforce"),
          (ReconciliationPanel, "parking_revenue"), (AppealPanel, "parking_court"))
__all__ = ["ParkingTabs", "OccupancyPanel", "ViolationsPanel", "ReconciliationPanel",
           "AppealPanel", "available"]


def available(ws, session) -> bool:
    """Whether this session's role has any parking function under this profile."""
    return session is not None and any(ws.parking.may(session, action) for _cls, action in PANELS)


class ParkingTabs(QWidget):
    def __init__(self, ws, session, runner) -> None:
        super().__init__()
        self.setObjectName("parkingTabs")
        self.tabs = QTabWidget()
        self.panels: list[ParkingPanel] = []
        for cls, action in PANELS:
            if ws.parking.may(session, action):
                panel = cls(ws, session, runner)
                self.tabs.addTab(panel, cls.title)
                self.panels.append(panel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        for p in self.panels:
            p.load_facilities()

    def panel(self, cls: type[ParkingPanel]) -> ParkingPanel:
        return next(p for p in self.panels if isinstance(p, cls))

    def set_session(self, session) -> None:
        for p in self.panels:
            p.set_session(session)
