"""The image cache, for the administrator: how full it is, and its budget and prefetch window.

Images beyond the prefetch window come from the city server when someone views a read and stay
in the encrypted store under a budget (``ws.images``). Lowering the budget evicts the least
recently viewed images at once, never a pinned one (holds, evidence, open hits); the screen
says how many left. The engine checks the grant (``settings_admin``) and logs the change.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QFormLayout, QGroupBox, QLabel, QPushButton, QSizePolicy, QSpinBox, QVBoxLayout,
                               QWidget)

from app.engine.image_cache import MAX_PREFETCH_DAYS, CacheStatus

from .context import AppContext
from .widgets import MessageLabel

MIN_BUDGET_MB, MAX_BUDGET_MB = 100, 10_000_000          # up to 10 TB


class ImageCacheAdmin(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.used = QLabel()
        self.used.setObjectName("cacheUsed")
        self.used.setWordWrap(True)
        self.pinned = QLabel()
        self.pinned.setObjectName("cachePinned")
        self.prefetch_now = QLabel()
        self.budget = QSpinBox()
        self.budget.setObjectName("cacheBudget")
        self.budget.setRange(MIN_BUDGET_MB, MAX_BUDGET_MB)
        self.budget.setSingleStep(1000)
        self.budget.setSuffix(" MB")
        self.prefetch = QSpinBox()
        self.prefetch.setObjectName("cachePrefetch")
        self.prefetch.setRange(0, MAX_PREFETCH_DAYS)
        self.prefetch.setSpecialValueText("none (images only when viewed, and of hits and holds)")
        self.prefetch.setSuffix(" days")
        self.save = QPushButton("Save image cache settings")
        self.save.setObjectName("saveCache")
        self.save.clicked.connect(self.save_settings)
        self.result = MessageLabel(lines=2, width=300, name="cacheResult")
        self.message = MessageLabel(lines=2, width=300, name="message")
        self.message.setStyleSheet("color: #b00020;")

        now = QGroupBox("Image cache (encrypted, in the store)")
        shown = QFormLayout(now)
        shown.addRow("Used", self.used)
        shown.addRow("Pinned", self.pinned)
        shown.addRow("Prefetch window", self.prefetch_now)
        change = QGroupBox("Settings")
        form = QFormLayout(change)
        for fixed in (self.budget, self.prefetch, self.save):   # a number needs no screen's width
            fixed.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        form.addRow("Budget", self.budget)
        form.addRow("Prefetch the last", self.prefetch)
        form.addRow(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(now)
        layout.addWidget(change)
        layout.addWidget(self.result)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def start(self) -> None:
        """Load the cache's status (the engine refuses anyone but the administrator)."""
        self.message.clear()
        self.result.clear()
        images, s = self.ctx.ws.images, self.ctx.session
        self.ctx.db(lambda: images.status(s), self.show_status, self.ctx.inline(self.message.setText))

    def show_status(self, st: CacheStatus) -> None:
        share = 100 * st.bytes / st.settings.budget_bytes
        self.used.setText(f"{st.bytes / 1e6:,.1f} MB of {st.settings.budget_mb:,} MB ({share:.1f}%), "
                          f"{st.images:,} images")
        self.pinned.setText(f"{st.pinned_images:,} images (holds, evidence packages, open hits): "
                            "never evicted")
        self.prefetch_now.setText(f"the last {st.settings.prefetch_days} days, and every hit and hold")
        self.budget.setValue(st.settings.budget_mb)
        self.prefetch.setValue(st.settings.prefetch_days)

    def save_settings(self) -> None:
        images, s = self.ctx.ws.images, self.ctx.session
        budget, days = self.budget.value(), self.prefetch.value()
        self.message.clear()

        def saved(st: CacheStatus) -> None:
            self.show_status(st)
            self.result.setText("Settings saved. " + (
                f"{st.evicted:,} images ({st.freed / 1e6:,.1f} MB) left the cache to fit the budget."
                if st.evicted else "Nothing had to leave the cache."))
        self.ctx.db(lambda: images.configure(s, budget, days), saved,
                    self.ctx.inline(self.message.setText))
