"""Sharing as SB 34 allows (issue 14, part 4): the agency register drives release requests, and
out-of-state, federal and private recipients are refused with the rule quoted: by the engine,
by the command line, and through a register entry changed after the approval."""
from __future__ import annotations

import io
import json
import sys

import pytest

from app.cli.main import main
from app.engine.errors import NotFound, PermissionDenied, ReleaseRefused, ValidationError
from app.engine.evidence import ExportRequest, ReleaseRequestForm, run
from app.engine.oversight.agencies import AgencyForm
from tests.conftest import PASSWORD
from tests.evidence_data import add_reads_with_images, agency

RULE = "1798.90.55(b)"
BULLETIN = "2023-DLE-06"


def form(**kw) -> AgencyForm:
    base = dict(name="Reno Police Department", agency_type="law_enforcement", level="local",
                state="NV", agreement="MOU R-1", contact="Records, (775) 555-0100")
    base.update(kw)
    return AgencyForm(**base)


def request(agency_id: int, now: int, **kw) -> ReleaseRequestForm:
    base = dict(agency_id=agency_id, requester="Det. R. Alvarez", purpose="Robbery investigation",
                description="Reads 300-301", case_number="VCSO-26-118", received_on="2026-11-20",
                read_ids=(300, 301), start=now - 86400, end=now + 1)
    base.update(kw)
    return ReleaseRequestForm(**base)


def actions(ws, name: str) -> list[dict]:
    return [json.loads(d) for (d,) in ws.store.query(
        "SELECT detail FROM access_log WHERE action = ? ORDER BY seq", (name,))]


@pytest.mark.parametrize("bad, why", [
    (dict(state="NV"), "it is an agency of NV, not of California"),
    (dict(name="FBI Los Angeles Field Office", level="federal", state="CA"), "it is a federal agency"),
    (dict(name="U.S. Customs and Border Protection", level="federal", state="DC"), "federal agency"),
    (dict(name="Acme Repossession LLC", agency_type="private", state="CA"), "not a public agency"),
])
def test_the_register_refuses_what_the_law_bars_quoting_the_rule(ws, people, bad, why):
    designee = people.admin()
    with pytest.raises(ReleaseRefused) as refused:
        ws.agencies.add(designee, form(**bad))
    text = str(refused.value)
    assert why in text and RULE in text and BULLETIN in text and "except to another public agency" in text
    assert ws.agencies.entries(designee) == []
    assert actions(ws, "denied")[-1]["action"] == "agency_add" and why in actions(ws, "denied")[-1]["reason"]


def test_the_register_is_kept_by_the_designee_and_every_change_is_logged(ws, people):
    designee, clerk = people.admin(), people.user("cclerk", "custodian")
    with pytest.raises(PermissionDenied):
        ws.agencies.add(clerk, form(state="CA"))
    vcso = ws.agencies.add(designee, form(name="Ventura County Sheriff's Office", state="ca"))
    assert (vcso.state, vcso.version, vcso.level) == ("CA", 1, "local")
    with pytest.raises(ValidationError, match="(?i)already has ventura county sheriff's office \\(entry #1\\)"):
        ws.agencies.add(designee, form(name="ventura county sheriff's office", state="CA"))
    with pytest.raises(ValidationError, match="contact"):
        ws.agencies.add(designee, form(name="X PD", state="CA", contact=" "))
    with pytest.raises(ValidationError, match="two-letter"):
        ws.agencies.add(designee, form(name="X PD", state="California"))
    edited = ws.agencies.edit(designee, vcso.id, form(name="Ventura County Sheriff's Office",
                                                      state="CA", agreement="MOU 2026-014"))
    assert edited.version == 2 and edited.agreement == "MOU 2026-014"
    with pytest.raises(ReleaseRefused, match="not of California"):      # an edit is checked the same
        ws.agencies.edit(designee, vcso.id, form(name="Ventura County Sheriff's Office", state="AZ"))
    assert [a.name for a in ws.agencies.entries(clerk)] == ["Ventura County Sheriff's Office"]
    ws.agencies.retire(designee, vcso.id, "MOU ended")
    assert ws.agencies.entries(designee) == [] and len(ws.agencies.entries(designee, True)) == 1
    logged = [a for (a,) in ws.store.query("SELECT action FROM access_log WHERE action LIKE 'agency_%'")]
    assert logged == ["agency_add", "agency_edit", "agency_retire"]
    from app.engine.audit import describe
    from app.engine.workstation import AuditFilter
    entry = ws.audit_entries(designee, AuditFilter(action="agency_retire"))[-1]
    assert describe(entry).startswith("amanager (administrator) retired agency register entry #1 "
                                      "Ventura County Sheriff's Office")


