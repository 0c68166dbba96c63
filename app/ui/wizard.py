"""The first-run wizard: on a machine with no store, the window sets one up.

Each page is a thin face on one step of :class:`app.engine.firstrun.FirstRun` (the same calls
a script drives without a screen): the policy profile with its retention and purposes, the
first administrator with the password rules and the authenticator enrolment, the city server
(PostgreSQL with a connection test, a new embedded server, or the demo city), the first sync
with progress and Cancel, and a last page that says what was done. Every engine call runs on
the runner's database thread; the engine logs each step. The server is changed later in
Administration > Sync (``admin_sync.py``); the last page can open it.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QDialog, QFileDialog, QFormLayout,
                               QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QProgressBar, QPushButton, QRadioButton,
                               QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from app.engine.errors import EngineError, Interrupted
from app.engine.firstrun import (SETTINGS_SCREEN, FirstRun, ProfileChoice, ServerChoice,
                                 password_rules, profile_choices)
from app.engine.progress import Progress

from . import style
from .errors import ErrorPresenter
from .ops import Runner, Task
from .widgets import password_field

STEPS = ("Policy profile", "Administrator", "Second factor", "City server", "First sync", "Ready")
ERROR = "color: #b00020;"
GOOD = "color: #1b5e20;"
NOTE = "color: #455a64;"


def _label(text: str = "", name: str | None = None, note: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    if note:
        label.setStyleSheet(NOTE)
    return label


class _Page(QWidget):
    """A heading, an introduction, the page's own content and a message line."""

    def __init__(self, heading: str, intro: str = "") -> None:
        super().__init__()
        self.body = QVBoxLayout()
        self.message = _label(name="message")
        title = QLabel(heading)
        title.setObjectName("heading")
        title.setStyleSheet(style.HEADING)
        self.intro = _label(intro)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 12, 18, 8)
        outer.addWidget(title)
        outer.addWidget(self.intro)
        outer.addSpacing(6)
        outer.addLayout(self.body, 1)
        outer.addWidget(self.message)

    def say(self, text: str, error: bool = True) -> None:
        self.message.setStyleSheet(ERROR if error else GOOD)
        self.message.setText(text)


