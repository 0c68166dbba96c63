"""Evidence export end to end: a real store, a real package on disk, the PDF read back."""
from __future__ import annotations

import csv
import io
import json

import pytest
from pypdf import PdfReader

from app.engine.errors import ExportError, Interrupted, PermissionDenied, PurposeRequired
from app.engine.evidence import ExportRequest, run
from app.engine.evidence.media import INCOMPLETE_SUFFIX
from app.engine.progress import CancelToken
from tests.evidence_data import add_hit_and_correction, add_reads_with_images
from tests.pdf_checks import pdffonts, pdfinfo, structure_tags


@pytest.fixture
def reads(ws, clock):
    ids = add_reads_with_images(ws, 6, 500, int(clock()))
    plate = ws.store.query_one("SELECT plate FROM reads WHERE id = 500")[0]
    add_hit_and_correction(ws, 500, plate, int(clock()))
    return ids


def _export(ws, session, ids, target, **kw):
    return run(ws.evidence.export(session, ExportRequest(ids, target, "Sightings of a stolen Honda", **kw)))


def test_package_holds_originals_tables_log_and_a_readable_custody_form(ws, people, reads, tmp_path):
    s = people.user("dsmith", "deputy")
    ws.read_detail(s, 500)
    res = _export(ws, s, reads, tmp_path, include_derived=True)
    pkg = res.path
    assert pkg.name.startswith("ALPR-LHS-2026-004512-") and not pkg.name.endswith(INCOMPLETE_SUFFIX)
    # originals byte for byte, named by read and kind
    for rid in reads:
        for kind in ("plate", "scene"):
            sha = ws.store.query_one(f"SELECT lower(hex({kind}_image_sha256)) FROM reads WHERE id = ?", (rid,))[0]
            data = bytes(ws.store.query_one("SELECT data FROM images WHERE sha256 = unhex(?)", (sha,))[0])
            assert (pkg / f"images/original/read-{rid}-{kind}.jpg").read_bytes() == data
    derived = sorted((pkg / "images/derived").iterdir())
    assert len(derived) == 6 and all("DERIVED-plate-box-outlined" in p.name for p in derived)
    rows = list(csv.DictReader(io.StringIO((pkg / "reads.csv").read_text())))
    assert [int(r["read_id"]) for r in rows] == res.read_ids and len(rows) == 6
    r500 = next(r for r in rows if r["read_id"] == "500")
    assert r500["read_at_utc"].endswith("Z") and r500["read_at_local"][-6:] in ("-08:00", "-07:00")
    assert "CA DOJ Stolen Vehicle System" in r500["hits"] and "by dsmith" in r500["corrections"]
    meta = json.loads((pkg / "metadata.json").read_text())
    assert meta["package"]["case_number"] == "LHS-2026-004512"
    assert meta["time_zone"] == "America/Los_Angeles" and "Las Virgenes / Agoura Rd" in meta["sites"]
    m500 = next(r for r in meta["reads"] if r["read_id"] == 500)
    assert m500["hits"][0]["disposition"] == "confirmed" and m500["corrections"][0]["new_plate"]
    assert m500["derived_images"][0]["source_sha256"] == m500["images"][1]["sha256"]
    log_rows = list(csv.DictReader(io.StringIO((pkg / "access_log.csv").read_text())))
    assert any(r["action"] == "view" and "500" in r["result_ids"] for r in log_rows)
    # the custody form, read back
    reader = PdfReader(pkg / "chain-of-custody.pdf")
    pages = [p.extract_text() for p in reader.pages]
    text = "\n".join(pages)
    assert len(reader.pages) >= 2
    for n, page in enumerate(pages, 1):
        assert res.manifest_sha256 in page and f"Page {n} of {len(pages)}" in page
    for field in ("City of Calabasas", "LHS-2026-004512", "FELONY-INV", "Sightings of a stolen Honda",
                  "Dsmith Person (dsmith)", "Deputy, LA County Sheriff's Dept., Lost Hills Station",
                  "Los Angeles County Sheriff's Department", ws.store.store_id,
                  ws.profile.policy_reference, "1798.90.5-1798.90.55", "Released by", "Received by",
                  "Signature", "Purpose of transfer", "images/original/read-500-scene.jpg"):
        assert field in text, field
    for rid in reads:
        sha = ws.store.query_one("SELECT lower(hex(plate_image_sha256)) FROM reads WHERE id = ?", (rid,))[0]
        assert sha in text


