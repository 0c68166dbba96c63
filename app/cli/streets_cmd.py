"""``alpr streets import|show``: the street layer the map draws under cameras and sightings.

A city's GIS exports its street centre-lines once (GeoJSON or GeoPackage); an administrator
imports the file, which replaces the layer whole (``ws.streets``, which guards and logs it).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from app.engine import timefmt

from .common import CliError, add_login_args, login, open_workstation


def _said(ws, info) -> str:
    when = timefmt.fmt(info.imported_at, timefmt.zone(ws.profile.time_zone), seconds=False)
    return (f"{info.segments:,} street lines from {info.source_file} ({info.format}, SHA-256 "
            f"{info.sha256[:16]}...), imported {when} by {info.imported_by}")


def cmd_import(args):
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file (give a GeoJSON or GeoPackage of street centre-lines).")
    ws = open_workstation(args)
    info = ws.streets.import_file(login(ws, args), path)
    print(f"Street layer replaced: {_said(ws, info)}.")


def cmd_show(args):
    ws = open_workstation(args)
    layer = ws.streets.layer(login(ws, args))
    print(f"Street layer: {_said(ws, layer.info)}." if layer.info else "No street layer imported yet.")


def register(sub: argparse._SubParsersAction) -> None:
    st = sub.add_parser("streets", help="the street layer of the map").add_subparsers(
        dest="streets_cmd", required=True)
    p = st.add_parser("import", help="replace the street layer with a GeoJSON or GeoPackage file")
    add_login_args(p)
    p.add_argument("file", help="street centre-lines exported by the city's GIS (.geojson or .gpkg)")
    p.set_defaults(func=cmd_import)
    p = st.add_parser("show", help="which street layer the map draws")
    add_login_args(p)
    p.set_defaults(func=cmd_show)
