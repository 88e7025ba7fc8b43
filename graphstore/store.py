"""MetadataStore: MLMD's API over an engine. Validate → operations → one transaction → models."""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from . import _port, _writes, ops
from ._analysis_api import AnalysisMixin
from ._convert import to_event, to_node, to_type
from ._gc import paused_gc
from ._lineage_api import LineageMixin
from ._namespace import DEFAULT as NAMESPACE_DEFAULT
from ._namespace import ENV as NAMESPACE_ENV
from ._namespace import ScopedEngine, check_namespace
from ._outcome import keys_of, write_naming
from ._retention_api import RetentionMixin
from ._types_api import TypesMixin
from ._validate import INT64_MAX, _check, _ids, check_batch, check_int, check_text, check_texts
from .deadlines import (
    DEFAULT_FILTER_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    FILTER_TIMEOUT_ENV,
    READ_TIMEOUT_ENV,
    resolve_timeout,
)
from .engines.base import Engine, Transaction, open_engine, parse_uri
from .errors import InvalidArgument
from .filters import parse as parse_filter
from .kinds import KIND_SPECS, KindSpec, NodeKind, Relation
from .models import (
    Artifact,
    ArtifactType,
    Association,
    Attribution,
    Context,
    Event,
    Execution,
    ParentContext,
)
from .options import ListOptions, Page, RecordList, decode_token, encode_token, query_fingerprint

__all__ = ["MetadataStore"]

ARTIFACTS, EXECUTIONS, CONTEXTS = (KIND_SPECS[k] for k in NodeKind)
M = TypeVar("M")
DEFAULT_PAGE_SIZE = 100


