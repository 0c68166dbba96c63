"""The window's door to the dialogs that act on reads: photo search, export, hold, "Alert me"
and printing a read or a search.

The search panel, the read detail and the menu all ask for the same dialogs, so one object
opens them, keeps the one now open (tests drive it) and owns the file pickers, which tests
replace with choosers that return a path.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from app.engine.search import SearchQuery

from .alert_dialog import AlertDialog
from .context import AppContext
from .export_dialog import ExportDialog, FolderChooser, choose_folder
from .hold_dialog import HoldDialog
from .photo_search import ImageChooser, PhotoSearchDialog, choose_image
from .search_panel import SearchPanel


PdfChooser = Callable[[QWidget, str], "str | None"]


def choose_pdf(parent: QWidget, suggested: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, "Print to PDF", suggested, "PDF (*.pdf)")
    return path or None


class ReadActions:
    def __init__(self, ctx: AppContext, parent: QWidget, search: SearchPanel) -> None:
        self.ctx = ctx
        self.parent = parent
        self.search = search
        self.choose_image: ImageChooser = choose_image
        self.choose_folder: FolderChooser = choose_folder
        self.choose_pdf: PdfChooser = choose_pdf
        self.message: Callable[[str], None] = lambda _text: None     # the window's status line
        self.dialog: QDialog | None = None

    def _open(self, dialog: QDialog) -> QDialog:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.open()
        return dialog

    def close(self) -> None:
        """Close the dialog now open (logout or lock: nothing of the session stays up)."""
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None

    def photo_search(self) -> PhotoSearchDialog | None:
        """Ctrl+Shift+P: a picked reading fills the search form (Similar) and runs it."""
        if not self.ctx.can("search"):
            return None
        dialog = PhotoSearchDialog(self.ctx, lambda p: self.choose_image(p), self.parent)
        dialog.plate_chosen.connect(self.search.search_similar)
        self._preload()
        self._open(dialog)
        dialog.pick()
        return dialog

    def _preload(self) -> None:
        """Load the OCR models on the pool while the user picks a photo (seconds, once)."""
        reader = self.ctx.ws.ocr.reader
        if hasattr(reader, "load") and not getattr(reader, "loaded", True):
            self.ctx.runner.pool(reader.load, None, lambda _e: None)

    def export(self, read_ids: list[int]) -> ExportDialog | None:
        if not self.ctx.can("export") or not read_ids:
            return None
        return self._open(ExportDialog(self.ctx, read_ids, lambda p: self.choose_folder(p),  # type: ignore[return-value]  # _open returns the dialog it is given
                                       self.parent))

    def hold(self, read_ids: list[int]) -> HoldDialog | None:
        if not self.ctx.can("hold_place") or not read_ids:
            return None
        return self._open(HoldDialog(self.ctx, read_ids, self.parent))  # type: ignore[return-value]  # _open returns the dialog it is given

    def alert(self, plate: str, state: str | None) -> AlertDialog | None:
        """"Alert me": a standing alert on this plate under the declared purpose and case."""
        if not self.ctx.can("search"):
            return None
        dialog = AlertDialog(self.ctx, plate, state, self.parent)
        dialog.alert_set.connect(lambda a: self.message(
            f"Standing alert #{a.id} on {a.pattern} set for case {a.case_number}; reads a sync "
            "brings in will show in the Alerts screen."))
        return self._open(dialog)  # type: ignore[return-value]  # _open returns the dialog it is given

    def bookmark(self, read_ids: list[int]) -> None:
        """Keep the selected reads with the declared case (engine: member of an open case)."""
        s = self.ctx.session
        if s is None or not read_ids:
            return
        case = s.case_number
        if not case:
            self.message("Declare the case first: reads are bookmarked in the case declared.")
            return

        def work() -> int:
            for rid in read_ids:
                self.ctx.ws.cases.bookmark(s, case, rid)
            return len(read_ids)
        self.ctx.db(work, lambda n: self.message(f"{n} read{'s' if n != 1 else ''} bookmarked in case {case}."),
                    self.ctx.inline(lambda text: self.message(f"Not bookmarked: {text}")))

    def print_read(self, read_id: int) -> None:
        self._print(f"read-{read_id}.pdf", lambda s, path: self.ctx.ws.printing.read(s, read_id, path))

    def print_search(self, query: SearchQuery) -> None:
        self._print("search-results.pdf", lambda s, path: self.ctx.ws.printing.search(s, query, path))

    def _print(self, suggested: str, work) -> None:
        """Ask for a file, then print on the database thread (logged before it is written)."""
        s = self.ctx.session
        if s is None or not self.ctx.can("print"):
            return
        path = self.choose_pdf(self.parent, suggested)
        if not path:
            return
        self.ctx.db(lambda: work(s, path), lambda out: self.message(f"Printed to {out} (logged as a print)."),
                    self.ctx.inline(lambda text: self.message(f"Not printed: {text}")))
