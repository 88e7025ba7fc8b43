"""Every example of MLMD's filter_query documentation, and the seed documents', to its AST.

The examples are those listed on ``ListOperationOptions.filter_query`` in MLMD's
metadata_store.proto (sections a to h), plus the filter_query strings of the MLMD guide seed.
"""

from __future__ import annotations

import pytest

from graphstore.errors import FilterSyntaxError, InvalidArgument
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
    Or,
    Property,
    ValueType,
    parse,
    to_query,
)

A, E, C = NodeKind.ARTIFACT, NodeKind.EXECUTION, NodeKind.CONTEXT
INT, DOUBLE, STRING, BOOL, ENUM = (
    ValueType.INT, ValueType.DOUBLE, ValueType.STRING, ValueType.BOOL, ValueType.ENUM,
)
EQ, NE, LT, GT = CompareOp.EQ, CompareOp.NE, CompareOp.LT, CompareOp.GT


def f(name: str, vt: ValueType, scope: Alias | None = None) -> Field:
    return Field(scope, name, vt)


def ctx(name: str) -> Alias:
    return Alias(AliasKind.CONTEXTS, name)


def art(name: str) -> Alias:
    return Alias(AliasKind.ARTIFACTS, name)


def exe(name: str) -> Alias:
    return Alias(AliasKind.EXECUTIONS, name)


def ev(name: str) -> Alias:
    return Alias(AliasKind.EVENTS, name)


ID, NAME, TYPE = f("id", INT), f("name", STRING), f("type", STRING)

