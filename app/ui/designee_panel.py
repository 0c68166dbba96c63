"""The designee's screen: release requests, the agency register, written permissions, breaches.

Release requests (Calabasas, "Releasing ALPR data"): staff enter an agency's written request,
picking the agency from the register; the designee reviews it with its four elements (agency,
person requesting, intended purpose, description of the information) and its scope, and
approves or denies it with a reason. The engine refuses an approval by the person who entered
the request and anything the law bars; the screen shows its sentence. The other parts are in
``designee_records.py``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QTabWidget, QVBoxLayout, QWidget)

from app.engine.evidence import ReleaseRequest, ReleaseRequestForm

from .context import AppContext
from .designee_records import AgencyTab, BreachTab, PermitsTab, Say, numbers, stacked, words
from .tables import fill, read_only_table
from .widgets import ZoneDateTimeEdit

REQUEST_COLUMNS = ("#", "Agency", "Person requesting", "Received", "Status", "Entered by", "Decided by")


class RequestsTab(Say):
    """Enter a written request; review one with its four elements; approve or deny it."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        now = ctx.ws.clock()
        self.requests: list[ReleaseRequest] = []
        self.table = read_only_table(REQUEST_COLUMNS, "requestsTable")
        self.table.itemSelectionChanged.connect(self.show_selected)
        self.review = QLabel("Select a request to review it.")
        self.review.setObjectName("requestReview")
        self.review.setWordWrap(True)
        self.review.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.note = QLineEdit()
        self.note.setObjectName("decisionNote")
        self.note.setPlaceholderText("Reason for the decision (kept with the request)")
        self.approve_button = QPushButton("Approve")
        self.approve_button.setObjectName("approveRequest")
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.deny_button = QPushButton("Deny")
        self.deny_button.setObjectName("denyRequest")
        self.deny_button.clicked.connect(lambda: self.decide(False))
        self.agency = QComboBox()
        self.agency.setObjectName("requestAgency")
        self.requester, self.purpose, self.description = QLineEdit(), QLineEdit(), QLineEdit()
        self.their_case, self.received = QLineEdit(), QLineEdit()
        self.plates, self.reads, self.cameras = QLineEdit(), QLineEdit(), QLineEdit()
        for field, name, hint in ((self.requester, "requestRequester", "Det. R. Alvarez"),
                                  (self.purpose, "requestPurpose", "their intended purpose"),
                                  (self.description, "requestDescription", "the information asked for"),
                                  (self.their_case, "requestCase", "their case number"),
                                  (self.received, "requestReceived", "YYYY-MM-DD"),
                                  (self.plates, "requestPlates", "plates, separated by commas"),
                                  (self.reads, "requestReads", "read ids, separated by commas"),
                                  (self.cameras, "requestCameras", "camera ids (empty: any camera)")):
            field.setObjectName(name)
            field.setPlaceholderText(hint)
        self.since = ZoneDateTimeEdit(ctx.tz, now - 7 * 86400, "requestSince")
        self.until = ZoneDateTimeEdit(ctx.tz, now, "requestUntil")
        self.enter_button = QPushButton("Put the request on file")
        self.enter_button.setObjectName("enterRequest")
        self.enter_button.clicked.connect(self.enter)
        form = QFormLayout()
        for label, w in (("Agency (from the register)", self.agency), ("Person requesting", self.requester),
                         ("Intended purpose", self.purpose), ("Description", self.description),
                         ("Their case number", self.their_case), ("Received on", self.received),
                         ("Plates", self.plates), ("Read ids", self.reads), ("Cameras", self.cameras),
                         ("Period from", self.since), ("Period until", self.until)):
            form.addRow(label, w)
        form.addRow(self.enter_button)
        entry = QGroupBox("Enter a written request")
        entry.setLayout(form)
        decide = QHBoxLayout()
        decide.addWidget(self.note, 1)
        decide.addWidget(self.approve_button)
        decide.addWidget(self.deny_button)
        review = QGroupBox("Review")
        rl = QVBoxLayout(review)
        rl.addWidget(self.review, 1)
        rl.addLayout(decide)
        self._layout(stacked(self.table, review), entry)

    def refresh(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session

        def shown(result) -> None:
            self.requests, agencies = result
            fill(self.table, [(r.id, r.agency, r.requester, r.received_on, r.status, r.entered_by,
                               r.decided_by or "-") for r in self.requests])
            self.agency.clear()
            for a in agencies:
                self.agency.addItem(f"{a.name} ({a.agency_type.replace('_', ' ')}, {a.state})", a.id)
            self.show_selected()
        self.ctx.db(lambda: (ws.evidence.list_releases(s), ws.agencies.entries(s)), shown, self.failed())

    def selected(self) -> ReleaseRequest | None:
        row = self.table.currentRow()
        return self.requests[row] if 0 <= row < len(self.requests) else None

    def select(self, request_id: int) -> None:
        for row, r in enumerate(self.requests):
            if r.id == request_id:
                self.table.selectRow(row)

    def show_selected(self) -> None:
        r = self.selected()
        can = self.ctx.can("release_approve")
        self.approve_button.setEnabled(bool(r and r.status == "pending" and can))
        self.deny_button.setEnabled(bool(r and r.status == "pending" and can))
        if r is None:
            self.review.setText("Select a request to review it.")
            return
        rows = [("1. Agency", f"{r.agency} ({r.agency_type.replace('_', ' ')}; register entry "
                              f"#{r.agency_id})"),
                ("2. Person requesting", r.requester), ("3. Intended purpose", r.purpose),
                ("4. Description", r.description), ("Their case", r.case_number),
                ("Received", r.received_on), ("Scope", r.scope_text()),
                ("Entered by", r.entered_by), ("Status", r.status + (f" by {r.decided_by}: "
                                                                     f"{r.decision_note}"
                                                                     if r.decided_by else ""))]
        self.review.setText("".join(f"<b>{k}:</b> {words(v)}<br>" for k, v in rows))

    def enter(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        form = ReleaseRequestForm(self.agency.currentData(), self.requester.text(), self.purpose.text(),
                                  self.description.text(), self.their_case.text(), self.received.text(),
                                  plates=tuple(p.strip() for p in self.plates.text().split(",") if p.strip()),
                                  read_ids=numbers(self.reads.text()),
                                  start=self.since.timestamp(), end=self.until.timestamp(),
                                  camera_ids=tuple(c.strip() for c in self.cameras.text().split(",")
                                                   if c.strip()))

        def done(r: ReleaseRequest) -> None:
            self.say(f"Request #{r.id} of {r.agency} is on file; another person, the "
                     f"{ws.profile.designee_title}, decides it.")
            self.refresh()
            self.select(r.id)
        self.ctx.db(lambda: ws.evidence.request_release(s, form), done, self.failed())

    def decide(self, approve: bool) -> None:
        r = self.selected()
        if r is None:
            return
        ws, s, note = self.ctx.ws, self.ctx.session, self.note.text()

        def done(d: ReleaseRequest) -> None:
            self.note.clear()
            self.say(f"Request #{d.id} {d.status}.")
            self.refresh()
            self.select(d.id)
        self.ctx.db(lambda: ws.evidence.decide_release(s, r.id, approve, note), done, self.failed())


class DesigneePanel(QWidget):
    """The tabs this role may use, loaded when the screen starts."""

    def __init__(self, ctx: AppContext, choose_folder=None) -> None:
        super().__init__()
        self.ctx = ctx
        self.requests = RequestsTab(ctx)
        self.agencies = AgencyTab(ctx)
        self.permits = PermitsTab(ctx)
        self.breach = BreachTab(ctx, choose_folder)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("designeeTabs")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    @staticmethod
    def wanted(ctx: AppContext) -> bool:
        return any(ctx.can(g) for g in ("release_request", "release_approve", "agency_register",
                                        "permission_grant", "breach_record"))

    def start(self) -> None:
        self.tabs.clear()
        parts = ((self.requests, "Release requests", ("release_request", "release_approve")),
                 (self.agencies, "Agency register", ("agency_register",)),
                 (self.permits, "Written permissions", ("permission_grant",)),
                 (self.breach, "Breach notices", ("breach_record",)))
        for tab, title, grants in parts:
            if any(self.ctx.can(g) for g in grants):
                self.tabs.addTab(tab, title)
                tab.refresh()

    def reset(self) -> None:
        for tab in (self.requests, self.agencies, self.permits, self.breach):
            tab.reset()
