"""The transparency report as titled tables: one layout for the HTML page and the PDF."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .transparency import Report

ACCESS_WORDS = {"search": "Searches", "search_page": "Further pages of a search",
                "view": "Reads opened", "view_image": "Photos looked at", "analysis": "Analyses run",
                "export": "Evidence packages written", "print": "Reports printed",
                "release_aggregate": "Aggregate (counts-only) releases"}


@dataclass(frozen=True)
class Section:
    title: str
    source: str                         # where the figures come from, in a sentence
    head: Sequence[str]
    rows: Sequence[Sequence[str]]


def _n(value: int) -> str:
    return f"{value:,}"


def _log(report: Report) -> str:
    return f"Counted from the access log, entries of the period up to entry {report.figures.through_seq:,}."


def sections(report: Report) -> list[Section]:
    """The tables, every list in key order: a page re-rendered from its own JSON (whose keys
    come back sorted) is then the same bytes."""
    p, f = report.policy, report.figures
    lg, st = f.log, f.store
    labels = dict((code, label) for code, label in p.purposes)
    store = "The store as it stood when this report was made (recorded in the report's log entry)."
    hits = [(name, d, _n(n)) for name, by in sorted(st.hits.items()) for d, n in sorted(by.items())]
    return [
        Section("The policy in force", f"{p.name}, {p.reference}.", ("Item", "Value"), [
            ("Agency", p.agency), ("Law", p.statute),
            ("Retention", f"{p.retention_days:,} days ({p.retention_basis}); reads past it are "
                          "purged unless a hold keeps them"),
            ("Authorised purposes", f"{len(p.purposes)} (listed below); every search names one "
                                    "and a case number")]),
        Section("Authorised purposes", "Searches may be made for these purposes only.",
                ("Code", "Purpose", "Searches in the period"),
                [(code, label, _n(lg.searches_by_purpose.get(code, 0))) for code, label in p.purposes]
                + [(code, "not a purpose of this policy", _n(n)) for code, n in
                   sorted(lg.searches_by_purpose.items()) if code not in labels]),
        Section("Cameras, reads and holds", store, ("Item", "Count"), [
            ("Cameras", _n(st.cameras)), ("Reads kept", _n(st.reads_kept)),
            ("Oldest read kept (date)", st.oldest_read or "none"),
            ("Holds in force", _n(st.active_holds)), ("Reads under a hold", _n(st.reads_held))]),
        Section("Use of the data", _log(report), ("What", "Count"),
                [(ACCESS_WORDS.get(a, a), _n(n)) for a, n in sorted(lg.accesses.items())]
                + [("Attempts refused (no grant, training or purpose)", _n(lg.denied))]),
        Section("Hits by hotlist and disposition", store + " Hits made in the period.",
                ("Hotlist", "Disposition", "Hits"), hits),
        Section("Hit dispositions recorded", _log(report) + f" Syncs made {lg.new_hits:,} new hits.",
                ("Disposition", "Count"), [(d, _n(n)) for d, n in sorted(lg.dispositions.items())]),
        Section("Releases to other agencies", _log(report) + " Only on an approved written request; "
                f"{lg.internal_exports:,} evidence packages were written for the agency's own cases.",
                ("Recipient agency", "Full data", "Counts only"),
                [(a, _n(k["full"]), _n(k["aggregate"])) for a, k in sorted(lg.releases.items())]),
        Section("Holds and purges", _log(report), ("What", "Count"), [
            ("Holds placed", _n(lg.holds["placed"])), ("Reads placed on hold", _n(lg.holds["reads_placed"])),
            ("Holds released", _n(lg.holds["released"])),
            ("Reads released from hold", _n(lg.holds["reads_released"])),
            ("Purges run on this workstation", _n(lg.purges["runs"])),
            ("Reads purged past retention", _n(lg.purges["reads"])),
            ("Photos purged", _n(lg.purges["images"])),
            ("City-server purges applied", _n(lg.purges["server_purges"])),
            ("Reads removed by them", _n(lg.purges["server_reads"])),
            ("Retention certificates written", _n(lg.purges["certificates"]))]),
        Section("Audit reviews", _log(report), ("Log entry", "Count"),
                [(a, _n(n)) for a, n in sorted(lg.audit_reviews.items())]),
    ]


def check_lines(report: Report, digest: str) -> list[tuple[str, str]]:
    """How anyone given the log can check the figures."""
    f = report.figures
    return [("Period", f"{report.period_label} ({f.period_start} to {f.period_end}, UTC)"),
            ("Built from the access log up to", f"entry {f.through_seq:,}, hash {f.through_hash}"),
            ("Anchor", report.anchor), ("Figures SHA-256", digest),
            ("To check", "alpr report transparency --verify THIS-FILE (with the store, or with "
                         "--log an export of the access log): it rebuilds the chain up to the "
                         "entry above, counts again and compares."),
            ("Prepared", f"{report.generated} by {report.prepared_by}, workstation {report.workstation}")]
