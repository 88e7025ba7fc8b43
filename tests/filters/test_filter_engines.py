"""Filters on real engines: SQLite and Neo4j return the same nodes, the ones the rules promise.

Each query runs through the store's own read path (``ops.NodeQuery`` with a parsed filter) on
the world of :mod:`.filter_world`. Hand-written cases pin the documented semantics (see
graphstore.filters.plan); generated filters are checked against the reference evaluator.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from graphstore import MetadataStore, ops
from graphstore.compile.cypher import CypherCompiler
from graphstore.compile.filter_cypher import compile_filter_cypher
from graphstore.compile.filter_sql import compile_filter_sql
from graphstore.compile.sql import SqlCompiler
from graphstore.filters import NodeKind, parse, to_query
from tests.conftest import wipe_neo4j
from tests.neo4j_server import Neo4jTarget

from .filter_generator import random_filter
from .filter_world import A, C, E, World, build, read_world

# (kind, query — {name} is replaced by that node's or type's id —, expected node names)
CASES: list[tuple[NodeKind, str, set[str]]] = [
    # attributes, NULLs and three-valued logic
    (A, "name = 'a1'", {"a1"}),
    (A, "name != 'a1'", {"a2", "a3", "a4"}),  # a5 has no name: never != anything
    (A, "NOT (name = 'a1')", {"a2", "a3", "a4"}),
    (A, "NOT (name = 'a1' OR name = 'a2')", {"a3", "a4"}),
    (A, "name IS NULL", {"a5"}),
    (A, "name IS NOT NULL", {"a1", "a2", "a3", "a4"}),
    (A, "name < 'a3'", {"a1", "a2"}),
    (A, "id IN ({a1}, {a3})", {"a1", "a3"}),
    (A, "id NOT IN ({a1})", {"a2", "a3", "a4", "a5"}),
    (A, "id >= {a4}", {"a4", "a5"}),
    (A, "{a2} > id", {"a1"}),
    (A, "type = 'Model'", {"a3", "a4", "a5"}),
    (A, "type_id = {DataSet}", {"a1", "a2"}),
    (A, "external_id = 'ext-3'", {"a3"}),
    (A, "NOT(create_time_since_epoch < 1 OR last_update_time_since_epoch < 1)",
     {"a1", "a2", "a3", "a4", "a5"}),
    (A, "uri = '/data/Train_1'", {"a1"}),
    (A, "uri IS NULL", {"a5"}),
    # LIKE: case-sensitive, whole value, _ is one character (newlines too), \ escapes
    (A, "uri LIKE '/data/%'", {"a1", "a2"}),
    (A, "uri LIKE '/data/t%'", {"a2"}),
    (A, "uri LIKE '/DATA/%'", set()),
    (A, "uri LIKE 'data'", set()),
    (A, "uri LIKE '%_1'", {"a1", "a3"}),
    (A, "uri LIKE '/models/m\\%1'", {"a3"}),
    (A, "uri LIKE '/data/Train\\_1'", {"a1"}),
    (A, "uri LIKE '/x_y%'", {"a4"}),
    (A, "uri LIKE '%[*?]'", {"a4"}),
    (A, "uri LIKE '%[%]'", {"a4"}),
    (A, "uri LIKE '%'", {"a1", "a2", "a3", "a4"}),
    (A, "uri NOT LIKE '/data/%'", {"a3", "a4"}),
    # enums: an unset state is stored as UNKNOWN
    (A, "state = LIVE", {"a1"}),
    (A, "state != LIVE", {"a2", "a3", "a4", "a5"}),
    (A, "state IN (PENDING, LIVE)", {"a1", "a2"}),
    (A, "state NOT IN (PENDING, LIVE)", {"a3", "a4", "a5"}),
    (A, "state = UNKNOWN", {"a4", "a5"}),
    (A, "state IS NULL", set()),
    # enum numbers (MLMD clients write state IN (2)): the members with those numbers
    (A, "state IN (2)", {"a1"}),
    (A, "state IN (1, 2)", {"a1", "a2"}),
    (A, "state IN (LIVE, 1)", {"a1", "a2"}),
    (A, "state = 2", {"a1"}),
    (A, "state != 2", {"a2", "a3", "a4", "a5"}),
    (A, "state > 1", {"a1", "a3"}),
    (A, "1 >= state", {"a2", "a4", "a5"}),
    (A, "state IN (99)", set()),
    (A, "state NOT IN (99)", {"a1", "a2", "a3", "a4", "a5"}),
    (A, "NOT (state = -1)", {"a1", "a2", "a3", "a4", "a5"}),
    (A, "events_0.type IN (3)", {"a1", "a2"}),
    (C, "artifacts_a.state IN (2)", {"c1", "c2"}),
    (E, "last_known_state IN (2, 4)", {"e1", "e3"}),
    # properties: typed values, absent (or of another type) is NULL
    (A, "properties.day.int_value > 0", {"a1", "a2"}),
    (A, "properties.day.int_value != 1", {"a2"}),
    (A, "NOT (properties.day.int_value = 1)", {"a2"}),
    (A, "properties.day.int_value IS NULL", {"a3", "a4", "a5"}),
    (A, "properties.day.double_value IS NULL", {"a1", "a2", "a3", "a4", "a5"}),
    (A, "properties.score.double_value > 0.95", {"a2"}),
    (A, "properties.score.double_value IN (0.5, 2)", {"a1"}),
    (A, "properties.note.string_value LIKE 'H%'", {"a1"}),
    (A, "properties.note.string_value LIKE 'h%'", set()),
    (A, "properties.ok.bool_value = true", {"a1"}),
    (A, "properties.ok.bool_value != true", {"a2"}),
    (A, "properties.blob.string_value IS NOT NULL", set()),  # a STRUCT is no string
    (A, "custom_properties.st.string_value LIKE '%'", set()),
    (A, "custom_properties.c.string_value = 'x'", {"a1"}),
    (A, "properties.c.string_value = 'x'", set()),
    (A, "custom_properties.mixed.int_value = 1", {"a1"}),
    (A, "custom_properties.mixed.double_value = 1", {"a3"}),
    (A, "custom_properties.mixed.string_value = '1'", {"a2"}),
    (A, "custom_properties.mixed.int_value < 5", {"a1"}),
    (A, "custom_properties.mixed.int_value != 1", set()),
    (A, "custom_properties.`my:odd.key`.bool_value = true", {"a2"}),
    (A, "custom_properties.note2.string_value LIKE 'line1_line2'", {"a4"}),
    (A, "custom_properties.`tick\\`key`.string_value = 'ok'", {"a3"}),
    (A, "name = 'a1\\' OR \\'1\\' = \\'1'", set()),  # a quote inside a literal stays inside
    (A, "properties.day.int_value = 1 OR name = 'a3'", {"a1", "a3"}),
    (A, 'type = "DataSet" AND properties.note.string_value IS NOT NULL', {"a1"}),
    # aliases: same alias = same neighbour, different aliases independent
    (A, "contexts_a.name = 'exp1'", {"a1"}),
    (A, "contexts_a.type = 'Run'", {"a1", "a2", "a3"}),
    (A, "contexts_a.id = {c1}", {"a1"}),
    (A, "contexts_a.type = 'Experiment' AND contexts_a.name = 'run1'", set()),
    (A, "contexts_a.type = 'Experiment' AND contexts_b.name = 'run1'", {"a1"}),
    (A, "contexts_a.name = 'exp1' AND contexts_b.name = 'exp1'", {"a1"}),
    (A, "contexts_a.name = 'run1' OR contexts_a.name = 'run2'", {"a1", "a2", "a3"}),
    # one existence test over both aliases, which may still be the same context
    (A, "(contexts_a.name = 'exp1' OR contexts_b.id = 0) AND (contexts_b.name = 'exp1' OR "
        "contexts_a.id = 0)", {"a1"}),
    (A, "contexts_a.name = 'run1' OR name = 'a4'", {"a1", "a2", "a4"}),  # a4 has no context
    (A, "NOT (contexts_a.name = 'run1')", {"a1", "a3"}),  # some context is not run1
    (A, "contexts_a.name != 'run1'", {"a1", "a3"}),
    (A, "NOT (contexts_a.name = 'exp1' OR name = 'a2')", {"a1", "a3"}),
    (A, "(contexts_a.name = 'exp1' OR properties.day.int_value = 5) AND contexts_a.type = 'Run'",
     {"a2"}),
    (A, "contexts_a.id IS NULL", {"a4", "a5"}),
    (A, "contexts_a.id IS NOT NULL", {"a1", "a2", "a3"}),
    (A, "contexts_a.properties.n.int_value = 2", {"a3"}),
    (A, "contexts_a.properties.n.int_value > 0 AND contexts_a.name = 'run1'", {"a1", "a2"}),
    (A, "type = 'DataSet' AND (contexts_a.type = 'Run' AND contexts_a.name = 'run1') AND "
        "(properties.day.int_value = 1 OR custom_properties.day.int_value = 1)", {"a1"}),
    (A, "events_0.type = INPUT", {"a1", "a2"}),
    (A, "events_0.type IN (INPUT, INTERNAL_INPUT)", {"a1", "a2"}),
    (A, "events_0.type = DECLARED_INPUT", {"a1"}),
    (A, "events_0.type != INPUT", {"a1", "a2", "a3"}),
    (A, "events_0.execution_id = {e1}", {"a1", "a2"}),
    (A, "events_0.type = OUTPUT AND events_0.execution_id = {e2}", {"a3"}),
    (A, "events_0.type = OUTPUT AND events_1.execution_id = {e2}", {"a2", "a3"}),
    (A, "events_0.milliseconds_since_epoch > 250", {"a1", "a2", "a3"}),
    (A, "events_0.milliseconds_since_epoch IS NULL", {"a4", "a5"}),
    (A, "contexts_a.name = 'run1' AND events_0.type = OUTPUT", {"a2"}),
    (A, "contexts_a.name = 'run2' OR events_0.type = DECLARED_INPUT", {"a1", "a3"}),
    # executions
    (E, "last_known_state = RUNNING", {"e1"}),
    (E, "last_known_state != RUNNING", {"e2", "e3"}),
    (E, "last_known_state NOT IN (FAILED, CANCELED)", {"e1", "e2"}),
    (E, "properties.epochs.int_value >= 3", {"e1", "e2"}),
    (E, 'type = "Trainer" AND properties.epochs.int_value IS NOT NULL', {"e1", "e2"}),
    (E, "contexts_a.name = 'exp1'", {"e2"}),
    (E, "contexts_a.id IS NULL", {"e3"}),
    (E, "events_0.artifact_id = {a1}", {"e1", "e2"}),
    (E, "events_0.artifact_id = {a3} AND events_0.type = OUTPUT", {"e2"}),
    (E, "events_0.type = OUTPUT AND events_0.artifact_id = {a1}", set()),
    (E, "events_0.type = INPUT AND events_1.type = OUTPUT", {"e1", "e2"}),
    (E, "events_0.milliseconds_since_epoch = 100", {"e1"}),
    # contexts
    (C, "artifacts_a.name = 'a1'", {"c1", "c2"}),
    (C, "artifacts_a.uri LIKE '/data/%'", {"c1", "c2"}),
    (C, "artifacts_a.state = LIVE", {"c1", "c2"}),
    (C, "artifacts_a.state IN (PENDING, DELETED)", {"c2", "c3"}),
    (C, "artifacts_a.name = 'a1' AND artifacts_a.name = 'a2'", set()),
    (C, "artifacts_a.name = 'a1' AND artifacts_b.name = 'a2'", {"c2"}),
    (C, "artifacts_a.properties.day.int_value = 5", {"c2"}),
    (C, "NOT (artifacts_a.name = 'a1')", {"c2", "c3"}),
    (C, "type = 'Experiment' AND artifacts_a.id IS NULL", {"c4"}),
    (C, "executions_a.last_known_state = COMPLETE", {"c1", "c3"}),
    (C, "executions_a.name = 'e1' OR artifacts_a.name = 'a3'", {"c2", "c3"}),
    (C, "parent_contexts_a.name = 'exp1'", {"c2", "c3"}),
    (C, "parent_contexts_a.name = 'exp1' AND parent_contexts_b.name = 'exp2'", {"c3"}),
    (C, "parent_contexts_a.id IS NULL", {"c1", "c4"}),
    (C, "child_contexts_a.type = 'Run'", {"c1", "c4"}),
    (C, "child_contexts_a.properties.n.int_value = 1", {"c1"}),
    (C, "child_contexts_a.id IS NULL", {"c2", "c3"}),
    (C, "properties.n.int_value = 1 OR executions_a.id = {e2}", {"c1", "c2", "c3"}),
    (C, "external_id IS NOT NULL", {"c4"}),
]

# random filters per node kind; Neo4j plans each new text (~0.1 s cold), SQLite is cheap
GENERATED = {"sqlite": 300, "neo4j": 40}


@pytest.fixture(scope="module", autouse=True)
def filter_compilers() -> Iterator[None]:
    """Install the filter compilers where a compiler still has an empty hook; undo afterwards."""
    hooked = [(cls, fn) for cls, fn in ((SqlCompiler, compile_filter_sql),
                                        (CypherCompiler, compile_filter_cypher))
              if hasattr(cls, "filter_compiler") and cls.filter_compiler is None]
    for cls, fn in hooked:
        cls.filter_compiler = staticmethod(fn)
    yield
    for cls, _ in hooked:
        cls.filter_compiler = None


class Seeded:
    def __init__(self, store: MetadataStore) -> None:
        self.store = store
        self.engine = store.engine_name
        self.ids = build(store)
        self.world: World = read_world(store, self.ids)

    def query(self, kind: NodeKind, text: str) -> set[str]:
        op = ops.NodeQuery(kind, filter=parse(text, kind))
        rows: list[dict[str, Any]] = self.store._engine.read(lambda tx: tx.run(op))
        return self.world.names_of(kind, [r["id"] for r in rows])


@pytest.fixture(scope="module")
def sqlite_world() -> Iterator[Seeded]:
    store = MetadataStore()
    yield Seeded(store)
    store.close()


@pytest.fixture(scope="module")
def neo4j_world(neo4j_server: Neo4jTarget) -> Iterator[Seeded]:
    wipe_neo4j(neo4j_server)
    store = MetadataStore(neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password)
    yield Seeded(store)
    store.close()


@pytest.fixture(params=["sqlite", "neo4j"])
def seeded(request: pytest.FixtureRequest) -> Seeded:
    return request.getfixturevalue(f"{request.param}_world")  # type: ignore[no-any-return]


@pytest.mark.parametrize(("kind", "query", "expected"), CASES,
                         ids=[f"{k.value}:{q}" for k, q, _ in CASES])
def test_case(seeded: Seeded, kind: NodeKind, query: str, expected: set[str]) -> None:
    text = query.format(**seeded.ids)
    assert seeded.world.matching(parse(text, kind), kind) == expected, "reference disagrees"
    assert seeded.query(kind, text) == expected


@pytest.mark.parametrize("kind", list(NodeKind), ids=lambda k: k.value)
def test_generated_filters_match_the_reference(seeded: Seeded, kind: NodeKind) -> None:
    rng = random.Random(f"filters-{kind.value}")
    for _ in range(GENERATED[seeded.engine]):
        text = to_query(random_filter(rng, kind, seeded.world, seeded.ids))
        expected = seeded.world.matching(parse(text, kind), kind)
        assert seeded.query(kind, text) == expected, text
