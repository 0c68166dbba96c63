"""The hits queue: open hits by priority, the read beside it, a visible alert, dispositions.

A hit is a read whose plate is on a hotlist; someone must act on it or say why not. The
queue is a logged view, loaded when the user opens the Hits screen (and again when new hits
arrive while it is open); the alert polls only counts (no plates, not logged) every few
seconds and shows a banner when new hits arrived, e.g. from a sync. Selecting a hit opens
its read beside the queue (a logged view), so the photo can be compared with the hotlist
entry without leaving the queue. Each disposition (the profile's list, each with its note
rule) is logged; the choice is cleared after each one, so it never carries over to the next.
Who hears hit notifications (``notify.py``) is set here too: all hotlists, or only the most
urgent, a setting the engine keeps per user.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .context import AppContext
from .detail import ReadDetailPanel
from .hotlist_panel import HotlistPanel
from .tables import read_only_table
from .widgets import MessageLabel, announce, plural

COLUMNS = ("Priority", "Plate", "Read at", "Site", "Hotlist", "Source", "Reason", "Disposition",
           "Note", "By", "State")
STATE_COLUMN = 10


def disposition_words(ctx: AppContext, code: str | None) -> str:
    """The profile's label of a disposition (one recorded under an older list: its code in words)."""
    if code is None:
        return "Open"
    labels = {d.code: d.label for d in ctx.ws.profile.dispositions}
    return labels.get(code, code.replace("_", " ").capitalize())


def hits_service(ctx: AppContext):
    """The engine's hit service, or None where this build has none."""
    try:
        return ctx.ws.hits
    except ImportError:
        return None


