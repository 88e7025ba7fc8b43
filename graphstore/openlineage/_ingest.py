"""Checked OpenLineage events → one graphstore transaction (see cypher/README.md, "OpenLineage").

The events of a call are merged in memory over the stored records they touch (read by
external_id), then written with the store's own write logic (``_writes``): an unchanged record
is not written at all, so the same events twice leave the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import _writes, ops
from .._convert import to_node
from ..engines.base import Transaction
from ..errors import InvalidArgument
from ..kinds import KIND_SPECS, NodeKind, Relation
from ..models import (
    Artifact,
    ArtifactType,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
)
from ._keys import (
    DATASET_TYPE,
    EVENT_MS,
    FACET,
    JOB_CONTEXT_TYPE,
    NAMESPACE_CONTEXT_TYPE,
    STATE_MS,
    dataset_key,
    display,
    job_key,
    namespace_key,
    run_key,
)
from ._parse import DatasetRef, JobRef, Parsed

__all__ = ["IngestResult", "apply_events"]

ARTIFACTS, EXECUTIONS, CONTEXTS = (KIND_SPECS[k] for k in NodeKind)
_STATE = {"START": ExecutionState.RUNNING, "RUNNING": ExecutionState.RUNNING,
          "COMPLETE": ExecutionState.COMPLETE, "FAIL": ExecutionState.FAILED,
          "ABORT": ExecutionState.CANCELED}
# a state moves only forward: running, then one of the terminal states
_RANK = {ExecutionState.RUNNING: 1, ExecutionState.COMPLETE: 2, ExecutionState.FAILED: 2,
         ExecutionState.CANCELED: 2}


@dataclass(frozen=True)
class IngestResult:
    """What one ingest wrote or confirmed: the events taken and the records they touched."""

    events: int
    execution_ids: list[int]
    artifact_ids: list[int]
    context_ids: list[int]


@dataclass
class _Draft:
    """One record being merged: its stored version (if any) and the custom properties so far."""

    key: str
    type_name: str
    name: str
    stored: Any = None
    props: dict[str, Any] = field(default_factory=dict)
    state: ExecutionState = ExecutionState.UNKNOWN
    uri: str | None = None

    def merge_facets(self, facets: dict[str, Any], ms: int) -> None:
        """Facets of an event at least as new as any seen replace the stored ones; an older
        event only adds facets not yet stored (so the result does not depend on arrival
        order). A facet ``{"_deleted": true}`` removes it, as the spec says."""
        newest = ms >= int(self.props.get(EVENT_MS, ms))
        for name, facet in facets.items():
            key = FACET + name
            if facet.get("_deleted") is True:
                if newest:
                    self.props.pop(key, None)
            elif newest or key not in self.props:
                self.props[key] = facet
        self.props[EVENT_MS] = max(ms, int(self.props.get(EVENT_MS, ms)))

    def set(self, name: str, value: Any, ms: int) -> None:
        """A plain property: the newest event's value wins (ties keep the first)."""
        if name not in self.props or ms >= int(self.props.get(EVENT_MS, ms)):
            self.props[name] = value


def _new_draft(stored: dict[str, Any], key: str, type_name: str, name: str,
               props: dict[str, Any]) -> _Draft:
    old = stored.get(key)
    if old is None:
        return _Draft(key, type_name, name, props=dict(props))
    return _Draft(key, type_name, old.name or name, old, dict(old.custom_properties),
                  getattr(old, "last_known_state", ExecutionState.UNKNOWN), getattr(old, "uri", None))


