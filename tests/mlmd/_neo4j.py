"""Test-only: graphstore.mlmd stores whose in-memory configs open the shared Neo4j test database.

Community has one database, so a store made from ``fake_database`` (or ``sqlite`` without a
file) is that database, emptied first. Stores never overlap in time in these tests.
"""

from __future__ import annotations

from typing import ClassVar

from graphstore import MetadataStore as GraphStore
from graphstore.mlmd import MetadataStore
from tests.conftest import wipe_neo4j
from tests.neo4j_server import Neo4jTarget


class Neo4jSuiteStore(MetadataStore):
    """graphstore.mlmd's store with in-memory configs sent to the emptied test database."""

    target: ClassVar[Neo4jTarget | None] = None

    def _open_in_memory(self) -> GraphStore:
        target = type(self).target
        assert target is not None, "a fixture sets the Neo4j server first"
        wipe_neo4j(target)
        return GraphStore(target.uri, user=target.user, password=target.password)
