"""The administration screen: people (users, roles, training), sync and the image cache, by grant.

An administrator sees all three; a role that may only sync (a deputy, the custodian) sees the
sync part alone, without the server settings.
"""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from .admin_images import ImageCacheAdmin
from .admin_sync import SyncAdmin
from .admin_users import UsersAdmin
from .context import AppContext


class AdminPanel(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.users = UsersAdmin(ctx)
        self.sync = SyncAdmin(ctx)
        self.images = ImageCacheAdmin(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("adminTabs")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def reset(self) -> None:
        """Nothing of the last session: the people lists and forms are emptied."""
        self.users.reset()

    def start(self) -> None:
        """Show the parts this role may use and load them."""
        self.tabs.clear()
        if self.ctx.can("user_admin"):
            self.tabs.addTab(self.users, "Users and training")
            self.users.refresh()
        if self.ctx.can("sync") or self.ctx.can("settings_admin"):
            self.tabs.addTab(self.sync, "Sync")
            self.sync.start()
        if self.ctx.can("settings_admin"):
            self.tabs.addTab(self.images, "Image cache")
            self.images.start()
