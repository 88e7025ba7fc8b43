"""A real uvicorn server over a store, in a thread on a free port, for HTTP clients and browsers."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from graphstore import MetadataStore
from graphstore.server import create_app
from graphstore.server._openlineage import close_queue


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Served:
    """A running service: its base URL and its ASGI app."""

    url: str
    app: Starlette


@contextlib.contextmanager
def serving(store: MetadataStore, token: str | None = None) -> Iterator[Served]:
    """The service over ``store``, running while the block runs; the queue written after."""
    app = create_app(store, token=token)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(),
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{server.config.port}", app)
    finally:
        server.should_exit = True
        thread.join(30)
        close_queue(app)
