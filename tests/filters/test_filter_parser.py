"""Grammar, literals, precedence, alias identity and the AST helpers."""

from __future__ import annotations

import dataclasses

import pytest

from graphstore.errors import InvalidArgument
from graphstore.filters import (
    Alias,
    AliasKind,
    And,
    Compare,
    CompareOp,
    Field,
    InList,
    IsNull,
    Like,
    LikeWildcard,
    NodeKind,
    Not,
    Or,
    Property,
    ValueType,
    aliases,
    parse,
    split_like,
    to_query,
    walk,
)

A, E, C = NodeKind.ARTIFACT, NodeKind.EXECUTION, NodeKind.CONTEXT
ID = Field(None, "id", ValueType.INT)
NAME = Field(None, "name", ValueType.STRING)
EQ = CompareOp.EQ


def id_is(n: int) -> Compare:
    return Compare(EQ, ID, n)


# -- precedence and grouping ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("id = 1 OR id = 2 AND id = 3", Or((id_is(1), And((id_is(2), id_is(3)))))),
        ("id = 1 AND id = 2 OR id = 3", Or((And((id_is(1), id_is(2))), id_is(3)))),
        ("(id = 1 OR id = 2) AND id = 3", And((Or((id_is(1), id_is(2))), id_is(3)))),
        ("NOT id = 1 AND id = 2", And((Not(id_is(1)), id_is(2)))),
        ("NOT id = 1 OR id = 2", Or((Not(id_is(1)), id_is(2)))),
        ("NOT (id = 1 OR id = 2)", Not(Or((id_is(1), id_is(2))))),
        ("NOT NOT id = 1", Not(Not(id_is(1)))),
        ("((id = 1))", id_is(1)),
        # nested conjunctions and disjunctions flatten; mixed ones keep their shape
        ("id = 1 AND (id = 2 AND id = 3)", And((id_is(1), id_is(2), id_is(3)))),
        ("(id = 1 OR id = 2) OR (id = 3 OR id = 4)",
         Or((id_is(1), id_is(2), id_is(3), id_is(4)))),
        ("id = 1 OR id = 2 OR id = 3 AND id = 4 AND id = 5",
         Or((id_is(1), id_is(2), And((id_is(3), id_is(4), id_is(5)))))),
        ("NOT (id = 1 AND id = 2) AND id = 3", And((Not(And((id_is(1), id_is(2)))), id_is(3)))),
    ],
)
def test_precedence(query: str, expected: object) -> None:
    assert parse(query, A) == expected


def test_keywords_are_case_insensitive() -> None:
    upper = parse("NOT id IN (1) AND name LIKE 'x' OR uri IS NOT NULL AND id NOT IN (2)", A)
    mixed = parse("nOt id in (1) aNd name like 'x' oR uri iS nOt NuLl and id not in (2)", A)
    assert upper == mixed
    assert parse("properties.x.bool_value = TRUE", A) == parse(
        "properties.x.bool_value = true", A
    )


def test_whitespace_is_optional_and_free() -> None:
    assert parse("id=1", A) == id_is(1)
    assert parse("last_known_state!=COMPLETE", E) == Compare(
        CompareOp.NE, Field(None, "last_known_state", ValueType.ENUM), "COMPLETE"
    )
    assert parse("\n\tid\n=\r\n1\n", A) == id_is(1)
    assert parse("properties . x . int_value = 1", A) == parse("properties.x.int_value = 1", A)


# -- literals -------------------------------------------------------------------------------

def _value(query: str, kind: NodeKind = A) -> object:
    expr = parse(query, kind)
    assert isinstance(expr, Compare)
    return expr.value


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("id = 0", 0),
        ("id = -5", -5),
        ("id = - 5", -5),
        ("id = +5", 5),
        ("id = 0x1F", 31),
        ("id = 9223372036854775807", 2**63 - 1),
        ("id = -9223372036854775808", -(2**63)),
        ("properties.p.double_value = 1.5", 1.5),
        ("properties.p.double_value = -.5", -0.5),
        ("properties.p.double_value = 1.", 1.0),
        ("properties.p.double_value = 1e3", 1000.0),
        ("properties.p.double_value = 2.5E-3", 0.0025),
        ("properties.p.double_value = 3", 3.0),  # an int literal becomes the double it means
        ("properties.p.bool_value = false", False),
        ("properties.p.bool_value = True", True),
        ("name = 'single'", "single"),
        ('name = "double"', "double"),
        ("name = ''", ""),
        ("name = 'it\\'s'", "it's"),
        ('name = "say \\"hi\\""', 'say "hi"'),
        ("name = \"it's\"", "it's"),
        ("name = 'a\\\\b'", "a\\b"),
        ("name = 'tab\\there'", "tab\there"),
        ("name = 'nl\\n'", "nl\n"),
        ("name = '\\x41\\u00e9\\U0001F600\\101'", "Aé😀A"),
        ("name = 'back`tick'", "back`tick"),
        ("name = 'multi\nline'", "multi\nline"),
        ("name = 'ünïcødé ✓'", "ünïcødé ✓"),
        ("name = 'semi; -- colon'", "semi; -- colon"),
        ("state = 'LIVE'", "LIVE"),  # quoted enum names are accepted too
    ],
)
def test_literals(query: str, value: object) -> None:
    got = _value(query)
    assert got == value
    assert type(got) is type(value)