class MetadataStore(TypesMixin, LineageMixin, AnalysisMixin, RetentionMixin):
    """An MLMD-shaped metadata store.

    ``MetadataStore()`` is embedded and in memory (gone on close, like MLMD's fake_database);
    ``MetadataStore("path/to/store.db")`` is embedded on disk (MLMD's SQLite);
    ``MetadataStore("neo4j://host:7687", user=..., password=..., database=...)`` uses Neo4j
    (``bolt://``, ``neo4j+s://`` and credentials in the URI work too).

    A file is only written to when it is new, empty or graphstore's own; anything else (an MLMD
    store, another program's database, a non-SQLite file) is refused untouched. ``read_only=True``
    refuses every write (on SQLite the file is opened ``mode=ro`` and must exist).

    Every read runs under a time limit the engine enforces (DeadlineExceeded past it):
    ``read_timeout`` seconds (default 60, or ``$GRAPHSTORE_READ_TIMEOUT``), and
    ``filter_timeout`` (default 5, or ``$GRAPHSTORE_FILTER_TIMEOUT``) for listings with a
    filter query. See graphstore.deadlines.

    ``namespace`` (default ``$GRAPHSTORE_NAMESPACE``, else ``"default"``) opens one of many
    independent stores sharing the database or file: its own types, nodes, names, filters,
    lineage and counts; another namespace's ids are unknown ids. See docs/namespaces.md.
    """

    def __init__(self, uri: str | os.PathLike[str] | None = None, *, user: str | None = None,
                 password: str | None = None, database: str | None = None, read_only: bool = False,
                 read_timeout: float | None = None, filter_timeout: float | None = None,
                 bookmarks: Iterable[str] | None = None, namespace: str | None = None) -> None:
        self.namespace = check_namespace(namespace if namespace is not None
                                         else os.environ.get(NAMESPACE_ENV) or None)
        self._filter_timeout = resolve_timeout(filter_timeout, "filter_timeout",
                                               FILTER_TIMEOUT_ENV, DEFAULT_FILTER_TIMEOUT)
        self._conn = dataclasses.replace(
            parse_uri(uri, user=user, password=password, database=database, read_only=read_only),
            read_timeout=resolve_timeout(read_timeout, "read_timeout", READ_TIMEOUT_ENV,
                                         DEFAULT_READ_TIMEOUT),
            bookmarks=check_texts("bookmarks", bookmarks or ()))
        self._engine: Engine = ScopedEngine(open_engine(self._conn), self.namespace)

    @classmethod
    def from_env(cls) -> MetadataStore:
        """Open the store named by ``GRAPHSTORE_URI`` (default: in memory), with
        ``GRAPHSTORE_USER``, ``GRAPHSTORE_PASSWORD``, ``GRAPHSTORE_DATABASE`` and
        ``GRAPHSTORE_NAMESPACE``."""
        env = os.environ
        return cls(env.get("GRAPHSTORE_URI") or None, user=env.get("GRAPHSTORE_USER"),
                   password=env.get("GRAPHSTORE_PASSWORD"), database=env.get("GRAPHSTORE_DATABASE"))

    def with_namespace(self, namespace: str) -> MetadataStore:
        """Another namespace of this store, over the same connection (closing either closes
        both): how an in-memory store holds several namespaces."""
        view = copy.copy(self)
        view.namespace = check_namespace(namespace)
        assert isinstance(self._engine, ScopedEngine)
        view._engine = ScopedEngine(self._engine.inner, view.namespace)
        return view

    @property
    def bookmarks(self) -> tuple[str, ...]:
        """Neo4j's bookmarks for the writes this store has made or seen: give them to another
        store (``MetadataStore(..., bookmarks=...)``, in another process too) and its reads
        see those writes, on any cluster member. Empty on SQLite (every reader sees every
        commit). See docs/clusters.md."""
        return self._engine.bookmarks()

    @property
    def engine_name(self) -> str:
        """``"sqlite"`` or ``"neo4j"``."""
        return self._engine.name

    def close(self) -> None:
        """Release the connection (an in-memory store is gone afterwards)."""
        self._engine.close()

    def __enter__(self) -> MetadataStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.namespace == NAMESPACE_DEFAULT:
            return f"MetadataStore({self._conn.target!r})"
        return f"MetadataStore({self._conn.target!r}, namespace={self.namespace!r})"

    # -- helpers -------------------------------------------------------------------------
    def _read_nodes(self, query: ops.NodeQuery) -> list[Any]:
        spec = KIND_SPECS[query.kind]
        # a filter is the one part of a read a caller can make arbitrarily expensive
        timeout = self._filter_timeout if query.filter is not None else None
        with paused_gc():  # a listing can build tens of thousands of records (see _gc)
            return RecordList(to_node(spec, r) for r in self._engine.read(lambda tx: tx.run(query),
                                                                          timeout=timeout))

    @staticmethod
    def _scope(relation: Relation, context_id: int | None) -> ops.LinkFilter | None:
        if context_id is None:
            return None
        (checked,) = _ids([context_id], "context_id")
        return ops.LinkFilter(relation, checked, as_source=True)

    def _query(self, kind: NodeKind, options: ListOptions | None,
               linked: ops.LinkFilter | None) -> tuple[ops.NodeQuery, ListOptions, str]:
        if options is None:
            options = ListOptions()
        elif not isinstance(options, ListOptions):
            raise InvalidArgument(f"list_options: expected ListOptions, got {options!r}")
        text = options.filter_query
        expr = parse_filter(text, kind) if text and text.strip() else None
        scope = [kind.value, linked.relation.name, linked.other_id] if linked else [kind.value]
        fingerprint = query_fingerprint(options, scope)
        after = (decode_token(options.next_page_token, fingerprint)
                 if options.next_page_token else None)
        query = ops.NodeQuery(kind, linked=linked, filter=expr, order_by=options.order_by.order,
                              descending=not options.is_asc, limit=options.limit, after=after)
        return query, options, fingerprint

    def _list(self, kind: NodeKind, options: ListOptions | None,
              linked: ops.LinkFilter | None = None) -> list[Any]:
        return self._read_nodes(self._query(kind, options, linked)[0])

    def _page(self, kind: NodeKind, options: ListOptions | None,
              linked: ops.LinkFilter | None) -> Page[Any]:
        query, options, fingerprint = self._query(kind, options, linked)
        size = options.limit or DEFAULT_PAGE_SIZE
        # one row more than the page tells whether another page exists (a limit of 2**63 - 1
        # asks for no more than the largest int64)
        items = self._read_nodes(dataclasses.replace(query, limit=min(size + 1, INT64_MAX)))
        if len(items) <= size:
            return Page(items, None)
        last = items[size - 1]
        token = encode_token(fingerprint, (getattr(last, query.order_by.value), last.id))
        return Page(items[:size], token)

    def _iter(self, kind: NodeKind, options: ListOptions | None,
              linked: ops.LinkFilter | None) -> Iterator[Any]:
        options = options or ListOptions()
        while True:
            page = self._page(kind, options, linked)
            yield from page.items
            if page.next_page_token is None:
                return
            options = options.model_copy(update={"next_page_token": page.next_page_token})

    def _nodes_by_type(self, spec: KindSpec, type_name: str, type_version: str | None,
                       names: tuple[str, ...] | None = None) -> list[Any]:
        check_text("type_name", type_name)
        if type_version is not None:
            check_text("type_version", type_version)
        for name in names or ():
            check_text(f"{spec.noun}_name", name)

        def work(tx: Transaction) -> list[Any]:
            types = tx.run(ops.GetTypes(spec.kind, keys=((type_name, type_version or ""),)))
            if not types:
                return []
            return list(tx.run(ops.NodeQuery(spec.kind, type_ids=(types[0]["id"],), names=names)))
        return RecordList(to_node(spec, r) for r in self._engine.read(work))

    def _put_nodes(self, spec: KindSpec, nodes: Sequence[Any], field_mask: Sequence[str]) -> list[int]:
        checked = _check(nodes, spec.model, f"{spec.noun}s")
        mask = tuple(field_mask or ())
        return write_naming(self._engine, lambda tx: _writes.put_nodes(tx, spec, checked, mask),
                            lambda: keys_of(spec.noun, checked))

    def _delete(self, spec: KindSpec, ids: Iterable[int]) -> int:
        checked = _ids(ids, f"{spec.noun}_ids")
        return self._engine.write(lambda tx: _writes.delete_nodes(tx, spec, checked))

    # -- nodes: writes -----------------------------------------------------------------------
    def put_artifacts(self, artifacts: Sequence[Artifact],
                      field_mask: Sequence[str] = ()) -> list[int]:
        """Insert artifacts without an id and update those with one, in one transaction;
        returns their ids. With ``field_mask`` (e.g. ``["state", "properties.acc"]``) an
        update changes only the named fields."""
        return self._put_nodes(ARTIFACTS, artifacts, field_mask)

    def put_executions(self, executions: Sequence[Execution],
                       field_mask: Sequence[str] = ()) -> list[int]:
        """Insert or update executions (see put_artifacts)."""
        return self._put_nodes(EXECUTIONS, executions, field_mask)

    def put_contexts(self, contexts: Sequence[Context], field_mask: Sequence[str] = ()) -> list[int]:
        """Insert or update contexts (see put_artifacts); names are unique within a type."""
        return self._put_nodes(CONTEXTS, contexts, field_mask)

    def delete_artifacts(self, artifact_ids: Iterable[int]) -> int:
        """Delete artifacts with their events and attributions (MLMD cannot); returns the
        count. An unknown id is NotFound and deletes nothing."""
        return self._delete(ARTIFACTS, artifact_ids)

    def delete_executions(self, execution_ids: Iterable[int]) -> int:
        """Delete executions with their events and associations."""
        return self._delete(EXECUTIONS, execution_ids)

    def delete_contexts(self, context_ids: Iterable[int]) -> int:
        """Delete contexts with their attributions, associations and parent links (the
        artifacts and executions stay)."""
        return self._delete(CONTEXTS, context_ids)

    # -- nodes: reads ------------------------------------------------------------------------
    def get_artifacts(self, list_options: ListOptions | None = None) -> list[Artifact]:
        """Artifacts matching ``list_options`` (filter, order, limit); all by default."""
        return self._list(NodeKind.ARTIFACT, list_options)

    def get_executions(self, list_options: ListOptions | None = None) -> list[Execution]:
        """Executions matching ``list_options`` (filter, order, limit); all by default."""
        return self._list(NodeKind.EXECUTION, list_options)

    def get_contexts(self, list_options: ListOptions | None = None) -> list[Context]:
        """Contexts matching ``list_options`` (filter, order, limit); all by default."""
        return self._list(NodeKind.CONTEXT, list_options)

    def page_artifacts(self, list_options: ListOptions | None = None, *,
                       context_id: int | None = None) -> Page[Artifact]:
        """One page (``limit``, default 100) and a token for the next; keyset paging, so a
        page never repeats or skips rows when other writers insert meanwhile."""
        return self._page(NodeKind.ARTIFACT, list_options, self._scope(Relation.ATTRIBUTION, context_id))

    def page_executions(self, list_options: ListOptions | None = None, *,
                        context_id: int | None = None) -> Page[Execution]:
        """One page of executions and a token for the next (see page_artifacts)."""
        return self._page(NodeKind.EXECUTION, list_options, self._scope(Relation.ASSOCIATION, context_id))

    def page_contexts(self, list_options: ListOptions | None = None) -> Page[Context]:
        """One page of contexts and a token for the next (see page_artifacts)."""
        return self._page(NodeKind.CONTEXT, list_options, None)

    def iter_artifacts(self, list_options: ListOptions | None = None, *,
                       context_id: int | None = None) -> Iterator[Artifact]:
        """Every matching artifact, fetched a page (``limit``, default 100) at a time."""
        return self._iter(NodeKind.ARTIFACT, list_options, self._scope(Relation.ATTRIBUTION, context_id))

    def iter_executions(self, list_options: ListOptions | None = None, *,
                        context_id: int | None = None) -> Iterator[Execution]:
        """Every matching execution, fetched a page (``limit``, default 100) at a time."""
        return self._iter(NodeKind.EXECUTION, list_options, self._scope(Relation.ASSOCIATION, context_id))

    def iter_contexts(self, list_options: ListOptions | None = None) -> Iterator[Context]:
        """Every matching context, fetched a page (``limit``, default 100) at a time."""
        return self._iter(NodeKind.CONTEXT, list_options, None)

    def get_artifacts_by_id(self, artifact_ids: Iterable[int]) -> list[Artifact]:
        """The artifacts with these ids, distinct, in id order; unknown ids are skipped.

        Example: ``store.get_artifacts_by_id([3, 999])`` is ``[Artifact(id=3, …)]``."""
        return self._read_nodes(ops.NodeQuery(NodeKind.ARTIFACT, ids=_ids(artifact_ids, "artifact_ids")))

    def get_executions_by_id(self, execution_ids: Iterable[int]) -> list[Execution]:
        """The executions with these ids, distinct, in id order; unknown ids are skipped."""
        return self._read_nodes(ops.NodeQuery(NodeKind.EXECUTION, ids=_ids(execution_ids, "execution_ids")))

    def get_contexts_by_id(self, context_ids: Iterable[int]) -> list[Context]:
        """The contexts with these ids, distinct, in id order; unknown ids are skipped."""
        return self._read_nodes(ops.NodeQuery(NodeKind.CONTEXT, ids=_ids(context_ids, "context_ids")))

    def get_artifacts_by_type(self, type_name: str, type_version: str | None = None) -> list[Artifact]:
        """Every artifact of the type named ``type_name`` (and ``type_version``), in id order."""
        return self._nodes_by_type(ARTIFACTS, type_name, type_version)

    def get_executions_by_type(self, type_name: str, type_version: str | None = None) -> list[Execution]:
        """Every execution of the type named ``type_name`` (and ``type_version``), in id order."""
        return self._nodes_by_type(EXECUTIONS, type_name, type_version)

    def get_contexts_by_type(self, type_name: str, type_version: str | None = None) -> list[Context]:
        """Every context of the type named ``type_name`` (and ``type_version``), in id order."""
        return self._nodes_by_type(CONTEXTS, type_name, type_version)

    def get_artifact_by_type_and_name(self, type_name: str, artifact_name: str,
                                      type_version: str | None = None) -> Artifact | None:
        """The artifact of that type with that name, or None."""
        found = self._nodes_by_type(ARTIFACTS, type_name, type_version, (artifact_name,))
        return found[0] if found else None

    def get_execution_by_type_and_name(self, type_name: str, execution_name: str,
                                       type_version: str | None = None) -> Execution | None:
        """The execution of that type with that name, or None."""
        found = self._nodes_by_type(EXECUTIONS, type_name, type_version, (execution_name,))
        return found[0] if found else None

    def get_context_by_type_and_name(self, type_name: str, context_name: str,
                                     type_version: str | None = None) -> Context | None:
        """The context of that type with that name, or None.

        Example: ``store.get_context_by_type_and_name("PipelineRun", "run-1")``."""
        found = self._nodes_by_type(CONTEXTS, type_name, type_version, (context_name,))
        return found[0] if found else None

    def get_artifacts_by_uri(self, uri: str) -> list[Artifact]:
        """Every artifact whose uri is exactly ``uri``, in id order."""
        check_text("uri", uri)
        return self._read_nodes(ops.NodeQuery(NodeKind.ARTIFACT, uris=(uri,)))

    def get_artifacts_by_external_ids(self, external_ids: Iterable[str]) -> list[Artifact]:
        """The artifacts with these external ids, in id order; unknown ones are skipped."""
        return self._read_nodes(ops.NodeQuery(NodeKind.ARTIFACT, external_ids=check_texts(
            "external_ids", external_ids)))

    def get_executions_by_external_ids(self, external_ids: Iterable[str]) -> list[Execution]:
        """The executions with these external ids, in id order; unknown ones are skipped."""
        return self._read_nodes(ops.NodeQuery(NodeKind.EXECUTION, external_ids=check_texts(
            "external_ids", external_ids)))

    def get_contexts_by_external_ids(self, external_ids: Iterable[str]) -> list[Context]:
        """The contexts with these external ids, in id order; unknown ones are skipped."""
        return self._read_nodes(ops.NodeQuery(NodeKind.CONTEXT, external_ids=check_texts(
            "external_ids", external_ids)))

    def get_artifacts_and_types_by_artifact_ids(
            self, artifact_ids: Iterable[int]) -> tuple[list[Artifact], list[ArtifactType]]:
        """The artifacts (by id, repeats and unknown ids dropped) and the distinct types they
        have, in the order the artifacts first name them (MLMD's order), in one read."""
        ids = _ids(artifact_ids, "artifact_ids")

        def work(tx: Transaction) -> tuple[list[Any], list[Any]]:
            rows = tx.run(ops.NodeQuery(NodeKind.ARTIFACT, ids=ids))
            type_ids = tuple(dict.fromkeys(r["type_id"] for r in rows))
            return rows, (tx.run(ops.GetTypes(NodeKind.ARTIFACT, ids=type_ids)) if type_ids else [])
        rows, types = self._engine.read(work)
        artifacts: list[Any] = [to_node(ARTIFACTS, r) for r in rows]
        order = {type_id: i for i, type_id in enumerate(dict.fromkeys(r["type_id"] for r in rows))}
        found: list[Any] = sorted((to_type(ARTIFACTS, t) for t in types), key=lambda t: order[t.id])
        return artifacts, found

    def _linked(self, kind: NodeKind, relation: Relation, other_id: int, as_source: bool) -> list[Any]:
        (checked,) = _ids([other_id], "id")
        return self._read_nodes(ops.NodeQuery(kind, linked=ops.LinkFilter(relation, checked, as_source)))

    def get_artifacts_by_context(self, context_id: int,
                                 list_options: ListOptions | None = None) -> list[Artifact]:
        """The artifacts attributed to the context, filtered and ordered by ``list_options``."""
        (checked,) = _ids([context_id], "context_id")  # None is not "every context"
        return self._list(NodeKind.ARTIFACT, list_options, self._scope(Relation.ATTRIBUTION, checked))

    def get_executions_by_context(self, context_id: int,
                                  list_options: ListOptions | None = None) -> list[Execution]:
        """The executions associated with the context, filtered and ordered by ``list_options``."""
        (checked,) = _ids([context_id], "context_id")  # None is not "every context"
        return self._list(NodeKind.EXECUTION, list_options, self._scope(Relation.ASSOCIATION, checked))

    def get_contexts_by_artifact(self, artifact_id: int) -> list[Context]:
        """The contexts the artifact is attributed to, in id order (none for an unknown id)."""
        return self._linked(NodeKind.CONTEXT, Relation.ATTRIBUTION, artifact_id, False)

    def get_contexts_by_execution(self, execution_id: int) -> list[Context]:
        """The contexts the execution is associated with, in id order (none for an unknown id)."""
        return self._linked(NodeKind.CONTEXT, Relation.ASSOCIATION, execution_id, False)

    def get_parent_contexts_by_context(self, context_id: int) -> list[Context]:
        """The parent contexts of the context, in id order."""
        return self._linked(NodeKind.CONTEXT, Relation.PARENT, context_id, False)

    def get_children_contexts_by_context(self, context_id: int) -> list[Context]:
        """The child contexts of the context, in id order."""
        return self._linked(NodeKind.CONTEXT, Relation.PARENT, context_id, True)

    # -- relations ---------------------------------------------------------------------------
    def put_events(self, events: Sequence[Event]) -> None:
        """Record events (immutable). A duplicate is AlreadyExists; an unknown artifact or
        execution is InvalidArgument; either way nothing is written."""
        checked = _check(events, Event, "events")
        self._engine.write(lambda tx: _writes.put_events(tx, checked))

    def get_events_by_artifact_ids(self, artifact_ids: Iterable[int]) -> list[Event]:
        """Every INPUT/OUTPUT/… event of these artifacts, in write order."""
        ids = _ids(artifact_ids, "artifact_ids")
        return [to_event(r) for r in self._engine.read(lambda tx: tx.run(ops.GetEvents(artifact_ids=ids)))]

    def get_events_by_execution_ids(self, execution_ids: Iterable[int]) -> list[Event]:
        """Every event of these executions, in write order."""
        ids = _ids(execution_ids, "execution_ids")
        return [to_event(r) for r in self._engine.read(lambda tx: tx.run(ops.GetEvents(execution_ids=ids)))]

    def put_attributions_and_associations(self, attributions: Sequence[Attribution],
                                          associations: Sequence[Association]) -> None:
        """Link artifacts and executions to contexts; links that exist are kept (idempotent)."""
        attr = _check(attributions, Attribution, "attributions")
        assoc = _check(associations, Association, "associations")
        check_batch("attributions and associations", len(attr) + len(assoc))

        def work(tx: Transaction) -> None:
            _writes.link(tx, Relation.ATTRIBUTION, [(a.artifact_id, a.context_id) for a in attr],
                         "attributions")
            _writes.link(tx, Relation.ASSOCIATION, [(a.execution_id, a.context_id) for a in assoc],
                         "associations")
        self._engine.write(work)

    def put_parent_contexts(self, parent_contexts: Sequence[ParentContext]) -> None:
        """Nest contexts. A self-link or a cycle is InvalidArgument, a repeat AlreadyExists."""
        pairs = [(p.child_id, p.parent_id) for p in _check(parent_contexts, ParentContext,
                                                              "parent_contexts")]
        self._engine.write(lambda tx: _writes.put_parent_contexts(tx, pairs))

    # -- export / import ---------------------------------------------------------------------
    def export(self, path: str | os.PathLike[str]) -> dict[str, int]:
        """Write this namespace (types, nodes, events, links) to a JSON Lines file at ``path``;
        returns the count of each record kind. See docs/namespaces.md."""
        return _port.export_namespace(self, path)

    def import_file(self, path: str | os.PathLike[str]) -> _port.ImportReport:
        """Copy an ``export`` file into this namespace, which must hold no nodes yet (types
        with the same name and version are reused); new ids are allocated, and the report
        maps the file's ids to them. Writes in batches and checks the result: on failure the
        nodes written so far are removed again."""
        return _port.import_namespace(self, path)

    # -- composite writes --------------------------------------------------------------------
    def put_execution(self, execution: Execution,
                      artifact_and_events: Sequence[tuple[Artifact, Event | None]],
                      contexts: Sequence[Context], *, reuse_context_if_already_exist: bool = False,
                      reuse_artifact_if_already_exist_by_external_id: bool = False,
                      ) -> tuple[int, list[int], list[int]]:
        """Record one step in one transaction: upsert the execution, its artifacts and
        contexts, add the events, and link everything to the contexts. Returns
        ``(execution_id, artifact_ids, context_ids)``."""
        pairs = list(artifact_and_events)
        for i, pair in enumerate(pairs):
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise InvalidArgument(f"artifact_and_events[{i}]: expected (artifact, event or "
                                      f"None), got {pair!r}")
        edges = [(0, i, ev) for i, (_, ev) in enumerate(pairs) if ev is not None]
        e_ids, a_ids, c_ids = self.put_lineage_subgraph(
            [execution], [a for a, _ in pairs], contexts, edges,
            reuse_context_if_already_exist=reuse_context_if_already_exist,
            reuse_artifact_if_already_exist_by_external_id=reuse_artifact_if_already_exist_by_external_id)
        return e_ids[0], a_ids, c_ids

    def put_lineage_subgraph(self, executions: Sequence[Execution], artifacts: Sequence[Artifact],
                             contexts: Sequence[Context],
                             event_edges: Sequence[tuple[int | None, int | None, Event]], *,
                             reuse_context_if_already_exist: bool = False,
                             reuse_artifact_if_already_exist_by_external_id: bool = False,
                             ) -> tuple[list[int], list[int], list[int]]:
        """Record many executions and artifacts at once (the batch path). ``event_edges`` are
        ``(execution_index, artifact_index, event)`` into the given lists. Returns
        ``(execution_ids, artifact_ids, context_ids)``."""
        ex = _check(executions, Execution, "executions")
        ar = _check(artifacts, Artifact, "artifacts")
        cx = _check(contexts, Context, "contexts")
        edges = []
        for i, edge in enumerate(event_edges):
            if not isinstance(edge, tuple) or len(edge) != 3:
                raise InvalidArgument(f"event_edges[{i}]: expected (execution_index, "
                                      f"artifact_index, event), got {edge!r}")
            (event,) = _check([edge[2]], Event, f"event_edges[{i}]")
            for part, index in (("execution_index", edge[0]), ("artifact_index", edge[1])):
                if index is not None:
                    check_int(f"event_edges[{i}].{part}", index)
            edges.append((edge[0], edge[1], event))
        check_batch("executions, artifacts, contexts and event_edges",
                    len(ex) + len(ar) + len(cx) + len(edges))
        # With reuse, a writer that loses the race to create the same context (or artifact)
        # runs again and reuses the winner's; without it the race is AlreadyExists, as in MLMD.
        return write_naming(
            self._engine, lambda tx: _writes.put_lineage(
                tx, ex, ar, cx, edges, reuse_context_if_already_exist,
                reuse_artifact_if_already_exist_by_external_id),
            lambda: "; ".join(keys_of(noun, nodes) for noun, nodes in
                              (("execution", ex), ("artifact", ar), ("context", cx)) if nodes),
            idempotent=reuse_context_if_already_exist or reuse_artifact_if_already_exist_by_external_id)
