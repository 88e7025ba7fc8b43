"""Engines for the behaviour suite: every test taking ``store`` runs on each of them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import neo4j
import pytest

from graphstore import MetadataStore
from graphstore.compile.base import SCHEMA_VERSION
from graphstore.engines.neo4j import schema_fingerprint
from tests.neo4j_server import Neo4jTarget, neo4j_target

ENGINES = ["sqlite-memory", "sqlite-file", "neo4j"]


def require_or_skip(flag: str, what: str, reason: str) -> None:
    """Skip for ``reason``, or fail where ``$flag`` is 1 (CI: a missing server is an error)."""
    if os.environ.get(flag) == "1":
        pytest.fail(f"{what} is required ({flag}=1) but {reason}", pytrace=False)
    pytest.skip(reason)


def _skip_or_fail(reason: str) -> None:
    require_or_skip("GRAPHSTORE_REQUIRE_NEO4J", "Neo4j", reason)


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jTarget]:
    try:
        with neo4j_target(_skip_or_fail) as target:
            yield target
    except RuntimeError as exc:  # the launcher could not start it
        _skip_or_fail(f"Neo4j did not start: {exc}")


def wipe_neo4j(target: Neo4jTarget) -> None:
    """Empty the database (Community has one user database; tests take turns in it).

    A marker saying the current schema.cypher already ran is kept, so the next store opens
    without re-running the DDL and waiting for its indexes (indexes survive a wipe anyway):
    that was over a second per Neo4j test. A marker any test changed goes with the rest."""
    with neo4j.GraphDatabase.driver(target.uri, auth=(target.user, target.password)) as driver, \
            driver.session() as session:
        # CALL … IN TRANSACTIONS needs an auto-commit transaction: session.run, not execute_query
        session.run("MATCH (n) WHERE NOT (n:GraphstoreSchema AND n.version = $version "
                    "AND n.ddl = $ddl) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS",
                    version=SCHEMA_VERSION, ddl=schema_fingerprint()).consume()


StoreFactory = Callable[..., MetadataStore]
"""``open_store()`` opens the store; ``open_store(namespace="b")`` another namespace of the
same database or file (on sqlite-memory a view of the same connection)."""


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_store(engine_name: str, tmp_path: Path,
               request: pytest.FixtureRequest) -> Iterator[StoreFactory]:
    """A factory opening (and reopening) the same empty store on the engine under test."""
    opened: list[MetadataStore] = []
    if engine_name == "neo4j":
        target: Neo4jTarget = request.getfixturevalue("neo4j_server")
        wipe_neo4j(target)

        def factory(namespace: str | None) -> MetadataStore:
            return MetadataStore(target.uri, user=target.user, password=target.password,
                                 namespace=namespace)
    elif engine_name == "sqlite-file":
        path = tmp_path / "store.db"

        def factory(namespace: str | None) -> MetadataStore:
            return MetadataStore(path, namespace=namespace)
    else:
        memory = MetadataStore()

        def factory(namespace: str | None) -> MetadataStore:
            # an in-memory store cannot be reopened: it is the same one
            return memory if namespace is None else memory.with_namespace(namespace)

    def tracked(namespace: str | None = None) -> MetadataStore:
        store = factory(namespace)
        opened.append(store)
        return store
    yield tracked
    for store in {id(s): s for s in opened}.values():
        store.close()  # closing a sqlite-memory view closes the shared connection: no harm


@pytest.fixture
def store(open_store: StoreFactory) -> MetadataStore:
    return open_store()
