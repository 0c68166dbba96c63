"""The insider with the OS account and its keyring: without a personal login, nothing opens."""
from __future__ import annotations

import json
import sqlite3

import pytest
import secretstorage
import sqlcipher3

from app.engine import keys
from app.engine.errors import AuthError, StoreError, StoreSealed
from app.engine.keyslots import SLOTS_NAME
from app.engine.search import SearchQuery
from app.engine.store import CIPHER, DB_NAME, LEGACY_CIPHER, Store
from app.engine.workstation import Workstation
from tests.conftest import PASSWORD, PURPOSES


def _keyring_secrets() -> list[str]:
    conn = secretstorage.dbus_init()
    found = []
    for coll in secretstorage.get_all_collections(conn):
        if coll.is_locked():
            coll.unlock()
        found += [item.get_secret().decode("utf-8", "replace") for item in coll.get_all_items()]
    return found


def _opens(path, secret: str) -> bool:
    """Whether a secret opens the store as a raw key or a passphrase, in either page format."""
    for pragma in (f"PRAGMA key = \"x'{secret}'\"", "PRAGMA key = '" + secret.replace("'", "''") + "'"):
        for cipher in (CIPHER, LEGACY_CIPHER):
            conn = sqlcipher3.connect(str(path))
            try:
                conn.execute(pragma)
                for setting in cipher:
                    conn.execute(setting)
                conn.execute("SELECT count(*) FROM reads").fetchone()
                return True
            except sqlcipher3.DatabaseError:
                pass
            finally:
                conn.close()
    return False


@pytest.fixture
def closed(ws, people, seeded, clock):
    """A store in use, then closed (as after the last logout or a restart)."""
    people.user("pross", "prosecutor")
    data_dir = ws.data_dir
    key = ws.vault.data_key
    ws.close()
    assert _opens(data_dir / DB_NAME, key.hex())       # the attacker's opener works with the key
    return data_dir


def test_every_keyring_secret_fails_to_open_the_store(closed):
    secrets_ = _keyring_secrets()
    assert secrets_                                    # the device secret is there ...
    assert not any(_opens(closed / DB_NAME, s) for s in secrets_)   # ... and opens nothing
    with pytest.raises(sqlite3.DatabaseError):        # nor is the file plain SQLite
        sqlite3.connect(closed / DB_NAME).execute("SELECT * FROM sqlite_master").fetchall()


def test_slot_file_holds_no_key_and_no_plate(closed):
    text = (closed / SLOTS_NAME).read_text(encoding="utf-8")
    raw = json.loads(text)
    assert len(raw["slots"]) == 2                       # two people, and not who they are
    assert "amanager" not in text and "pross" not in text
    assert "7ABC123" not in text and PASSWORD not in text


def test_open_without_login_reads_nothing(closed, clock):
    ws = Workstation.open(closed, clock)
    try:
        assert ws.profile.id == "calabasas"            # the header is readable ...
        with pytest.raises(StoreSealed):
            ws.store                                   # ... the data is not
        with pytest.raises(StoreSealed):
            ws.auth.list_users()
    finally:
        ws.close()


def test_login_opens_the_store_and_last_logout_closes_it(closed, clock, people):
    ws = Workstation.open(closed, clock)
    try:
        s = ws.login("pross", PASSWORD)
        ws.set_purpose(s, *PURPOSES["calabasas"])
        assert [r.plate for r in ws.search(s, SearchQuery(plate="7ABC123")).rows] == ["7ABC123"] * 2
        ws.logout(s)
        with pytest.raises(StoreSealed):
            ws.store
    finally:
        ws.close()


def test_wrong_password_opens_nothing_and_is_logged_after(closed, clock):
    ws = Workstation.open(closed, clock)
    try:
        for name in ("pross", "nobody"):
            with pytest.raises(AuthError, match="Wrong user name or password"):
                ws.login(name, "Not-The-Password-At-All-123")
            with pytest.raises(StoreSealed):
                ws.store
        s = ws.login("pross", PASSWORD)
        rows = ws.store.query("SELECT username, detail FROM access_log WHERE action = 'login_failed'")
        assert {r[0] for r in rows} == {"pross", "nobody"}
        assert all(json.loads(r[1])["store_closed"] for r in rows)
        ws.logout(s)
    finally:
        ws.close()


