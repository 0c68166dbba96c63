"""``alpr agency``, ``alpr permission`` and ``alpr breach``: the designee's oversight records.

The agency register that release requests pick from, written permissions for a role barred
without one (Coachella's contractor), and breach incidents with their notices. Every change
goes through the engine, which checks the grant and logs it.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from app.engine import timefmt
from app.engine.oversight.agencies import AGENCY_TYPES, LEVELS, AgencyForm
from app.engine.oversight.breach import IncidentForm
from app.engine.oversight.permits import PermitForm

from .common import add_login_args, login, open_workstation
from .evidence_cmd import when


def _form(args) -> AgencyForm:
    return AgencyForm(args.name, args.type, args.level, args.state, args.agreement, args.contact)


def cmd_agency_add(args):
    ws = open_workstation(args)
    print(f"Added to the register: {ws.agencies.add(login(ws, args), _form(args)).summary()}")


def cmd_agency_edit(args):
    ws = open_workstation(args)
    a = ws.agencies.edit(login(ws, args), args.agency_id, _form(args))
    print(f"Register entry changed (version {a.version}): {a.summary()}")
    print("Requests made on its earlier version can no longer be approved or released.")


def cmd_agency_retire(args):
    ws = open_workstation(args)
    print(f"Retired: {ws.agencies.retire(login(ws, args), args.agency_id, args.reason).summary()}")


def cmd_agency_list(args):
    ws = open_workstation(args)
    for a in ws.agencies.entries(login(ws, args), args.all):
        print(a.summary())


def cmd_permission_grant(args):
    ws = open_workstation(args)
    form = PermitForm(args.username, args.case_number, when(args.valid_from), when(args.valid_until),
                      args.document, tuple(args.camera or ()),
                      when(args.data_since) if args.data_since else None,
                      when(args.data_until) if args.data_until else None, tuple(args.read or ()))
    print(ws.permits.grant(login(ws, args), form).summary())


def cmd_permission_list(args):
    ws = open_workstation(args)
    s = login(ws, args)
    found = (ws.permits.active_in(s, when(args.since), when(args.until)) if args.since and args.until
             else ws.permits.on_file(s))
    for p in found:
        print(p.summary())


def cmd_permission_revoke(args):
    ws = open_workstation(args)
    print(ws.permits.revoke(login(ws, args), args.permission_id, args.reason).summary())


def cmd_breach_record(args):
    ws = open_workstation(args)
    form = IncidentForm(args.what, when(args.found), when(args.since), when(args.until),
                        "package" if args.package else "store", args.package or "")
    s = login(ws, args)
    inc = ws.breach.record(s, form)
    print(f"Breach incident #{inc.id} recorded: {inc.medium_text()}.")
    _notices(ws, s, inc.id)


def _notices(ws, s, incident_id: int) -> None:
    tz = timefmt.zone(ws.profile.time_zone)
    for n in ws.breach.notices(s, incident_id):
        print(f"  notice #{n.id} {n.title}: {n.state(ws.clock(), tz)}"
              + (f"; {n.file_path}" if n.file_path else ""))


def cmd_breach_notices(args):
    ws = open_workstation(args)
    s = login(ws, args)
    if args.to:
        for path in ws.breach.produce(s, args.incident_id, Path(args.to)):
            print(f"Wrote {path}")
    _notices(ws, s, args.incident_id)


def cmd_breach_complete(args):
    ws = open_workstation(args)
    s = login(ws, args)
    n = (ws.breach.take_down(s, args.notice_id, args.removed_on) if args.removed_on
         else ws.breach.complete(s, args.notice_id, args.on))
    print(f"Notice #{n.id} {n.title}: {n.state(ws.clock(), timefmt.zone(ws.profile.time_zone))}.")


def register(sub: argparse._SubParsersAction) -> None:
    ag = sub.add_parser("agency", help="the register of agencies releases go to").add_subparsers(
        dest="agency_cmd", required=True)
    for name, func in (("add", cmd_agency_add), ("edit", cmd_agency_edit)):
        p = ag.add_parser(name, help=f"{name} a register entry (the designee)")
        add_login_args(p)
        if name == "edit":
            p.add_argument("agency_id", type=int)
        p.add_argument("--name", required=True)
        p.add_argument("--type", required=True, choices=AGENCY_TYPES)
        p.add_argument("--level", required=True, choices=LEVELS, help="level of government")
        p.add_argument("--state", required=True, help="two-letter postal code of the agency's state")
        p.add_argument("--agreement", required=True, help="the agreement or MOU on file (reference)")
        p.add_argument("--contact", required=True, help="who at the agency requests or receives data")
        p.set_defaults(func=func)
    p = ag.add_parser("retire", help="retire a register entry")
    add_login_args(p)
    p.add_argument("agency_id", type=int)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_agency_retire)
    p = ag.add_parser("list", help="list the register")
    add_login_args(p)
    p.add_argument("--all", action="store_true", help="retired entries too")
    p.set_defaults(func=cmd_agency_list)

    pe = sub.add_parser("permission", help="written permissions for a barred role").add_subparsers(
        dest="permission_cmd", required=True)
    p = pe.add_parser("grant", help="record a written permission (the City Manager)")
    add_login_args(p)
    p.add_argument("username", help="the person permitted")
    p.add_argument("--case-number", required=True)
    p.add_argument("--valid-from", required=True, help="YYYY-MM-DD[THH:MM] (UTC unless an offset is given)")
    p.add_argument("--valid-until", required=True)
    p.add_argument("--document", required=True, help="reference of the signed permission")
    p.add_argument("--camera", action="append", help="data of this camera (repeat; default any)")
    p.add_argument("--data-since", help="start of the period of data covered")
    p.add_argument("--data-until", help="end of the period of data covered")
    p.add_argument("--read", action="append", type=int, metavar="READ_ID", help="a read covered (repeat)")
    p.set_defaults(func=cmd_permission_grant)
    p = pe.add_parser("list", help="permissions on file, or those in force in a period (--since/--until)")
    add_login_args(p)
    p.add_argument("--since")
    p.add_argument("--until")
    p.set_defaults(func=cmd_permission_list)
    p = pe.add_parser("revoke", help="revoke a permission before it expires")
    add_login_args(p)
    p.add_argument("permission_id", type=int)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_permission_revoke)

    br = sub.add_parser("breach", help="breach incidents and their notices").add_subparsers(
        dest="breach_cmd", required=True)
    p = br.add_parser("record", help="record a breach incident; its notices and deadlines follow")
    add_login_args(p)
    p.add_argument("--what", required=True, help="what happened")
    p.add_argument("--found", required=True, help="when it was found")
    p.add_argument("--since", required=True, help="start of the period the data may have been exposed")
    p.add_argument("--until", required=True, help="end of that period")
    p.add_argument("--package", help="the evidence package's folder name (default: this store)")
    p.set_defaults(func=cmd_breach_record)
    p = br.add_parser("notices", help="list an incident's notices, or write them as PDFs (--to)")
    add_login_args(p)
    p.add_argument("incident_id", type=int)
    p.add_argument("--to", help="folder to write the notice PDFs into")
    p.set_defaults(func=cmd_breach_notices)
    p = br.add_parser("complete", help="record a notice as sent or posted, or a website notice taken down")
    add_login_args(p)
    p.add_argument("notice_id", type=int)
    done = p.add_mutually_exclusive_group(required=True)
    done.add_argument("--on", help="YYYY-MM-DD the notice was sent or posted")
    done.add_argument("--removed-on", help="YYYY-MM-DD the website notice was taken down")
    p.set_defaults(func=cmd_breach_complete)
