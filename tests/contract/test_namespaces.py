"""Namespaces on every engine: two stores in one database or file that cannot see each other.

The isolation test calls EVERY public MetadataStore method (found by introspection: a new
method without a case here fails) from namespace "b" with namespace "a"'s ids, names and
external ids, and checks each call behaves exactly as it does for ids and names nobody has
(the same answer, or the same error), and that "a" is unchanged afterwards.
"""

from __future__ import annotations

import dataclasses
import inspect
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphstore import (
    AlreadyExists,
    Artifact,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionType,
    FailedPrecondition,
    GraphstoreError,
    InvalidArgument,
    LineageDirection,
    LineageSubgraphQueryOptions,
    ListOptions,
    MetadataStore,
    NodeRef,
    ParentContext,
    PropertyType,
    ops,
)
from graphstore._namespace import _RULES
from graphstore.kinds import NodeKind, spec_of
from tests.conftest import StoreFactory

UP, DOWN = LineageDirection.UPSTREAM, LineageDirection.DOWNSTREAM


@dataclasses.dataclass(frozen=True)
class Refs:
    """What a call can name: one world's ids, type ids, names and external ids."""

    artifact: int
    artifact2: int
    execution: int
    context: int
    child: int
    artifact_type: int
    execution_type: int
    context_type: int
    type_name: str  # a type name (of every kind) this world has and the other has not
    node_name: str
    uri: str
    external_id: str  # of a node
    type_external_id: str


def build(store: MetadataStore, only: str) -> Refs:
    """A small world: a1 -> e1 -> a2 in context c1 (child c2); the shared names "Data",
    "Train", "Run", "n" in both namespaces, and names ending in ``only`` in one."""
    at = store.put_artifact_type(ArtifactType(name="Data", properties={"day": PropertyType.INT}))
    et = store.put_execution_type(ExecutionType(name="Train"))
    ct = store.put_context_type(ContextType(name="Run"))
    oa = store.put_artifact_type(ArtifactType(name=f"T{only}", external_id=f"xt{only}"))
    store.put_execution_type(ExecutionType(name=f"T{only}", external_id=f"xt{only}"))
    store.put_context_type(ContextType(name=f"T{only}", external_id=f"xt{only}"))
    store.put_artifacts([Artifact(type_id=oa, name=f"n{only}", uri=f"u{only}")])
    c1, c2 = store.put_contexts([Context(type_id=ct, name="n", external_id=f"xc{only}"),
                                 Context(type_id=ct, name="child")])
    store.put_parent_contexts([ParentContext(child_id=c2, parent_id=c1)])
    e, (a1, a2), _ = store.put_execution(
        Execution(type_id=et, name="n", external_id=f"xe{only}"),
        [(Artifact(type_id=at, name="n", uri="u", external_id=f"xa{only}", properties={"day": 1}),
          Event(type=EventType.INPUT)),
         (Artifact(type_id=at, name="m", uri="u", properties={"day": 2}), Event(type=EventType.OUTPUT))],
        [store.get_context_by_type_and_name("Run", "n")])  # type: ignore[list-item]
    return Refs(a1, a2, e, c1, c2, at, et, ct, f"T{only}", f"n{only}", f"u{only}", f"xa{only}",
                f"xt{only}")


GHOST = Refs(10**12, 10**12 + 1, 10**12 + 2, 10**12 + 3, 10**12 + 4, 10**12 + 5, 10**12 + 6,
             10**12 + 7, "Tghost", "nghost", "ughost", "xaghost", "xtghost")
"""Ids, names and external ids that no namespace has."""

Case = Callable[[MetadataStore, Refs], Any]


def _a(r: Refs) -> NodeRef:
    return NodeRef("artifact", r.artifact)


def _a2(r: Refs) -> NodeRef:
    return NodeRef("artifact", r.artifact2)


