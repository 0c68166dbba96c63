"""The audit cycle's risk rules: each fires on a log built to show its pattern, with the
entries behind it, and stays quiet on an innocent month (issue 14)."""
from __future__ import annotations

import pytest

from tests.conftest import Clock, People
from tests.review_log import CASE, NOW, PURPOSE, at, innocent_month, put, search, staff


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def _flags(ws, people, rule: str | None = None):
    auditor = people.login("aaud") if ws.auth.get_user("aaud") else people.user("aaud", "auditor", purpose=False)
    review = ws.reviews.run(auditor, ws.reviews.period("2026-10"))
    flags = [i for i in review.items if i.rule != "sample"]
    return [i for i in flags if rule is None or i.rule == rule], review


@pytest.fixture
def deputy(ws, people):
    s = staff(people, "ddeputy")
    innocent_month(ws, s.actor)
    return s.actor


def test_an_innocent_month_raises_no_flag(ws, people, deputy):
    flags, review = _flags(ws, people)
    assert flags == []
    assert review.review.label == "October 2026" and review.review.scheduled
    sampled = [i for i in review.items if i.rule == "sample"]
    assert len(sampled) == 13 and all(i.sentence.startswith("ddeputy (deputy)") for i in sampled)


def test_unusual_hours_against_the_users_own_baseline(ws, people, deputy):
    late = [search(ws, at(10, 20, 2, 10), deputy, "4LATE01"), search(ws, at(10, 21, 3, 5), deputy, "4LATE02")]
    flags, _ = _flags(ws, people, "unusual_hours")
    assert [f.seqs for f in flags] == [tuple(late)]
    assert "ddeputy (deputy) made 2 searches at 02:00, 03:00 Pacific time" in flags[0].sentence
    assert "of their 90 searches in the 90 days before the period" in flags[0].sentence


def test_a_night_worker_is_not_unusual_at_night(ws, people):
    night = staff(people, "nnight").actor
    for day in range(1, 61):
        search(ws, at(10, 1, 0) - day * 86400 + 2 * 3600, night, f"2NIT{day:03d}")      # 02:00 always
    search(ws, at(10, 9, 2, 30), night, "2NIT999")
    assert _flags(ws, people, "unusual_hours")[0] == []


def test_a_burst_of_searches(ws, people, deputy):
    burst = [search(ws, at(10, 15, 11, 0) + i * 30, deputy, f"5BUR{i:03d}") for i in range(16)]
    flags, _ = _flags(ws, people, "burst")
    assert len(flags) == 1 and flags[0].seqs == tuple(burst)
    assert flags[0].sentence.startswith("ddeputy (deputy) made 16 searches within 8 minutes, from 2026-10-15 11:00")


def test_one_plate_searched_by_many_users(ws, people, deputy):
    others = [staff(people, f"dep{i}").actor for i in range(2)]
    seqs = [search(ws, at(10, 12, 10), deputy, "6MANY01")]
    seqs += [search(ws, at(10, 12 + i, 11), who, "6MANY01") for i, who in enumerate(others, 1)]
    flags, _ = _flags(ws, people, "plate_users")
    assert [f.seqs for f in flags] == [tuple(seqs)]
    assert flags[0].sentence.startswith("Plate 6MANY01 was searched by 3 different users (ddeputy, dep0, dep1)")


def test_one_plate_again_and_again_with_no_hit_and_no_case_activity(ws, people, deputy):
    seqs = [search(ws, at(10, 5 + i, 14), deputy, "7EXP001") for i in range(5)]
    flags, _ = _flags(ws, people, "plate_repeat")
    assert [f.seqs for f in flags] == [tuple(seqs)]
    assert "searched plate 7EXP001 5 times under case LHS-2026-004512" in flags[0].sentence


def test_a_plate_searched_again_under_a_case_with_a_hold_is_not_flagged(ws, people, deputy, seeded):
    for i in range(5):
        search(ws, at(10, 5 + i, 14), deputy, "7EXP001")
    dep = people.user("dhold", "deputy")
    ws.place_hold(dep, CASE, "evidence", "booked", [1])
    assert _flags(ws, people, "plate_repeat")[0] == []


def test_one_case_under_unrelated_purposes(ws, people, deputy):
    other = put(ws, at(10, 18, 9), deputy, "purpose_set", purpose="CODE-ENF", case_number=CASE)
    flags, _ = _flags(ws, people, "case_purposes")
    assert len(flags) == 1 and other in flags[0].seqs and len(flags[0].seqs) == 2
    assert "Case LHS-2026-004512 was declared under 2 different purposes (CODE-ENF, FELONY-INV)" in flags[0].sentence


