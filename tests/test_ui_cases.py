"""The Cases screen, the purpose bar's cases, the plate-list window and the state column, on
real widgets over a real store: each action is the engine's, refusals show as one sentence."""
from __future__ import annotations

import json

from app.engine.search import SearchQuery
from app.ui.results_model import STATE_COLUMN

from .ui_fixtures import last_seq, log_actions, open_window  # noqa: F401
from .ui_sample import insert_sample

NOW = 1_795_000_000
CASE = "LHS-2026-004777"


def test_case_screen_opens_uses_notes_and_closes_a_case(ws, people, open_window, clock):
    clock.t = NOW
    insert_sample(ws, NOW)
    deputy = people.user("ddeputy", "deputy", purpose=False)
    window = open_window(deputy)
    panel = window.cases
    assert "Cases" in [window.tabs.tabText(i) for i in range(window.tabs.count())]
    panel.open_new(CASE, "STOLEN-VEH", "Stolen Honda, Agoura Rd")
    assert panel.view is not None and panel.title.text() == f"{CASE} - Stolen Honda, Agoura Rd"
    assert panel.list.item(0, 0).text() == CASE
    # The purpose bar offers the open case; picking it fills purpose and number.
    bar = window.purpose_bar
    bar.load_cases()
    index = bar.cases.findData(CASE)
    assert index > 0
    bar.cases.activated.emit(index)
    assert bar.case.text() == CASE and bar.purpose.currentData() == "STOLEN-VEH"
    panel.buttons["use"].click()
    assert (window.ctx.session.purpose, window.ctx.session.case_number) == ("STOLEN-VEH", CASE)
    ws.cases.bookmark(deputy, CASE, 1, "first sighting")
    panel.ask_text = lambda _t, _l: "Victim called back."
    panel.buttons["note"].click()
    assert panel.notes.item(0, 2).text() == "Victim called back."
    assert panel.bookmarks.item(0, 1).text() == "7ABC123" and panel.bookmarks.item(0, 2).text() == "CA"
    assert any("declared" in panel.work.item(r, 2).text() or "case" in panel.work.item(r, 2).text()
               for r in range(panel.work.rowCount()))
    panel.ask_text = lambda _t, _l: "Recovered."
    panel.buttons["close"].click()
    assert "closed" in panel.facts.text() and not panel.buttons["note"].isEnabled()
    window.search.plate.setText("7ABC123")
    window.search.run_search()
    assert "was closed" in window.search.status.text() and window.search.model.rows == []


def test_a_non_member_sees_no_case(ws, people, open_window, clock):
    clock.t = NOW
    owner = people.user("ddeputy", "deputy", purpose=False)
    ws.cases.open(owner, CASE, "STOLEN-VEH", "Private")
    other = people.user("eother", "deputy", purpose=False)
    window = open_window(other)
    assert window.cases.list.rowCount() == 0 and window.purpose_bar.cases.count() == 1
    window.purpose_bar.choose("STOLEN-VEH", CASE)
    assert "not a member" in window.purpose_bar.message.text()
    window.cases.open_case(CASE)
    assert "not a member" in window.cases.message.text() and window.cases.view is None


def test_plate_list_window_is_one_logged_search_grouped_per_plate(ws, people, open_window, clock):
    clock.t = NOW
    insert_sample(ws, NOW)
    window = open_window(people.user("ddeputy", "deputy"))
    dialog = window.search.open_plate_list()
    dialog.text.setPlainText("\n".join(["7ABC123", "3DOG777"] + [f"9NOP{i:03d}" for i in range(498)]))
    seq = last_seq(ws)
    dialog.search_button.click()
    [entry] = log_actions(ws, seq)
    assert entry[2] == "search" and len(json.loads(entry[5])["plate_list"]) == 500
    assert dialog.tree.topLevelItemCount() == 500 and "2 of 500 plates read" in dialog.summary.text()
    top = dialog.tree.topLevelItem(0)
    assert top.text(0) in ("7ABC123", "3DOG777") and int(top.text(1)) > 0
    nv = next(dialog.tree.topLevelItem(i) for i in range(2) if dialog.tree.topLevelItem(i).text(0) == "3DOG777")
    assert nv.child(0).text(2) == "NV"
    opened = []
    dialog.read_requested.connect(opened.append)
    dialog.tree.itemClicked.emit(nv.child(0), 0)
    assert opened and window.detail.plate_label.text().startswith("3DOG777  NV")
    dialog.text.setPlainText("7ABC123\nnot a plate!")
    seq = last_seq(ws)
    dialog.search_button.click()
    assert "Line 2 of the plate list" in dialog.message.text() and log_actions(ws, seq) == []


def test_state_column_and_state_filter(ws, people, open_window, clock):
    clock.t = NOW
    insert_sample(ws, NOW)
    window = open_window(people.user("ddeputy", "deputy"))
    search = window.search
    search.plate.setText("3DOG777")
    search.run_search()
    assert {search.model.index(r, STATE_COLUMN).data() for r in range(search.model.rowCount())} == {"NV"}
    search.plate.setText("7ABC123")
    search.state.setCurrentIndex(search.state.findData("NV"))
    assert search.build_query() == SearchQuery(plate="7ABC123", state="NV")
    search.run_search()
    assert search.model.rowCount() == 0 and search.status.text() == "No reads match."


def test_bookmark_selected_reads_from_the_reads_menu(ws, people, open_window, clock, qtbot):
    clock.t = NOW
    insert_sample(ws, NOW)
    deputy = people.user("ddeputy", "deputy", purpose=False)
    ws.cases.open(deputy, CASE, "STOLEN-VEH", "Stolen Honda, Agoura Rd")
    window = open_window(deputy)
    said: list[str] = []
    window.read_actions.message = said.append
    window.search.selected_ids = lambda: [1]                 # the read picked in the results
    window.bookmark_action.trigger()
    assert said == ["Declare the case first: reads are bookmarked in the case declared."]
    window.purpose_bar.choose("STOLEN-VEH", CASE)
    window.bookmark_action.trigger()
    qtbot.waitUntil(lambda: len(said) == 2, timeout=5000)
    assert said[1] == f"1 read bookmarked in case {CASE}."
    assert [b.read_id for b in ws.cases.show(deputy, CASE).bookmarks] == [1]
