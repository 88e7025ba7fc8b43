"""Per-namespace routes: ``/ns/{namespace}/…`` is the whole service over that namespace.

Every route (graphstore's JSON API, the OpenLineage intake and Marquez reads, the web UI,
health) is also served under a path prefix naming a graphstore namespace (docs/namespaces.md):
``POST /ns/team-a/api/v1/lineage`` ingests into team-a, ``GET /ns/team-a/`` is the web UI over
team-a. A path prefix because it is what every client can be configured with: the
OpenLineage HTTP transport takes a ``url`` (and an ``endpoint``), Marquez's clients a base URL,
and a browser a page address. A path without the prefix is the namespace the service was
started with (``graphstore serve --namespace``, default "default").

:class:`NamespacePrefix` (an ASGI middleware, outside auth) takes the prefix off the path and
remembers the namespace in the request's scope; :func:`store_for` gives a handler the store of
its request's namespace: a view over the service's one connection.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from graphstore._namespace import check_namespace
from graphstore.errors import InvalidArgument
from graphstore.server._errors import error_response
from graphstore.store import MetadataStore

__all__ = ["PREFIX", "NamespacePrefix", "store_for", "store_of"]

PREFIX = "/ns/"
_SCOPE_KEY = "graphstore.namespace"


class NamespacePrefix:
    """``/ns/NAME/rest`` is served as ``/rest`` in namespace NAME (checked: a bad name is a
    400 naming it); ``/ns/NAME`` redirects to ``/ns/NAME/`` (the web UI's page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        name, slash, rest = path[len(PREFIX):].partition("/")
        try:
            namespace = check_namespace(name, "namespace (the path's /ns/NAME/)")
        except InvalidArgument as exc:
            await error_response(exc)(scope, receive, send)
            return
        if not slash:
            query = scope.get("query_string", b"").decode("latin-1")
            await RedirectResponse(path + "/" + (f"?{query}" if query else ""), 308)(scope, receive, send)
            return
        inner = dict(scope, path="/" + rest, raw_path=("/" + rest).encode())
        inner[_SCOPE_KEY] = namespace
        await self.app(inner, receive, send)


def store_of(base: MetadataStore, scope: Scope | dict[str, Any]) -> MetadataStore:
    """The store of a request's namespace: ``base`` itself without a prefix or for its own
    namespace, else a view of ``base`` (same connection, cheap to make)."""
    namespace = scope.get(_SCOPE_KEY)
    if namespace is None or namespace == base.namespace:
        return base
    return base.with_namespace(namespace)


def store_for(request: HTTPConnection) -> MetadataStore:
    """The store a handler serves: its request's namespace of the service's store."""
    return store_of(request.app.state.store, request.scope)
