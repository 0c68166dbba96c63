"""``alpr images status|configure``: the encrypted image cache, for the administrator.

The workstation keeps every read's metadata but only some images (docs/scaling.md, "A
two-year city on one workstation"): those of the prefetch window, of holds and open hits, and
those viewed lately, within a budget. ``status`` shows how full the cache is; ``configure``
sets the budget (evicting the least recently viewed at once) and the prefetch window. Both are
the administrator's (``settings_admin``), checked by the engine, and the change is logged.
"""
from __future__ import annotations

import argparse

from .common import CliError, add_login_args, login, open_workstation


def cmd_images(args):
    if args.images_cmd == "configure" and args.budget_mb is None and args.prefetch_days is None:
        raise CliError("Give --budget-mb N, --prefetch-days D or both.")
    ws = open_workstation(args)
    try:
        session = login(ws, args)
        if args.images_cmd == "status":
            print(f"Image cache: {ws.images.status(session).summary()}")
            return
        kept = ws.images.settings()
        budget = kept.budget_mb if args.budget_mb is None else args.budget_mb
        days = kept.prefetch_days if args.prefetch_days is None else args.prefetch_days
        st = ws.images.configure(session, budget, days)
        print(f"Image cache set: {st.summary()}")
        if st.evicted:
            print(f"{st.evicted:,} images ({st.freed / 1e6:,.1f} MB) left the cache to fit the budget.")
    finally:
        ws.close()


def register(sub: argparse._SubParsersAction) -> None:
    im = sub.add_parser("images", help="the image cache: budget and prefetch window (administrator)")
    cmds = im.add_subparsers(dest="images_cmd", required=True)
    p = cmds.add_parser("status", help="used and budget, pinned images, the prefetch window")
    add_login_args(p)
    p.set_defaults(func=cmd_images)
    p = cmds.add_parser("configure", help="set the budget and/or the prefetch window")
    add_login_args(p)
    p.add_argument("--budget-mb", type=int, help="the cache's size budget in megabytes (at least 100); "
                   "least recently viewed images leave first, pinned ones never")
    p.add_argument("--prefetch-days", type=int, help="images of reads of the last D days come with "
                   "the sync, for offline work (0 to 90)")
    p.set_defaults(func=cmd_images)
