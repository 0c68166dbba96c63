"""The transparency report as one self-contained HTML page, for the agency's website.

The page carries its own figures as JSON (``<script type="application/json">``) and is
rendered from that JSON alone, byte for byte the same each time: the check re-renders it and
compares, so a figure changed in the visible text is found as surely as one changed in the
JSON. No script runs, nothing is loaded from elsewhere, and no plate or image is in it.
"""
from __future__ import annotations

from collections.abc import Sequence
import json
import re
from html import escape

from ..errors import ValidationError
from .transparency import Report
from .transparency_tables import check_lines, sections

_DATA = re.compile(r'<script type="application/json" id="alpr-transparency">(.*?)</script>', re.S)
_STYLE = ("body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60em;margin:2em auto;"
          "padding:0 1em;color:#111;line-height:1.4}h1{font-size:1.5em}h2{font-size:1.15em;"
          "margin-top:1.6em;border-bottom:1px solid #999}table{border-collapse:collapse;width:100%}"
          "th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}"
          "th{background:#e8e8e8}td.n{text-align:right}p.src{color:#444;font-size:.9em}"
          "code{word-break:break-all}")


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return "<p>None in the period.</p>"
    cells = "".join(f"<th scope=\"col\">{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(
        f"<td class=\"n\">{escape(v)}</td>" if i and v.replace(",", "").isdigit() else f"<td>{escape(v)}</td>"
        for i, v in enumerate(row)) + "</tr>\n" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>\n{body}</tbody></table>"


def render(report: Report) -> bytes:
    digest = report.figures.digest()
    data = json.dumps(report.to_json(), sort_keys=True, ensure_ascii=True).replace("</", "<\\/")
    title = f"ALPR transparency report: {report.policy.agency}, {report.period_label}"
    parts = ["<!DOCTYPE html>", '<html lang="en-US">', "<head>", '<meta charset="utf-8">',
             f"<title>{escape(title)}</title>", f'<meta name="alpr-log-anchor" content="{report.anchor}">',
             f'<meta name="alpr-transparency-sha256" content="{digest}">',
             f"<style>{_STYLE}</style>", "</head>", "<body>", f"<h1>{escape(title)}</h1>",
             "<p>What the automated license plate reader system was used for in the period, under "
             "the policy below. It names no plate and shows no image.</p>"]
    for s in sections(report):
        parts += [f"<h2>{escape(s.title)}</h2>", f'<p class="src">{escape(s.source)}</p>',
                  _table(s.head, s.rows)]
    parts += ["<h2>How to check these figures</h2>", "<dl>"]
    for k, v in check_lines(report, digest):
        parts.append(f"<dt>{escape(k)}</dt><dd><code>{escape(v)}</code></dd>")
    parts += ["</dl>", f'<script type="application/json" id="alpr-transparency">{data}</script>',
              "</body>", "</html>", ""]
    return "\n".join(parts).encode("utf-8")


def read(data: bytes) -> Report:
    """The report a page carries; refused if the page is not one of ours."""
    found = _DATA.search(data.decode("utf-8", errors="replace"))
    if not found:
        raise ValidationError("This page carries no transparency figures (not made by this program).")
    try:
        return Report.from_json(json.loads(found.group(1).replace("<\\/", "</")))
    except (ValueError, KeyError, TypeError):
        raise ValidationError("The figures this page carries are damaged; it cannot be checked.") from None