class _Merge:
    """The records a list of events touches, merged in event order over the stored ones."""

    def __init__(self, stored: dict[str, Any]) -> None:
        self.stored = stored
        self.datasets: dict[str, _Draft] = {}
        self.runs: dict[str, _Draft] = {}
        self.contexts: dict[str, _Draft] = {}
        self.events: dict[tuple[str, str, EventType], int] = {}  # -> event time (ms)
        self.associations: dict[tuple[str, str], None] = {}
        self.attributions: dict[tuple[str, str], None] = {}
        self.parents: dict[tuple[str, str], str] = {}  # (child, parent job key) -> field
        self.in_namespace: dict[tuple[str, str], None] = {}  # (job key, namespace key)

    def namespace(self, namespace: str) -> str:
        key = namespace_key(namespace)
        if key not in self.contexts:
            self.contexts[key] = _new_draft(self.stored, key, NAMESPACE_CONTEXT_TYPE, namespace,
                                            {"namespace": namespace})
        return key

    def job(self, job: JobRef, ms: int) -> str:
        key = job_key(job.namespace, job.name)
        if key not in self.contexts:
            self.contexts[key] = _new_draft(self.stored, key, JOB_CONTEXT_TYPE,
                                            display(job.namespace, job.name),
                                            {"namespace": job.namespace, "name": job.name})
        self.contexts[key].merge_facets(job.facets, ms)
        # a namespace's jobs are its child contexts (its datasets are attributed to it)
        self.in_namespace[(key, self.namespace(job.namespace))] = None
        return key

    def dataset(self, ds: DatasetRef, ms: int) -> str:
        key = dataset_key(ds.namespace, ds.name)
        if key not in self.datasets:
            draft = _new_draft(self.stored, key, DATASET_TYPE, display(ds.namespace, ds.name),
                               {"namespace": ds.namespace, "name": ds.name})
            if draft.stored is None and "://" in ds.namespace:
                # a namespace that is a URI scheme + authority locates the data
                draft.uri = ds.namespace.rstrip("/") + "/" + ds.name.lstrip("/")
            self.datasets[key] = draft
        self.datasets[key].merge_facets(ds.facets, ms)
        self.attributions[(key, self.namespace(ds.namespace))] = None
        return key

    def run(self, run_id: str, job: JobRef, path: str) -> _Draft:
        key = run_key(run_id)
        jkey = job_key(job.namespace, job.name)
        if key not in self.runs:
            self.runs[key] = _new_draft(self.stored, key, jkey, run_id,
                                        {"runId": run_id, "job_namespace": job.namespace,
                                         "job_name": job.name})
        draft = self.runs[key]
        if (draft.props.get("job_namespace"), draft.props.get("job_name")) != (job.namespace, job.name):
            raise InvalidArgument(f"{path}: run {run_id} belongs to job "
                                  f"{draft.props.get('job_namespace')!r}:{draft.props.get('job_name')!r}, "
                                  f"not {job.namespace!r}:{job.name!r}")
        self.associations[(key, jkey)] = None
        self.associations[(key, self.namespace(job.namespace))] = None
        return draft

    def add(self, event: Parsed, prefix: str) -> None:
        ms = event.event_ms
        job = self.job(event.job, ms) if event.job is not None else None
        if event.kind == "dataset" and event.dataset is not None:
            self.dataset(event.dataset, ms)
            return
        if event.kind == "job" and job is not None:
            for ds in (*event.inputs, *event.outputs):
                self.attributions[(self.dataset(ds, ms), job)] = None
            return
        assert event.job is not None and event.run_id is not None and job is not None
        run = self.run(event.run_id, event.job, f"{prefix}run.runId")
        self._state(run, event, ms)
        run.merge_facets(event.run_facets, ms)
        run.set("producer", event.producer, ms)
        for kind, datasets, io_name in ((EventType.INPUT, event.inputs, "inputFacets"),
                                        (EventType.OUTPUT, event.outputs, "outputFacets")):
            for ds in datasets:
                dkey = self.dataset(ds, ms)
                self.events.setdefault((run.key, dkey, kind), ms)
                self.attributions[(dkey, job)] = None
                if ds.io_facets:
                    per = dict(run.props.get(io_name, {}))
                    per[display(ds.namespace, ds.name)] = {**per.get(display(ds.namespace, ds.name), {}),
                                                           **ds.io_facets}
                    run.props[io_name] = per
        if event.parent is not None:
            parent_id, parent_job = event.parent
            where = f"{prefix}run.facets.parent"
            pjob = self.job(JobRef(parent_job.namespace, parent_job.name), ms)
            self.run(parent_id, parent_job, f"{where}.run.runId")
            run.set("parent_run_id", parent_id, ms)
            if pjob != job:
                self.parents[(job, pjob)] = f"{where}.job"

    @staticmethod
    def _state(run: _Draft, event: Parsed, ms: int) -> None:
        if event.event_type == "START":
            run.props.setdefault("started_at", event.event_time)
        state = _STATE.get(event.event_type or "")
        if state is None:
            return
        old = (_RANK.get(run.state, 0), int(run.props.get(STATE_MS, -1)), run.state.name)
        new = (_RANK[state], ms, state.name)
        if new > old:  # a total order: any arrival order ends in the same state
            run.state = state
            run.props[STATE_MS] = ms
            run.props["eventType"] = event.event_type
            if _RANK[state] == 2:
                run.props["ended_at"] = event.event_time


