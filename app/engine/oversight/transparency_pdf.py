"""The transparency report as a PDF: the same tables as the HTML page, fonts embedded, tagged.

Its keywords carry the access-log anchor (``alpr-log-anchor:seq:hash``, so ``alpr audit verify
--against`` accepts it) and the SHA-256 of its figures, which the report's own log entry
records: the check finds that entry by it and counts again.
"""
from __future__ import annotations

import re

from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether

from ..errors import ValidationError
from .paper import WIDTH, build, grid, para, styles
from .transparency import Report
from .transparency_tables import check_lines, sections

DIGEST = re.compile(r"alpr-transparency-sha256:([0-9a-f]{64})")
SHARES = {2: (0.5, 0.5), 3: (0.24, 0.54, 0.22)}        # of the width, by number of columns


def render(report: Report) -> bytes:
    st = styles()
    digest = report.figures.digest()
    title = f"ALPR transparency report: {report.policy.agency}, {report.period_label}"
    story = [para("H1", title, st["h1"]),
             para("P", "What the automated license plate reader system was used for in the period, "
                       "under the policy below. It names no plate and shows no image.", st["p"])]
    for s in sections(report):
        share = SHARES.get(len(s.head))
        story.append(KeepTogether([                 # a heading never ends a page alone
            para("H2", s.title, st["h2"]), para("P", s.source, st["p"]),
            grid([s.head, *s.rows], st, widths=[WIDTH * f for f in share] if share else None)
            if s.rows else para("P", "None in the period.", st["p"])]))
    story += [para("H2", "How to check these figures", st["h2"]),
              grid(check_lines(report, digest), st, header_row=False, widths=[1.7 * inch, WIDTH - 1.7 * inch])]
    return build(story, heading=f"{report.policy.agency} \u2014 ALPR transparency report \u2014 "
                        f"{report.period_label}", footer="No plate numbers and no images are in this report.",
                 title=title, author=report.prepared_by, subject=f"Transparency report {report.period_label}",
                 keywords=f"{report.anchor} alpr-transparency-sha256:{digest}")


def digest_of(path) -> str:
    """The figures' SHA-256 a PDF of ours carries in its keywords."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        keywords = str((PdfReader(path).metadata or {}).get("/Keywords") or "")  # type: ignore[call-overload]  # pypdf's metadata is a dict of str keys
    except (PdfReadError, ValueError, OSError) as exc:
        raise ValidationError(f"{path} is not a readable PDF ({exc}).") from None
    found = DIGEST.search(keywords)
    if not found:
        raise ValidationError(f"{path} is not a transparency report of this program (no figures hash).")
    return found.group(1)
