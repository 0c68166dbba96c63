"""``alpr analysis ...``: stakeout, locate, convoy, clones and the camera map from a terminal.

Times without a UTC offset are read as UTC, like ``alpr search``; add one (``-08:00``) for
Pacific time. Results print local (America/Los_Angeles) times, as the GUI shows them.
"""
from __future__ import annotations

import argparse
import math
from datetime import datetime, timezone

from app.engine.analyses_types import (WEEKDAYS, CameraMapQuery, CloneQuery, ConvoyQuery, LocateQuery,
                                       Place, StakeoutQuery, local_time)

from .common import CliError, add_login_args, login, open_workstation


def _time(text: str | None, what: str) -> int | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"{what}: {text!r} is not a date or time "
                       "(use YYYY-MM-DD or YYYY-MM-DDTHH:MM).") from None
    return int((dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp())


def _place(text: str) -> Place:
    """``CAMERA[,CAMERA|site:NAME...]@START/END``.

    For example ``CAM-LV-N,site:Old Town@2026-11-01T08:00/2026-11-01T10:00``.
    """
    where, at, when = text.rpartition("@")
    start, slash, end = when.partition("/")
    if not at or not where or not slash:
        raise CliError(f"--place {text!r}: use CAMERA[,site:NAME]@START/END.")
    items = [i.strip() for i in where.split(",") if i.strip()]
    sites = tuple(i[5:] for i in items if i.startswith("site:"))
    cams = tuple(i for i in items if not i.startswith("site:"))
    return Place(_time(start, "--place start"), _time(end, "--place end"), cams, sites)  # type: ignore[arg-type]  # the engine refuses a place without times


def _t(ts: int) -> str:
    return local_time(ts).strftime("%Y-%m-%d %H:%M:%S %Z")


def _read(r) -> str:
    return f"  {r.id:10} {r.plate:10} {_t(r.read_at)} {r.camera_id:10} {r.site}"


def _finish(ws, s, res, args) -> None:
    if args.pdf:
        print(f"Report written to {ws.analyses.report_pdf(s, res, args.pdf)}.")


def cmd_stakeout(args):
    ws = open_workstation(args)
    s = login(ws, args)
    q = StakeoutQuery(tuple(_place(p) for p in args.place), args.min_places, args.limit)
    res = ws.analyses.stakeout(s, q)
    for p in res.plates:
        print(f"{p.plate:10} seen at places {', '.join(str(i + 1) for i in p.places)}")
        for r in p.reads:
            print(_read(r))
    print(f"{len(res.plates)} plates{' (more: raise --limit)' if res.truncated else ''}.")
    _finish(ws, s, res, args)


def cmd_locate(args):
    ws = open_workstation(args)
    s = login(ws, args)
    q = LocateQuery(args.plate, _time(args.since, "--since"), _time(args.until, "--until"))
    res = ws.analyses.locate(s, q)
    if res.last is None:
        print(f"{res.query.plate} was not read in this period.")
        return
    print(f"{len(res.reads)} reads of {res.query.plate}; last seen {_t(res.last.read_at)} at "
          f"{res.last.camera_id} ({res.last.site}).")
    for c in res.cameras:
        print(f"  {c.camera_id:10} {c.count:6}  last {_t(c.last_at)}  {c.name}")
    print("  hour  " + " ".join(f"{h:>3}" for h in range(24)))
    print("  reads " + " ".join(f"{n:>3}" for n in res.by_hour))
    print("  " + "  ".join(f"{d} {n}" for d, n in zip(WEEKDAYS, res.by_weekday)))
    _finish(ws, s, res, args)


def cmd_convoy(args):
    ws = open_workstation(args)
    s = login(ws, args)
    q = ConvoyQuery(args.plate, _time(args.since, "--since"), _time(args.until, "--until"),
                    args.window, args.min_cameras, args.limit)
    res = ws.analyses.convoy(s, q)
    print(f"{len(res.target_reads)} reads of {res.query.plate} in the period.")
    for i, c in enumerate(res.companions, 1):
        print(f"{i:3}. {c.plate:10} with it {c.times} times at {len(c.cameras)} cameras: "
              f"{', '.join(c.cameras)}")
    print(f"{len(res.companions)} companions.")
    _finish(ws, s, res, args)


def cmd_clones(args):
    ws = open_workstation(args)
    s = login(ws, args)
    q = CloneQuery(_time(args.since, "--since"), _time(args.until, "--until"), args.max_kmh, args.slack,
                   args.plate or "", args.limit)
    res = ws.analyses.clones(s, q)
    for f in res.flags:
        speed = "same second" if math.isinf(f.speed_kmh) else f"{f.speed_kmh:.0f} km/h"
        print(f"{f.plate:10} {f.distance_km:7.1f} km in {f.seconds / 60:6.1f} min ({speed})")
        print(_read(f.first))
        print(_read(f.second))
    if res.cameras_without_coordinates:
        print("Not checked (no coordinates): " + ", ".join(res.cameras_without_coordinates))
    print(f"{len(res.flags)} pairs to review{' (more: raise --limit)' if res.truncated else ''}.")
    _finish(ws, s, res, args)


def cmd_cameras(args):
    ws = open_workstation(args)
    s = login(ws, args)
    q = CameraMapQuery(_time(args.since, "--since"), _time(args.until, "--until"))
    res = ws.analyses.camera_map(s, q)
    for c in res.cameras:
        where = "no coordinates" if c.lat is None else f"{c.lat:.5f},{c.lon:.5f}"
        print(f"{c.camera_id:10} {c.reads:9} reads  {where:22} {c.site} / {c.name}")
    print(f"{res.total} reads at {len(res.cameras)} cameras.")
    _finish(ws, s, res, args)


def register(sub: argparse._SubParsersAction) -> None:
    an = sub.add_parser("analysis", help="investigative analyses (logged, need a purpose and case number)")
    cmds = an.add_subparsers(dest="an_cmd", required=True)

    def common(name: str, helptext: str, func) -> argparse.ArgumentParser:
        p = cmds.add_parser(name, help=helptext)
        add_login_args(p, purpose=True)
        p.add_argument("--pdf", help="also print the result to this PDF file (logged as a print)")
        p.set_defaults(func=func)
        return p

    p = common("stakeout", "plates seen at K or more of several places", cmd_stakeout)
    p.add_argument("--place", action="append", required=True,
                   help="CAMERA[,CAMERA,site:NAME]@START/END; give two or more")
    p.add_argument("--min-places", type=int, default=2)
    p.add_argument("--limit", type=int, default=1000)
    p = common("locate", "where and when a plate is usually seen", cmd_locate)
    p.add_argument("plate")
    p.add_argument("--since")
    p.add_argument("--until")
    p = common("convoy", "plates travelling with a target plate", cmd_convoy)
    p.add_argument("plate")
    p.add_argument("--since", required=True)
    p.add_argument("--until", required=True)
    p.add_argument("--window", type=int, default=60, help="seconds either side of each target read")
    p.add_argument("--min-cameras", type=int, default=2)
    p.add_argument("--limit", type=int, default=200)
    p = common("clones", "same plate at two places too far apart for the time between", cmd_clones)
    p.add_argument("--since", required=True)
    p.add_argument("--until", required=True)
    p.add_argument("--max-kmh", type=float, default=160.0)
    p.add_argument("--slack", type=int, default=60, help="seconds allowed for camera clock differences")
    p.add_argument("--plate")
    p.add_argument("--limit", type=int, default=500)
    p = common("cameras", "cameras with coordinates and read volume", cmd_cameras)
    p.add_argument("--since")
    p.add_argument("--until")
