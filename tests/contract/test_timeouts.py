"""Every read runs under a time limit the engine enforces: past it the query stops on the
server and the call raises DeadlineExceeded; the store answers on at once."""

from __future__ import annotations

import time

import pytest

from graphstore import (
    Artifact,
    ArtifactType,
    Attribution,
    Context,
    ContextType,
    DeadlineExceeded,
    InvalidArgument,
    LineageSubgraphQueryOptions,
    ListOptions,
    MetadataStore,
)
from graphstore.errors import GraphstoreError
from tests.conftest import StoreFactory
from tests.contract.health import assert_store_answers, wait_idle, within

CONTEXTS = 30
ALIASES = 6
# Each alias ranges over the node's 30 contexts and one OR ties them into one group, so an
# artifact is tested against 30**6 (729 million) assignments: minutes to hours on either engine.
EXPENSIVE = " OR ".join(f"contexts_{chr(ord('a') + i)}.name = 'none'" for i in range(ALIASES))
SHORT = 0.5


def _expensive_store(store: MetadataStore) -> None:
    a_type = store.put_artifact_type(ArtifactType(name="A"))
    c_type = store.put_context_type(ContextType(name="C"))
    contexts = store.put_contexts([Context(type_id=c_type, name=f"c{i}") for i in range(CONTEXTS)])
    artifacts = store.put_artifacts([Artifact(type_id=a_type, uri=f"/a{i}") for i in range(3)])
    store.put_attributions_and_associations(
        [Attribution(artifact_id=a, context_id=c) for a in artifacts for c in contexts], [])


def _reopen(open_store: StoreFactory, engine_name: str, **timeouts: float) -> MetadataStore:
    """The same store opened with other time limits (an in-memory one cannot be reopened)."""
    first = open_store()
    if engine_name == "sqlite-memory":
        first._filter_timeout = timeouts.get("filter_timeout", first._filter_timeout)
        first._engine.read_timeout = timeouts.get("read_timeout", first._engine.read_timeout)
        return first
    if engine_name == "neo4j":
        return MetadataStore(first._conn.target, user=first._conn.user,
                             password=first._conn.password, **timeouts)  # type: ignore[arg-type]
    return MetadataStore(first._engine.path, **timeouts)  # type: ignore[attr-defined, arg-type]


def test_a_filter_past_its_time_limit_stops(engine_name: str, open_store: StoreFactory) -> None:
    _expensive_store(open_store())
    store = _reopen(open_store, engine_name, filter_timeout=SHORT)
    try:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded, match=r"time limit of 0\.5 s"):
            within(120, lambda: store.get_artifacts(ListOptions(filter_query=EXPENSIVE)))
        # stopped near its limit (generous for a loaded machine), not after running to the end
        assert time.monotonic() - started < 30
        wait_idle(store)
        assert_store_answers(store)
        # cheap filters and reads without a filter are untouched
        assert len(store.get_artifacts(ListOptions(filter_query="uri = '/a1'"))) == 1
        assert len(store.get_artifacts()) == 3
    finally:
        store.close()


def test_every_read_has_a_limit_not_only_filters(engine_name: str, open_store: StoreFactory) -> None:
    _expensive_store(open_store())
    store = _reopen(open_store, engine_name, read_timeout=SHORT, filter_timeout=600)
    try:
        # the lineage walk starts from the expensive filter; the read's limit stops it
        options = LineageSubgraphQueryOptions(starting_artifacts=EXPENSIVE, max_num_hops=1)
        with pytest.raises(DeadlineExceeded):
            within(120, lambda: store.get_lineage_subgraph(options))
        wait_idle(store)
        assert_store_answers(store)
    finally:
        store.close()


def test_like_with_many_wildcards_over_a_long_uri_answers(store: MetadataStore) -> None:
    """The issue's query: a 3,000-character uri and twelve ``%``. Java cannot stop a running
    regular expression, so the translation must never backtrack; it answers at once."""
    t = store.put_artifact_type(ArtifactType(name="Long"))
    [hit] = store.put_artifacts([Artifact(type_id=t, uri="a" * 3000 + "b"),
                                 Artifact(type_id=t, uri="a" * 3000)])[:1]
    query = "uri LIKE '" + "%a" * 12 + "%b'"
    found = within(60, lambda: store.get_artifacts(ListOptions(filter_query=query)))
    assert [a.id for a in found] == [hit]
    wait_idle(store)
    assert_store_answers(store)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "5", True])
def test_time_limits_must_be_positive_seconds(bad: object) -> None:
    for keyword in ("read_timeout", "filter_timeout"):
        with pytest.raises(InvalidArgument, match=keyword):
            MetadataStore(**{keyword: bad})  # type: ignore[arg-type]


def test_time_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSTORE_FILTER_TIMEOUT", "2.5")
    monkeypatch.setenv("GRAPHSTORE_READ_TIMEOUT", "7")
    with MetadataStore() as store:
        assert (store._filter_timeout, store._engine.read_timeout) == (2.5, 7.0)
    with MetadataStore(filter_timeout=1) as store:  # the keyword wins
        assert store._filter_timeout == 1.0
    monkeypatch.setenv("GRAPHSTORE_READ_TIMEOUT", "soon")
    with pytest.raises(InvalidArgument, match=r"GRAPHSTORE_READ_TIMEOUT.*'soon'"):
        MetadataStore()


def test_deadline_exceeded_is_a_graphstore_error() -> None:
    assert issubclass(DeadlineExceeded, GraphstoreError)
    assert issubclass(DeadlineExceeded, TimeoutError)


def test_mlmd_callers_see_mlmd_codes() -> None:
    from ml_metadata import errors as mlmd_errors

    from graphstore import CommitOutcomeUnknown
    from graphstore.mlmd._errors import to_mlmd

    assert isinstance(to_mlmd(DeadlineExceeded("late")), mlmd_errors.DeadlineExceededError)
    # not UNAVAILABLE, which callers retry blindly: the write may have been applied
    assert isinstance(to_mlmd(CommitOutcomeUnknown("maybe")), mlmd_errors.UnknownError)