def test_export_places_an_evidence_hold_and_logs_both(ws, people, reads, tmp_path, clock):
    s = people.user("dsmith", "deputy")
    res = _export(ws, s, reads[:3], tmp_path)
    last = ws.store.query("SELECT action, username, result_ids FROM access_log ORDER BY seq DESC LIMIT 3")
    assert [(a, u) for a, u, _ in last] == [("export", "dsmith"), ("hold_place", "dsmith"),
                                            ("export_started", "dsmith")]
    assert all(sorted(json.loads(r)) == sorted(reads[:3]) for _a, _u, r in last)
    assert ws.store.query("SELECT state FROM export_journal") == [("done",)]
    clerk = people.user("cclerk", "custodian")
    holds = ws.list_holds(clerk, active_only=True)
    assert [(h.id, h.kind, h.case_number, h.read_count) for h in holds] == \
        [(res.hold_id, "evidence", "LHS-2026-004512", 3)]
    with pytest.raises(PermissionDenied):                   # only the records custodian releases it
        ws.release_hold(s, res.hold_id, "case closed")
    detail = json.loads(ws.store.query_one("SELECT detail FROM access_log WHERE action = 'export'")[0])
    assert detail["manifest_sha256"] == res.manifest_sha256 and detail["hold_id"] == res.hold_id
    # two years and a day later: the held reads survive the purge, the others go
    clock.advance((ws.profile.retention_days + 1) * 86400)
    report = ws.purge(None)
    left = sorted(r[0] for r in ws.store.query("SELECT id FROM reads"))
    assert left == sorted(reads[:3]) and report.kept_by_hold == 3 and report.reads == 3


def test_roles_without_export_and_missing_purpose_are_refused(ws, people, reads, tmp_path):
    auditor = people.user("aaudit", "auditor")
    with pytest.raises(PermissionDenied):
        _export(ws, auditor, reads, tmp_path)
    nopurpose = people.user("dsmith", "deputy", purpose=False)
    with pytest.raises(PurposeRequired):
        _export(ws, nopurpose, reads, tmp_path)
    assert list(tmp_path.glob("ALPR-*")) == []
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'denied'")[0] == 2


def test_an_image_altered_since_ingest_stops_the_export(ws, people, reads, tmp_path):
    sha = ws.store.query_one("SELECT lower(hex(scene_image_sha256)) FROM reads WHERE id = ?", (reads[2],))[0]
    ws.store.execute("UPDATE images SET data = ? WHERE sha256 = unhex(?)", (b"\xff\xd8tampered", sha))
    s = people.user("dsmith", "deputy")
    with pytest.raises(ExportError, match="recorded at ingest"):
        _export(ws, s, reads, tmp_path)
    assert list(tmp_path.glob("ALPR-*")) == []              # the partial package is removed
    assert ws.store.query_one("SELECT count(*) FROM holds")[0] == 0
    started = ws.store.query_one("SELECT seq, detail FROM access_log WHERE action = 'export_started'")
    failed = json.loads(ws.store.query_one("SELECT detail FROM access_log WHERE action = 'export_failed'")[0])
    assert "ingest" in failed["reason"] and failed["export_started_seq"] == started[0]
    assert failed["removed"] == [json.loads(started[1])["temp_path"]] and failed["unremoved"] == []


def test_cancel_removes_the_partial_package_and_logs_it(ws, people, reads, tmp_path):
    s = people.user("dsmith", "deputy")
    token = CancelToken()
    gen = ws.evidence.export(s, ExportRequest(reads, tmp_path, "x"), token)
    with pytest.raises(Interrupted):
        for p in gen:
            if p.stage == "write" and p.done == 3:
                token.cancel()
    assert list(tmp_path.glob("ALPR-*")) == []
    failed = json.loads(ws.store.query_one("SELECT detail FROM access_log WHERE action = 'export_failed'")[0])
    assert failed["error"] == "Interrupted" and len(failed["removed"]) == 1
    assert ws.store.query_one("SELECT count(*) FROM holds")[0] == 0
    assert ws.store.query("SELECT state FROM export_journal") == [("failed",)]


def test_unknown_reads_and_empty_description_are_refused_before_writing(ws, people, reads, tmp_path):
    s = people.user("dsmith", "deputy")
    with pytest.raises(Exception, match="not held"):
        _export(ws, s, reads + [999999], tmp_path)
    with pytest.raises(Exception, match="Describe"):
        run(ws.evidence.export(s, ExportRequest(reads, tmp_path, "  ")))
    assert list(tmp_path.glob("ALPR-*")) == []


