"""The main window: purpose bar, the screens a role may use, status bar, lock, shortcuts.

Screens a role has no grant for are hidden (the engine refuses them anyway, and logs the
refusal); the purpose bar and status bar show, at all times, who is signed in and for what
purpose and case, so the person at the desk and the access log always agree.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QLabel, QMainWindow, QMessageBox, QSplitter,
                               QStackedWidget, QTabWidget, QVBoxLayout, QWidget)

from .admin_panel import AdminPanel
from .audit_panel import AuditPanel
from .context import AppContext
from .detail import ReadDetailPanel
from .hits_panel import HitsPanel
from .lock import IdleWatcher, LockScreen
from .login import LoginDialog
from .password_dialog import PasswordDialog
from .purpose import PurposeBar
from .read_actions import ReadActions
from .search_panel import SearchPanel


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, settings: QSettings | None = None,
                 choose_path: Callable[[QWidget], str | None] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.settings = settings if settings is not None else QSettings()
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"ALPR investigator workstation - {ctx.ws.profile.agency}")
        ctx.presenter.parent = self
        ctx.presenter.on_locked = self.show_lock

        self.purpose_bar = PurposeBar(ctx)
        self.search = SearchPanel(ctx)
        self.detail = ReadDetailPanel(ctx)
        self.search.read_selected.connect(self.detail.load)
        self.detail.read_requested.connect(self.detail.load)
        self.detail.read_loaded.connect(self.search.model.refresh_read)
        self.read_actions = ReadActions(ctx, self, self.search)
        self.search.photo_requested.connect(self.read_actions.photo_search)
        for source in (self.search, self.detail.actions):
            source.export_requested.connect(self.read_actions.export)  # type: ignore[union-attr]  # the search panel or the detail's action bar: both have these signals
            source.hold_requested.connect(self.read_actions.hold)  # type: ignore[union-attr]  # the search panel or the detail's action bar: both have these signals
        search_tab = QSplitter(Qt.Orientation.Horizontal)
        search_tab.setObjectName("searchSplitter")
        search_tab.addWidget(self.search)
        search_tab.addWidget(self.detail)
        search_tab.setSizes([760, 820])
        self.hits = HitsPanel(ctx)
        self.hits.read_requested.connect(self.open_read)
        self.audit = AuditPanel(ctx, choose_path)
        self.admin = AdminPanel(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("screens")
        self.screens = {"search": search_tab, "hits": self.hits, "audit": self.audit,
                        "admin": self.admin}
        self.titles = {"search": "Search", "hits": "Hits", "audit": "Audit",
                       "admin": "Administration"}
        self.analyses = None                # built for the first user who may analyse

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.purpose_bar)
        layout.addWidget(self.tabs, 1)
        self.lock_screen = LockScreen(ctx)
        self.lock_screen.unlocked.connect(self.hide_lock)
        self.stack = QStackedWidget()
        self.stack.addWidget(content)
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)

        self.status_user, self.status_purpose = QLabel(), QLabel()
        self.status_case, self.status_sync = QLabel(), QLabel(ctx.sync_state)
        for w in (self.status_user, self.status_purpose, self.status_case, self.status_sync):
            w.setContentsMargins(8, 0, 12, 0)
        for w in (self.status_user, self.status_purpose, self.status_case):
            self.statusBar().addWidget(w)
        self.statusBar().addPermanentWidget(self.status_sync)
        ctx.sync_state_changed.connect(self.status_sync.setText)
        ctx.purpose_changed.connect(self.update_status)
        ctx.session_changed.connect(self.apply_role)
        self.hits.alert.connect(self._hit_alert)

        self.watcher = IdleWatcher(ctx.ws.clock, ctx.ws.profile.idle_lock_minutes)
        self.watcher.idle.connect(self.lock_now)
        QApplication.instance().installEventFilter(self.watcher)
        self._build_menus()
        self.restore_state()
        if ctx.session is not None:
            self.apply_role()

    def _mount_analyses(self) -> None:
        """The analysis panels (issue 7) where this build has them, after Search."""
        try:
            from .analyses import AnalysesTabs
        except ImportError:
            return
        tabs = AnalysesTabs(self.ctx.ws, self.ctx.session, self.ctx.runner)
        tabs.read_activated.connect(self.open_read)
        tabs.camera_clicked.connect(self.search.filter_camera)
        for signal in (self.ctx.session_changed, self.ctx.purpose_changed):
            signal.connect(lambda: tabs.set_session(self.ctx.session))
        screens = dict(self.screens)
        self.screens = {"search": screens.pop("search"), "analyses": tabs, **screens}
        self.titles["analyses"] = "Analyses"
        self.analyses = tabs  # type: ignore[assignment]  # set once created

    # -- menus and shortcuts ----------------------------------------------------------------------
    def _action(self, menu, text: str, shortcut: str | None, slot) -> QAction:
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        f = bar.addMenu("&Session")
        self.lock_action = self._action(f, "&Lock now", "Ctrl+L", self.lock_now)
        self._action(f, "Change &password...", None, self.change_password)
        self._action(f, "Log &out", None, self.log_out)
        self._action(f, "&Quit", "Ctrl+Q", self.close)
        go = bar.addMenu("&Go")
        self.find_action = self._action(go, "&Search", "Ctrl+F", self.focus_search)
        self.next_action = self._action(go, "&Next result", "Ctrl+N", lambda: self.search.step(1))
        self.prev_action = self._action(go, "&Previous result", "Ctrl+P",
                                        lambda: self.search.step(-1))
        reads = bar.addMenu("&Reads")
        self.photo_action = self._action(reads, "Search by &photo...", "Ctrl+Shift+P",
                                         self.photo_search)
        self.export_action = self._action(
            reads, "&Export selected as evidence...", None,
            lambda: self.read_actions.export(self.search.selected_ids()))
        self.hold_action = self._action(reads, "Place &hold on selected...", None,
                                        lambda: self.read_actions.hold(self.search.selected_ids()))
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About", None, self.about)

    def focus_search(self) -> None:
        if "search" in self.visible_screens():
            self.tabs.setCurrentWidget(self.screens["search"])
            self.search.plate.setFocus()
            self.search.plate.selectAll()

    def photo_search(self) -> None:
        if "search" in self.visible_screens():
            self.tabs.setCurrentWidget(self.screens["search"])
            self.read_actions.photo_search()

    def about_text(self) -> str:
        p = self.ctx.ws.profile
        return (f"<b>ALPR investigator workstation</b><br>Policy in force: <b>{p.name}</b> "
                f"({p.policy_reference})<br>Agency: {p.agency}<br>Law: {p.statute}<br>"
                f"Retention: {p.retention_days} days ({p.retention_basis})<br>"
                f"Idle lock after {p.idle_lock_minutes} minutes; {len(p.purposes)} authorised "
                f"purposes; roles: {', '.join(p.roles)}.")

    def about(self) -> None:
        QMessageBox.about(self, "About", self.about_text())

    def change_password(self) -> None:
        if self.ctx.session is None:
            return
        self.password_dialog = PasswordDialog(self.ctx, self)
        self.password_dialog.accepted.connect(
            lambda: self.statusBar().showMessage("Password changed.", 10000))
        self.password_dialog.open()

    # -- session and role -----------------------------------------------------------------------
    def visible_screens(self) -> list[str]:
        c = self.ctx
        show = {"search": c.can("search"), "analyses": c.can("analysis"),
                "hits": c.can("hotlist_view") or c.can("hit_disposition"),
                "audit": c.can("audit_view"),
                "admin": c.can("user_admin") or c.can("settings_admin") or c.can("sync")}
        return [k for k, v in show.items() if v and k in self.screens]

    def apply_role(self) -> None:
        """Show only the screens this role may use; reload what the new user may see."""
        if self.analyses is None and self.ctx.can("analysis"):
            self._mount_analyses()
        current = self.tabs.currentWidget()
        self.tabs.clear()
        for key in self.visible_screens():
            self.tabs.addTab(self.screens[key], self.titles[key])
        self.purpose_bar.setVisible(self.ctx.can("search") or self.ctx.can("view"))
        wanted = self.screens.get(self.wanted_tab)  # type: ignore[has-type]  # set in __init__ before any use
        self.wanted_tab = ""
        for widget in (wanted, current):
            if widget is not None and self.tabs.indexOf(widget) >= 0:
                self.tabs.setCurrentWidget(widget)
                break
        self.detail.clear()
        for act, grant in ((self.photo_action, "search"), (self.export_action, "export"),
                           (self.hold_action, "hold_place")):
            act.setVisible(self.ctx.can(grant))
        if "search" in self.visible_screens():
            self.search.load_cameras()
        self.hits.start()
        self.audit.reset()
        self.admin.start()
        self.update_status()

    def update_status(self) -> None:
        s = self.ctx.session
        if s is None:
            return
        self.status_user.setText(f"User: {s.user.username} ({s.user.role})")
        self.status_purpose.setText(f"Purpose: {s.purpose or 'none declared'}")
        self.status_case.setText(f"Case: {s.case_number or '-'}")

    def _hit_alert(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)
        index = self.tabs.indexOf(self.hits)
        if index >= 0:
            self.tabs.setTabText(index, "Hits (NEW)")

    def open_read(self, read_id: int) -> None:
        """Open a read from elsewhere (a hit) in the search screen's detail view."""
        if "search" in self.visible_screens():
            self.tabs.setCurrentWidget(self.screens["search"])
            self.detail.load(read_id)

    # -- lock -----------------------------------------------------------------------------------
    def lock_now(self) -> None:
        s = self.ctx.session
        if s is None or self.stack.currentWidget() is self.lock_screen:
            return
        self.ctx.db(lambda: self.ctx.ws.lock(s), lambda _n: self.show_lock())

    def show_lock(self) -> None:
        self.watcher.armed = False
        self.lock_screen.prepare()
        self.stack.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.ctx.locked.emit()

    def hide_lock(self) -> None:
        self.stack.setCurrentIndex(0)
        self.menuBar().setEnabled(True)
        self.watcher.rearm()
        self.update_status()

    def log_out(self) -> None:
        s = self.ctx.session

        def signed_out(_n) -> None:
            dialog = LoginDialog(self.ctx, self)
            dialog.accepted.connect(lambda: self.ctx.set_session(dialog.session))
            dialog.rejected.connect(self.close)
            self.search.clear()
            self.detail.clear()
            dialog.open()
            self.login_dialog = dialog
        self.ctx.db(lambda: self.ctx.ws.logout(s), signed_out)

    # -- window state ---------------------------------------------------------------------------
    def restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1500, 920)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        split = self.settings.value("window/searchSplitter")
        if isinstance(split, QByteArray) and not split.isEmpty():
            self.screens["search"].restoreState(split)  # type: ignore[attr-defined]  # the widget is a QSplitter
        self.wanted_tab = self.settings.value("window/tab", "")  # type: ignore[assignment]  # QSettings returns what was saved

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/searchSplitter", self.screens["search"].saveState())  # type: ignore[attr-defined]  # the widget is a QSplitter
        current = next((k for k, w in self.screens.items() if w is self.tabs.currentWidget()), "")
        self.settings.setValue("window/tab", current)
        self.settings.sync()

    def closeEvent(self, event) -> None:   # noqa: N802 - Qt's name
        self.save_state()
        QApplication.instance().removeEventFilter(self.watcher)
        self.watcher.timer.stop()
        self.hits.timer.stop()
        s = self.ctx.session
        if s is not None and not s.ended:
            self.ctx.db(lambda: self.ctx.ws.logout(s))
        super().closeEvent(event)
