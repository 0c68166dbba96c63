"""``alpr ocr``: read the server's queue of drops without a plate read, verify reads, and
search by a witness photo. The models load on first use (seconds)."""
from __future__ import annotations

import argparse
from pathlib import Path

from app.engine.errors import BadImage

from .common import CliError, add_login_args, login, open_workstation
from .server_cmd import _server


def cmd_drain(args):
    from app.engine.ocr import get_reader
    from app.server.ocr_queue import DrainResult, drain
    with _server(args) as server:
        for step in drain(server, get_reader(), min_confidence=args.min_confidence):
            if isinstance(step, DrainResult):
                print(f"OCR queue drained: {step.read} read, {step.unreadable} unreadable.")
            elif step.done % 25 == 0:
                print(f"  {step.done} drops: {step.message}", flush=True)


def cmd_verify(args):
    ws = open_workstation(args)
    s = login(ws, args)
    flagged = 0
    for rid in args.read_ids:
        v = ws.ocr.verify_read(s, rid)
        flagged += v.possible_misread
        mark = "POSSIBLE MISREAD" if v.possible_misread else "agrees"
        print(f"{rid:10} vendor {v.vendor_plate:10} ocr {v.ocr_plate or '-':10} ({v.ocr_confidence:.2f})  {mark}")
    print(f"{flagged} of {len(args.read_ids)} reads marked possible misread.")


def cmd_photo(args):
    ws = open_workstation(args)
    s = login(ws, args)
    path = Path(args.photo)
    if not path.is_file():
        raise CliError(f"{path} is not a file.")
    try:
        result = ws.ocr.search_by_photo(s, path.read_bytes(), limit=args.limit)
    except BadImage as exc:
        raise CliError(f"{path.name}: {exc}") from None
    if not result.candidates:
        print("No plate found in the photo.")
        return 1
    for c in result.candidates:
        print(f"candidate {c.text:10} confidence {c.confidence:.2f} box {c.box}")
        page = result.pages.get(c.text)
        for r in page.rows if page else []:
            print(f"    {r.id:10} {r.plate:10} ~{r.closeness:.2f} {r.camera_id:10} {r.site}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    ocr = sub.add_parser("ocr", help="plate OCR: queue, verification, search by photo").add_subparsers(
        dest="ocr_cmd", required=True)
    p = ocr.add_parser("drain", help="read the city server's queued drops (no plate read)")
    p.add_argument("--server", required=True, help="embedded:FOLDER, postgresql://... or a libpq string")
    p.add_argument("--password-stdin", action="store_true", help="read the server password from stdin")
    p.add_argument("--min-confidence", type=float, default=0.30)
    p.set_defaults(func=cmd_drain)
    p = ocr.add_parser("verify", help="re-read reads' plate crops and mark possible misreads")
    add_login_args(p, purpose=True)
    p.add_argument("read_ids", type=int, nargs="+")
    p.set_defaults(func=cmd_verify)
    p = ocr.add_parser("photo", help="find plates in a witness photo and search them")
    add_login_args(p, purpose=True)
    p.add_argument("photo")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_photo)
