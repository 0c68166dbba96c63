"""The audit cycle screen: the reviews due, running one, its findings, sign-off and approval.

For the auditor, the supervisors and the designee who approves. The window only asks: the
engine decides what each person sees (a supervisor, only their staff's entries) and refuses
what their role or the review's state does not allow, in one sentence shown here. Every call
runs on the database thread (ops.py); the report is written by the engine, which logs it first.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout, QWidget)

from app.engine.oversight.records import OUTCOMES
from app.engine.oversight.review import ReviewDetail
from app.engine.oversight.risk_rules import TITLES

from .context import AppContext
from .tables import fill, read_only_table
from .widgets import MessageLabel, plural

REVIEW_COLUMNS = ("#", "Period", "Entries of", "Status", "Reviewer", "Approved by")
ITEM_COLUMNS = ("#", "Rule", "What was seen", "Entries", "Finding", "Note")


class AuditCyclePanel(QWidget):
    def __init__(self, ctx: AppContext, choose_report: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.choose_report = choose_report or self._ask_path
        self.detail: ReviewDetail | None = None
        self._reviews: list = []                 # the reviews listed, in the table's order
        self.due_text = MessageLabel(lines=3, width=700, name="cycleDue")
        self.period = QComboBox()
        self.period.setObjectName("cyclePeriod")
        self.period.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.period.setMinimumContentsLength(22)
        self.run_button = QPushButton("Run review")
        self.run_button.setObjectName("cycleRun")
        self.run_button.clicked.connect(self.run_review)
        self.reviews = read_only_table(REVIEW_COLUMNS, "cycleReviews")
        self.reviews.itemSelectionChanged.connect(self._open_selected)
        self.items = read_only_table(ITEM_COLUMNS, "cycleItems")
        self.items.itemSelectionChanged.connect(self._show_item)
        self.entries = QPlainTextEdit()
        self.entries.setObjectName("cycleEntries")
        self.entries.setReadOnly(True)
        self.entries.setPlaceholderText("The log entries behind the selected item appear here.")
        self.summary = MessageLabel(lines=2, width=700, name="cycleSummary")
        self.outcome = QComboBox()
        self.outcome.setObjectName("cycleOutcome")
        for code, label in OUTCOMES.items():
            self.outcome.addItem(f"{code}: {label}", code)
        self.note = QLineEdit()
        self.note.setObjectName("cycleNote")
        self.note.setPlaceholderText("what was found: the case file, the explanation, the referral")
        self.record_button = QPushButton("Record finding")
        self.record_button.setObjectName("cycleRecord")
        self.record_button.clicked.connect(self.record_finding)
        self.signoff_button = QPushButton("Sign off")
        self.signoff_button.setObjectName("cycleSignoff")
        self.signoff_button.clicked.connect(self.sign_off)
        self.approve_button = QPushButton("Approve")
        self.approve_button.setObjectName("cycleApprove")
        self.approve_button.clicked.connect(self.approve)
        self.pdf_button = QPushButton("Report PDF...")
        self.pdf_button.setObjectName("cyclePdf")
        self.pdf_button.clicked.connect(lambda: self.report("pdf"))
        self.csv_button = QPushButton("Report CSV...")
        self.csv_button.setObjectName("cycleCsv")
        self.csv_button.clicked.connect(lambda: self.report("csv"))
        self.message = MessageLabel(lines=2, width=700, name="cycleMessage")
        self._layout()
        ctx.session_changed.connect(self._new_session)
        ctx.locked.connect(self.reset)
        self.reset()

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Period"))
        top.addWidget(self.period)
        top.addWidget(self.run_button)
        top.addWidget(self.due_text, 1)
        form = QGridLayout()
        form.addWidget(QLabel("Finding"), 0, 0)
        form.addWidget(self.outcome, 0, 1)
        form.addWidget(self.record_button, 0, 2)
        form.addWidget(QLabel("Note"), 1, 0)
        form.addWidget(self.note, 1, 1, 1, 2)
        form.setColumnStretch(1, 1)
        steps = QHBoxLayout()
        for b in (self.signoff_button, self.approve_button, self.pdf_button, self.csv_button):
            steps.addWidget(b)
        steps.addStretch(1)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.summary)
        column.addWidget(self.items, 3)
        column.addWidget(self.entries, 2)
        column.addLayout(form)
        column.addLayout(steps)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.reviews)
        split.addWidget(right)
        split.setSizes([430, 1090])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)

    # -- loading ------------------------------------------------------------------------------
    def reset(self) -> None:
        """A new user, a lock or a logout: nothing of the last one's reviews stays on screen."""
        self.detail = None
        self.period.clear()
        self.due_text.clear()
        self.message.clear()
        self.note.clear()
        self._reviews = []
        fill(self.reviews, [])
        self._show_detail(None)

    def _new_session(self) -> None:
        self.reset()
        if self.isVisible():
            self.refresh()

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """The schedule and the reviews on record, for whoever is signed in."""
        ws, s = self.ctx.ws, self.ctx.session
        if s is None or not (self.ctx.can("audit_review") or self.ctx.can("audit_approve")):
            return

        def shown(result) -> None:
            due, reviews = result
            self.period.clear()
            for d in due:
                self.period.addItem(d.period.label, d.period)
            waiting = [d.sentence() for d in due if d.status != "approved"]
            self.due_text.setText(" ".join(waiting[:3]) or "Every scheduled review is approved.")
            self._reviews = reviews
            fill(self.reviews, [(r.id, r.label, "everyone" if r.scope_owner is None else
                                 f"staff of {r.scope_owner}", r.status, r.reviewer, r.approver or "")
                                for r in reviews])
            if then is not None:
                then()
        self.ctx.db(lambda: (ws.reviews.due(s), ws.reviews.reviews(s)), shown,
                    self.ctx.inline(self.message.setText))

    def showEvent(self, event) -> None:   # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.detail is None and not self.reviews.rowCount():
            self.refresh()

    def _open_selected(self) -> None:
        row = self.reviews.currentRow()
        if 0 <= row < len(self._reviews):
            self.open_review(self._reviews[row].id)

    def open_review(self, review_id: int) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        self.ctx.db(lambda: ws.reviews.open(s, review_id), self._show_detail,
                    self.ctx.inline(self.message.setText))

    def _show_detail(self, detail: ReviewDetail | None) -> None:
        self.detail = detail
        self.entries.clear()
        if detail is None:
            fill(self.items, [])
            self.summary.setText("Run a review of a period, or pick one on record.")
        else:
            r = detail.review
            fill(self.items, [(i.item, TITLES.get(i.rule, i.rule), i.sentence,
                               " ".join(map(str, i.seqs[:8])) + (" ..." if len(i.seqs) > 8 else ""),
                               i.outcome or "", i.note or "") for i in detail.items])
            for col, width in enumerate((32, 170, 470, 110, 80)):
                self.items.setColumnWidth(col, width)
            left = len(detail.open_items)
            self.summary.setText(
                f"Review #{r.id} of {r.label} by {r.reviewer}: {r.status}. {plural(len(detail.items), 'item')}"
                f" ({plural(sum(i.rule == 'sample' for i in detail.items), 'sampled entry', 'sampled entries')})"
                + (f"; {left} without a finding." if left and r.status == "open" else ".")
                + (" " + " ".join(r.notes) if r.notes else ""))
        self._enable()

    def _enable(self) -> None:
        d, s = self.detail, self.ctx.session
        me = s.user.username if s is not None else ""
        can_review, can_approve = self.ctx.can("audit_review"), self.ctx.can("audit_approve")
        self.run_button.setEnabled(can_review)
        mine_open = d is not None and d.review.status == "open" and d.review.reviewer == me and can_review
        self.record_button.setEnabled(mine_open)
        self.signoff_button.setEnabled(mine_open and d is not None and not d.open_items)
        self.approve_button.setEnabled(d is not None and d.review.status == "signed" and can_approve
                                       and d.review.reviewer != me)
        self.pdf_button.setEnabled(d is not None and can_review)
        self.csv_button.setEnabled(d is not None and can_review)

    def _show_item(self) -> None:
        row = self.items.currentRow()
        if self.detail is None or not 0 <= row < len(self.detail.items):
            self.entries.clear()
            return
        item = self.detail.items[row]
        self.entries.setPlainText("\n".join(f"Entry {seq}: {self.detail.sentence(seq)}" for seq in item.seqs))
        if item.outcome:
            self.outcome.setCurrentIndex(self.outcome.findData(item.outcome))
        self.note.setText(item.note or "")

    # -- the steps ----------------------------------------------------------------------------
    def run_review(self) -> None:
        period = self.period.currentData()
        if period is None:
            self.message.setText("No period of the schedule has ended yet.")
            return
        ws, s = self.ctx.ws, self.ctx.session
        self.message.setText(f"Reviewing {period.label}...")

        def done(detail: ReviewDetail) -> None:
            self.message.setText(f"Review #{detail.review.id} of {period.label}: "
                                 f"{plural(len(detail.items), 'item')} to record a finding on.")
            self.refresh(then=lambda: self._show_detail(detail))
        self.ctx.db(lambda: ws.reviews.run(s, period), done, self.ctx.inline(self.message.setText))

    def record_finding(self) -> None:
        row = self.items.currentRow()
        if self.detail is None or not 0 <= row < len(self.detail.items):
            self.message.setText("Pick the item the finding is about.")
            return
        ws, s = self.ctx.ws, self.ctx.session
        rid, item = self.detail.review.id, self.detail.items[row].item
        outcome, note = self.outcome.currentData(), self.note.text()

        def done(_item) -> None:
            self.message.setText(f"Item {item} recorded as {outcome}.")
            self.note.clear()
            self.ctx.db(lambda: ws.reviews.open(s, rid), lambda d: self._after_finding(d, row),
                        self.ctx.inline(self.message.setText))
        self.ctx.db(lambda: ws.reviews.record_finding(s, rid, item, outcome, note), done,
                    self.ctx.inline(self.message.setText))

    def _after_finding(self, detail: ReviewDetail, row: int) -> None:
        self._show_detail(detail)
        nxt = next((n for n, i in enumerate(detail.items) if i.outcome is None), row)
        self.items.selectRow(nxt)

    def _step(self, call, said: str) -> None:
        if self.detail is None:
            return
        rid = self.detail.review.id

        def done(_review) -> None:
            self.message.setText(said.format(rid=rid))
            self.refresh(then=lambda: self.open_review(rid))
        self.ctx.db(lambda: call(rid), done, self.ctx.inline(self.message.setText))

    def sign_off(self) -> None:
        ws, s, note = self.ctx.ws, self.ctx.session, self.note.text()
        self._step(lambda rid: ws.reviews.sign_off(s, rid, note),
                   "Review #{rid} signed off; another person approves it.")

    def approve(self) -> None:
        ws, s, note = self.ctx.ws, self.ctx.session, self.note.text()
        self._step(lambda rid: ws.reviews.approve(s, rid, note), "Review #{rid} approved.")

    def report(self, kind: str) -> None:
        if self.detail is None:
            return
        path = self.choose_report(kind)
        if not path:
            return
        ws, s, rid = self.ctx.ws, self.ctx.session, self.detail.review.id
        self.ctx.db(lambda: ws.reviews.report(s, rid, Path(path)),
                    lambda p: self.message.setText(f"The report of review #{rid} was written to {p}."),
                    self.ctx.inline(self.message.setText))

    def _ask_path(self, kind: str) -> str | None:
        label = "PDF files (*.pdf)" if kind == "pdf" else "CSV files (*.csv)"
        path, _ = QFileDialog.getSaveFileName(self, "Write the review's report",
                                              str(Path.home() / f"audit-review.{kind}"), label)
        return path or None