class ProfilePage(_Page):
    def __init__(self, data_dir: Path, choices: list[ProfileChoice]) -> None:
        super().__init__(
            "Set up this workstation",
            f"There is no workstation store in {data_dir} yet. This set-up creates it: an "
            "encrypted store under your agency's ALPR policy, its first administrator, and the "
            "city server it copies reads from. Nothing is written until the administrator is "
            "created. First choose the policy profile the store will enforce; it cannot be "
            "changed afterwards.")
        self.choices = choices
        self.list = QListWidget()
        self.list.setObjectName("profiles")
        self.list.setFixedWidth(260)
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for c in choices:
            item = QListWidgetItem(f"{c.agency}\n{c.retention_days}-day retention, "
                                   f"{len(c.purposes)} purposes")
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setToolTip(c.name)
            self.list.addItem(item)
        self.details = QLabel()
        self.details.setObjectName("profileDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.details.setFrameShape(QFrame.Shape.StyledPanel)
        self.details.setMargin(10)
        row = QHBoxLayout()
        row.addWidget(self.list)
        row.addWidget(self.details, 1)
        self.body.addLayout(row)
        self.list.currentRowChanged.connect(self._show)
        self.list.setCurrentRow(0)

    @property
    def chosen(self) -> ProfileChoice:
        return self.choices[max(self.list.currentRow(), 0)]

    def choose(self, profile_id: str) -> None:
        self.list.setCurrentRow([c.id for c in self.choices].index(profile_id))

    def _show(self, row: int) -> None:
        if row < 0:
            return
        c = self.choices[row]
        esc = _html
        purposes = "".join(f"<li>{esc(label)} <span style='color:#607d8b'>({esc(code)})</span></li>"
                           for code, label in c.purposes)
        roles = ", ".join(esc(title) for _id, title in c.roles)
        self.details.setText(
            f"<b style='font-size:14px'>{esc(c.name)}</b><br>{esc(c.agency)}<br>"
            f"<span style='color:#607d8b'>{esc(c.policy_reference)}; {esc(c.statute)}</span>"
            f"<p><b>Retention:</b> {c.retention_days} days. {esc(c.retention_basis)}</p>"
            f"<p><b>Authorised purposes</b> (every search names one, with a case number):</p>"
            f"<ul style='margin-top:0'>{purposes}</ul>"
            f"<p><b>Roles:</b> {roles}.</p>"
            f"<p><b>Second factor</b> (authenticator app) for: "
            f"{esc(', '.join(c.second_factor_roles)) or 'no role'}. "
            f"<b>Idle lock</b> after {c.idle_lock_minutes} minutes.</p>")


def _html(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


class AdminPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            "Create the first administrator",
            "Accounts are personal: the administrator adds everyone else afterwards, in "
            "Administration > Users and training. Each person's password opens the encrypted "
            "store: nothing in it can be read without a personal sign-in, and every sign-in "
            "and change is written to the access log.")
        self.username, self.full_name = QLineEdit(), QLineEdit()
        self.username.setObjectName("adminUser")
        self.full_name.setObjectName("adminName")
        self.password, self.repeat = password_field("adminPassword"), password_field("adminRepeat")
        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("Full name", self.full_name)
        form.addRow("Password", self.password)
        form.addRow("Repeat password", self.repeat)
        self.body.addLayout(form)
        self.rules = _label(name="passwordRules")
        self.rules.setTextFormat(Qt.TextFormat.RichText)
        self.rules.setFrameShape(QFrame.Shape.StyledPanel)
        self.rules.setMargin(8)
        self.body.addWidget(self.rules)
        self.body.addStretch(1)

    def show_rules(self, profile_name: str, rules: list[str]) -> None:
        items = "".join(f"<li>{_html(r)}</li>" for r in rules)
        self.rules.setText(f"<b>Password rules</b> (CJIS, {_html(profile_name)}):"
                           f"<ul style='margin-top:2px'>{items}</ul>")


class SecondFactorPage(_Page):
    def __init__(self) -> None:
        super().__init__("Enrol a second factor",
                         "The policy requires a one-time code for administrators. Scan this code "
                         "with an authenticator app (any app that reads TOTP QR codes), then "
                         "enter the 6-digit code it shows. You will need a fresh code at each "
                         "sign-in.")
        self.qr = QLabel()
        self.qr.setObjectName("totpQr")
        self.qr.setFixedSize(240, 240)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.secret = QLabel()
        self.secret.setObjectName("totpSecret")
        self.secret.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code = QLineEdit()
        self.code.setObjectName("totpCode")
        self.code.setPlaceholderText("6-digit code")
        self.code.setMaximumWidth(160)
        form = QFormLayout()
        form.addRow("Or type this key", self.secret)
        form.addRow("Code", self.code)
        row = QHBoxLayout()
        row.addWidget(self.qr)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addStretch(1)
        row.addLayout(side, 1)
        self.body.addLayout(row)
        self.body.addStretch(1)

    def show_enrolment(self, enrolment) -> None:
        pix = QPixmap()
        pix.loadFromData(enrolment.qr_png, "PNG")
        self.qr.setPixmap(pix.scaled(self.qr.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.FastTransformation))
        self.secret.setText(" ".join(enrolment.secret[i:i + 4] for i in range(0, len(enrolment.secret), 4)))


class ServerPage(_Page):
    def __init__(self, default_folder: Path, retention_days: int) -> None:
        super().__init__("Choose the city server",
                         "The workstation keeps a copy of the reads it may hold, synced from the "
                         "city's server. You can change this later in "
                         f"{SETTINGS_SCREEN} (settings).")
        self.kinds = QButtonGroup(self)
        self.pg = QRadioButton("A PostgreSQL city server (the city's system of record)")
        self.embedded = QRadioButton("A new embedded server on this machine (one workstation, no PostgreSQL)")
        self.demo = QRadioButton("The demo city (made-up reads around Calabasas, to try the workstation)")
        for i, (button, name) in enumerate(((self.pg, "choosePostgres"), (self.embedded, "chooseEmbedded"),
                                            (self.demo, "chooseDemo"))):
            button.setObjectName(name)
            self.kinds.addButton(button, i)

        self.address = QLineEdit()
        self.address.setObjectName("pgAddress")
        self.address.setPlaceholderText("postgresql://alpr@city-server/alpr  or  host=... dbname=... user=...")
        self.pg_password = password_field("pgPassword")
        self.pg_password.setPlaceholderText("the server user's password (kept in the encrypted store)")
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("testConnection")
        self.test_result = _label(name="testResult")
        pg_box = QWidget()
        pg_form = QGridLayout(pg_box)
        pg_form.setContentsMargins(24, 0, 0, 6)
        pg_form.addWidget(QLabel("Address"), 0, 0)
        pg_form.addWidget(self.address, 0, 1, 1, 2)
        pg_form.addWidget(QLabel("Password"), 1, 0)
        pg_form.addWidget(self.pg_password, 1, 1)
        pg_form.addWidget(self.test_button, 1, 2)
        pg_form.addWidget(self.test_result, 2, 1, 1, 2)
        pg_form.addWidget(_label("The address never holds the password: the password is kept inside "
                                 "the encrypted store, so only a personal sign-in reaches it.",
                                 note=True), 3, 1, 1, 2)
        self.pg_box = pg_box

        self.folder = QLineEdit(str(default_folder))
        self.folder.setObjectName("serverFolder")
        self.browse = QPushButton("Choose...")
        self.browse.clicked.connect(self._browse)
        emb_box = QWidget()
        emb = QGridLayout(emb_box)
        emb.setContentsMargins(24, 0, 0, 6)
        emb.addWidget(QLabel("Folder"), 0, 0)
        emb.addWidget(self.folder, 0, 1)
        emb.addWidget(self.browse, 0, 2)
        self.operator_note = _label(note=True)
        emb.addWidget(self.operator_note, 1, 1, 1, 2)
        self.emb_box = emb_box

        self.days = QSpinBox()
        self.days.setObjectName("demoDays")
        self.days.setRange(1, 30)
        self.days.setValue(3)
        self.days.setSuffix(" days")
        self.per_day = QSpinBox()
        self.per_day.setObjectName("demoReadsPerDay")
        self.per_day.setRange(10, 20000)
        self.per_day.setSingleStep(100)
        self.per_day.setValue(1000)
        self.per_day.setSuffix(" reads a day")
        self.ocr = QCheckBox("Read the drops that came without a plate read (plate OCR; slower)")
        self.ocr.setObjectName("demoOcr")
        self.ocr.setChecked(True)
        demo_box = QWidget()
        dl = QGridLayout(demo_box)
        dl.setContentsMargins(24, 0, 0, 6)
        dl.addWidget(QLabel("Traffic"), 0, 0)
        dl.addWidget(self.days, 0, 1)
        dl.addWidget(self.per_day, 0, 2)
        dl.addWidget(self.ocr, 1, 1, 1, 2)
        self.demo_note = _label(note=True)
        dl.addWidget(self.demo_note, 2, 1, 1, 3)
        dl.setColumnStretch(3, 1)
        self.demo_box = demo_box

        self.window_days = QSpinBox()
        self.window_days.setObjectName("windowDays")
        self.window_days.setRange(0, retention_days)
        self.window_days.setSpecialValueText(f"the whole retention period ({retention_days} days)")
        self.window_days.setSuffix(" days")
        window_row = QHBoxLayout()
        window_row.addWidget(QLabel("Hold locally"))
        window_row.addWidget(self.window_days)
        window_row.addStretch(1)

        self.bar = QProgressBar()
        self.bar.setObjectName("serverProgress")
        self.bar.setVisible(False)
        self.stage = _label(name="serverStage")
        self.stop = QPushButton("Stop")
        self.stop.setObjectName("stopServer")
        self.stop.setVisible(False)
        work = QHBoxLayout()
        work.addWidget(self.bar, 1)
        work.addWidget(self.stop)

        for button, box in ((self.pg, pg_box), (self.embedded, emb_box), (self.demo, demo_box)):
            self.body.addWidget(button)
            self.body.addWidget(box)
        self.body.addLayout(window_row)
        self.body.addStretch(1)
        self.body.addLayout(work)
        self.body.addWidget(self.stage)
        self.kinds.idToggled.connect(lambda _i, _on: self._enable())
        self.embedded.setChecked(True)
        self._enable()

    def describe_people(self, admin: str, demo_users: list[str]) -> None:
        self.operator_note.setText(
            f"You ({admin}) become its first operator: your password unlocks it, and you can name "
            "other operators later. Camera drops are loaded into it with 'alpr server ingest'.")
        self.demo_note.setText(
            "An embedded server with cameras, hotlists and camera drops (with photos) is built in "
            "the folder above; you are its operator. Your ALPR training is recorded (demo) so "
            "that search works at once"
            + (f", and demo users are added ({', '.join(demo_users)}; password "
               "Calabasas-Demo-Plates-2026!)." if demo_users else "."))

    @property
    def kind(self) -> str:
        return ("postgresql", "embedded", "demo")[self.kinds.checkedId()]

    def choice(self) -> ServerChoice:
        window = self.window_days.value() or None
        if self.kind == "postgresql":
            return ServerChoice.postgresql(self.address.text().strip(),
                                           self.pg_password.text() or None, window_days=window)
        folder = Path(self.folder.text().strip()).expanduser()
        if self.kind == "embedded":
            return ServerChoice.embedded(folder, window_days=window)
        return ServerChoice.demo(folder, window_days=window, demo_days=self.days.value(),
                                 demo_reads_per_day=self.per_day.value(),
                                 demo_ocr=self.ocr.isChecked())

    def _enable(self) -> None:
        kind = self.kind
        self.pg_box.setEnabled(kind == "postgresql")
        self.emb_box.setEnabled(kind in ("embedded", "demo"))
        self.demo_box.setEnabled(kind == "demo")

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder for the city server", self.folder.text())
        if chosen:
            self.folder.setText(str(Path(chosen) / "city-server"))

    def busy(self, on: bool) -> None:
        for w in (self.pg, self.embedded, self.demo, self.pg_box, self.emb_box, self.demo_box,
                  self.window_days):
            w.setEnabled(not on)
        if not on:
            self._enable()
        self.bar.setVisible(on)
        self.stop.setVisible(on)
        self.bar.setRange(0, 0)


class SyncPage(_Page):
    def __init__(self) -> None:
        super().__init__("First sync",
                         "The workstation now copies the reads it may hold, with their photos and "
                         "the hotlists, from the city server into the encrypted store, and sends "
                         "its access log up. On a large server this takes minutes. Cancel stops "
                         "it between batches: what was copied stays, and the next sync resumes "
                         f"there ({SETTINGS_SCREEN} > Sync now).")
        self.bar = QProgressBar()
        self.bar.setObjectName("syncProgress")
        self.start_button = QPushButton("Sync now")
        self.start_button.setObjectName("syncNow")
        self.cancel_button = QPushButton("Cancel sync")
        self.cancel_button.setObjectName("cancelSync")
        self.cancel_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.bar, 1)
        self.stage = _label(name="syncStage")
        self.result = _label(name="syncResult")
        self.body.addLayout(row)
        self.body.addWidget(self.stage)
        self.body.addWidget(self.result)
        self.body.addStretch(1)