# (query, node kinds it is valid on, expected AST)
EXAMPLES: list[tuple[str, tuple[NodeKind, ...], Expr]] = [
    # a) node attributes
    ("id != 1", (A, E, C), Compare(NE, ID, 1)),
    ("id IN (1, 3)", (A, E, C), InList(ID, (1, 3))),
    ("type_id = 5", (A, E, C), Compare(EQ, f("type_id", INT), 5)),
    ("type = 'my_type_name'", (A, E, C), Compare(EQ, TYPE, "my_type_name")),
    ("name = 'foo'", (A, E, C), Compare(EQ, NAME, "foo")),
    ("type = 'bar' AND name LIKE 'foo%'", (A, E, C),
     And((Compare(EQ, TYPE, "bar"), Like(NAME, "foo%")))),
    ("external_id = 'my_external_id'", (A, E, C),
     Compare(EQ, f("external_id", STRING), "my_external_id")),
    ("NOT(create_time_since_epoch < 1 OR last_update_time_since_epoch < 1)", (A, E, C),
     Not(Or((Compare(LT, f("create_time_since_epoch", INT), 1),
             Compare(LT, f("last_update_time_since_epoch", INT), 1))))),
    # b) artifact uri
    ("uri = 'exact_path_string'", (A,), Compare(EQ, f("uri", STRING), "exact_path_string")),
    ("uri LIKE 'path_like_this%'", (A,), Like(f("uri", STRING), "path_like_this%")),
    ("uri IS NOT NULL", (A,), IsNull(f("uri", STRING), negated=True)),
    # c) states
    ("state = LIVE", (A,), Compare(EQ, f("state", ENUM), "LIVE")),
    ("state IS NULL", (A,), IsNull(f("state", ENUM))),
    ("state IN (PENDING, LIVE)", (A,), InList(f("state", ENUM), ("PENDING", "LIVE"))),
    ("last_known_state = RUNNING", (E,), Compare(EQ, f("last_known_state", ENUM), "RUNNING")),
    ("last_known_state != RUNNING", (E,), Compare(NE, f("last_known_state", ENUM), "RUNNING")),
    ("last_known_state NOT IN (FAILED, CANCELED)", (E,),
     InList(f("last_known_state", ENUM), ("FAILED", "CANCELED"), negated=True)),
    # d) neighbourhood: contexts of artifacts and executions
    ("contexts_a.id = 5", (A, E), Compare(EQ, f("id", INT, ctx("a")), 5)),
    ("contexts_a.type = 'RunContext'", (A, E),
     Compare(EQ, f("type", STRING, ctx("a")), "RunContext")),
    ("contexts_a.name = 'my_run'", (A, E), Compare(EQ, f("name", STRING, ctx("a")), "my_run")),
    ("contexts_a.create_time_since_epoch = 1626761453", (A, E),
     Compare(EQ, f("create_time_since_epoch", INT, ctx("a")), 1626761453)),
    ("contexts_a.last_update_time_since_epoch = 1626761453", (A, E),
     Compare(EQ, f("last_update_time_since_epoch", INT, ctx("a")), 1626761453)),
    ("contexts_a.name = 'my_run' AND contexts_b.name = 'my_pipeline'", (A, E),
     And((Compare(EQ, f("name", STRING, ctx("a")), "my_run"),
          Compare(EQ, f("name", STRING, ctx("b")), "my_pipeline")))),
    # d) neighbourhood: artifacts of contexts
    ("artifacts_a.id = 5", (C,), Compare(EQ, f("id", INT, art("a")), 5)),
    ("artifacts_a.type = 'Dataset'", (C,), Compare(EQ, f("type", STRING, art("a")), "Dataset")),
    ("artifacts_a.name = 'my_dataset'", (C,),
     Compare(EQ, f("name", STRING, art("a")), "my_dataset")),
    ("artifacts_a.uri = 'exact_path_string'", (C,),
     Compare(EQ, f("uri", STRING, art("a")), "exact_path_string")),
    ("artifacts_a.state = LIVE", (C,), Compare(EQ, f("state", ENUM, art("a")), "LIVE")),
    ("artifacts_a.state IN (PENDING, LIVE)", (C,),
     InList(f("state", ENUM, art("a")), ("PENDING", "LIVE"))),
    ('artifacts_a.external_id = "my_external_id"', (C,),
     Compare(EQ, f("external_id", STRING, art("a")), "my_external_id")),
    ("artifacts_a.create_time_since_epoch = 1626761453", (C,),
     Compare(EQ, f("create_time_since_epoch", INT, art("a")), 1626761453)),
    ("artifacts_a.last_update_time_since_epoch = 1626761453", (C,),
     Compare(EQ, f("last_update_time_since_epoch", INT, art("a")), 1626761453)),
    ("artifacts_a.name = 'my_run' AND artifacts_b.name = 'my_pipeline'", (C,),
     And((Compare(EQ, f("name", STRING, art("a")), "my_run"),
          Compare(EQ, f("name", STRING, art("b")), "my_pipeline")))),
    # d) neighbourhood: executions of contexts
    ("executions_a.id = 5", (C,), Compare(EQ, f("id", INT, exe("a")), 5)),
    ("executions_a.type = 'Dataset'", (C,), Compare(EQ, f("type", STRING, exe("a")), "Dataset")),
    ("executions_a.name = 'my_dataset'", (C,),
     Compare(EQ, f("name", STRING, exe("a")), "my_dataset")),
    ("executions_a.last_known_state = RUNNING", (C,),
     Compare(EQ, f("last_known_state", ENUM, exe("a")), "RUNNING")),
    ("executions_a.last_known_state IN (NEW, RUNNING)", (C,),
     InList(f("last_known_state", ENUM, exe("a")), ("NEW", "RUNNING"))),
    ('executions_a.external_id = "my_external_id"', (C,),
     Compare(EQ, f("external_id", STRING, exe("a")), "my_external_id")),
    ("executions_a.create_time_since_epoch = 1626761453", (C,),
     Compare(EQ, f("create_time_since_epoch", INT, exe("a")), 1626761453)),
    ("executions_a.last_update_time_since_epoch = 1626761453", (C,),
     Compare(EQ, f("last_update_time_since_epoch", INT, exe("a")), 1626761453)),
    ("executions_a.name = 'my_run' AND executions_b.name = 'my_pipeline'", (C,),
     And((Compare(EQ, f("name", STRING, exe("a")), "my_run"),
          Compare(EQ, f("name", STRING, exe("b")), "my_pipeline")))),
    # e) properties
    ("properties.accuracy.double_value > 0.95", (A, E, C),
     Compare(GT, Property(None, "accuracy", False, DOUBLE), 0.95)),
    ('custom_properties.my_param.string_value = "foo"', (A, E, C),
     Compare(EQ, Property(None, "my_param", True, STRING), "foo")),
    ("properties.`my property`.int_value > 0", (A, E, C),
     Compare(GT, Property(None, "my property", False, INT), 0)),
    ("custom_properties.`my:custom.property`.bool_value = true", (A, E, C),
     Compare(EQ, Property(None, "my:custom.property", True, BOOL), True)),
    # g) parent / child contexts
    ("parent_contexts_a.id = 5", (C,),
     Compare(EQ, f("id", INT, Alias(AliasKind.PARENT_CONTEXTS, "a")), 5)),
    ("child_contexts_a.type = 'RunContext'", (C,),
     Compare(EQ, f("type", STRING, Alias(AliasKind.CHILD_CONTEXTS, "a")), "RunContext")),
    ("parent_contexts_a.name = 'parent_context_1'", (C,),
     Compare(EQ, f("name", STRING, Alias(AliasKind.PARENT_CONTEXTS, "a")), "parent_context_1")),
    # h) events
    ("events_0.execution_id = 1", (A,), Compare(EQ, f("execution_id", INT, ev("0")), 1)),
    ("events_0.type = INPUT", (A, E), Compare(EQ, f("type", ENUM, ev("0")), "INPUT")),
    ("events_0.milliseconds_since_epoch = 1", (A, E),
     Compare(EQ, f("milliseconds_since_epoch", INT, ev("0")), 1)),
    ("events_0.artifact_id = 1", (E,), Compare(EQ, f("artifact_id", INT, ev("0")), 1)),
    ("events_0.type IN (INPUT, INTERNAL_INPUT)", (A, E),
     InList(f("type", ENUM, ev("0")), ("INPUT", "INTERNAL_INPUT"))),
    # the seed document (MLMD's getting-started guide)
    ('uri LIKE "%/data" AND properties.day.int_value > 0', (A,),
     And((Like(f("uri", STRING), "%/data"), Compare(GT, Property(None, "day", False, INT), 0)))),
    ('type = "Trainer" AND properties.state.string_value IS NOT NULL', (A, E, C),
     And((Compare(EQ, TYPE, "Trainer"),
          IsNull(Property(None, "state", False, STRING), negated=True)))),
    ('contexts_a.type = "Experiment" AND contexts_a.name = "exp1"', (A, E),
     And((Compare(EQ, f("type", STRING, ctx("a")), "Experiment"),
          Compare(EQ, f("name", STRING, ctx("a")), "exp1")))),
    # the seed formats the query as 'contexts_a.id = {}'.format(experiment_id)
    ("contexts_a.id = 42", (A, E), Compare(EQ, f("id", INT, ctx("a")), 42)),
]

