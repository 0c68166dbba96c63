"""GUI actions on reads: OCR verify, correct, search by photo, export as evidence, hold.

Each flow goes through the real widgets on a real encrypted store and is checked against
the engine's access log. OCR answers come from a scripted reader so the flows are fast and
exact; the OCR itself is tested in test_ocr_*.
"""
from __future__ import annotations

import json
import threading

import cv2
from PySide6.QtCore import QItemSelectionModel, QRectF
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialogButtonBox

from app.engine.evidence import verify_package
from app.engine.ocr import PlateCandidate
from app.engine.ocr.service import OcrService
from app.ui.results_model import FLAGS_COLUMN

from .test_ocr_service import ScriptedReader
from .ui_fixtures import last_seq, log_actions, make_ctx, open_window  # noqa: F401
from .ui_sample import insert_sample, plate_image


def _actions(ws, since: int) -> list[str]:
    return [r[2] for r in log_actions(ws, since)]


def _entries(ws, action: str, since: int = 0) -> list[dict]:
    return [{"user": r[1], "case": r[4], "query": json.loads(r[5] or "null"),
             "ids": json.loads(r[6] or "null")} for r in log_actions(ws, since) if r[2] == action]


def _scripted(ws, text: str, conf: float) -> ScriptedReader:
    reader = ScriptedReader(text, conf)
    ws.__dict__["ocr"] = OcrService(ws, reader=reader)      # ws.ocr is a cached_property
    return reader


def _ok(box: QDialogButtonBox) -> None:
    box.button(QDialogButtonBox.StandardButton.Ok).click()


def _select(window, plate: str, rows: list[int]) -> list[int]:
    panel = window.search
    panel.plate.setText(plate)
    panel.mode.setCurrentIndex(panel.mode.findData("exact"))
    panel.search_button.click()
    selection = panel.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(panel.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)
    return [panel.model.rows[r].id for r in rows]


