"""Flows 7 and 8: the audit screen and administration (users, training, sync)."""
from __future__ import annotations

import csv
import json

from PySide6.QtCore import Qt

from app.engine.search import SearchQuery
from app.server.embedded import EmbeddedServer

from .conftest import PASSWORD
from .server_helpers import OPERATOR_PASSWORD, seed_city
from .ui_fixtures import last_seq, log_actions, make_ctx, open_window  # noqa: F401
from .ui_sample import insert_sample


def _titles(window) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_audit_filter_verify_tamper_and_export(ws, people, open_window, clock, tmp_path):
    insert_sample(ws, int(clock()))
    deputy = people.user("ddeputy", "deputy")
    ws.search(deputy, SearchQuery("7ABC123"))
    window = open_window(people.user("aauditor", "auditor"))
    assert _titles(window) == ["Audit", "Audit cycle"] and window.purpose_bar.isHidden()
    audit = window.audit
    audit.user.setText("ddeputy")
    audit.action.setCurrentIndex(audit.action.findData("search"))
    audit.plate.setText("7abc123")
    audit.show_button.click()
    entries = audit.model.entries
    assert len(entries) == 1 and entries[0].username == "ddeputy" and entries[0].action == "search"
    assert audit.model.data(audit.model.index(0, 6)) == "LHS-2026-004512"
    last = log_actions(ws)[-1]
    assert (last[1], last[2]) == ("aauditor", "audit_view") and "7ABC123" in last[5]

    audit.verify_button.click()
    assert audit.verdict.text().startswith("Access log intact") and audit.verdict.property("ok")
    ws.store.execute("UPDATE access_log SET detail = '{\"returned\": 0}' WHERE action = 'search'")
    audit.verify_button.click()
    assert audit.verdict.text().startswith("ACCESS LOG TAMPERED") and not audit.verdict.property("ok")
    assert "modified" in audit.verdict.text()

    audit.user.clear()
    audit.action.setCurrentIndex(0)
    audit.plate.clear()
    audit.export_button.click()
    with open(tmp_path / "audit.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert f"{len(rows)} entries exported" in audit.count.text()
    assert {"login", "search", "audit_verify"} <= {r["action"] for r in rows}
    assert log_actions(ws)[-1][2] == "audit_export"


def test_audit_by_plate_reads_in_sentences_and_exports_what_is_shown(ws, people, open_window, clock, tmp_path):
    insert_sample(ws, int(clock()))                         # reads 1-6 are 7ABC123
    deputy = people.user("ddeputy", "deputy")
    ws.search(deputy, SearchQuery("ABC12", mode="partial"))     # never typed 7ABC123
    ws.read_detail(deputy, 1)
    ws.place_hold(deputy, "LHS-2026-004512", "evidence", "stolen vehicle case", [2])
    ws.search(deputy, SearchQuery("8XYZ999"))                   # about another plate
    window = open_window(people.user("aauditor", "auditor"))
    audit = window.audit
    audit.plate.setText("7abc 123")
    audit.show_button.click()
    model = audit.model
    assert [e.action for e in model.entries] == ["hold_place", "view", "search"]     # newest first
    what = [model.data(model.index(row, 7)) for row in range(model.rowCount())]
    assert model.headerData(7, Qt.Orientation.Horizontal) == "What happened"
    assert what[1] == ("ddeputy (deputy) opened read #1 (of plate 7ABC123), for purpose FELONY-INV, "
                       "case LHS-2026-004512.")
    assert what[2].startswith("ddeputy (deputy) searched for plates containing ABC12, for purpose ")
    assert "of plate 7ABC123" in what[2] and "placed evidence hold" in what[0]
    assert not any("{" in t for t in what)
    assert audit.count.text().startswith("3 entries (newest first). About plate 7ABC123")
    audit.table.selectRow(1)
    assert audit.selected.text().endswith(what[1])

    ws.search(deputy, SearchQuery("7ABC123"))                   # the log grows meanwhile
    audit.export_button.click()                                 # what is on screen, no more
    with open(tmp_path / "audit.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert audit.count.text() == f"3 entries exported to {tmp_path / 'audit.csv'}."
    assert [r["description"] for r in rows] == what[::-1]
    assert log_actions(ws)[-1][2] == "audit_export"


def test_investigators_have_no_audit_or_user_screens(ws, people, open_window):
    window = open_window(people.user("ddeputy", "deputy"))
    assert "Audit" not in _titles(window)
    admin = window.admin
    assert [admin.tabs.tabText(i) for i in range(admin.tabs.count())] == ["Sync"]
    assert admin.sync.settings_box.isHidden()


def test_users_added_unlocked_disabled_and_trained(ws, people, open_window):
    window = open_window(people.admin())
    assert {"Search", "Hits", "Audit", "Administration"} <= set(_titles(window))
    users = window.admin.users
    seq = last_seq(ws)
    users.new_user.setText("admin")
    users.new_name.setText("Shared Account")
    users.new_password.setText(PASSWORD)
    users.add_button.click()
    assert "generic name" in users.message.text()
    users.new_user.setText("ppat")
    users.new_name.setText("Pat Prosecutor")
    users.new_role.setCurrentText("prosecutor")
    users.new_password.setText(PASSWORD)
    users.add_button.click()
    assert "ppat" in [u.username for u in users.users]

    for _ in range(ws.profile.lockout_attempts):
        try:
            ws.login("ppat", "wrong")
        except Exception:
            pass
    users.refresh()
    users.select("ppat")
    row = users.table.currentRow()
    assert users.table.item(row, 4).text() == "locked"
    users.unlock()
    assert users.table.item(users.table.currentRow(), 4).text() == "active"

    users.select("ppat")
    users.add_training()
    assert "Training recorded for ppat" in users.message.text()
    assert "ppat" in [users.training.item(r, 0).text() for r in range(users.training.rowCount())]

    users.select("ppat")
    users.disable()
    users.select("ppat")
    assert users.table.item(users.table.currentRow(), 4).text() == "disabled"
    actions = [(a[1], a[2]) for a in log_actions(ws, seq)]
    for act in ("user_add", "user_unlock", "training_add", "user_disable"):
        assert ("amanager", act) in actions
    detail = json.loads(ws.store.query_one(
        "SELECT detail FROM access_log WHERE action = 'user_add' ORDER BY seq DESC LIMIT 1")[0])
    assert detail["user"] == "ppat" and detail["role"] == "prosecutor"


def test_sync_settings_and_sync_now_with_progress(ws, people, open_window, clock, tmp_path, qtbot):
    folder = tmp_path / "city"
    server = EmbeddedServer.create(folder, "amanager", OPERATOR_PASSWORD, retention_days=730, now=int(clock()))
    seed_city(server, int(clock()), n=40)
    server.close()
    ctx = make_ctx(ws, threaded=True)
    window = open_window(people.admin(), ctx)
    sync = window.admin.sync
    qtbot.waitUntil(lambda: ctx.runner.idle, timeout=5000)
    assert "No sync has finished" in sync.result.text()
    sync.server.setText("ftp://nowhere")
    sync.save.click()
    qtbot.waitUntil(lambda: bool(sync.message.text()), timeout=5000)
    assert "not a server address" in sync.message.text()
    sync.server.setText(f"embedded:{folder}")
    sync.password.setText(OPERATOR_PASSWORD)          # the administrator operates the server
    sync.days.setValue(60)
    sync.save.click()
    qtbot.waitUntil(lambda: sync.stage.text() == "Settings saved.", timeout=5000)
    sync.sync_button.click()
    assert window.status_sync.text() == "Sync: running..."
    qtbot.waitUntil(lambda: window.status_sync.text().startswith("Sync: done"), timeout=30_000)
    assert window.status_sync.text().endswith(("PST", "PDT"))      # the profile's zone, labelled
    qtbot.waitUntil(lambda: "Last sync" in sync.result.text(), timeout=5000)
    assert "40 reads" in sync.result.text()
    assert sync.stage.text().startswith("done")             # the polled progress reached the screen
    assert ws.store.query_one("SELECT count(*) FROM reads")[0] == 40
    logged = [json.loads(r[0]) for r in ws.store.query(
        "SELECT detail FROM access_log WHERE action IN ('settings_change', 'sync') ORDER BY seq")]
    assert logged[0]["sync.window_days"] == 60 and logged[-1]["ok"] and logged[-1]["reads"] == 40
