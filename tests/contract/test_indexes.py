"""Selective filters over 100,000 artifacts use indexes on every engine (asserted on the plan)."""

from __future__ import annotations

import pytest

from graphstore import Artifact, ArtifactState, ArtifactType, MetadataStore, PropertyType
from graphstore.filters import parse
from graphstore.kinds import NodeKind
from graphstore.ops import NodeQuery

from .plans import plan

N = 100_000
SELECTIVE = [
    "type = 'Rare'",
    "name = 'a-4242'",
    "uri = '/data/4242'",
    "external_id = 'x-4242'",
    "state = PENDING",
    "create_time_since_epoch < 1000",
    "last_update_time_since_epoch < 1000",
    "properties.shard.int_value = 4242",
    "properties.tag.string_value IN ('t-1', 't-2')",
]
# Custom property names are open-ended: SQLite's property index covers them; Neo4j gets a
# range index only for declared properties (one per label and key), so there they filter.
CUSTOM = "custom_properties.batch.int_value = 17"


@pytest.mark.slow
def test_selective_filters_use_indexes(store: MetadataStore) -> None:
    common = store.put_artifact_type(ArtifactType(name="Common", properties={
        "shard": PropertyType.INT, "tag": PropertyType.STRING}))
    rare = store.put_artifact_type(ArtifactType(name="Rare"))
    for start in range(0, N, 20_000):
        store.put_artifacts([
            Artifact(type_id=common, name=f"a-{i}", uri=f"/data/{i}", external_id=f"x-{i}",
                     state=ArtifactState.LIVE, properties={"shard": i, "tag": f"t-{i % 5000}"},
                     custom_properties={"batch": i // 1000})
            for i in range(start, start + 20_000)])
    store.put_artifacts([Artifact(type_id=rare, state=ArtifactState.PENDING) for _ in range(10)])
    neo4j = store.engine_name == "neo4j"
    for text in SELECTIVE + ([] if neo4j else [CUSTOM]):
        query = NodeQuery(NodeKind.ARTIFACT, filter=parse(text, NodeKind.ARTIFACT))
        if neo4j:
            ops = [line.split(" ", 1)[0] for line in plan(store, query)]
            assert not {"NodeByLabelScan", "AllNodesScan"} & set(ops), (text, ops)
            assert any("Index" in op for op in ops), (text, ops)
        else:
            lines = plan(store, query)
            assert not any(line.startswith("SCAN n") for line in lines), (text, lines)
            assert any("INDEX" in line or "PRIMARY KEY" in line for line in lines), (text, lines)
    # and the answers are right
    from graphstore import ListOptions

    assert [a.name for a in store.get_artifacts(ListOptions(filter_query="properties.shard.int_value = 4242"))] \
        == ["a-4242"]
    assert len(store.get_artifacts(ListOptions(filter_query=CUSTOM))) == 1000
    assert len(store.get_artifacts(ListOptions(filter_query="state = PENDING"))) == 10
