"""graphstore's HTTP service: OpenLineage intake, a Marquez-compatible read API, a JSON API, a web UI.

Needs the ``server`` extra (``pip install 'graphstore-lineage[server]'``). ``create_app`` builds
the ASGI application over one open :class:`~graphstore.MetadataStore`; ``graphstore serve`` runs
it on uvicorn. The store is thread-safe, so route handlers call it from Starlette's thread pool
(``starlette.concurrency.run_in_threadpool``) and get it from ``_namespaces.store_for(request)``:
the store at ``request.app.state.store``, or its view of the namespace a ``/ns/NAME/`` path names.
"""

from __future__ import annotations

from graphstore.server._app import create_app

__all__ = ["create_app"]
