"""graphstore's own JSON API (nodes, filters, lineage, impact, compare, stats)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
