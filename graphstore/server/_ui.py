"""The web UI at /: one page and its static files; it reads graphstore's JSON API, plus
/ui/api/picture (a laid-out lineage picture, :mod:`._ui_data`).

The page and its files (graphstore/_html/ui/ plus the shared lineage.js and lineage.css) hold no
data, so they are served without a token (:func:`is_public`); /ui/api/ needs the token like
the rest of the service. The page keeps the token the user enters in sessionStorage
and sends it as ``Authorization: Bearer``. Everything loads from the service itself: no CDN.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from graphstore.errors import InvalidArgument
from graphstore.server import _ui_data as data
from graphstore.server._endpoints import Endpoint, route
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


PICTURE_BODY = {"type": "object", "additionalProperties": False, "required": ["nodes"], "properties": {
    "nodes": {"type": "array", "items": {"type": "string"}, "description": "node keys (artifact:3, execution:7)"},
    "start": {"type": "array", "items": {"type": "string"}, "description": "the keys drawn as start nodes"}}}


def picture(store: MetadataStore, *, body: Any) -> dict[str, Any]:
    """The laid-out picture of the nodes the page shows (see _ui_data.picture)."""
    if not isinstance(body, dict):
        raise InvalidArgument("body: expected a JSON object with nodes (and start)")
    unknown = sorted(set(body) - {"nodes", "start"})
    if unknown:
        raise InvalidArgument(f"{unknown[0]}: unknown field (known: nodes, start)")
    if "nodes" not in body:
        raise InvalidArgument("nodes: required")
    return data.picture(store, body["nodes"], body.get("start", []))


routes: list[BaseRoute] = [
    Route("/", index, methods=["GET"]),
    Route(STATIC_PREFIX + "{name}", static, methods=["GET"]),
    route(Endpoint("POST", "/ui/api/picture", "the laid-out lineage picture of these nodes and the events "
                   "among them (the web UI draws it)", picture, body=PICTURE_BODY, tags=("ui",))),
]
