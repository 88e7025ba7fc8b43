"""Fuzzing: whatever the text, ``parse`` returns a well-formed Expr or raises InvalidArgument.

FilterSyntaxError is an InvalidArgument, so anything else escaping (IndexError, RecursionError,
ValueError from int(), UnicodeError…) fails these tests. Every Expr that comes back must also
be well-formed and survive ``to_query`` → ``parse`` unchanged.
"""

from __future__ import annotations

import math
import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphstore.errors import InvalidArgument
from graphstore.filters import (
    Alias,
    AliasKind,
    And,
    Compare,
    CompareOp,
    Expr,
    Field,
    InList,
    IsNull,
    Like,
    NodeKind,
    Not,
    Operand,
    Or,
    Property,
    Value,
    ValueType,
    parse,
    to_query,
    walk,
)
from graphstore.filters.schema import (
    ALIAS_KINDS,
    ATTRIBUTES,
    PROPERTY_VALUE_TYPES,
    alias_attributes,
)

# Budgets keep the whole file well under 20 s; the exhaustive single-edit test below adds
# tens of thousands of deterministic cases cheaply. The examples are the same on every run
# (derandomize), so a test run cannot pass once and fail the next on the same code;
# GRAPHSTORE_FUZZ_RANDOM=1 explores new examples (and a failure it finds is a bug to fix).
FUZZ = settings(
    max_examples=1000,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the work tree
    derandomize=os.environ.get("GRAPHSTORE_FUZZ_RANDOM") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
kinds = st.sampled_from(list(NodeKind))

INJECTIONS = [
    "}) DETACH DELETE n //", "'; DROP TABLE artifact; --", "\" OR \"\"=\"", "` OR 1=1 --",
    "MATCH (n) DETACH DELETE n", "UNION SELECT * FROM artifact", "/* x */", "$param", "{x: 1}",
    "\\", "\\'", "\\\"", "\\`", "'", '"', "`", "\x00", "\ud800", "\r\n", "\n", "\t", "%", "_",
    "--", "#", ";", "||", "&&", "==", "!", "0x", "1e", "1e999", "9" * 25, ".", "..", ",", "()",
]
TOKENS = [
    "AND", "OR", "NOT", "IN", "LIKE", "IS", "NULL", "TRUE", "false", "and", "not", "in",
    "(", ")", ",", ".", "=", "!=", "<>", "<", ">", "<=", ">=", "-", "+",
    "id", "type_id", "type", "name", "external_id", "uri", "state", "last_known_state",
    "create_time_since_epoch", "properties", "custom_properties", "int_value", "double_value",
    "string_value", "bool_value", "contexts_a", "contexts_b", "artifacts_a", "executions_x",
    "parent_contexts_p", "child_contexts_c", "events_0", "milliseconds_since_epoch",
    "artifact_id", "execution_id", "LIVE", "PENDING", "RUNNING", "INPUT", "COMPLETE",
    "contexts_a.id", "properties.p.int_value", "custom_properties.`a:b`.string_value",
    "1", "-1", "0", "1.5", "-2.5e3", ".5", "9223372036854775808", "'x'", '"y"', "'%a_'",
    "`q`", "''",
]
SAFE_INJECTIONS = [s for s in INJECTIONS if not any(0xD800 <= ord(c) <= 0xDFFF for c in s)]
SQLISH = "abcdeilnoprstuvxyzANDORNOTINLIKE_0123456789 .,()'\"`\\=!<>-+%*;:{}/\n\t"

VALID = [
    "id != 1", "id IN (1, 3)", "type = 'bar' AND name LIKE 'foo%'",
    "NOT(create_time_since_epoch < 1 OR last_update_time_since_epoch < 1)",
    "uri LIKE 'path_like_this%'", "state IN (PENDING, LIVE)", "last_known_state = RUNNING",
    "contexts_a.name = 'my_run' AND contexts_b.name = 'my_pipeline'",
    "artifacts_a.state IN (PENDING, LIVE)", "executions_a.last_known_state IN (NEW, RUNNING)",
    "properties.accuracy.double_value > 0.95", "custom_properties.my_param.string_value = \"foo\"",
    "custom_properties.`my:custom.property`.bool_value = true", "parent_contexts_a.id = 5",
    "child_contexts_a.type = 'RunContext'", "events_0.type IN (INPUT, INTERNAL_INPUT)",
    "events_0.execution_id = 1", "events_0.artifact_id = 1",
    "uri LIKE \"%/data\" AND properties.day.int_value > 0",
]


# -- invariants -----------------------------------------------------------------------------

_ALIAS_NAME = re.compile(r"[A-Za-z0-9_]+")
_ALIAS_CHARS = "abzAZ019_"


def _check_value(left: Operand, value: Value, kind: NodeKind) -> None:
    vt = left.value_type
    if vt is ValueType.INT:
        assert type(value) is int and -(2**63) <= value < 2**63
    elif vt is ValueType.DOUBLE:
        assert type(value) is float and math.isfinite(value)
    elif vt is ValueType.BOOL:
        assert type(value) is bool
    else:
        assert type(value) is str
        if vt is ValueType.ENUM:
            assert isinstance(left, Field)
            table = (ATTRIBUTES[kind] if left.scope is None
                     else alias_attributes(left.scope.kind, kind))
            assert value in table[left.name].members


def _check_operand(left: Operand, kind: NodeKind) -> None:
    if left.scope is not None:
        assert left.scope.kind in ALIAS_KINDS[kind]
        assert _ALIAS_NAME.fullmatch(left.scope.name)
    if isinstance(left, Property):
        assert left.name and left.value_type in PROPERTY_VALUE_TYPES.values()
        assert left.scope is None or left.scope.kind is not AliasKind.EVENTS
    else:
        table = ATTRIBUTES[kind] if left.scope is None else alias_attributes(left.scope.kind, kind)
        assert table[left.name].value_type is left.value_type


def assert_well_formed(expr: Expr, kind: NodeKind) -> None:
    for node in walk(expr):
        if isinstance(node, (And, Or)):
            assert len(node.items) >= 2
            assert not any(isinstance(item, type(node)) for item in node.items)
        elif isinstance(node, Not):
            pass
        elif isinstance(node, Compare):
            _check_operand(node.left, kind)
            _check_value(node.left, node.value, kind)
            if node.left.value_type in (ValueType.BOOL, ValueType.ENUM):
                assert node.op in (CompareOp.EQ, CompareOp.NE)
        elif isinstance(node, Like):
            _check_operand(node.left, kind)
            assert node.left.value_type is ValueType.STRING
            assert not re.search(r"(?<!\\)(\\\\)*\\$", node.pattern)
        elif isinstance(node, InList):
            _check_operand(node.left, kind)
            assert node.values
            for v in node.values:
                _check_value(node.left, v, kind)
        else:
            assert isinstance(node, IsNull)
            _check_operand(node.left, kind)


def check(query: str, kind: NodeKind) -> None:
    """The property: an Expr (well-formed, round-tripping) or InvalidArgument, nothing else."""
    try:
        expr = parse(query, kind)
    except InvalidArgument:
        return
    assert_well_formed(expr, kind)
    assert parse(to_query(expr), kind) == expr


# -- text-level fuzzing ---------------------------------------------------------------------

@FUZZ
@given(st.text(max_size=200), kinds)
def test_random_text(query: str, kind: NodeKind) -> None:
    check(query, kind)


@settings(FUZZ, max_examples=800)
@given(st.text(alphabet=SQLISH, max_size=120), kinds)
def test_sql_like_text(query: str, kind: NodeKind) -> None:
    check(query, kind)


@settings(FUZZ, max_examples=700)
@given(
    st.lists(st.sampled_from(TOKENS + INJECTIONS), max_size=25),
    st.sampled_from([" ", "", "\n"]),
    kinds,
)
def test_token_soup(tokens: list[str], sep: str, kind: NodeKind) -> None:
    check(sep.join(tokens), kind)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    text = draw(base)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 8)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "case"]))
        piece = draw(st.sampled_from(TOKENS + INJECTIONS) | st.text(max_size=3))
        if action == "delete":
            text = text[:i] + text[j:]
        elif action == "insert":
            text = text[:i] + piece + text[i:]
        elif action == "replace":
            text = text[:i] + piece + text[j:]
        elif action == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i] + text[i:j].swapcase() + text[j:]
    return text


