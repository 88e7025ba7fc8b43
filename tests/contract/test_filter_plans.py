"""Filter listings start where an index is and stop at the page (asserted on the engines' plans).

Broad filters paged in id order must not sort every hit for each page, and an alias filter
that only real neighbours can satisfy must start from the neighbour's index rather than test
every node. tests/contract/test_indexes.py checks the selective cases over 100,000 artifacts.
"""

from __future__ import annotations

from typing import Any

import pytest

from graphstore import (
    Artifact,
    ArtifactType,
    Attribution,
    Context,
    ContextType,
    ListOptions,
    MetadataStore,
    OrderByField,
    PropertyType,
)
from graphstore.filters import parse
from graphstore.kinds import NodeKind, Relation
from graphstore.ops import LinkFilter, NodeQuery, OrderBy

from .plans import plan as _plan
from .plans import statement as _statement

N = 2_000
CONTEXTS = 20


@pytest.fixture
def world(store: MetadataStore) -> list[int]:
    at = store.put_artifact_type(ArtifactType(name="Record", properties={"split": PropertyType.STRING}))
    ct = store.put_context_type(ContextType(name="Run"))
    contexts = store.put_contexts([Context(type_id=ct, name=f"ctx-{k}") for k in range(CONTEXTS)])
    ids = store.put_artifacts([
        Artifact(type_id=at, uri=f"/rec/{i}", properties={"split": "train" if i % 2 == 0 else "eval"})
        for i in range(N)])
    store.put_attributions_and_associations(
        [Attribution(artifact_id=a, context_id=contexts[i % CONTEXTS]) for i, a in enumerate(ids)], [])
    return ids


def _query(text: str, **kw: Any) -> NodeQuery:
    return NodeQuery(NodeKind.ARTIFACT, filter=parse(text, NodeKind.ARTIFACT), **kw)


def test_broad_filter_pages_without_sorting_every_hit(store: MetadataStore, world: list[int]) -> None:
    query = _query("properties.split.string_value = 'train'", limit=101, after=(world[500], world[500]))
    plan = _plan(store, query)
    if store.engine_name == "sqlite":
        assert not any("TEMP B-TREE" in line for line in plan), plan
    else:
        # the page is cut before the nodes are projected into maps (plans list the root first)
        project = next(i for i, line in enumerate(plan) if "{.*}" in line)
        cut = next(i for i, line in enumerate(plan) if line.startswith(("Limit", "Top")))
        assert project < cut, plan
    page = store.page_artifacts(ListOptions(filter_query="properties.split.string_value = 'train'", limit=100))
    assert [a.id for a in page.items] == world[0:200:2]
    rest = list(store.iter_artifacts(ListOptions(filter_query="properties.split.string_value = 'train'",
                                                 limit=100, next_page_token=page.next_page_token)))
    assert [a.id for a in rest] == world[200::2]


def test_alias_filter_starts_from_the_context_index(store: MetadataStore, world: list[int]) -> None:
    plan = _plan(store, _query("contexts_a.name = 'ctx-7'"))
    if store.engine_name == "sqlite":
        assert not any(line.startswith("SCAN") for line in plan), plan
        assert any("context_name" in line for line in plan), plan
    else:
        assert not any(line.startswith(("NodeByLabelScan", "AllNodesScan")) for line in plan), plan
        assert any(line.startswith("NodeIndexSeek") and "Context" in line for line in plan), plan
    got = store.get_artifacts(ListOptions(filter_query="contexts_a.name = 'ctx-7'"))
    assert [a.id for a in got] == world[7::CONTEXTS]
    desc = store.get_artifacts(ListOptions(filter_query="contexts_a.name = 'ctx-7'", is_asc=False, limit=3))
    assert [a.id for a in desc] == world[7::CONTEXTS][::-1][:3]


def test_range_on_an_own_attribute_keeps_its_index(store: MetadataStore, world: list[int]) -> None:
    # id order would tempt SQLite to walk the table to skip the sort; the time index is better
    plan = _plan(store, _query("create_time_since_epoch < 1000", limit=101, after=(world[5], world[5])))
    if store.engine_name == "sqlite":
        assert not any(line.startswith("SCAN n") for line in plan), plan
        assert any("create_time" in line for line in plan), plan
    assert store.get_artifacts(ListOptions(filter_query="create_time_since_epoch < 1000")) == []


def test_other_orders_page_by_value_then_id(store: MetadataStore, world: list[int]) -> None:
    query = _query("properties.split.string_value = 'eval'", order_by=OrderBy.CREATE_TIME, limit=5)
    assert "create_time_since_epoch" in _statement(store, query).text
    seen: list[int] = []
    options = ListOptions(filter_query="properties.split.string_value = 'eval'", order_by=OrderByField.CREATE_TIME,
                          limit=300)
    while True:
        page = store.page_artifacts(options)
        seen += [a.id for a in page.items if a.id is not None]
        if page.next_page_token is None:
            break
        options = options.model_copy(update={"next_page_token": page.next_page_token})
    assert sorted(seen) == world[1::2] and len(set(seen)) == len(seen)