def _stored(tx: Transaction, events: Sequence[Parsed]) -> dict[str, Any]:
    """The stored records the events name, by external_id (one read per kind)."""
    keys: dict[NodeKind, set[str]] = {k: set() for k in NodeKind}
    for e in events:
        for job in (e.job, e.parent[1] if e.parent else None):
            if job is not None:
                keys[NodeKind.CONTEXT] |= {job_key(job.namespace, job.name), namespace_key(job.namespace)}
        for run_id in (e.run_id, e.parent[0] if e.parent else None):
            if run_id is not None:
                keys[NodeKind.EXECUTION].add(run_key(run_id))
        for ds in (*e.inputs, *e.outputs, *([e.dataset] if e.dataset else [])):
            keys[NodeKind.ARTIFACT].add(dataset_key(ds.namespace, ds.name))
            keys[NodeKind.CONTEXT].add(namespace_key(ds.namespace))
    out: dict[str, Any] = {}
    for kind, wanted in keys.items():
        if wanted:
            spec = KIND_SPECS[kind]
            for row in tx.run(ops.NodeQuery(kind, external_ids=tuple(sorted(wanted)))):
                out[row["external_id"]] = to_node(spec, row)
    return out


def _ensure_types(tx: Transaction, merge: _Merge) -> None:
    """Register the types the records need (only the missing ones are written)."""
    wanted: list[tuple[Any, Any]] = []  # only new records need their type
    if any(d.stored is None for d in merge.datasets.values()):
        wanted.append((ARTIFACTS, ArtifactType(name=DATASET_TYPE, base_type="DATASET")))
    for name in sorted({d.type_name for d in merge.contexts.values() if d.stored is None}):
        wanted.append((CONTEXTS, ContextType(name=name)))
    for jkey in sorted({d.type_name for d in merge.runs.values() if d.stored is None}):
        namespace, name = merge.contexts[jkey].props["namespace"], merge.contexts[jkey].props["name"]
        wanted.append((EXECUTIONS, ExecutionType(name=display(namespace, name))))
    if not wanted:
        return
    found = tx.run(ops.GetTypesMany(tuple(ops.GetTypes(spec.kind, keys=((t.name, ""),))
                                          for spec, t in wanted)))
    for (spec, t), rows in zip(wanted, found, strict=True):
        if not rows:
            _writes.put_type(tx, spec, t, True, True)