@settings(FUZZ, max_examples=500)
@given(mutated(st.sampled_from(VALID)), kinds)
def test_mutated_valid_queries(query: str, kind: NodeKind) -> None:
    check(query, kind)


@settings(FUZZ, max_examples=300)
@given(st.text(max_size=40) | st.sampled_from(INJECTIONS), st.sampled_from(["'", '"', "`"]),
       kinds)
def test_raw_text_between_quotes(inner: str, quote: str, kind: NodeKind) -> None:
    check(f"name = {quote}{inner}{quote}", kind)
    check(f"properties.{quote}{inner}{quote}.string_value = 'x'", kind)


EDIT_PIECES = ["'", '"', "`", "\\", "(", ")", ".", " AND ", "NOT ", "--", "}) DETACH DELETE n //",
               "'; DROP TABLE artifact; --"]


def test_single_edits_of_valid_queries() -> None:
    """Every prefix, every one-character deletion and every insertion of an awkward piece at
    every position of every valid query, on every node kind."""
    for base in VALID:
        variants = {base[:i] for i in range(len(base))}
        variants |= {base[:i] + base[i + 1:] for i in range(len(base))}
        variants |= {base[:i] + p + base[i:] for i in range(len(base) + 1) for p in EDIT_PIECES}
        for query in variants:
            for kind in NodeKind:
                check(query, kind)


