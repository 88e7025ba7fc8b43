"""One script of MLMD calls, run on real MLMD and on graphstore.mlmd; the answers must match.

Answers are normalised only where the two stores cannot agree by design: times (clocks) and
type ids (MLMD reserves ids 1-9 for its system types), which are replaced by the order in
which the script registered the types. Errors compare by their ml_metadata class (or TypeError).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ml_metadata import errors
from ml_metadata.metadata_store import metadata_store as mlmd_api
from ml_metadata.proto import metadata_store_pb2 as pb

_TIMES = ("create_time_since_epoch", "last_update_time_since_epoch", "milliseconds_since_epoch")
_TYPES = (pb.ArtifactType, pb.ExecutionType, pb.ContextType)


class Recorder:
    """Calls the store, records normalised answers (or the error class) under a label."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.answers: list[tuple[str, Any]] = []
        self.type_ids: dict[int, int] = {}
        self.unset: tuple[str, ...] = ()

    def type_id(self, real: int) -> int:
        return self.type_ids.setdefault(real, len(self.type_ids) + 1)

    def norm(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [self.norm(v) for v in value]
        if hasattr(value, "DESCRIPTOR"):
            msg = type(value)()
            msg.CopyFrom(value)
            self._strip(msg)
            return str(msg)
        return value

    def _strip(self, msg: Any) -> None:
        for field in _TIMES:
            if field in msg.DESCRIPTOR.fields_by_name:
                msg.ClearField(field)
        if isinstance(msg, _TYPES):
            if msg.HasField("id"):
                msg.id = self.type_id(msg.id)
            for field in self.unset:
                msg.ClearField(field)
        if "type_id" in msg.DESCRIPTOR.fields_by_name and msg.HasField("type_id"):
            msg.type_id = self.type_id(msg.type_id)
        if isinstance(msg, pb.LineageGraph):  # the order inside a graph is not part of the answer
            for field in msg.DESCRIPTOR.fields_by_name:
                items = sorted(getattr(msg, field), key=lambda m: m.SerializeToString(deterministic=True))
                for item in items:
                    self._strip(item)
                msg.ClearField(field)
                getattr(msg, field).extend(sorted(items, key=str))

    def __call__(self, label: str, fn: Callable[[], Any], unset: tuple[str, ...] = ()) -> Any:
        """Record ``fn()``; ``unset`` names type fields MLMD leaves out of this answer."""
        self.unset = unset
        try:
            result = fn()
        except (errors.StatusError, TypeError) as exc:  # MLMD raises TypeError for wrong Python types
            self.answers.append((label, type(exc).__name__))
            return None
        self.answers.append((label, self.norm(result)))
        return result

    def put_type(self, label: str, fn: Callable[[], int]) -> int | None:
        result = self(label, fn)
        if result is not None:
            self.answers[-1] = (label, self.type_id(result))
        return result  # type: ignore[no-any-return]


def _opts(**kwargs: Any) -> Any:
    return mlmd_api.ListOptions(**kwargs)


def script(store: Any) -> list[tuple[str, Any]]:
    r = Recorder(store)
    s = store
    data_t = r.put_type("type", lambda: s.put_artifact_type(pb.ArtifactType(
        name="DataSet", base_type=pb.ArtifactType.DATASET, description="d",
        properties={"day": pb.INT, "split": pb.STRING, "score": pb.DOUBLE, "ok": pb.BOOLEAN,
                    "meta": pb.STRUCT, "blob": pb.PROTO})))
    r.put_type("same type again", lambda: s.put_artifact_type(pb.ArtifactType(
        name="DataSet", properties={"day": pb.INT, "split": pb.STRING, "score": pb.DOUBLE,
                                    "ok": pb.BOOLEAN, "meta": pb.STRUCT, "blob": pb.PROTO})))
    r("type conflict", lambda: s.put_artifact_type(pb.ArtifactType(name="DataSet", properties={"day": pb.STRING})))
    r("type omits", lambda: s.put_artifact_type(pb.ArtifactType(name="DataSet")))
    r("type no name", lambda: s.put_artifact_type(pb.ArtifactType()))
    r("type unknown property", lambda: s.put_artifact_type(pb.ArtifactType(name="X", properties={"p": pb.UNKNOWN})))
    model_t = r.put_type("versioned type", lambda: s.put_artifact_type(pb.ArtifactType(
        name="Model", version="v1", external_id="model-v1", properties={"acc": pb.DOUBLE})))
    train_t = r.put_type("execution type", lambda: s.put_execution_type(pb.ExecutionType(
        name="Trainer", base_type=pb.ExecutionType.TRAIN, properties={"lr": pb.DOUBLE})))
    run_t = r.put_type("context type", lambda: s.put_context_type(pb.ContextType(name="Run")))
    r("get type", lambda: s.get_artifact_type("DataSet"))
    r("get versioned type", lambda: s.get_artifact_type("Model", "v1"))
    r("get type wrong version", lambda: s.get_artifact_type("Model", "v9"))
    r("get type missing", lambda: s.get_execution_type("nope"))
    r("types", lambda: s.get_artifact_types(), unset=("external_id",))  # MLMD's GetArtifactTypes drops it
    r("types by id", lambda: s.get_execution_types_by_id([train_t, 999]))
    r("types by external id", lambda: s.get_artifact_types_by_external_ids(["model-v1"]))
    r("types by external id none", lambda: s.get_context_types_by_external_ids(["nope"]))

    raw = pb.Artifact(type_id=data_t, uri="/data/raw", name="raw", external_id="a-raw", state=pb.Artifact.LIVE,
                      properties={"day": pb.Value(int_value=1), "split": pb.Value(string_value="train"),
                                  "score": pb.Value(double_value=0.5), "ok": pb.Value(bool_value=True)})
    raw.properties["meta"].struct_value.update({"rows": 150, "cols": ["a", "b"], "nested": {"x": True}})
    raw.properties["blob"].proto_value.Pack(pb.Value(string_value="packed"))
    raw.custom_properties["note"].string_value = "seed"
    raw.custom_properties["n"].int_value = -3
    [raw_id] = r("put artifact", lambda: s.put_artifacts([raw])) or [0]
    r("put artifacts", lambda: s.put_artifacts([pb.Artifact(type_id=data_t, uri=f"/data/{i}",
                                                            properties={"day": pb.Value(int_value=i)})
                                                for i in range(5)]))
    r("by id", lambda: s.get_artifacts_by_id([raw_id, 999]))
    r("by uri", lambda: s.get_artifacts_by_uri("/data/2"))
    r("by type", lambda: s.get_artifacts_by_type("DataSet"))
    r("by type and name", lambda: s.get_artifact_by_type_and_name("DataSet", "raw"))
    r("by type and name missing", lambda: s.get_artifact_by_type_and_name("DataSet", "nope"))
    r("by external id", lambda: s.get_artifacts_by_external_ids(["a-raw"]))
    r("by external id none", lambda: s.get_artifacts_by_external_ids(["nope"]))
    # MLMD fills these types without base_type (the lineage calls below use the same lookup)
    r("and types", lambda: s.get_artifacts_and_types_by_artifact_ids([raw_id, 2]), unset=("base_type",))
    r("undeclared property", lambda: s.put_artifacts([pb.Artifact(type_id=data_t, properties={
        "zz": pb.Value(int_value=1)})]))
    r("wrong property type", lambda: s.put_artifacts([pb.Artifact(type_id=data_t, properties={
        "day": pb.Value(string_value="1")})]))
    r("unknown type id", lambda: s.put_artifacts([pb.Artifact(type_id=12345)]))
    r("no type id", lambda: s.put_artifacts([pb.Artifact(uri="/x")]))
    r("unknown id", lambda: s.put_artifacts([pb.Artifact(id=999, type_id=data_t)]))
    r("type change", lambda: s.put_artifacts([pb.Artifact(id=raw_id, type_id=model_t)]))
    r("duplicate external id", lambda: s.put_artifacts([pb.Artifact(type_id=data_t, external_id="a-raw")]))
    r("masked update", lambda: s.put_artifacts([pb.Artifact(id=2, uri="/moved", state=pb.Artifact.DELETED,
                                                            properties={"day": pb.Value(int_value=9)})],
                                               ["uri", "properties.day", "bogus"]))
    r("after masked update", lambda: s.get_artifacts_by_id([2]))
    r("full update", lambda: s.put_artifacts([pb.Artifact(id=3, type_id=data_t, uri="/three")]))
    r("after full update", lambda: s.get_artifacts_by_id([3]))

    execs = r("put executions", lambda: s.put_executions([
        pb.Execution(type_id=train_t, name=f"t{i}", last_known_state=pb.Execution.RUNNING,
                     properties={"lr": pb.Value(double_value=0.1 * i)}) for i in range(3)])) or [0, 0, 0]
    r("events", lambda: s.put_events([
        pb.Event(artifact_id=raw_id, execution_id=execs[0], type=pb.Event.INPUT,
                 path=pb.Event.Path(steps=[pb.Event.Path.Step(key="data"), pb.Event.Path.Step(index=2)])),
        pb.Event(artifact_id=2, execution_id=execs[0], type=pb.Event.OUTPUT),
        pb.Event(artifact_id=2, execution_id=execs[1], type=pb.Event.INPUT)]))
    r("duplicate event", lambda: s.put_events([pb.Event(artifact_id=raw_id, execution_id=execs[0],
                                                        type=pb.Event.INPUT)]))
    r("event unknown artifact", lambda: s.put_events([pb.Event(artifact_id=999, execution_id=execs[0],
                                                               type=pb.Event.INPUT)]))
    r("event without kind", lambda: s.put_events([pb.Event(artifact_id=raw_id, execution_id=execs[2])]))
    r("events by artifact", lambda: s.get_events_by_artifact_ids([raw_id, 2]))
    r("events by execution", lambda: s.get_events_by_execution_ids(execs))

    ctx = r("put contexts", lambda: s.put_contexts([pb.Context(type_id=run_t, name=f"run-{i}") for i in range(3)]))
    ctx = ctx or [0, 0, 0]
    r("context without name", lambda: s.put_contexts([pb.Context(type_id=run_t)]))
    r("duplicate context name", lambda: s.put_contexts([pb.Context(type_id=run_t, name="run-0")]))
    r("links", lambda: s.put_attributions_and_associations(
        [pb.Attribution(artifact_id=raw_id, context_id=ctx[0]), pb.Attribution(artifact_id=2, context_id=ctx[0])],
        [pb.Association(execution_id=execs[0], context_id=ctx[0])]))
    r("link to unknown context", lambda: s.put_attributions_and_associations(
        [pb.Attribution(artifact_id=raw_id, context_id=999)], []))
    r("contexts by artifact", lambda: s.get_contexts_by_artifact(raw_id))
    r("contexts by artifact none", lambda: s.get_contexts_by_artifact(4))
    r("contexts by execution none", lambda: s.get_contexts_by_execution(execs[2]))
    r("artifacts by context", lambda: s.get_artifacts_by_context(ctx[0]))
    r("executions by context", lambda: s.get_executions_by_context(ctx[0]))
    r("parents", lambda: s.put_parent_contexts([pb.ParentContext(child_id=ctx[1], parent_id=ctx[0]),
                                               pb.ParentContext(child_id=ctx[2], parent_id=ctx[0])]))
    r("parent again", lambda: s.put_parent_contexts([pb.ParentContext(child_id=ctx[1], parent_id=ctx[0])]))
    r("parent of itself", lambda: s.put_parent_contexts([pb.ParentContext(child_id=ctx[1], parent_id=ctx[1])]))
    r("children", lambda: s.get_children_contexts_by_context(ctx[0]))
    r("parents of", lambda: s.get_parent_contexts_by_context(ctx[2]))

    for label, options in (("limit", _opts(limit=2)), ("desc", _opts(is_asc=False)),
                           ("by create time desc", _opts(order_by=mlmd_api.OrderByField.CREATE_TIME,
                                                         is_asc=False, limit=3)),
                           ("filter", _opts(filter_query="properties.day.int_value >= 2 AND uri LIKE '/data/%'")),
                           ("filter on context", _opts(filter_query="contexts_a.name = 'run-0'")),
                           ("filter on events", _opts(filter_query="events_e.type = INPUT")),
                           ("bad filter", _opts(filter_query="uri = = 1")),
                           ("negative limit", _opts(limit=-1))):
        r(f"list {label}", lambda o=options: s.get_artifacts(list_options=o))
    r("list executions by context", lambda: s.get_executions_by_context(ctx[0], _opts(limit=5)))

    exec_id, arts, ctxs = r("put execution", lambda: s.put_execution(
        pb.Execution(type_id=train_t, last_known_state=pb.Execution.COMPLETE),
        [(s.get_artifacts_by_id([raw_id])[0], pb.Event(type=pb.Event.INPUT)),
         (pb.Artifact(type_id=model_t, uri="/m", properties={"acc": pb.Value(double_value=0.9)}),
          pb.Event(type=pb.Event.OUTPUT)), [pb.Artifact(type_id=data_t, uri="/side")]],
        [pb.Context(type_id=run_t, name="run-9")])) or (0, [], [])
    r("put execution reusing context", lambda: s.put_execution(
        pb.Execution(type_id=train_t), [], [pb.Context(type_id=run_t, name="run-9")],
        reuse_context_if_already_exist=True))
    r("put execution context exists", lambda: s.put_execution(
        pb.Execution(type_id=train_t), [], [pb.Context(type_id=run_t, name="run-9")]))
    r("put execution force reuse", lambda: s.put_execution(
        pb.Execution(type_id=train_t), [], [pb.Context(id=ctx[0], type_id=run_t, name="renamed")],
        force_reuse_context=True))
    r("after force reuse", lambda: s.get_contexts_by_id([ctx[0]]))
    r("put execution unknown id", lambda: s.put_execution(pb.Execution(id=999, type_id=train_t), [], []))
    r("subgraph", lambda: s.put_lineage_subgraph(
        [pb.Execution(type_id=train_t, name="sub")], [pb.Artifact(type_id=data_t, uri="/sub")],
        [pb.Context(type_id=run_t, name="sub")], [(0, 0, pb.Event(type=pb.Event.OUTPUT))]))
    query = pb.LineageSubgraphQueryOptions(
        starting_artifacts=pb.LineageSubgraphQueryOptions.StartingNodes(filter_query="uri = '/m'"),
        max_num_hops=4, direction=pb.LineageSubgraphQueryOptions.UPSTREAM)
    r("lineage", lambda: s.get_lineage_subgraph(query), unset=("base_type",))
    r("lineage masked", lambda: s.get_lineage_subgraph(query, ["artifacts", "events", "context_types"]))
    both = pb.LineageSubgraphQueryOptions(
        starting_artifacts=pb.LineageSubgraphQueryOptions.StartingNodes(filter_query=f"id = {raw_id}"),
        max_num_hops=3)
    r("lineage both ways", lambda: s.get_lineage_subgraph(both), unset=("base_type",))
    r("lineage without start", lambda: s.get_lineage_subgraph(pb.LineageSubgraphQueryOptions(max_num_hops=1)))
    del exec_id, arts, ctxs
    return r.answers


def script_paging(store: Any) -> list[tuple[str, Any]]:
    """Ordering, limits past MLMD's 100-row pages, reuse by external id."""
    r = Recorder(store)
    s = store
    t = r.put_type("type", lambda: s.put_artifact_type(pb.ArtifactType(name="D", properties={"i": pb.INT})))
    et = r.put_type("execution type", lambda: s.put_execution_type(pb.ExecutionType(name="E")))
    ct = r.put_type("context type", lambda: s.put_context_type(pb.ContextType(name="C")))
    ids = r("put", lambda: s.put_artifacts([pb.Artifact(type_id=t, uri=f"/{i % 7}", external_id=f"x{i}",
                                                         properties={"i": pb.Value(int_value=i)})
                                            for i in range(250)])) or []
    time.sleep(0.01)  # updates land after the inserts on both clocks: orders by time compare
    r("touch", lambda: s.put_artifacts([pb.Artifact(id=i, type_id=t, uri="/touched") for i in ids[10:20]]))
    [c] = r("context", lambda: s.put_contexts([pb.Context(type_id=ct, name="c")])) or [0]
    r("attribute", lambda: s.put_attributions_and_associations(
        [pb.Attribution(artifact_id=i, context_id=c) for i in ids[:150]], []))
    for label, options in (
            ("limit past a page", _opts(limit=230, is_asc=False)),
            ("by update time", _opts(limit=15, order_by=mlmd_api.OrderByField.UPDATE_TIME, is_asc=False)),
            ("filtered", _opts(limit=120, filter_query="uri = '/3' OR properties.i.int_value > 240")),
            ("by id asc", _opts(order_by=mlmd_api.OrderByField.ID, limit=101))):
        r(f"list {label}", lambda o=options: [a.id for a in s.get_artifacts(list_options=o)])
        r(f"by context {label}", lambda o=options: [a.id for a in s.get_artifacts_by_context(c, o)])
    r("reuse by external id", lambda: s.put_execution(
        pb.Execution(type_id=et), [(pb.Artifact(type_id=t, external_id="x3", uri="/new"),
                                    pb.Event(type=pb.Event.OUTPUT))], [],
        reuse_artifact_if_already_exist_by_external_id=True))
    r("after reuse", lambda: s.get_artifacts_by_external_ids(["x3"]))
    return r.answers
