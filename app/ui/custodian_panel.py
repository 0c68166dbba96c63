"""The records custodian's screen: holds, the purge with its preview, retention certificates,
and (for a role granted it) the transparency report.

The purge is shown before it runs: counts by day of what would go and the holds that keep
reads past retention, with their case and reason (the preview itself is logged). The purge
asks once more, then shows its certificate in the list, where any certificate can be saved as
a PDF. Every call runs on the database thread; the engine checks and logs each one.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QDateEdit, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QSplitter, QVBoxLayout, QWidget)

from app.engine import timefmt
from app.engine.oversight import transparency
from app.engine.oversight.certificates import SOURCES, Certificate
from app.engine.oversight.custody import PurgePreview

from .context import AppContext
from .custodian_holds import HoldsBox, named
from .tables import fill, read_only_table
from .widgets import MessageLabel, plural

PathChooser = Callable[[QWidget, str, str], str | None]       # (parent, suggested name, filter)


class CustodianPanel(QWidget):
    def __init__(self, ctx: AppContext, choose_path: PathChooser | None = None,
                 confirm: Callable[[QWidget, str], bool] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.choose_path = choose_path or _ask_path
        self.confirm = confirm or _ask
        self.preview_data: PurgePreview | None = None
        self.certs: list[Certificate] = []
        self.holds = HoldsBox(ctx)

        self.preview_button = named(QPushButton("Preview purge"), "custodyPreview")
        self.preview_button.clicked.connect(self.preview)
        self.purge_button = named(QPushButton("Purge now..."), "custodyPurge")
        self.purge_button.clicked.connect(self.purge)
        self.preview_text = MessageLabel(lines=3, width=600, name="custodyPreviewText")
        self.days = read_only_table(("Day the reads were taken", "Reads that would go"), "custodyPreviewDays")
        self.kept = read_only_table(("Hold", "Case", "Kind", "Reason", "Reads kept"), "custodyPreviewKept")
        purge_box = QGroupBox("Purge past retention")
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.purge_button)
        buttons.addStretch(1)
        tables = QHBoxLayout()
        tables.addWidget(self.days, 1)
        tables.addWidget(self.kept, 2)
        purge_layout = QVBoxLayout(purge_box)
        purge_layout.addLayout(buttons)
        purge_layout.addWidget(self.preview_text)
        purge_layout.addLayout(tables, 1)

        self.cert_table = read_only_table(("Certificate", "When", "What", "Reads removed",
                                           "Kept by holds", "Oldest read left", "By", "Tombstones"),
                                          "custodyCertificates")
        self.pdf_button = named(QPushButton("Save PDF..."), "custodyCertificatePdf")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.month = named(QDateEdit(), "custodyReportMonth")
        self.month.setDisplayFormat("yyyy-MM")
        self.report_button = named(QPushButton("Transparency report..."), "custodyTransparency")
        self.report_button.setToolTip("The month's report for the public (HTML page and PDF): no "
                                      "plates, figures checkable against the access log.")
        self.report_button.clicked.connect(self.transparency)
        self.message = MessageLabel(lines=2, width=600, name="custodyMessage")
        cert_box = QGroupBox("Retention certificates")
        row = QHBoxLayout()
        row.addWidget(self.pdf_button)
        row.addStretch(1)
        self.report_label = QLabel("Month")
        for w in (self.report_label, self.month, self.report_button):
            row.addWidget(w)
        cert_layout = QVBoxLayout(cert_box)
        cert_layout.addWidget(self.cert_table, 1)
        cert_layout.addLayout(row)
        cert_layout.addWidget(self.message)

        split = QSplitter(Qt.Orientation.Vertical)
        for box in (self.holds, purge_box, cert_box):
            split.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.reset()

    # -- session ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Nothing of the last session; offer only what the role grants."""
        self.holds.reset()
        self.preview_data = None
        self.certs = []
        self.preview_text.setText("Preview first: the purge removes reads past the retention period "
                                  f"({self.ctx.ws.profile.retention_days} days) that no hold keeps.")
        for t in (self.days, self.kept, self.cert_table):
            fill(t, [])
        self.message.clear()
        self.purge_button.setEnabled(False)
        self.preview_button.setEnabled(self.ctx.can("purge"))
        allowed = self.ctx.can("transparency_report")
        for w in (self.report_label, self.month, self.report_button):
            w.setVisible(allowed)
        last = timefmt.local(self.ctx.ws.clock(), self.ctx.tz).date().replace(day=1)
        self.month.setDate(QDate(last.year, last.month, 1).addMonths(-1))

    def start(self) -> None:
        """Load what the role may see."""
        if self.ctx.can("hold_place") or self.ctx.can("hold_release"):
            self.holds.refresh()
        if self.ctx.can("purge"):
            self.refresh_certificates()

    # -- purge -----------------------------------------------------------------------------
    def preview(self) -> None:
        ws, s = self.ctx.ws, self.ctx.session
        self.ctx.db(lambda: ws.custody.preview(s), self._show_preview,
                    self.ctx.inline(self.preview_text.setText))

    def _show_preview(self, p: PurgePreview) -> None:
        self.preview_data = p
        left = self.ctx.fmt_time(p.oldest_left, seconds=False) if p.oldest_left is not None else "none"
        self.preview_text.setText(
            f"A purge now would remove {plural(p.reads, 'read')} taken before "
            f"{self.ctx.fmt_time(p.cutoff, seconds=False)} ({plural(p.hits, 'hit')} with them). "
            f"{plural(p.kept_by_hold, 'read')} past retention stay under {plural(len(p.holds_kept), 'hold')}. "
            f"Oldest read left afterwards: {left}.")
        fill(self.days, [(d, f"{n:,}") for d, n in p.by_day])
        fill(self.kept, [(f"#{h.hold_id}", h.case_number, h.kind, h.reason, f"{h.reads:,}") for h in p.holds_kept])
        self.purge_button.setEnabled(True)

    def purge(self) -> None:
        p = self.preview_data
        if p is None or not self.confirm(self, f"Purge {plural(p.reads, 'read')} past retention now? "
                                               "They cannot be brought back; a certificate records it."):
            return
        ws, s = self.ctx.ws, self.ctx.session

        def done(cert: Certificate) -> None:
            self.purge_button.setEnabled(False)
            self.preview_data = None
            self.preview_text.setText(f"Purged {plural(cert.reads, 'read')}; retention certificate "
                                      f"#{cert.id} records it (access-log entry {cert.seq}).")
            fill(self.days, [])
            fill(self.kept, [])
            self.refresh_certificates(select=cert.id)
        self.ctx.db(lambda: ws.custody.purge(s), done, self.ctx.inline(self.preview_text.setText))

    # -- certificates and the report -----------------------------------------------------------
    def refresh_certificates(self, select: int | None = None) -> None:
        ws, s = self.ctx.ws, self.ctx.session

        def shown(certs: list[Certificate]) -> None:
            self.certs = certs
            fill(self.cert_table, [
                (f"#{c.id}", self.ctx.fmt_time(c.made_at, seconds=False), SOURCES[c.source], f"{c.reads:,}",
                 f"{c.kept_by_hold:,}", self.ctx.fmt_time(c.oldest_left, seconds=False) if c.oldest_left else "none",
                 c.username, "" if c.tombstones is None else ("match" if c.tombstones.matches else "DO NOT MATCH"))
                for c in certs])
            ids = [c.id for c in certs]
            self.cert_table.selectRow(ids.index(select) if select in ids else 0)
        self.ctx.db(lambda: ws.custody.certificates(s), shown, self.ctx.inline(self.message.setText))

    def save_pdf(self) -> None:
        row = self.cert_table.currentRow()
        if not 0 <= row < len(self.certs):
            self.message.setText("Select a certificate first.")
            return
        cid = self.certs[row].id
        path = self.choose_path(self, f"retention-certificate-{cid}.pdf", "PDF files (*.pdf)")
        if not path:
            return
        ws, s = self.ctx.ws, self.ctx.session
        self.ctx.db(lambda: ws.custody.certificate_pdf(s, cid, Path(path)),
                    lambda p: self.message.setText(f"Certificate #{cid} saved to {p}."),
                    self.ctx.inline(self.message.setText))

    def transparency(self) -> None:
        d = self.month.date()
        period = transparency.month(d.year(), d.month(), self.ctx.tz)
        path = self.choose_path(self, f"transparency-{d.year()}-{d.month():02d}.html", "HTML page (*.html)")
        if not path:
            return
        html = Path(path).with_suffix(".html")
        ws, s = self.ctx.ws, self.ctx.session

        def both():
            ws.custody.transparency_report(s, period, html)
            return ws.custody.transparency_report(s, period, html.with_suffix(".pdf"))
        self.ctx.db(both, lambda r: self.message.setText(
            f"Transparency report for {period.label} saved as {html.name} and {r.path.name} (figures "
            f"up to access-log entry {r.through_seq})."), self.ctx.inline(self.message.setText))


def _ask_path(parent: QWidget, name: str, kind: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Save", str(Path.home() / name), kind)
    return path or None


def _ask(parent: QWidget, question: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, "Purge now?", question,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("purgeQuestion")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes
