"""The HTTP door: ``POST /sources/{name}`` with the source's token in the ``Authorization:
Bearer`` (or ``X-Alpr-Token``) header; ``GET /healthz`` for a load balancer.

A request without the right token is refused (401) and counted for its source; a token in
the URL is refused as such, never read. A body over the limit or one that is not what its
source sends is one reject with its reason; a payload's good reads are stored whatever its
bad ones hold. Parsing and checks run on worker threads and storing on the pipeline's writer
thread, so the event loop only moves bytes and awaits the commit.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.server.drop_files import Reject, parse_json

from . import mapping, openalpr
from .candidate import Candidate, Heartbeat, Rejected
from .config import Source
from .pipeline import Outcome, Pipeline, ServerUnavailable, Ticket

UNKNOWN = "(unknown source)"


def _token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.headers.get("x-alpr-token")


def _authorized(request: Request, source: Source) -> bool:
    token = _token(request)
    if not token or source.token_sha256 is None:
        return False
    return hmac.compare_digest(hashlib.sha256(token.encode("utf-8", "replace")).hexdigest(),
                               source.token_sha256)


async def _body(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes ``limit`` bytes (the rest is not read)."""
    size = request.headers.get("content-length")
    if size and size.isdigit() and int(size) > limit:
        return None
    parts, n = [], 0
    async for chunk in request.stream():
        n += len(chunk)
        if n > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _parse(pipeline: Pipeline, source: Source, body: bytes, content_type: str,
           mappings: dict[str, mapping.Mapping]) -> Ticket:
    items: list[Candidate | Heartbeat | Rejected]
    try:
        if source.kind == "openalpr":
            items = openalpr.parse(parse_json(body, "webhook body"), source, int(pipeline.clock()))
        else:
            items = list(mappings[source.name].parse(body, content_type, source.name))
    except Reject as exc:
        items = [Rejected(source.name, str(exc))]
    except Exception as exc:  # noqa: BLE001 - a payload we did not foresee: its reject, never a crash
        items = [Rejected(source.name, f"this payload could not be read ({type(exc).__name__})")]
    return pipeline.submit(items)


async def _outcomes(ticket: Ticket) -> list[Outcome]:
    """The payload's outcomes once its reads are committed, awaited on the event loop (the
    worker thread that checked them is free meanwhile)."""
    futures = ticket.futures()
    if futures:
        await asyncio.gather(*map(asyncio.wrap_future, futures), return_exceptions=True)
    try:
        return ticket.outcomes()
    except ServerUnavailable:
        return [Outcome("unavailable", reason="the city server cannot store reads now; send again")]


def app(pipeline: Pipeline, sources: dict[str, Source], max_body: int,
        mappings: dict[str, mapping.Mapping]) -> Starlette:
    async def receive(request: Request) -> JSONResponse:
        name = request.path_params["name"]
        source = sources.get(name)
        if source is None or source.kind == "frigate":
            pipeline.count(UNKNOWN, "refused")
            return JSONResponse({"error": "no such source"}, 404)
        if any(k.lower() in ("token", "access_token", "api_key", "key") for k in request.query_params):
            pipeline.count(name, "refused")
            return JSONResponse({"error": "a token goes in the Authorization header, never in the URL"}, 400)
        if not _authorized(request, source):
            pipeline.count(name, "refused")
            return JSONResponse({"error": "missing or wrong token"}, 401,
                                headers={"WWW-Authenticate": "Bearer"})
        body = await _body(request, max_body)
        if body is None:
            pipeline.reject(name, f"payload larger than {max_body // (1024 * 1024)} MiB")
            return JSONResponse({"error": "payload too large"}, 413)
        out = await _outcomes(await run_in_threadpool(_parse, pipeline, source, body,
                                                      request.headers.get("content-type", ""), mappings))
        status = 503 if any(o.status == "unavailable" for o in out) else \
            422 if out and all(o.status == "rejected" for o in out) else 200
        return JSONResponse({"results": [{"id": o.source_id, "status": o.status, "read_id": o.read_id,
                                          **({"reason": o.reason} if o.reason else {})} for o in out]},
                            status)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/sources/{name}", receive, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])])
