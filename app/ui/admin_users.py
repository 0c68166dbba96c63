"""Administration of people: users, roles, unlock, disable, and training records.

Everything goes through the facade, which checks the administrator's grants and logs each
change; the screen shows the result at once by reloading the list from the engine.
"""
from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from app.engine import timefmt
from app.engine.auth import User

from .context import AppContext
from .tables import fill, read_only_table
from .widgets import MessageLabel

USER_COLUMNS = ("User", "Full name", "Role", "Agency", "State", "2nd factor")
TRAINING_COLUMNS = ("User", "Completed", "Expires", "Recorded by", "Course")


def user_state(u: User, now: float) -> str:
    if u.disabled:
        return "disabled"
    if u.locked_until and u.locked_until > now:
        return "locked"
    return "active"


class UsersAdmin(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        roles = list(ctx.ws.profile.roles)
        self.users: list[User] = []
        self.table = read_only_table(USER_COLUMNS, "usersTable")
        self.message = MessageLabel(lines=3, width=300, name="message")
        self.new_user, self.new_name, self.new_password = QLineEdit(), QLineEdit(), QLineEdit()
        self.new_user.setObjectName("newUser")
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_role, self.set_role_combo = QComboBox(), QComboBox()
        for combo in (self.new_role, self.set_role_combo):
            combo.addItems(roles)
        add = QPushButton("Add user")
        add.setObjectName("addUser")
        add.clicked.connect(self.add_user)
        self.add_button = add
        actions = QHBoxLayout()
        for text, slot in (("Unlock", self.unlock), ("Disable", self.disable),
                           ("Enable", self.enable)):
            b = QPushButton(text)
            b.setObjectName(f"user{text}")
            b.clicked.connect(slot)
            actions.addWidget(b)
        set_role = QPushButton("Set role")
        set_role.clicked.connect(self.set_role)
        actions.addWidget(self.set_role_combo)
        actions.addWidget(set_role)
        actions.addStretch(1)
        form = QFormLayout()
        form.addRow("User name", self.new_user)
        form.addRow("Full name", self.new_name)
        form.addRow("Role", self.new_role)
        form.addRow("First password", self.new_password)
        form.addRow(add)

        self.training = read_only_table(TRAINING_COLUMNS, "trainingTable")
        self.course = QLineEdit(ctx.ws.profile.training_course)
        self.completed, self.expires = QLineEdit(), QLineEdit()
        self._default_dates()
        record = QPushButton("Record training for the selected user")
        record.setObjectName("addTraining")
        record.clicked.connect(self.add_training)
        tform = QFormLayout()
        tform.addRow("Course", self.course)
        tform.addRow("Completed (YYYY-MM-DD)", self.completed)
        tform.addRow("Expires (YYYY-MM-DD)", self.expires)
        tform.addRow(record)

        users_box = QGroupBox("Users")
        ul = QVBoxLayout(users_box)
        ul.addWidget(self.table, 1)
        ul.addLayout(actions)
        add_box = QGroupBox("Add a user (personal accounts only)")
        add_box.setLayout(form)
        training_box = QGroupBox("Training records")
        tl = QVBoxLayout(training_box)
        tl.addWidget(self.training, 1)
        tl.addLayout(tform)
        left = QVBoxLayout()
        left.addWidget(users_box, 2)
        left.addWidget(add_box, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        right = QVBoxLayout()
        right.addWidget(training_box, 1)
        right.addWidget(self.message)
        layout.addLayout(right, 2)

    def _default_dates(self) -> None:
        """Today in the agency's zone, and a year on (whatever this computer's zone is)."""
        today = timefmt.today(self.ctx.ws.clock(), self.ctx.tz)
        self.completed.setText(today.isoformat())
        self.expires.setText((today + timedelta(days=365)).isoformat())

    def reset(self) -> None:
        """Nothing of the last session: lists, typed names and passwords, message."""
        self.users = []
        self.table.setRowCount(0)
        self.training.setRowCount(0)
        for field in (self.new_user, self.new_name, self.new_password):
            field.clear()
        self.course.setText(self.ctx.ws.profile.training_course)
        self.course.setCursorPosition(0)
        self._default_dates()
        self.message.clear()

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)

    def _failed(self):
        return self.ctx.inline(lambda text: self.say(text, error=True))

    def refresh(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session

        def shown(result) -> None:
            self.users, records = result
            now = ws.clock()
            fill(self.table, [(u.username, u.full_name, u.role, u.agency, user_state(u, now),
                                "enrolled" if u.totp_enrolled else "-") for u in self.users])
            fill(self.training, [(t.username, t.completed_on, t.expires_on, t.recorded_by,
                                   t.course) for t in records])
        self.ctx.db(lambda: (ws.list_users(s), ws.training_records(s)), shown, self._failed())

    def selected(self) -> str | None:
        row = self.table.currentRow()
        return self.users[row].username if 0 <= row < len(self.users) else None

    def select(self, username: str) -> None:
        for row, u in enumerate(self.users):
            if u.username == username:
                self.table.selectRow(row)

    def _on_selected(self, verb: str, call) -> None:
        name = self.selected()
        if name is None:
            self.say("Select a user in the list first.", error=True)
            return
        ws, s = self.ctx.ws, self.ctx.session

        def done(_user) -> None:
            self.say(f"{name} {verb}.")
            self.refresh()
        self.ctx.db(lambda: call(ws, s, name), done, self._failed())

    def unlock(self) -> None:
        self._on_selected("unlocked", lambda ws, s, n: ws.unlock_user(s, n))

    def disable(self) -> None:
        self._on_selected("disabled", lambda ws, s, n: ws.disable_user(s, n))

    def enable(self) -> None:
        self._on_selected("enabled", lambda ws, s, n: ws.enable_user(s, n))

    def set_role(self) -> None:
        role = self.set_role_combo.currentText()
        self._on_selected(f"now has the role {role}", lambda ws, s, n: ws.set_role(s, n, role))

    def add_user(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        args = (self.new_user.text(), self.new_name.text(), self.new_role.currentText(),
                self.new_password.text())

        def done(user) -> None:
            self.new_password.clear()
            self.say(f"User {user.username} ({user.role}) added. Record their training before "
                     "they use ALPR data.")
            self.refresh()
        self.ctx.db(lambda: ws.add_user(s, *args), done, self._failed())

    def add_training(self) -> None:
        name = self.selected()
        if name is None:
            self.say("Select the user whose training to record.", error=True)
            return
        ws, s = self.ctx.ws, self.ctx.session
        args = (self.course.text(), self.completed.text(), self.expires.text())

        def done(_id) -> None:
            self.say(f"Training recorded for {name} until {args[2]}.")
            self.refresh()
        self.ctx.db(lambda: ws.add_training(s, name, *args), done, self._failed())
