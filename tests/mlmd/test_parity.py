"""The same MLMD calls on real MLMD and on graphstore.mlmd give the same answers.

tests/mlmd/parity.py holds the scripts; random lineage graphs check get_lineage_subgraph
(nodes and events, every direction, hop bounds, ending nodes) against MLMD's own answers.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

pytest.importorskip("ml_metadata", reason="ml-metadata is not installed (pip install '.[mlmd]'; "
                                          "wheels exist for Python 3.9-3.11 only)")

from ml_metadata.metadata_store import metadata_store as mlmd_api
from ml_metadata.proto import metadata_store_pb2 as pb

from tests.mlmd.parity import script, script_paging
from tests.mlmd.parity_audit import (
    ENUM_NUMBERS_MLMD_REJECTS,
    enum_numbers_mlmd_rejects,
    script_enum_numbers,
    script_ids,
    script_writes,
)

_Q = pb.LineageSubgraphQueryOptions


def _fake() -> Any:
    config = pb.ConnectionConfig()
    config.fake_database.SetInParent()
    return config


def _same(theirs: list[tuple[str, Any]], ours: list[tuple[str, Any]]) -> None:
    assert [label for label, _ in ours] == [label for label, _ in theirs]
    differing = [(label, want, got) for (label, want), (_, got) in zip(theirs, ours, strict=True) if want != got]
    assert differing == []


@pytest.mark.parametrize("scenario", [script, script_paging, script_ids, script_writes, script_enum_numbers],
                         ids=["calls", "paging", "ids-and-order", "writes-and-nones", "enum-numbers"])
def test_same_answers_as_mlmd(compat_class: type[Any], scenario: Any) -> None:
    theirs = scenario(mlmd_api.MetadataStore(_fake()))
    _same(theirs, scenario(compat_class(_fake())))


def test_unset_state_answers_as_mlmd_unknown(compat_class: type[Any]) -> None:
    """Documented difference: graphstore stores a state given as none as UNKNOWN, so its
    answers for such nodes are MLMD's answers for nodes set to UNKNOWN."""
    theirs = script_enum_numbers(mlmd_api.MetadataStore(_fake()), unset=False)
    _same(theirs, script_enum_numbers(compat_class(_fake()), unset=True))


def test_enum_numbers_where_mlmd_rejects_them(compat_class: type[Any]) -> None:
    """Documented difference: MLMD 1.17 rejects enum numbers with = and != and in two-member
    lists (its query rewrite); graphstore answers them as MLMD answers the same names."""
    mlmd = mlmd_api.MetadataStore(_fake())
    ours, names = zip(*ENUM_NUMBERS_MLMD_REJECTS, strict=True)
    assert {answer for _, answer in enum_numbers_mlmd_rejects(mlmd, ours)} == {"InvalidArgumentError"}
    theirs = enum_numbers_mlmd_rejects(mlmd_api.MetadataStore(_fake()), names)
    got = enum_numbers_mlmd_rejects(compat_class(_fake()), ours)
    assert [answer for _, answer in got] == [answer for _, answer in theirs]
    assert all(answer for _, answer in theirs)  # each names some nodes: the test can fail


def _random_graph(store: Any, rng: random.Random) -> None:
    at = store.put_artifact_type(pb.ArtifactType(name="A"))
    et = store.put_execution_type(pb.ExecutionType(name="E"))
    artifacts = store.put_artifacts([pb.Artifact(type_id=at, uri=f"/a{i}") for i in range(rng.randint(3, 9))])
    executions = store.put_executions([pb.Execution(type_id=et, name=f"e{i}") for i in range(rng.randint(2, 7))])
    events = {(rng.choice(artifacts), e, rng.choice([pb.Event.INPUT, pb.Event.OUTPUT]))
              for e in executions for _ in range(rng.randint(1, 3))}
    store.put_events([pb.Event(artifact_id=a, execution_id=e, type=k) for a, e, k in sorted(events)])


def _answer(store: Any, query: Any) -> tuple[list[str], list[str], list[tuple[int, int, int]]]:
    graph = store.get_lineage_subgraph(query, ["artifacts", "executions", "events"])
    return (sorted(a.uri for a in graph.artifacts), sorted(e.name for e in graph.executions),
            sorted((e.artifact_id, e.execution_id, e.type) for e in graph.events))


def test_lineage_subgraph_matches_mlmd_on_random_graphs(compat_class: type[Any]) -> None:
    rounds = 25 if compat_class.__name__ == "MetadataStore" else 6
    for seed in range(rounds):
        theirs, ours = mlmd_api.MetadataStore(_fake()), compat_class(_fake())
        for store in (theirs, ours):
            _random_graph(store, random.Random(seed))
        rng = random.Random(seed + 1000)
        for _ in range(6):
            query = _Q(max_num_hops=rng.randint(0, 5), direction=rng.choice([1, 2, 3]))
            if rng.random() < .5:
                query.starting_artifacts.filter_query = f"uri = '/a{rng.randrange(3)}'"
            else:
                query.starting_executions.filter_query = "name = 'e0' OR name = 'e1'"
            if rng.random() < .4:  # sometimes the start itself is the ending node
                query.ending_artifacts.filter_query = "uri = '/a2'"
                query.ending_artifacts.include_ending_nodes = rng.random() < .5
            assert _answer(ours, query) == _answer(theirs, query), (seed, str(query))
        del ours  # on Neo4j the next store empties the database