def test_lockout_counts_while_the_store_is_closed(closed, clock):
    ws = Workstation.open(closed, clock)
    try:
        for _ in range(ws.profile.lockout_attempts):
            with pytest.raises(AuthError):
                ws.login("pross", "Not-The-Password-At-All-123")
        with pytest.raises(AuthError):
            ws.login("pross", PASSWORD)                 # locked: even the right password
        clock.advance(ws.profile.lockout_minutes * 60 + 1)
        ws.logout(ws.login("pross", PASSWORD))
    finally:
        ws.close()


def test_password_change_rewraps_the_slot(closed, clock):
    ws = Workstation.open(closed, clock)
    new = "Another-Long-Passphrase-For-Them"
    try:
        slot = ws.vault.slots.slot_id("pross")
        before = json.loads((closed / SLOTS_NAME).read_text())["slots"][slot]
        ws.change_password("pross", PASSWORD, new)
        after = json.loads((closed / SLOTS_NAME).read_text())["slots"][slot]
        assert before != after
        with pytest.raises(AuthError):
            ws.login("pross", PASSWORD)
        ws.logout(ws.login("pross", new))
    finally:
        ws.close()


def test_disable_deletes_the_slot_and_reset_writes_a_new_one(ws, people, clock):
    admin = people.admin()
    people.user("pross", "prosecutor")
    ws.disable_user(admin, "pross")
    assert ws.vault.slots.slot_id("pross") not in json.loads((ws.data_dir / SLOTS_NAME).read_text())["slots"]
    ws.enable_user(admin, "pross")
    with pytest.raises(AuthError, match="key slot is missing"):
        ws.login("pross", PASSWORD)
    temp = "Temporary-Passphrase-From-Admin-1"
    ws.reset_password(admin, "pross", temp)
    assert ws.vault.slots.slot_id("pross") in json.loads((ws.data_dir / SLOTS_NAME).read_text())["slots"]
    from app.engine.auth import PasswordExpired
    with pytest.raises(PasswordExpired):                # the owner must choose their own
        ws.login("pross", temp)
    ws.change_password("pross", temp, "They-Chose-This-Passphrase-Now")
    assert ws.login("pross", "They-Chose-This-Passphrase-Now").user.username == "pross"


def test_one_persons_slot_does_not_open_with_anothers_password(ws, people):
    people.user("pross", "prosecutor")
    people.user("pross2", "prosecutor")
    other = "Second-Has-Another-Passphrase"
    ws.change_password("pross2", PASSWORD, other)
    assert ws.vault.slots.open("pross", other) is None
    assert ws.vault.slots.open("pross2", other) == ws.vault.data_key


def test_copied_slot_file_is_useless_without_this_keyring(closed, clock):
    store_id = Store.read_id(closed)
    keys.delete_secret(f"device-secret/{store_id}")    # the file and store, on another account
    with pytest.raises(StoreError, match="device secret"):
        Workstation.open(closed, clock).login("pross", PASSWORD)


def test_store_made_before_key_slots_is_upgraded_at_first_login(closed, clock, people):
    """Simulate the old layout: the data key in the keyring, no slot file."""
    ws = Workstation.open(closed, clock)
    s = ws.login("amanager", PASSWORD, people.code("amanager"))
    key = ws.vault.data_key
    ws.logout(s)
    store_id = Store.read_id(closed)
    keys.set_secret(f"store-key/{store_id}", key.hex())
    (closed / SLOTS_NAME).unlink()
    ws = Workstation.open(closed, clock)
    try:
        s = ws.login("amanager", PASSWORD, people.code("amanager"))
        assert keys.get_secret(f"store-key/{store_id}") is None          # the key left the keyring
        assert ws.vault.slots.slot_id("amanager") in json.loads((closed / SLOTS_NAME).read_text())["slots"]
        assert ws.store.query("SELECT 1 FROM access_log WHERE action = 'key_slot_upgrade'")
        ws.logout(s)
    finally:
        ws.close()
    assert not any(_opens(closed / DB_NAME, x) for x in _keyring_secrets())