CASES: dict[str, Case] = {
    # types
    "put_artifact_type": lambda s, r: s.put_artifact_type(
        ArtifactType(name=r.type_name, properties={"x": PropertyType.INT}), can_add_fields=True) > 0,
    "put_execution_type": lambda s, r: s.put_execution_type(
        ExecutionType(name=r.type_name, properties={"x": PropertyType.INT}), can_add_fields=True) > 0,
    "put_context_type": lambda s, r: s.put_context_type(
        ContextType(name=r.type_name, properties={"x": PropertyType.INT}), can_add_fields=True) > 0,
    "get_artifact_type": lambda s, r: s.get_artifact_type(r.type_name),
    "get_execution_type": lambda s, r: s.get_execution_type(r.type_name),
    "get_context_type": lambda s, r: s.get_context_type(r.type_name),
    "get_artifact_types": lambda s, r: [t.name for t in s.get_artifact_types()],
    "get_execution_types": lambda s, r: [t.name for t in s.get_execution_types()],
    "get_context_types": lambda s, r: [t.name for t in s.get_context_types()],
    "get_artifact_types_by_id": lambda s, r: s.get_artifact_types_by_id([r.artifact_type]),
    "get_execution_types_by_id": lambda s, r: s.get_execution_types_by_id([r.execution_type]),
    "get_context_types_by_id": lambda s, r: s.get_context_types_by_id([r.context_type]),
    "get_artifact_types_by_external_ids": lambda s, r: s.get_artifact_types_by_external_ids([r.type_external_id]),
    "get_execution_types_by_external_ids": lambda s, r: s.get_execution_types_by_external_ids([r.type_external_id]),
    "get_context_types_by_external_ids": lambda s, r: s.get_context_types_by_external_ids([r.type_external_id]),
    # node writes: another namespace's ids, types and contexts are unknown ones
    "put_artifacts": lambda s, r: s.put_artifacts([Artifact(id=r.artifact, type_id=r.artifact_type, uri="x")]),
    "put_executions": lambda s, r: s.put_executions([Execution(type_id=r.execution_type)]),
    "put_contexts": lambda s, r: s.put_contexts([Context(id=r.context, type_id=r.context_type, name="x")]),
    "delete_artifacts": lambda s, r: s.delete_artifacts([r.artifact]),
    "delete_executions": lambda s, r: s.delete_executions([r.execution]),
    "delete_contexts": lambda s, r: s.delete_contexts([r.context]),
    # retention: a dry run (a real prune in another namespace is test_prune_stays_in_its_namespace)
    "prune": lambda s, r: s.prune(2**62, keep=[r.artifact], dry_run=True).as_dict(),
    # node reads
    "get_artifacts": lambda s, r: s.get_artifacts(ListOptions(filter_query=f"uri = '{r.uri}'")),
    "get_executions": lambda s, r: s.get_executions(ListOptions(filter_query=f"id = {r.execution}")),
    "get_contexts": lambda s, r: s.get_contexts(ListOptions(filter_query=f"external_id = 'xc{r.type_name[1:]}'")),
    "page_artifacts": lambda s, r: s.page_artifacts(context_id=r.context),
    "page_executions": lambda s, r: s.page_executions(context_id=r.context),
    "page_contexts": lambda s, r: s.page_contexts(ListOptions(filter_query=f"id = {r.context}")),
    "iter_artifacts": lambda s, r: list(s.iter_artifacts(context_id=r.context)),
    "iter_executions": lambda s, r: list(s.iter_executions(context_id=r.context)),
    "iter_contexts": lambda s, r: list(s.iter_contexts(ListOptions(filter_query=f"id = {r.child}"))),
    "get_artifacts_by_id": lambda s, r: s.get_artifacts_by_id([r.artifact, r.artifact2]),
    "get_executions_by_id": lambda s, r: s.get_executions_by_id([r.execution]),
    "get_contexts_by_id": lambda s, r: s.get_contexts_by_id([r.context, r.child]),
    "get_artifacts_by_type": lambda s, r: s.get_artifacts_by_type(r.type_name),
    "get_executions_by_type": lambda s, r: s.get_executions_by_type(r.type_name),
    "get_contexts_by_type": lambda s, r: s.get_contexts_by_type(r.type_name),
    "get_artifact_by_type_and_name": lambda s, r: s.get_artifact_by_type_and_name(r.type_name, r.node_name),
    "get_execution_by_type_and_name": lambda s, r: s.get_execution_by_type_and_name(r.type_name, r.node_name),
    "get_context_by_type_and_name": lambda s, r: s.get_context_by_type_and_name(r.type_name, r.node_name),
    "get_artifacts_by_uri": lambda s, r: s.get_artifacts_by_uri(r.uri),
    "get_artifacts_by_external_ids": lambda s, r: s.get_artifacts_by_external_ids([r.external_id]),
    "get_executions_by_external_ids": lambda s, r: s.get_executions_by_external_ids([f"xe{r.type_name[1:]}"]),
    "get_contexts_by_external_ids": lambda s, r: s.get_contexts_by_external_ids([f"xc{r.type_name[1:]}"]),
    "get_artifacts_and_types_by_artifact_ids": lambda s, r: s.get_artifacts_and_types_by_artifact_ids([r.artifact]),
    "get_artifacts_by_context": lambda s, r: s.get_artifacts_by_context(r.context),
    "get_executions_by_context": lambda s, r: s.get_executions_by_context(r.context),
    "get_contexts_by_artifact": lambda s, r: s.get_contexts_by_artifact(r.artifact),
    "get_contexts_by_execution": lambda s, r: s.get_contexts_by_execution(r.execution),
    "get_parent_contexts_by_context": lambda s, r: s.get_parent_contexts_by_context(r.child),
    "get_children_contexts_by_context": lambda s, r: s.get_children_contexts_by_context(r.context),
    # relations: refused, naming the id
    "put_events": lambda s, r: s.put_events([Event(artifact_id=r.artifact, execution_id=r.execution,
                                                   type=EventType.OUTPUT)]),
    "get_events_by_artifact_ids": lambda s, r: s.get_events_by_artifact_ids([r.artifact]),
    "get_events_by_execution_ids": lambda s, r: s.get_events_by_execution_ids([r.execution]),
    "put_attributions_and_associations": lambda s, r: s.put_attributions_and_associations(
        [Attribution(artifact_id=r.artifact2, context_id=r.child)],
        [Association(execution_id=r.execution, context_id=r.child)]),
    "put_parent_contexts": lambda s, r: s.put_parent_contexts([ParentContext(child_id=r.context,
                                                                             parent_id=r.child)]),
    "put_execution": lambda s, r: s.put_execution(
        Execution(type_id=r.execution_type), [(Artifact(id=r.artifact, type_id=r.artifact_type), None)], []),
    "put_lineage_subgraph": lambda s, r: s.put_lineage_subgraph(
        [Execution(id=r.execution, type_id=r.execution_type)], [], [], []),
    # lineage and analysis
    "get_lineage_subgraph": lambda s, r: s.get_lineage_subgraph(
        LineageSubgraphQueryOptions(starting_artifacts=f"id = {r.artifact}")).model_dump(),
    "lineage": lambda s, r: s.lineage(DOWN, artifact_id=r.artifact).refs,
    "upstream": lambda s, r: s.upstream(artifact_id=r.artifact2).refs,
    "downstream": lambda s, r: s.downstream(execution_id=r.execution).refs,
    "count_lineage": lambda s, r: s.count_lineage(UP, artifact_id=r.artifact2),
    "is_upstream": lambda s, r: s.is_upstream(of=_a2(r), candidate=_a(r)),
    "path_between": lambda s, r: s.path_between(_a(r), _a2(r)),
    "impact": lambda s, r: s.impact([r.artifact], mark="bad").model_dump(),
    "unmark_impact": lambda s, r: s.unmark_impact([r.artifact]),
    "find_cached_execution": lambda s, r: s.find_cached_execution(
        r.execution_type, [Event(artifact_id=r.artifact, type=EventType.INPUT)]),
    "compare_artifacts": lambda s, r: s.compare_artifacts(r.artifact, r.artifact2),
    "compare_executions": lambda s, r: s.compare_executions(r.execution, r.execution),
    # export writes only the calling namespace; import refuses a namespace holding nodes
    "export": lambda s, r: s.export(_scratch(s) / "out.jsonl"),
    "import_file": lambda s, r: s.import_file(_exported(s)),
}
# not store calls: opening, closing, and views of another namespace
NOT_CALLS = {"close", "from_env", "with_namespace"}


