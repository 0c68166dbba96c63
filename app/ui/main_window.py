"""The main window: purpose bar, the screens a role may use, status bar, lock, shortcuts.

Screens a role has no grant for are hidden (the engine refuses them anyway, and logs the
refusal); the purpose bar and status bar show, at all times, who is signed in and for what
purpose and case, so the person at the desk and the access log always agree.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QDialog, QMainWindow, QMessageBox, QSplitter,
                               QStackedWidget, QTabWidget, QVBoxLayout, QWidget)

from app.engine.auth import Session

from .admin_panel import AdminPanel
from .alert_panel import AlertPanel
from .audit_cycle import AuditCyclePanel
from .audit_panel import AuditPanel
from .case_panel import CasePanel
from .context import AppContext
from .custodian_panel import CustodianPanel
from .designee_panel import DesigneePanel
from .detail import ReadDetailPanel
from .hits_panel import HitsPanel
from .lock import IdleWatcher, LockScreen
from .login import LoginDialog
from .notify import HitNotifier, Toast
from .password_dialog import PasswordDialog
from .purpose import PurposeBar
from .read_actions import ReadActions
from .search_panel import SearchPanel
from .widgets import MessageLabel, install_focus_ring

DEFAULT_SIZE = (1500, 920)


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
        ctx.presenter.on_ended = self.engine_ended
        self.focus_ring = install_focus_ring()
        self.ask_quit = self._ask_quit          # tests answer the question themselves

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
            source.alert_requested.connect(self.read_actions.alert)  # type: ignore[union-attr]  # the search panel or the detail's action bar: both have these signals
        self.search.print_requested.connect(self.read_actions.print_search)
        self.detail.actions.print_requested.connect(self.read_actions.print_read)  # type: ignore[attr-defined]  # DetailActions, not QWidget.actions()
        self.read_actions.message = lambda text: self.statusBar().showMessage(text, 15000)
        search_tab = QSplitter(Qt.Orientation.Horizontal)
        search_tab.setObjectName("searchSplitter")
        search_tab.addWidget(self.search)
        search_tab.addWidget(self.detail)
        search_tab.setSizes([760, 820])
        self.hits = HitsPanel(ctx)
        self.hits.read_requested.connect(self.open_read)
        self.hits.read.read_loaded.connect(self.search.model.refresh_read)
        beside = self.hits.read.actions     # DetailActions; it shadows QWidget.actions() on purpose
        beside.export_requested.connect(self.read_actions.export)  # type: ignore[attr-defined]
        beside.hold_requested.connect(self.read_actions.hold)  # type: ignore[attr-defined]
        beside.alert_requested.connect(self.read_actions.alert)  # type: ignore[attr-defined]
        beside.print_requested.connect(self.read_actions.print_read)  # type: ignore[attr-defined]
        self.alerts = AlertPanel(ctx)
        self.alerts.read_requested.connect(self.open_read)
        self.audit = AuditPanel(ctx, choose_path)
        self.admin = AdminPanel(ctx)
        self.custody = CustodianPanel(ctx)
        self.designee = DesigneePanel(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("screens")
        self.cases = CasePanel(ctx)
        self.screens = {"search": search_tab, "cases": self.cases, "hits": self.hits, "alerts": self.alerts,
                        "audit": self.audit, "cycle": AuditCyclePanel(ctx), "custody": self.custody,
                        "designee": self.designee, "admin": self.admin}
        self.titles = {"search": "Search", "cases": "Cases", "hits": "Hits", "alerts": "Alerts", "audit": "Audit",
                       "cycle": "Audit cycle", "custody": "Custody", "designee": "Releases and oversight",
                       "admin": "Administration"}
        self.analyses = None                # built for the first user who may analyse
        self.parking = None                 # the parking screens of this user's role, if any
        self._retired: list[QWidget] = []   # analyses of a past session, until their work ends
        self._ended: Session | None = None  # the session the engine ended, once handled
        self.wanted_tab: str = ""           # the screen to show next (saved, or before a lock)
        self.tabs.currentChanged.connect(self._tab_changed)
        for signal in (ctx.session_changed, ctx.purpose_changed):
            signal.connect(self._analyses_session)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.purpose_bar)
        self.toast = Toast()            # a hit notification, whatever screen is open
        self.toast.open_hits.connect(lambda: self.tabs.setCurrentWidget(self.hits))
        layout.addWidget(self.toast)
        self.notifier = HitNotifier(ctx, self.toast, self.settings, self)
        layout.addWidget(self.tabs, 1)
        self.lock_screen = LockScreen(ctx)
        self.lock_screen.unlocked.connect(self.hide_lock)
        self.stack = QStackedWidget()
        self.stack.addWidget(content)
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)

        # Fixed-size lines: a long sync failure or purpose never widens the window.
        self.status_user = MessageLabel(width=230, name="statusUser")
        self.status_purpose = MessageLabel(width=190, name="statusPurpose")
        self.status_case = MessageLabel(width=190, name="statusCase")
        self.status_zone = MessageLabel(f"Times: {ctx.zone_name} ({ctx.tz.key})", width=250,
                                        name="statusZone")
        self.status_sync = MessageLabel(ctx.sync_state, width=300, name="statusSync")
        for w in (self.status_user, self.status_purpose, self.status_case, self.status_zone,
                  self.status_sync):
            w.setContentsMargins(8, 0, 12, 0)
        for w in (self.status_user, self.status_purpose, self.status_case):
            self.statusBar().addWidget(w)
        self.statusBar().addPermanentWidget(self.status_zone)
        self.statusBar().addPermanentWidget(self.status_sync)
        ctx.sync_state_changed.connect(self.status_sync.setText)
        ctx.purpose_changed.connect(self.update_status)
        ctx.session_changed.connect(self.apply_role)
        self.hits.alert.connect(self._hit_alert)
        self.alerts.alert.connect(self._alert_news)

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
        screens = dict(self.screens)
        self.screens = {"search": screens.pop("search"), "analyses": tabs, **screens}
        self.titles["analyses"] = "Analyses"
        self.analyses = tabs  # type: ignore[assignment]  # set once created

    def _mount_parking(self) -> None:
        """The parking screens (issue 18), rebuilt for each user: which of the four a role sees
        depends on its grants. One tab, after Search and Analyses."""
        from .parking import ParkingTabs, available
        old = self.screens.pop("parking", None)
        if old is not None:
            self.tabs.removeTab(self.tabs.indexOf(old))
            old.deleteLater()
        self.parking = None
        s = self.ctx.session
        if s is not None and not s.locked and not s.ended and available(self.ctx.ws, s):
            self.parking = ParkingTabs(self.ctx.ws, s, self.ctx.runner)  # type: ignore[assignment]  # set per user
            self.screens["parking"] = self.parking
            self.titles["parking"] = "Parking"

    def _analyses_session(self) -> None:
        s = self.ctx.session
        if self.analyses is not None and s is not None and not s.locked and not s.ended:
            self.analyses.set_session(self.ctx.session)

    def _retire_analyses(self) -> None:
        """Drop the analysis panels (forms and results of this session); the next user who
        may analyse gets new ones. Panels still waiting for a result are kept (hidden, out of
        the window) until it arrives."""
        tabs = self.analyses
        if tabs is None:
            return
        index = self.tabs.indexOf(tabs)
        if index >= 0:
            self.tabs.removeTab(index)
        tabs.hide()
        tabs.setParent(None)
        self.screens.pop("analyses", None)
        self.analyses = None
        self._retired = [t for t in self._retired if not self.ctx.runner.idle] + [tabs]
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
        self.quit_action = self._action(f, "&Quit", "Ctrl+Q", self.close)
        go = bar.addMenu("&Go")
        self.purpose_action = self._action(go, "Declare &purpose and case", "Ctrl+D",
                                           self.focus_purpose)
        self.find_action = self._action(go, "&Search", "Ctrl+F", self.focus_search)
        self.next_action = self._action(go, "&Next result", "Ctrl+N", lambda: self.search.step(1))
        self.prev_action = self._action(go, "&Previous result", "Ctrl+P",
                                        lambda: self.search.step(-1))
        reads = self.reads_menu = bar.addMenu("&Reads")
        self.photo_action = self._action(reads, "Search by &photo...", "Ctrl+Shift+P",
                                         self.photo_search)
        self.export_action = self._action(
            reads, "&Export selected as evidence...", None,
            lambda: self.read_actions.export(self.search.selected_ids()))
        self.hold_action = self._action(reads, "Place &hold on selected...", None,
                                        lambda: self.read_actions.hold(self.search.selected_ids()))
        self.bookmark_action = self._action(
            reads, "&Bookmark selected in the declared case", "Ctrl+B",
            lambda: self.read_actions.bookmark(self.search.selected_ids()))
        self.sound_action = QAction("Sound with hit &notifications", self)
        self.sound_action.setCheckable(True)
        self.sound_action.setChecked(self.notifier.sound)
        self.sound_action.toggled.connect(self.notifier.set_sound)
        f.insertAction(self.quit_action, self.sound_action)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About", None, self.about)

    def focus_search(self) -> None:
        if "search" in self.visible_screens():
            self.tabs.setCurrentWidget(self.screens["search"])
            self.search.plate.setFocus()
            self.search.plate.selectAll()

    def focus_purpose(self) -> None:
        if self.purpose_bar.isVisible() and self.stack.currentIndex() == 0:
            self.purpose_bar.focus()

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
        show = {"search": c.can("search"), "cases": c.can("search"), "analyses": c.can("analysis"),
                "parking": self.parking is not None,
                "hits": c.can("hotlist_view") or c.can("hit_disposition"),
                "alerts": c.can("search"),
                "audit": c.can("audit_view"),
                "cycle": c.can("audit_review") or c.can("audit_approve"),
                "custody": c.can("purge") or c.can("hold_release") or c.can("transparency_report"),
                "designee": DesigneePanel.wanted(c),
                "admin": c.can("user_admin") or c.can("settings_admin") or c.can("sync")}
        return [k for k, v in show.items() if v and k in self.screens]

    def apply_role(self) -> None:
        """Show only the screens this role may use; reload what the new user may see."""
        if self.analyses is None and self.ctx.can("analysis"):
            self._mount_analyses()
        self._mount_parking()
        self.detail.clear()
        self.hits.start()               # before the tabs: showing the Hits screen loads it
        self.alerts.start()
        self.notifier.start()
        self.audit.reset()
        self.admin.start()
        self.custody.reset()
        self.custody.start()
        self.designee.start()
        current = self.tabs.currentWidget()
        wanted = self.screens.get(self.wanted_tab)
        self.wanted_tab = ""
        self.tabs.blockSignals(True)
        self.tabs.clear()
        for key in self.visible_screens():
            self.tabs.addTab(self.screens[key], self.titles[key])
        for widget in (wanted, current):
            if widget is not None and self.tabs.indexOf(widget) >= 0:
                self.tabs.setCurrentWidget(widget)
                break
        self.tabs.blockSignals(False)
        self.purpose_bar.setVisible(self.ctx.can("search") or self.ctx.can("view"))
        for act, grant in ((self.photo_action, "search"), (self.export_action, "export"),
                           (self.hold_action, "hold_place")):
            act.setVisible(self.ctx.can(grant))
        self.reads_menu.menuAction().setVisible(self.ctx.can("search") or self.ctx.can("export")
                                                or self.ctx.can("hold_place"))
        self.purpose_action.setEnabled(self.purpose_bar.isVisibleTo(self))
        if "search" in self.visible_screens():
            self.search.load_cameras()
        self.update_status()
        s = self.ctx.session
        if s is not None and not s.ended and not s.locked:
            self.watcher.rearm()        # someone is signed in: the idle lock watches again
        if s is not None and not s.purpose and self.purpose_bar.isVisibleTo(self):
            self.purpose_bar.purpose.setFocus(Qt.FocusReason.OtherFocusReason)   # purpose first

    def current_key(self) -> str:
        return next((k for k, w in self.screens.items() if w is self.tabs.currentWidget()), "")

    def update_status(self) -> None:
        s = self.ctx.session
        if s is None or s.ended:
            self.status_user.setText("Not signed in")
            self.status_purpose.clear()
            self.status_case.clear()
            return
        self.status_user.setText(f"User: {s.user.username} ({s.user.role})")
        self.status_purpose.setText(f"Purpose: {s.purpose or 'none declared'}")
        self.status_case.setText(f"Case: {s.case_number or '-'}")

    def _hit_alert(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)
        index = self.tabs.indexOf(self.hits)
        if index >= 0 and self.tabs.currentIndex() != index:
            self.tabs.setTabText(index, "Hits (NEW)")

    def _alert_news(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)
        index = self.tabs.indexOf(self.alerts)
        if index >= 0 and self.tabs.currentIndex() != index:
            self.tabs.setTabText(index, "Alerts (NEW)")

    def _tab_changed(self, index: int) -> None:
        for key, widget in (("hits", self.hits), ("alerts", self.alerts)):
            if index >= 0 and self.tabs.widget(index) is widget:
                self.tabs.setTabText(index, self.titles[key])

    # -- a clean desk ---------------------------------------------------------------------------
    def clear_desk(self) -> None:
        """Forget everything of the session on screen: every form, result, read, message and
        open dialog (at logout, lock, a change of user or a session the engine ended), so
        nothing of one person shows behind the sign-in or lock screen or is left for the next."""
        self.wanted_tab = self.wanted_tab or self.current_key()   # the same screen comes back
        self.read_actions.close()
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible() and not isinstance(dialog, LoginDialog):
                dialog.close()
        self.search.reset_form()
        self.detail.clear()
        self.purpose_bar.reset()
        self.hits.stop()
        self.hits.reset()
        self.alerts.stop()
        self.notifier.stop()
        self.audit.reset_form()
        self.screens["cycle"].reset()  # type: ignore[attr-defined]  # the AuditCyclePanel
        self.admin.reset()
        self.custody.reset()
        self.designee.reset()
        self._retire_analyses()
        self.statusBar().clearMessage()
        index = self.tabs.indexOf(self.hits)
        if index >= 0:
            self.tabs.setTabText(index, self.titles["hits"])
        self.update_status()

    def open_read(self, read_id: int) -> None:
        """Open a read from elsewhere (a hit) in the search screen's detail view."""
        if "search" in self.visible_screens():
            self.tabs.setCurrentWidget(self.screens["search"])
            self.detail.load(read_id)

    # -- lock -----------------------------------------------------------------------------------
    def lock_now(self) -> None:
        s = self.ctx.session
        if s is None or s.ended or self.stack.currentWidget() is self.lock_screen:
            return
        self.ctx.db(lambda: self.ctx.ws.lock(s), lambda _n: self.show_lock())

    def show_lock(self) -> None:
        """Cover the window. The desk is cleared, the declared purpose too: whoever unlocks
        (the same user, or another who signs in here) starts from empty forms."""
        if self.ctx.session_ended():
            self.engine_ended()
            return
        if self.stack.currentWidget() is self.lock_screen:
            return                      # already locked (a refusal of a call made meanwhile)
        self.watcher.armed = False
        self.stack.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.clear_desk()
        self.ctx.forget_purpose()
        self.lock_screen.prepare()
        self.ctx.locked.emit()

    def hide_lock(self) -> None:
        self.stack.setCurrentIndex(0)
        self.menuBar().setEnabled(True)
        self.watcher.rearm()
        self.apply_role()               # reload what the screens need, for whoever is in

    def engine_ended(self, exc: BaseException | None = None) -> bool:
        """The engine ended the session in the middle of work (the account was disabled, the
        role changed, the password expired): back to the sign-in screen with the engine's
        sentence, nothing of the session left behind it. Returns False for other failures."""
        s = self.ctx.session
        if not self.ctx.session_ended(exc):
            return False
        if self._ended is s:
            return True                 # already at the sign-in screen for this session
        self._ended = s
        why = str(exc) if exc is not None else "This session has ended."
        self.watcher.armed = False
        self.stack.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.clear_desk()
        self.lock_screen.session_ended(why)
        # the last session out closes the store; a failure here changes nothing for the user
        self.ctx.db(lambda: self.ctx.ws.logout(s), None, lambda _e: None)
        return True

    def log_out(self) -> None:
        s = self.ctx.session
        self.watcher.armed = False      # nobody is signed in: nothing to lock
        self.clear_desk()               # before anything else: the dialog opens over a clean desk

        def signed_out(_n) -> None:
            dialog = LoginDialog(self.ctx, self)
            dialog.accepted.connect(lambda: self.ctx.set_session(dialog.session))
            dialog.rejected.connect(self.close)
            self.update_status()
            dialog.open()
            self.login_dialog = dialog
        self.ctx.db(lambda: self.ctx.ws.logout(s), signed_out)

    # -- window state ---------------------------------------------------------------------------
    def restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(*DEFAULT_SIZE)
        self.fit_screen()
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
        self.settings.setValue("window/tab", self.current_key() or self.wanted_tab)
        self.settings.sync()

    def fit_screen(self) -> None:
        """Never larger than the screen (a 1280x720 laptop included)."""
        screen = self.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        frame_w = max(0, self.frameGeometry().width() - self.width())
        frame_h = max(0, self.frameGeometry().height() - self.height())
        w = min(self.width(), area.width() - frame_w)
        h = min(self.height(), area.height() - frame_h)
        if (w, h) != (self.width(), self.height()):
            self.resize(max(w, self.minimumSizeHint().width()), max(h, 400))
        if not area.contains(self.frameGeometry().topLeft()):
            self.move(area.topLeft())

    # -- quitting -------------------------------------------------------------------------------
    def _ask_quit(self, running: list[str]) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "Quit the workstation?",
                          "Work is still running: " + "; ".join(dict.fromkeys(running))
                          + ". Quitting now stops it and nothing of it is kept. Quit anyway?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("quitQuestion")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def closeEvent(self, event) -> None:   # noqa: N802 - Qt's name
        running = self.ctx.runner.running()
        if running and not self.ask_quit(running):
            event.ignore()
            return
        self.ctx.runner.cancel_all()
        self.save_state()
        QApplication.instance().removeEventFilter(self.watcher)
        self.watcher.timer.stop()
        self.hits.timer.stop()
        self.alerts.stop()
        self.notifier.stop()
        s = self.ctx.session
        if s is not None and not s.ended:
            self.ctx.db(lambda: self.ctx.ws.logout(s))
        super().closeEvent(event)
