"""Results as pictures: a grid of plate crops with a thumbnail of the scene, for eyeballing many
reads at once. It is a second view on the results table's own model and selection model, so
switching between them keeps the selection and scrolling pulls the same pages."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (QAbstractItemView, QListView, QStyle, QStyledItemDelegate,
                               QStyleOptionViewItem)

from app.engine import states

from .context import AppContext
from .picture_cache import PLATE_SIZE, SCENE_SIZE, PictureCache
from .results_model import ResultsModel

CARD = QSize(192, 208)


class CardDelegate(QStyledItemDelegate):
    """One read as a card: the crop, the scene, plate and state, time and camera."""

    def __init__(self, model: ResultsModel, cache: PictureCache, ctx: AppContext) -> None:
        super().__init__()
        self.model, self.cache, self.ctx = model, cache, ctx

    def sizeHint(self, _option, _index) -> QSize:       # noqa: N802 - Qt's name
        return CARD

    def paint(self, p: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        row = index.row()
        if not 0 <= row < len(self.model.rows):
            return
        r = self.model.rows[row]
        box = QRectF(option.rect).adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("#0b57d0") if selected else QColor("#cfcfcf"), 3 if selected else 1))
        p.setBrush(QColor("#eef3fd") if selected else QColor("#ffffff"))
        p.drawRoundedRect(box, 5, 5)
        thumbs = self.cache.get(r.id)
        x, y = box.left() + 4, box.top() + 4
        crop = QRectF(x, y, *PLATE_SIZE)
        scene = QRectF(x, y + PLATE_SIZE[1] + 4, *SCENE_SIZE)
        for rect, img, what in ((crop, thumbs and thumbs.plate, "plate crop"),
                                (scene, thumbs and thumbs.scene, "scene")):
            if img:
                at = QRectF(rect.x() + (rect.width() - img.width()) / 2,
                            rect.y() + (rect.height() - img.height()) / 2, img.width(), img.height())
                p.drawImage(at, img)
            else:
                p.fillRect(rect, QColor("#e9e9e9"))
                p.setPen(QColor("#777777"))
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter,
                           "loading..." if thumbs is None else f"no {what}")
        font = QFont(option.font)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("#b00020") if r.has_hit else QColor("#111111"))
        text_y = scene.bottom() + 2
        p.drawText(QRectF(x, text_y, PLATE_SIZE[0], 16), Qt.AlignmentFlag.AlignLeft,
                   f"{r.plate} {states.shown(r.plate_state)}" + ("  HIT" if r.has_hit else ""))
        font.setBold(False)
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        p.setFont(font)
        p.setPen(QColor("#444444"))
        line = f"{r.camera_id}  {self.ctx.fmt_time(r.read_at, seconds=False)}"
        p.drawText(QRectF(x, text_y + 16, PLATE_SIZE[0], 14), Qt.AlignmentFlag.AlignLeft,
                   p.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight, PLATE_SIZE[0]))
        p.restore()


class ResultsGrid(QListView):
    def __init__(self, ctx: AppContext, model: ResultsModel, table) -> None:
        super().__init__()
        self.setObjectName("resultsGrid")
        self.cache = PictureCache(ctx)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSpacing(2)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setModel(model)
        self.setSelectionModel(table.selectionModel())      # one selection for both views
        self.setItemDelegate(CardDelegate(model, self.cache, ctx))
        self.cache.arrived.connect(self.viewport().update)
        model.modelReset.connect(self.cache.clear)
        ctx.session_changed.connect(self.cache.clear)
        ctx.purpose_changed.connect(self.cache.clear)
