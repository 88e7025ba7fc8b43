"""Every operation's compiled SQL and Cypher, pinned (the ibis way): a change to what the
store sends to an engine shows up as a reviewed diff of op_snapshots.json.

Regenerate after an intended change with
``GRAPHSTORE_UPDATE_SNAPSHOTS=1 pytest tests/compile/test_op_snapshots.py``. What the
statements do is checked on real engines by tests/contract/.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest

from graphstore import ops
from graphstore.compile.cypher import CypherCompiler, quote
from graphstore.compile.sql import SqlCompiler
from graphstore.errors import InvalidArgument
from graphstore.filters import parse
from graphstore.kinds import NodeKind, Relation
from graphstore.models import PropertyType
from graphstore.values import Prop

SNAPSHOTS = Path(__file__).with_name("op_snapshots.json")
UPDATE = os.environ.get("GRAPHSTORE_UPDATE_SNAPSHOTS") == "1"
A, E, C = NodeKind.ARTIFACT, NodeKind.EXECUTION, NodeKind.CONTEXT

ROW = ops.NodeRow(7, 1, "Data Set", (("name", "n"), ("external_id", None), ("uri", "/u"), ("state", "LIVE")),
                  10, 11, (Prop("day", False, PropertyType.INT, 3), Prop("cfg", True, PropertyType.STRUCT, "{}")))
TYPE = ops.TypeRow(4, "Trainer", "", "d", None, "TRAIN", (("lr", PropertyType.DOUBLE),))
OPS: dict[str, ops.Op] = {
    "get_types": ops.GetTypes(E, ids=(1, 2), keys=(("Trainer", ""),)),
    "insert_type": ops.InsertType(E, TYPE),
    "update_type": ops.UpdateType(E, TYPE),
    "allocate_ids": ops.AllocateIds((("Execution", 1), ("Artifact", 3), ("Event", 2))),
    "get_types_many": ops.GetTypesMany((ops.GetTypes(E, ids=(1, 2)), ops.GetTypes(A, keys=(("Data", ""),)))),
    "insert_nodes": ops.InsertNodes(A, (ROW,)),
    "insert_linked_nodes": ops.InsertNodes(E, (ROW,), contexts=(5, 6)),
    "write_batch": ops.WriteBatch((ops.InsertNodes(A, (ROW,), contexts=(5,)),
                                   ops.InsertEvents((ops.EventRow(1, 7, 3, "INPUT", "[]", 99),)),
                                   ops.SetInputFingerprints(((3, "abc"),)),
                                   ops.Link(Relation.ASSOCIATION, ((3, 5),)))),
    "update_nodes": ops.UpdateNodes(A, (ROW,)),
    "delete_nodes": ops.DeleteNodes(E, (1, 2)),
    "existing_ids": ops.ExistingIds(C, (5,)),
    # a namespace: types by namespace, nodes checked against its type ids (scope)
    "get_types_namespace": ops.GetTypes(A, names=("Data",), namespace="team-a"),
    "insert_type_namespace": ops.InsertType(E, dataclasses.replace(TYPE, namespace="team-a")),
    "existing_ids_scoped": ops.ExistingIds(C, (5,), scope=(1, 2)),
    "node_query_scoped_page": ops.NodeQuery(A, order_by=ops.OrderBy.CREATE_TIME, limit=10,
                                            after=(123, 45), scope=(1, 2)),
    "node_query_scoped_filter": ops.NodeQuery(A, filter=parse("properties.day.int_value = 3", A),
                                              limit=10, scope=(1, 2)),
    "node_query_all": ops.NodeQuery(A),
    "node_query_selectors": ops.NodeQuery(A, ids=(1,), type_ids=(2,), names=("n",), uris=("/u",),
                                          external_ids=("x",)),
    "node_query_linked_page": ops.NodeQuery(E, linked=ops.LinkFilter(Relation.ASSOCIATION, 9, True),
                                            order_by=ops.OrderBy.CREATE_TIME, descending=True,
                                            limit=100, after=(123, 45)),
    "node_query_parents": ops.NodeQuery(C, linked=ops.LinkFilter(Relation.PARENT, 3, False)),
    "node_query_filter": ops.NodeQuery(A, filter=parse("properties.day.int_value = 3 AND uri LIKE '/d%'", A)),
    # a top-level "=" drives an id-order page on SQLite (join on the property index), and the
    # context scope becomes a per-row probe
    "node_query_driven_page": ops.NodeQuery(A, filter=parse("properties.day.int_value = 3 AND name != 'x'", A),
                                            linked=ops.LinkFilter(Relation.ATTRIBUTION, 5, True),
                                            after=(7, 7), limit=10, descending=True),
    "node_query_fingerprint": ops.NodeQuery(E, type_ids=(4,), input_fingerprints=("abc",)),
    "insert_events": ops.InsertEvents((ops.EventRow(1, 2, 3, "INPUT", '["x", 0]', 99),
                                       ops.EventRow(2, 4, 3, "OUTPUT", "[]", 99))),
    "get_events": ops.GetEvents(artifact_ids=(2,), execution_ids=(3,)),
    # a write's reads in one statement: stored nodes, reuse candidates, id blocks
    "read_batch": ops.ReadBatch((ops.NodeQuery(A, ids=(1, 2)), ops.GetEvents(execution_ids=(3,)),
                                 ops.AllocateIds((("Artifact", 2), ("Event", 1))))),
    "link": ops.Link(Relation.ATTRIBUTION, ((1, 2),)),
    "ancestors": ops.Ancestors((3,)),
    "lineage_up_bounded": ops.LineageEdges((1,), (), ops.Direction.UPSTREAM, 4),
    "lineage_down": ops.LineageEdges((), (2,), ops.Direction.DOWNSTREAM, None),
    "lineage_both": ops.LineageEdges((1,), (2,), ops.Direction.BIDIRECTIONAL, None),
    "lineage_down_ids_only": ops.LineageEdges((1,), (), ops.Direction.DOWNSTREAM, None, details=False),
    "walk_up": ops.LineageWalk((1,), (), ops.Direction.UPSTREAM),
    "walk_down_nearest_typed": ops.LineageWalk(
        (), (2,), ops.Direction.DOWNSTREAM, 6,
        ops.Report(kinds=("artifact",), type_ids=(3,), states=("LIVE",), created_after=5), limit=101),
    "walk_both_counts": ops.LineageWalk((1,), (2,), ops.Direction.BIDIRECTIONAL, count_by="type"),
    "mark_nodes": ops.MarkNodes(A, "reason`key", "root", "bad data", ((4, 1), (5, 1))),
    "get_links": ops.GetLinks(Relation.ASSOCIATION, (1, 2)),
    "set_input_fingerprints": ops.SetInputFingerprints(((3, "abc"),)),
    "property_indexes": ops.PropertyIndexes(A, ("day", "odd`name")),
    "index_states": ops.IndexStates(A, ("day", "odd`name")),
    "drop_indexes": ops.DropIndexes(("index_1", "odd`name")),
}


def _render(compiler: Any, op: ops.Op) -> list[dict[str, Any]]:
    return [{"text": s.text, "params": s.params, "many": s.many} for s in compiler.compile(op).statements]


def _current() -> dict[str, Any]:
    return {name: {"sql": _render(SqlCompiler(), op), "cypher": _render(CypherCompiler(), op)}
            for name, op in OPS.items()}


def test_every_operation_is_covered() -> None:
    covered = {type(op) for op in OPS.values()}
    assert covered == set(ops.Op.__args__)  # type: ignore[attr-defined]


def test_snapshots() -> None:
    current = json.loads(json.dumps(_current()))  # tuples become lists, as in the file
    if UPDATE or not SNAPSHOTS.exists():
        SNAPSHOTS.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOTS.read_text())
    assert set(current) == set(expected)
    for name in OPS:
        assert current[name] == expected[name], name


@pytest.mark.parametrize("name", ["", "a\x00b"])
def test_quote_rejects_unusable_names(name: str) -> None:
    with pytest.raises(InvalidArgument):
        quote(name)


def test_quote_escapes_backquotes() -> None:
    assert quote("a`b") == "`a``b`"
    assert quote("}) DETACH DELETE n //") == "`}) DETACH DELETE n //`"
