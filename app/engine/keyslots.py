"""Key slots: the store's data key, wrapped once per person, like LUKS.

The random 256-bit key that opens the SQLCipher store is never kept anywhere in the clear.
Each user has a slot in ``keyslots.json`` beside the store: the data key sealed with
AES-256-GCM under a key derived from that user's password (argon2id, the login's cost)
and a device secret from the OS keyring. So the OS account and its keyring alone open
nothing (the insider of the threat model), a copied slot file is useless away from the
keyring, and one person's slot opens only with that person's password.

The file also carries what the login screen must know before the store is open (the
store id and policy profile, checked against the store after opening) and the failed
attempts made while the store was closed, which are written into the access log at the
next successful login.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import math
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import keys
from .errors import StoreError
from .store import os_problem

SLOTS_NAME = "keyslots.json"
FORMAT = 1
# The login's argon2id cost (passwords.py): unwrapping a slot costs what a login costs.
KDF: dict[str, Any] = {"alg": "argon2id", "m": 19456, "t": 2, "p": 1}
MAX_PENDING = 1000          # failed attempts kept while the store is closed
MAX_FILE = 4_000_000        # bytes: far above a real slot file; a larger one is damaged


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(_text(text).encode("ascii"), validate=True)


def _text(value: object) -> str:
    """A string field of the file; anything else means the file is damaged."""
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError("not a number")
    return value


@dataclass
class Slot:
    salt: bytes
    nonce: bytes
    sealed: bytes


@dataclass
class SlotFile:
    """The plaintext header of a store: nothing in it opens the data without a password."""

    path: Path
    store_id: str
    profile: str
    slots: dict[str, Slot] = field(default_factory=dict)      # by slot id (see ``slot_id``)
    # Failed logins while the store was closed: {"ts", "username", "reason"} each.
    pending: list[dict] = field(default_factory=list)
    # By slot id: consecutive failures and a lock-out end, for logins before the store opens.
    failures: dict[str, dict] = field(default_factory=dict)
    _device: bytes | None = field(default=None, repr=False)

    # -- file ------------------------------------------------------------------------------
    @classmethod
    def new(cls, data_dir: Path, store_id: str, profile: str) -> SlotFile:
        device_secret(store_id, create=True)
        made = cls(Path(data_dir) / SLOTS_NAME, store_id, profile)
        made.save()
        return made

    @classmethod
    def load(cls, data_dir: Path) -> SlotFile:
        path = Path(data_dir) / SLOTS_NAME
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_FILE + 1)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StoreError(f"The key-slot file {path} cannot be read ({exc.strerror or exc}); "
                             "the store stays closed.") from None
        try:
            if len(data) > MAX_FILE:
                raise ValueError("too large")
            raw = json.loads(data.decode("utf-8"))
            if raw.get("format") != FORMAT or raw.get("kdf") != KDF:
                raise ValueError("unknown format")
            slots = {_text(name): Slot(_unb64(s["salt"]), _unb64(s["nonce"]), _unb64(s["sealed"]))
                     for name, s in raw["slots"].items()}
            pending = [{"ts": _number(p["ts"]), "username": _text(p["username"]),
                        "reason": _text(p["reason"])} for p in raw.get("pending", [])]
            failures = {_text(name): {"count": int(_number(f["count"])),
                                      "locked_until": None if f.get("locked_until") is None
                                      else int(_number(f["locked_until"]))}
                        for name, f in raw.get("failures", {}).items()}
            return cls(path, _text(raw["store_id"]), _text(raw["profile"]), slots, pending, failures)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError, OverflowError) as exc:
            raise StoreError(f"The key-slot file {path} is damaged ({type(exc).__name__}); the "
                             "store stays closed. Restore it from a backup.") from None

    def save(self) -> None:
        """Write atomically: a crash leaves the old file or the new one, never half of each."""
        body = {"format": FORMAT, "store_id": self.store_id, "profile": self.profile, "kdf": KDF,
                "slots": {n: {"salt": _b64(s.salt), "nonce": _b64(s.nonce), "sealed": _b64(s.sealed)}
                          for n, s in sorted(self.slots.items())},
                "pending": self.pending[-MAX_PENDING:], "failures": self.failures}
        tmp = self.path.with_suffix(".tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(body, fh, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise os_problem(exc, self.path.parent, f"writing the key-slot file {self.path.name}") from None

    # -- slots -----------------------------------------------------------------------------
    def _kek(self, username: str, password: str, salt: bytes) -> bytes:
        stretched = hash_secret_raw(password.encode("utf-8"), salt, time_cost=KDF["t"],
                                    memory_cost=KDF["m"], parallelism=KDF["p"], hash_len=32,
                                    type=Type.ID)
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=self._device_secret(),
                    info=f"alpr key slot/{self.store_id}/{username}".encode()).derive(stretched)

    def _device_secret(self) -> bytes:
        if self._device is None:
            self._device = device_secret(self.store_id)
        return self._device

    def slot_id(self, username: str) -> str:
        """Where a person's slot is filed: a keyed hash of the name, so that the file does not
        list who has an account (the keyring's holder can test a guess, not read the list)."""
        return hmac.new(self._device_secret(), f"slot:{username}".encode(), hashlib.sha256).hexdigest()[:32]

    def get(self, username: str) -> Slot | None:
        return self.slots.get(self.slot_id(username))

    def restore(self, username: str, slot: Slot | None) -> None:
        """Put back a slot as it was (or none), after a change that failed."""
        if slot is None:
            self.slots.pop(self.slot_id(username), None)
        else:
            self.slots[self.slot_id(username)] = slot
        self.save()

    def _aad(self, username: str) -> bytes:
        return f"alpr-workstation key slot v{FORMAT}/{self.store_id}/{username}".encode()

    def put(self, username: str, password: str, data_key: bytes) -> None:
        """Seal ``data_key`` for ``username`` (a new slot, or a re-wrap on password change)."""
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        sealed = AESGCM(self._kek(username, password, salt)).encrypt(nonce, data_key, self._aad(username))
        self.slots[self.slot_id(username)] = Slot(salt, nonce, sealed)
        self.save()

    def open(self, username: str, password: str) -> bytes | None:
        """The data key, or None when there is no slot or the password does not open it.

        Costs one argon2id derivation either way, so the answer's timing does not tell
        whether the user name has a slot."""
        slot = self.get(username)
        if slot is None:
            self._kek(username, password, b"\0" * 16)
            return None
        try:
            return AESGCM(self._kek(username, password, slot.salt)).decrypt(
                slot.nonce, slot.sealed, self._aad(username))
        except InvalidTag:
            return None

    def remove(self, username: str) -> None:
        if self.slots.pop(self.slot_id(username), None) is not None:
            self.save()

    # -- attempts while closed ---------------------------------------------------------------
    def note_failure(self, username: str, reason: str, now: float, lockout_attempts: int,
                     lockout_minutes: int) -> bool:
        """Count a failed login made before the store could open; True if now locked."""
        rec = self.failures.setdefault(self.slot_id(username), {"count": 0, "locked_until": None})
        rec["count"] += 1
        if rec["count"] >= lockout_attempts:
            rec["locked_until"] = int(now) + lockout_minutes * 60
        self.pending.append({"ts": now, "username": username, "reason": reason})
        self.save()
        return rec["locked_until"] is not None

    def locked_until(self, username: str, now: float) -> int | None:
        until = (self.failures.get(self.slot_id(username)) or {}).get("locked_until")
        return int(until) if until and until > now else None

    def take_pending(self) -> tuple[list[dict], dict[str, dict]]:
        """Hand over the attempts made while closed (they go into the access log)."""
        pending, failures = self.pending, self.failures
        self.pending, self.failures = [], {}
        self.save()
        return pending, failures


def device_secret(store_id: str, *, create: bool = False) -> bytes:
    """This machine's half of every slot key: without the keyring a copied slot file is
    useless; alone it opens nothing."""
    name = f"device-secret/{store_id}"
    value = keys.get_or_create_key(name)[0] if create else keys.get_secret(name)
    if not value:
        raise StoreError("This store's device secret is not in the OS keyring (another OS user, "
                         "a new keyring, or the keyring was reset); no key slot can open.")
    return bytes.fromhex(value)


def new_data_key() -> bytes:
    return secrets.token_bytes(32)
