"""OpenLineage intake and the Marquez-compatible read API (/api/v1/...).

``POST /api/v1/lineage`` takes one event (201, as Marquez answers), ``POST
/api/v1/lineage/batch`` a JSON array (200); gzip bodies (``Content-Encoding: gzip``) as the
openlineage-python HTTP transport sends them. Writes go through one coalescing queue per app
(graphstore.openlineage.queue): concurrent posts to one namespace share transactions. Under
``/ns/{namespace}/`` (``_namespaces``) all of it is another graphstore namespace's. Reads are Marquez's
``GET /api/v1/lineage``, ``/api/v1/namespaces`` and ``/api/v1/namespaces/{ns}/jobs|datasets``.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import EngineUnavailable, GraphstoreError, InvalidArgument, NotFound
from ..limits import OPENLINEAGE_BODY_BYTES, over_limit
from ..openlineage import marquez, parse_events
from ..openlineage.queue import Coalescer
from ._namespaces import store_for

__all__ = ["close_queue", "routes"]


class _TooLarge(Exception):
    pass


def _error(status: int, exc: BaseException) -> JSONResponse:
    return JSONResponse({"code": status, "message": str(exc)}, status_code=status)


def _status(exc: GraphstoreError) -> int:
    if isinstance(exc, InvalidArgument):
        return 400
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, EngineUnavailable):
        return 503
    return 500


def _handled(fn: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """graphstore's errors as JSON answers naming the field (never a traceback)."""
    async def handler(request: Request) -> Response:
        try:
            return await fn(request)
        except _TooLarge as exc:
            return _error(413, exc)
        except GraphstoreError as exc:
            return _error(_status(exc), exc)
    return handler


async def _body(request: Request) -> Any:
    """The request's JSON, gunzipped when sent gzip, read at most ``openlineage.body_bytes``."""
    limit = OPENLINEAGE_BODY_BYTES.maximum
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise _TooLarge(f"body: {over_limit(OPENLINEAGE_BODY_BYTES, len(raw))}")
    data = bytes(raw)
    if request.headers.get("content-encoding", "").lower() == "gzip":
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflate.decompress(data, limit + 1)
        except zlib.error as exc:
            raise InvalidArgument(f"body: Content-Encoding is gzip but the body is not ({exc})") from None
        if len(data) > limit or inflate.unconsumed_tail:
            raise _TooLarge(f"body: more than {limit} bytes once inflated (openlineage.body_bytes)")
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidArgument(f"body: not JSON ({exc})") from None


def _queue(app: Starlette) -> Coalescer:
    # made on first use, in the event loop's thread (so once per app)
    coalescer: Coalescer | None = getattr(app.state, "openlineage_queue", None)
    if coalescer is None:
        coalescer = Coalescer(app.state.store)
        app.state.openlineage_queue = coalescer
    return coalescer


def close_queue(app: Starlette) -> None:
    """Write the queued events and stop the app's writer thread (for a graceful shutdown)."""
    coalescer: Coalescer | None = getattr(app.state, "openlineage_queue", None)
    if coalescer is not None:
        coalescer.close()


async def _ingest(request: Request, batch: bool) -> int:
    body = await _body(request)
    if batch and not isinstance(body, list):
        raise InvalidArgument(f"body: expected a JSON array of events, got {type(body).__name__}")
    if not batch and not isinstance(body, dict):
        raise InvalidArgument(f"body: expected one event (a JSON object), got {type(body).__name__}"
                              + (" (post arrays to /api/v1/lineage/batch)" if isinstance(body, list) else ""))
    events, prefixes = parse_events(body)
    result = await asyncio.wrap_future(_queue(request.app).submit(events, prefixes, store_for(request)))
    return result.events


@_handled
async def post_lineage(request: Request) -> Response:
    await _ingest(request, batch=False)
    return Response(status_code=201)


@_handled
async def post_batch(request: Request) -> Response:
    return JSONResponse({"events": await _ingest(request, batch=True)})


def _int(request: Request, name: str, default: int | None) -> int | None:
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise InvalidArgument(f"{name}: expected an integer, got {text!r}") from None


@_handled
async def get_lineage(request: Request) -> Response:
    node_id = request.query_params.get("nodeId")
    if not node_id:
        raise InvalidArgument("nodeId: required, e.g. dataset:<namespace>:<name>")
    depth = _int(request, "depth", None)
    return JSONResponse(await run_in_threadpool(marquez.lineage, store_for(request), node_id, depth))


def _window(request: Request) -> tuple[int, int]:
    return _int(request, "limit", 100) or 0, _int(request, "offset", 0) or 0


@_handled
async def get_namespaces(request: Request) -> Response:
    limit, offset = _window(request)
    return JSONResponse(await run_in_threadpool(marquez.namespaces, store_for(request), limit, offset))


@_handled
async def get_jobs(request: Request) -> Response:
    limit, offset = _window(request)
    return JSONResponse(await run_in_threadpool(marquez.jobs, store_for(request),
                                                request.path_params["namespace"], limit, offset))


@_handled
async def get_datasets(request: Request) -> Response:
    limit, offset = _window(request)
    return JSONResponse(await run_in_threadpool(marquez.datasets, store_for(request),
                                                request.path_params["namespace"], limit, offset))


routes: list[BaseRoute] = [
    Route("/api/v1/lineage", post_lineage, methods=["POST"]),
    Route("/api/v1/lineage/batch", post_batch, methods=["POST"]),
    Route("/api/v1/lineage", get_lineage, methods=["GET"]),
    Route("/api/v1/namespaces", get_namespaces, methods=["GET"]),
    # namespaces hold '/' (gs://bucket): the path convertor takes them whole
    Route("/api/v1/namespaces/{namespace:path}/jobs", get_jobs, methods=["GET"]),
    Route("/api/v1/namespaces/{namespace:path}/datasets", get_datasets, methods=["GET"]),
]
