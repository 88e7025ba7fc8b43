"""The method-by-method audit as MLMD call scripts: repeats, unknown ids, request order, empty
lists, ``None``s, enum numbers in every filter position and result order, on each public method.

Run on real MLMD and on graphstore.mlmd by tests/mlmd/test_parity.py; every answer (or error
class) must match. docs/mlmd-parity.md is the written audit.
"""

from __future__ import annotations

from typing import Any

from ml_metadata.metadata_store import metadata_store as mlmd_api
from ml_metadata.proto import metadata_store_pb2 as pb

from tests.mlmd.parity import Recorder

_Q = pb.LineageSubgraphQueryOptions


def _opts(**kwargs: Any) -> Any:
    return mlmd_api.ListOptions(**kwargs)


def _ids(items: Any) -> list[int]:
    return [i.id for i in items]


def _events(events: Any) -> list[tuple[int, int, int]]:
    return [(e.artifact_id, e.execution_id, e.type) for e in events]


def script_ids(store: Any) -> list[tuple[str, Any]]:
    """Lookups by id, external id, type, uri and neighbour: repeats, unknowns, order, []."""
    r, s = Recorder(store), store
    x_t = r.put_type("type X", lambda: s.put_artifact_type(pb.ArtifactType(name="X", external_id="tx")))
    m_t = r.put_type("type M", lambda: s.put_artifact_type(pb.ArtifactType(name="M", external_id="tm")))
    m2_t = r.put_type("type M v2", lambda: s.put_artifact_type(pb.ArtifactType(name="M", version="2")))
    e_t = r.put_type("execution type", lambda: s.put_execution_type(pb.ExecutionType(name="E", external_id="te")))
    f_t = r.put_type("execution type F", lambda: s.put_execution_type(pb.ExecutionType(name="F")))
    c_t = r.put_type("context type", lambda: s.put_context_type(pb.ContextType(name="C", external_id="tc")))
    d_t = r.put_type("context type D", lambda: s.put_context_type(pb.ContextType(name="D")))
    x, m, m2, e, f, c, d = (t or 0 for t in (x_t, m_t, m2_t, e_t, f_t, c_t, d_t))
    for label, call in (
            ("types by id: repeats, unknown, order", lambda: s.get_artifact_types_by_id([x, 999, m, x, m])),
            ("types by id: reversed", lambda: s.get_artifact_types_by_id([m2, m, x])),
            ("types by id: empty", lambda: s.get_artifact_types_by_id([])),
            ("types by id: only unknown", lambda: s.get_artifact_types_by_id([999])),
            ("types by id: other kind's id", lambda: s.get_execution_types_by_id([x, f, e, f])),
            ("context types by id", lambda: s.get_context_types_by_id([d, c, d, 999])),
            ("types by external id: repeats, order", lambda: s.get_artifact_types_by_external_ids(
                ["tm", "nope", "tx", "tm"])),
            ("types by external id: empty", lambda: s.get_artifact_types_by_external_ids([])),
            ("execution types by external id", lambda: s.get_execution_types_by_external_ids(["te", "te"])),
            ("context types by external id", lambda: s.get_context_types_by_external_ids(["tc"])),
            ("types", lambda: s.get_artifact_types()),
            ("execution types", lambda: s.get_execution_types()),
            ("type by name, version None", lambda: s.get_artifact_type("M", None)),
            ("type by name, version ''", lambda: s.get_artifact_type("M", "")),
            ("type by name, version 2", lambda: s.get_artifact_type("M", "2"))):
        r(label, call, unset=("external_id",) if label.endswith("types") else ())

    # ids run against the type: the M artifact (id 1) has the larger type id
    arts = r("put artifacts: ids in input order", lambda: s.put_artifacts(
        [pb.Artifact(type_id=m, uri="/b", name="m0", external_id="a0")]
        + [pb.Artifact(type_id=x, uri=f"/{'ab'[i % 2]}", name=f"x{i}", external_id=f"a{i + 1}",
                       state=i % 6 + 1) for i in range(6)]
        + [pb.Artifact(type_id=m2, uri="/b", name="m1")])) or [0] * 8
    r("put artifacts: empty", lambda: s.put_artifacts([]))
    r("put artifacts: update then insert", lambda: s.put_artifacts(
        [pb.Artifact(id=arts[3], type_id=x, uri="/a", state=pb.Artifact.LIVE),
         pb.Artifact(type_id=x, uri="/c")]))
    for label, call in (
            ("artifacts by id: repeats, unknown, order", lambda: s.get_artifacts_by_id(
                [arts[5], 999, arts[1], arts[5], arts[0]])),
            ("artifacts by id: empty", lambda: s.get_artifacts_by_id([])),
            ("artifacts by id: only unknown", lambda: s.get_artifacts_by_id([999, 998])),
            ("artifacts by type", lambda: _ids(s.get_artifacts_by_type("X"))),
            ("artifacts by type: version None", lambda: _ids(s.get_artifacts_by_type("M"))),
            ("artifacts by type: version", lambda: _ids(s.get_artifacts_by_type("M", "2"))),
            ("artifacts by type: unknown version", lambda: s.get_artifacts_by_type("M", "9")),
            ("artifacts by type: unknown", lambda: s.get_artifacts_by_type("nope")),
            ("artifacts by uri", lambda: _ids(s.get_artifacts_by_uri("/b"))),
            ("artifacts by uri: unknown", lambda: s.get_artifacts_by_uri("/nope")),
            ("artifacts by uri: empty string", lambda: s.get_artifacts_by_uri("")),
            ("artifacts by external id: repeats, unknown, order", lambda: _ids(
                s.get_artifacts_by_external_ids(["a4", "nope", "a1", "a4", "a0"]))),
            ("artifacts by external id: empty", lambda: s.get_artifacts_by_external_ids([])),
            ("artifact by type and name", lambda: s.get_artifact_by_type_and_name("X", "x2")),
            ("artifact by type and name: version", lambda: s.get_artifact_by_type_and_name("M", "m1", "2")),
            ("artifact by type and name: other version", lambda: s.get_artifact_by_type_and_name("M", "m1")),
            ("artifact by type and name: unknown type", lambda: s.get_artifact_by_type_and_name("Q", "m1")),
            ("artifacts and types: order of both", lambda: s.get_artifacts_and_types_by_artifact_ids(
                [arts[7], arts[2], arts[0], arts[2], 999])),
            ("artifacts and types: empty", lambda: s.get_artifacts_and_types_by_artifact_ids([])),
            ("artifacts and types: only unknown", lambda: s.get_artifacts_and_types_by_artifact_ids([999]))):
        r(label, call, unset=("base_type",))

    execs = r("put executions", lambda: s.put_executions(
        [pb.Execution(type_id=f, name="f0", external_id="e0")]
        + [pb.Execution(type_id=e, name=f"e{i}", external_id=f"e{i + 1}", last_known_state=i % 7)
           for i in range(5)])) or [0] * 6
    ctxs = r("put contexts", lambda: s.put_contexts(
        [pb.Context(type_id=d, name="d0", external_id="c0")]
        + [pb.Context(type_id=c, name=f"c{i}", external_id=f"c{i + 1}") for i in range(5)])) or [0] * 6
    for label, call in (
            ("executions by id", lambda: _ids(s.get_executions_by_id([execs[3], execs[1], 999, execs[3]]))),
            ("executions by id: empty", lambda: s.get_executions_by_id([])),
            ("executions by type", lambda: _ids(s.get_executions_by_type("E"))),
            ("executions by external id", lambda: _ids(s.get_executions_by_external_ids(["e3", "e1", "e3"]))),
            ("executions by external id: unknown", lambda: s.get_executions_by_external_ids(["nope"])),
            ("executions by external id: empty", lambda: s.get_executions_by_external_ids([])),
            ("execution by type and name", lambda: s.get_execution_by_type_and_name("E", "e2")),
            ("execution by type and name: unknown", lambda: s.get_execution_by_type_and_name("E", "zz")),
            ("contexts by id", lambda: _ids(s.get_contexts_by_id([ctxs[4], ctxs[0], ctxs[4], 999]))),
            ("contexts by id: empty", lambda: s.get_contexts_by_id([])),
            ("contexts by type", lambda: _ids(s.get_contexts_by_type("C"))),
            ("contexts by external id", lambda: _ids(s.get_contexts_by_external_ids(["c3", "c0", "c3"]))),
            ("contexts by external id: unknown", lambda: s.get_contexts_by_external_ids(["nope"])),
            ("contexts by external id: empty", lambda: s.get_contexts_by_external_ids([])),
            ("context by type and name", lambda: s.get_context_by_type_and_name("C", "c1"))):
        r(label, call)

    # events written out of id order, so that every candidate order differs
    r("put events", lambda: s.put_events([
        pb.Event(artifact_id=arts[4], execution_id=execs[2], type=pb.Event.INPUT),
        pb.Event(artifact_id=arts[2], execution_id=execs[4], type=pb.Event.OUTPUT),
        pb.Event(artifact_id=arts[2], execution_id=execs[1], type=pb.Event.INPUT),
        pb.Event(artifact_id=arts[4], execution_id=execs[1], type=pb.Event.OUTPUT),
        pb.Event(artifact_id=arts[1], execution_id=execs[4], type=pb.Event.INPUT),
        pb.Event(artifact_id=arts[2], execution_id=execs[2], type=pb.Event.DECLARED_OUTPUT),
        pb.Event(artifact_id=arts[2], execution_id=execs[2], type=pb.Event.OUTPUT)]))
    r("put events: empty", lambda: s.put_events([]))
    for label, call in (
            ("events by artifacts: order", lambda: _events(s.get_events_by_artifact_ids(
                [arts[4], arts[1], arts[2], arts[4], 999]))),
            ("events by executions: order", lambda: _events(s.get_events_by_execution_ids(
                [execs[4], execs[2], execs[1], execs[4], 999]))),
            ("events by artifacts: empty", lambda: s.get_events_by_artifact_ids([])),
            ("events by executions: unknown", lambda: s.get_events_by_execution_ids([999]))):
        r(label, call)

    # links written out of id order
    r("links", lambda: s.put_attributions_and_associations(
        [pb.Attribution(artifact_id=a, context_id=k) for a, k in (
            (arts[5], ctxs[3]), (arts[1], ctxs[3]), (arts[5], ctxs[1]), (arts[3], ctxs[3]),
            (arts[5], ctxs[4]), (arts[5], ctxs[1]))],
        [pb.Association(execution_id=x_, context_id=k) for x_, k in (
            (execs[4], ctxs[3]), (execs[1], ctxs[3]), (execs[4], ctxs[0]), (execs[2], ctxs[3]))]))
    r("links: empty", lambda: s.put_attributions_and_associations([], []))
    r("parents", lambda: s.put_parent_contexts([pb.ParentContext(child_id=ch, parent_id=p) for ch, p in (
        (ctxs[4], ctxs[2]), (ctxs[1], ctxs[2]), (ctxs[3], ctxs[2]), (ctxs[4], ctxs[0]), (ctxs[4], ctxs[5]))]))
    r("parents: empty", lambda: s.put_parent_contexts([]))
    for label, call in (
            ("contexts by artifact: order", lambda: _ids(s.get_contexts_by_artifact(arts[5]))),
            ("contexts by execution: order", lambda: _ids(s.get_contexts_by_execution(execs[4]))),
            ("contexts by artifact: unknown", lambda: s.get_contexts_by_artifact(999)),
            ("artifacts by context: order", lambda: _ids(s.get_artifacts_by_context(ctxs[3]))),
            ("artifacts by context: unknown", lambda: s.get_artifacts_by_context(999)),
            ("executions by context: order", lambda: _ids(s.get_executions_by_context(ctxs[3]))),
            ("executions by context: id order", lambda: _ids(s.get_executions_by_context(
                ctxs[3], _opts(order_by=mlmd_api.OrderByField.ID)))),
            ("executions by context: limit", lambda: _ids(s.get_executions_by_context(ctxs[3], _opts(limit=2)))),
            ("artifacts by context: desc limit", lambda: _ids(s.get_artifacts_by_context(
                ctxs[3], _opts(is_asc=False, limit=2)))),
            ("parents of: order", lambda: _ids(s.get_parent_contexts_by_context(ctxs[4]))),
            ("children of: order", lambda: _ids(s.get_children_contexts_by_context(ctxs[2]))),
            ("parents of: none", lambda: s.get_parent_contexts_by_context(ctxs[2])),
            ("children of: unknown", lambda: s.get_children_contexts_by_context(999))):
        r(label, call)

    for label, options in (
            ("none", None), ("empty options", _opts()), ("limit 3", _opts(limit=3)),
            ("desc", _opts(is_asc=False)), ("id desc limit", _opts(order_by=mlmd_api.OrderByField.ID,
                                                                    is_asc=False, limit=4)),
            ("empty filter", _opts(filter_query="")), ("blank filter", _opts(filter_query="  ")),
            ("limit 0", _opts(limit=0))):
        r(f"list artifacts: {label}", lambda o=options: _ids(s.get_artifacts(list_options=o)))
        r(f"list contexts: {label}", lambda o=options: _ids(s.get_contexts(list_options=o)))
    return r.answers


