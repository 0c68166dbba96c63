"""Secrets through the OS keyring, and only through a keyring that really protects them.

The store's 256-bit key, the access-log MAC key and the city-server credentials are kept
here. Backends that write secrets in the clear (keyrings.alt) or drop them (fail/null) are
refused, because a key in a plain file next to the database protects nothing.
"""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import TypeVar

import keyring
import keyring.errors

from .errors import KeyringError

SERVICE = "alpr-workstation"
RETRY_AFTER_S = 0.5

T = TypeVar("T")

_INSECURE_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


def _describe(backend: object) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _leaves(backend: object) -> list[object]:
    """The real backends behind a chainer backend."""
    inner = getattr(backend, "backends", None)
    if inner:
        return [leaf for b in inner for leaf in _leaves(b)]
    return [backend]


def secure_backend() -> keyring.backend.KeyringBackend:
    """The active keyring backend, or :class:`KeyringError` if it does not protect secrets."""
    backend = keyring.get_keyring()
    leaves = _leaves(backend)
    in_clear = [b for b in leaves if type(b).__module__.startswith("keyrings.alt")]
    if in_clear:
        raise KeyringError(
            f"The keyring backend {_describe(in_clear[0])} stores secrets in the clear; the "
            "workstation refuses it. Use the desktop keyring (Secret Service, macOS Keychain "
            "or Windows Credential Manager)."
        )
    if not [b for b in leaves if not type(b).__module__.startswith(_INSECURE_MODULES)]:
        raise KeyringError(
            f"No secure OS keyring is available (found {_describe(backend)}). Start a Secret "
            "Service such as gnome-keyring and unlock it, then try again."
        )
    return backend


def _once_more(call: Callable[[], T]) -> T:
    """A keyring daemon that exits mid-call (it happens: the Secret Service daemon is restarted
    by the session bus on the next request) fails that one call; a second try, half a second
    later, reaches the new daemon. A keyring that refuses twice really refuses."""
    try:
        return call()
    except keyring.errors.KeyringError:
        time.sleep(RETRY_AFTER_S)
        return call()


def get_secret(name: str) -> str | None:
    backend = secure_backend()
    try:
        return _once_more(lambda: backend.get_password(SERVICE, name))
    except keyring.errors.KeyringError as exc:
        raise KeyringError(f"The OS keyring refused to give the secret {name!r}: {exc}") from exc


def set_secret(name: str, value: str) -> None:
    backend = secure_backend()
    try:
        _once_more(lambda: backend.set_password(SERVICE, name, value))
    except keyring.errors.KeyringError as exc:
        raise KeyringError(f"The OS keyring refused to keep the secret {name!r}: {exc}") from exc


def delete_secret(name: str) -> None:
    backend = secure_backend()
    try:
        backend.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        pass


def get_or_create_key(name: str, nbytes: int = 32) -> tuple[str, bool]:
    """Hex key under ``name``; made from the OS's random source the first time.

    Returns the key and whether it was just created.
    """
    existing = get_secret(name)
    if existing:
        return existing, False
    key = secrets.token_hex(nbytes)
    set_secret(name, key)
    if get_secret(name) != key:
        raise KeyringError(f"The OS keyring did not keep the secret {name!r}.")
    return key, True
