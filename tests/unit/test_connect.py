"""Choosing an engine from a URI or the environment, and failing clearly when it's unreachable."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

import graphstore
from graphstore import EngineUnavailable, InvalidArgument, MetadataStore
from graphstore.engines.base import Connection, parse_uri
from tests.neo4j_server import Neo4jTarget


@pytest.mark.parametrize(("uri", "expected"), [
    (None, Connection("sqlite", ":memory:")),
    (":memory:", Connection("sqlite", ":memory:")),
    ("store.db", Connection("sqlite", "store.db")),
    ("sqlite:///tmp/x.db", Connection("sqlite", "/tmp/x.db")),
    ("sqlite://rel/x.db", Connection("sqlite", "rel/x.db")),
    ("bolt://localhost:7687", Connection("bolt", "bolt://localhost:7687")),
    ("neo4j+s://u:p%40ss@db.example.com/metadata",
     Connection("neo4j+s", "neo4j+s://db.example.com", "u", "p@ss", "metadata")),
])
def test_parse_uri(uri: str | None, expected: Connection) -> None:
    assert parse_uri(uri) == expected


def test_keywords_override_uri_credentials() -> None:
    conn = parse_uri("neo4j://a:b@h:1", user="x", password="y", database="z")
    assert (conn.user, conn.password, conn.database) == ("x", "y", "z")


def test_unknown_scheme_is_invalid() -> None:
    with pytest.raises(InvalidArgument, match="'mysql'"):
        MetadataStore("mysql://localhost/db")


def test_path_objects_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with MetadataStore(tmp_path / "a.db") as store:
        assert store.engine_name == "sqlite"
        store.put_artifact_type(graphstore.ArtifactType(name="T"))
    monkeypatch.setenv("GRAPHSTORE_URI", str(tmp_path / "a.db"))
    with MetadataStore.from_env() as again:
        assert [t.name for t in again.get_artifact_types()] == ["T"]


def test_unreachable_neo4j_is_engine_unavailable() -> None:
    # The port stays bound (and not listening) while we connect: a port that was merely free a
    # moment ago can be taken meanwhile by another process — a Neo4j starting on "a free port".
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port = int(held.getsockname()[1])
        with pytest.raises(EngineUnavailable, match="unreachable"):
            MetadataStore(f"bolt://127.0.0.1:{port}", user="neo4j", password="whatever1")


def test_wrong_password_is_engine_unavailable(neo4j_server: Neo4jTarget) -> None:
    with pytest.raises(EngineUnavailable, match="credentials"):
        MetadataStore(neo4j_server.uri, user="neo4j", password="not-the-password")


def test_unwritable_sqlite_path_is_engine_unavailable(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match="cannot open"):
        MetadataStore(tmp_path / "missing-dir" / "x.db")


def test_public_names_are_pinned() -> None:
    assert sorted(graphstore.__all__) == sorted([
        "AlreadyExists", "Artifact", "ArtifactState", "ArtifactType", "Association", "Attribution",
        "CacheHit", "CommitOutcomeUnknown", "Comparison", "DeadlineExceeded", "ImpactReport",
        "ImpactedNode",
        "Context", "ContextType", "EngineUnavailable", "Event", "EventType", "Execution",
        "ExecutionState", "ExecutionType", "FailedPrecondition", "FilterSyntaxError",
        "GraphstoreError", "InvalidArgument", "LineageDirection", "LineageGraph", "LineageNode",
        "LineageResult", "LineageSubgraphQueryOptions", "ListOptions", "MetadataStore", "NodeRef",
        "NotFound",
        "OrderByField", "Page", "ParentContext", "Pipeline", "PruneReport",
        "PropertyType", "ProtoValue", "RecordList", "Step", "__version__"])
    for name in graphstore.__all__:
        assert hasattr(graphstore, name)


def test_error_tree() -> None:
    for leaf in (graphstore.InvalidArgument, graphstore.NotFound, graphstore.AlreadyExists,
                 graphstore.FailedPrecondition, graphstore.EngineUnavailable,
                 graphstore.DeadlineExceeded):
        assert issubclass(leaf, graphstore.GraphstoreError)
    assert issubclass(graphstore.FilterSyntaxError, graphstore.InvalidArgument)
    assert issubclass(graphstore.CommitOutcomeUnknown, graphstore.EngineUnavailable)
