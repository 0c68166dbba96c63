"""The auditor's side of the access log: "who looked at plate X", and every entry in words.

An entry is about plate X when its results or its subject include a read of X (any search
mode, a view, a photo, an export, a hold, a hit, an analysis, a printout: whatever names the
read in ``result_ids``), or when it names X itself (a search that typed it, a hot-list entry, a
correction, a release request). Reads are matched by their plate now, the vendor's original
reading and every plate a correction gave or took away; entries about reads already purged
are found only where they name the plate.

``describe`` turns an entry into one sentence for the audit screen and the CSV exports, so an
auditor reads "dsmith (deputy) searched for plates containing ABC1 ... and was shown 3 reads",
not JSON.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import plates
from .accesslog import CSV_FIELDS, LogEntry

SHOWN_IDS = 5                       # read ids named in a sentence before "and N more"


@dataclass(frozen=True)
class PlateReads:
    """The reads of one plate held now: what an entry's results are matched against."""

    plate: str
    read_ids: frozenset[int]


def plate_reads(conn, plate: str) -> PlateReads:
    p = plates.validate_plate(plate)
    ids = frozenset(r[0] for r in conn.execute(
        "SELECT id FROM reads WHERE plate = ? OR original_plate = ? "
        "UNION SELECT read_id FROM corrections WHERE old_plate = ? OR new_plate = ?", (p, p, p, p)))
    return PlateReads(p, ids)


def plate_condition(pr: PlateReads) -> tuple[str, list]:
    """SQL over ``access_log``: the entry names the plate, or one of its reads is in the results."""
    token = json.dumps(pr.plate)                        # "7ABC123", as the log writes a value
    sql = "(instr(query, ?) > 0 OR instr(detail, ?) > 0"
    params: list = [token, token]
    if pr.read_ids:
        sql += (" OR (result_ids <> '[]' AND EXISTS (SELECT 1 FROM json_each(access_log.result_ids) j "
                "WHERE j.value IN (SELECT value FROM json_each(?))))")
        params.append(json.dumps(sorted(pr.read_ids)))
    return sql + ")", params


# -- sentences ---------------------------------------------------------------------------------
def _utc(ts) -> str:
    try:
        return datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError, OverflowError, OSError):
        return str(ts)


def _list(values: Iterable, limit: int = SHOWN_IDS, fmt=str) -> str:
    values = list(values)
    shown = ", ".join(fmt(v) for v in values[:limit])
    more = len(values) - limit
    if more == 1:                                       # "and 1 more" is longer than the one
        return ", ".join(fmt(v) for v in values)
    return f"{shown} and {more} more" if more > 0 else shown


def _ids(ids: Iterable[int]) -> str:
    return _list(ids, fmt=lambda i: f"#{i}")


def _reads(ids: list[int], focus: PlateReads | None) -> str:
    """"read #4 (of plate 7ABC123)", "3 reads (#6, #2, #1; #2 and #1 of plate 7ABC123)"."""
    n = len(ids)
    hit = [i for i in ids if i in focus.read_ids] if focus is not None else []
    of_plate = f"of plate {focus.plate}" if focus is not None else ""
    if n == 1:
        return f"read #{ids[0]}" + (f" ({of_plate})" if hit else "")
    text = f"{n} reads"
    if n:
        of = ""
        if hit:
            if len(hit) == n:
                which = "all"
            elif len(hit) == 2:
                which = f"#{hit[0]} and #{hit[1]}"
            else:
                which = _ids(hit)
            of = f"; {which} {of_plate}"
        text += f" ({_ids(ids)}{of})"
    return text


def _who(e: LogEntry) -> str:
    return "The workstation" if e.username == "system" else f"{e.username} ({e.role})"


def _why(e: LogEntry) -> str:
    parts = []
    if e.purpose:
        parts.append(f"purpose {e.purpose}")
    if e.case_number:
        parts.append(f"case {e.case_number}")
    return f", for {', '.join(parts)}" if parts else ""


_MODES = {"exact": "plate {p}", "partial": "plates containing {p}", "wildcard": "plates matching {p}",
          "similar": "plates similar to {p}"}