class HitsPanel(QWidget):
    read_requested = Signal(int)        # open the read in the Search screen (kept for callers)
    alert = Signal(str)

    def __init__(self, ctx: AppContext, poll_ms: int = 5000) -> None:
        super().__init__()
        self.ctx = ctx
        self.rows: list = []
        self.mark: int | None = None
        self.loaded = False             # the queue was loaded for this session
        self.service = hits_service(ctx)
        self.banner = QLabel()
        self.banner.setObjectName("hitBanner")
        self.banner.setStyleSheet("background: #c62828; color: white; font-weight: bold; padding: 8px;")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.open_only = QCheckBox("Open hits only")
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(lambda _c: self.refresh())
        show = QPushButton("Refresh")
        show.setObjectName("showHits")
        show.setToolTip("Load the queue again (it loads when the screen opens and when new "
                        "hits arrive).")
        show.clicked.connect(self.refresh)
        self.count = QLabel()
        self.count.setObjectName("hitCount")
        self.table = read_only_table(COLUMNS, "hitsTable")
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.disposition = QComboBox()
        self.disposition.setObjectName("dispositionCombo")
        self.disposition.addItem("- choose -", None)
        for d in ctx.ws.profile.dispositions:
            self.disposition.addItem(d.label + (" (note required)" if d.note_required else ""), d.code)
        self.note = QLineEdit()
        self.note.setObjectName("dispositionNote")
        self.note.setPlaceholderText("Note (what was done, or why not)")
        self.only_highest = QCheckBox("Notify me only for priority 1 hotlists")
        self.only_highest.setObjectName("onlyHighest")
        self.only_highest.setToolTip("Mute desktop notifications of hits on less urgent hotlists "
                                     "(kept with your account in the store).")
        self.only_highest.toggled.connect(self._mute)
        self.dispose_button = QPushButton("Record disposition")
        self.dispose_button.setObjectName("disposeButton")
        self.dispose_button.clicked.connect(self.dispose)
        self.note.returnPressed.connect(self.dispose)
        self.message = MessageLabel(lines=2, width=300, name="message")
        self.unavailable = QLabel("Hits are not available in this build (no hit service).")
        self.unavailable.setVisible(self.service is None)

        # the read of the selected hit, beside the queue
        self.read = ReadDetailPanel(ctx, "hitRead")
        self.read_message = MessageLabel(lines=2, width=300, name="hitReadMessage")
        self.read_message.setStyleSheet("color: #b00020;")
        self.read.failure = ctx.inline(self.read_message.setText)

        top = QHBoxLayout()
        top.addWidget(show)
        top.addWidget(self.open_only)
        top.addWidget(self.count, 1)
        top.addWidget(self.only_highest)
        disp_label = QLabel("&Disposition")
        disp_label.setBuddy(self.disposition)
        act = QHBoxLayout()
        act.addWidget(disp_label)
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
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(queue)
        left.addWidget(self.hotlists)
        left.setSizes([520, 300])
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.read_message)
        rl.addWidget(self.read, 1)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setObjectName("hitsSplitter")
        self.split.addWidget(left)
        self.split.addWidget(right)
        self.split.setSizes([700, 560])
        layout = QVBoxLayout(self)
        layout.addWidget(self.unavailable)
        layout.addWidget(self.split, 1)
        self.split.setEnabled(self.service is not None)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """A (new) user signed in: forget what the last one saw, start the alert poll."""
        self.reset()
        can = self.ctx.can("hotlist_view")
        self.dispose_button.setEnabled(self.ctx.can("hit_disposition"))
        self.hotlists.start()
        if self.service is not None and can:
            self.timer.start()
            self.poll()
            s, ws = self.ctx.session, self.ctx.ws
            self.ctx.db(lambda: ws.alerts.only_highest(s), self._muted, lambda _e: None)
        else:
            self.timer.stop()

    def reset(self) -> None:
        """Nothing of the last session: no rows, read, choice, note or message."""
        self.rows, self.mark, self.loaded = [], None, False
        self.table.setRowCount(0)
        self.banner.hide()
        self.count.clear()
        self.message.clear()
        self.read_message.clear()
        self.note.clear()
        self.disposition.setCurrentIndex(0)
        self.open_only.blockSignals(True)
        self.open_only.setChecked(True)
        self.open_only.blockSignals(False)
        self.read.clear()
        self.hotlists.reset()
        self._muted(False)

    def stop(self) -> None:
        self.timer.stop()

    def _muted(self, on: bool) -> None:
        self.only_highest.blockSignals(True)
        self.only_highest.setChecked(on)
        self.only_highest.blockSignals(False)

    def _mute(self, on: bool) -> None:
        s, ws = self.ctx.session, self.ctx.ws
        if s is None:
            return
        self.ctx.db(lambda: ws.alerts.set_only_highest(s, on), None, self.ctx.inline(self.message.setText))

    def showEvent(self, event) -> None:   # noqa: N802 - Qt's name
        """Opening the screen loads the queue (a logged view), once per session."""
        super().showEvent(event)
        if not self.loaded and self.ctx.can("hotlist_view"):
            self.refresh()

    # -- alert ----------------------------------------------------------------------------------
    def poll(self) -> None:
        session, service = self.ctx.session, self.service
        if session is None or session.locked or session.ended or service is None:
            return

        def failed(exc: BaseException) -> None:
            if self.ctx.session_ended(exc):
                self.ctx.presenter(exc)         # back to the sign-in screen
        mark = self.mark or 0
        self.ctx.db(lambda: service.alert(session, mark), self._alerted, failed)

    def _alerted(self, a) -> None:
        if self.mark is None:               # first poll: what is already there is not news
            self.mark = a.newest_id
            self.banner.setText(f"{plural(a.open_hits, 'open hit')} waiting for a disposition.")
            self.banner.setVisible(a.open_hits > 0 and not self.loaded)
            return
        if a.new_since > 0:
            self.mark = a.newest_id
            where = ("The queue below is up to date." if self.isVisible()
                     else "Open the Hits screen to see them.")
            text = (f"NEW HITS: {a.new_since} new (most urgent priority {a.top_priority}); "
                    f"{a.open_hits} open. {where}")
            announce(self.banner, text, self.alert.emit)
            if self.isVisible():
                self.refresh(keep_banner=True)

    # -- queue ----------------------------------------------------------------------------------
    def refresh(self, keep_banner: bool = False) -> None:
        from app.engine.hits import HitFilter
        service, s = self.service, self.ctx.session
        if service is None or s is None or s.locked or s.ended:
            return
        flt = HitFilter(open_only=self.open_only.isChecked())
        keep = self.selected()
        self.loaded = True

        def shown(rows) -> None:
            self.rows = rows
            self.table.blockSignals(True)
            self.table.clearSelection()
            self.table.setRowCount(len(rows))
            for r, h in enumerate(rows):
                values = (h.priority, h.plate, self.ctx.fmt_time(h.read_at), h.site, h.hotlist,
                          h.source, h.reason, disposition_words(self.ctx, h.disposition),
                          h.disposition_note or "", h.disposed_by or "", h.state_text)
                for c, v in enumerate(values):
                    item = QTableWidgetItem(str(v))
                    if (h.disposition is None and c in (0, 7)) or (c == STATE_COLUMN and h.state_unknown):
                        item.setForeground(Qt.GlobalColor.red)
                    self.table.setItem(r, c, item)
            self.table.setHorizontalHeaderItem(2, QTableWidgetItem(f"Read at ({self.ctx.zone_name})"))
            self.table.resizeColumnsToContents()
            self.table.blockSignals(False)
            n_open = sum(1 for h in rows if h.disposition is None)
            self.count.setText(f"{plural(len(rows), 'hit')} shown, {n_open} open.")
            if not keep_banner:
                self.banner.hide()
            again = [i for i, h in enumerate(rows) if keep is not None and h.id == keep.id]
            if again:
                self.table.blockSignals(True)
                self.table.selectRow(again[0])
                self.table.blockSignals(False)
            elif keep is not None:
                self.read.clear()
        self.ctx.db(lambda: service.queue(s, flt), shown,
                    self.ctx.inline(self.message.setText))

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else -1
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _selection_changed(self) -> None:
        """Another hit: a fresh choice and note, and its read beside the queue."""
        self.disposition.setCurrentIndex(0)
        self.note.clear()
        self.read_message.clear()
        self.open_read()

    def open_read(self) -> None:
        """Show the selected hit's read beside the queue (a logged view)."""
        hit = self.selected()
        if hit is not None and self.ctx.can("view"):
            self.read.load(hit.read_id)

    def dispose(self) -> None:
        hit, service, s = self.selected(), self.service, self.ctx.session
        if hit is None:
            self.message.setText("Select a hit first.")
            return
        code, note = self.disposition.currentData(), self.note.text()
        if code is None:
            self.message.setText("Choose a disposition from the list.")
            self.disposition.setFocus()
            return

        def done(row) -> None:
            self.note.clear()
            self.disposition.setCurrentIndex(0)
            self.message.setText(f"Hit {row.id} on {row.plate}: "
                                 f"{disposition_words(self.ctx, row.disposition).lower()} recorded.")
            self.refresh()
        self.ctx.db(lambda: service.dispose(s, hit.id, code, note), done,
                    self.ctx.inline(self.message.setText))
