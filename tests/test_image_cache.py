"""Images on demand (issue 17): metadata of every read, images fetched when viewed and kept
encrypted in the store, a budget that evicts the least recently viewed but never a pinned
image, a clear sentence offline, and exports that fetch and verify what they lack. Both city
server backends, real SQLCipher files."""
from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from app.engine import image_cache
from app.engine.errors import ExportError, ImageOffline, ValidationError
from app.engine.evidence import ExportRequest, run
from tests.server_helpers import CAMS, add_reads, city, seed_city  # noqa: F401

DAY = 86400


@pytest.fixture
def synced(ws, people, city, clock):
    """30 recent reads (3 hits) with images prefetched, and 4 reads 40 days old synced as
    metadata only (outside the 7-day prefetch window)."""
    now = int(clock())
    seed_city(city.server, now)
    old = add_reads(city.server, [(f"6OLD{i:03d}", now - 40 * DAY + i, CAMS[0].id) for i in range(4)],
                    now, seed=9)
    ws.sync.configure(people.admin(), city.address, city.secret)
    list(ws.sync.run(None))
    return old


def server_image(city, read_id: int, kind: str) -> bytes:
    sha = next(r for r in city.server.feed("reads", 0, 1000) if r[0] == read_id)[7 if kind == "plate" else 8]
    return city.server.image(sha).data


def cached(ws) -> set[str]:
    return {r[0] for r in ws.store.query("SELECT lower(hex(sha256)) FROM images")}


def take_down(ws, city, people, tmp_path) -> None:
    """The city server becomes unreachable: the embedded one's folder is gone, PostgreSQL's
    address leads nowhere."""
    if city.kind == "embedded":
        city.server.close()
        folder = city.address[len("embedded:"):]
        (tmp_path / "moved").mkdir()
        shutil.move(folder, tmp_path / "moved")
    else:
        ws.sync.configure(people.admin(), "host=127.0.0.1 port=9 dbname=gone user=gone connect_timeout=2")


def test_old_read_image_is_fetched_on_view_and_kept_encrypted(ws, city, synced, people, clock):
    old = synced[0]
    shas = ws.store.query_one("SELECT lower(hex(plate_image_sha256)), lower(hex(scene_image_sha256)) FROM reads WHERE id = ?", (old,))
    assert not set(shas) & cached(ws)                      # metadata only, no image yet
    assert len(cached(ws)) == 60                           # the 30 recent reads' images came along
    s = people.user("dsmith", "deputy")
    data = ws.image(s, old, "scene")
    assert data == server_image(city, old, "scene") and hashlib.sha256(data).hexdigest() == shas[1]
    assert shas[1] in cached(ws) and shas[0] not in cached(ws)
    entry = [e for e in ws.audit_entries(people.admin()) if e.action == "view_image"][-1]
    assert entry.result_ids == [old] and entry.detail == {"fetched_from_server": True}
    assert ws.image(s, old, "scene") == data               # the second view comes from the cache
    assert [e for e in ws.audit_entries(people.admin()) if e.action == "view_image"][-1].detail == {}
    # no image byte in the clear anywhere in the store's folder (the WAL included)
    ws.image(s, old, "plate")
    probes = [server_image(city, old, k)[41:-12] for k in ("plate", "scene")]
    for p in (p for p in ws.data_dir.rglob("*") if p.is_file()):
        blob = p.read_bytes()
        assert not any(probe in blob for probe in probes), p


