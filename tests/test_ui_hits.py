"""Flow 6: the hits queue, the new-hit alert, dispositions and hotlist entries."""
from __future__ import annotations

import json

from app.engine import hits as hit_rules

from .ui_fixtures import last_seq, log_actions, open_window  # noqa: F401
from .ui_sample import insert_sample


def _details(ws, action: str, since: int) -> list[dict]:
    return [json.loads(ws.store.query_one("SELECT detail FROM access_log WHERE seq = ?", (r[0],))[0])
            for r in log_actions(ws, since) if r[2] == action]


def test_queue_by_priority_then_disposition_with_note(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    panel = window.hits
    assert "Hits" in [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert not panel.banner.isHidden() and "open hits waiting" in panel.banner.text()
    seq = last_seq(ws)
    panel.refresh()
    priorities = [h.priority for h in panel.rows]
    assert priorities == sorted(priorities) and priorities[0] == 1
    assert panel.table.item(0, 4).text() == "Stolen vehicles" and panel.table.item(0, 5).text() == "CA DOJ SVS"
    assert "VC 10851" in panel.table.item(0, 6).text()
    assert any(r[2] == "hotlist_view" for r in log_actions(ws, seq))

    panel.table.selectRow(0)
    first = panel.selected()
    panel.disposition.setCurrentIndex(panel.disposition.findData("misread"))
    panel.dispose_button.click()                               # a misread needs a note
    assert "note" in panel.message.text()
    panel.note.setText("Plate photo shows 8XYZ990, not the stolen plate")
    panel.dispose_button.click()
    assert "misread recorded" in panel.message.text()
    assert first.id not in [h.id for h in panel.rows]          # open-only queue: gone
    logged = _details(ws, "hit_disposition", seq)
    assert logged[-1]["disposition"] == "misread" and "8XYZ990" in logged[-1]["note"]
    row = ws.store.query_one("SELECT disposition, disposed_by FROM hits WHERE id = ?", (first.id,))
    assert row == ("misread", "ddeputy")


def test_new_hits_raise_a_visible_alert(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    panel = window.hits
    panel.poll()
    alerts = []
    panel.alert.connect(alerts.append)
    with ws.store.transaction() as conn:                       # a sync brings a new entry
        conn.execute("INSERT INTO hotlist_entries(id, hotlist_id, plate, reason, priority, added_at) "
                     "VALUES (90, 'ca-doj-svs', '4KLM456', 'Stolen plates', 1, ?)", (int(clock()),))
        hit_rules.match_entries(conn, [90], clock())
    panel.poll()
    assert alerts and "NEW HITS" in alerts[0] and "priority 1" in alerts[0]
    assert not panel.banner.isHidden() and "NEW HITS" in panel.banner.text()
    assert "NEW" in window.tabs.tabText(window.tabs.indexOf(panel))
    assert "NEW HITS" in window.statusBar().currentMessage()


def test_hotlist_entries_add_and_expire_by_authorised_roles(ws, people, open_window, clock):
    insert_sample(ws, int(clock()))
    window = open_window(people.user("ddeputy", "deputy"))
    lists = window.hits.hotlists
    assert not lists.edit_row.isHidden()
    lists.refresh()
    assert {e.plate for e in lists.entries} == {"8XYZ999", "6TRK221", "5SAM808"}
    seq = last_seq(ws)
    lists.hotlist.setCurrentIndex(lists.hotlist.findData("lasd-wanted"))
    lists.plate.setText("4klm456")
    lists.reason.setText("")
    lists.add_button.click()
    assert "reason" in lists.message.text()
    lists.reason.setText("Vehicle of interest, case LHS-2026-004512")
    lists.add_button.click()
    assert "matched 6 reads" in lists.message.text()
    added = [e for e in lists.entries if e.plate == "4KLM456"]
    assert added and added[0].local and added[0].added_by == "ddeputy"
    lists.table.selectRow(lists.entries.index(added[0]))
    lists.expire_button.click()
    assert "expired" in lists.message.text()
    assert "4KLM456" not in {e.plate for e in lists.entries}
    ops = [d.get("op") for d in _details(ws, "hotlist_edit", seq)]
    assert ops == ["add", "expire"]


def test_roles_without_hotlist_grants_do_not_see_hits(ws, people, open_window):
    window = open_window(people.user("ccustodian", "custodian"))
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "Hits" not in titles and "Search" in titles
