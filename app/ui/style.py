"""One plain, consistent look: the Fusion style, quiet greys, red only for what needs attention.

There is deliberately no application-wide style sheet: it routes every widget through Qt's
style-sheet engine, which made each repaint of the window several times slower (measured
with bench/ui.py). Colours come from the palette; the few widgets that need more carry a
small sheet of their own.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

HEADING = "font-size: 15px; font-weight: bold; margin-bottom: 6px;"
HEADING_WRAPPED = "font-size: 15px; font-weight: bold;"     # a wrapped label: no style margins
PLATE_TITLE = "font-size: 20px; font-weight: bold; font-family: monospace;"
PURPOSE_BAR = ("QWidget#purposeBar { background: #e8eef5; border: 1px solid #c5d3e3; "
               "border-radius: 3px; }")
# White text only inside the lock box: the sign-in dialogs opened from the lock screen are its
# children and must keep their own dark-on-light text.
LOCK_SCREEN = ("QWidget#lockScreen { background: #263238; } "
               "QWidget#lockBox QLabel { color: white; }")


def apply(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f5f5f5"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f0f4f8"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#1565c0"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("white"))
    app.setPalette(palette)
