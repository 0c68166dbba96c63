"""The custodian's screen, clicked through: place a hold, preview the purge, purge, save the
certificate as a PDF and write the transparency report; then another role signs in and finds
no Custody screen (and the engine refuses the purge)."""
from __future__ import annotations

import subprocess

import pytest

from app.engine.errors import PermissionDenied

from .conftest import PASSWORD, insert_reads
from .ui_fixtures import log_actions, open_window  # noqa: F401

DAY = 86400


def _titles(window) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_custodian_holds_previews_purges_and_prints(ws, people, open_window, clock, tmp_path):
    now = int(clock())
    old = now - 800 * DAY
    insert_reads(ws, [(1, "1OLD111", old, "CAM-LV-N", 0.9), (2, "2OLD222", old + 60, "CAM-LV-S", 0.9),
                      (3, "3OLD333", old + DAY, "CAM-CC-E", 0.9), (4, "4NEW444", now - DAY, "CAM-LV-N", 0.9)])
    people.user("ddeputy", "deputy")
    window = open_window(people.user("ccustodian", "custodian"))
    assert "Custody" in _titles(window)
    window.tabs.setCurrentWidget(window.custody)
    panel = window.custody
    saved: list[str] = []
    panel.choose_path = lambda _p, name, _kind: saved.append(str(tmp_path / name)) or saved[-1]
    asked: list[str] = []
    panel.confirm = lambda _p, question: asked.append(question) or True

    holds = panel.holds
    holds.case.setText("cr-2026-0042")
    holds.kind.setCurrentIndex(holds.kind.findData("discovery"))
    holds.reads.setText("3")
    holds.reason.setText("public records request 26-118")
    holds.place_button.click()
    assert holds.message.text().startswith("Hold 1 placed on 1 read for case CR-2026-0042")
    assert holds.table.rowCount() == 1 and holds.table.item(0, 1).text() == "CR-2026-0042"

    assert not panel.purge_button.isEnabled()               # preview first
    panel.preview_button.click()
    assert "would remove 2 reads" in panel.preview_text.text()
    assert panel.days.rowCount() == 1 and panel.days.item(0, 1).text() == "2"
    assert panel.kept.item(0, 1).text() == "CR-2026-0042" and panel.kept.item(0, 3).text() == "public records request 26-118"
    assert ws.store.query_one("SELECT count(*) FROM reads")[0] == 4        # the preview changed nothing

    panel.purge_button.click()
    assert asked and "2 reads" in asked[0]
    assert panel.preview_text.text().startswith("Purged 2 reads; retention certificate #")
    assert {r[0] for r in ws.store.query("SELECT id FROM reads")} == {3, 4}
    assert panel.cert_table.rowCount() == 1 and panel.cert_table.item(0, 4).text() == "1"

    panel.pdf_button.click()
    text = " ".join(subprocess.run(["pdftotext", saved[-1], "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Retention certificate #1" in text and "public records request 26-118" in text
    assert "saved to" in panel.message.text()

    assert panel.report_button.isVisible()
    panel.report_button.click()
    html = tmp_path / saved[-1].rsplit("/", 1)[-1]
    assert html.is_file() and html.with_suffix(".pdf").is_file()
    assert "Transparency report for" in panel.message.text()
    assert b"1OLD111" not in html.read_bytes() and b"3OLD333" not in html.read_bytes()

    actions = [a[2] for a in log_actions(ws) if a[1] == "ccustodian"]
    for expected in ("hold_place", "purge_preview", "purge", "retention_certificate",
                     "retention_certificate_view", "retention_certificate_print", "transparency_report"):
        assert expected in actions, expected

    # -- another role signs in: no Custody screen, and the engine refuses anyway -----------
    window.log_out()
    assert panel.cert_table.rowCount() == 0 and panel.holds.table.rowCount() == 0   # a clean desk
    dialog = window.login_dialog
    dialog.user.setText("ddeputy")
    dialog.password.setText(PASSWORD)
    dialog.code.setText(people.code("ddeputy"))
    dialog.ok.click()
    assert window.ctx.session.user.username == "ddeputy"
    assert "Custody" not in _titles(window)
    with pytest.raises(PermissionDenied):
        ws.custody.preview(window.ctx.session)
