"""The store behind its key slots: closed until a person's password opens their slot.

The workstation holds a Vault from start; the Vault holds the open Store (and the data key
that new slots wrap) only between a successful personal login and the last logout. Before
that, only the slot file's header is readable: which profile the store is under, and
nothing of its data.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

from . import accesslog
from .errors import StoreError, StoreSealed
from .keyslots import SLOTS_NAME, SlotFile, new_data_key
from .store import DB_NAME, ID_NAME, Store, check_db_file


class Vault:
    def __init__(self, data_dir: Path, slots: SlotFile, legacy_key: bytes | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.slots = slots
        self.legacy_key = legacy_key          # a store from before key slots, until upgraded
        self._store: Store | None = None
        self._key: bytes | None = None
        self._checked = False                 # integrity checked once per process

    @classmethod
    def create(cls, data_dir: Path, profile_id: str) -> tuple[Vault, bytes]:
        """A new store; returns the vault (open) and the log's first key, for escrow."""
        store_id = Store.new_id(data_dir)
        vault = None
        try:
            vault = cls(data_dir, SlotFile.new(data_dir, store_id, profile_id))
            vault._store = Store.open(data_dir, key := new_data_key(), check_integrity=False, create=True)
            vault._key, vault._checked = key, True
            with vault._store.transaction() as conn:
                vault._store.set_meta("profile", profile_id, conn)
                first_key = accesslog.start_chain(conn)
        except BaseException:
            # A half-made store (full disk, read-only folder, no keyring) is not left behind
            # to be refused at every later start: what this call made is removed again.
            if vault is not None:
                vault.seal()
            for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", SLOTS_NAME, ID_NAME):
                with contextlib.suppress(OSError):
                    (Path(data_dir) / name).unlink(missing_ok=True)
            raise
        return vault, first_key

    @classmethod
    def locate(cls, data_dir: Path) -> Vault:
        """The header of an existing store: its slots and profile, without opening it."""
        data_dir = Path(data_dir)
        store_id = Store.read_id(data_dir)
        try:
            slots = SlotFile.load(data_dir)
        except FileNotFoundError:
            return cls._legacy(data_dir, store_id)
        if slots.store_id != store_id:
            raise StoreError(f"The key-slot file in {data_dir} belongs to another store; the "
                             "store stays closed.")
        if not slots.slots:
            raise StoreError(f"The store in {data_dir} has no key slot: no administrator was ever "
                             "created, so nobody can open it. Remove the folder and run "
                             "'alpr init' again.")
        check_db_file(data_dir)             # missing or empty: refused, never recreated
        return cls(data_dir, slots)

    @classmethod
    def _legacy(cls, data_dir: Path, store_id: str) -> Vault:
        """A store made before key slots: its key is still in the keyring until the first login."""
        key = Store.legacy_key(store_id)
        if key is None:
            raise StoreError(f"The store in {data_dir} has no key-slot file ({SLOTS_NAME}) and no "
                             "key in the keyring; it cannot be opened. Restore the slot file "
                             "from a backup.")
        store = Store.open(data_dir, key)
        try:
            profile = store.get_meta("profile") or ""
        finally:
            store.close()
        return cls(data_dir, SlotFile.new(data_dir, store_id, profile), legacy_key=key)

    # -- state -----------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        if self._store is None:
            raise StoreSealed("The store is closed: log in with your own user name and password "
                              "to open ALPR data.")
        return self._store

    @property
    def is_open(self) -> bool:
        return self._store is not None

    @property
    def data_key(self) -> bytes:
        if self._key is None:
            raise StoreSealed("The store is closed; log in first.")
        return self._key

    def key_for(self, username: str, password: str) -> bytes | None:
        """The data key if this person's slot opens with this password (one argon2id either way)."""
        key = self.slots.open(username, password)
        if key is None and self.legacy_key is not None:
            return self.legacy_key
        return key

    def unseal(self, key: bytes) -> Store:
        if self._store is None:
            self._store = Store.open(self.data_dir, key, check_integrity=not self._checked)
            self._key, self._checked = key, True
        return self._store

    def seal(self) -> None:
        """Close the store and forget its key until the next login."""
        if self._store is not None:
            self._store.close()
        self._store, self._key = None, None

    # -- slots -----------------------------------------------------------------------------
    def put_slot(self, username: str, password: str) -> None:
        self.slots.put(username, password, self.data_key)

    def finish_upgrade(self) -> None:
        """The first slot of a store from before key slots exists: its key leaves the keyring."""
        if self.legacy_key is not None:
            Store.forget_legacy_keys(self.slots.store_id)
            self.legacy_key = None
