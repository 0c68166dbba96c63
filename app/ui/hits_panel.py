"""The hits queue: open hits by priority, a visible alert for new ones, dispositions.

A hit is a read whose plate is on a hotlist; someone must act on it or say why not. The
queue is a logged view, so it is loaded when the user asks; the alert polls only counts
(no plates, not logged) every few seconds, and shows a banner when new hits arrived, e.g.
from a sync. Each disposition (confirmed, misread, not actioned, with a note) is logged.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSplitter, QTableWidgetItem, QVBoxLayout, QWidget)

from .context import AppContext
from .tables import read_only_table
from .hotlist_panel import HotlistPanel
from .results_model import fmt_time

COLUMNS = ("Priority", "Plate", "Read at", "Site", "Hotlist", "Source", "Reason", "Disposition",
           "Note", "By")
DISPOSITIONS = (("confirmed", "Confirmed"), ("misread", "Misread"),
                ("not_actioned", "Not actioned"))


def hits_service(ctx: AppContext):
    """The engine's hit service, or None where this build has none."""
    try:
        return ctx.ws.hits
    except ImportError:
        return None


class HitsPanel(QWidget):
    read_requested = Signal(int)
    alert = Signal(str)

    def __init__(self, ctx: AppContext, poll_ms: int = 5000) -> None:
        super().__init__()
        self.ctx = ctx
        self.rows: list = []
        self.mark: int | None = None
        self.service = hits_service(ctx)
        self.banner = QLabel()
        self.banner.setObjectName("hitBanner")
        self.banner.setStyleSheet("background: #c62828; color: white; font-weight: bold; padding: 8px;")
        self.banner.hide()
        self.open_only = QCheckBox("Open hits only")
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(lambda _c: self.refresh())
        show = QPushButton("Show hits")
        show.setObjectName("showHits")
        show.clicked.connect(self.refresh)
        self.table = read_only_table(COLUMNS, "hitsTable")
        self.disposition = QComboBox()
        self.disposition.setObjectName("dispositionCombo")
        for code, label in DISPOSITIONS:
            self.disposition.addItem(label, code)
        self.note = QLineEdit()
        self.note.setObjectName("dispositionNote")
        self.note.setPlaceholderText("Note (required for misread or not actioned)")
        self.dispose_button = QPushButton("Record disposition")
        self.dispose_button.setObjectName("disposeButton")
        self.dispose_button.clicked.connect(self.dispose)
        open_button = QPushButton("Open read")
        open_button.clicked.connect(self.open_read)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.unavailable = QLabel("Hits are not available in this build (no hit service).")
        self.unavailable.setVisible(self.service is None)

        top = QHBoxLayout()
        top.addWidget(show)
        top.addWidget(self.open_only)
        top.addStretch(1)
        act = QHBoxLayout()
        act.addWidget(open_button)
        act.addWidget(QLabel("Disposition"))
        act.addWidget(self.disposition)
        act.addWidget(self.note, 1)
        act.addWidget(self.dispose_button)
        queue = QWidget()
        ql = QVBoxLayout(queue)
        ql.setContentsMargins(0, 0, 0, 0)
        ql.addWidget(self.banner)
        ql.addLayout(top)
        ql.addWidget(self.table, 1)
        ql.addLayout(act)
        ql.addWidget(self.message)
        self.hotlists = HotlistPanel(ctx, self.service)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(queue)
        split.addWidget(self.hotlists)
        split.setSizes([520, 360])
        layout = QVBoxLayout(self)
        layout.addWidget(self.unavailable)
        layout.addWidget(split, 1)
        split.setEnabled(self.service is not None)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """A (new) user signed in: forget what the last one saw, start the alert poll."""
        self.rows, self.mark = [], None
        self.table.setRowCount(0)
        self.banner.hide()
        self.message.clear()
        can = self.ctx.can("hotlist_view")
        self.dispose_button.setEnabled(self.ctx.can("hit_disposition"))
        self.hotlists.start()
        if self.service is not None and can:
            self.timer.start()
            self.poll()
        else:
            self.timer.stop()

    # -- alert ----------------------------------------------------------------------------------
    def poll(self) -> None:
        session, service = self.ctx.session, self.service
        if session is None or session.locked or service is None:
            return
        mark = self.mark or 0
        self.ctx.db(lambda: service.alert(session, mark), self._alerted, lambda _e: None)

    def _alerted(self, a) -> None:
        if self.mark is None:               # first poll: what is already there is not news
            self.mark = a.newest_id
            self.banner.setText(f"{a.open_hits} open hits waiting for a disposition.")
            self.banner.setVisible(a.open_hits > 0)
            return
        if a.new_since > 0:
            self.mark = a.newest_id
            text = (f"NEW HITS: {a.new_since} new (most urgent priority {a.top_priority}); "
                    f"{a.open_hits} open. Press 'Show hits'.")
            self.banner.setText(text)
            self.banner.show()
            self.alert.emit(text)

    # -- queue ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        from app.engine.hits import HitFilter
        service, s = self.service, self.ctx.session
        if service is None or s is None:
            return
        flt = HitFilter(open_only=self.open_only.isChecked())

        def shown(rows) -> None:
            self.rows = rows
            self.table.setRowCount(len(rows))
            for r, h in enumerate(rows):
                values = (h.priority, h.plate, fmt_time(h.read_at), h.site, h.hotlist, h.source,
                          h.reason, h.disposition or "OPEN", h.disposition_note or "",
                          h.disposed_by or "")
                for c, v in enumerate(values):
                    item = QTableWidgetItem(str(v))
                    if h.disposition is None and c in (0, 7):
                        item.setForeground(Qt.GlobalColor.red)
                    self.table.setItem(r, c, item)
            self.table.resizeColumnsToContents()
            self.banner.hide()
        self.ctx.db(lambda: service.queue(s, flt), shown,
                    self.ctx.inline(self.message.setText))

    def selected(self):
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def open_read(self) -> None:
        hit = self.selected()
        if hit is not None:
            self.read_requested.emit(hit.read_id)

    def dispose(self) -> None:
        hit, service, s = self.selected(), self.service, self.ctx.session
        if hit is None:
            self.message.setText("Select a hit first.")
            return
        code, note = self.disposition.currentData(), self.note.text()

        def done(row) -> None:
            self.note.clear()
            self.message.setText(f"Hit {row.id} on {row.plate}: {row.disposition} recorded.")
            self.refresh()
        self.ctx.db(lambda: service.dispose(s, hit.id, code, note), done,
                    self.ctx.inline(self.message.setText))
