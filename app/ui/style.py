"""One plain, consistent look: system font, quiet greys, red only for what needs attention."""
from __future__ import annotations

STYLE = """
QMainWindow, QDialog { background: #f5f5f5; }
QLabel#heading { font-size: 15px; font-weight: bold; margin-bottom: 6px; }
QLabel#plateTitle { font-size: 20px; font-weight: bold; font-family: monospace; }
QWidget#purposeBar { background: #e8eef5; border: 1px solid #c5d3e3; border-radius: 3px; }
QGroupBox { font-weight: bold; border: 1px solid #ccc; border-radius: 3px; margin-top: 10px;
            padding-top: 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 3px; }
QTableView { gridline-color: #ddd; selection-background-color: #1565c0;
             alternate-background-color: #f0f4f8; background: white; }
QHeaderView::section { background: #e6e6e6; padding: 3px; border: 0;
                       border-right: 1px solid #ccc; border-bottom: 1px solid #ccc; }
QPushButton { padding: 4px 12px; }
QStatusBar QLabel { padding: 0 10px; }
QWidget#lockScreen { background: #263238; }
QWidget#lockScreen QLabel { color: white; }
"""
