"""The three views of one search's results: the table, the picture grid and the street map,
switched by buttons above them. All three show the same model (the same logged pages); the
table and the grid share one selection, so switching keeps what was selected."""
from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QStackedWidget, QTableView, QToolButton

from .context import AppContext
from .results_grid import ResultsGrid
from .results_map import ResultsMap
from .results_model import ResultsModel

VIEWS = ("Table", "Pictures", "Map")


class ResultsViews(QStackedWidget):
    def __init__(self, ctx: AppContext, model: ResultsModel, table: QTableView) -> None:
        super().__init__()
        self.setObjectName("resultsViews")
        self.table, self.model = table, model
        self.grid = ResultsGrid(ctx, model, table)
        self.map = ResultsMap(ctx, model)
        for w in (table, self.grid, self.map):
            self.addWidget(w)
        self.switch = QHBoxLayout()
        self.switch.setSpacing(0)
        self.buttons = QButtonGroup(self)
        for i, name in enumerate(VIEWS):
            b = QToolButton()
            b.setText(name)
            b.setObjectName(f"view{name}")
            b.setCheckable(True)
            b.setChecked(i == 0)
            self.buttons.addButton(b, i)
            self.switch.addWidget(b)
        self.buttons.idClicked.connect(self.show_view)
        model.loaded.connect(self._more)

    def _more(self, _rows: int) -> None:
        if self.currentWidget() is self.map:
            self.map.refresh()

    def show_view(self, index: int) -> None:
        """Show the table (0), the pictures (1) or the map (2), keeping the selection."""
        self.buttons.button(index).setChecked(True)
        current = self.table.currentIndex()
        self.setCurrentIndex(index)
        if index == 1 and current.isValid():
            self.grid.scrollTo(current)
        elif index == 0 and current.isValid():
            self.table.scrollTo(current)
        elif index == 2:
            self.map.showing()
