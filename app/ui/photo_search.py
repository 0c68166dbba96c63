"""Search by photo: read the plates in a witness's picture, then search for each reading.

A witness photo is blurred and angled, so the engine returns several candidate readings
with their confidence and a similar-plate search for the best ones; the investigator picks
the reading that matches the photo rather than trusting the first. The photo is shown with
the box each reading came from outlined, so the investigator can see what was read (the
plate, not a sign or a sticker). The photo is read and logged by its SHA-256 only; its
bytes are never stored.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGraphicsRectItem,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.engine.errors import BadImage
from app.engine.ocr.service import PhotoSearch

from .context import AppContext
from .enhance import decode, to_qimage
from .image_view import ImageView

ImageChooser = Callable[[QWidget], str | None]
BOX_ROLE = Qt.ItemDataRole.UserRole + 1
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.bmp *.tif *.tiff *.webp);;All files (*)"


def choose_image(parent: QWidget) -> str | None:
    """The desktop's file picker (tests inject their own chooser instead)."""
    path, _ = QFileDialog.getOpenFileName(parent, "Choose a photo of the vehicle", "", IMAGE_FILTER)
    return path or None


class PhotoSearchDialog(QDialog):
    """Pick a photo, see its candidate plates; activating one emits ``plate_chosen``."""

    plate_chosen = Signal(str)

    def __init__(self, ctx: AppContext, chooser: ImageChooser = choose_image,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.chooser = chooser
        self.outcome: PhotoSearch | None = None
        self.setObjectName("photoSearchDialog")
        self.setWindowTitle("Search by photo")
        self.resize(720, 620)
        self.pick_button = QPushButton("Choose photo...")
        self.pick_button.setObjectName("choosePhotoButton")
        self.pick_button.clicked.connect(self.pick)
        self.status = QLabel("Choose a photo showing the vehicle's plate.")
        self.status.setObjectName("photoStatus")
        self.status.setWordWrap(True)
        self.candidates = QListWidget()
        self.candidates.setObjectName("photoCandidates")
        self.candidates.itemActivated.connect(self._activated)
        self.candidates.itemClicked.connect(self._activated)
        self.candidates.currentItemChanged.connect(self._outline)
        self.preview = ImageView("photoPreview")
        self.box = QGraphicsRectItem()
        pen = QPen(QColor("#d50000"), 3)
        pen.setCosmetic(True)           # the same width at any zoom
        self.box.setPen(pen)
        self.box.setZValue(1)
        self.box.setVisible(False)
        self.preview.scene_.addItem(self.box)
        hint = QLabel("Click a reading to search for it (similar plates, closest first).")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pick_button)
        layout.addWidget(self.status)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.preview)
        split.addWidget(self.candidates)
        split.setSizes([380, 160])
        layout.addWidget(split, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def pick(self) -> None:
        path = self.chooser(self)
        if path:
            self.run(Path(path))

    def run(self, path: Path) -> None:
        """Read the file on the pool, then OCR and search on the database thread."""
        ws, session = self.ctx.ws, self.ctx.session
        self.candidates.clear()
        self.box.setVisible(False)
        self.preview.show_image(None, "")
        self.status.setText(f"Reading {path.name}...")
        self.pick_button.setEnabled(False)

        def failed(text: str) -> None:
            self.pick_button.setEnabled(True)
            self.status.setText(f"Not searched: {text}")
        inline = self.ctx.inline(failed)

        def load() -> bytes:
            try:
                return path.read_bytes()
            except OSError as exc:
                raise BadImage(f"Cannot open {path.name}: {exc.strerror or exc}.") from exc

        def loaded(photo: bytes) -> None:
            self.ctx.runner.db(lambda: ws.ocr.search_by_photo(session, photo),
                               self.show_outcome,  # type: ignore[arg-type]  # the callback gets what the task returns
                               inline, label="a search by photo")
            # the preview only; a photo that cannot be decoded is reported by the search
            self.ctx.runner.pool(lambda: to_qimage(decode(photo)), self._show_photo,
                                 self.ctx.inline(lambda _text: None))
        self.ctx.runner.pool(load, loaded, inline)  # type: ignore[arg-type]  # the callback gets what the task returns

    def show_outcome(self, outcome: PhotoSearch) -> None:
        self.outcome = outcome
        self.pick_button.setEnabled(True)
        self.candidates.clear()
        for c in outcome.candidates:
            page = outcome.pages.get(c.text)
            found = ("not searched (too short or below the top readings)" if page is None else
                     f"{len(page.rows)}{'+' if page.has_more else ''} similar reads")
            item = QListWidgetItem(f"{c.text}    confidence {c.confidence:.2f}    {found}")
            item.setData(Qt.ItemDataRole.UserRole, c.text)
            item.setData(BOX_ROLE, c.box)
            self.candidates.addItem(item)
        if outcome.candidates:
            self.candidates.setCurrentRow(0)
        self.status.setText(f"{len(outcome.candidates)} possible plates read in the photo."
                            if outcome.candidates else
                            "No plate could be read in this photo. Try a sharper or closer one.")

    def _activated(self, item: QListWidgetItem) -> None:
        self.plate_chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def _show_photo(self, image) -> None:
        self.preview.show_image(image, "Witness photo")
        self._outline(self.candidates.currentItem())

    def _outline(self, item: QListWidgetItem | None, _previous=None) -> None:
        """Outline the box the selected reading came from (none for a photo read whole)."""
        box = item.data(BOX_ROLE) if item is not None else None
        shown = box is not None and not self.preview.item.pixmap().isNull()
        if shown:
            self.box.setRect(QRectF(*box))
        self.box.setVisible(shown)