# -- generated ASTs -------------------------------------------------------------------------

_VALUES: dict[ValueType, st.SearchStrategy[Value]] = {
    ValueType.INT: st.integers(-(2**63), 2**63 - 1),
    ValueType.DOUBLE: st.floats(allow_nan=False, allow_infinity=False),
    ValueType.STRING: st.text(max_size=20) | st.sampled_from(SAFE_INJECTIONS),
    ValueType.BOOL: st.booleans(),
}


@st.composite
def operand_and_values(draw: st.DrawFn, kind: NodeKind) -> tuple[Operand, st.SearchStrategy[Value]]:
    scope, attrs, with_properties = None, ATTRIBUTES[kind], True
    if draw(st.booleans()):
        alias_kind = draw(st.sampled_from(ALIAS_KINDS[kind]))
        scope = Alias(alias_kind, draw(st.text(alphabet=_ALIAS_CHARS, min_size=1, max_size=4)))
        attrs = alias_attributes(alias_kind, kind)
        with_properties = alias_kind is not AliasKind.EVENTS
    if with_properties and draw(st.booleans()):
        vt = draw(st.sampled_from(list(PROPERTY_VALUE_TYPES.values())))
        name = draw(st.text(min_size=1, max_size=12) | st.sampled_from(SAFE_INJECTIONS))
        return Property(scope, name, draw(st.booleans()), vt), _VALUES[vt]
    attr = draw(st.sampled_from(sorted(attrs.values(), key=lambda a: a.name)))
    values = (st.sampled_from(sorted(attr.members)) if attr.value_type is ValueType.ENUM
              else _VALUES[attr.value_type])
    return Field(scope, attr.name, attr.value_type), values


@st.composite
def predicates(draw: st.DrawFn, kind: NodeKind) -> Expr:
    left, values = draw(operand_and_values(kind))
    shape = draw(st.sampled_from(["compare", "in", "null", "like"]))
    if shape == "compare":
        equality = left.value_type in (ValueType.BOOL, ValueType.ENUM)
        ops = [CompareOp.EQ, CompareOp.NE] if equality else list(CompareOp)
        return Compare(draw(st.sampled_from(ops)), left, draw(values))
    if shape == "in":
        return InList(left, tuple(draw(st.lists(values, min_size=1, max_size=4))),
                      draw(st.booleans()))
    if shape == "like" and left.value_type is ValueType.STRING:
        pattern = draw(st.text(alphabet="ab%_\\'\"`", max_size=10))
        if re.search(r"(?<!\\)(\\\\)*\\$", pattern):
            pattern += "\\"
        return Like(left, pattern, draw(st.booleans()))
    return IsNull(left, draw(st.booleans()))


def _join(node: type[And] | type[Or], items: list[Expr]) -> Expr:
    flat: list[Expr] = []
    for item in items:
        flat.extend(item.items if isinstance(item, node) else [item])
    return node(tuple(flat))


def expressions(kind: NodeKind) -> st.SearchStrategy[Expr]:
    return st.recursive(
        predicates(kind),
        lambda children: st.one_of(
            st.lists(children, min_size=2, max_size=3).map(lambda xs: _join(And, xs)),
            st.lists(children, min_size=2, max_size=3).map(lambda xs: _join(Or, xs)),
            children.map(Not),
        ),
        max_leaves=8,
    )


# Built once: a strategy rebuilt per example (inside flatmap) is many times slower to draw.
EXPRESSIONS = {kind: expressions(kind) for kind in NodeKind}
MUTATED = {kind: mutated(EXPRESSIONS[kind].map(to_query)) for kind in NodeKind}
kind_and_expr = kinds.flatmap(lambda k: st.tuples(st.just(k), EXPRESSIONS[k]))
kind_and_mutant = kinds.flatmap(lambda k: st.tuples(st.just(k), MUTATED[k]))


@settings(FUZZ, max_examples=250)
@given(kind_and_expr)
def test_generated_asts_round_trip(case: tuple[NodeKind, Expr]) -> None:
    kind, expr = case
    assert_well_formed(expr, kind)
    assert parse(to_query(expr), kind) == expr


@settings(FUZZ, max_examples=250)
@given(kind_and_mutant)
def test_mutated_generated_queries(case: tuple[NodeKind, str]) -> None:
    kind, query = case
    check(query, kind)
