"""A photo viewer with zoom (wheel, +/-, buttons) and pan (drag, arrow keys), a visible badge,
and a full-size viewer in its own window.

The badge says what is on screen ("Original" or "ENHANCED"), so an enhanced picture is never
mistaken for the photo as recorded. The picture fits the view until the user zooms; from
then on the zoom holds (scroll bars appearing or the window resizing do not undo it) until
``0`` or *Fit* asks for the whole picture again.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 20.0


class ImageView(QGraphicsView):
    BADGE = "background: rgba(0,0,0,160); color: white; padding: 2px 6px;"
    BADGE_ENHANCED = "background: #e65100; color: white; font-weight: bold; padding: 2px 6px;"

    def __init__(self, name: str, *, full_size: bool = True) -> None:
        super().__init__()
        self.setObjectName(name)
        self.scene_ = QGraphicsScene(self)
        self.setScene(self.scene_)
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene_.addItem(self.item)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(220, 140)
        self.setToolTip("Wheel or +/- to zoom, drag or arrow keys to move, 0 to fit, "
                        "double-click or F for full size.")
        self.zoom = 1.0
        self.fitted = True              # follows the view's size until the user zooms
        self.image: QImage | None = None
        self.badge_text = ""
        self.viewer: FullSizeViewer | None = None
        self.badge = QLabel(self)
        self.badge.setObjectName("imageBadge")
        self.badge.move(6, 6)
        self.empty = QLabel(self)
        self.empty.setStyleSheet("color: #666;")
        self.empty.move(12, 40)
        self.tools = QWidget(self)
        self.tools.setObjectName("imageTools")
        row = QHBoxLayout(self.tools)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip, slot in (("in", "+", "Zoom in (+)", lambda: self.zoom_by(ZOOM_STEP)),
                                     ("out", "\u2212", "Zoom out (-)",
                                      lambda: self.zoom_by(1 / ZOOM_STEP)),
                                     ("fit", "Fit", "Whole picture (0)", self.fit),
                                     ("full", "\u2922", "Full size in its own window (F)",
                                      self.open_full_size)):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setObjectName(f"zoom_{key}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # the view keeps the keys
            b.setAutoRaise(False)
            b.clicked.connect(slot)
            row.addWidget(b)
            self.buttons[key] = b
        self.full_size = full_size      # offer the full-size window (not inside it)
        self.buttons["full"].setVisible(full_size)
        self.tools.adjustSize()
        self.tools.setVisible(False)

    # -- content ---------------------------------------------------------------------------
    def show_image(self, image: QImage | None, badge: str, empty_text: str = "") -> None:
        self.image, self.badge_text = image, badge if image is not None else ""
        self.item.setPixmap(QPixmap.fromImage(image) if image is not None else QPixmap())
        self.scene_.setSceneRect(self.item.boundingRect())
        self.badge.setText(self.badge_text)
        self.badge.setStyleSheet(self.BADGE_ENHANCED if badge == "ENHANCED" else self.BADGE)
        self.badge.setVisible(image is not None)
        self.badge.adjustSize()
        self.empty.setText("" if image is not None else empty_text)
        self.empty.adjustSize()
        self.tools.setVisible(image is not None)
        self._place_tools()
        self.fit()
        if self.viewer is not None and self.viewer.isVisible():
            self.viewer.view.show_image(image, badge, empty_text)

    @property
    def has_image(self) -> bool:
        return not self.item.pixmap().isNull()

    # -- zoom and pan ------------------------------------------------------------------------
    def fit(self) -> None:
        """The whole picture in the view (and follow the view's size from now on)."""
        self.fitted = True
        if self.has_image:
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoom = self.transform().m11()

    def actual_size(self) -> None:
        """One image pixel per screen pixel."""
        self.fitted = False
        self.resetTransform()
        self.zoom = 1.0

    def zoom_by(self, factor: float) -> None:
        if not self.has_image:
            return
        new = min(max(self.zoom * factor, MIN_ZOOM), MAX_ZOOM)
        if new == self.zoom:
            return
        self.fitted = False
        self.scale(new / self.zoom, new / self.zoom)
        self.zoom = new

    def pan_by(self, dx: int, dy: int) -> None:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + dx)
        v.setValue(v.value() + dy)

    def wheelEvent(self, event) -> None:   # noqa: N802 - Qt's name
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_by(ZOOM_STEP if delta > 0 else 1 / ZOOM_STEP)
        event.accept()

    def keyPressEvent(self, event) -> None:   # noqa: N802
        key, step = event.key(), 40
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(ZOOM_STEP)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_by(1 / ZOOM_STEP)
        elif key == Qt.Key.Key_0:
            self.fit()
        elif key == Qt.Key.Key_1:
            self.actual_size()
        elif key == Qt.Key.Key_F and self.full_size:
            self.open_full_size()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            dx = {Qt.Key.Key_Left: -step, Qt.Key.Key_Right: step}.get(key, 0)
            dy = {Qt.Key.Key_Up: -step, Qt.Key.Key_Down: step}.get(key, 0)
            self.pan_by(dx, dy)
        else:
            super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:   # noqa: N802
        if self.full_size and self.has_image:
            self.open_full_size()
        else:
            super().mouseDoubleClickEvent(event)

    def resizeEvent(self, event) -> None:   # noqa: N802
        super().resizeEvent(event)
        self._place_tools()
        if self.fitted:                 # scroll bars coming and going must not undo a zoom
            self.fit()

    def _place_tools(self) -> None:
        self.tools.adjustSize()
        self.tools.move(max(0, self.width() - self.tools.width() - 6), 6)
        self.tools.raise_()

    # -- full size --------------------------------------------------------------------------
    def open_full_size(self) -> FullSizeViewer | None:
        if self.image is None:
            return None
        if self.viewer is None:
            self.viewer = FullSizeViewer(self)
        self.viewer.view.show_image(self.image, self.badge_text)
        self.viewer.setWindowTitle(f"{self.badge_text or 'Photo'}: "
                                   f"{self.image.width()} x {self.image.height()} pixels")
        self.viewer.show_full()
        return self.viewer

    def close_viewer(self) -> None:
        if self.viewer is not None:
            self.viewer.close()


class FullSizeViewer(QDialog):
    """The photo at one image pixel per screen pixel in its own resizable window, with the
    same zoom, pan and badge; Esc closes it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("fullSizeViewer")
        self.setModal(False)
        self.view = ImageView("fullSizeImage", full_size=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view)
        hint = QLabel("Wheel or +/- zoom, drag or arrow keys move, 0 fits, 1 is actual size, "
                      "Esc closes.")
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)

    def show_full(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() else None
        img = self.view.image
        w, h = (img.width() + 40, img.height() + 70) if img is not None else (800, 600)
        if screen is not None:
            w, h = min(w, int(screen.width() * 0.9)), min(h, int(screen.height() * 0.9))
        self.resize(max(w, 320), max(h, 240))
        self.show()
        self.raise_()
        self.activateWindow()
        self.view.actual_size()
        self.view.setFocus()
