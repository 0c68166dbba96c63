"""Image digests as the store keeps them: 32 raw bytes, not 64 hex characters.

Every read names two images by SHA-256, and a two-year city holds 20 million reads: as hex the
two names alone are 2.6 GB of the store, as bytes 1.3 GB (migration 0016). Python code, the
city server and every file the workstation writes use the hex form; these functions are the
only crossing, at the SQL boundary. A digest list passed in JSON stays hex and SQL turns each
item back with ``unhex(value)``."""
from __future__ import annotations


def packed(sha256: str | None) -> bytes | None:
    """A hex digest as the store keeps it (None stays None)."""
    return None if sha256 is None else bytes.fromhex(sha256)


def bindable(sha256: str | None) -> bytearray:
    """:func:`packed` as sqlcipher3 binds it fastest, for the sync's many rows: a bytearray (a
    bytes or None parameter goes through its adapter lookup, 16 times slower), empty for None,
    which the SQL turns back with ``NULLIF(?, x'')``."""
    return bytearray.fromhex(sha256) if sha256 else bytearray()


def unpacked(stored: bytes | str | None) -> str | None:
    """A stored digest in hex (None stays None)."""
    if stored is None:
        return None
    return stored if isinstance(stored, str) else bytes(stored).hex()
