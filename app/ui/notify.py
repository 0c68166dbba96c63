"""Hit notifications on the desktop: a system-tray message with the plate crop and the
hotlist's priority, and the same notice as a toast inside the window, whatever screen is open.

The engine decides what is news and for whom (``ws.alerts.hit_notices``: new hits since the
last poll, minus what the user muted; a logged view when it shows anything); this module only
polls it on the database thread and shows the answer. The tray message is the desktop's (it
may not show where there is no tray); the toast is ours, so nothing depends on the desktop.
A sound is optional (a per-desktop preference in QSettings).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel, QPushButton,
                               QSystemTrayIcon, QVBoxLayout, QWidget)

from app.engine import states

from .context import AppContext
from .widgets import poll_while

SOUND_KEY = "notify/sound"
SHOW_MS = 20000


def _pixmap(crop: bytes | None) -> QPixmap:
    pix = QPixmap()
    if not crop or not pix.loadFromData(crop):
        pix = QPixmap(64, 32)
        pix.fill(QColor("#c62828"))
    return pix


class Toast(QFrame):
    """The notice inside the window: crop, priority, plate and list; 'Open hits' or dismiss."""

    open_hits = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("hitToast")
        self.setStyleSheet("#hitToast { background: #fff3e0; border: 2px solid #c62828; border-radius: 6px; }")
        self.crop = QLabel()
        self.crop.setObjectName("toastCrop")
        self.crop.setFixedSize(128, 48)
        self.crop.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel()
        self.title.setObjectName("toastTitle")
        self.title.setStyleSheet("font-weight: bold; color: #b71c1c;")
        self.body = QLabel()
        self.body.setObjectName("toastBody")
        self.body.setWordWrap(True)
        go = QPushButton("Open hits")
        go.setObjectName("toastOpen")
        go.clicked.connect(self.open_hits)
        go.clicked.connect(self.hide)
        close = QPushButton("Dismiss")
        close.clicked.connect(self.hide)
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.body)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self.crop)
        row.addLayout(text, 1)
        row.addWidget(go)
        row.addWidget(close)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.hide)
        self.hide()

    def show_notice(self, title: str, body: str, crop: QPixmap) -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.crop.setPixmap(crop.scaled(self.crop.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation))
        self.show()
        self.timer.start(SHOW_MS)


class HitNotifier(QObject):
    """Polls for new hits and shows each batch in the tray and the toast."""

    notified = Signal(str, str)         # title and text of what was shown

    def __init__(self, ctx: AppContext, toast: Toast, settings: QSettings, parent: QWidget | None = None,
                 poll_ms: int = 5000) -> None:
        super().__init__(parent)
        self.ctx, self.toast, self.settings = ctx, toast, settings
        self.mark: int | None = None
        self.tray = QSystemTrayIcon(QIcon(_pixmap(None)), self)
        self.tray.setToolTip("ALPR workstation: hit notifications")
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)

    @property
    def sound(self) -> bool:
        return bool(self.settings.value(SOUND_KEY, False, type=bool))

    def set_sound(self, on: bool) -> None:
        self.settings.setValue(SOUND_KEY, bool(on))

    def start(self) -> None:
        """A (new) user: hits already there are not news; poll from now on."""
        self.mark = None
        self.toast.hide()
        poll_while(self.timer, self.ctx.can("hotlist_view"), self.poll)

    def stop(self) -> None:
        self.timer.stop()
        self.toast.hide()

    def poll(self) -> None:
        s = self.ctx.session
        if s is None or s.locked or s.ended:
            return
        ws, mark = self.ctx.ws, self.mark
        self.ctx.db(lambda: ws.alerts.hit_notices(s, mark), self._polled, lambda _e: None)

    def _polled(self, batch) -> None:
        self.mark = batch.mark
        if batch.notices:
            self.show_batch(batch)

    def show_batch(self, batch) -> None:
        top = batch.notices[0]                      # the most urgent comes first
        state = top.plate_state or states.UNKNOWN_TEXT
        title = f"HIT, priority {top.priority}: {top.plate} ({state})"
        text = (f"{top.hotlist}: {top.reason}. Read {self.ctx.fmt_time(top.read_at)} at {top.site}.")
        if len(batch.notices) > 1:
            text += f" And {len(batch.notices) - 1} more new hits."
        crop = _pixmap(top.crop)
        self.tray.showMessage(title, text, QIcon(crop), SHOW_MS)
        self.toast.show_notice(title, text, crop)
        if self.sound:
            QApplication.beep()
        self.notified.emit(title, text)
