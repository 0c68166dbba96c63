"""One read in full: plate crop and overview photo, facts, other sightings, timeline, enhance.

Opening a read is a logged view in the engine (the read and each image), so the panel asks
only when the user selects a read. Images are decoded and enhanced on the pool, never on
the GUI thread. When our OCR disagrees with the vendor, both readings are shown side by
side with a warning, since a misread plate puts the wrong person in an investigation.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QSplitter, QVBoxLayout, QWidget)

from app.engine import states
from app.engine.errors import ImageOffline, NotFound
from app.engine.reads import ReadDetail

from . import enhance, style
from .context import AppContext
from .detail_actions import DetailActions
from .image_view import ImageView
from .timeline import TimelineChart

ENHANCED = "ENHANCED"
ENHANCED_NOTE = ("Enhanced views (contrast + sharpen) are for reading only; the stored photos "
                 "are unchanged and are what any export contains.")


class ReadDetailPanel(QWidget):
    read_requested = Signal(int)       # the user opened another sighting from the list
    read_loaded = Signal(object)       # ReadRow as the engine now holds it (after a correction)

    def __init__(self, ctx: AppContext, name: str = "readDetail") -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName(name)
        self.failure = None             # where a refusal to open a read goes (None: presenter)
        self.detail: ReadDetail | None = None
        self.pictures: dict[str, enhance.Pictures | None] = {}
        self.missing: dict[str, str] = {}      # why an image is not shown (e.g. not available offline)
        self.plate_label = QLabel("No read selected")
        self.plate_label.setObjectName("plateTitle")
        self.plate_label.setStyleSheet(style.PLATE_TITLE)
        self.misread = QLabel()
        self.misread.setObjectName("misreadBanner")
        self.misread.setWordWrap(True)
        self.misread.setStyleSheet("background: #fff3cd; color: #7a4b00; padding: 6px;"
                                   "border: 1px solid #e0b44c;")
        self.misread.hide()
        self.enhance_box = QCheckBox("Enhance (contrast + sharpen)")
        self.enhance_box.setObjectName("enhanceToggle")
        self.enhance_box.toggled.connect(self._show_pictures)
        self.plate_view, self.scene_view = ImageView("plateImage"), ImageView("sceneImage")
        self.enhanced_note = QLabel(ENHANCED_NOTE)
        self.enhanced_note.setObjectName("enhancedNote")
        self.enhanced_note.setStyleSheet("color: #7a4b00;")
        self.enhanced_note.setWordWrap(True)
        self.enhanced_note.hide()

        self.facts = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for field in ("Time", "Camera", "Site", "Direction", "Location", "Confidence", "Vendor",
                      "Vehicle", "Our OCR", "Hits", "Corrections"):
            label = QLabel()
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[field] = label
            self.facts.addRow(field, label)
        self.others = QListWidget()
        self.others.setObjectName("otherSightings")
        self.others.itemActivated.connect(
            lambda item: self.read_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.timeline = TimelineChart(ctx.tz)
        self.actions = DetailActions(ctx)  # type: ignore[assignment, method-assign]  # self.actions shadows QWidget.actions() on purpose
        self.actions.changed.connect(self.load)  # type: ignore[attr-defined]  # self.actions shadows QWidget.actions() on purpose

        images = QSplitter(Qt.Orientation.Horizontal)
        images.addWidget(self.plate_view)
        images.addWidget(self.scene_view)
        images.setSizes([300, 600])
        header = QHBoxLayout()
        header.addWidget(self.plate_label, 1)
        header.addWidget(self.enhance_box)
        facts_box = QGroupBox("Read")
        facts_box.setLayout(self.facts)
        others_box = QGroupBox("Other reads of this plate")
        others_layout = QVBoxLayout(others_box)
        others_layout.addWidget(self.others, 1)
        others_layout.addWidget(self.timeline)
        lower = QHBoxLayout()
        lower.addWidget(facts_box, 2)
        lower.addWidget(others_box, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.actions)  # type: ignore[arg-type]  # self.actions shadows QWidget.actions() on purpose
        layout.addWidget(self.misread)
        layout.addWidget(images, 3)
        layout.addWidget(self.enhanced_note)
        layout.addLayout(lower, 2)

    # -- loading ----------------------------------------------------------------------------------
    def load(self, read_id: int) -> None:
        """Open a read: the logged view and its images on the database thread."""
        ws, session = self.ctx.ws, self.ctx.session

        def fetch():
            detail = ws.read_detail(session, read_id)
            images, missing = {}, {}
            for kind in ("plate", "scene"):
                try:
                    images[kind] = ws.image(session, read_id, kind)
                except NotFound as exc:
                    images[kind] = None
                    missing[kind] = str(exc) if isinstance(exc, ImageOffline) else ""
            return detail, images, missing
        self.plate_label.setText("Loading...")

        def failed(exc: BaseException) -> None:
            if self.detail is None or self.detail.read.id != read_id:
                self.clear()
            else:
                self._show_facts(self.detail)
            (self.failure or self.ctx.runner.fail)(exc)
        self.ctx.db(fetch, self._loaded, failed)

    def _loaded(self, result) -> None:
        detail, images, self.missing = result
        self.detail = detail
        self.read_loaded.emit(detail.read)
        self._show_facts(detail)
        self.pictures = {}

        def decode_all():
            return {k: enhance.prepare(v) if v else None for k, v in images.items()}
        read_id = detail.read.id

        def decoded(pics) -> None:
            if self.detail is not None and self.detail.read.id == read_id:
                self.pictures = pics
                self._show_pictures()
        self.ctx.runner.pool(decode_all, decoded)

    def clear(self) -> None:
        self.detail, self.pictures, self.missing = None, {}, {}
        for view in (self.plate_view, self.scene_view):
            view.close_viewer()
        self.plate_label.setText("No read selected")
        self.misread.hide()
        self.actions.set_read(None)  # type: ignore[attr-defined]  # self.actions shadows QWidget.actions() on purpose
        for label in self.fields.values():
            label.clear()
        self.others.clear()
        self.timeline.set_reads(None, [])
        self._show_pictures()

    # -- showing ----------------------------------------------------------------------------------
    def _show_facts(self, d: ReadDetail) -> None:
        r = d.read
        self.actions.set_read(d)  # type: ignore[attr-defined]  # self.actions shadows QWidget.actions() on purpose
        self.plate_label.setText(f"{r.plate}  {r.plate_state or '(state unknown)'}   (read {r.id})")
        f = self.fields
        f["Time"].setText(self.ctx.fmt_time(r.read_at))
        f["Camera"].setText(f"{r.camera_name} ({r.camera_id})")
        f["Site"].setText(r.site)
        f["Direction"].setText(d.direction or "-")
        f["Location"].setText(f"{d.lat:.5f}, {d.lon:.5f}" if d.lat is not None else "-")
        f["Confidence"].setText(f"{r.confidence:.2f}")
        f["Vendor"].setText(r.vendor or "-")
        f["Vehicle"].setText(r.vehicle.text() or "not sent by the camera")
        f["Our OCR"].setText(f"{d.ocr_plate} ({d.ocr_confidence:.2f})" if d.ocr_plate and
                             d.ocr_confidence is not None else (d.ocr_plate or "not re-read"))
        f["Hits"].setText("; ".join(f"{h.hotlist} ({h.source}), priority {h.priority}: {h.reason}"
                                    + ("" if h.entry_state and r.plate_state else f" ({states.UNKNOWN_TEXT})")
                                    + (f" - {h.disposition}" if h.disposition else "")
                                    for h in d.hits) or "none")
        f["Corrections"].setText("; ".join(f"{c.old_plate} -> {c.new_plate} by {c.username}: {c.reason}"
                                           for c in d.corrections) or "none")
        disagree = d.ocr_plate and d.ocr_plate != r.plate
        if r.possible_misread or disagree:
            self.misread.setText(
                f"POSSIBLE MISREAD. Vendor reading: {r.original_plate or r.plate} "
                f"(confidence {r.confidence:.2f}). Our OCR reading: {d.ocr_plate or 'none'}"
                + (f" (confidence {d.ocr_confidence:.2f})" if d.ocr_confidence is not None else "")
                + ". Compare with the plate photo before acting on this read.")
            self.misread.show()
        else:
            self.misread.hide()
        self.others.clear()
        for o in d.other_sightings:
            item = QListWidgetItem(f"{self.ctx.fmt_time(o.read_at)}   {o.camera_name}   {o.site}")
            item.setData(Qt.ItemDataRole.UserRole, o.id)
            self.others.addItem(item)
        self.timeline.set_reads(r, d.other_sightings)

    def _show_pictures(self, *_args) -> None:
        enhanced = self.enhance_box.isChecked()
        self.enhanced_note.setVisible(enhanced)
        for kind, view in (("plate", self.plate_view), ("scene", self.scene_view)):
            pics = self.pictures.get(kind)
            if pics is None:
                empty = (self.missing.get(kind) or "No image held for this read.") if self.detail else ""
                view.show_image(None, "", empty)
                continue
            img = pics.enhanced if enhanced else pics.original
            view.show_image(enhance.to_qimage(img), ENHANCED if enhanced else "Original",
                            "")