ALL_KINDS = (A, E, C)


def _cases(valid: bool) -> list[tuple[str, NodeKind, Expr]]:
    return [
        (query, kind, expected)
        for query, kinds, expected in EXAMPLES
        for kind in ALL_KINDS
        if (kind in kinds) == valid
    ]


@pytest.mark.parametrize(("query", "kind", "expected"), _cases(valid=True))
def test_example_parses_to_expected_ast(query: str, kind: NodeKind, expected: Expr) -> None:
    assert parse(query, kind) == expected


@pytest.mark.parametrize(("query", "kind", "expected"), _cases(valid=True))
def test_example_round_trips_through_to_query(query: str, kind: NodeKind, expected: Expr) -> None:
    assert parse(to_query(expected), kind) == expected


@pytest.mark.parametrize(("query", "kind", "expected"), _cases(valid=False))
def test_example_is_rejected_on_other_kinds(query: str, kind: NodeKind, expected: Expr) -> None:
    with pytest.raises(InvalidArgument) as info:
        parse(query, kind)
    assert not isinstance(info.value, FilterSyntaxError)  # well-formed, only misplaced


def test_complex_example_f_needs_value_fields() -> None:
    # Example f) writes `properties.span = 1`, which MLMD's own resolver rejects too: a
    # property is only comparable through one of its *_value fields.
    query = (
        "type = 'DataSet' AND\n"
        "  (contexts_a.type = 'RunContext' AND contexts_a.name = 'my_run') AND\n"
        "  (properties.span = 1 OR custom_properties.span = 1)"
    )
    with pytest.raises(InvalidArgument, match=r"properties\.span needs a value field.*line 3"):
        parse(query, A)


def test_complex_example_f_with_value_fields() -> None:
    query = (
        "type = 'DataSet' AND\n"
        "  (contexts_a.type = 'RunContext' AND contexts_a.name = 'my_run') AND\n"
        "  (properties.span.int_value = 1 OR custom_properties.span.int_value = 1)"
    )
    assert parse(query, A) == And((
        Compare(EQ, TYPE, "DataSet"),
        Compare(EQ, f("type", STRING, ctx("a")), "RunContext"),
        Compare(EQ, f("name", STRING, ctx("a")), "my_run"),
        Or((Compare(EQ, Property(None, "span", False, INT), 1),
            Compare(EQ, Property(None, "span", True, INT), 1))),
    ))
