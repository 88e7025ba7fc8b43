"""MLMD's own test suite (from the installed wheel) against graphstore.mlmd.

Skipped, with the reason, where ml-metadata cannot be installed (it has wheels only for
Python 3.9-3.11); ``make test`` installs the ``mlmd`` extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.mlmd._require import MISSING, mlmd_missing_but_required

# Nothing here imports ml_metadata: without it each test module skips itself with the reason,
# unless the suite must be complete (tests/mlmd/_require.py): then the run stops here.
if mlmd_missing_but_required():
    pytest.exit(MISSING, returncode=pytest.ExitCode.TESTS_FAILED)


@pytest.fixture(scope="class")
def cli_args(request: pytest.FixtureRequest) -> None:
    """MLMD's suite reads its gRPC options from a conftest it ships; graphstore has no gRPC
    server, so the suite runs in its direct-connection mode."""
    request.cls.cli_args = {"use_grpc_backend": False, "grpc_host": None, "grpc_port": 0}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    suite = [item for item in items if "mlmd_suite" in item.nodeid]
    if not suite:
        return
    from tests.mlmd._suite import EXCLUDED
    for item in suite:
        reason = EXCLUDED.get(item.name)
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"excluded: {reason}"))


@pytest.fixture(params=["embedded", "neo4j"])
def compat_class(request: pytest.FixtureRequest) -> Iterator[type[Any]]:
    """graphstore.mlmd's MetadataStore class; on "neo4j" its in-memory stores are the test
    database (emptied whenever one is opened)."""
    from graphstore.mlmd import MetadataStore
    if request.param == "embedded":
        yield MetadataStore
        return
    from tests.mlmd._neo4j import Neo4jSuiteStore
    Neo4jSuiteStore.target = request.getfixturevalue("neo4j_server")
    yield Neo4jSuiteStore
    Neo4jSuiteStore.target = None
