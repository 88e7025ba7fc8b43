"""The ASGI application: one store, the route modules of each part of the service.

Two middlewares wrap every route: the access log (outermost: one JSON line per request, and
the last catch of an unexpected error, answered as a generic 500) and bearer-token auth (when a
token is set, every path but :data:`PUBLIC_PATHS` and the web UI's page and static files
(``_ui.is_public``) needs ``Authorization: Bearer <token>``).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphstore.options import ListOptions
from graphstore.server import _api, _errors, _openlineage, _ui
from graphstore.server._namespaces import NamespacePrefix, store_for
from graphstore.store import MetadataStore

__all__ = ["HEALTH_PATH", "PUBLIC_PATHS", "create_app"]

HEALTH_PATH = "/healthz"
PUBLIC_PATHS = frozenset({HEALTH_PATH})
"""Paths answered without a token (a load balancer's health probe has none)."""

access_log = logging.getLogger("graphstore.access")


async def health(request: Request) -> Response:
    """200 when the store answers a read, else 503 with the error (no token needed)."""
    store = store_for(request)
    try:
        await run_in_threadpool(store.get_artifacts, ListOptions(limit=1))
    except Exception as exc:  # any failure is "unhealthy", in the one error shape
        response = _errors.error_response(exc)
        response.status_code = 503
        return response
    return JSONResponse({"status": "ok", "engine": store.engine_name})


class BearerAuth:
    """Every request but the public paths carries ``Authorization: Bearer <token>``; the token
    is compared in constant time and never logged or echoed."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self._token = app, token.encode()

    def __repr__(self) -> str:
        return "BearerAuth(token=<hidden>)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        # the web UI's page and static files hold no data: the page asks for the token itself
        if scope["type"] != "http" or path in PUBLIC_PATHS or _ui.is_public(path) or self._accepts(scope):
            await self.app(scope, receive, send)
            return
        response = JSONResponse(_errors.error_body("unauthenticated", "a valid bearer token is required "
                                                   "(Authorization: Bearer <token>)"),
                                401, headers={"WWW-Authenticate": 'Bearer realm="graphstore"'})
        await response(scope, receive, send)

    def _accepts(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, given = value.partition(b" ")
                return scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self._token)
        return False


class AccessLog:
    """One JSON line per request on the ``graphstore.access`` logger: time, client, method,
    path (never the query string, which may carry filter text or secrets), status, duration in
    ms. An exception no handler took is answered here with the generic 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        sent = False

        async def tracked(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status, sent = message["status"], True
            await send(message)
        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # the last catch: a generic 500, the detail only in the log
            if not sent:
                await _errors.error_response(exc)(scope, receive, send)
            status = 500
        finally:
            client = scope.get("client")
            access_log.info(json.dumps({
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "client": client[0] if client else None,
                "method": scope["method"], "path": scope["path"], "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2)}, ensure_ascii=False))


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    """On shutdown (after uvicorn drained the requests) write what the OpenLineage queue holds."""
    yield
    await run_in_threadpool(_openlineage.close_queue, app)


def create_app(store: MetadataStore, *, token: str | None = None) -> Starlette:
    """The service over ``store``; with ``token``, every request but health needs ``Bearer token``.
    Every route is also served under ``/ns/{namespace}/`` for another namespace of ``store``
    (``_namespaces``)."""
    routes: list[BaseRoute] = [Route(HEALTH_PATH, health, methods=["GET"]),
                               *_api.routes, *_openlineage.routes, *_ui.routes]
    # the access log outermost: it times and logs even the requests auth refuses (with their
    # whole path); then the namespace prefix comes off, so auth and routes see the plain paths
    middleware = [Middleware(AccessLog), Middleware(NamespacePrefix),
                  *([Middleware(BearerAuth, token=token)] if token else [])]
    app = Starlette(routes=routes, middleware=middleware, lifespan=_lifespan)
    _errors.install(app)
    app.state.store = store
    return app
