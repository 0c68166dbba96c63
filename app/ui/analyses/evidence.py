"""Export an analysis result's reads as evidence, through the evidence service.

The export itself (package, verify, custody PDF, hold, log) is ``ws.evidence``'s work; this
module only asks where to and what to call it, and runs the export's progress generator on
the runner so the window stays live and Cancel works.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog


def available(ws) -> bool:
    """Whether this build has the evidence service (it ships as its own package)."""
    try:
        from app.engine.evidence import EvidenceService  # noqa: F401
    except ImportError:
        return False
    return True


def export_reads(panel, target: Path | None = None, description: str | None = None,
                 done: Callable[[object], None] | None = None):
    """Ask for a target folder and a description unless given, then run the export."""
    result, session, ws = panel.result, panel.session, panel.ws
    if target is None:
        folder = QFileDialog.getExistingDirectory(panel, "Export evidence to a removable drive or folder")
        if not folder:
            return None
        target = Path(folder)
    if description is None:
        text, ok = QInputDialog.getText(panel, "Describe the evidence package",
                                        "What the package holds and why (printed on the custody form):")
        if not ok:
            return None
        description = text

    def progress(p) -> None:
        total = f"/{p.total}" if p.total else ""
        panel.status.setText(f"Exporting evidence: {p.stage} {p.done}{total}…")

    def finished(res) -> None:
        panel.last_export = res
        held = f", reads held for case {session.case_number}" if res.hold_id else ""
        panel.status.setText(f"Evidence package written and verified: {res.path} ({res.files} files{held}).")
        if done:
            done(res)

    return panel.runner.progress(
        lambda token: ws.analyses.export_evidence(session, result, target, description, token),
        progress, finished, label="an evidence export")
