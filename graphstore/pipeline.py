"""Recording pipeline code: a run context and one ``with`` block per step.

    with Pipeline(store, "iris", run="run-1") as pipe:
        raw = pipe.artifact("RawData", path="data/iris.csv")        # found again by content
        with pipe.step("Train", params={"n_estimators": 100}, inputs={"data": raw}) as train:
            if not train.cached:                                     # same inputs+params ran before?
                fit_and_save("out/model.pkl")
                train.output("model", type="Model", path="out/model.pkl")
        model = train.outputs["model"]

Entering a step records a RUNNING execution with its parameters (execution properties) and
INPUT events; leaving it writes COMPLETE, the outputs and their OUTPUT events in one
transaction — or, if the block raised, FAILED with ``error_type`` / ``error_message`` and no
outputs, and the exception goes on. A step whose inputs and parameters match an earlier
COMPLETE execution is a cache hit: it is recorded as CACHED (``cached_from`` = the earlier
execution), linked to the same inputs and the earlier outputs, and the block only reads
``step.outputs``. Executions and outputs belong to the run's ``PipelineRun`` context and the
``Pipeline`` context it is a child of. Types are registered on first use from the values.

Files and directories are content-addressed: their sha256 and size become properties and
``external_id`` is ``"<Type>:sha256:<hex>"``, so registering the same content again returns
the artifact stored first (its uri and properties win) instead of a duplicate. The same
fingerprint is kept in graphstore's custom properties (``graphstore.cache.MARKERS``), and a
cache hit needs every output to still hold it: an output deleted or changed since makes the
step run again, and the stale artifact is marked DELETED with ``graphstore_stale_reason``.
An output written again with the content of a stale artifact brings that artifact back
(LIVE, at the new path).
"""

from __future__ import annotations

import contextlib
import numbers
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Union

from .cache import MARKERS, STALE_REASON, Verify, fingerprint, output_markers, stale_reason
from .errors import AlreadyExists, FailedPrecondition, GraphstoreError, InvalidArgument, NotFound
from .models import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    ParentContext,
    PropertyType,
)
from .store import MetadataStore
from .values import infer_type

__all__ = ["PIPELINE_RUN_TYPE", "PIPELINE_TYPE", "Pipeline", "Step", "fingerprint"]

PIPELINE_TYPE = "Pipeline"
PIPELINE_RUN_TYPE = "PipelineRun"
_FINGERPRINT_PROPS = ("sha256", "size_bytes", "file_count")
_TYPE_MODELS: dict[str, type[ArtifactType] | type[ExecutionType] | type[ContextType]] = {
    "artifact": ArtifactType, "execution": ExecutionType, "context": ContextType}
_MAX_MESSAGE = 2000  # error messages are kept, but a megabyte of repr helps nobody

InputRef = Union[Artifact, int]
InputValue = Union[InputRef, Sequence[InputRef]]


# -- values and types ----------------------------------------------------------------------

def _plain(field: str, value: Any) -> Any:
    """A property value as graphstore stores it: tuples become lists, and numpy's scalars
    (registered with the ``numbers`` ABCs) plain ints and floats."""
    if isinstance(value, (bool, str, dict, list)):
        return value
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise InvalidArgument(f"{field}: expected int, float, str, bool, dict or list, got {value!r}")


