"""A retention certificate on paper: what one purge removed and kept, and the entry vouching for it.

The PDF names the certificate's own access-log entry as its anchor, so ``alpr audit verify
--against`` shows later that the log still holds it unchanged. Fonts embedded, tagged.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from reportlab.lib.units import inch

from .. import timefmt
from ..policy import PolicyProfile
from .certificates import SOURCES, Certificate
from .paper import build, grid, para, styles


def _facts(c: Certificate, p: PolicyProfile, tz: ZoneInfo) -> list[list[str]]:
    rows = [["Certificate", f"#{c.id}, access-log entry {c.seq}"], ["What", SOURCES[c.source]],
            ["Run by", c.username], ["When", timefmt.fmt(c.made_at, tz)],
            ["Retention", f"{c.retention_days} days ({p.retention_basis})"]]
    if c.cutoff is not None:
        rows.append(["Due for purge", f"reads taken before {timefmt.fmt(c.cutoff, tz)}"])
    rows += [["Reads removed", f"{c.reads:,}"], ["Photos removed", f"{c.images:,}"],
             ["Hits removed", f"{c.hits:,}"], ["Reads kept by holds", f"{c.kept_by_hold:,}"],
             ["Oldest read left", timefmt.fmt(c.oldest_left, tz) if c.oldest_left is not None else "none"]]
    if c.tombstones is not None:
        t = c.tombstones
        rows += [["City server's tombstones", f"{t.received:,} reads purged on the server: {t.removed:,} "
                  f"removed here, {t.absent:,} not held here, {t.kept_by_hold:,} kept under a hold here"],
                 ["Tombstones match", "yes: nothing the server purged is left here without a hold"
                  if t.matches else f"NO: {t.left:,} reads the server purged are still here"]]
    return rows


def render(cert: Certificate, profile: PolicyProfile, anchor: tuple[int, str], tz: ZoneInfo) -> bytes:
    st = styles()
    title = f"Retention certificate #{cert.id}"
    days = [["Day the reads were taken", "Reads removed"]] + [[d, f"{n:,}"] for d, n in cert.by_day]
    holds = [["Hold", "Case", "Kind", "Reason", "Reads kept"]] + [
        [f"#{h.hold_id}", h.case_number, h.kind, h.reason, f"{h.reads:,}"] for h in cert.holds_kept]
    story = [para("H1", f"{profile.agency}: {title}", st["h1"]),
             para("P", f"Under the {profile.name} ({profile.statute}). Counts and days only: no plate "
                       "and no read is named.", st["p"]),
             grid(_facts(cert, profile, tz), st, header_row=False, widths=[1.8 * inch, 5.3 * inch]),
             para("H2", "Reads removed, by day (local time)", st["h2"]),
             grid(days, st) if cert.by_day else para("P", "None.", st["p"]),
             para("H2", "Holds that kept reads", st["h2"]),
             grid(holds, st) if cert.holds_kept else para("P", "None.", st["p"]),
             para("P", f"Access-log anchor: entry {anchor[0]}, hash {anchor[1]}.", st["p"])]
    return build(story, heading=f"{profile.agency} \u2014 {title}", title=title,
                 author=profile.custodian_title, subject=f"{profile.agency}: {SOURCES[cert.source]}",
                 keywords=f"alpr-log-anchor:{anchor[0]}:{anchor[1]} alpr-retention-certificate:{cert.id}")
