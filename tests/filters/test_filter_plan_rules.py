"""The rules the compilers use to pick a faster but equivalent shape (graphstore.filters.plan)."""

from __future__ import annotations

import pytest

from graphstore.compile.filter_cypher import compile_filter_cypher
from graphstore.compile.filter_sql import compile_filter_sql
from graphstore.filters import parse
from graphstore.filters.plan import ExprMemo, Scope, neighbours_required, plan, ranges_own_attribute
from graphstore.kinds import NodeKind

A, C = NodeKind.ARTIFACT, NodeKind.CONTEXT


def _scopes(query: str, kind: NodeKind = A) -> list[Scope]:
    return [p for p in plan(parse(query, kind)) if isinstance(p, Scope)]


@pytest.mark.parametrize(("query", "required"), [
    ("contexts_a.name = 'x'", True),
    ("contexts_a.name != 'x'", True),  # unknown on the absent context
    ("NOT contexts_a.name = 'x'", True),
    ("contexts_a.name = 'x' OR contexts_a.name = 'y'", True),
    ("contexts_a.name LIKE 'x%' AND contexts_a.type IN ('Run')", True),
    ("contexts_a.id IS NOT NULL", True),
    ("contexts_a.properties.p.int_value = 1", True),
    ("events_e.type = OUTPUT", True),
    ("contexts_a.id IS NULL", False),  # true on the absent context: nodes without contexts match
    ("NOT (contexts_a.id IS NOT NULL)", False),
    ("contexts_a.name = 'x' OR contexts_a.id IS NULL", False),
    ("contexts_a.name = 'x' OR name = 'y'", False),  # names the node itself
    ("(contexts_a.name = 'x' OR contexts_b.name = 'y')", False),  # two aliases in one group
])
def test_neighbours_required(query: str, required: bool) -> None:
    [scope] = _scopes(query)
    assert neighbours_required(scope) is required


def test_each_group_decides_alone() -> None:
    scopes = _scopes("parent_contexts_a.name = 'x' AND child_contexts_b.id IS NULL AND artifacts_c.name = 'y'", C)
    assert [neighbours_required(s) for s in scopes] == [True, False, True]


@pytest.mark.parametrize(("query", "ranges"), [
    ("create_time_since_epoch < 5", True),
    ("name = 'a' OR last_update_time_since_epoch >= 5", True),
    ("uri LIKE '/data/%'", True),
    ("NOT uri LIKE '/data/%'", True),
    ("uri NOT LIKE '/data/%'", True),  # any LIKE: the rule stays on the safe side
    ("id > 5", False),  # the primary key is id order
    ("name = 'a' AND state = LIVE", False),
    ("properties.p.int_value > 5", False),  # a property seek hands over a sorted id list
    ("contexts_a.create_time_since_epoch < 5", False),
])
def test_ranges_own_attribute(query: str, ranges: bool) -> None:
    assert ranges_own_attribute(parse(query, A)) is ranges


def test_parse_and_compile_are_remembered() -> None:
    text = "properties.p.double_value = 1 AND contexts_a.name = 'x'"
    expr = parse(text, A)
    assert parse(text, A) is expr
    first = compile_filter_sql(expr, A, "n")
    again = compile_filter_sql(expr, A, "n")
    assert again == first
    again[1].append("caller's own list")  # callers may extend what they get
    assert compile_filter_sql(expr, A, "n") == first
    match, where, params = compile_filter_cypher(expr, A, "n")
    params["x"] = 1
    assert compile_filter_cypher(expr, A, "n") == (match, where, {k: v for k, v in params.items() if k != "x"})


def test_memo_keys_by_identity_not_equality() -> None:
    # 1 == 1.0 == True, so equal ASTs can carry literals of different types
    one, one_float = parse("id = 1", A), parse("properties.p.double_value = 1.0", A)
    memo: ExprMemo[str] = ExprMemo(size=2)
    memo.put(one, "k", "int")
    assert memo.get(one, "k") == "int"
    assert memo.get(one_float, "k") is None
    assert memo.get(one, "other key") is None
    memo.put(one_float, "k", "float")
    memo.put(parse("id = 2", A), "k", "two")  # over the bound: starts afresh
    assert memo.get(one, "k") is None
