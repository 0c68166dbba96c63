"""Commands of the foundation: set-up, users, training, audit, purge, holds and search."""
from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from app.engine import plate_list, states
from app.engine.policy import available_profiles
from app.engine.search import SearchQuery
from app.engine.workstation import AuditFilter, Workstation

from .common import CliError, add_login_args, data_dir, login, open_workstation, read_password


def _time(text: str | None) -> int | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"{text!r} is not a date or time (use YYYY-MM-DD or YYYY-MM-DDTHH:MM).") from None
    return int((dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp())


def _fmt(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def cmd_init(args):
    ws = Workstation.create(data_dir(args), args.profile)
    print(f"Created an encrypted store in {ws.store.data_dir} under the {ws.profile.name}.")
    print("Its key opens only with a user's key slot. Now create the first administrator:")
    password = read_password(args, "Administrator password: ")
    user = ws.create_first_admin(args.admin, args.admin_name, password)
    print(f"Administrator {user.username} created.")


def cmd_status(args):
    """The store's header; with --user, whether it opens (key, integrity, schema) and how
    much it holds: no ALPR data."""
    ws = open_workstation(args)
    print(f"Store {ws.vault.slots.store_id} in {ws.data_dir}: profile {ws.profile.name} "
          f"(retention {ws.profile.retention_days} days), {len(ws.vault.slots.slots)} key slots.")
    if not args.user:
        print("The store is closed; give --user to log in and see what it holds.")
        return
    login(ws, args)
    counts = {t: ws.store.query_one(f"SELECT count(*) FROM {t}")[0]
              for t in ("reads", "images", "users", "hits", "access_log")}
    print(f"Schema {ws.store.schema_version}: "
          + ", ".join(f"{n:,} {t.replace('_', ' ')}" for t, n in counts.items()) + ".")
    print("Temporary files: " + ("a big sort (a first sync's index rebuild) spills to disk encrypted, each file "
                                 "under a key of its own." if ws.store.temp_files_encrypted
                                 else "held in memory (their encryption was not built)."))


def _new_password(args) -> str:
    if not args.new_password_file:
        raise CliError("Give the user's new password in a file with --new-password-file.")
    with open(args.new_password_file, encoding="utf-8") as fh:    # a bad file: main's sentence
        return fh.readline().rstrip("\n")


def cmd_user_add(args):
    ws = open_workstation(args)
    s = login(ws, args)
    u = ws.add_user(s, args.username, args.full_name, args.role, _new_password(args), args.agency)
    print(f"User {u.username} ({u.role}, {u.agency}) added.")


def cmd_user_reset_password(args):
    ws = open_workstation(args)
    u = ws.reset_password(login(ws, args), args.username, _new_password(args))
    print(f"{u.username} has a new key slot and a first password; they choose their own at "
          "their next sign-in.")


def cmd_user_enable(args):
    ws = open_workstation(args)
    u = ws.enable_user(login(ws, args), args.username)
    print(f"{u.username} enabled; reset their password to give them a key slot again.")


def cmd_user_list(args):
    ws = open_workstation(args)
    s = login(ws, args)
    for u in ws.list_users(s):
        state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
        print(f"{u.username:20} {u.role:15} {state:9} {u.full_name} ({u.agency})")


def cmd_user_unlock(args):
    ws = open_workstation(args)
    print(f"{ws.unlock_user(login(ws, args), args.username).username} unlocked.")


def cmd_user_disable(args):
    ws = open_workstation(args)
    print(f"{ws.disable_user(login(ws, args), args.username).username} disabled.")


def cmd_training_add(args):
    ws = open_workstation(args)
    ws.add_training(login(ws, args), args.username, args.course or ws.profile.training_course,
                    args.completed, args.expires)
    print(f"Training recorded for {args.username} until {args.expires}.")


def cmd_audit_show(args):
    ws = open_workstation(args)
    s = login(ws, args)
    flt = AuditFilter(args.filter_user, args.action, args.since, args.until, args.plate, args.limit)
    for e in ws.audit_entries(s, flt):
        print(f"{e.seq:6} {e.ts} {e.username:14} {e.action:14} {e.purpose or '-':12} "
              f"{e.case_number or '-':16} q={e.query} ids={e.result_ids[:8]}{'...' if len(e.result_ids) > 8 else ''}")


def cmd_audit_verify(args):
    ws = open_workstation(args)
    session = login(ws, args)
    if args.against:
        seq, digest, held = ws.audit_check_anchor(session, args.against)
        if held:
            print(f"The access log still holds entry {seq} (hash {digest[:16]}...) that "
                  f"{args.against.name} names: nothing before it was removed or rewritten.")
            return 0
        print(f"ACCESS LOG CHANGED: entry {seq} that {args.against.name} names (hash "
              f"{digest[:16]}...) is no longer in the log as it was.")
        return 1
    report = ws.audit_verify(session)
    print(report.summary())
    return 0 if report.ok else 1


def cmd_audit_alerts(args):
    ws = open_workstation(args)
    found = ws.sync.alerts(login(ws, args))
    for at, kind, detail in found:
        print(f"{_fmt(at)}  {kind:14} {detail}")
    print(f"{len(found)} alerts on the city server about this workstation's access log.")
    return 1 if found else 0


def cmd_audit_export(args):
    ws = open_workstation(args)
    n = ws.audit_export(login(ws, args), args.output)
    print(f"{n} entries written to {args.output}.")


def cmd_purge(args):
    ws = open_workstation(args)
    r = ws.purge(login(ws, args))
    print(f"Purged {r.reads} reads, {r.images} images and {r.hits} hits older than "
          f"{_fmt(r.cutoff)}; {r.kept_by_hold} reads kept by holds.")


def cmd_hold_add(args):
    ws = open_workstation(args)
    hid = ws.place_hold(login(ws, args), args.case_number, args.kind, args.reason, args.read_ids)
    print(f"Hold {hid} placed on {len(set(args.read_ids))} reads for case {args.case_number}.")


def cmd_hold_release(args):
    ws = open_workstation(args)
    ws.release_hold(login(ws, args), args.hold_id, args.reason)
    print(f"Hold {args.hold_id} released.")


def cmd_hold_list(args):
    ws = open_workstation(args)
    for h in ws.list_holds(login(ws, args), args.active):
        state = "active" if h.active else f"released by {h.released_by}"
        print(f"{h.id:5} {h.case_number:18} {h.kind:11} {h.read_count:6} reads  {state}  {h.reason}")


def _read_line(r) -> str:
    flags = (" HIT" if r.has_hit else "") + (" misread?" if r.possible_misread else "")
    extra = f" (~{r.closeness:.2f})" if r.closeness is not None else ""
    return (f"{r.id:10} {r.plate:10} {states.shown(r.plate_state):2}{extra} {_fmt(r.read_at)} "
            f"{r.camera_id:8} {r.site:24} {r.confidence:.2f}{flags}")


def cmd_search(args):
    if args.list and args.plate:
        raise CliError("Give a plate or --list FILE, not both.")
    if args.list and args.pdf:
        raise CliError("--pdf prints a plate search, not a --list search.")
    plates_ = plate_list.load(Path(args.list)) if args.list else ()
    ws = open_workstation(args)
    s = login(ws, args)
    if args.list:
        res = ws.search_list(s, plate_list.PlateListQuery(plates_, _time(args.since), _time(args.until),
                                                         min(args.limit, 500)))
        for g in res.groups:
            print(f"{g.plate:10} {g.count:6} reads" + (f"  last {_fmt(g.last_at)}" if g.last_at else ""))
            for r in g.reads:
                print("    " + _read_line(r))
        print(f"{res.seen} of {len(res.groups)} plates seen (one logged search).")
        return
    q = SearchQuery(plate=args.plate or "", mode=args.mode, start=_time(args.since),
                    end=_time(args.until), cameras=tuple(args.camera or ()),
                    sites=tuple(args.site or ()), hits_only=args.hits_only, state=args.state or "")
    if args.pdf:
        out = ws.printing.search(s, q, Path(args.pdf))
        print(f"Search results printed to {out} (logged as a print).")
        return
    page = ws.search(s, q, limit=args.limit)
    for r in page.rows:
        print(_read_line(r))
    print(f"{len(page.rows)} reads{' (more: raise --limit)' if page.has_more else ''}.")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create the encrypted store and the first administrator")
    p.add_argument("--profile", default="calabasas", choices=available_profiles())
    p.add_argument("--admin", required=True, help="the first administrator's user name")
    p.add_argument("--admin-name", required=True, help="the administrator's full name")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("status", help="the store's header; with --user, what it holds")
    add_login_args(p)
    p.set_defaults(func=cmd_status)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="user_cmd", required=True)
    p = user.add_parser("add", help="add a user")
    add_login_args(p)
    p.add_argument("username")
    p.add_argument("--full-name", required=True)
    p.add_argument("--role", required=True)
    p.add_argument("--agency")
    p.add_argument("--new-password-file", help="file whose first line is the new user's password")
    p.set_defaults(func=cmd_user_add)
    p = user.add_parser("reset-password", help="give a user a first password and a new key slot")
    add_login_args(p)
    p.add_argument("username")
    p.add_argument("--new-password-file", help="file whose first line is the user's new password")
    p.set_defaults(func=cmd_user_reset_password)
    for name, func, helptext in (("list", cmd_user_list, "list users"),
                                 ("unlock", cmd_user_unlock, "unlock a locked-out user"),
                                 ("disable", cmd_user_disable, "disable a user (their key slot is deleted)"),
                                 ("enable", cmd_user_enable, "enable a disabled user")):
        p = user.add_parser(name, help=helptext)
        add_login_args(p)
        if name != "list":
            p.add_argument("username")
        p.set_defaults(func=func)

    tr = sub.add_parser("training", help="training records").add_subparsers(dest="tr_cmd", required=True)
    p = tr.add_parser("add", help="record a user's completed training")
    add_login_args(p)
    p.add_argument("username")
    p.add_argument("--course")
    p.add_argument("--completed", required=True, help="YYYY-MM-DD")
    p.add_argument("--expires", required=True, help="YYYY-MM-DD")
    p.set_defaults(func=cmd_training_add)

    au = sub.add_parser("audit", help="the access log").add_subparsers(dest="au_cmd", required=True)
    p = au.add_parser("show", help="print access-log entries")
    add_login_args(p)
    p.add_argument("--filter-user")
    p.add_argument("--action")
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("--plate")
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(func=cmd_audit_show)
    p = au.add_parser("verify", help="verify the hash chain")
    add_login_args(p)
    p.add_argument("--against", type=Path, metavar="PACKAGE_OR_REPORT",
                   help="an evidence package (folder or metadata.json) or a printed report (PDF): "
                        "check that the log still holds the entry it names")
    p.set_defaults(func=cmd_audit_verify)
    p = au.add_parser("alerts", help="what the city server recorded against this workstation's log")
    add_login_args(p)
    p.set_defaults(func=cmd_audit_alerts)
    p = au.add_parser("export", help="export the log as CSV")
    add_login_args(p)
    p.add_argument("output")
    p.set_defaults(func=cmd_audit_export)

    p = sub.add_parser("purge", help="purge reads past the retention period (holds are kept)")
    add_login_args(p)
    p.set_defaults(func=cmd_purge)

    ho = sub.add_parser("hold", help="evidence, discovery and litigation holds").add_subparsers(dest="ho_cmd", required=True)
    p = ho.add_parser("add", help="place a hold on reads")
    add_login_args(p)
    p.add_argument("--case-number", required=True)
    p.add_argument("--kind", choices=["evidence", "discovery", "litigation"], default="evidence")
    p.add_argument("--reason", required=True)
    p.add_argument("read_ids", type=int, nargs="+")
    p.set_defaults(func=cmd_hold_add)
    p = ho.add_parser("release", help="release a hold (records custodian)")
    add_login_args(p)
    p.add_argument("hold_id", type=int)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_hold_release)
    p = ho.add_parser("list", help="list holds")
    add_login_args(p)
    p.add_argument("--active", action="store_true")
    p.set_defaults(func=cmd_hold_list)

    p = sub.add_parser("search", help="search reads (logged, needs a purpose and case number)")
    add_login_args(p, purpose=True)
    p.add_argument("plate", nargs="?", default="")
    p.add_argument("--mode", choices=["exact", "partial", "wildcard", "similar"], default="exact")
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("--camera", action="append")
    p.add_argument("--site", action="append")
    p.add_argument("--hits-only", action="store_true")
    p.add_argument("--state", help="the plate's state: a two-letter code, or 'unknown'")
    p.add_argument("--list", metavar="FILE", help="a CSV of up to 500 plates, searched as one "
                   "logged search (results grouped per plate)")
    p.add_argument("--limit", type=int, default=50, help="reads shown (per plate with --list)")
    p.add_argument("--pdf", metavar="FILE", help="print the results as PDF instead (logged as a print)")
    p.set_defaults(func=cmd_search)