def test_like_keeps_escaped_wildcards() -> None:
    # \% and \_ survive string decoding so that LIKE can tell a literal % from a wildcard
    expr = parse("uri LIKE '100\\%\\_done%'", A)
    assert expr == Like(Field(None, "uri", ValueType.STRING), "100\\%\\_done%")
    assert split_like("100\\%\\_done%") == ("100%_done", LikeWildcard.ANY)


def test_split_like() -> None:
    assert split_like("") == ()
    assert split_like("abc") == ("abc",)
    assert split_like("%a_b%") == (
        LikeWildcard.ANY, "a", LikeWildcard.ONE, "b", LikeWildcard.ANY,
    )
    assert split_like("a\\\\%") == ("a\\", LikeWildcard.ANY)
    assert split_like("\\a") == ("a",)


def test_not_like_and_in_forms() -> None:
    assert parse("name NOT LIKE 'a%'", A) == Like(NAME, "a%", negated=True)
    assert parse("id NOT IN (1, -2)", A) == InList(ID, (1, -2), negated=True)
    assert parse("id IS NULL", A) == IsNull(ID)
    assert parse("properties.p.double_value IN (1, 2.5)", A) == InList(
        Property(None, "p", False, ValueType.DOUBLE), (1.0, 2.5)
    )
    assert parse("name <> 'x'", A) == Compare(CompareOp.NE, NAME, "x")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("5 < id", Compare(CompareOp.GT, ID, 5)),
        ("5 <= id", Compare(CompareOp.GE, ID, 5)),
        ("5 > id", Compare(CompareOp.LT, ID, 5)),
        ("5 >= id", Compare(CompareOp.LE, ID, 5)),
        ("5 = id", Compare(CompareOp.EQ, ID, 5)),
        ("'x' != name", Compare(CompareOp.NE, NAME, "x")),
    ],
)
def test_literal_on_the_left_is_flipped(query: str, expected: Compare) -> None:
    assert parse(query, A) == expected


# -- names ----------------------------------------------------------------------------------

def test_property_names() -> None:
    def prop(query: str) -> Property:
        expr = parse(query, A)
        assert isinstance(expr, Compare) and isinstance(expr.left, Property)
        return expr.left

    assert prop("properties.0.int_value = 1").name == "0"
    assert prop("properties.1e5.int_value = 1").name == "1e5"
    assert prop("properties.and.int_value = 1").name == "and"  # keywords are names after '.'
    assert prop("properties.`a.b`.int_value = 1").name == "a.b"
    assert prop("properties.`x\\`y`.int_value = 1").name == "x`y"
    assert prop("properties.`'; DROP TABLE t; --`.string_value = 'v'").name == (
        "'; DROP TABLE t; --"
    )
    assert prop("custom_properties.`}) DETACH DELETE n //`.int_value = 1").name == (
        "}) DETACH DELETE n //"
    )


def test_alias_names_and_scopes() -> None:
    expr = parse("contexts__.id = 1 AND contexts_A1_b.name = 'x'", A)
    assert aliases(expr) == [Alias(AliasKind.CONTEXTS, "_"), Alias(AliasKind.CONTEXTS, "A1_b")]
    expr = parse("artifacts_x.properties.p.int_value = 1", C)
    assert expr == Compare(EQ, Property(Alias(AliasKind.ARTIFACTS, "x"), "p", False,
                                        ValueType.INT), 1)
    expr = parse("child_contexts_k.custom_properties.`a b`.string_value IS NULL", C)
    assert expr == IsNull(Property(Alias(AliasKind.CHILD_CONTEXTS, "k"), "a b", True,
                                   ValueType.STRING))
    assert Alias(AliasKind.PARENT_CONTEXTS, "p").label == "parent_contexts_p"