def _search(q: dict) -> str:
    p = q.get("plate")
    text = _MODES.get(q.get("mode") or "exact", "plate {p}").format(p=p) if p else "every plate"
    if q.get("plate_list"):
        text = f"a list of {len(q['plate_list'])} plates ({_list(q['plate_list'], 10)})"
    if q.get("state"):
        text += f" of state {q['state']}"
    if q.get("cameras"):
        text += f" at camera{'s' if len(q['cameras']) > 1 else ''} {_list(q['cameras'], 10)}"
    if q.get("sites"):
        text += f" at site{'s' if len(q['sites']) > 1 else ''} {_list(q['sites'], 10)}"
    if q.get("start") is not None and q.get("end") is not None:
        text += f" from {_utc(q['start'])} to {_utc(q['end'])}"
    elif q.get("start") is not None:
        text += f" since {_utc(q['start'])}"
    elif q.get("end") is not None:
        text += f" before {_utc(q['end'])}"
    if q.get("hits_only"):
        text += ", hot-list hits only"
    return text


def _words(key: str) -> str:
    return key.replace("_", " ")


_TIMES = frozenset({"start", "end", "since", "until"})


def _value(v, key: str = "") -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if key in _TIMES and isinstance(v, (int, float)):
        return _utc(v)
    if isinstance(v, list):
        return _list([_value(x) for x in v], 10) or "none"
    if isinstance(v, dict):
        return ", ".join(f"{_words(k)} {_value(x, k)}" for k, x in v.items() if x not in (None, "", [], {}))
    return str(v)


def _fields(*dicts: dict, skip: tuple[str, ...] = ()) -> str:
    pairs = [f"{_words(k)} {_value(v, k)}" for d in dicts for k, v in (d or {}).items()
             if k not in skip and v not in (None, "", [], {}, False)]
    return "; ".join(pairs)


def _generic(e: LogEntry, focus: PlateReads | None) -> str:
    text = f"{_who(e)}: {_words(e.action)}"
    fields = _fields(e.query, e.detail)
    if fields:
        text += f" ({fields})"
    if e.result_ids:
        text += f", {_reads(e.result_ids, focus)}"
    return text + _why(e) + "."