def _scratch(store: MetadataStore) -> Path:
    path = Path(tempfile.mkdtemp(prefix="gs-ns-"))
    return path


def _exported(store: MetadataStore) -> Path:
    path = _scratch(store) / "b.jsonl"
    store.export(path)
    return path


def public_methods() -> set[str]:
    return {name for name, value in inspect.getmembers(MetadataStore)
            if not name.startswith("_") and callable(value)}


def test_every_method_has_a_cross_namespace_case() -> None:
    missing = public_methods() - NOT_CALLS - set(CASES)
    assert not missing, f"add a cross-namespace case to CASES for: {sorted(missing)}"
    assert not set(CASES) - public_methods()


def test_the_public_properties_are_the_connections() -> None:
    # not calls, so not in CASES: a new one must be either the connection's (shared by every
    # namespace's view, as these are) or narrowed, and gets a case here
    properties = {name for name, value in inspect.getmembers(MetadataStore)
                  if not name.startswith("_") and not callable(value)}
    assert properties == {"bookmarks", "engine_name"}
    with MetadataStore() as a:
        b = a.with_namespace("b")
        b.put_artifact_type(ArtifactType(name="T"))
        assert (a.bookmarks, a.engine_name) == (b.bookmarks, b.engine_name)


def test_every_operation_has_a_namespace_rule() -> None:
    ops_types = {t for t in vars(ops).values() if isinstance(t, type) and t.__module__ == ops.__name__
                 and dataclasses.is_dataclass(t) and t not in (ops.TypeRow, ops.NodeRow, ops.EventRow,
                                                               ops.LinkFilter, ops.Report)}
    assert ops_types == set(_RULES)


