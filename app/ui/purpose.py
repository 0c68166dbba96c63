"""The purpose bar: what the user's searches are for, always on screen and changeable.

Civil Code 1798.90.52 asks for the purpose of every access, so the window shows the
declared purpose and case number at all times, and the search screen stays closed until
both are declared. The engine validates the case number against the profile's format and
logs every change; the bar only collects and shows.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from . import style
from .context import AppContext
from .widgets import MessageLabel


class PurposeBar(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("purposeBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(style.PURPOSE_BAR)
        profile = ctx.ws.profile
        self.purpose = QComboBox()
        self.purpose.setObjectName("purposeCombo")
        self.purpose.addItem("- pick the authorised purpose -", None)
        for p in profile.purposes:
            self.purpose.addItem(f"{p.code}: {p.label}", p.code)
        self.purpose.setMinimumContentsLength(28)
        self.purpose.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.case = QLineEdit()
        self.case.setObjectName("caseNumber")
        self.case.setPlaceholderText(profile.case_number_hint.split(" (")[0])
        self.case.setToolTip(f"Case or incident number, e.g. {profile.case_number_hint}")
        self.case.setMaximumWidth(190)
        self.case.returnPressed.connect(self.declare)
        self.button = QPushButton("Declare")
        self.button.setObjectName("declarePurpose")
        self.button.clicked.connect(self.declare)
        self.button.setToolTip("Declare this purpose and case for the searches and views that "
                               "follow (Ctrl+D goes to this bar).")
        self.cases = QComboBox()
        self.cases.setObjectName("myCases")
        self.cases.setToolTip("Your open cases: picking one fills its purpose and number; then Declare.")
        self.cases.setMinimumContentsLength(16)
        self.cases.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.cases.activated.connect(self._case_picked)
        self.case_purposes: dict[str, str] = {}
        self.state = MessageLabel(lines=2, width=220, name="purposeState")
        self.message = MessageLabel(lines=2, width=220, name="message")
        self.message.setStyleSheet("color: #b00020;")

        purpose_label, case_label = QLabel("&Purpose"), QLabel("Case &no.")
        purpose_label.setBuddy(self.purpose)         # Alt+P, Alt+N: the keyboard path here
        case_label.setBuddy(self.case)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.cases, 1)
        row.addWidget(purpose_label)
        row.addWidget(self.purpose, 2)
        row.addWidget(case_label)
        row.addWidget(self.case, 1)
        row.addWidget(self.button)
        row.addWidget(self.state, 2)
        row.addWidget(self.message, 2)
        ctx.purpose_changed.connect(self.refresh)
        ctx.purpose_changed.connect(self.load_cases)
        self.refresh()
        self.load_cases()

    def load_cases(self) -> None:
        """Offer the user's open cases (numbers and titles only; the engine lists a member's)."""
        s = self.ctx.session
        self.cases.clear()
        self.cases.addItem("- my open cases -", None)
        if s is None or s.locked or s.ended:
            return
        ws = self.ctx.ws

        def listed(cases) -> None:
            self.case_purposes = {c.number: c.purpose for c in cases}
            for c in cases:
                self.cases.addItem(f"{c.number}: {c.title}", c.number)
            self.cases.setCurrentIndex(max(self.cases.findData(s.case_number), 0))
        self.ctx.db(lambda: ws.cases.mine(s), listed, self.ctx.inline(self.message.setText))

    def _case_picked(self, index: int) -> None:
        number = self.cases.itemData(index)
        if number:
            self.purpose.setCurrentIndex(max(0, self.purpose.findData(self.case_purposes[number])))
            self.case.setText(number)

    def refresh(self) -> None:
        s = self.ctx.session
        if s is None or not s.purpose:
            self.reset()
            return
        self.state.setText(f"Declared: {s.purpose} / {s.case_number}")
        self.state.setStyleSheet("color: #1b5e20; font-weight: bold;")
        index = self.purpose.findData(s.purpose)
        if index >= 0:
            self.purpose.setCurrentIndex(index)
        self.case.setText(s.case_number or "")

    def reset(self) -> None:
        """Nothing declared: the fields are empty, so no one adopts another's purpose and case
        with one click of Declare."""
        self.purpose.setCurrentIndex(0)
        self.case.clear()
        self.message.clear()
        self.state.setText("No purpose declared: ALPR data is closed.")
        self.state.setStyleSheet("color: #b00020; font-weight: bold;")

    def focus(self) -> None:
        """Ctrl+D: the keyboard goes to the purpose (or, once one is picked, the case)."""
        target = self.purpose if self.purpose.currentIndex() <= 0 else self.case
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if target is self.case:
            self.case.selectAll()

    def choose(self, code: str, case: str) -> None:
        """Fill the bar and declare (the keyboard path, and what tests drive)."""
        self.purpose.setCurrentIndex(max(0, self.purpose.findData(code)))
        self.case.setText(case)
        self.declare()

    def declare(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        code, case = self.purpose.currentData() or "", self.case.text()
        self.message.clear()
        if s is None:
            return
        self.ctx.db(lambda: ws.set_purpose(s, code, case),
                    lambda _n: self.ctx.purpose_changed.emit(), self.ctx.inline(self.message.setText))
