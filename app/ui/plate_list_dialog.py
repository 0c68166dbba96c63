"""The plate-list window: paste or load a tip sheet of up to 500 plates and see, per plate, how
often and when it was read, with its newest reads beneath.

The whole list is ONE engine call (``ws.search_list``) and one access-log entry naming every
plate; the window only collects the text and shows the groups. A bad list (too long, not text,
empty, a line that is no plate) comes back from the engine as one sentence under the text box.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)

from app.engine import plate_list, states
from app.engine.errors import EngineError
from app.engine.plate_list import PlateListQuery, PlateListResult

from .context import AppContext
from .widgets import MessageLabel

HEADERS = ("Plate / read", "Reads", "State", "Time", "Camera", "Site")


class PlateListDialog(QDialog):
    read_requested = Signal(int)

    def __init__(self, ctx: AppContext, window: Callable[[], tuple[int | None, int | None]],
                 parent=None, choose_file: Callable[[], str | None] | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.time_window = ctx, window
        self.choose_file = choose_file or self._ask_file
        self.setObjectName("plateListDialog")
        self.setWindowTitle("Plate list search")
        self.text = QPlainTextEdit()
        self.text.setObjectName("plateListText")
        self.text.setPlaceholderText("One plate per line, or a CSV whose first column is the plate "
                                     f"(at most {plate_list.MAX_PLATES}).")
        self.load_button = QPushButton("Load CSV...")
        self.load_button.clicked.connect(self.load_file)
        self.search_button = QPushButton("Search list")
        self.search_button.setObjectName("plateListSearch")
        self.search_button.clicked.connect(self.run_search)
        self.message = MessageLabel(lines=2, width=380, name="plateListMessage")
        self.message.setStyleSheet("color: #b00020;")
        self.summary = QLabel("")
        self.summary.setObjectName("plateListSummary")
        self.tree = QTreeWidget()
        self.tree.setObjectName("plateListTree")
        self.tree.setHeaderLabels(list(HEADERS))
        self.tree.setAlternatingRowColors(True)
        for col, width in enumerate((150, 60, 50, 190, 90)):
            self.tree.setColumnWidth(col, width)
        self.tree.itemActivated.connect(self._open)
        self.tree.itemClicked.connect(self._open)

        left = QVBoxLayout()
        left.addWidget(QLabel("Plates (a tip sheet, a canvass):"))
        left.addWidget(self.text, 1)
        row = QHBoxLayout()
        row.addWidget(self.load_button)
        row.addWidget(self.search_button)
        left.addLayout(row)
        left.addWidget(self.message)
        box = QSplitter(Qt.Orientation.Horizontal)
        holder = QWidget()
        holder.setLayout(left)
        box.addWidget(holder)
        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(self.tree, 1)
        results = QWidget()
        results.setLayout(right)
        box.addWidget(results)
        box.setSizes([260, 740])
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        self.resize(1100, 620)
        ctx.session_changed.connect(self.clear)

    def _ask_file(self) -> str | None:
        name, _ = QFileDialog.getOpenFileName(self, "Load a plate list", "", "CSV or text (*.csv *.txt);;All files (*)")
        return name or None

    def load_file(self) -> None:
        """A CSV from disk: checked by the engine (size, text, plates) before it is shown."""
        name = self.choose_file()
        if not name:
            return
        try:
            found = plate_list.load(name)          # type: ignore[arg-type]  # a path as text
        except (EngineError, OSError) as exc:
            self.message.setText(str(exc))
            return
        self.text.setPlainText("\n".join(found))
        self.message.clear()

    def run_search(self) -> None:
        self.message.clear()
        try:
            plates_ = plate_list.parse(self.text.toPlainText())
        except EngineError as exc:
            self.message.setText(str(exc))
            return
        start, end = self.time_window()
        ws, session = self.ctx.ws, self.ctx.session
        self.summary.setText("Searching...")
        self.ctx.db(lambda: ws.search_list(session, PlateListQuery(plates_, start, end)),
                    self.show_result, self.ctx.inline(self._refused))

    def _refused(self, text: str) -> None:
        self.summary.clear()
        self.message.setText(text)

    def show_result(self, res: PlateListResult) -> None:
        """Plates seen first (most reads first), then the plates never read."""
        self.tree.clear()
        groups = sorted(res.groups, key=lambda g: (-g.count, res.groups.index(g)))
        for g in groups:
            item = QTreeWidgetItem([g.plate, str(g.count), "", self.ctx.fmt_time(g.last_at) if g.last_at
                                    else "never read", "", ""])
            if not g.count:
                item.setForeground(0, Qt.GlobalColor.gray)
            for r in g.reads:
                child = QTreeWidgetItem([f"read {r.id}", "", states.shown(r.plate_state),
                                         self.ctx.fmt_time(r.read_at), r.camera_id, r.site])
                child.setData(0, Qt.ItemDataRole.UserRole, r.id)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
        if groups and groups[0].count:
            self.tree.topLevelItem(0).setExpanded(True)
        self.summary.setText(f"{res.seen} of {len(res.groups)} plates read; "
                             f"{len(res.read_ids)} newest reads shown (one logged search).")

    def _open(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        read_id = item.data(0, Qt.ItemDataRole.UserRole)
        if read_id is not None:
            self.read_requested.emit(int(read_id))

    def clear(self) -> None:
        """Another user: nothing of the last list or its results stays."""
        self.tree.clear()
        self.text.clear()
        self.summary.clear()
        self.message.clear()