def _outcome(case: Case, store: MetadataStore, refs: Refs) -> Any:
    try:
        return ("ok", _plain(case(store, refs)))
    except GraphstoreError as exc:  # the error's kind is the outcome; its text names the id
        return ("error", type(exc).__name__)


def _plain(value: Any) -> Any:
    """A result with the ids the calling namespace made itself left out (both calls make some)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if hasattr(value, "items") and hasattr(value, "next_page_token"):  # a Page
        return [_plain(value.items), value.next_page_token]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def snapshot(store: MetadataStore) -> Any:
    """Everything a namespace holds, as plain data."""
    arts, exes, ctxs = store.get_artifacts(), store.get_executions(), store.get_contexts()
    return [
        [t.model_dump() for t in (*store.get_artifact_types(), *store.get_execution_types(),
                                  *store.get_context_types())],
        [n.model_dump() for n in (*arts, *exes, *ctxs)],
        [e.model_dump() for e in store.get_events_by_artifact_ids([a.id for a in arts])],
        [[c.id for c in store.get_contexts_by_artifact(a.id)] for a in arts],
        [[c.id for c in store.get_contexts_by_execution(e.id)] for e in exes],
        [[c.id for c in store.get_parent_contexts_by_context(c.id)] for c in ctxs],
    ]


def test_no_call_in_one_namespace_reaches_another(open_store: StoreFactory) -> None:
    a, b = open_store(namespace="a"), open_store(namespace="b")
    refs = build(a, "A")
    build(b, "B")
    before = snapshot(a)
    # type puts last: they make types in b that later reads would then find
    for name, case in sorted(CASES.items(), key=lambda c: c[0].endswith("_type") and c[0].startswith("put_")):
        foreign, ghost = _outcome(case, b, refs), _outcome(case, b, GHOST)
        assert foreign == ghost, f"{name}: another namespace's refs gave {foreign}, unknown ones {ghost}"
    assert snapshot(a) == before
    # and b sees only its own: no (kind, id) of a's
    def ids(s: MetadataStore) -> set[tuple[str, int]]:
        return {(type(n).__name__, n.id) for n in (*s.get_artifacts(), *s.get_executions(),
                                                    *s.get_contexts())}
    assert ids(a) and ids(b) and not ids(a) & ids(b)


def test_relations_across_namespaces_are_refused_naming_the_id(open_store: StoreFactory) -> None:
    a, b = open_store(namespace="a"), open_store(namespace="b")
    ra, rb = build(a, "A"), build(b, "B")
    with pytest.raises(InvalidArgument, match=str(ra.artifact)):
        b.put_events([Event(artifact_id=ra.artifact, execution_id=rb.execution, type=EventType.OUTPUT)])
    with pytest.raises(InvalidArgument, match=str(ra.context)):
        b.put_attributions_and_associations([Attribution(artifact_id=rb.artifact, context_id=ra.context)], [])
    with pytest.raises(InvalidArgument, match=str(ra.context)):
        b.put_attributions_and_associations([], [Association(execution_id=rb.execution, context_id=ra.context)])
    with pytest.raises(InvalidArgument, match=str(ra.context)):
        b.put_parent_contexts([ParentContext(child_id=rb.child, parent_id=ra.context)])


def test_same_names_in_two_namespaces(open_store: StoreFactory) -> None:
    a, b = open_store(namespace="a"), open_store(namespace="b")
    ra, rb = build(a, "A"), build(b, "B")
    assert a.get_artifact_type("Data").id == ra.artifact_type != rb.artifact_type == b.get_artifact_type("Data").id
    assert a.get_context_by_type_and_name("Run", "n").id == ra.context  # type: ignore[union-attr]
    assert b.get_context_by_type_and_name("Run", "n").id == rb.context  # type: ignore[union-attr]
    assert [x.id for x in b.get_artifacts_by_uri("u")] == [rb.artifact, rb.artifact2]
    # a type external id is per namespace too
    a.put_artifact_type(ArtifactType(name="Shared", external_id="same"))
    b.put_artifact_type(ArtifactType(name="Shared", external_id="same"))
    assert a.get_artifact_types_by_external_ids(["same"])[0].id != b.get_artifact_types_by_external_ids(["same"])[0].id
    # within one namespace the usual uniqueness holds
    with pytest.raises(AlreadyExists):
        b.put_contexts([Context(type_id=rb.context_type, name="n")])


def test_the_same_external_ids_in_two_namespaces(open_store: StoreFactory) -> None:
    # two teams ingesting the same dataset name: OpenLineage keys become external ids
    a, b = open_store(namespace="a"), open_store(namespace="b")
    ra = build(a, "A")
    rb = build(b, "A")  # the same external ids as a's: xaA, xeA, xcA, xtA
    assert ra.external_id == rb.external_id
    for store, refs in ((a, ra), (b, rb)):
        assert [x.id for x in store.get_artifacts_by_external_ids(["xaA"])] == [refs.artifact]
        assert [x.id for x in store.get_executions_by_external_ids(["xeA"])] == [refs.execution]
        assert [x.id for x in store.get_contexts_by_external_ids(["xcA"])] == [refs.context]
        assert [x.id for x in store.get_artifacts(ListOptions(filter_query="external_id = 'xaA'"))] \
            == [refs.artifact]
    # an update keeps a node in its namespace (and its external id there)
    art = b.get_artifacts_by_id([rb.artifact])[0]
    b.put_artifacts([art.model_copy(update={"uri": "moved"})])
    assert [x.uri for x in b.get_artifacts_by_external_ids(["xaA"])] == ["moved"]
    with pytest.raises(AlreadyExists):  # within a namespace an external id is still unique
        b.put_artifacts([Artifact(type_id=rb.artifact_type, external_id="xaA")])
    with pytest.raises(AlreadyExists):
        b.put_executions([Execution(type_id=rb.execution_type, external_id="xeA")])
    with pytest.raises(AlreadyExists):
        b.put_contexts([Context(type_id=rb.context_type, name="other", external_id="xcA")])
    # a's external id is free in a third namespace, taken nowhere else
    c = open_store(namespace="c")
    t = c.put_artifact_type(ArtifactType(name="Data"))
    assert c.get_artifacts_by_external_ids(["xaA"]) == []
    (new,) = c.put_artifacts([Artifact(type_id=t, external_id="xaA")])
    assert [x.id for x in c.get_artifacts_by_external_ids(["xaA"])] == [new]
    assert [x.id for x in a.get_artifacts_by_external_ids(["xaA"])] == [ra.artifact]


def test_filters_lineage_and_counts_stay_inside(open_store: StoreFactory) -> None:
    a, b = open_store(namespace="a"), open_store(namespace="b")
    ra, rb = build(a, "A"), build(b, "B")
    opts = ListOptions(filter_query="type = 'Data' AND properties.day.int_value = 1 AND contexts_c.name = 'n'")
    assert [x.id for x in a.get_artifacts(opts)] == [ra.artifact]
    assert [x.id for x in b.get_artifacts(opts)] == [rb.artifact]
    assert {r.id for r in b.lineage(LineageDirection.BIDIRECTIONAL, artifact_id=rb.artifact).refs} == {
        rb.execution, rb.artifact2}
    assert b.count_lineage(DOWN, artifact_id=rb.artifact, by="kind") == {"execution": 1, "artifact": 1}
    assert len(a.get_artifacts()) == len(b.get_artifacts()) == 3
    assert [p.id for p in b.get_parent_contexts_by_context(rb.child)] == [rb.context]
    graph = b.get_lineage_subgraph(LineageSubgraphQueryOptions(starting_artifacts="name = 'n'"))
    assert {x.id for x in graph.artifacts} == {rb.artifact, rb.artifact2}
    assert {c.id for c in graph.contexts} <= {rb.context, rb.child}
    report = b.impact(filter_query="name = 'n'", mark="bad")
    assert {n.ref.id for n in report.executions + report.artifacts} == {rb.execution, rb.artifact2}
    assert b.unmark_impact() > 0 and a.unmark_impact() == 0


def test_default_namespace_is_the_store_as_it_was(open_store: StoreFactory) -> None:
    plain = open_store()
    refs = build(plain, "D")
    assert plain.namespace == "default"
    named = open_store(namespace="default")
    assert snapshot(named) == snapshot(plain)
    other = open_store(namespace="other")
    assert other.get_artifacts() == [] and other.get_artifact_types() == []
    assert other.get_artifacts_by_id([refs.artifact]) == []


@pytest.mark.parametrize("bad", ["", " a", "a/b", "ä", "x" * 65, "-a", 7])
def test_namespace_names_are_checked(bad: Any) -> None:
    with pytest.raises(InvalidArgument, match="namespace"):
        MetadataStore(namespace=bad)


def test_namespace_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSTORE_NAMESPACE", "team-a")
    with MetadataStore() as store:
        assert store.namespace == "team-a" and "team-a" in repr(store)
    monkeypatch.setenv("GRAPHSTORE_NAMESPACE", "bad/name")
    with pytest.raises(InvalidArgument, match="namespace"):
        MetadataStore()


OLD_TYPE_TABLE = """CREATE TABLE type (
     id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
     version TEXT NOT NULL DEFAULT '', description TEXT, external_id TEXT,
     base_type TEXT, UNIQUE (kind, name, version), UNIQUE (kind, external_id))"""


def _old_node_table(kind: NodeKind) -> str:
    """A node table as graphstore made it before external ids were per namespace."""
    spec = spec_of(kind)
    extra = "".join(f", {c} TEXT" for c in spec.extra_fields)
    return f"""CREATE TABLE {spec.table} (
         id INTEGER PRIMARY KEY, type_id INTEGER NOT NULL, type TEXT NOT NULL,
         name TEXT{" NOT NULL" if kind is NodeKind.CONTEXT else ""}, external_id TEXT UNIQUE{extra},
         create_time_since_epoch INTEGER NOT NULL, last_update_time_since_epoch INTEGER NOT NULL,
         UNIQUE (type_id, name))"""


def _make_old_nodes(conn: Any) -> None:
    for kind in NodeKind:
        t = spec_of(kind).table
        cols = ", ".join(("id", "type_id", "type", "name", "external_id", *spec_of(kind).extra_fields,
                          "create_time_since_epoch", "last_update_time_since_epoch"))
        conn.execute(f"ALTER TABLE {t} RENAME TO {t}_new")
        conn.execute(_old_node_table(kind))
        conn.execute(f"INSERT INTO {t} ({cols}) SELECT {cols} FROM {t}_new")
        conn.execute(f"DROP TABLE {t}_new")


def _make_pre_namespace(path: Path) -> None:
    """Turn a store file into the layout graphstore had before namespaces."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE type RENAME TO type_new")
        conn.execute(OLD_TYPE_TABLE)
        conn.execute("INSERT INTO type SELECT id, kind, name, version, description, external_id, "
                     "base_type FROM type_new")
        conn.execute("DROP TABLE type_new")
        _make_old_nodes(conn)
    conn.close()


