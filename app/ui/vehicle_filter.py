"""The search form's vehicle line: make, colour and body type as the camera's vendor wrote them.

Only some cameras send these, so the fields narrow a search (a plate, cameras or hits) rather
than start one; the engine matches them whole and in any case.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from app.engine import vehicles

PLACEHOLDERS = {"vehicle_make": "Make, e.g. Toyota", "vehicle_color": "Colour, e.g. white",
                "vehicle_body": "Body, e.g. pickup"}


class VehicleFilter(QWidget):
    """Three short fields; ``values()`` goes straight into ``SearchQuery``."""

    def __init__(self) -> None:
        super().__init__()
        self.setToolTip("Only reads whose camera described the vehicle so (make, colour, body "
                        "type as the vendor sent them; not every camera does).")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.edits: dict[str, QLineEdit] = {}
        for name in vehicles.FIELDS:
            edit = QLineEdit()
            edit.setObjectName(name.replace("vehicle_", "vehicle") + "Input")
            edit.setPlaceholderText(PLACEHOLDERS[name])
            edit.setMaxLength(vehicles.MAX_LENGTH)
            self.edits[name] = edit
            lay.addWidget(edit, 1)
        lay.insertWidget(0, QLabel("Vehicle"))

    def values(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.edits.items()}

    def clear(self) -> None:
        for edit in self.edits.values():
            edit.clear()
