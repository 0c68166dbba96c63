"""``alpr demo``: the demo city. ``setup`` builds everything the README's run command needs;
``generate`` only writes camera drops (plus cameras.json and hotlists.json) to a folder."""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

from .common import data_dir


def cmd_setup(args):
    if args.profile == "lametro-parking":
        return _setup_parking(args)
    from app.server.demo_setup import DEMO_PASSWORD, setup
    t0 = time.time()
    res = setup(data_dir(args), days=args.days, reads_per_day=args.reads_per_day,
                server_dir=Path(args.server_dir) if args.server_dir else None, now=time.time(),
                clock=time.time, say=lambda m: print(m, flush=True), ocr=not args.no_ocr,
                via_receiver=args.via_receiver)
    print(f"Ingest: {res.ingest.summary()}")
    for name, reason in res.ingest.rejects[:10]:
        print(f"  rejected {name}: {reason}")
    print(f"Sync: {res.sync_summary}")
    print(f"\nDemo ready in {time.time() - t0:.0f} s. Store: {res.data_dir}; city server: embedded:{res.server_dir}")
    print(f"Demo users (password for all: {DEMO_PASSWORD}):")
    for user, role in res.users:
        print(f"  {user:12} {role}")
    print("Administrator, deputy and clerk enrol an authenticator app at first login (policy).")


def _setup_parking(args):
    """The LA Metro parking demo (issue 18): facilities, a week of traffic, operator files."""
    from app.server import demo_parking
    t0, folder = time.time(), data_dir(args)
    report, summary, users, files = demo_parking.setup(
        folder, days=args.days, server_dir=Path(args.server_dir or folder / "city-server"),
        now=time.time(), clock=time.time, say=lambda m: print(m, flush=True), ocr=not args.no_ocr)
    print(f"Ingest: {report.summary()}")
    print(f"\nDemo ready in {time.time() - t0:.0f} s. Store: {folder}; operator files: {files}")
    print(f"Demo users (password for all: {demo_parking.DEMO_PASSWORD}):")
    for user, role in users:
        print(f"  {user:12} {role}")
    print("The administrator enrols an authenticator app at first login (policy). Parking tab: "
          "declare OCCUPANCY, PARKING-ORD, REVENUE or TRANSIT-COURT with case "
          f"{demo_parking.CASE}.")


def cmd_generate(args):
    from app.server.democity.generate import generate
    from app.server.democity.sites import CAMERAS, HOTLISTS
    folder = Path(args.folder)
    plan = generate(folder, args.days, args.reads_per_day, int(time.time()))
    (folder / "cameras.json").write_text(json.dumps([asdict(c) for c in CAMERAS], indent=1))
    (folder / "hotlists.json").write_text(json.dumps(
        {"hotlists": [asdict(h) for h in HOTLISTS], "entries": [asdict(e) for e in plan.entries]}, indent=1))
    print(f"{plan.drops} drops ({plan.no_plate} without a plate read, {plan.misreads} misreads, "
          f"{plan.faulty} deliberately bad) in {folder}; cameras.json and hotlists.json beside them.")


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="the demo city").add_subparsers(dest="demo_cmd", required=True)
    p = demo.add_parser("setup", help="embedded server + N days of drops + a store with demo users, synced")
    p.add_argument("--days", type=int, default=3)
    p.add_argument("--reads-per-day", type=int, default=1000)
    p.add_argument("--server-dir", help="where the embedded city server goes (default DATA_DIR/city-server)")
    p.add_argument("--no-ocr", action="store_true", help="leave drops without a plate read in the OCR queue")
    p.add_argument("--via-receiver", action="store_true",
                   help="send one drop in ten through the receiver (OpenALPR webhooks, Frigate MQTT)")
    p.add_argument("--profile", choices=["calabasas", "lametro-parking"], default="calabasas",
                   help="calabasas (the city demo) or lametro-parking (park-and-ride facilities)")
    p.set_defaults(func=cmd_setup)
    p = demo.add_parser("generate", help="write demo camera drops to a folder")
    p.add_argument("folder")
    p.add_argument("--days", type=int, default=3)
    p.add_argument("--reads-per-day", type=int, default=1000)
    p.set_defaults(func=cmd_generate)