def test_a_sqlite_store_from_before_namespaces_is_the_default_namespace(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with MetadataStore(path) as store:
        refs = build(store, "D")
        before = snapshot(store)
    _make_pre_namespace(path)
    with pytest.raises(FailedPrecondition, match="predates namespaces"):
        MetadataStore(path, read_only=True)
    with MetadataStore(path) as store:  # a writable open upgrades the file in place
        assert snapshot(store) == before
        with pytest.raises(AlreadyExists):
            store.put_artifacts([Artifact(type_id=refs.artifact_type, external_id=refs.external_id)])
    with MetadataStore(path, namespace="b") as other:
        assert other.get_artifacts_by_id([refs.artifact]) == []
        assert other.put_artifact_type(ArtifactType(name="Data")) != refs.artifact_type
    with MetadataStore(path, read_only=True) as store:
        assert snapshot(store) == before


def _check_upgraded(default: MetadataStore, b: MetadataStore, before: Any, rd: Refs, rb: Refs) -> None:
    """After the upgrade: both namespaces hold what they held, and external ids are per namespace."""
    assert [snapshot(default), snapshot(b)] == before
    (moved,) = b.put_artifacts([Artifact(type_id=rb.artifact_type, external_id=rd.external_id)])
    assert [x.id for x in b.get_artifacts_by_external_ids([rd.external_id])] == [moved]
    assert [x.id for x in default.get_artifacts_by_external_ids([rd.external_id])] == [rd.artifact]
    for store, refs in ((default, rd), (b, rb)):
        with pytest.raises(AlreadyExists):
            store.put_artifacts([Artifact(type_id=refs.artifact_type, external_id=refs.external_id)])


def test_a_sqlite_store_from_before_per_namespace_external_ids_upgrades(tmp_path: Path) -> None:
    # a file made with namespaces whose node external ids were still unique file-wide
    import sqlite3

    path = tmp_path / "old.db"
    with MetadataStore(path) as default, MetadataStore(path, namespace="b") as b:
        rd, rb = build(default, "D"), build(b, "B")
        before = [snapshot(default), snapshot(b)]
    with sqlite3.connect(path) as conn:
        _make_old_nodes(conn)
    conn.close()
    with pytest.raises(FailedPrecondition, match="predates namespaces"):
        MetadataStore(path, read_only=True)
    with MetadataStore(path) as default, MetadataStore(path, namespace="b") as b:
        _check_upgraded(default, b, before, rd, rb)


def test_a_neo4j_store_from_before_namespaces_is_the_default_namespace(neo4j_server: Any) -> None:
    import neo4j

    from tests.conftest import wipe_neo4j

    wipe_neo4j(neo4j_server)
    auth = {"user": neo4j_server.user, "password": neo4j_server.password}
    with MetadataStore(neo4j_server.uri, **auth) as store:
        refs = build(store, "D")
        before = snapshot(store)
    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)) as d:
        # what a store made before namespaces holds: types without one, the old schema's marker
        d.execute_query("MATCH (t:Type) REMOVE t.namespace")
        _make_old_neo4j_nodes(d)
    with MetadataStore(neo4j_server.uri, **auth) as store:
        assert snapshot(store) == before
        with pytest.raises(AlreadyExists):
            store.put_artifacts([Artifact(type_id=refs.artifact_type, external_id=refs.external_id)])
    with MetadataStore(neo4j_server.uri, namespace="b", **auth) as other:
        assert other.get_artifacts_by_id([refs.artifact]) == []
        assert other.get_artifact_types() == []


