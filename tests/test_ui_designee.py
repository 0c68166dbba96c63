"""The designee's screen, clicked through: the register, a written request entered by the clerk,
approved by the designee after the clerk logs out and the designee signs in, and the export
dialog picking the approved request for the other agency. Also the written permissions and the
breach notices (Coachella), by their buttons."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QPushButton

from tests.conftest import PASSWORD, People, insert_reads
from tests.evidence_data import add_reads_with_images

from .ui_fixtures import make_ctx, open_window  # noqa: F401


def _sign_in(window, people, user: str) -> None:
    dialog = window.login_dialog
    dialog.user.setText(user)
    dialog.password.setText(PASSWORD)
    code = people.code(user)
    if code:
        dialog.code.setText(code)
    dialog.ok.click()


def test_request_entered_approved_by_another_then_picked_for_export(ws, people, open_window, clock,
                                                                    tmp_path):
    designee = people.admin()
    ids = add_reads_with_images(ws, 2, 300, int(clock()))
    people.user("cclerk", "custodian")
    window = open_window(designee)
    window.tabs.setCurrentWidget(window.designee)
    panel = window.designee
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == \
        ["Release requests", "Agency register", "Breach notices"]       # no barred role in Calabasas
    reg = panel.agencies
    reg.name.setText("Reno Police Department")
    reg.state.setText("NV")
    reg.agreement.setText("none")
    reg.contact.setText("Records")
    reg.findChild(QPushButton, "addAgency").click()
    assert "not of California" in reg.message.text() and "1798.90.55(b)" in reg.message.text()
    reg.name.setText("Ventura County Sheriff's Office")
    reg.state.setText("CA")
    reg.agreement.setText("MOU 2026-014")
    reg.findChild(QPushButton, "addAgency").click()
    assert reg.table.rowCount() == 1 and "added" in reg.message.text()

    window.log_out()                                    # the clerk enters the written request
    _sign_in(window, people, "cclerk")
    assert window.ctx.session.user.username == "cclerk"
    req = window.designee.requests
    window.designee.start()
    assert req.agency.count() == 1 and not req.approve_button.isEnabled()
    for field, text in ((req.requester, "Det. R. Alvarez"), (req.purpose, "Robbery investigation"),
                        (req.description, "Two reads of the suspect vehicle"), (req.their_case, "VCSO-26-118"),
                        (req.received, "2026-11-20"), (req.reads, ", ".join(map(str, ids)))):
        field.setText(text)
    req.since.set_timestamp(clock() - 3600)
    req.until.set_timestamp(clock() + 120)
    req.enter_button.click()
    assert "is on file" in req.message.text(), req.message.text()
    assert req.table.rowCount() == 1 and req.requests[0].status == "pending"

    window.log_out()                                    # the designee signs in and decides
    _sign_in(window, people, "amanager")
    req = window.designee.requests
    window.designee.start()
    req.table.selectRow(0)
    review = req.review.text()
    for element in ("1. Agency", "Ventura County Sheriff&#x27;s Office", "2. Person requesting", "Det. R. Alvarez",
                    "3. Intended purpose", "Robbery investigation", "4. Description", "Scope"):
        assert element in review, review
    req.note.setText("Specific felony; MOU 2026-014 on file")
    req.approve_button.click()
    assert req.requests[0].status == "approved" and req.requests[0].decided_by == "amanager"

    ws.set_purpose(window.ctx.session, "FELONY-INV", "LHS-2026-004512")
    window.ctx.purpose_changed.emit()
    window.tabs.setCurrentWidget(window.screens["search"])
    window.detail.load(ids[0])
    window.detail.actions.export_button.click()
    dialog = window.read_actions.dialog
    choices = [dialog.recipient.itemText(i) for i in range(dialog.recipient.count())]
    assert len(choices) == 2 and choices[1].startswith("Ventura County Sheriff's Office: request #1")
    dialog.recipient.setCurrentIndex(1)
    dialog.set_target(tmp_path)
    dialog.description.setPlainText("For VCSO robbery case")
    dialog.read_ids = [ids[0]]
    dialog.start()
    assert dialog.outcome is not None, dialog.message.text()
    meta = json.loads((dialog.outcome.path / "metadata.json").read_text())
    assert meta["package"]["recipient"] == "Ventura County Sheriff's Office"
    assert ws.store.query_one("SELECT status FROM release_requests WHERE id = 1")[0] == "released"


def test_permissions_and_breach_notices_by_their_buttons(make_ws, clock, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from app.ui.main_window import MainWindow
    ws = make_ws("coachella")
    people = People(ws, clock)
    manager = people.admin()
    people.user("vendor1", "contractor", purpose=False)
    insert_reads(ws, [(1, "7ABC001", int(clock()) - 600, "CAM-LV-N", 0.9)])
    ctx = make_ctx(ws)
    window = MainWindow(ctx, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    ctx.set_session(manager)
    window.show()
    try:
        panel = window.designee
        assert panel.tabs.count() == 4
        permits = panel.permits
        permits.user.setText("vendor1")
        permits.case.setText("RSO-260012345")
        permits.cameras.setText("CAM-LV-N")
        permits.document.setText("CM-LTR-2026-07")
        permits.findChild(QPushButton, "grantPermit").click()
        assert "Permission #1 recorded for vendor1" in permits.message.text(), permits.message.text()
        assert permits.table.item(0, 7).text() == "in force"
        breach = panel.breach
        breach.what.setText("The workstation was stolen from the office.")
        breach.findChild(QPushButton, "recordIncident").click()
        assert breach.table.rowCount() == 1 and breach.notice_table.rowCount() == 3
        breach.chooser = lambda _parent: str(tmp_path / "notices")
        breach.findChild(QPushButton, "writeNotices").click()
        assert "3 notices written" in breach.message.text(), breach.message.text()
        assert len(list((tmp_path / "notices").glob("*.pdf"))) == 3
        breach.notice_table.selectRow(0)
        breach.findChild(QPushButton, "noticeDone").click()
        assert "stays up at least until" in breach.message.text(), breach.message.text()
        breach.notice_table.selectRow(0)
        breach.findChild(QPushButton, "noticeRemoved").click()
        assert "at least 30 days" in breach.message.text()
        window.log_out()
        assert permits.table.rowCount() == 0 and breach.what.text() == ""   # nothing left on the desk
    finally:
        window.close()
        ctx.runner.shutdown()