def _sentence(e: LogEntry, focus: PlateReads | None) -> str:
    who, why, q, d, a = _who(e), _why(e), e.query or {}, e.detail or {}, e.action
    reads = _reads(e.result_ids, focus)
    if a == "search":
        return f"{who} searched for {_search(q)}{why}{',' if why else ''} and was shown {reads}."
    if a == "search_page":
        return (f"{who} scrolled on in a search for {_search(q)} (results from "
                f"{int(q.get('offset', 0)) + 1}){why}{',' if why else ''} and was shown {reads}.")
    if a == "view":
        return f"{who} opened {reads}{why}."
    if a == "view_image":
        return f"{who} looked at the {q.get('kind', '')} photo of {reads}{why}."
    if a == "correct":
        return (f"{who} corrected the plate of {reads} from {d.get('old_plate')} to "
                f"{q.get('new_plate')} (\u201c{d.get('reason', '')}\u201d){why}.")
    if a == "ocr_verify":
        return (f"{who} checked {reads} with the workstation's OCR (vendor read "
                f"{d.get('vendor_plate')}, OCR read {d.get('ocr_plate') or 'nothing'}){why}.")
    if a == "photo_read":
        found = [c[0] for c in d.get("candidates", []) if isinstance(c, list) and c]
        return f"{who} read plates from a photo ({_list(found, 10) or 'none found'}){why}."
    if a == "hold_place":
        return (f"{who} placed {q.get('kind', 'a')} hold #{d.get('hold_id')} for case "
                f"{q.get('case_number')} on {reads} (\u201c{d.get('reason', '')}\u201d).")
    if a == "hold_release":
        return f"{who} released hold #{q.get('hold_id')} on {reads} (\u201c{d.get('reason', '')}\u201d)."
    if a == "export_started":
        return (f"{who} began writing package {d.get('package')} of {reads} to "
                f"{d.get('target') or q.get('target')}{why}.")
    if a in ("export", "release_aggregate"):
        what = "exported " + reads + " as evidence package" if a == "export" else \
            "released counts only (no plates, no images) as package"
        hold = f", kept on hold #{d['hold_id']}" if d.get("hold_id") is not None else ""
        req = f" under release request #{d['release_request']}" if d.get("release_request") else ""
        to = f" for {d['recipient']}" if d.get("recipient") and "internal" not in str(d["recipient"]) else ""
        return f"{who} {what} {d.get('package')}{to}{req}{hold}{why}."
    if a.endswith("_failed") and "export_started_seq" in d or a == "export_leftovers_removed":
        removed = f"; removed from the medium: {_list(d['removed'], 3)}" if d.get("removed") else ""
        left = f"; NOT removed (medium absent): {_list(d['unremoved'], 3)}" if d.get("unremoved") else ""
        head = (f"Leftovers of package {d.get('package')} were removed" if a == "export_leftovers_removed"
                else f"Writing package {d.get('package')} ({reads}) failed: {d.get('reason', '')}")
        return f"{head} (logged by {who}, started in entry {d.get('export_started_seq')}){removed}{left}."
    if a == "hotlist_view":
        if q.get("view") == "hits":
            return f"{who} opened the hits queue{_filters(q)}{why}{',' if why else ''} and was shown {reads}."
        return f"{who} looked at hot-list entries{_filters(q)}{why}."
    if a == "hit_disposition":
        note = f" (\u201c{d['note']}\u201d)" if d.get("note") else ""
        read = f"read #{e.result_ids[0]}" if e.result_ids else "a read"
        return (f"{who} recorded hit #{q.get('hit_id')} on {read}, plate {d.get('plate')}, as "
                f"{_words(str(d.get('disposition')))}{note}{why}.")
    if a == "hotlist_edit":
        if d.get("op") == "add":
            return (f"{who} put plate {q.get('plate')} on hot list {q.get('hotlist_id')} "
                    f"(\u201c{d.get('reason', '')}\u201d, priority {d.get('priority')}){why}.")
        return f"{who} ended hot-list entry #{q.get('entry_id')} (plate {d.get('plate')}){why}."
    if a == "analysis":
        return f"{who} ran the {_words(str(q.get('analysis', '')))} analysis{_filters(q)}{why}{',' if why else ''} and was shown {reads}."
    if a == "print":
        return f"{who} printed {q.get('report') or d.get('file')} about {reads}{why}."
    if a == "denied":
        what = d.get("action") or "that"
        return f"{who} was refused ({_words(str(what))}): {d.get('reason', '')}"
    if a == "purpose_set":
        return f"{who} declared purpose {e.purpose} ({d.get('label', '')}) for case {e.case_number}."
    if a == "login":
        return f"{who} logged in."
    if a == "logout":
        return f"{who} logged out" + (f" ({d['reason']})." if d.get("reason") else ".")
    if a == "login_failed":
        return f"A login as {e.username} failed: {d.get('reason', '')}."
    if a == "session_lock":
        why_lock = (f"after {d['idle_minutes']} idle minutes" if d.get("idle_minutes")
                    else "by the user")
        return f"{who}'s session was locked {why_lock}."
    if a == "session_unlock":
        return f"{who} unlocked the session."
    if a == "purge":
        return (f"{who} purged {d.get('reads', 0)} reads, {d.get('images', 0)} photos and "
                f"{d.get('hits', 0)} hits taken before {d.get('cutoff', '')} (retention "
                f"{d.get('retention_days')} days); {d.get('kept_by_hold', 0)} held reads were kept.")
    if a in _OVERSIGHT:
        return f"{who} {_OVERSIGHT[a].format_map(_Blank({**q, **d}))}."
    if a in _ALERTS:
        shown = f": {reads}" if e.result_ids else ""
        return f"{who} {_ALERTS[a].format_map(_Blank({**q, **d}))}{shown}{why}."
    if a == "streets_import":
        return (f"{who} imported the street map {q.get('file')} ({d.get('segments')} street lines, "
                f"{d.get('format')}, SHA-256 {str(d.get('sha256', ''))[:16]}...).")
    if a == "audit_view":
        return f"{who} looked at the access log" + (f" ({_fields(q)})." if _fields(q) else ".")
    if a == "audit_export":
        return (f"{who} exported {d.get('entries', '')} access-log entries to {d.get('file')}"
                + (f" ({_fields(q)})." if _fields(q) else "."))
    return _review_sentence(e, who, q, d) or _generic(e, focus)


