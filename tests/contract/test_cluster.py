"""Neo4j through routing (``neo4j://``), bookmarks and read-only databases (docs/clusters.md).

One Community server is no cluster: a read after a write sees it there with or without
bookmarks. What can be checked here is that every session carries the store's bookmarks
(a bookmark the server cannot parse fails the very first statement), that writes advance them,
that they cross processes, and that a write to a read-only database fails at once naming
the cause (a second server started with ``server.databases.read_only``).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphstore import Artifact, ArtifactType, FailedPrecondition, InvalidArgument, MetadataStore
from tests.conftest import _skip_or_fail, wipe_neo4j
from tests.neo4j_server import PASSWORD, Neo4jTarget, _load_launcher

ROOT = Path(__file__).resolve().parents[2]


def _routing(uri: str) -> str:
    """The same server through the routing scheme (neo4j:// asks it for a routing table)."""
    return "neo4j://" + uri.split("://", 1)[1]


@pytest.fixture
def target(neo4j_server: Neo4jTarget) -> Iterator[Neo4jTarget]:
    wipe_neo4j(neo4j_server)
    yield neo4j_server


def _open(target: Neo4jTarget, **kw: Any) -> MetadataStore:
    return MetadataStore(_routing(target.uri), user=target.user, password=target.password, **kw)


def test_routing_uri_round_trip_and_writes_advance_the_bookmarks(target: Neo4jTarget) -> None:
    with _open(target) as store:
        before = store.bookmarks
        type_id = store.put_artifact_type(ArtifactType(name="Data"))
        after_type = store.bookmarks
        [aid] = store.put_artifacts([Artifact(type_id=type_id, uri="/d")])
        after_write = store.bookmarks
        assert len({before, after_type, after_write}) == 3  # each write moved them on
        assert [a.uri for a in store.get_artifacts_by_id([aid])] == ["/d"]
        assert store.bookmarks == after_write  # a read commits nothing new


def test_another_store_starts_after_the_bookmarks_it_is_given(target: Neo4jTarget) -> None:
    with _open(target) as writer:
        type_id = writer.put_artifact_type(ArtifactType(name="Data"))
        [aid] = writer.put_artifacts([Artifact(type_id=type_id, uri="/d")])
        with _open(target, bookmarks=writer.bookmarks) as reader:
            assert set(writer.bookmarks) <= set(reader.bookmarks)
            assert [a.uri for a in reader.get_artifacts_by_id([aid])] == ["/d"]


def test_every_session_carries_the_bookmarks(target: Neo4jTarget) -> None:
    # the server parses the bookmarks a transaction starts after: an unreadable one fails the
    # first statement of the store (the schema check when it opens), so they are sent
    with pytest.raises(InvalidArgument, match="bookmarks: Neo4j cannot read them"):
        _open(target, bookmarks=["not-a-bookmark"])
    with pytest.raises(InvalidArgument, match=r"bookmarks\[0\]"):
        _open(target, bookmarks=[7])  # type: ignore[list-item]


def test_bookmarks_cross_processes(target: Neo4jTarget) -> None:
    code = (
        "import json, sys\n"
        "from graphstore import Artifact, ArtifactType, MetadataStore\n"
        "s = MetadataStore(sys.argv[1], user=sys.argv[2], password=sys.argv[3])\n"
        "t = s.put_artifact_type(ArtifactType(name='Data'))\n"
        "[a] = s.put_artifacts([Artifact(type_id=t, uri='/from-child')])\n"
        "print(json.dumps({'id': a, 'bookmarks': list(s.bookmarks)}))\n")
    out = subprocess.run([sys.executable, "-c", code, _routing(target.uri), target.user,
                          target.password], capture_output=True, text=True, check=True,
                         cwd=ROOT, timeout=120)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    with _open(target, bookmarks=got["bookmarks"]) as reader:
        assert [a.uri for a in reader.get_artifacts_by_id([got["id"]])] == ["/from-child"]


def test_sqlite_has_no_bookmarks(tmp_path: Path) -> None:
    with MetadataStore(tmp_path / "s.db") as store:
        store.put_artifact_type(ArtifactType(name="Data"))
        assert store.bookmarks == ()


@pytest.mark.slow
def test_a_write_to_a_read_only_database_fails_at_once_naming_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    if not (shutil.which("java") and shutil.which("mvn")):
        _skip_or_fail("a read-only Neo4j needs java and mvn for tools/neo4j")
    launcher = _load_launcher()
    home = tmp_path / "neo4j"
    options: dict[str, Any] = {"password": PASSWORD, "heap": "512m", "pagecache": "64m",
                               "timeout": 600}
    server = launcher.start(home, **options)
    try:
        with MetadataStore(_routing(server.uri), user="neo4j", password=PASSWORD) as store:
            type_id = store.put_artifact_type(ArtifactType(name="Data"))
            [aid] = store.put_artifacts([Artifact(type_id=type_id, uri="/kept")])
        server.stop(timeout=60)
        # Community has no ALTER DATABASE … SET ACCESS READ ONLY; the setting is its way
        server = launcher.start(home, bolt_port=server.bolt_port, http_port=server.http_port,
                                extra_conf={"server.databases.read_only": "neo4j"}, **options)
        for uri in (_routing(server.uri), server.uri):  # routing and direct
            with MetadataStore(uri, user="neo4j", password=PASSWORD) as store:
                assert [a.uri for a in store.get_artifacts_by_id([aid])] == ["/kept"]
                for write in (lambda: store.put_artifacts([Artifact(type_id=type_id, uri="/x")]),
                              lambda: store.put_artifact_type(ArtifactType(name="New"))):
                    caplog.clear()
                    with caplog.at_level(logging.WARNING, logger="neo4j"), \
                            pytest.raises(FailedPrecondition, match="this database is read-only"):
                        write()
                    # not the driver's 30 s of retries: a read-only database stays read-only
                    assert not [r for r in caplog.records if "will be retried" in r.getMessage()]
                assert len(store.get_artifacts()) == 1
    finally:
        server.stop(timeout=60)
