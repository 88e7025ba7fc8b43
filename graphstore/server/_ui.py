"""The web UI at /: one page, its static files, and the JSON it reads under /ui/api/.

The page and its files (graphstore/_html/ui/ plus the shared lineage.js and lineage.css) hold no
data, so they are served without a token (:func:`is_public`); everything under /ui/api/ needs the
token like the rest of the service. The page keeps the token the user enters in sessionStorage
and sends it as ``Authorization: Bearer``. Everything loads from the service itself: no CDN.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from graphstore.errors import InvalidArgument
from graphstore.server import _ui_data as data
from graphstore.store import MetadataStore

__all__ = ["STATIC_PREFIX", "is_public", "routes"]

STATIC_PREFIX = "/ui/static/"
# name -> (package folder, media type); nothing else under /ui/static/ is served
_STATIC: dict[str, tuple[tuple[str, ...], str]] = {
    "lineage.js": (("_html",), "text/javascript"),
    "lineage.css": (("_html",), "text/css"),
    "app.js": (("_html", "ui"), "text/javascript"),
    "ui.css": (("_html", "ui"), "text/css"),
}


def is_public(path: str) -> bool:
    """The page and its static files need no token (they hold no data)."""
    return path == "/" or path.startswith(STATIC_PREFIX)


def _asset(folder: tuple[str, ...], name: str) -> str:
    path = resources.files("graphstore")
    for part in (*folder, name):
        path = path / part
    return path.read_text(encoding="utf-8")


async def index(request: Request) -> Response:
    """The single page; its routes live in the URL fragment (#/node/artifact:3, …)."""
    return Response(_asset(("_html", "ui"), "index.html"), media_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-cache"})


async def static(request: Request) -> Response:
    """One of the UI's files by name (a fixed table: no path from the request reaches the disk)."""
    name = request.path_params["name"]
    if name not in _STATIC:
        return JSONResponse({"error": {"code": "not_found", "message": f"no static file {name[:80]!r}"}}, 404)
    folder, media = _STATIC[name]
    return Response(_asset(folder, name), media_type=f"{media}; charset=utf-8",
                    headers={"Cache-Control": "no-cache"})


Handler = Callable[[Request], Awaitable[Response]]


def _reads(fn: Callable[[MetadataStore, dict[str, str]], dict[str, Any]]) -> Handler:
    """A GET answered by ``fn(store, query parameters)`` in the thread pool."""
    async def handler(request: Request) -> Response:
        params = dict(request.query_params)
        return JSONResponse(await run_in_threadpool(fn, request.app.state.store, params))
    return handler


def _writes(fn: Callable[[MetadataStore, dict[str, Any]], dict[str, Any]]) -> Handler:
    """A POST of a JSON object answered by ``fn(store, body)`` in the thread pool."""
    async def handler(request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError as exc:
            raise InvalidArgument(f"body: not JSON ({exc})") from None
        if not isinstance(body, dict):
            raise InvalidArgument("body: expected a JSON object")
        return JSONResponse(await run_in_threadpool(fn, request.app.state.store, body))
    return handler


def _need(params: dict[str, Any], name: str) -> Any:
    if name not in params:
        raise InvalidArgument(f"{name}: missing")
    return params[name]


routes: list[BaseRoute] = [
    Route("/", index, methods=["GET"]),
    Route(STATIC_PREFIX + "{name}", static, methods=["GET"]),
    Route("/ui/api/search", _reads(lambda s, p: data.search(s, p.get("q", ""), p.get("kind"), p.get("page"))),
          methods=["GET"]),
    Route("/ui/api/node", _reads(lambda s, p: data.node(s, _need(p, "key"))), methods=["GET"]),
    Route("/ui/api/neighbours", _reads(lambda s, p: data.neighbours(
        s, _need(p, "key"), _need(p, "direction"), p.get("cursor"))), methods=["GET"]),
    Route("/ui/api/compare", _reads(lambda s, p: data.compare(s, _need(p, "left"), _need(p, "right"))),
          methods=["GET"]),
    Route("/ui/api/picture", _writes(lambda s, b: data.picture(s, _need(b, "nodes"), b.get("start", []))),
          methods=["POST"]),
    Route("/ui/api/impact", _writes(lambda s, b: data.impact(s, _need(b, "root"), b.get("mark"))),
          methods=["POST"]),
    Route("/ui/api/unmark", _writes(lambda s, b: data.unmark(s, _need(b, "root"))), methods=["POST"]),
]