def test_aliases_in_order_of_first_appearance() -> None:
    expr = parse(
        "contexts_b.id = 1 OR (events_x.type = INPUT AND NOT contexts_a.name = 'n') "
        "OR contexts_b.name = 'm' OR events_0.milliseconds_since_epoch > 3",
        E,
    )
    assert aliases(expr) == [
        Alias(AliasKind.CONTEXTS, "b"),
        Alias(AliasKind.EVENTS, "x"),
        Alias(AliasKind.CONTEXTS, "a"),
        Alias(AliasKind.EVENTS, "0"),
    ]
    assert aliases(parse("id = 1", A)) == []


def test_same_suffix_on_different_alias_kinds_is_different_neighbours() -> None:
    expr = parse("artifacts_a.id = 1 AND executions_a.id = 2 AND parent_contexts_a.id = 3", C)
    kinds = [a.kind for a in aliases(expr)]
    assert kinds == [AliasKind.ARTIFACTS, AliasKind.EXECUTIONS, AliasKind.PARENT_CONTEXTS]


def test_walk_is_preorder() -> None:
    expr = parse("id = 1 AND (id = 2 OR NOT id = 3)", A)
    assert [type(n).__name__ for n in walk(expr)] == [
        "And", "Compare", "Or", "Compare", "Not", "Compare",
    ]


def test_ast_is_frozen_and_hashable() -> None:
    expr = parse("id IN (1, 2) AND contexts_a.name LIKE 'x%'", A)
    assert hash(expr) == hash(parse("id IN (1, 2) AND contexts_a.name LIKE 'x%'", A))
    assert isinstance(expr, And)
    with pytest.raises(dataclasses.FrozenInstanceError):
        expr.items = ()  # type: ignore[misc]


@pytest.mark.parametrize(
    "query",
    [
        "id = 1 AND (name = 'a' OR NOT (uri LIKE '%x\\\\%'))",
        "custom_properties.`we'ird\\\\name`.string_value = 'it''s'".replace("''", "\\'"),
        "state NOT IN (LIVE, DELETED) OR properties.p.double_value >= -1e-05",
        "NOT NOT contexts_z.properties.q.bool_value != false",
        "events_e.type IN ('INPUT') AND events_e.execution_id <= 0",
    ],
)
def test_to_query_round_trips(query: str) -> None:
    expr = parse(query, A)
    assert parse(to_query(expr), A) == expr


# -- MLMD's own resolver cases --------------------------------------------------------------
# Queries MLMD's resolver accepts, per node kind; all parse here too.
MLMD_VALID: list[tuple[str, tuple[NodeKind, ...]]] = [
    ("id != 1", (A, E, C)), ("id IN (1, 3)", (A, E, C)), ("type_id = 1", (A, E, C)),
    ("type_id > 1", (A, E, C)), ("type = 'Dataset'", (A, E, C)),
    ("type IS NOT NULL", (A, E, C)), ("uri = 'abc'", (A,)), ("uri like 'abc'", (A,)),
    ("uri LIKE 'abc'", (A,)), ("uri IS NOT NULL", (A,)), ("name = 'a'", (A, E, C)),
    ("external_id = 'a'", (A, E, C)), ("create_time_since_epoch = 1", (A, E, C)),
    ("create_time_since_epoch > 1", (A, E, C)), ("last_update_time_since_epoch = 1", (A, E, C)),
    ("last_update_time_since_epoch > 1", (A, E, C)), ("contexts_0.id = 1", (A, E)),
    ("contexts_2.name = '1'", (A, E)), ("contexts_abc.type = 'foo'", (A, E)),
    ("contexts_abc.create_time_since_epoch = 1", (A, E)),
    ("contexts_abc.last_update_time_since_epoch = 1", (A, E)),
    ("artifacts_0.id = 1", (C,)), ("artifacts_2.name = '1'", (C,)),
    ("artifacts_abc.type = 'foo'", (C,)), ("artifacts_abc.create_time_since_epoch = 1", (C,)),
    ("executions_0.id = 1", (C,)), ("executions_2.name = '1'", (C,)),
    ("executions_abc.last_update_time_since_epoch = 1", (C,)),
    ("type_id = 1 AND uri != 'abc'", (A,)), ("type_id = 1 OR uri != 'abc'", (A,)),
    ("NOT(type_id = 1)", (A, E, C)),
    ("NOT(type_id = 1) AND (contexts_foo.type = 'bar' OR uri like 'x%')", (A,)),
    ("properties.0.int_value = 1", (A, E, C)), ("properties.foo.string_value = '2'", (A, E, C)),
    ("properties.bar_baz.double_value IS NOT NULL", (A, E, C)),
    ("properties.qux.bool_value = true", (A, E, C)),
    ("custom_properties.0.double_value > 1.0", (A, E, C)),
    ("custom_properties.3.bool_value != false", (A, E, C)),
    ("properties.`0:b`.int_value = 1", (A, E, C)),
    ("custom_properties.`0 b`.string_value != '1'", (A, E, C)),
    ("properties.0.int_value > 1 OR custom_properties.0.int_value > 1 ", (A, E, C)),
    ("type_id = 1 OR type = 'Dataset' AND contexts_0.name = '1' AND "
     "(properties.0.int_value > 1 OR custom_properties.0.int_value > 1) AND "
     "custom_properties.1.string_value IS NOT NULL", (A, E)),
    ("child_contexts_0.id = 1", (C,)), ("parent_contexts_abc.type = 'foo'", (C,)),
    ("state = PENDING", (A,)), ("state=PENDING", (A,)), ("state != PENDING", (A,)),
    ("state = PENDING AND state = LIVE", (A,)), ("state NOT IN (DELETED)", (A,)),
    ("last_known_state = CANCELED", (E,)), ("last_known_state!=COMPLETE", (E,)),
    ("last_known_state IN (COMPLETE, RUNNING)", (E,)), ("last_known_state IS NOT NULL", (E,)),
    ("events_0.type=OUTPUT", (A, E)), ("events_0.type IN (OUTPUT, DECLARED_OUTPUT)", (A, E)),
]