def test_budget_evicts_least_recently_viewed_and_never_a_pinned_image(ws, city, synced, people, clock):
    s = people.user("dsmith", "deputy")
    recent = [r[0] for r in ws.store.query("SELECT id FROM reads WHERE plate LIKE '8ABC%' ORDER BY id")]
    held, first, second = recent[0], recent[1], recent[2]
    ws.place_hold(s, "LHS-2026-004512", "evidence", "stolen Honda", [held])
    clock.advance(60)
    ws.image(s, first, "scene")
    ws.image(s, first, "plate")
    clock.advance(60)
    ws.image(s, second, "scene")
    ws.image(s, second, "plate")

    def shas(read_ids):
        return {x for rid in read_ids for x in ws.store.query_one(
            "SELECT lower(hex(plate_image_sha256)), lower(hex(scene_image_sha256)) FROM reads WHERE id = ?", (rid,))}
    hits = [r[0] for r in ws.store.query("SELECT read_id FROM hits WHERE disposition IS NULL")]
    pinned = shas(hits + [held])
    assert len(pinned) == 8 and pinned <= cached(ws)

    def size(keep):
        return ws.store.query_one("SELECT sum(size) FROM images WHERE sha256 IN (SELECT unhex(value) FROM "
                                  "json_each(?))", (json.dumps(sorted(keep)),))[0]
    with ws.store.transaction() as conn:      # room for the pinned and the last two viewed reads
        image_cache.evict(conn, size(pinned | shas([first, second])))
    assert cached(ws) == pinned | shas([first, second])
    with ws.store.transaction() as conn:      # less room: the earlier viewed leaves first
        removed, _freed = image_cache.evict(conn, size(pinned | shas([second])))
    assert removed == 2 and cached(ws) == pinned | shas([second])
    with ws.store.transaction() as conn:      # no room at all: the pinned stay regardless
        image_cache.evict(conn, 0)
    assert cached(ws) == pinned
    # the administrator's setting, checked and logged
    with pytest.raises(ValidationError, match="at least 100"):
        ws.images.configure(people.admin(), 5, 7)
    status = ws.images.configure(people.admin(), 100, 3)
    assert status.settings == image_cache.CacheSettings(100, 3) and status.pinned_images == 8
    assert [e for e in ws.audit_entries(people.admin()) if e.action == "settings_change"][-1].detail[
        "images.budget_mb"] == 100


def test_offline_view_says_the_image_is_not_available_offline(ws, city, synced, people, tmp_path):
    s = people.user("dsmith", "deputy")
    recent = ws.store.query_one("SELECT id FROM reads WHERE plate LIKE '8ABC%'")[0]
    take_down(ws, city, people, tmp_path)
    with pytest.raises(ImageOffline, match=rf"The image of read {synced[0]} is not available offline"):
        ws.image(s, synced[0], "scene")
    assert ws.image(s, recent, "scene")                   # prefetched: works offline
    assert ws.read_detail(s, synced[0]).read.id == synced[0]    # the metadata is all here


def test_export_fetches_and_verifies_missing_images(ws, city, synced, people, tmp_path):
    s = people.user("dsmith", "deputy")
    (tmp_path / "out").mkdir()
    res = run(ws.evidence.export(s, ExportRequest(synced[:2], tmp_path / "out", "Old sightings")))
    for rid in synced[:2]:
        for kind in ("plate", "scene"):
            got = (res.path / f"images/original/read-{rid}-{kind}.png").read_bytes()
            assert got == server_image(city, rid, kind)
    # the exported reads are now held: their images are pinned against the budget
    with ws.store.transaction() as conn:
        image_cache.evict(conn, 0)
    assert len({sha for rid in synced[:2] for sha in ws.store.query_one(
        "SELECT lower(hex(plate_image_sha256)), lower(hex(scene_image_sha256)) FROM reads WHERE id = ?", (rid,))} & cached(ws)) == 4


def test_export_fails_with_a_sentence_on_a_tampered_image(ws, city, synced, people, tmp_path):
    s = people.user("dsmith", "deputy")
    sha = ws.store.query_one("SELECT lower(hex(scene_image_sha256)) FROM reads WHERE id = ?", (synced[2],))[0]
    (tmp_path / "out").mkdir()
    with city.server.writing() as conn:
        city.server._run(conn, "UPDATE images SET data = ? WHERE sha256 = ? RETURNING sha256",
                         (b"\x89PNG tampered", sha))
    with pytest.raises(ExportError, match=r"before writing anything: image .* fails its SHA-256 check"):
        run(ws.evidence.export(s, ExportRequest(synced[2:], tmp_path / "out", "Old sightings")))
    assert not any((tmp_path / "out").iterdir())
    assert sha not in cached(ws)


def test_export_fails_with_a_sentence_offline(ws, city, synced, people, tmp_path):
    s = people.user("dsmith", "deputy")
    (tmp_path / "out").mkdir()
    take_down(ws, city, people, tmp_path)
    with pytest.raises(ExportError, match="before writing anything: 8 images of reads .* not available offline"):
        run(ws.evidence.export(s, ExportRequest(synced, tmp_path / "out", "Old sightings")))