def test_the_register_drives_requests(ws, people, clock):
    designee, clerk = people.admin(), people.user("cclerk", "custodian")
    add_reads_with_images(ws, 2, 300, int(clock()))
    now = int(clock())
    with pytest.raises(ValidationError, match="free-text agencies are not accepted"):
        ws.evidence.request_release(clerk, request("Ventura County Sheriff's Office", now))  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="No agency #99"):
        ws.evidence.request_release(clerk, request(99, now))
    vcso = agency(ws, designee)
    req = ws.evidence.request_release(clerk, request(vcso, now))
    assert (req.agency, req.agency_type, req.agency_id, req.agency_version) == \
        ("Ventura County Sheriff's Office", "law_enforcement", vcso, 1)
    assert "register entry #1" in req.summary()
    logged = actions(ws, "release_request")[-1]
    assert logged["agency"] == "Ventura County Sheriff's Office" and logged["agency_version"] == 1


@pytest.mark.parametrize("change, why", [
    ("UPDATE agencies SET state = 'NV' WHERE id = ?", "agency of NV"),
    ("UPDATE agencies SET level = 'federal' WHERE id = ?", "federal agency"),
])
def test_an_entry_changed_behind_the_engine_releases_nothing(ws, people, clock, tmp_path, change, why):
    """Attack: the entry is made lawful, the request approved, then the row is changed in the
    store (not through the register, which would refuse it): the export is refused."""
    designee, clerk, deputy = people.admin(), people.user("cclerk", "custodian"), people.user("dsmith", "deputy")
    add_reads_with_images(ws, 2, 300, int(clock()))
    vcso = agency(ws, designee)
    req = ws.evidence.request_release(clerk, request(vcso, int(clock())))
    ws.evidence.decide_release(designee, req.id, True, "MOU on file")
    ws.store.execute(change, (vcso,))
    with pytest.raises(ReleaseRefused) as refused:
        run(ws.evidence.export(deputy, ExportRequest([300], tmp_path, "For VCSO", release_request_id=req.id)))
    assert why in str(refused.value) and RULE in str(refused.value) and BULLETIN in str(refused.value)
    assert list(tmp_path.glob("ALPR-*")) == [] and actions(ws, "denied")[-1]["action"] == "export"
    with pytest.raises(ReleaseRefused, match=why):                       # and no new request either
        ws.evidence.request_release(clerk, request(vcso, int(clock())))
    assert actions(ws, "denied")[-1]["action"] == "release_request"


def test_an_entry_edited_or_retired_after_approval_releases_nothing(ws, people, clock, tmp_path):
    designee, clerk, deputy = people.admin(), people.user("cclerk", "custodian"), people.user("dsmith", "deputy")
    add_reads_with_images(ws, 2, 300, int(clock()))
    vcso = agency(ws, designee)
    first = ws.evidence.request_release(clerk, request(vcso, int(clock())))
    ws.evidence.decide_release(designee, first.id, True, "MOU on file")
    ws.agencies.edit(designee, vcso, form(name="Ventura County Sheriff's Office", state="CA",
                                          agreement="MOU 2026-099 (new)"))
    export = ExportRequest([300], tmp_path, "For VCSO", release_request_id=first.id)
    with pytest.raises(ReleaseRefused, match="was changed after the request was made on it"):
        run(ws.evidence.export(deputy, export))
    second = ws.evidence.request_release(clerk, request(vcso, int(clock())))   # on the entry as it is
    ws.agencies.retire(designee, vcso, "Agency merged")
    with pytest.raises(ReleaseRefused, match="was retired"):
        ws.evidence.decide_release(designee, second.id, True, "MOU on file")
    assert list(tmp_path.glob("ALPR-*")) == []


def test_the_command_line_refuses_in_one_sentence(ws, people, clock, monkeypatch, capsys):
    """Out-of-state by ``alpr agency add``, a tampered federal entry by ``alpr release request``."""
    designee = people.admin()
    people.user("cclerk", "custodian")
    vcso = agency(ws, designee)
    ws.store.execute("UPDATE agencies SET level = 'federal' WHERE id = ?", (vcso,))
    # the administrator's one-time codes follow the real clock on the command line
    ws.store.execute("UPDATE users SET totp_last_step = NULL")

    def alpr(*argv: str, user: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        extra = ["--user", user, "--password-stdin"]
        if user in people.totp:
            import pyotp
            extra += ["--totp", pyotp.TOTP(people.totp[user]).now()]
        code = main(["--data-dir", str(ws.store.data_dir), *argv[:2], *extra, *argv[2:]])
        return code, capsys.readouterr().err.strip()
    code, err = alpr("agency", "add", "--name", "Reno Police Department", "--type", "law_enforcement",
                     "--level", "local", "--state", "NV", "--agreement", "none", "--contact", "x",
                     user="amanager")
    assert code == 1 and len(err.splitlines()) == 1 and "not of California" in err and RULE in err
    code, err = alpr("release", "request", "--agency", str(vcso), "--requester", "Agent K",
                     "--request-purpose", "x", "--description", "d", "--their-case", "F-1",
                     "--received-on", "2026-11-20", "--read", "1", "--since", "2026-11-01",
                     "--until", "2026-11-02", user="cclerk")
    assert code == 1 and len(err.splitlines()) == 1 and "federal agency" in err and BULLETIN in err