# Queries MLMD's resolver rejects; all are rejected here too (kind-independent ones on all).
MLMD_INVALID: list[tuple[str, tuple[NodeKind, ...]]] = [
    ("a == 'a'", (A, E, C)), ("a", (A, E, C)), ("a = 'a'", (A, E, C)), ("'a'", (A, E, C)),
    ("type_id", (A, E, C)), ("id = 'a'", (A, E, C)), ("type = 1", (A, E, C)),
    ("uri = 1", (A, E, C)), ("create_time_since_epoch = 'a'", (A, E, C)),
    ("create_time_since_epoch = a", (A, E, C)), ("name = 1", (A, E, C)),
    ("name = a", (A, E, C)), ("external_id = 1", (A, E, C)), ("contexts", (A, E, C)),
    ("contexts_0", (A, E, C)), ("contexts_0.foo", (A, E, C)), ("contexts_0.id.", (A, E, C)),
    ("contexts_0.id.bar", (A, E, C)), ("artifacts_0.foo", (A, E, C)),
    ("executions_0.id.bar", (A, E, C)), ("properties", (A, E, C)),
    ("properties.foo", (A, E, C)), ("properties.bar.", (A, E, C)),
    ("properties.baz.int", (A, E, C)), ("properties.0:b.int_value = 1", (A, E, C)),
    ("custom_properties.baz.string", (A, E, C)), ("custom_properties.0:b.string_value", (A, E, C)),
    ("child_contexts_0.foo", (A, E, C)), ("parent_contexts_0.id.bar", (A, E, C)),
    # (MLMD also rejects "state = 1" and "last_known_state = 1"; graphstore reads an enum's
    # number wherever MLMD reads it in some position: a deliberate difference, see docs/filters.md)
    ("state", (A,)), ("state = RUNNING", (A,)), ("state IN RUNNING", (A,)),
    ("last_known_state = LIVE", (E,)), ("last_known_state IN ()", (E,)),
    ("last_known_state NOT IN (PENDING)", (E,)), ("events_0.field_1 = '1'", (A, E, C)),
    ("events", (A, E, C)), ("events_0.execution_id.", (A, E, C)),
    ("events_0.type = SOME_ENUM", (A, E, C)), ("events_0.type IN (SOME_ENUM)", (A, E, C)),
    ("events_0.artifact_id = 1", (A, C)), ("events_0.execution_id = 1", (E, C)),
    # arithmetic is outside this grammar (see the module docs of graphstore.filters.parser)
    ("type_id + 1 > 1", (A, E, C)), ("create_time_since_epoch + 1 > 1", (A, E, C)),
]


@pytest.mark.parametrize(
    ("query", "kind"), [(q, k) for q, kinds in MLMD_VALID for k in kinds]
)
def test_mlmd_valid_queries(query: str, kind: NodeKind) -> None:
    parse(query, kind)


@pytest.mark.parametrize(
    ("query", "kind"), [(q, k) for q, kinds in MLMD_INVALID for k in kinds]
)
def test_mlmd_invalid_queries(query: str, kind: NodeKind) -> None:
    with pytest.raises(InvalidArgument):
        parse(query, kind)


def test_node_kind_is_the_store_wide_enum() -> None:
    # One enum for the whole package: compilers receive op.kind from graphstore.ops.
    from graphstore import kinds

    assert NodeKind is kinds.NodeKind