def test_verify_with_ocr_then_correct_the_plate(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    _scripted(ws, "7ABC128", 0.91)
    window = open_window(people.user("ddeputy", "deputy"))
    detail, bar = window.detail, window.detail.actions
    detail.load(1)                                   # vendor read 7ABC123, not yet re-read
    assert not detail.misread.isVisibleTo(window)
    seq = last_seq(ws)
    bar.verify_button.click()
    assert "7ABC128" in bar.result.text() and "POSSIBLE MISREAD" in bar.result.text()
    assert detail.misread.isVisibleTo(window) and "7ABC128" in detail.misread.text()
    assert detail.fields["Our OCR"].text() == "7ABC128 (0.91)"
    assert [e["ids"] for e in _entries(ws, "ocr_verify", seq)] == [[1]]

    bar.correct_button.click()
    dialog = bar.dialog
    assert dialog.isVisible() and "7ABC123" in dialog.vendor.text()
    assert "7ABC128" in dialog.ocr.text() and dialog.plate.text() == "7ABC128"
    _ok(dialog.buttons)                              # no reason: refused here, nothing sent
    assert "reason" in dialog.message.text() and dialog.isVisible()
    assert _entries(ws, "correct", seq) == []
    dialog.reason.setPlainText("Crop shows 8 at the end; OCR agrees")
    _ok(dialog.buttons)
    assert not dialog.isVisible() and dialog.result.new_plate == "7ABC128"
    assert "7ABC128" in detail.plate_label.text()
    assert "7ABC123 -> 7ABC128 by ddeputy" in detail.fields["Corrections"].text()
    assert "Corrected 7ABC123 -> 7ABC128" in bar.result.text()
    logged = _entries(ws, "correct", seq)
    assert [(e["ids"], e["query"]["new_plate"]) for e in logged] == [([1], "7ABC128")]
    assert logged[0]["case"] == "LHS-2026-004512"


def test_correction_refused_by_engine_keeps_the_dialog(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    window.detail.load(1)
    window.detail.actions.correct_button.click()
    dialog = window.detail.actions.dialog
    dialog.plate.setText("7ABC123")                  # the plate it already has
    dialog.reason.setPlainText("checking")
    _ok(dialog.buttons)
    assert dialog.isVisible() and dialog.message.text().startswith("Not corrected:")
    assert dialog.buttons.isEnabled() and dialog.reason.toPlainText() == "checking"


def test_buttons_follow_the_role(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    window = open_window(people.user("cclerk", "custodian"))
    window.detail.load(1)
    bar = window.detail.actions
    assert bar.verify_button.isVisibleTo(window) and not bar.correct_button.isVisibleTo(window)
    assert bar.export_button.isVisibleTo(window) and bar.hold_button.isVisibleTo(window)
    assert window.photo_action.isVisible() and window.search.photo_button.isVisibleTo(window)
    assert window.photo_action.shortcut() == QKeySequence("Ctrl+Shift+P")
    auditor = open_window(people.user("aaudit", "auditor", purpose=False), settings_name="a.ini")
    assert not any(a.isVisible() for a in (auditor.photo_action, auditor.export_action,
                                           auditor.hold_action))
    assert auditor.read_actions.photo_search() is None and auditor.read_actions.dialog is None
    assert auditor.read_actions.export([1]) is None and auditor.read_actions.hold([1]) is None


def test_search_by_photo_fills_the_search(ws, people, open_window, clock, tmp_path):
    insert_sample(ws, int(clock()))
    reader = _scripted(ws, "7ABC123", 0.8)
    reader.answer = [PlateCandidate("7ABC123", 0.8, (12, 6, 100, 50))]
    photo = tmp_path / "witness.png"
    photo.write_bytes(cv2.imencode(".png", plate_image("7ABC123"))[1].tobytes())
    window = open_window(people.user("ddeputy", "deputy"))
    window.read_actions.choose_image = lambda _parent: str(photo)
    seq = last_seq(ws)
    window.photo_action.trigger()
    dialog = window.read_actions.dialog
    assert reader.calls == 1 and dialog.candidates.count() == 1
    assert not dialog.preview.item.pixmap().isNull()          # the photo, with the read box
    assert dialog.box.isVisible() and dialog.box.rect() == QRectF(12, 6, 100, 50)
    text = dialog.candidates.item(0).text()
    assert "7ABC123" in text and "0.80" in text and "similar reads" in text
    assert _actions(ws, seq)[:2] == ["photo_read", "search"]
    dialog.candidates.itemClicked.emit(dialog.candidates.item(0))
    panel = window.search
    assert panel.plate.text() == "7ABC123" and panel.mode.currentData() == "similar"
    assert {r.plate for r in panel.model.rows} == {"7ABC123", "7A8C123"}
    last = _entries(ws, "search", seq)[-1]
    assert last["query"]["mode"] == "similar" and last["ids"] == [r.id for r in panel.model.rows]


def test_search_by_photo_refuses_a_bad_file(ws, people, open_window, clock, tmp_path):
    _scripted(ws, "7ABC123", 0.8)
    junk = tmp_path / "not-a-photo.jpg"
    junk.write_bytes(b"this is not an image")
    window = open_window(people.user("ddeputy", "deputy"))
    window.read_actions.choose_image = lambda _parent: str(junk)
    seq = last_seq(ws)
    window.search.photo_button.click()
    dialog = window.read_actions.dialog
    assert dialog.status.text().startswith("Not searched:") and dialog.candidates.count() == 0
    assert "photo_read" not in _actions(ws, seq)
    window.read_actions.choose_image = lambda _parent: str(tmp_path / "gone.png")
    dialog.pick_button.click()
    assert "gone.png" in dialog.status.text() and dialog.pick_button.isEnabled()


def test_export_selected_reads_as_evidence(ws, people, open_window, clock, tmp_path):
    insert_sample(ws, int(clock()))
    usb = tmp_path / "usb"
    usb.mkdir()
    window = open_window(people.user("ddeputy", "deputy"))
    window.read_actions.choose_folder = lambda _parent: str(usb)
    ids = _select(window, "7ABC123", [0, 2])
    seq = last_seq(ws)
    window.search.export_button.click()
    dialog = window.read_actions.dialog
    dialog.choose_button.click()
    assert dialog.target.currentData() == str(usb)
    dialog.export_button.click()                     # no description: not done, nothing lost
    assert "Export NOT done" in dialog.message.text() and "Describe" in dialog.message.text()
    assert dialog.export_button.isEnabled() and list(usb.iterdir()) == []
    dialog.description.setPlainText("Two sightings of the suspect vehicle")
    dialog.export_button.click()
    r = dialog.outcome
    assert r is not None and sorted(r.read_ids) == sorted(ids) and r.path.parent == usb
    shown = dialog.message.text()
    assert r.manifest_sha256 in shown and f"hold {r.hold_id}" in shown and str(r.path) in shown
    assert verify_package(r.path).ok
    assert not dialog.export_button.isEnabled() and dialog.progress.value() == 1
    actions = _actions(ws, seq)
    assert "export" in actions and "hold_place" in actions
    assert sorted(_entries(ws, "export", seq)[0]["ids"]) == sorted(ids)


def test_export_to_a_bad_target_is_reported_not_done(ws, people, open_window, clock, tmp_path):
    insert_sample(ws, int(clock()))
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    window = open_window(people.user("ddeputy", "deputy"))
    window.detail.load(1)
    window.detail.actions.export_button.click()
    dialog = window.read_actions.dialog
    assert dialog.read_ids == [1]
    dialog.set_target(not_a_folder)
    dialog.description.setPlainText("One sighting")
    dialog.export_button.click()
    assert dialog.outcome is None and "Export NOT done" in dialog.message.text()
    assert dialog.export_button.isEnabled()


def test_place_hold_on_selected_reads(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    deputy = people.user("ddeputy", "deputy")
    window = open_window(deputy)
    window.search.hold_button.click()                # nothing selected yet
    assert window.read_actions.dialog is None and "Select" in window.search.status.text()
    ids = _select(window, "8XYZ999", [0, 1, 2])
    seq = last_seq(ws)
    window.hold_action.trigger()
    dialog = window.read_actions.dialog
    assert dialog.case.text() == "LHS-2026-004512"
    _ok(dialog.buttons)
    assert "No hold placed" in dialog.message.text() and dialog.isVisible()
    dialog.kind.setCurrentIndex(dialog.kind.findData("litigation"))
    dialog.reason.setPlainText("Civil claim notice received")
    _ok(dialog.buttons)
    assert dialog.hold_id is not None and not dialog.isVisible()
    hold = next(h for h in ws.list_holds(deputy) if h.id == dialog.hold_id)
    assert (hold.kind, hold.case_number, hold.read_count) == ("litigation", "LHS-2026-004512", 3)
    logged = _entries(ws, "hold_place", seq)
    assert [sorted(e["ids"]) for e in logged] == [sorted(ids)]


def test_cancelled_export_is_reported_not_done(ws, people, open_window, clock, tmp_path, qtbot):
    insert_sample(ws, int(clock()))
    usb = tmp_path / "usb"
    usb.mkdir()
    window = open_window(people.user("ddeputy", "deputy"), make_ctx(ws, threaded=True))
    window.detail.load(1)
    qtbot.waitUntil(lambda: window.ctx.runner.idle and window.detail.detail is not None)
    window.detail.actions.export_button.click()
    dialog = window.read_actions.dialog
    dialog.set_target(usb)
    dialog.description.setPlainText("One sighting")
    gate = threading.Event()
    window.ctx.db(gate.wait)                         # hold the database thread
    seq = last_seq(ws)
    dialog.export_button.click()
    assert dialog.cancel_button.isEnabled() and not dialog.close_button.isEnabled()
    dialog.cancel_button.click()
    gate.set()
    qtbot.waitUntil(lambda: "cancelled" in dialog.message.text(), timeout=10_000)
    assert "NOT done" in dialog.message.text() and dialog.outcome is None
    assert dialog.export_button.isEnabled() and list(usb.iterdir()) == []
    assert "export" not in _actions(ws, seq)


def test_results_table_shows_the_correction_at_once(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    _scripted(ws, "7ABC128", 0.91)
    window = open_window(people.user("ddeputy", "deputy"))
    ids = _select(window, "7ABC123", [0])
    model = window.search.model
    row = model.rows.index(next(r for r in model.rows if r.id == ids[0]))
    assert model.index(row, 1).data() == "7ABC123"
    window.detail.load(ids[0])
    bar = window.detail.actions
    bar.correct_button.click()
    bar.dialog.plate.setText("7ABC128")
    bar.dialog.reason.setPlainText("Crop shows 8 at the end")
    _ok(bar.dialog.buttons)
    assert model.index(row, 1).data() == "7ABC128"            # no new search needed
    assert "corrected from 7ABC123" in model.index(row, FLAGS_COLUMN).data()