# Filters with enum numbers that MLMD 1.17 accepts, on each enum attribute: the same answers.
# MLMD rejects numbers with = and != and in two-member lists; ENUM_NUMBERS_MLMD_REJECTS pairs
# each such query with the MLMD query graphstore reads it as.
_ARTIFACT_FILTERS = (
    "state IN (2)", "state IN (0)", "state IN (2, 3, 4)", "state IN (1,2,3,4,5,6)",
    "state IN (7)", "state IN (-1)", "state NOT IN (2)", "state NOT IN (2, 3, 4)", "NOT state IN (2)",
    "state IN (2) OR state IN (3)", "state IN (2) AND state IN (LIVE)", "state > 1", "state < 3",
    "state <= 2", "state >= 4", "state > 6", "state = -1", "state != -1", "2 < state",
    "state IN (LIVE)", "state = LIVE", "state != LIVE", "state NOT IN (LIVE, PENDING)",
    "state IS NULL", "events_e.type IN (3)", "events_e.type IN (3, 4, 1)", "events_e.type > 2",
    "events_e.type NOT IN (4)", "events_e.type IN (0)",
)
_EXECUTION_FILTERS = (
    "last_known_state IN (2)", "last_known_state IN (1,2,3)", "last_known_state IN (7)",
    "last_known_state > 2", "last_known_state NOT IN (3)", "last_known_state IN (COMPLETE)",
    "events_e.type IN (4)", "events_e.type IN (1,2,3)", "events_e.type > 3",
)
ENUM_NUMBERS_MLMD_REJECTS = (
    ("state = 2", "state = LIVE"), ("state != 2", "state != LIVE"),
    ("state IN (1, 2)", "state IN (PENDING, LIVE)"), ("state IN (LIVE, 3)", "state IN (LIVE, MARKED_FOR_DELETION)"),
    ("state NOT IN (1, 2)", "state NOT IN (PENDING, LIVE)"),
    ("last_known_state = 3", "last_known_state = COMPLETE"),
    ("events_e.type = 3", "events_e.type = INPUT"), ("events_e.type IN (3, 4)", "events_e.type IN (INPUT, OUTPUT)"),
)


