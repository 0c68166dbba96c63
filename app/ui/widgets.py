"""Small widgets every screen shares: message lines that never move the controls, a
date-time field in the profile's zone, and a focus ring that shows where the keyboard is.
"""
from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QDate, QDateTime, QRect, QRectF, QSize, Qt, QTime, QTimer
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (QApplication, QDateTimeEdit, QFocusFrame, QLabel, QLineEdit,
                               QSizePolicy, QWidget)

from app.engine import timefmt

ELLIPSIS = "\u2026"


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 read', '2 reads', '0 reads' (with the count)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def password_field(name: str = "") -> QLineEdit:
    """A line edit that hides what is typed (login, lock, password change, first run)."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    if name:
        field.setObjectName(name)
    return field


class MessageLabel(QLabel):
    """A message line whose size never depends on its text.

    A long sentence (an engine refusal, a sync failure) wraps over at most ``lines`` lines and
    is elided beyond them, with the whole text in the tooltip; the label asks the layout for
    the same size whatever it shows, so a message can neither widen the window nor move the
    buttons beside it while the user is clicking them. ``text()`` is the whole message.
    """

    def __init__(self, text: str = "", *, lines: int = 1, width: int = 240,
                 name: str | None = None) -> None:
        super().__init__()
        if name:
            self.setObjectName(name)
        self._full = ""
        self._lines = max(1, lines)
        self._width = width
        self.setWordWrap(self._lines > 1)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(0)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._fix_height()
        self.setText(text)

    def _fix_height(self) -> None:
        m = self.contentsMargins()
        self.setFixedHeight(QFontMetrics(self.font()).lineSpacing() * self._lines
                            + m.top() + m.bottom() + 2)

    # -- the layout sees one constant size --------------------------------------------------------
    def sizeHint(self) -> QSize:   # noqa: N802 - Qt's name
        return QSize(self._width, self.height())

    def minimumSizeHint(self) -> QSize:   # noqa: N802
        return QSize(0, self.height())

    def hasHeightForWidth(self) -> bool:   # noqa: N802
        return False

    # -- the text ---------------------------------------------------------------------------
    def text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:   # noqa: N802
        self._full = str(text or "")
        self._show()

    def clear(self) -> None:
        self.setText("")

    def setStyleSheet(self, sheet: str) -> None:   # noqa: N802 - the font may change
        super().setStyleSheet(sheet)
        self._fix_height()
        self._show()

    def resizeEvent(self, event) -> None:   # noqa: N802
        super().resizeEvent(event)
        self._show()

    def _fits(self, fm: QFontMetrics, text: str, width: int) -> bool:
        if self._lines == 1:
            return fm.horizontalAdvance(text) <= width
        flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
        box = fm.boundingRect(QRect(0, 0, width, 100_000), flags, text)
        return box.height() <= fm.lineSpacing() * self._lines + 1 and box.width() <= width

    def _show(self) -> None:
        text = self._full
        width = self.contentsRect().width()
        self.setToolTip("")
        if text and width > 20:
            fm = QFontMetrics(self.font())
            if self._lines == 1 and "\n" not in text:
                shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
            elif self._fits(fm, text, width):
                shown = text
            else:
                lo, hi = 0, len(text)
                while lo < hi:                  # the longest start that fits with an ellipsis
                    mid = (lo + hi + 1) // 2
                    if self._fits(fm, text[:mid].rstrip() + ELLIPSIS, width):
                        lo = mid
                    else:
                        hi = mid - 1
                shown = text[:lo].rstrip() + ELLIPSIS
            if shown != text:
                self.setToolTip(text)
            text = shown
        super().setText(text)

    @property
    def elided(self) -> bool:
        return super().text() != self._full


class ZoneDateTimeEdit(QDateTimeEdit):
    """A date and time typed as wall-clock time in the profile's zone, whatever the
    workstation's own zone is; ``timestamp()`` and ``set_timestamp()`` speak Unix seconds."""

    def __init__(self, tz: ZoneInfo, ts: float | None = None, name: str | None = None) -> None:
        super().__init__()
        self.tz = tz
        if name:
            self.setObjectName(name)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.setToolTip(f"{timefmt.zone_name(tz)} time ({tz.key})")
        if ts is not None:
            self.set_timestamp(ts)

    def set_timestamp(self, ts: float) -> None:
        t = timefmt.local(int(ts), self.tz)
        self.setDateTime(QDateTime(QDate(t.year, t.month, t.day), QTime(t.hour, t.minute)))

    def timestamp(self) -> int:
        d, t = self.dateTime().date(), self.dateTime().time()
        return timefmt.wall_to_ts(d.year(), d.month(), d.day(), t.hour(), t.minute(), self.tz)


class FocusRing(QFocusFrame):
    """A ring around whatever has the keyboard focus, visible on light and dark screens alike
    (a blue band outside a white one); one ring per application follows the focus."""

    COLOUR = QColor("#1565c0")

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)

    def paintEvent(self, _event) -> None:   # noqa: N802 - Qt's name
        if self.widget() is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect())
        p.setPen(QPen(self.COLOUR, 2.0))
        p.drawRoundedRect(r.adjusted(1, 1, -1, -1), 3, 3)
        p.setPen(QPen(QColor("white"), 1.0))
        p.drawRoundedRect(r.adjusted(2.5, 2.5, -2.5, -2.5), 2, 2)
        p.end()

    def follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not new.isVisible() or new.window() is new or isinstance(new, QFocusFrame):
            self.setWidget(None)
            self.hide()
            return
        self.setWidget(new)
        self.show()
        self.raise_()


class _RingKeeper:
    """Moves the one ring to the focused widget; makes a new ring if a closed dialog took the
    old one with it (the ring lives among the focused widget's siblings)."""

    def __init__(self) -> None:
        self.ring: FocusRing | None = None

    def follow(self, old: QWidget | None, new: QWidget | None) -> None:
        if self.ring is None or not shiboken6.isValid(self.ring):
            self.ring = FocusRing()
        self.ring.follow(old, new)


_KEEPERS: dict[int, _RingKeeper] = {}


def install_focus_ring(app: QApplication | None = None) -> _RingKeeper:
    """One focus ring for the application (installing twice returns the first)."""
    qapp = app or QApplication.instance()
    assert isinstance(qapp, QApplication), "a QApplication is needed for a focus ring"
    keeper = _KEEPERS.get(id(qapp))
    if keeper is None:
        keeper = _KEEPERS[id(qapp)] = _RingKeeper()
        qapp.focusChanged.connect(keeper.follow)
        if qapp.focusWidget() is not None:
            keeper.follow(None, qapp.focusWidget())
    return keeper


def poll_while(timer: QTimer, allowed: bool, poll: Callable[[], None]) -> None:
    """Start a screen's poll (now, then on every tick) for a user it concerns; stop it otherwise."""
    if allowed:
        timer.start()
        poll()
    else:
        timer.stop()


def announce(banner: QLabel, text: str, emit: Callable[[str], None]) -> None:
    """Show news (new hits, new alert matches) in a screen's banner and tell the window."""
    banner.setText(text)
    banner.show()
    emit(text)
