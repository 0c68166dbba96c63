"""Fetching a read's photos from the camera system that serves them (an OpenALPR agent's
``/img/{uuid}.jpg``, Frigate's ``/api/events/{id}/snapshot.jpg``, a vendor's image URL).

A source that cannot be reached now (refused, timed out, a 5xx, a photo not written yet) is a
``FetchFailed``: the read waits in the retry queue. A photo too large is the read's Reject.
Only the configured hosts of a source are fetched from, and a URL is shown without its query
(a signed URL's token stays out of messages and logs).
"""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from app.server.drop_files import MAX_IMAGE_BYTES, Reject

TIMEOUT_S = 3.0
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class FetchFailed(Exception):
    """The photo cannot be had now; the message says why (no secret in it)."""


def shown_url(url: str) -> str:
    """scheme://host/path only: a query or user part may carry a signed token."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"


def check_host(url: str, allowed: frozenset[str]) -> None:
    """Refuse a URL a payload named on a host this source was not configured to fetch from."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in allowed:
        raise Reject(f"image URL {shown_url(url)!r} is not on a host configured for this source")


def fetch(url: str, timeout: float = TIMEOUT_S) -> bytes:
    """The bytes at ``url`` (at most the image limit)."""
    try:
        with _OPENER.open(urllib.request.Request(url, headers={"Accept": "image/*"}), timeout=timeout) as r:
            data = r.read(MAX_IMAGE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise FetchFailed(f"{shown_url(url)} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        why = getattr(exc, "reason", None) or exc
        raise FetchFailed(f"{shown_url(url)} cannot be reached ({type(why).__name__ if not isinstance(why, str) else why})") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise Reject(f"the photo at {shown_url(url)} is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
    return data