def _enum_graph(s: Any, r: Recorder, unset: bool = False) -> tuple[list[int], list[int]]:
    """Nodes in every state, and one node per kind "without a state": with ``unset`` it is
    given none, else UNKNOWN (graphstore stores an unset state as UNKNOWN; MLMD as NULL)."""
    no_state: dict[str, Any] = {} if unset else {"state": pb.Artifact.UNKNOWN}
    no_last: dict[str, Any] = {} if unset else {"last_known_state": pb.Execution.UNKNOWN}
    t = r.put_type("type", lambda: s.put_artifact_type(pb.ArtifactType(name="A"))) or 0
    et = r.put_type("execution type", lambda: s.put_execution_type(pb.ExecutionType(name="E"))) or 0
    arts = r("artifacts", lambda: s.put_artifacts(
        [pb.Artifact(type_id=t, uri=f"/{i}", state=i % 7) for i in range(9)]
        + [pb.Artifact(type_id=t, uri="/no-state", **no_state)])) or [0] * 10
    execs = r("executions", lambda: s.put_executions(
        [pb.Execution(type_id=et, name=f"e{i}", last_known_state=i % 7) for i in range(8)]
        + [pb.Execution(type_id=et, name="no-state", **no_last)])) or [0] * 9
    r("events", lambda: s.put_events(
        [pb.Event(artifact_id=arts[i], execution_id=execs[i], type=i % 6 + 1) for i in range(1, 8)]
        + [pb.Event(artifact_id=arts[1], execution_id=execs[2], type=pb.Event.OUTPUT)]))
    return arts, execs