def _make_old_neo4j_nodes(driver: Any) -> None:
    """Nodes and constraints as graphstore made them before external ids were per namespace."""
    for kind in NodeKind:
        label, low = spec_of(kind).label, kind.value
        driver.execute_query(f"MATCH (n:{label}) REMOVE n.namespace")
        driver.execute_query(f"DROP CONSTRAINT graphstore_{low}_namespace_external_id IF EXISTS")
        driver.execute_query(f"DROP INDEX graphstore_{low}_external_id_lookup IF EXISTS")
        driver.execute_query(f"CREATE CONSTRAINT graphstore_{low}_external_id IF NOT EXISTS "
                             f"FOR (n:{label}) REQUIRE n.external_id IS UNIQUE")
    driver.execute_query("MATCH (m:GraphstoreSchema) SET m.ddl = 'before-namespaces'")


def test_a_neo4j_store_from_before_per_namespace_external_ids_upgrades(neo4j_server: Any) -> None:
    import neo4j

    from tests.conftest import wipe_neo4j

    wipe_neo4j(neo4j_server)
    auth = {"user": neo4j_server.user, "password": neo4j_server.password}
    with MetadataStore(neo4j_server.uri, **auth) as default, \
            MetadataStore(neo4j_server.uri, namespace="b", **auth) as b:
        rd, rb = build(default, "D"), build(b, "B")
        before = [snapshot(default), snapshot(b)]
    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)) as d:
        _make_old_neo4j_nodes(d)
    with MetadataStore(neo4j_server.uri, **auth) as default, \
            MetadataStore(neo4j_server.uri, namespace="b", **auth) as b:
        _check_upgraded(default, b, before, rd, rb)


def test_prune_stays_in_its_namespace(open_store: StoreFactory) -> None:
    a, b = open_store(namespace="a"), open_store(namespace="b")
    build(a, "A")
    rb = build(b, "B")
    before = snapshot(a)
    report = b.prune(2**62)  # everything in b is old, nothing kept
    assert rb.artifact in report.artifacts and report.done
    assert snapshot(a) == before
    assert b.get_artifacts() == [] and a.get_artifacts() != []


def test_the_scoped_engine_passes_on_every_method_of_the_engine_interface() -> None:
    # a method the interface gains must not fall back to its default under the wrapper
    # (bookmarks() did: every store answered () and Neo4j's causal reads were lost)
    from graphstore._namespace import ScopedEngine
    from graphstore.engines.base import Engine

    interface = {n for n, v in vars(Engine).items() if callable(v) and not n.startswith("_")}
    assert interface and interface <= set(vars(ScopedEngine)), interface - set(vars(ScopedEngine))
