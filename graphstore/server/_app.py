"""The ASGI application: one store, the route modules of each part of the service."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from graphstore.server import _api, _openlineage, _ui
from graphstore.store import MetadataStore


def create_app(store: MetadataStore, *, token: str | None = None) -> Starlette:
    """The service over ``store``; with ``token``, every request but health needs ``Bearer token``."""
    routes: list[BaseRoute] = [*_api.routes, *_openlineage.routes, *_ui.routes]
    app = Starlette(routes=routes)
    app.state.store = store
    app.state.token = token
    return app