def script_enum_numbers(store: Any, unset: bool = False) -> list[tuple[str, Any]]:
    """Enum numbers in list filters and in get_lineage_subgraph's start and end filters."""
    r, s = Recorder(store), store
    _enum_graph(s, r, unset)
    for q in _ARTIFACT_FILTERS:
        r(f"artifacts: {q}", lambda q=q: _ids(s.get_artifacts(list_options=_opts(filter_query=q))))
    for q in _EXECUTION_FILTERS:
        r(f"executions: {q}", lambda q=q: _ids(s.get_executions(list_options=_opts(filter_query=q))))
    for q in ("state IN (1)", "state IN (2, 3, 4)", "state > 3", "state IN (LIVE)"):
        r(f"lineage from {q}", lambda q=q: sorted(_ids(s.get_lineage_subgraph(_Q(
            starting_artifacts=_Q.StartingNodes(filter_query=q), max_num_hops=2), ["artifacts"]).artifacts)))
    for q in ("last_known_state IN (1)", "last_known_state IN (1,2,3)"):
        r(f"lineage from {q}", lambda q=q: sorted(_ids(s.get_lineage_subgraph(_Q(
            starting_executions=_Q.StartingNodes(filter_query=q), max_num_hops=2), ["executions"]).executions)))
    for q in ("state IN (2)", "state IN (2, 3, 4)"):
        r(f"lineage to {q}", lambda q=q: sorted(_ids(s.get_lineage_subgraph(_Q(
            starting_executions=_Q.StartingNodes(filter_query="id > 0"),
            ending_artifacts=_Q.EndingNodes(filter_query=q), max_num_hops=2), ["artifacts"]).artifacts)))
    return r.answers