class DonePage(_Page):
    def __init__(self) -> None:
        super().__init__("The workstation is ready",
                         "Here is what the set-up did; each step is in the access log. From now "
                         "on the program starts at the sign-in screen.")
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setFrameShape(QFrame.Shape.StyledPanel)
        self.summary.setMargin(10)
        self.open_sync = QCheckBox(f"Open the sync settings ({SETTINGS_SCREEN}) when the window opens")
        self.open_sync.setObjectName("openSyncSettings")
        self.body.addWidget(self.summary)
        self.body.addWidget(self.open_sync)
        self.body.addStretch(1)


class FirstRunWizard(QDialog):
    """Sets up a new store; once accepted, ``ws`` and ``session`` are the administrator's."""

    finished_setup = Signal()

    def __init__(self, run: FirstRun, runner: Runner, presenter: ErrorPresenter | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run, self.runner = run, runner
        self.presenter = presenter or ErrorPresenter()
        if self.presenter.parent is None:
            self.presenter.parent = self          # message boxes over the wizard, until the window
        self.ws = self.session = None
        self.open_sync_settings = False
        self.task: Task | None = None
        self.setWindowTitle("ALPR investigator workstation - first run")
        self.setObjectName("firstRunWizard")
        self.resize(980, 700)

        self.profile = ProfilePage(run.data_dir, profile_choices())
        self.admin = AdminPage()
        self.factor = SecondFactorPage()
        self.server = ServerPage(run.default_server_folder(), 730)
        self.sync = SyncPage()
        self.ready = DonePage()
        self.pages = QStackedWidget()
        for page in (self.profile, self.admin, self.factor, self.server, self.sync, self.ready):
            self.pages.addWidget(page)

        self.steps = []
        side = QVBoxLayout()
        side.setContentsMargins(14, 16, 14, 12)
        brand = QLabel("ALPR workstation\nfirst run")
        brand.setStyleSheet("font-weight: bold; color: #1565c0; margin-bottom: 10px;")
        side.addWidget(brand)
        for i, text in enumerate(STEPS, 1):
            label = QLabel(f"{i}. {text}")
            label.setObjectName(f"step{i}")
            self.steps.append(label)
            side.addWidget(label)
        side.addStretch(1)
        sidebar = QWidget()
        sidebar.setObjectName("wizardSteps")
        sidebar.setStyleSheet("QWidget#wizardSteps { background: #e8eef5; border-right: 1px solid #c5d3e3; }")
        sidebar.setLayout(side)
        sidebar.setFixedWidth(190)

        self.back_button = QPushButton("< Back")
        self.back_button.setObjectName("backButton")
        self.next_button = QPushButton("Next >")
        self.next_button.setObjectName("nextButton")
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(18, 6, 18, 12)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.cancel_button)
        right = QVBoxLayout()
        right.addWidget(self.pages, 1)
        right.addLayout(buttons)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(sidebar)
        outer.addLayout(right, 1)

        self.server.test_button.clicked.connect(self.test_connection)
        self.server.stop.clicked.connect(self._stop_task)
        self.sync.start_button.clicked.connect(self.start_sync)
        self.sync.cancel_button.clicked.connect(self.cancel_sync)
        self._go(self.profile)

    # -- navigation --------------------------------------------------------------------------
    def _go(self, page: _Page) -> None:
        self.pages.setCurrentWidget(page)
        index = self.pages.indexOf(page)
        for i, label in enumerate(self.steps):
            label.setStyleSheet("font-weight: bold; color: #0d47a1;" if i == index
                                else ("color: #546e7a;" if i < index else "color: #90a4ae;"))
        created = self.run.ws is not None
        self.back_button.setEnabled(page is self.admin and not created
                                    or page is self.sync and self.task is None)
        self.next_button.setEnabled(True)
        self.next_button.setText("Open the workstation" if page is self.ready else "Next >")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close" if page is self.ready else "Cancel")

    def back(self) -> None:
        page = self.pages.currentWidget()
        if page is self.admin:
            self._go(self.profile)
        elif page is self.sync:
            self.server.stage.clear()
            self._go(self.server)

    def next(self) -> None:
        """The one forward button: act on the page shown."""
        page = self.pages.currentWidget()
        actions: dict[QWidget, Callable[[], None]] = {
            self.profile: self._chose_profile, self.admin: self._create_admin,
            self.factor: self._confirm_code, self.server: self._connect,
            self.sync: self._to_done, self.ready: self._finish}
        actions[page]()

    def _call(self, page: _Page, work, success) -> None:
        """Run ``work`` on the database thread; refusals go to the page's message line."""
        self.next_button.setEnabled(False)
        self.back_button.setEnabled(False)
        page.message.clear()

        def failed(exc: BaseException) -> None:
            self._go(page)
            if isinstance(exc, EngineError):
                page.say(str(exc))
            else:
                self.presenter(exc)
        def done(value: object) -> None:
            self.next_button.setEnabled(True)
            success(value)
        self.runner.db(work, done, failed)

    # -- 1. profile -----------------------------------------------------------------------------
    def _chose_profile(self) -> None:
        choice = self.profile.chosen
        self.run.choose_profile(choice.id)
        self.admin.show_rules(self.run.profile.name, password_rules(self.run.profile))
        self.server.window_days.setRange(0, choice.retention_days)
        self.server.window_days.setSpecialValueText(
            f"the whole retention period ({choice.retention_days} days)")
        self._go(self.admin)
        self.admin.username.setFocus()

    # -- 2-3. administrator and second factor --------------------------------------------------------
    def _create_admin(self) -> None:
        a = self.admin
        if self.run.ws is not None:           # made already (back from a later page): sign in only
            self._call(a, self.run.sign_in, self._signed_in)
            return
        user, full, pw, pw2 = a.username.text(), a.full_name.text(), a.password.text(), a.repeat.text()

        def work():
            self.run.create_administrator(user, full, pw, pw2)
            return self.run.sign_in()
        self._call(a, work, self._signed_in)

    def _signed_in(self, enrolment) -> None:
        self.admin.password.clear()
        self.admin.repeat.clear()
        from app.server.demo_setup import DEMO_USERS
        profile = self.run.profile
        self.server.describe_people(self.run.outcome.administrator,
                                    [u for u, _f, r in DEMO_USERS if r != "administrator" and r in profile.roles])
        if enrolment is None:
            self._go(self.server)
            return
        self.factor.show_enrolment(enrolment)
        self._go(self.factor)
        self.factor.code.setFocus()

    def _confirm_code(self) -> None:
        code = self.factor.code.text()
        self._call(self.factor, lambda: self.run.confirm_second_factor(code),
                   lambda _n: self._go(self.server))

    # -- 4. server ------------------------------------------------------------------------------
    def test_connection(self) -> None:
        page = self.server
        address, password = page.address.text().strip(), page.pg_password.text() or None
        page.test_button.setEnabled(False)
        page.test_result.setStyleSheet(NOTE)
        page.test_result.setText("Testing the connection...")

        def shown(text: object) -> None:
            page.test_button.setEnabled(True)
            page.test_result.setStyleSheet(GOOD)
            page.test_result.setText(str(text))

        def failed(exc: BaseException) -> None:
            page.test_button.setEnabled(True)
            if not isinstance(exc, EngineError):
                self.presenter(exc)
                return
            page.test_result.setStyleSheet(ERROR)
            page.test_result.setText(str(exc))
        self.runner.db(lambda: self.run.test_server(address, password), shown, failed)

    def _connect(self) -> None:
        page, choice = self.server, self.server.choice()
        page.message.clear()
        page.busy(True)
        self.next_button.setEnabled(False)
        self.cancel_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self._idle_server()
            if isinstance(exc, EngineError):
                page.say(str(exc))
            else:
                self.presenter(exc)

        def connected(_value) -> None:
            self._idle_server()
            page.stage.clear()
            self._go(self.sync)
            self.start_sync()
        self.task = self.runner.progress(lambda token: self.run.connect_server(choice, token),
                                         lambda p: page.stage.setText(p.message), connected, failed)

    def _idle_server(self) -> None:
        self.task = None
        self.server.busy(False)
        self._go(self.server)

    def _stop_task(self) -> None:
        """Stop building the server: the engine removes what it had built (before anything
        queued after it runs), and the page is free to choose again."""
        if self.task is not None:
            self.task.cancel()
        self._idle_server()
        self.server.stage.clear()
        self.server.say("Stopped; what was built of the server is removed. Choose again.", error=False)

    # -- 5. first sync --------------------------------------------------------------------------
    def start_sync(self) -> None:
        page = self.sync
        page.result.clear()
        page.message.clear()
        page.start_button.setEnabled(False)
        page.cancel_button.setEnabled(True)
        page.bar.setRange(0, 0)
        self.next_button.setEnabled(False)
        self.back_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self._sync_idle()
            if isinstance(exc, EngineError) and not isinstance(exc, Interrupted):
                page.say(f"{exc} You can sync again now, or later in {SETTINGS_SCREEN}.")
            elif not isinstance(exc, EngineError):
                self.presenter(exc)

        def done(_value) -> None:
            self._sync_idle()
            page.bar.setRange(0, 1)
            page.bar.setValue(1)
            page.stage.clear()
            page.result.setStyleSheet(GOOD)
            page.result.setText(f"Sync done: {self.run.outcome.sync_summary}")
            page.start_button.setText("Sync again")
        self.task = self.runner.progress(lambda token: self.run.first_sync(token), self.show_progress,
                                         done, failed)

    def show_progress(self, p: Progress) -> None:
        bar = self.sync.bar
        if p.total:
            bar.setRange(0, p.total)
            bar.setValue(min(p.done, p.total))
        self.sync.stage.setText(f"{p.stage}: {p.done} done" + (f" of {p.total}" if p.total else "")
                                + (f" - {p.message}" if p.message else ""))

    def cancel_sync(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self.run.outcome.sync = "cancelled"
        self._sync_idle()
        self.sync.say("Sync cancelled. What was copied is kept; it resumes from there at the next "
                      f"sync ({SETTINGS_SCREEN} > Sync now).", error=False)

    def _sync_idle(self) -> None:
        self.task = None
        page = self.sync
        page.start_button.setEnabled(True)
        page.cancel_button.setEnabled(False)
        if page.bar.maximum() == 0:
            page.bar.setRange(0, 1)
            page.bar.setValue(0)
        self._go(self.sync)

    def _to_done(self) -> None:
        o, profile = self.run.outcome, self.run.profile
        sync = {"done": f"done: {o.sync_summary}", "cancelled": "cancelled (it resumes at the next sync)",
                "failed": "failed (see the message on the sync page)", "not run": "not run"}[o.sync]
        kind = {"postgresql": "PostgreSQL city server", "embedded": "new embedded server",
                "demo": "demo city (embedded server)"}.get(o.server_kind, "")
        rows = [("Policy profile", f"{profile.name} ({profile.retention_days}-day retention)"),
                ("Store", str(self.run.data_dir)),
                ("Administrator", f"{o.administrator} (second factor enrolled)"
                 if profile.needs_totp("administrator") else o.administrator),
                ("City server", f"{kind}: {o.server}"),
                ("First sync", sync)]
        if o.demo_users:
            rows.append(("Demo users", ", ".join(f"{u} ({r})" for u, r in o.demo_users)
                         + "; password Calabasas-Demo-Plates-2026!"))
        table = "".join(f"<tr><td style='padding:3px 12px 3px 0'><b>{_html(k)}</b></td>"
                        f"<td style='padding:3px 0'>{_html(v)}</td></tr>" for k, v in rows)
        after = ("Declare a purpose and case number in the bar at the top, then search."
                 if o.server_kind == "demo" else
                 "Before opening ALPR data, record your ALPR training in Administration > Users "
                 "and training (the policy allows no access without it), and add the other users there.")
        self.ready.summary.setText(f"<table>{table}</table><p>{_html(after)}</p>")
        self.ready.open_sync.setChecked(o.sync != "done")
        self._go(self.ready)

    def _finish(self) -> None:
        def finished(result) -> None:
            self.ws, self.session = result
            self.open_sync_settings = self.ready.open_sync.isChecked()
            self.finished_setup.emit()
            self.accept()
        self._call(self.ready, self.run.finish, finished)

    # -- leaving -------------------------------------------------------------------------------
    def reject(self) -> None:
        """Cancel: stop what runs, and leave what was made usable (the engine logs it)."""
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self.runner.db(self.run.abandon, None, lambda exc: None)
        super().reject()
