"""The Alerts screen: what the user's standing alerts found, and the alerts themselves.

The queue is a logged view (one entry per case), loaded when the screen opens and again when
the poll sees new matches; the poll itself asks only for counts (no plates, not logged), so a
banner can say "new reads for your alerts" while another screen is open. Double-clicking a
found read opens it in the Search screen (a logged view of its own).
"""
from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout,
                               QWidget)
from PySide6.QtCore import Qt

from app.engine import states

from .context import AppContext
from .tables import fill, read_only_table
from .widgets import MessageLabel, announce, plural, poll_while

QUEUE_COLUMNS = ("Found", "Plate", "State", "Read at", "Site", "Camera", "Alert", "Case")
ALERT_COLUMNS = ("Alert", "Plate or pattern", "State", "Case", "Purpose", "Until", "Found", "Status", "Note")


class AlertPanel(QWidget):
    read_requested = Signal(int)
    alert = Signal(str)                 # new matches arrived (for the window's tab and toast)

    def __init__(self, ctx: AppContext, poll_ms: int = 5000) -> None:
        super().__init__()
        self.ctx = ctx
        self.matches: list = []
        self.alerts: list = []
        self.mark: int | None = None
        self.loaded = False
        self.banner = QLabel()
        self.banner.setObjectName("alertBanner")
        self.banner.setStyleSheet("background: #1565c0; color: white; font-weight: bold; padding: 8px;")
        self.banner.setWordWrap(True)
        self.banner.hide()
        refresh = QPushButton("Refresh")
        refresh.setObjectName("refreshAlerts")
        refresh.clicked.connect(self.refresh)
        self.count = QLabel()
        self.count.setObjectName("alertCount")
        self.queue = read_only_table(QUEUE_COLUMNS, "alertQueue")
        self.queue.doubleClicked.connect(self._open)
        self.table = read_only_table(ALERT_COLUMNS, "alertTable")
        self.show_ended = QCheckBox("Show ended alerts")
        self.show_ended.toggled.connect(lambda _c: self.refresh())
        self.cancel_button = QPushButton("Cancel alert")
        self.cancel_button.setObjectName("cancelAlert")
        self.cancel_button.clicked.connect(self.cancel)
        self.message = MessageLabel(lines=2, width=300, name="alertPanelMessage")

        top = QHBoxLayout()
        top.addWidget(refresh)
        top.addWidget(self.count, 1)
        found = QWidget()
        fl = QVBoxLayout(found)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(QLabel("<b>Reads found by your standing alerts</b> (double-click to open)"))
        fl.addWidget(self.queue, 1)
        mine = QWidget()
        ml = QVBoxLayout(mine)
        ml.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Your standing alerts</b> (set them with \u201cAlert me\u2026\u201d on a "
                              "search or a read)"), 1)
        head.addWidget(self.show_ended)
        head.addWidget(self.cancel_button)
        ml.addLayout(head)
        ml.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(found)
        split.addWidget(mine)
        split.setSizes([500, 260])
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """A (new) user signed in: nothing of the last one's, and the poll starts."""
        self.matches, self.alerts, self.mark, self.loaded = [], [], None, False
        for t in (self.queue, self.table):
            t.setRowCount(0)
        self.banner.hide()
        self.count.clear()
        self.message.clear()
        poll_while(self.timer, self.ctx.can("search"), self.poll)

    def stop(self) -> None:
        self.timer.stop()

    def showEvent(self, event) -> None:   # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self.loaded and self.ctx.can("search"):
            self.refresh()

    def poll(self) -> None:
        s = self.ctx.session
        if s is None or s.locked or s.ended:
            return
        ws = self.ctx.ws
        self.ctx.db(lambda: ws.alerts.pending(s), self._polled, lambda _e: None)

    def _polled(self, pending: tuple[int, int]) -> None:
        total, newest = pending
        if self.mark is None or newest <= self.mark:
            self.mark = newest if self.mark is None else self.mark
            return
        self.mark = newest
        text = (f"NEW: your standing alerts found reads ({total} in the queue). "
                + ("The queue below is up to date." if self.isVisible() else "Open the Alerts screen."))
        announce(self.banner, text, self.alert.emit)
        if self.isVisible():
            self.refresh(keep_banner=True)

    def refresh(self, keep_banner: bool = False) -> None:
        s, ws = self.ctx.session, self.ctx.ws
        if s is None or s.locked or s.ended:
            return
        self.loaded = True
        ended = self.show_ended.isChecked()

        def shown(result) -> None:
            self.matches, self.alerts = result
            fill(self.queue, [(self.ctx.fmt_time(m.found_at, seconds=False), m.read.plate,
                               states.shown(m.read.plate_state), self.ctx.fmt_time(m.read.read_at),
                               m.read.site, m.read.camera_id, f"#{m.alert_id} {m.pattern}", m.case_number)
                              for m in self.matches])
            fill(self.table, [(a.id, a.pattern, a.plate_state or "any", a.case_number, a.purpose,
                               self.ctx.fmt_time(a.expires_at, seconds=False), a.matches,
                               "live" if a.live else f"ended: {a.end_reason}", a.note) for a in self.alerts])
            live = sum(1 for a in self.alerts if a.live)
            self.count.setText(f"{plural(len(self.matches), 'read')} found; {plural(live, 'live alert')}.")
            if not keep_banner:
                self.banner.hide()
        self.ctx.db(lambda: (ws.alerts.queue(s), ws.alerts.mine(s, ended)), shown,
                    self.ctx.inline(self.message.setText))

    def _open(self, index) -> None:
        if 0 <= index.row() < len(self.matches):
            self.read_requested.emit(self.matches[index.row()].read.id)

    def cancel(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.alerts):
            self.message.setText("Select one of your alerts first.")
            return
        alert, s, ws = self.alerts[rows[0].row()], self.ctx.session, self.ctx.ws

        def done(a) -> None:
            self.message.setText(f"Alert #{a.id} on {a.pattern} cancelled.")
            self.refresh()
        self.ctx.db(lambda: ws.alerts.cancel(s, alert.id), done, self.ctx.inline(self.message.setText))