def enum_numbers_mlmd_rejects(store: Any, queries: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The answers to ``queries`` (artifacts, or executions for last_known_state) on the graph above."""
    r, s = Recorder(store), store
    _enum_graph(s, r)
    start = len(r.answers)
    for q in queries:
        get = s.get_executions if q.startswith("last_known_state") else s.get_artifacts
        r(q, lambda q=q, get=get: _ids(get(list_options=_opts(filter_query=q))))
    return r.answers[start:]


def script_writes(store: Any) -> list[tuple[str, Any]]:
    """Updates (write-once names, field masks naming nothing), returned ids, and ``None`` or
    wrongly typed arguments on every method that takes ids, names or messages."""
    r, s = Recorder(store), store
    t = r.put_type("type", lambda: s.put_artifact_type(pb.ArtifactType(name="X", properties={"p": pb.INT}))) or 0
    et = r.put_type("execution type", lambda: s.put_execution_type(pb.ExecutionType(name="E"))) or 0
    ct = r.put_type("context type", lambda: s.put_context_type(pb.ContextType(name="C"))) or 0
    [a] = r("artifact", lambda: s.put_artifacts([pb.Artifact(
        type_id=t, name="n", uri="/u", properties={"p": pb.Value(int_value=1)})])) or [0]
    [b] = r("artifact without name", lambda: s.put_artifacts([pb.Artifact(type_id=t, uri="/b")])) or [0]
    [e] = r("execution", lambda: s.put_executions([pb.Execution(type_id=et, name="e")])) or [0]
    [c] = r("context", lambda: s.put_contexts([pb.Context(type_id=ct, name="c")])) or [0]
    for label, call in (
            ("update without name", lambda: s.put_artifacts([pb.Artifact(id=a, type_id=t, uri="/v")])),
            ("update renames", lambda: s.put_artifacts([pb.Artifact(id=a, type_id=t, name="n2", uri="/w")])),
            ("update names a nameless one", lambda: s.put_artifacts([pb.Artifact(id=b, type_id=t, name="late")])),
            ("masked rename", lambda: s.put_artifacts([pb.Artifact(id=a, type_id=t, name="n3")], ["name"])),
            ("mask naming nothing known", lambda: s.put_artifacts(
                [pb.Artifact(id=a, type_id=t, uri="/x"), pb.Artifact(type_id=t, uri="/new")], ["bogus"])),
            ("update without type id", lambda: s.put_artifacts([pb.Artifact(id=a, uri="/y")])),
            ("execution renamed", lambda: s.put_executions([pb.Execution(id=e, type_id=et, name="e2")])),
            ("context renamed", lambda: s.put_contexts([pb.Context(id=c, type_id=ct, name="c2")])),
            ("context without name", lambda: s.put_contexts([pb.Context(id=c, type_id=ct)])),
            ("put_execution renames", lambda: s.put_execution(
                pb.Execution(id=e, type_id=et, name="e3"),
                [(pb.Artifact(id=a, type_id=t, name="r", uri="/z"), pb.Event(type=pb.Event.INPUT)),
                 (pb.Artifact(type_id=t, uri="/out"), pb.Event(type=pb.Event.OUTPUT)),
                 (pb.Artifact(type_id=t, uri="/side"), None)],
                [pb.Context(type_id=ct, name="k"), pb.Context(id=c, type_id=ct, name="c3")])),
            ("put_lineage_subgraph renames", lambda: s.put_lineage_subgraph(
                [pb.Execution(id=e, type_id=et, name="e4")], [pb.Artifact(id=a, type_id=t, name="s")], [], [])),
            ("same id twice", lambda: s.put_artifacts([pb.Artifact(id=b, type_id=t, uri="/1"),
                                                       pb.Artifact(id=b, type_id=t, uri="/2")])),
            ("put_execution without contexts", lambda: s.put_execution(pb.Execution(type_id=et), [], None))):
        r(label, call)
        r(f"after {label}", lambda: (s.get_artifacts_by_id([a, b]), s.get_executions_by_id([e]),
                                     s.get_contexts_by_id([c])))
    for label, call in (
            ("ids None", lambda: s.get_artifacts_by_id(None)),
            ("ids [None]", lambda: s.get_executions_by_id([None])),
            ("ids ['1']", lambda: s.get_contexts_by_id(["1"])),
            ("ids from a generator", lambda: _ids(s.get_artifacts_by_id(i for i in (b, a)))),
            ("type ids None", lambda: s.get_artifact_types_by_id(None)),
            ("type name None", lambda: s.get_artifact_type(None)),
            ("type version None", lambda: s.get_artifact_type("X", None)),
            ("by type None", lambda: s.get_artifacts_by_type(None)),
            ("by uri None", lambda: s.get_artifacts_by_uri(None)),
            ("by type and name None", lambda: s.get_artifact_by_type_and_name("X", None)),
            ("external ids None", lambda: s.get_artifacts_by_external_ids(None)),
            ("type external ids None", lambda: s.get_execution_types_by_external_ids(None)),
            ("external ids [None]", lambda: s.get_contexts_by_external_ids([None])),
            ("contexts by artifact None", lambda: s.get_contexts_by_artifact(None)),
            ("contexts by execution '1'", lambda: s.get_contexts_by_execution("1")),
            ("artifacts by context None", lambda: s.get_artifacts_by_context(None)),
            ("executions by context None", lambda: s.get_executions_by_context(None)),
            ("parents None", lambda: s.get_parent_contexts_by_context(None)),
            ("children None", lambda: s.get_children_contexts_by_context(None)),
            ("events None", lambda: s.get_events_by_artifact_ids(None)),
            ("events [None]", lambda: s.get_events_by_execution_ids([None])),
            ("put_artifacts None", lambda: s.put_artifacts(None)),
            ("put_artifacts [None]", lambda: s.put_artifacts([None])),
            ("put_executions [an artifact]", lambda: s.put_executions([pb.Artifact(type_id=t)])),
            ("put_events [None]", lambda: s.put_events([None])),
            ("put type None", lambda: s.put_artifact_type(None)),
            ("lineage None", lambda: s.get_lineage_subgraph(None)),
            ("links None", lambda: s.put_attributions_and_associations(None, None)),
            ("list options None", lambda: _ids(s.get_artifacts(list_options=None))),
            ("list limit None", lambda: _ids(s.get_artifacts(list_options=_opts(limit=None)))),
            ("blank filter", lambda: s.get_artifacts(list_options=_opts(filter_query=" ")))):
        r(label, call)
    return r.answers
