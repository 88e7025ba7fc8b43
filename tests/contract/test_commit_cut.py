"""The connection to Neo4j lost at a chosen point of a write, deterministically: a proxy
(tests/contract/bolt_proxy.py) between the real driver and the real server cuts it.

Lost after the server received COMMIT and before its answer arrived, the write is in the
database but the call cannot know: CommitOutcomeUnknown, naming what to look up (issue 10,
item 11: before, plain EngineUnavailable, and a retrying caller wrote twice). Lost before
COMMIT was sent, nothing was written: plain EngineUnavailable.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from graphstore import (
    Artifact,
    ArtifactType,
    CommitOutcomeUnknown,
    EngineUnavailable,
    MetadataStore,
)
from tests.conftest import wipe_neo4j
from tests.contract.bolt_proxy import BoltProxy, Cut
from tests.neo4j_server import Neo4jTarget


@pytest.fixture
def direct(neo4j_server: Neo4jTarget) -> Iterator[MetadataStore]:
    """The emptied test database, reached without the proxy."""
    wipe_neo4j(neo4j_server)
    with MetadataStore(neo4j_server.uri, user=neo4j_server.user,
                       password=neo4j_server.password) as store:
        yield store


@pytest.fixture
def proxy(neo4j_server: Neo4jTarget) -> Iterator[BoltProxy]:
    where = urlsplit(neo4j_server.uri)
    running = BoltProxy((where.hostname or "127.0.0.1", where.port or 7687))
    yield running
    running.close()


@pytest.fixture
def via_proxy(proxy: BoltProxy, neo4j_server: Neo4jTarget,
              direct: MetadataStore) -> Iterator[MetadataStore]:
    with MetadataStore(proxy.uri, user=neo4j_server.user,
                       password=neo4j_server.password) as store:
        yield store


def _stored(direct: MetadataStore, external_id: str) -> list[Artifact]:
    return [a for a in direct.get_artifacts() if a.external_id == external_id]


def test_a_commit_cut_before_its_answer_is_unknown_and_was_applied(
        proxy: BoltProxy, via_proxy: MetadataStore, direct: MetadataStore) -> None:
    type_id = via_proxy.put_artifact_type(ArtifactType(name="Cut"))
    proxy.arm(Cut.AFTER_COMMIT)
    with pytest.raises(CommitOutcomeUnknown) as raised:
        via_proxy.put_artifacts([Artifact(type_id=type_id, external_id="ext-cut-1")])
    assert proxy.cuts == [Cut.AFTER_COMMIT]
    assert isinstance(raised.value, EngineUnavailable)  # callers catching that still do
    message = str(raised.value)
    assert "may or may not have been applied" in message
    assert "'ext-cut-1'" in message  # what to look up before retrying
    assert len(_stored(direct, "ext-cut-1")) == 1  # the case: it was committed
    # the store keeps working through the proxy after the lost connection
    assert via_proxy.put_artifacts([Artifact(type_id=type_id, external_id="ext-cut-2")])


def test_mlmd_callers_get_unknown_not_unavailable(
        proxy: BoltProxy, via_proxy: MetadataStore, direct: MetadataStore) -> None:
    from graphstore.mlmd import MetadataStore as MlmdStore
    from graphstore.mlmd._proto import errors as mlmd_errors
    from graphstore.mlmd._proto import pb

    mlmd = MlmdStore(store=via_proxy)
    type_id = mlmd.put_artifact_type(pb.ArtifactType(name="Cut"))
    proxy.arm(Cut.AFTER_COMMIT)
    # UNKNOWN, which TFX does not retry blindly as it does UNAVAILABLE
    with pytest.raises(mlmd_errors.UnknownError, match="ext-mlmd"):
        mlmd.put_artifacts([pb.Artifact(type_id=type_id, external_id="ext-mlmd")])
    assert proxy.cuts == [Cut.AFTER_COMMIT]
    assert len(_stored(direct, "ext-mlmd")) == 1


@pytest.mark.slow  # the driver retries the lost transaction for its 30 s before giving up
def test_a_cut_before_commit_is_unavailable_and_wrote_nothing(
        proxy: BoltProxy, via_proxy: MetadataStore, direct: MetadataStore) -> None:
    type_id = via_proxy.put_artifact_type(ArtifactType(name="Cut"))
    proxy.arm(Cut.AT_BEGIN, then_down=True)
    with pytest.raises(EngineUnavailable) as raised:
        via_proxy.put_artifacts([Artifact(type_id=type_id, external_id="ext-begin")])
    assert proxy.cuts == [Cut.AT_BEGIN]
    assert not isinstance(raised.value, CommitOutcomeUnknown)
    assert "nothing was committed" in str(raised.value)
    assert _stored(direct, "ext-begin") == []


def test_a_cut_before_commit_is_retried_and_written_once(
        proxy: BoltProxy, via_proxy: MetadataStore, direct: MetadataStore) -> None:
    # the driver retries a transaction lost before COMMIT on a new connection: safe, since
    # the server never saw it
    type_id = via_proxy.put_artifact_type(ArtifactType(name="Cut"))
    proxy.arm(Cut.AT_BEGIN)
    [new_id] = via_proxy.put_artifacts([Artifact(type_id=type_id, external_id="ext-retried")])
    assert proxy.cuts == [Cut.AT_BEGIN]
    assert [a.id for a in _stored(direct, "ext-retried")] == [new_id]


def test_a_read_whose_commit_answer_is_lost_runs_again(
        proxy: BoltProxy, via_proxy: MetadataStore, direct: MetadataStore) -> None:
    # a read commits too; losing that answer used to raise CommitOutcomeUnknown ("the write
    # may or may not have been applied") for a call that writes nothing
    type_id = direct.put_artifact_type(ArtifactType(name="Cut"))
    [new_id] = direct.put_artifacts([Artifact(type_id=type_id, external_id="ext-read")])
    proxy.arm(Cut.AFTER_COMMIT)
    assert [a.id for a in via_proxy.get_artifacts()] == [new_id]
    assert proxy.cuts == [Cut.AFTER_COMMIT]