def _review_sentence(e: LogEntry, who: str, q: dict, d: dict) -> str | None:
    """The audit cycle's own entries (oversight/), or None for any other entry."""
    a, review = e.action, f"review #{q.get('review')}"
    if a == "audit_review_start":
        return (f"{who} ran {review} of {q.get('period')} over the entries of {d.get('scope')}: "
                f"{d.get('flags')} flagged, {d.get('sample')} sampled (seed {d.get('seed')}), log read "
                f"up to entry {d.get('through_seq')}.")
    if a == "audit_finding":
        note = f" (\u201c{d['note']}\u201d)" if d.get("note") else ""
        return f"{who} recorded item {q.get('item')} of {review} as {d.get('outcome')}{note}."
    if a == "audit_signoff":
        return (f"{who} signed off {review} of {q.get('period')}: {d.get('items')} items, findings "
                f"{_value(d.get('outcomes') or {})}.")
    if a == "audit_approve":
        return (f"{who} approved {review} of {q.get('period')}, signed off by {d.get('reviewer')} in "
                f"entry {d.get('signoff_seq')}.")
    if a == "audit_review_report":
        return f"{who} wrote the {q.get('format', '').upper()} report of {review} to {d.get('file')}."
    if a == "user_supervisor":
        return (f"{who} made {d.get('supervisor')} the supervisor of {d.get('user')}." if d.get("supervisor")
                else f"{who} recorded that {d.get('user')} has no supervisor.")
    return None


# Standing alerts (app/engine/alerts/): set by a person, fired by the sync, ended either way.
_ALERTS = {
    "alert_set": "set a standing alert on plates matching {pattern} (state {state}) for {days} days "
                 "as alert #{alert_id}",
    "alert_fire": "matched standing alert #{alert_id} ({pattern}, set by {owner}) to {new_reads} new reads",
    "alert_end": "ended standing alert #{alert_id} ({pattern}, set by {owner}, {matches} matches): {reason}",
    "alert_view": "opened the standing alerts' matches ({matches})",
}


# The designee's oversight steps (app/engine/oversight/): the register, permissions, breaches.
_OVERSIGHT = {
    "agency_add": "added {entry} to the agency register",
    "agency_edit": "changed agency register entry {entry} (now version {version})",
    "agency_retire": "retired agency register entry {entry}",
    "permission_grant": "recorded written permission #{permission_id} ({document}) for {user}, case "
                        "{case_number}: {scope}, valid {valid_from} to {valid_until}",
    "permission_revoke": "revoked written permission #{permission_id} of {user} (\u201c{reason}\u201d)",
    "breach_record": "recorded breach incident #{incident_id} on {medium_kind} {medium} "
                     "(\u201c{what}\u201d), found {found}; notices due within {due_days} days",
    "breach_assess": "assessed breach incident #{incident_id} from the log: {reads} records on "
                     "{cameras} cameras, {people} people used ALPR data in the window",
    "breach_notice": "wrote the {kind} notice of breach incident #{incident_id} to {file} (due {due})",
    "breach_notice_done": "recorded the {kind} notice of breach incident #{incident_id} as done on "
                          "{done_on} (due {due})",
    "breach_notice_removed": "recorded the website notice of breach incident #{incident_id}, posted "
                             "{posted_on}, as taken down on {removed_on}",
}


class _Blank(dict):
    """A field an old or odd entry lacks reads as '?', never a KeyError."""

    def __missing__(self, key: str) -> str:
        return "?"


def _filters(q: dict) -> str:
    fields = _fields(q, skip=("view", "analysis", "limit", "offset", "active_only"))
    return f" ({fields})" if fields else ""


def describe(entry: LogEntry, focus: PlateReads | None = None) -> str:
    """One sentence saying who did what, to which reads, for which purpose and case."""
    try:
        return _sentence(entry, focus)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return _generic(entry, focus)


def write_csv(entries: Iterable[LogEntry], path: Path, focus: PlateReads | None = None) -> int:
    """The entries as CSV: every field of the chain (JSON in the structured columns), then the
    sentence an auditor reads."""
    def canon(obj) -> str:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_FIELDS + ["description"])
        for e in entries:
            w.writerow([e.seq, e.ts, e.username, e.agency, e.role, e.action, canon(e.query),
                        e.purpose or "", e.case_number or "", canon(e.result_ids), canon(e.detail),
                        e.prev_hash, e.hash, e.mac or "", describe(e, focus)])
            n += 1
    return n
