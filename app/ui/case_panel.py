"""The Cases screen: the user's cases on the left, the one opened on the right with its work.

Opening a case is a logged view (``ws.cases.show``); the panel shows its facts, notes,
bookmarked reads, holds and the access-log entries made under its number, and offers what a
member may do: add a note, use the case in the purpose bar, print its summary; its owner may
add members and close it. Every button is one engine call; refusals appear under the buttons.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QInputDialog, QLabel,
                               QLineEdit, QPushButton, QSplitter, QVBoxLayout, QWidget)

from app.engine import states, timefmt
from app.engine.audit import describe
from app.engine.cases import Case, CaseView

from .context import AppContext
from .tables import fill, read_only_table
from .widgets import MessageLabel


class NewCaseDialog(QDialog):
    """Number (in the profile's format), purpose and title of a new case."""

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open a case")
        profile = ctx.ws.profile
        self.number = QLineEdit()
        self.number.setObjectName("newCaseNumber")
        self.number.setPlaceholderText(profile.case_number_hint.split(" (")[0])
        self.purpose = QComboBox()
        for p in profile.purposes:
            self.purpose.addItem(f"{p.code}: {p.label}", p.code)
        self.title = QLineEdit()
        self.title.setObjectName("newCaseTitle")
        self.members = QLineEdit()
        self.members.setPlaceholderText("user names, separated by commas")
        form = QFormLayout(self)
        form.addRow("Case number", self.number)
        form.addRow("Purpose", self.purpose)
        form.addRow("Title", self.title)
        form.addRow("Members", self.members)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, str, tuple[str, ...]]:
        names = tuple(m.strip() for m in self.members.text().split(",") if m.strip())
        return self.number.text(), self.purpose.currentData(), self.title.text(), names