def test_the_custody_form_embeds_its_fonts_is_tagged_and_identifies_as_pdf_a_2b(ws, people, reads, tmp_path):
    """The form goes into evidence: no font left to the reader's machine (pdffonts), a structure
    tree a screen reader follows, and the PDF/A-2b identification with matching metadata."""
    s = people.user("dsmith", "deputy")
    (tmp_path / "usb").mkdir()
    res = _export(ws, s, reads, tmp_path / "usb")
    pdf = res.path / "chain-of-custody.pdf"
    fonts = pdffonts(pdf)
    assert fonts and all(f.embedded for f in fonts), fonts
    assert {f.name.split("+")[-1] for f in fonts} == {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"}
    info = pdfinfo(pdf)
    assert info["Tagged"] == "yes" and info["Title"] == "Chain of custody LHS-2026-004512"
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "en-US"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert all(p["/StructParents"] == n and p["/Tabs"] == "/S" for n, p in enumerate(reader.pages))
    tags = structure_tags(pdf)
    assert tags[:4] == ["Document", "H1", "H1", "P"] and tags.count("H2") == 4
    assert {"Table", "TR", "TH", "TD", "L", "Caption"} <= set(tags)
    assert tags.count("LI") == res.files - 2            # one item per file listed (not the manifest, the form)
    # PDF/A-2b: XMP identification repeating the document information, and an sRGB output intent
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert f"<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{info['Title']}</rdf:li>" in xmp
    assert "/Filter" not in root["/Metadata"].get_object()
    meta = reader.metadata
    created = meta.creation_date.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert f"<xmp:CreateDate>{created}</xmp:CreateDate>" in xmp and meta.modification_date == meta.creation_date
    assert f"<pdf:Producer>{meta.producer}</pdf:Producer>" in xmp
    assert f"<xmp:CreatorTool>{meta.creator}</xmp:CreatorTool>" in xmp
    [intent] = root["/OutputIntents"]
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object()["/N"] == 3
    assert reader.trailer["/ID"] and "/Encrypt" not in reader.trailer
    assert ws.evidence.verify(s, res.path).ok                  # and it still verifies


def test_the_access_log_file_holds_this_cases_entries_and_only_counts_the_others(ws, people, reads, tmp_path):
    """In discovery a package must not disclose another case's searches on the same reads."""
    from app.engine.hits import HitFilter
    from app.engine.search import SearchQuery
    plate = ws.store.query_one("SELECT plate FROM reads WHERE id = 500")[0]
    s = people.user("dsmith", "deputy")                                  # LHS-2026-004512
    ws.read_detail(s, 500)
    ws.search(s, SearchQuery(plate=plate))
    other = people.user("jdoe", "deputy")
    ws.set_purpose(other, "STOLEN-VEH", "LHS-2026-000777")
    ws.read_detail(other, 500)
    ws.read_detail(other, 501)
    prosecutor = people.user("pcity", "prosecutor")
    ws.set_purpose(prosecutor, "CIVIL-ADMIN", "CR-2026-0042")
    ws.search(prosecutor, SearchQuery(plate=plate))
    clerk = people.user("cclerk", "custodian", purpose=False)
    ws.place_hold(clerk, "CR-2026-0042", "discovery", "records demand", [502])   # logged without a purpose
    nobody = people.user("nopurpose", "deputy", purpose=False)
    ws.hits.queue(nobody, HitFilter())                                   # no case declared
    (tmp_path / "usb").mkdir()
    res = _export(ws, s, reads, tmp_path / "usb")

    rows = list(csv.DictReader(io.StringIO((res.path / "access_log.csv").read_text())))
    assert [(r["username"], r["action"]) for r in rows] == [("dsmith", "view"), ("dsmith", "search")]
    assert {r["case_number"] for r in rows} == {"LHS-2026-004512"}
    assert rows[0]["description"] == ("dsmith (deputy) opened read #500, for purpose FELONY-INV, "
                                      "case LHS-2026-004512.")
    meta = json.loads((res.path / "metadata.json").read_text())
    assert meta["access_log"] == {
        "file": "access_log.csv", "entries_this_case": 2, "entries_other_cases": 4, "other_cases": 2,
        "entries_without_case": 1,
        "note": "4 entries under 2 other cases and 1 entry without a case number also touched these "
                "reads; they are counted here but not included."}
    everything = "".join(p.read_text(errors="ignore") for p in res.path.rglob("*")
                         if p.is_file() and p.suffix in (".csv", ".json", ".txt"))
    for secret in ("LHS-2026-000777", "CR-2026-0042", "jdoe", "pcity", "records demand", "nopurpose"):
        assert secret not in everything, secret
    text = "\n".join(p.extract_text() for p in PdfReader(res.path / "chain-of-custody.pdf").pages)
    assert "2 access-log entries of this case (4 more under 2 other cases and 1 without a case, " \
           "counted only)" in text.replace("\n", " ")
    assert "LHS-2026-000777" not in text and "CR-2026-0042" not in text


def test_a_second_export_of_the_same_reads_for_the_same_case_keeps_its_hold(ws, people, reads, tmp_path):
    s = people.user("dsmith", "deputy")
    targets = [tmp_path / f"usb{n}" for n in range(5)]
    for t in targets:
        t.mkdir()
    first = _export(ws, s, reads[:3], targets[0])
    again = _export(ws, s, reads[:3], targets[1])
    assert (again.hold_id, again.holds_reused) == (first.hold_id, [first.hold_id])
    assert ws.store.query_one("SELECT count(*) FROM holds")[0] == 1
    assert ws.store.query_one("SELECT count(*) FROM access_log WHERE action = 'hold_place'")[0] == 1
    detail = json.loads(ws.store.query("SELECT detail FROM access_log WHERE action = 'export' "
                                       "ORDER BY seq")[-1][0])
    assert detail["hold_id"] == first.hold_id and detail["hold_reused"] is True
    text = " ".join(p.extract_text() for p in PdfReader(again.path / "chain-of-custody.pdf").pages)
    assert f"already on evidence hold #{first.hold_id} for case LHS-2026-004512" in text.replace("\n", " ")
    # one more read: only it gets a new hold; the held three stay on theirs
    more = _export(ws, s, reads[:4], targets[2])
    assert more.hold_id != first.hold_id and more.holds_reused == [first.hold_id]
    [(placed,)] = ws.store.query("SELECT result_ids FROM access_log WHERE action = 'hold_place' "
                                 "ORDER BY seq DESC LIMIT 1")
    assert json.loads(placed) == [reads[3]]
    # another case holds the same reads for itself
    ws.set_purpose(s, "STOLEN-VEH", "LHS-2026-000777")
    theirs = _export(ws, s, reads[:3], targets[3])
    assert theirs.hold_id not in (first.hold_id, more.hold_id) and theirs.holds_reused == []
    # once the custodian releases the first case's hold, an export of that case holds them anew
    clerk = people.user("cclerk", "custodian")
    ws.release_hold(clerk, first.hold_id, "case closed")
    ws.set_purpose(s, "FELONY-INV", "LHS-2026-004512")
    anew = _export(ws, s, reads[:3], targets[4])
    assert anew.hold_id not in (first.hold_id, more.hold_id, theirs.hold_id)
    assert ws.store.query_one("SELECT count(*) FROM holds")[0] == 4


def test_the_custody_form_is_made_during_the_writes_and_again_if_the_prediction_was_wrong(
        ws, people, reads, tmp_path, monkeypatch):
    """With every hash known beforehand the manifest and form are made in a thread beside the
    writes; if what was written differs from the prediction (here an image's recorded size), they
    are made again from what was written, so the form always prints the package's manifest."""
    import threading

    from app.engine.evidence import package
    made = []
    real = package._manifest_and_form

    def spy(entries, custody):
        made.append((threading.current_thread().name, {e.path: e.size for e in entries}))
        return real(entries, custody)
    monkeypatch.setattr(package, "_manifest_and_form", spy)
    s = people.user("dsmith", "deputy")

    def check(pkg, res) -> None:
        listed = dict(line.split("  ")[::-1] for line in (pkg / "manifest.sha256").read_text().splitlines())
        assert set(listed) == {str(p.relative_to(pkg)) for p in pkg.rglob("*") if p.is_file()} - {
            "manifest.sha256", "chain-of-custody.pdf"}
        text = "\n".join(p.extract_text() for p in PdfReader(pkg / "chain-of-custody.pdf").pages)
        assert res.manifest_sha256 in text

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _export(ws, s, reads, tmp_path / "a")
    assert [name.startswith("evidence-custody") for name, _ in made] == [True]
    check(first.path, first)
    made.clear()
    sha = ws.store.query_one("SELECT lower(hex(scene_image_sha256)) FROM reads WHERE id = 500")[0]
    with ws.store.transaction() as conn:
        conn.execute("UPDATE images SET size = size + 1 WHERE sha256 = unhex(?)", (sha,))
    second = _export(ws, s, reads, tmp_path / "b")
    assert [name.startswith("evidence-custody") for name, _ in made] == [True, False]
    real_size = len(bytes(ws.store.query_one("SELECT data FROM images WHERE sha256 = unhex(?)", (sha,))[0]))
    assert made[0][1]["images/original/read-500-scene.jpg"] == real_size + 1      # the prediction
    assert made[1][1]["images/original/read-500-scene.jpg"] == real_size          # what was written
    check(second.path, second)
