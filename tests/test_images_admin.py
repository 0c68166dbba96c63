"""The image cache's settings for the administrator (issue 17): ``alpr images status|configure``
and the administration screen's "Image cache" tab show used and budget, pinned images and the
prefetch window, and change them; a lower budget evicts the least recently viewed at once (never
a pinned image) and says so; anyone but the administrator is refused by the engine."""
from __future__ import annotations

import hashlib
import io
import json
import os

import pyotp
import pytest
from PySide6.QtCore import Qt

from app.cli.main import main
from app.engine import image_cache
from app.engine.errors import PermissionDenied
from app.server.model import Image
from tests.conftest import PASSWORD, insert_reads
from tests.ui_fixtures import open_window  # noqa: F401

SIZE = 3_000_000            # 36 images of 3 MB: 108 MB, over the smallest budget (100 MB)


@pytest.fixture
def full_cache(ws, people, clock) -> list[str]:
    """18 reads with 2 cached images each, viewed one a minute (oldest first); the first read
    is held, so its two are pinned. Returns the hashes in viewing order."""
    shas = []
    for _ in range(36):
        data = os.urandom(SIZE)
        sha = hashlib.sha256(data).hexdigest()
        with ws.store.transaction() as conn:
            image_cache.put(conn, [Image(sha, "scene", "image/jpeg", 1920, 1080, data)], clock())
        shas.append(sha)
        clock.advance(60)
    insert_reads(ws, [(i + 1, f"7ABC{i:03d}", int(clock()) - 3600, "CAM-LV-N", 0.9) for i in range(18)])
    with ws.store.transaction() as conn:
        conn.executemany("UPDATE reads SET plate_image_sha256 = unhex(?), scene_image_sha256 = unhex(?) WHERE id = ?",
                         [(shas[2 * i], shas[2 * i + 1], i + 1) for i in range(18)])
    ws.place_hold(people.admin(), "LHS-2026-004512", "evidence", "stolen vehicle case", [1])
    return shas


def cached(ws) -> set[str]:
    return {r[0] for r in ws.store.query("SELECT lower(hex(sha256)) FROM images")}


def last_change(ws) -> dict:
    return json.loads(ws.store.query_one("SELECT detail FROM access_log WHERE action = "
                                         "'settings_change' ORDER BY seq DESC LIMIT 1")[0])


def test_admin_screen_shows_the_cache_and_a_lower_budget_evicts(ws, people, full_cache, open_window,  # noqa: F811
                                                               qtbot):
    window = open_window(people.admin())
    admin = window.admin
    titles = [admin.tabs.tabText(i) for i in range(admin.tabs.count())]
    assert "Image cache" in titles
    admin.tabs.setCurrentWidget(admin.images)
    panel = admin.images
    assert panel.used.text() == "108.0 MB of 20,000 MB (0.5%), 36 images"
    assert panel.pinned.text().startswith("2 images") and panel.budget.value() == 20_000
    assert panel.prefetch.value() == 7 and "last 7 days" in panel.prefetch_now.text()

    panel.budget.setValue(100)
    panel.prefetch.setValue(3)
    qtbot.mouseClick(panel.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "left the cache" in panel.result.text(), timeout=10_000)
    assert panel.result.text() == "Settings saved. 3 images (9.0 MB) left the cache to fit the budget."
    assert panel.used.text() == "99.0 MB of 100 MB (99.0%), 33 images"
    assert cached(ws) == set(full_cache) - set(full_cache[2:5])   # the oldest unpinned left first
    assert ws.images.settings() == image_cache.CacheSettings(100, 3)
    assert last_change(ws) == {"images.budget_mb": 100, "images.prefetch_days": 3,
                                    "images_evicted": 3, "bytes_freed": 3 * SIZE}

    panel.budget.setValue(100)                      # the same again: nothing more leaves
    qtbot.mouseClick(panel.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.result.text() == "Settings saved. Nothing had to leave the cache.",
                    timeout=10_000)
    panel.budget.setValue(5)                        # the spin box cannot go under the engine's floor
    assert panel.budget.value() == 100


def test_only_the_administrator_sees_or_changes_the_cache(ws, people, full_cache, open_window):  # noqa: F811
    deputy = people.user("ddeputy", "deputy")
    with pytest.raises(PermissionDenied):
        ws.images.status(deputy)
    with pytest.raises(PermissionDenied):
        ws.images.configure(deputy, 100, 7)
    assert len(cached(ws)) == 36 and ws.images.settings().budget_mb == image_cache.DEFAULT_BUDGET_MB
    window = open_window(people.user("ccustodian", "custodian"))      # may sync, not configure
    admin = window.admin
    assert [admin.tabs.tabText(i) for i in range(admin.tabs.count())] == ["Sync"]


def test_cli_status_and_configure(ws, people, full_cache, monkeypatch, capsys):
    people.admin()
    people.user("pat.rivera", "prosecutor")

    def alpr(*argv: str, admin: bool = True) -> tuple[int, str]:
        login = ["--user", "pat.rivera", "--password-stdin"]
        if admin:               # the command line runs on the real clock: a fresh code each time
            ws.store.execute("UPDATE users SET totp_last_step = NULL WHERE username = 'amanager'")
            login = ["--user", "amanager", "--password-stdin", "--totp",
                     pyotp.TOTP(people.totp["amanager"]).now()]
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        code = main(["--data-dir", str(ws.data_dir), *argv[:2], *login, *argv[2:]])
        out = capsys.readouterr()
        return code, out.out + out.err

    code, out = alpr("images", "status")
    assert code == 0, out
    assert out.strip() == ("Image cache: 108.0 MB of 20,000 MB used (0.5%) by 36 images, 2 of them "
                           "pinned (holds, evidence, open hits); prefetch window 7 days.")
    code, out = alpr("images", "configure", "--budget-mb", "102")
    assert code == 0, out
    assert out.splitlines() == [
        "Image cache set: 102.0 MB of 102 MB used (100.0%) by 34 images, 2 of them pinned (holds, "
        "evidence, open hits); prefetch window 7 days.",
        "2 images (6.0 MB) left the cache to fit the budget."]
    assert cached(ws) == set(full_cache) - set(full_cache[2:4])
    assert ws.images.settings() == image_cache.CacheSettings(102, 7)    # the window kept
    code, out = alpr("images", "configure", "--prefetch-days", "14")
    assert code == 0 and "prefetch window 14 days" in out and "left the cache" not in out, out
    assert ws.images.settings() == image_cache.CacheSettings(102, 14)   # the budget kept
    code, out = alpr("images", "status", admin=False)
    assert code == 1 and "not authorised" in out and "MB" not in out, out
    code, out = alpr("images", "configure", "--budget-mb", "100", admin=False)
    assert code == 1 and "not authorised" in out, out
    assert ws.images.settings() == image_cache.CacheSettings(102, 14)