@pytest.mark.parametrize("text, descending", [
    ("properties.split.string_value = 'train'", False),
    ("properties.split.string_value = 'train'", True),
    ("properties.split.string_value = 'eval' AND name IS NULL", False),
])
def test_a_page_of_a_broad_equality_starts_at_its_keyset(store: MetadataStore, world: list[int],
                                                         text: str, descending: bool) -> None:
    # not "n.id IN (SELECT …)": that gathers every match (half the store) again for each page
    after = world[N // 2]
    plan = _plan(store, _query(text, limit=101, after=(after, after), descending=descending))
    if store.engine_name == "sqlite":
        assert not any(line.startswith(("LIST SUBQUERY", "SCAN")) or "TEMP B-TREE" in line
                       for line in plan), plan
        assert plan[0].startswith("SEARCH gs USING COVERING INDEX artifact_property_value"), plan
        assert "node_id<?" in plan[0] if descending else "node_id>?" in plan[0], plan
    wanted = "train" if "train" in text else "eval"
    options = ListOptions(filter_query=text, limit=300, is_asc=not descending)
    seen: list[int] = []
    while True:  # every page, in order, none repeated or skipped
        page = store.page_artifacts(options)
        seen += [a.id for a in page.items if a.id is not None]
        if page.next_page_token is None:
            break
        options = options.model_copy(update={"next_page_token": page.next_page_token})
    expected = world[0::2] if wanted == "train" else world[1::2]
    assert seen == (expected[::-1] if descending else expected)


def test_a_context_page_starts_at_its_keyset(store: MetadataStore, world: list[int]) -> None:
    [ctx] = store.get_contexts(ListOptions(filter_query="name = 'ctx-3'"))
    members = world[3::CONTEXTS]
    for text in (None, "properties.split.string_value = 'eval'"):
        assert ctx.id is not None
        query = NodeQuery(NodeKind.ARTIFACT, linked=LinkFilter(Relation.ATTRIBUTION, ctx.id, as_source=True),
                          filter=parse(text, NodeKind.ARTIFACT) if text else None,
                          limit=11, after=(members[5], members[5]))
        plan = _plan(store, query)
        if store.engine_name == "sqlite":
            assert not any(line.startswith(("LIST SUBQUERY", "SCAN")) or "TEMP B-TREE" in line
                           for line in plan), plan
        got = store.page_artifacts(ListOptions(filter_query=text, limit=10), context_id=ctx.id)
        assert [a.id for a in got.items] == members[:10]  # members are the odd, "eval" records


def test_a_time_ordered_page_seeks_from_its_keyset_on_neo4j(store: MetadataStore, world: list[int]) -> None:
    # "t > v OR (t = v AND id > i)" became a union of two seeks, deduplicated and sorted whole
    # on every page; a range on the order's index plus a list comparison keeps one ordered seek
    [mid] = store.get_artifacts_by_id([world[N // 2]])
    query = _query("properties.split.string_value = 'eval'", order_by=OrderBy.CREATE_TIME, limit=11,
                   after=(mid.create_time_since_epoch, mid.id))
    plan = _plan(store, query)
    if store.engine_name == "neo4j":
        assert not any(line.startswith(("Union", "Distinct")) for line in plan), plan
    rest = store.get_artifacts(ListOptions(filter_query="properties.split.string_value = 'eval'",
                                           order_by=OrderByField.CREATE_TIME))
    keyset = (mid.create_time_since_epoch, mid.id)
    expected = [a.id for a in rest if (a.create_time_since_epoch, a.id) > keyset][:11]  # type: ignore[operator]
    assert [r["id"] for r in store._engine.read(lambda tx: tx.run(query))] == expected  # type: ignore[attr-defined]


@pytest.mark.parametrize("order", [OrderBy.CREATE_TIME, OrderBy.UPDATE_TIME])
@pytest.mark.parametrize("descending", [False, True])
def test_a_time_ordered_page_without_a_filter_walks_the_time_index(
        store: MetadataStore, world: list[int], order: OrderBy, descending: bool) -> None:
    [mid] = store.get_artifacts_by_id([world[N // 2]])
    key = order.value
    value = getattr(mid, key)
    query = NodeQuery(NodeKind.ARTIFACT, order_by=order, descending=descending, limit=11,
                      after=(value, mid.id))
    if store.engine_name == "sqlite":  # not a MULTI-INDEX OR whose every row after the keyset is sorted
        plan = _plan(store, query)
        assert plan[0].startswith("SEARCH n USING INDEX artifact_"), plan
        assert not any("TEMP B-TREE" in line or "MULTI-INDEX" in line for line in plan), plan
    rows = store._engine.read(lambda tx: tx.run(query))  # type: ignore[attr-defined]
    fields = {OrderBy.CREATE_TIME: OrderByField.CREATE_TIME, OrderBy.UPDATE_TIME: OrderByField.LAST_UPDATE_TIME}
    everything = store.get_artifacts(ListOptions(order_by=fields[order], is_asc=not descending))
    keyset = (value, mid.id)
    after = [a.id for a in everything
             if ((getattr(a, key), a.id) < keyset if descending else (getattr(a, key), a.id) > keyset)]
    assert [r["id"] for r in rows] == after[:11]


def test_a_long_string_is_found_through_the_index(store: MetadataStore, world: list[int]) -> None:
    # past any index key (decision 40): Neo4j seeks the bounded `_key.*` prefix, then compares
    long = "train" + "é" * 20_000
    [a] = store.put_artifacts([Artifact(type="Record", uri="/rec/" + long, properties={"split": long})])
    for query in (f"properties.split.string_value = '{long}'", f"uri = '/rec/{long}'"):
        plan = _plan(store, _query(query))
        if store.engine_name == "sqlite":
            assert not any(line.startswith("SCAN") for line in plan), plan
        else:
            assert not any(line.startswith(("NodeByLabelScan", "AllNodesScan")) for line in plan), plan
            assert any(line.startswith("NodeIndexSeek") and "_key." in line for line in plan), plan
        assert [x.id for x in store.get_artifacts(ListOptions(filter_query=query))] == [a]