class CasePanel(QWidget):
    case_declared = Signal()            # "Use this case": the purpose bar now names it

    def __init__(self, ctx: AppContext, ask_text: Callable[[str, str], str | None] | None = None,
                 choose_path: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.ask_text = ask_text or self._ask_text
        self.choose_path = choose_path or self._choose_path
        self.cases: list[Case] = []
        self.view: CaseView | None = None
        self.list = read_only_table(("Case", "Status", "Purpose", "Title"), "casesTable")
        self.list.itemSelectionChanged.connect(self._picked)
        self.show_closed = QCheckBox("Show closed cases")
        self.show_closed.toggled.connect(lambda _on: self.reload())
        self.new_button = QPushButton("New case...")
        self.new_button.setObjectName("newCaseButton")
        self.new_button.clicked.connect(self.new_case)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.show_closed)
        left.addWidget(self.new_button)

        self.title = QLabel("Open a case from the list.")
        self.title.setObjectName("caseTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.facts = QLabel("")
        self.facts.setObjectName("caseFacts")
        self.facts.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot in (("use", "Use for searches", self.use_case), ("note", "Add note...", self.add_note),
                                ("member", "Add member...", self.add_member),
                                ("print", "Print summary...", self.print_summary),
                                ("close", "Close case...", self.close_case)):
            b = self.buttons[key] = QPushButton(text)
            b.setObjectName(f"case_{key}")
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        self.message = MessageLabel(lines=2, width=500, name="caseMessage")
        self.notes = read_only_table(("Time", "Author", "Note"), "caseNotes")
        self.bookmarks = read_only_table(("Read", "Plate", "State", "Time", "Camera", "Note"), "caseBookmarks")
        self.holds = read_only_table(("Hold", "Kind", "Reads", "Placed", "Reason"), "caseHolds")
        self.work = read_only_table(("Entry", "Time", "What happened"), "caseWork")
        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.facts)
        right.addLayout(row)
        right.addWidget(self.message)
        parts = QSplitter(Qt.Orientation.Vertical)       # collapsible: no minimum height to impose
        for title, table in (("Notes", self.notes), ("Bookmarked reads", self.bookmarks),
                             ("Holds", self.holds), ("Work under this case", self.work)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(table)
            parts.addWidget(box)
        parts.setSizes([140, 160, 90, 260])
        right.addWidget(parts, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        for layout in (left, right):
            w = QWidget()
            w.setLayout(layout)
            split.addWidget(w)
        split.setSizes([520, 1040])
        QVBoxLayout(self).addWidget(split)
        self.setMinimumSize(600, 300)       # its tables shrink: the window's smallest size stays
        ctx.session_changed.connect(self.reload)
        self._enable()

    # -- the list -------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        """The user's cases from the engine; ``select`` opens one of them."""
        self.view = None
        self._show()
        if self.ctx.session is None or not self.ctx.can("search"):
            self.cases = []
            fill(self.list, [])
            return
        ws, s, closed = self.ctx.ws, self.ctx.session, self.show_closed.isChecked()

        def listed(cases: list[Case]) -> None:
            self.cases = cases
            self.list.blockSignals(True)
            fill(self.list, [(c.number, c.status, c.purpose, c.title) for c in cases])
            self.list.blockSignals(False)
            if select:
                self.open_case(select)
        self.ctx.db(lambda: ws.cases.mine(s, include_closed=closed), listed, self.ctx.inline(self.message.setText))

    def _picked(self) -> None:
        rows = self.list.selectionModel().selectedRows()
        if rows:
            self.open_case(self.cases[rows[0].row()].number)

    def open_case(self, number: str) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        self.message.clear()
        self.ctx.db(lambda: ws.cases.show(s, number), self._loaded, self.ctx.inline(self.message.setText))

    def _loaded(self, view: CaseView) -> None:
        self.view = view
        index = next((i for i, c in enumerate(self.cases) if c.number == view.case.number), -1)
        if index >= 0:
            self.list.blockSignals(True)
            self.list.selectRow(index)
            self.list.blockSignals(False)
        self._show()

    # -- showing --------------------------------------------------------------------------------
    def _show(self) -> None:
        v, t = self.view, self.ctx.fmt_time
        if v is None:
            self.title.setText("Open a case from the list.")
            self.facts.clear()
            for table in (self.notes, self.bookmarks, self.holds, self.work):
                fill(table, [])
            self._enable()
            return
        c = v.case
        self.title.setText(f"{c.number} - {c.title}")
        status = "open" if c.is_open else f"closed {t(c.closed_at)} by {c.closed_by}: {c.close_reason}"
        self.facts.setText(f"Purpose {c.purpose} · owner {c.owner} · members {', '.join(c.members)} · "
                           f"opened {t(c.opened_at)} · {status} · {len(v.work)} log "
                           f"entr{'y' if len(v.work) == 1 else 'ies'}")
        fill(self.notes, [(t(n.created_at), n.author, n.text) for n in v.notes])
        fill(self.bookmarks, [(b.read_id, b.read.plate, states.shown(b.read.plate_state), t(b.read.read_at),
                               b.read.camera_id, b.note) if b.read else (b.read_id, "(purged)", "", "", "", b.note)
                              for b in v.bookmarks])
        fill(self.holds, [(h.id, h.kind, h.reads, f"{t(h.placed_at)} by {h.placed_by}", h.reason)
                          for h in v.holds])
        tz = self.ctx.tz
        fill(self.work, [(e.seq, timefmt.fmt_iso_utc(e.ts, tz), describe(e)) for e in v.work])
        self._enable()

    def _enable(self) -> None:
        v, s = self.view, self.ctx.session
        member_open = v is not None and v.case.is_open
        owner = member_open and s is not None and v is not None and v.case.owner == s.user.username
        for key, on in (("use", member_open), ("note", member_open), ("member", owner),
                        ("close", owner), ("print", v is not None and self.ctx.can("print"))):
            self.buttons[key].setEnabled(bool(on))

    # -- actions --------------------------------------------------------------------------------
    def _ask_text(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label)
        return text if ok else None

    def _choose_path(self, suggested: str) -> str | None:
        name, _ = QFileDialog.getSaveFileName(self, "Print the case summary", suggested, "PDF (*.pdf)")
        return name or None

    def _then_reopen(self, number: str):
        return lambda _r: self.reload(select=number)

    def new_case(self) -> None:
        dialog = NewCaseDialog(self.ctx, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.open_new(*dialog.values())

    def open_new(self, number: str, purpose: str, title: str, members: tuple[str, ...] = ()) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        self.ctx.db(lambda: ws.cases.open(s, number, purpose, title, members),
                    lambda c: self.reload(select=c.number), self.ctx.inline(self.message.setText))

    def use_case(self) -> None:
        """Declare this case (and its purpose) for the searches that follow."""
        if self.view is None:
            return
        ws, s, c = self.ctx.ws, self.ctx.session, self.view.case
        self.ctx.db(lambda: ws.set_purpose(s, c.purpose, c.number), self._declared,
                    self.ctx.inline(self.message.setText))

    def _declared(self, _result) -> None:
        self.ctx.purpose_changed.emit()
        self.case_declared.emit()

    def _ask_then(self, title: str, label: str, call) -> None:
        """Ask one line of text, then ``call(ws.cases, session, number, text)`` and reopen."""
        text = self.ask_text(title, label) if self.view is not None else None
        if text is None or self.view is None:
            return
        ws, s, n = self.ctx.ws, self.ctx.session, self.view.case.number
        self.ctx.db(lambda: call(ws.cases, s, n, text), self._then_reopen(n),
                    self.ctx.inline(self.message.setText))

    def add_note(self) -> None:
        self._ask_then("Add a note", "Note for the case record:", lambda c, *a: c.note(*a))

    def add_member(self) -> None:
        self._ask_then("Add a member", "User name of the colleague:", lambda c, *a: c.add_member(*a))

    def close_case(self) -> None:
        self._ask_then("Close the case", "Why is the case closed?", lambda c, *a: c.close(*a))

    def print_summary(self) -> None:
        if self.view is None:
            return
        n = self.view.case.number
        path = self.choose_path(f"case-{n}.pdf")
        if not path:
            return
        ws, s = self.ctx.ws, self.ctx.session
        self.ctx.db(lambda: ws.cases.summary_pdf(s, n, path),
                    lambda p: self.message.setText(f"Printed to {p} (logged)."),
                    self.ctx.inline(self.message.setText))
