"""The audit cycle screen, clicked through as the right people: the auditor runs the review
of October, records a finding on every item and signs off, logs out; the designee signs in,
may not touch the findings, and approves; the report is written (issue 14)."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, Clock
from tests.review_log import NOW, at, innocent_month, search, staff

from .ui_fixtures import log_actions, open_window  # noqa: F401  (the fixture)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def _sign_in(window, user: str, code: str | None = None) -> None:
    window.log_out()
    dialog = window.login_dialog
    dialog.user.setText(user)
    dialog.password.setText(PASSWORD)
    if code:
        dialog.code.setText(code)
    dialog.ok.click()
    assert window.ctx.session.user.username == user


def test_run_review_record_findings_sign_off_and_approve(ws, people, open_window, tmp_path):  # noqa: F811
    dep = staff(people, "ddeputy")
    innocent_month(ws, dep.actor)
    plateless = search(ws, at(10, 19, 10), dep.actor, None, cameras=["CAM-LV-N"])
    people.admin()
    window = open_window(people.user("aaud", "auditor", purpose=False))
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Audit", "Audit cycle"]
    cycle = window.screens["cycle"]
    cycle.choose_report = lambda kind: str(tmp_path / f"october.{kind}")
    window.tabs.setCurrentWidget(cycle)
    assert cycle.period.currentText() == "October 2026"
    assert cycle.due_text.text().startswith("A review of October 2026 is due.")
    assert not cycle.approve_button.isEnabled() and not cycle.signoff_button.isEnabled()

    cycle.run_button.click()
    detail = cycle.detail
    assert detail is not None and cycle.items.rowCount() == len(detail.items) == 15
    assert cycle.reviews.rowCount() == 1 and cycle.reviews.item(0, 3).text() == "open"
    flag = next(n for n, i in enumerate(detail.items) if i.rule == "plateless")
    cycle.items.selectRow(flag)
    assert f"Entry {plateless}: ddeputy (deputy) searched for every plate at camera CAM-LV-N" in \
        cycle.entries.toPlainText()
    cycle.outcome.setCurrentIndex(cycle.outcome.findData("explained"))
    cycle.note.clear()
    cycle.record_button.click()
    assert "needs a note" in cycle.message.text()                 # the engine's sentence, inline
    cycle.note.setText("Camera canvass after the Oct 19 burglary, case file LHS-2026-004512.")
    cycle.record_button.click()
    assert cycle.items.item(flag, 4).text() == "explained"
    for row in range(cycle.items.rowCount()):
        if not cycle.items.item(row, 4).text():
            cycle.items.selectRow(row)
            cycle.outcome.setCurrentIndex(cycle.outcome.findData("confirmed"))
            cycle.record_button.click()
    assert not cycle.detail.open_items and cycle.signoff_button.isEnabled()
    cycle.note.setText("Checked against the case files.")
    cycle.signoff_button.click()
    assert cycle.detail.review.status == "signed" and not cycle.record_button.isEnabled()
    assert not cycle.approve_button.isEnabled()                  # the auditor may not approve
    cycle.pdf_button.click()
    assert (tmp_path / "october.pdf").is_file() and "was written to" in cycle.message.text()

    _sign_in(window, "amanager", people.code("amanager"))
    assert cycle.detail is None and cycle.items.rowCount() == 0    # nothing of the auditor's left
    window.tabs.setCurrentWidget(cycle)
    cycle.reviews.selectRow(0)
    assert cycle.detail.review.status == "signed"
    assert not cycle.record_button.isEnabled() and cycle.approve_button.isEnabled()
    cycle.note.setText("Approved after reading the findings.")
    cycle.approve_button.click()
    assert cycle.detail.review.status == "approved" and cycle.detail.review.approver == "amanager"
    assert cycle.reviews.item(0, 5).text() == "amanager"
    assert cycle.due_text.text().startswith("A review of September 2026 is due.")
    actions = [a for _s, _u, a, *_ in log_actions(ws)]
    assert actions.count("audit_finding") == 15 and {"audit_review_start", "audit_signoff",
                                                        "audit_approve", "audit_review_report"} <= set(actions)
    assert ws.audit_verify(people.admin()).ok


def test_a_deputy_has_no_audit_cycle_screen(ws, people, open_window):  # noqa: F811
    window = open_window(people.user("ddeputy", "deputy"))
    assert "Audit cycle" not in [window.tabs.tabText(i) for i in range(window.tabs.count())]
