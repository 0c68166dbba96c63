"""The designee's records: the agency register, written permissions, breach incidents and notices.

Each tab is a list from the engine and a form; every change goes through the engine, which
checks the grant, refuses what the law or the policy bars (an out-of-state agency, a notice
taken down before its 30 days) with a sentence shown here, and logs the change.
"""
from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLineEdit, QPushButton, QTableWidget, QVBoxLayout, QWidget)

from app.engine import timefmt
from app.engine.errors import ValidationError
from app.engine.oversight.agencies import AGENCY_TYPES, LEVELS, Agency, AgencyForm
from app.engine.oversight.breach import Incident, IncidentForm, Notice
from app.engine.oversight.permits import Permit, PermitForm, scope_text

from .context import AppContext
from .tables import fill, read_only_table
from .widgets import MessageLabel, ZoneDateTimeEdit


def words(text: object) -> str:
    return escape(str(text))


def numbers(text: str) -> tuple[int, ...]:
    """Read ids typed with commas or spaces; a word is a sentence, not a crash."""
    try:
        return tuple(int(t) for t in text.replace(",", " ").split())
    except ValueError:
        raise ValidationError("Read ids are numbers, separated by commas.") from None


def _line(name: str, hint: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(hint)
    return field


def _button(text: str, name: str, slot: Callable[[], None]) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.clicked.connect(slot)
    return b


def _form(title: str, rows: list[tuple[str, QWidget]], *buttons: QPushButton) -> QGroupBox:
    form = QFormLayout()
    for label, widget in rows:
        form.addRow(label, widget)
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    form.addRow(row)
    box = QGroupBox(title)
    box.setLayout(form)
    return box


def stacked(top: QWidget, bottom: QWidget) -> QWidget:
    """Two widgets one above the other, the upper one a little taller."""
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(top, 3)
    column.addWidget(bottom, 2)
    return holder


class Say(QWidget):
    """A tab with a message line for the engine's sentences, emptied with its forms at logout."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.message = MessageLabel(lines=7, width=360, name="designeeMessage")

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)

    def failed(self):
        return self.ctx.inline(lambda text: self.say(text, error=True))

    def run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Engine work on the database thread; a bad field is a sentence like any refusal."""
        self.ctx.db(work, done, self.failed())

    def then(self, text: Callable[[Any], str], reload: Callable[[], None]) -> Callable[[Any], None]:
        """A success handler: say what was done, then reload the lists."""
        def done(result: Any) -> None:
            self.say(text(result))
            reload()
        return done

    def reset(self) -> None:
        for field in self.findChildren(QLineEdit):
            if not isinstance(field.parent(), ZoneDateTimeEdit):
                field.clear()
        for table in self.findChildren(QTableWidget):
            table.setRowCount(0)
        self.message.clear()

    def _layout(self, table: QWidget, *boxes: QWidget) -> None:
        right = QVBoxLayout()
        for box in boxes:
            right.addWidget(box)
        right.addWidget(self.message)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(table, 3)
        layout.addLayout(right, 2)


class AgencyTab(Say):
    """The register: add, change the selected entry (a new version), retire it with a reason."""

    COLUMNS = ("#", "Agency", "Type", "Level", "State", "Agreement / MOU", "Contact", "Version")

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.entries: list[Agency] = []
        self.table = read_only_table(self.COLUMNS, "agencyTable")
        self.table.itemSelectionChanged.connect(self.load_selected)
        self.name, self.state = _line("agencyName"), _line("agencyState", "CA")
        self.agreement = _line("agencyAgreement", "MOU or agreement reference")
        self.contact = _line("agencyContact", "who requests or receives data")
        self.kind, self.level = QComboBox(), QComboBox()
        self.kind.setObjectName("agencyType")
        self.level.setObjectName("agencyLevel")
        self.kind.addItems([t for t in AGENCY_TYPES if t in ctx.ws.profile.release.full_data_to
                            + ctx.ws.profile.release.aggregate_only_to])
        self.level.addItems(list(LEVELS))
        self.reason = _line("agencyRetireReason", "why the entry is retired")
        self._layout(self.table, _form(
            "Register entry", [("Name", self.name), ("Type", self.kind), ("Level of government", self.level),
                               ("State (postal code)", self.state), ("Agreement / MOU", self.agreement),
                               ("Contact", self.contact)],
            _button("Add", "addAgency", self.add), _button("Save changes to selected", "editAgency", self.edit)),
            _form("Retire the selected entry", [("Reason", self.reason)],
                  _button("Retire", "retireAgency", self.retire)))

    def form(self) -> AgencyForm:
        return AgencyForm(self.name.text(), self.kind.currentText(), self.level.currentText(),
                          self.state.text(), self.agreement.text(), self.contact.text())

    def refresh(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session

        def shown(entries) -> None:
            self.entries = entries
            fill(self.table, [(a.id, a.name, a.agency_type.replace("_", " "), a.level or "-",
                               a.state or "-", a.agreement, a.contact, a.version) for a in entries])
        self.run(lambda: ws.agencies.entries(s), shown)

    def selected(self) -> Agency | None:
        row = self.table.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def load_selected(self) -> None:
        a = self.selected()
        if a is not None:
            for field, value in ((self.name, a.name), (self.state, a.state or ""),
                                 (self.agreement, a.agreement), (self.contact, a.contact)):
                field.setText(value)
            self.kind.setCurrentText(a.agency_type)
            self.level.setCurrentText(a.level or "local")

    def _done(self, verb: str):
        def done(a: Agency) -> None:
            self.say(f"{a.name} {verb} (register entry #{a.id}, version {a.version}).")
            self.refresh()
        return done

    def add(self) -> None:
        ws, s, form = self.ctx.ws, self.ctx.session, self.form()
        self.run(lambda: ws.agencies.add(s, form), self._done("added"))

    def edit(self) -> None:
        a, ws, s, form = self.selected(), self.ctx.ws, self.ctx.session, self.form()
        if a is None:
            self.say("Select the entry to change first.", error=True)
            return
        self.run(lambda: ws.agencies.edit(s, a.id, form), self._done("changed"))

    def retire(self) -> None:
        a, ws, s, reason = self.selected(), self.ctx.ws, self.ctx.session, self.reason.text()
        if a is None:
            self.say("Select the entry to retire first.", error=True)
            return
        self.run(lambda: ws.agencies.retire(s, a.id, reason), self._done("retired"))


class PermitsTab(Say):
    """Written permissions: who, which case, which data, from and until when, the document."""

    COLUMNS = ("#", "Person", "Case", "Data", "Valid from", "Valid until", "Document", "State")

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        now = ctx.ws.clock()
        self.permits: list[Permit] = []
        self.table = read_only_table(self.COLUMNS, "permitTable")
        self.user, self.case = _line("permitUser", "user name"), _line("permitCase", "case number")
        self.document = _line("permitDocument", "reference of the signed permission")
        self.cameras = _line("permitCameras", "camera ids (empty: any camera)")
        self.reads = _line("permitReads", "read ids, or leave empty")
        self.valid_from = ZoneDateTimeEdit(ctx.tz, now, "permitFrom")
        self.valid_until = ZoneDateTimeEdit(ctx.tz, now + 7 * 86400, "permitUntil")
        self.data_since = ZoneDateTimeEdit(ctx.tz, now - 86400, "permitDataSince")
        self.data_until = ZoneDateTimeEdit(ctx.tz, now, "permitDataUntil")
        self.reason = _line("permitRevokeReason", "why it is revoked")
        self._layout(self.table, _form(
            "Record a written permission", [
                ("Person", self.user), ("Case", self.case), ("Cameras", self.cameras),
                ("Data from", self.data_since), ("Data until", self.data_until), ("Read ids", self.reads),
                ("Valid from", self.valid_from), ("Valid until", self.valid_until),
                ("Document", self.document)],
            _button("Grant", "grantPermit", self.grant)),
            _form("Revoke the selected permission", [("Reason", self.reason)],
                  _button("Revoke", "revokePermit", self.revoke)))

    def refresh(self) -> None:
        ws, s, tz = self.ctx.ws, self.ctx.session, self.ctx.tz

        def shown(permits) -> None:
            self.permits = permits
            now = ws.clock()
            fill(self.table, [(p.id, p.username, p.case_number, scope_text(p.cameras, p.start, p.end, p.read_ids),
                               timefmt.fmt(p.valid_from, tz, seconds=False),
                               timefmt.fmt(p.valid_until, tz, seconds=False), p.document_ref,
                               "revoked" if p.revoked_at else ("in force" if p.valid_at(now) else
                                                               "not in force")) for p in permits])
        self.run(lambda: ws.permits.on_file(s), shown)

    def grant(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        reads = self.reads.text()

        def work() -> Permit:
            ids = numbers(reads)
            form = PermitForm(self.user.text(), self.case.text(), self.valid_from.timestamp(),
                              self.valid_until.timestamp(), self.document.text(),
                              tuple(c.strip() for c in self.cameras.text().split(",") if c.strip()),
                              None if ids else self.data_since.timestamp(),
                              None if ids else self.data_until.timestamp(), ids)
            return ws.permits.grant(s, form)
        self.run(work, self.then(lambda p: f"Permission #{p.id} recorded for {p.username}.",
                                 self.refresh))

    def revoke(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.permits):
            self.say("Select the permission to revoke first.", error=True)
            return
        ws, s, pid, reason = self.ctx.ws, self.ctx.session, self.permits[row].id, self.reason.text()
        self.run(lambda: ws.permits.revoke(s, pid, reason),
                 self.then(lambda p: f"Permission #{p.id} revoked.", self.refresh))


def choose_folder(parent: QWidget) -> str | None:
    return QFileDialog.getExistingDirectory(parent, "Write the breach notices to") or None


class BreachTab(Say):
    """Incidents, the notices each calls for with their deadlines, and their completion."""

    COLUMNS = ("#", "Found", "Medium", "What happened")
    NOTICE_COLUMNS = ("#", "Notice", "Where it stands", "File")

    def __init__(self, ctx: AppContext, chooser: Callable[[QWidget], str | None] | None = None) -> None:
        super().__init__(ctx)
        now = ctx.ws.clock()
        self.chooser = chooser or choose_folder
        self.incidents: list[Incident] = []
        self.notices: list[Notice] = []
        self.table = read_only_table(self.COLUMNS, "incidentTable")
        self.table.itemSelectionChanged.connect(self.load_notices)
        self.notice_table = read_only_table(self.NOTICE_COLUMNS, "noticeTable")
        self.what = _line("incidentWhat", "what was lost, exposed or accessed, and how")
        self.package = _line("incidentPackage", "package folder name (empty: this workstation's store)")
        self.found = ZoneDateTimeEdit(ctx.tz, now, "incidentFound")
        self.since = ZoneDateTimeEdit(ctx.tz, now - 86400, "incidentSince")
        self.until = ZoneDateTimeEdit(ctx.tz, now, "incidentUntil")
        self.done_on = _line("noticeDate", "YYYY-MM-DD")
        self.done_on.setText(timefmt.today(now, ctx.tz).isoformat())
        self._layout(stacked(self.table, self.notice_table), _form(
            "Record an incident", [("What happened", self.what), ("Medium", self.package),
                                   ("Found", self.found), ("Exposed from", self.since),
                                   ("Exposed until", self.until)],
            _button("Record", "recordIncident", self.record)),
            _form("Notices of the selected incident", [("Date", self.done_on)],
                  _button("Write notices (PDF)...", "writeNotices", self.write),
                  _button("Sent / posted", "noticeDone", self.complete),
                  _button("Website notice taken down", "noticeRemoved", self.take_down)))

    def refresh(self) -> None:
        ws, s, tz = self.ctx.ws, self.ctx.session, self.ctx.tz

        def shown(incidents) -> None:
            self.incidents = incidents
            fill(self.table, [(i.id, timefmt.fmt(i.found_at, tz, seconds=False), i.medium_text(), i.what)
                              for i in incidents])
            self.load_notices()
        self.run(lambda: ws.breach.incidents(s), shown)

    def selected(self) -> Incident | None:
        row = self.table.currentRow()
        return self.incidents[row] if 0 <= row < len(self.incidents) else None

    def load_notices(self) -> None:
        inc, ws, s = self.selected(), self.ctx.ws, self.ctx.session
        if inc is None:
            self.notice_table.setRowCount(0)
            return

        def shown(notices) -> None:
            self.notices = notices
            now = ws.clock()
            fill(self.notice_table, [(n.id, n.title, n.state(now, self.ctx.tz),
                                      Path(n.file_path).name if n.file_path else "-") for n in notices])
        self.run(lambda: ws.breach.notices(s, inc.id), shown)

    def record(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        package = self.package.text().strip()
        form = IncidentForm(self.what.text(), self.found.timestamp(), self.since.timestamp(),
                            self.until.timestamp(), "package" if package else "store", package)

        def done(inc: Incident) -> None:
            self.say(f"Incident #{inc.id} recorded; its notices are due within "
                     f"{ws.profile.breach.notice_within_days} days.")
            self.refresh()
            self.table.selectRow(len(self.incidents) - 1)
        self.run(lambda: ws.breach.record(s, form), done)

    def write(self) -> None:
        inc = self.selected()
        if inc is None:
            self.say("Select the incident first.", error=True)
            return
        folder = self.chooser(self)
        if not folder:
            return
        ws, s = self.ctx.ws, self.ctx.session
        self.run(lambda: ws.breach.produce(s, inc.id, Path(folder)),
                 self.then(lambda files: f"{len(files)} notices written to {folder}.",
                           self.load_notices))

    def _notice(self) -> Notice | None:
        row = self.notice_table.currentRow()
        if not 0 <= row < len(self.notices):
            self.say("Select the notice first.", error=True)
            return None
        return self.notices[row]

    def complete(self) -> None:
        self._step(lambda ws, s, n, day: ws.breach.complete(s, n.id, day))

    def take_down(self) -> None:
        self._step(lambda ws, s, n, day: ws.breach.take_down(s, n.id, day))

    def _step(self, call) -> None:
        """Record a step of the selected notice on the date typed."""
        n, ws, s, day = self._notice(), self.ctx.ws, self.ctx.session, self.done_on.text()
        if n is not None:
            self.run(lambda: call(ws, s, n, day),
                     self.then(lambda d: f"{d.title}: {d.state(ws.clock(), self.ctx.tz)}.",
                               self.load_notices))

