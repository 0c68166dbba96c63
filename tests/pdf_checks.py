"""Reading back the PDFs the program writes with poppler's own tools and pypdf."""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    embedded: bool


def pdffonts(path: Path) -> list[FontRow]:
    """``pdffonts`` rows: every font any page uses, and whether it is embedded."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()[2:]                      # the header and its rule
    rows = []
    for line in lines:
        m = re.match(r"^(\S+)\s+(Type 1C?|Type 3|TrueType(?: \(CID\))?|CID \S+(?: \S+)?)\s+(\S+)\s+(yes|no)\s",
                     line)
        assert m, line
        rows.append(FontRow(m.group(1), m.group(2), m.group(4) == "yes"))
    return rows


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def structure_tags(path: Path) -> list[str]:
    """Every structure element's type, in tree (reading) order."""
    root = PdfReader(str(path)).trailer["/Root"]
    tags: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, dict) and node.get("/Type") == "/StructElem":
            tags.append(str(node["/S"])[1:])
            kids = node.get("/K")
            for k in (kids if isinstance(kids, list) else [kids]):
                k = k.get_object() if hasattr(k, "get_object") else k
                if isinstance(k, dict) and k.get("/Type") == "/StructElem":
                    walk(k)
    walk(root["/StructTreeRoot"]["/K"])
    return tags
