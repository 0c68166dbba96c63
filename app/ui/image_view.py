"""A photo viewer with zoom (wheel, +/-) and pan (drag), and a visible badge.

The badge says what is on screen ("Original" or "Enhanced: contrast + sharpen"), so an
enhanced picture is never mistaken for the photo as recorded.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QLabel


class ImageView(QGraphicsView):
    BADGE = "background: rgba(0,0,0,160); color: white; padding: 2px 6px;"
    BADGE_ENHANCED = "background: #e65100; color: white; font-weight: bold; padding: 2px 6px;"

    def __init__(self, name: str) -> None:
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
        self.setMinimumSize(220, 140)
        self.zoom = 1.0
        self.badge = QLabel(self)
        self.badge.setObjectName("imageBadge")
        self.badge.move(6, 6)
        self.empty = QLabel(self)
        self.empty.setStyleSheet("color: #666;")
        self.empty.move(12, 40)

    def show_image(self, image: QImage | None, badge: str, empty_text: str = "") -> None:
        self.item.setPixmap(QPixmap.fromImage(image) if image is not None else QPixmap())
        self.scene_.setSceneRect(self.item.boundingRect())
        self.badge.setText(badge if image is not None else "")
        self.badge.setStyleSheet(self.BADGE_ENHANCED if badge == "ENHANCED" else self.BADGE)
        self.badge.setVisible(image is not None)
        self.badge.adjustSize()
        self.empty.setText("" if image is not None else empty_text)
        self.empty.adjustSize()
        self.fit()

    def fit(self) -> None:
        if not self.item.pixmap().isNull():
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoom = self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        new = min(max(self.zoom * factor, 0.05), 20.0)
        self.scale(new / self.zoom, new / self.zoom)
        self.zoom = new

    def wheelEvent(self, event) -> None:   # noqa: N802 - Qt's name
        self.zoom_by(1.25 if event.angleDelta().y() > 0 else 0.8)

    def keyPressEvent(self, event) -> None:   # noqa: N802
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
        elif event.key() == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
        elif event.key() == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:   # noqa: N802
        super().resizeEvent(event)
        self.fit()
