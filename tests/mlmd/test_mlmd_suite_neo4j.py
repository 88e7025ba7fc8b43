"""MLMD's metadata_store_test.py, unmodified, on Neo4j (see tests/mlmd/_neo4j.py: every store
the suite creates is the test database, emptied first)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("ml_metadata", reason="ml-metadata is not installed (pip install '.[mlmd]'; "
                                          "wheels exist for Python 3.9-3.11 only)")

from graphstore.mlmd import downgrade_schema
from tests.mlmd._neo4j import Neo4jSuiteStore
from tests.mlmd._suite import load_suite
from tests.neo4j_server import Neo4jTarget


@pytest.fixture(autouse=True)
def neo4j_target(neo4j_server: Neo4jTarget) -> Iterator[None]:
    Neo4jSuiteStore.target = neo4j_server
    yield
    Neo4jSuiteStore.target = None


MetadataStoreTest = load_suite("mlmd_suite_neo4j", Neo4jSuiteStore, downgrade_schema).MetadataStoreTest