def _models(drafts: dict[str, _Draft], kind: NodeKind, merge: _Merge) -> list[Any]:
    out: list[Any] = []
    for d in drafts.values():
        fields: dict[str, Any] = {"name": d.name, "external_id": d.key, "custom_properties": d.props}
        if d.stored is not None:
            fields.update(id=d.stored.id, type_id=d.stored.type_id, properties=d.stored.properties)
        elif kind is NodeKind.EXECUTION:
            job = merge.contexts[d.type_name].props
            fields["type"] = display(job["namespace"], job["name"])
        else:
            fields["type"] = d.type_name
        if kind is NodeKind.ARTIFACT:
            out.append(Artifact(**fields, uri=d.uri,
                                state=d.stored.state if d.stored is not None else Artifact().state))
        elif kind is NodeKind.EXECUTION:
            out.append(Execution(**fields, last_known_state=d.state))
        else:
            out.append(Context(**fields))
    return out


def _insert_new_runs(tx: Transaction, merge: _Merge) -> None:
    """Insert new runs one job (execution type) at a time. On Neo4j a type is a label in the
    insert statement (decision 14): a statement per label is planned once, where one statement
    for a mix of labels (a coalesced group holding several jobs' new runs) would be planned
    again for nearly every group."""
    by_type: dict[str, dict[str, _Draft]] = {}
    for key, d in merge.runs.items():
        if d.stored is None:
            by_type.setdefault(d.type_name, {})[key] = d
    for drafts in by_type.values():
        models = _models(drafts, NodeKind.EXECUTION, merge)
        ids = _writes.put_nodes(tx, EXECUTIONS, models)
        for d, new_id, model in zip(drafts.values(), ids, models, strict=True):
            d.stored = model.model_copy(update={"id": new_id})


def apply_events(tx: Transaction, events: Sequence[Parsed], prefixes: Sequence[str]) -> IngestResult:
    """Merge and write checked events inside ``tx`` (all or nothing)."""
    merge = _Merge(_stored(tx, events))
    for event, prefix in zip(events, prefixes, strict=True):
        merge.add(event, prefix)
    _ensure_types(tx, merge)
    context_ids = dict(zip(merge.contexts, _writes.put_nodes(
        tx, CONTEXTS, _models(merge.contexts, NodeKind.CONTEXT, merge)), strict=True))
    _insert_new_runs(tx, merge)
    runs, datasets = list(merge.runs), list(merge.datasets)
    stored_runs = tuple(d.stored.id for d in merge.runs.values() if d.stored is not None)
    have = {(r["execution_id"], r["artifact_id"], r["type"])
            for r in (tx.run(ops.GetEvents(execution_ids=stored_runs)) if stored_runs else [])}
    old_ids = {key: d.stored.id for key, d in (*merge.runs.items(), *merge.datasets.items())
               if d.stored is not None}
    edges = [(runs.index(r), datasets.index(a), Event(type=kind, milliseconds_since_epoch=ms))
             for (r, a, kind), ms in merge.events.items()
             if (old_ids.get(r), old_ids.get(a), kind.name) not in have]
    execution_ids, artifact_ids, _ = _writes.put_lineage(
        tx, _models(merge.runs, NodeKind.EXECUTION, merge),
        _models(merge.datasets, NodeKind.ARTIFACT, merge), [], edges, False, False)
    ids = {**context_ids, **dict(zip(runs, execution_ids, strict=True)),
           **dict(zip(datasets, artifact_ids, strict=True))}
    steps = [ops.Link(relation, tuple((ids[a], ids[b]) for a, b in pairs))
             for relation, pairs in ((Relation.ASSOCIATION, merge.associations),
                                     (Relation.ATTRIBUTION, merge.attributions),
                                     (Relation.PARENT, {**merge.in_namespace, **merge.parents}))
             if pairs]
    if steps:
        tx.run(ops.WriteBatch(tuple(steps)))
    for (child, parent), where in merge.parents.items():
        if ids[child] in tx.run(ops.Ancestors((ids[parent],))):
            raise InvalidArgument(f"{where}: job {merge.contexts[parent].name!r} as the parent of "
                                  f"{merge.contexts[child].name!r} would make a cycle of parent jobs")
    return IngestResult(len(events), execution_ids, artifact_ids, list(context_ids.values()))