def _name(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(f"{field}: expected a non-empty string, got {value!r}")
    return value


def _error_type(exc: BaseException) -> str:
    cls = type(exc)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


class Pipeline:
    """A pipeline run being recorded: the ``Pipeline`` context ``name`` and its child
    ``PipelineRun`` context ``run`` (default: name + UTC timestamp). Re-opening a run of the
    same pipeline continues it; a run name taken by another pipeline is InvalidArgument.
    ``properties`` go on the run context when it is created."""

    def __init__(self, store: MetadataStore, name: str, *, run: str | None = None,
                 properties: Mapping[str, Any] | None = None) -> None:
        self.store = store
        self.name = _name("name", name)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        self.run = _name("run", run) if run is not None else f"{name}-{stamp}"
        self._run_properties = dict(properties or {})
        self._types: dict[tuple[str, str], tuple[int, dict[str, PropertyType]]] = {}
        self._contexts: tuple[Context, Context] | None = None
        self.steps: list[Step] = []

    def __repr__(self) -> str:
        return f"Pipeline({self.name!r}, run={self.run!r}, steps={[s.type for s in self.steps]})"

    def _repr_html_(self) -> str:
        from ._notebook import html
        return html(self)

    # -- contexts ------------------------------------------------------------------------
    def __enter__(self) -> Pipeline:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def start(self) -> None:
        """Create (or find) the pipeline and run contexts; steps call this on first use."""
        if self._contexts is not None:
            return
        pipe_type, _ = self._register("context", PIPELINE_TYPE, {}, "properties")
        run_type, props = self._register("context", PIPELINE_RUN_TYPE, self._run_properties, "properties")
        _, _, (pipe_id, run_id) = self.store.put_lineage_subgraph(
            [], [], [Context(type_id=pipe_type, name=self.name),
                     Context(type_id=run_type, name=self.run, properties=props)], [],
            reuse_context_if_already_exist=True)
        parents = [c.id for c in self.store.get_parent_contexts_by_context(run_id)]
        if not parents:
            with contextlib.suppress(AlreadyExists):  # another process opened the run first
                self.store.put_parent_contexts([ParentContext(child_id=run_id, parent_id=pipe_id)])
        elif pipe_id not in parents:
            raise InvalidArgument(f"run: {self.run!r} is a run of another pipeline "
                                  f"(context {parents[0]}), not of {self.name!r}")
        pipeline, run_ctx = self.store.get_contexts_by_id([pipe_id, run_id])
        self._contexts = (pipeline, run_ctx)

    @property
    def context(self) -> Context:
        """The ``Pipeline`` context."""
        self.start()
        assert self._contexts is not None
        return self._contexts[0]

    @property
    def run_context(self) -> Context:
        """The ``PipelineRun`` context of this run."""
        self.start()
        assert self._contexts is not None
        return self._contexts[1]

    def _context_refs(self) -> list[Context]:
        # by (type, name) with reuse: linking never rewrites the stored contexts
        return [Context(type_id=c.type_id, name=c.name) for c in (self.context, self.run_context)]

    # -- types ---------------------------------------------------------------------------
    def _register(self, kind: str, type_name: str, values: Mapping[str, Any],
                  field: str) -> tuple[int, dict[str, Any]]:
        """Register ``type_name`` with a property per value (types inferred, added on first
        use); returns its id and the values as stored."""
        if not isinstance(values, Mapping):
            raise InvalidArgument(f"{field}: expected a mapping of names to values, got {values!r}")
        key = (kind, type_name)
        if key not in self._types:
            try:
                stored = getattr(self.store, f"get_{kind}_type")(type_name)
                assert stored.id is not None
                self._types[key] = (stored.id, dict(stored.properties))
            except NotFound:
                pass
        type_id, declared = self._types.get(key, (0, {}))
        out: dict[str, Any] = {}
        wanted: dict[str, PropertyType] = {}
        for name, raw in values.items():
            what = f"{field}[{name!r}]"
            _name(what, name)
            value = _plain(what, raw)
            ptype = infer_type(value)
            if declared.get(name) is PropertyType.DOUBLE and ptype is PropertyType.INT:
                ptype = PropertyType.DOUBLE  # 3 where 0.5 was declared: stored as 3.0
            elif name in declared and declared[name] is not ptype:
                raise InvalidArgument(f"{what}: {value!r} is {ptype.name}, but {kind} type "
                                      f"{type_name!r} declares {name!r} as {declared[name].name}")
            out[name] = value
            wanted[name] = ptype
        if key not in self._types or set(wanted) - set(declared):
            try:
                type_id = getattr(self.store, f"put_{kind}_type")(
                    _TYPE_MODELS[kind](name=type_name, properties=wanted),
                    can_add_fields=True, can_omit_fields=True)
            except AlreadyExists as exc:  # a concurrent writer declared a property differently
                raise InvalidArgument(f"{field}: {exc}") from exc
            self._types[key] = (type_id, {**declared, **wanted})
        return type_id, out

    def _new_artifact(self, type_name: str, *, path: str | os.PathLike[str] | None, uri: str | None,
                      properties: Mapping[str, Any] | None, name: str | None, field: str) -> Artifact:
        _name("type", type_name)
        props = dict(properties or {})
        external_id = None
        markers: dict[str, Any] = {}
        if path is not None:
            if not isinstance(path, (str, os.PathLike)):
                raise InvalidArgument(f"path: expected a file or directory path, got {path!r}")
            clash = sorted(set(props) & set(_FINGERPRINT_PROPS))
            if clash:
                raise InvalidArgument(f"{field}[{clash[0]!r}]: reserved for the content fingerprint")
            found = fingerprint(path)
            props.update(found)
            markers = output_markers(found)
            external_id = f"{type_name}:sha256:{found['sha256']}"
            uri = uri if uri is not None else str(Path(path).resolve())
        elif uri is not None and not isinstance(uri, str):
            raise InvalidArgument(f"uri: expected a string, got {uri!r}")
        type_id, values = self._register("artifact", type_name, props, field)
        return Artifact(type_id=type_id, uri=uri, name=name, properties=values,
                        custom_properties=markers, external_id=external_id, state=ArtifactState.LIVE)

    def _revive(self, new: Iterable[Artifact]) -> None:
        """A new artifact whose content is stored as an artifact that lost it (marked stale, or
        its file gone or changed) re-points that artifact at the new file, LIVE again; otherwise
        the stale record would win the content match and no run could be a cache hit again.
        Fills in ``new`` in place (``output()`` returned it)."""
        by_external_id = {a.external_id: a for a in new if a.external_id is not None}
        if not by_external_id:
            return
        for old in self.store.get_artifacts_by_external_ids(list(by_external_id)):
            fresh = by_external_id[old.external_id]  # type: ignore[index]
            if STALE_REASON not in old.custom_properties and stale_reason(
                    old.uri, old.custom_properties, "size") is None:
                continue  # the stored artifact still holds the content: it wins, as before
            kept = {k: v for k, v in old.custom_properties.items() if k not in MARKERS}
            revived = old.model_copy(update={"uri": fresh.uri, "state": ArtifactState.LIVE,
                                             "custom_properties": {**kept, **fresh.custom_properties}})
            for field in Artifact.model_fields:
                setattr(fresh, field, getattr(revived, field))

    # -- public API ----------------------------------------------------------------------
    def artifact(self, type: str, *, path: str | os.PathLike[str] | None = None,
                 uri: str | None = None, properties: Mapping[str, Any] | None = None,
                 name: str | None = None) -> Artifact:
        """Register an artifact made outside the pipeline (raw data, a base model), LIVE and in
        this run; a file or directory ``path`` is found again by content."""
        new = self._new_artifact(type, path=path, uri=uri, properties=properties, name=name,
                                 field="properties")
        self._revive([new])
        _, [artifact_id], _ = self.store.put_lineage_subgraph(
            [], [new], self._context_refs(), [], reuse_context_if_already_exist=True,
            reuse_artifact_if_already_exist_by_external_id=True)
        [stored] = self.store.get_artifacts_by_id([artifact_id])
        return stored

    def step(self, type: str, *, params: Mapping[str, Any] | None = None,
             inputs: Mapping[str, InputValue] | None = None, cache: bool = True,
             verify_outputs: Verify = "auto") -> Step:
        """A step of execution type ``type`` to use in a ``with`` block. ``inputs`` maps a key
        to an artifact (or id), or a list of them (event paths ``[key]`` / ``[key, i]``);
        ``cache=False`` always runs the block; ``verify_outputs`` is how a cache hit's outputs
        are checked (see ``MetadataStore.find_cached_execution``)."""
        return Step(self, type, params=params, inputs=inputs, cache=cache, verify_outputs=verify_outputs)


class Step:
    """One execution of a pipeline step; see the module docstring. After the block,
    ``outputs`` holds the stored output artifacts by name (the earlier ones on a cache hit)
    and ``execution`` the stored execution."""

    def __init__(self, pipeline: Pipeline, type_name: str, *, params: Mapping[str, Any] | None,
                 inputs: Mapping[str, InputValue] | None, cache: bool,
                 verify_outputs: Verify = "auto") -> None:
        self.pipeline = pipeline
        self.type = _name("type", type_name)
        self.use_cache = cache
        self.verify_outputs = verify_outputs
        self._params = params or {}
        self._inputs = inputs or {}
        self.params: dict[str, Any] = {}
        self.inputs: dict[str, Artifact | list[Artifact]] = {}
        self.outputs: dict[str, Artifact] = {}
        self.cached = False
        self.cached_from: Execution | None = None
        self.execution: Execution | None = None
        self._pending: dict[str, Artifact] = {}
        self._state = "new"  # new → running → done

    def __repr__(self) -> str:
        ex = self.execution
        state = ex.last_known_state.name if ex is not None else self._state.upper()
        return (f"Step({self.type!r}, execution={ex.id if ex is not None else None}, state={state}"
                f"{', cached' if self.cached else ''}, outputs={list(self.outputs)})")

    def _repr_html_(self) -> str:
        from ._notebook import html
        return html(self)

    # -- inputs and outputs --------------------------------------------------------------
    def _resolve_inputs(self) -> list[Event]:
        if not isinstance(self._inputs, Mapping):
            raise InvalidArgument(f"inputs: expected a mapping of names to artifacts, got {self._inputs!r}")
        wanted: list[tuple[str, list[str | int], int]] = []  # (field, event path, artifact id)
        for key, value in self._inputs.items():
            _name("inputs key", key)
            many = isinstance(value, Sequence) and not isinstance(value, (str, bytes))
            items: Sequence[Any] = value if many else [value]  # type: ignore[assignment]
            for i, item in enumerate(items):
                what = f"inputs[{key!r}]" + (f"[{i}]" if many else "")
                artifact_id = item.id if isinstance(item, Artifact) else item
                if isinstance(artifact_id, bool) or not isinstance(artifact_id, int):
                    raise InvalidArgument(f"{what}: expected a stored artifact or its id, got {item!r}")
                wanted.append((what, [key, i] if many else [key], artifact_id))
        seen: dict[int, str] = {}
        for what, _, artifact_id in wanted:
            if artifact_id in seen:  # MLMD keeps one event per (artifact, execution, kind)
                raise InvalidArgument(f"{what}: artifact {artifact_id} is already input {seen[artifact_id]}")
            seen[artifact_id] = what
        stored = {a.id: a for a in self.pipeline.store.get_artifacts_by_id(list(seen))}
        lists: dict[str, list[Artifact]] = {}
        for what, path, artifact_id in wanted:
            if artifact_id not in stored:
                raise InvalidArgument(f"{what}: no artifact with id {artifact_id}")
            if len(path) == 1:
                self.inputs[str(path[0])] = stored[artifact_id]
            else:
                lists.setdefault(str(path[0]), []).append(stored[artifact_id])
        self.inputs.update(lists)
        return [Event(artifact_id=a, type=EventType.INPUT, path=p) for _, p, a in wanted]

    def output(self, name: str, *, type: str, path: str | os.PathLike[str] | None = None,
               uri: str | None = None, properties: Mapping[str, Any] | None = None,
               artifact_name: str | None = None) -> Artifact:
        """Declare an output (written when the block completes; the returned artifact gets
        its id then). A ``path`` is fingerprinted now and sets the uri unless one is given."""
        _name("name", name)
        if self._state != "running":
            raise FailedPrecondition(f"output {name!r}: step {self.type!r} is not running")
        if self.cached:
            raise FailedPrecondition(f"output {name!r}: step {self.type!r} is a cache hit; its "
                                     "outputs are the earlier run's (step.outputs)")
        if name in self._pending:
            raise InvalidArgument(f"name: output {name!r} is declared twice")
        new = self.pipeline._new_artifact(type, path=path, uri=uri, properties=properties,
                                          name=artifact_name, field=f"outputs[{name!r}].properties")
        for other, a in self._pending.items():
            if new.external_id is not None and a.external_id == new.external_id:
                raise InvalidArgument(f"path: output {name!r} has the same content as output {other!r}")
        self._pending[name] = new
        return new

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> Step:
        if self._state != "new":
            raise FailedPrecondition(f"step {self.type!r} was already entered")
        store = self.pipeline.store
        events = self._resolve_inputs()
        type_id, self.params = self.pipeline._register("execution", self.type, self._params, "params")
        contexts = self.pipeline._context_refs()
        hit = (store.find_cached_execution(type_id, events, properties=self.params, exact_properties=True,
                                           verify_outputs=self.verify_outputs, mark_stale=True)
               if self.use_cache else None)
        if hit is not None and hit.execution.properties == self.params:
            self._record_cache_hit(type_id, events, contexts, hit.execution)
        else:
            running = Execution(type_id=type_id, properties=self.params,
                                last_known_state=ExecutionState.RUNNING)
            [execution_id], _, _ = store.put_lineage_subgraph(
                [running], [], contexts, [(0, None, e) for e in events],
                reuse_context_if_already_exist=True)
            self.execution = running.model_copy(update={"id": execution_id})
        self._reload()
        self._state = "running"
        self.pipeline.steps.append(self)
        return self

    def _record_cache_hit(self, type_id: int, events: list[Event], contexts: list[Context],
                          earlier: Execution) -> None:
        store = self.pipeline.store
        assert earlier.id is not None
        produced = [e for e in store.get_events_by_execution_ids([earlier.id])
                    if not e.type.is_input and e.artifact_id is not None]
        ids = [e.artifact_id for e in produced if e.artifact_id is not None]
        by_id = {a.id: a for a in store.get_artifacts_by_id(ids)}
        for e in produced:
            key = str(e.path[0]) if e.path else f"output-{e.artifact_id}"
            self.outputs[key] = by_id[e.artifact_id]
        cached = Execution(type_id=type_id, properties=self.params, custom_properties={"cached_from": earlier.id},
                           last_known_state=ExecutionState.CACHED)
        outputs = [Event(artifact_id=e.artifact_id, type=EventType.OUTPUT, path=e.path) for e in produced]
        # The stored outputs go in as they are: an unchanged node is not rewritten, so this one
        # transaction records the CACHED run, its events and the outputs' links to the run.
        [execution_id], _, _ = store.put_lineage_subgraph(
            [cached], [by_id[i] for i in dict.fromkeys(ids)], contexts,
            [(0, None, e) for e in [*events, *outputs]], reuse_context_if_already_exist=True)
        self.execution = cached.model_copy(update={"id": execution_id})
        self.cached, self.cached_from = True, earlier

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._state = "done"
        if self.cached:
            return None
        if exc is not None:
            self._fail(exc)
            return None  # the exception goes on
        assert self.execution is not None
        done = self.execution.model_copy(update={"last_known_state": ExecutionState.COMPLETE})
        names = list(self._pending)
        self.pipeline._revive(self._pending.values())
        try:
            # the completion, the outputs and their events: one transaction, all or nothing
            _, artifact_ids, _ = self.pipeline.store.put_execution(
                done, [(self._pending[n], Event(type=EventType.OUTPUT, path=[n])) for n in names],
                self.pipeline._context_refs(), reuse_context_if_already_exist=True,
                reuse_artifact_if_already_exist_by_external_id=True)
        except BaseException as err:
            self._fail(err)
            raise
        stored = {a.id: a for a in self.pipeline.store.get_artifacts_by_id(artifact_ids)}
        for n, artifact_id in zip(names, artifact_ids, strict=True):
            record = stored[artifact_id]
            for field in Artifact.model_fields:  # the artifact output() returned gets its id
                setattr(self._pending[n], field, getattr(record, field))
            self.outputs[n] = record
        self._reload()
        return None

    def _reload(self) -> None:
        assert self.execution is not None and self.execution.id is not None
        [self.execution] = self.pipeline.store.get_executions_by_id([self.execution.id])

    def _fail(self, exc: BaseException) -> None:
        assert self.execution is not None
        state = ExecutionState.FAILED if isinstance(exc, Exception) else ExecutionState.CANCELED
        message = str(exc)
        if len(message) > _MAX_MESSAGE:
            message = message[:_MAX_MESSAGE] + "…"
        failed = self.execution.model_copy(update={
            "last_known_state": state,
            "custom_properties": {"error_type": _error_type(exc), "error_message": message}})
        try:
            # a field mask: only the state and the error, whatever else changed meanwhile
            self.pipeline.store.put_executions(
                [failed], ["last_known_state", "custom_properties.error_type",
                           "custom_properties.error_message"])
            self._reload()
        except GraphstoreError as err:  # keep the caller's exception; say why it stays RUNNING
            if hasattr(exc, "add_note"):
                exc.add_note(f"graphstore could not record execution {failed.id} as "
                             f"{state.name}: {err}")