def test_searches_without_a_plate(ws, people, deputy):
    seq = search(ws, at(10, 19, 10), deputy, None, cameras=["CAM-LV-N"])
    flags, _ = _flags(ws, people, "plateless")
    assert [f.seqs for f in flags] == [(seq,)]
    assert "ran 1 search by camera or site alone, with no plate (CAM-LV-N)" in flags[0].sentence


def test_exports_prints_and_releases(ws, people, deputy):
    e = put(ws, at(10, 20, 10), deputy, "export", purpose=PURPOSE, case_number=CASE, result_ids=[1],
            detail={"package": "P1"})
    p = put(ws, at(10, 20, 11), deputy, "print", purpose=PURPOSE, case_number=CASE, query={"report": "r.pdf"})
    r = put(ws, at(10, 21, 11), deputy, "export", purpose=PURPOSE, case_number=CASE, result_ids=[2],
            detail={"package": "P2", "release_request": 4})
    flags, _ = _flags(ws, people)
    out = [f for f in flags if f.rule == "exports"]
    assert [f.seqs for f in out] == [(e, p, r)] and "2 evidence packages, 1 printed report" in out[0].sentence
    assert [(f.rule, f.seqs) for f in flags if f.rule == "release"] == [("release", (r,))]
    assert {f.rule for f in flags} == {"exports", "release"}


def test_denied_attempts(ws, people, deputy):
    seq = put(ws, at(10, 22, 10), deputy, "denied", detail={"action": "purge", "reason": "not authorised"})
    flags, _ = _flags(ws, people, "denied")
    assert [f.seqs for f in flags] == [(seq,)] and "was refused 1 time (purge)" in flags[0].sentence


def test_work_and_logins_with_lapsed_training(ws, people):
    lapsed = people.user("llapsed", "deputy", trained=False, purpose=False)
    people.train("llapsed", days_ago=400, valid_days=390)        # ran out ten days before NOW... and
    ws.store.execute("UPDATE training SET expires_on = '2026-10-10' WHERE user_id = ?", (lapsed.user.id,))
    ok = search(ws, at(10, 8, 10), lapsed.actor, "3OLD001")
    late = search(ws, at(10, 20, 10), lapsed.actor, "3OLD002")
    refused = put(ws, at(10, 21, 10), lapsed.actor, "denied",
                  detail={"action": "search", "reason": "You have no current ALPR training on record"})
    flags, _ = _flags(ws, people)
    training = [f for f in flags if f.rule == "training"]
    assert [f.seqs for f in training] == [(late, refused)] and ok not in training[0].seqs
    assert training[0].sentence == ("llapsed (deputy): 1 entry made without current training and 1 refusal "
                                    "for lapsed or missing training.")


def test_gaps_and_changes_in_the_chain(ws, people, deputy):
    seqs = [search(ws, at(10, 25, 10 + i), deputy, f"9CHN{i:03d}") for i in range(4)]
    assert _flags(ws, people, "chain")[0] == []
    ws.store.execute("UPDATE access_log SET detail = '{\"returned\": 0}' WHERE seq = ?", (seqs[1],))
    ws.store.execute("DELETE FROM access_log WHERE seq = ?", (seqs[3] - 1,))
    flags, _ = _flags(ws, people, "chain")
    text = " ".join(f.sentence for f in flags)
    assert f"Entry {seqs[1]} was modified after it was written." in text
    assert f"Entries {seqs[2]} to {seqs[2]} are missing from the log (deleted)." in text
    assert f"Entry {seqs[3]} does not follow the entry before it" in text


def test_an_earlier_reviews_anchor_rewritten_is_an_alert(ws, people, deputy):
    auditor = people.user("aaud2", "auditor", purpose=False)
    first = ws.reviews.run(auditor, ws.reviews.period("2026-10")).review
    ws.store.execute("UPDATE access_log SET hash = ? WHERE seq = ?", ("0" * 64, first.through_seq))
    flags, _ = _flags(ws, people, "chain")
    assert any(f"Review #{first.id} read the log up to entry {first.through_seq}" in f.sentence for f in flags)


def test_rules_run_on_every_profile(make_ws, clock):
    for profile in ("coachella", "lametro-parking"):
        w = make_ws(profile)
        p = People(w, clock)
        role = "deputy" if profile == "coachella" else "enforcement"
        who = p.user(f"u{profile[:4]}", role, trained=False, purpose=False)
        p.train(who.user.username, days_ago=300, valid_days=700)
        case, purpose = {"coachella": ("RSO-260012345", "AUTO-THEFT"),
                         "lametro-parking": ("CIT-12345678", "PARKING-ORD")}[profile]
        seq = search(w, at(10, 19, 10), who.actor, None, case=case, purpose=purpose, sites=["Lot A"])
        auditor = p.user("aaud", "auditor", purpose=False)
        review = w.reviews.run(auditor, w.reviews.period("2026-10"))
        assert [(i.rule, i.seqs) for i in review.items if i.rule != "sample"] == [("plateless", (seq,))]
