"""Finds or starts the real Neo4j the test suite runs against (never a fake).

Order: ``NEO4J_URI`` (with ``NEO4J_USER``/``NEO4J_PASSWORD``) → testcontainers when a Docker
engine answers → the Maven-based launcher in tools/neo4j when Java is present → skip with the
reason, which ``GRAPHSTORE_REQUIRE_NEO4J=1`` turns into a failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "neo4j:5.26-community"
PASSWORD = "graphstore-test"


@dataclass(frozen=True)
class Neo4jTarget:
    uri: str
    user: str
    password: str
    how: str


def _docker_answers() -> bool:
    if shutil.which("docker") is None and not os.environ.get("DOCKER_HOST"):
        return False
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
        return True
    except Exception:  # any failure means "no usable engine"
        return False


def _load_launcher():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("graphstore_neo4j_launcher",
                                                  ROOT / "tools" / "neo4j" / "launcher.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def neo4j_target(skip: Callable[[str], None]) -> Iterator[Neo4jTarget]:
    if os.environ.get("NEO4J_URI"):
        yield Neo4jTarget(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"),
                          os.environ.get("NEO4J_PASSWORD", "graphstore"), "NEO4J_URI")
        return
    if _docker_answers():
        from testcontainers.community.neo4j import Neo4jContainer  # type: ignore[import-not-found]

        with Neo4jContainer(IMAGE, password=PASSWORD) as container:
            yield Neo4jTarget(container.get_connection_url(), "neo4j", PASSWORD, "testcontainers")
        return
    if shutil.which("java") and shutil.which("mvn"):
        launcher = _load_launcher()
        home = Path(tempfile.mkdtemp(prefix="graphstore-neo4j-"))
        try:
            # A loaded 2-core machine has been seen to need more than the launcher's 120 s to
            # get Neo4j ready (load average 30: every Neo4j test errored); a slow start is no failure.
            timeout = float(os.environ.get("GRAPHSTORE_NEO4J_START_TIMEOUT", "600"))
            with launcher.start(home, password=PASSWORD, heap="1g", timeout=timeout) as server:
                yield Neo4jTarget(server.uri, "neo4j", PASSWORD, "maven launcher")
        finally:
            shutil.rmtree(home, ignore_errors=True)
        return
    skip("no Neo4j: NEO4J_URI unset, no Docker engine, and no java/mvn for tools/neo4j")
