"""MLMD's ``MetadataStore`` on graphstore: switching a program over is one import line.

::

    from graphstore.mlmd import metadata_store      # was: from ml_metadata import metadata_store
    from ml_metadata.proto import metadata_store_pb2

Every method takes and returns ``metadata_store_pb2`` messages and raises
``ml_metadata.errors`` exceptions; the work is done by :class:`graphstore.MetadataStore`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from .. import store as gs
from ..errors import GraphstoreError
from ..kinds import NodeKind
from ..lineage import LINEAGE_FIELDS, LineageGraph
from ..options import ListOptions as GsListOptions
from ..options import OrderByField as GsOrderByField
from ._convert import (
    TYPE_CLASSES,
    event_from_pb,
    event_to_pb,
    graph_to_pb,
    id_of,
    ids_of,
    lineage_options,
    node_from_pb,
    node_to_pb,
    text_of,
    type_from_pb,
    type_to_pb,
)
from ._convert import (
    list_options as to_list_options,
)
from ._errors import translated
from ._proto import ExtraOptions, ListOptions, Message, OrderByField, errors, pb
from ._rules import by_external_ids, events_by_artifacts, events_by_executions, keep_stored, maskable, updated

__all__ = ["ExtraOptions", "ListOptions", "MetadataStore", "OrderByField", "downgrade_schema"]

A, E, C = NodeKind.ARTIFACT, NodeKind.EXECUTION, NodeKind.CONTEXT
_SQLITE_MUST_EXIST = (1, 2)  # READONLY, READWRITE: MLMD refuses to create the file


def _mlmd_file(path: str) -> bool:
    """Whether ``path`` is a SQLite file written by MLMD (its MLMDEnv table)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'MLMDEnv'").fetchone()
    except sqlite3.Error:
        return False
    return found is not None


def _uri_namespace(config: Message | None) -> str | None:
    """The ``namespace`` query parameter of an SQLite config's ``file:`` URI, if any."""
    if not isinstance(config, pb.ConnectionConfig) or config.WhichOneof("config") != "sqlite":
        return None
    uri = str(config.sqlite.filename_uri)
    if not uri.startswith("file:"):  # a plain path's "?" is part of the file's name
        return None
    values = parse_qs(uri.partition("?")[2]).get("namespace")
    return values[-1] if values else None


class MetadataStore:
    """MLMD's MetadataStore, same constructor and methods, on a graphstore store.

    ``config`` picks the engine: ``fake_database`` (or ``sqlite`` without a file name) is a
    new, empty store in memory; ``sqlite.filename_uri`` an embedded graphstore file there.
    ``graphstore_uri=`` (``neo4j://…``, a path, …) names any graphstore store instead, and
    with ``GRAPHSTORE_URI`` set every config that names a database (an SQLite file, MySQL,
    a gRPC server) opens that URI (with ``GRAPHSTORE_USER`` / ``_PASSWORD`` / ``_DATABASE``).
    ``store=`` wraps an open :class:`graphstore.MetadataStore`.

    The graphstore namespace (docs/namespaces.md) is ``namespace=``, else a ``namespace``
    query parameter of ``sqlite.filename_uri`` (``file:/data/md.db?namespace=team-a``: the
    one field of MLMD's config that can carry it), else ``GRAPHSTORE_NAMESPACE``, else the
    default namespace.
    """

    def __init__(self, config: Message | None = None, enable_upgrade_migration: bool = False, *,
                 graphstore_uri: str | os.PathLike[str] | None = None, user: str | None = None,
                 password: str | None = None, database: str | None = None,
                 store: gs.MetadataStore | None = None, namespace: str | None = None) -> None:
        del enable_upgrade_migration  # graphstore versions its own schema
        self._config = config
        self._max_num_retries = 5  # kept for code that reads it; retries happen inside graphstore
        if isinstance(config, pb.ConnectionConfig) and config.HasField("retry_options"):
            self._max_num_retries = config.retry_options.max_num_retries
        self._owned = store is None  # a store handed in stays the caller's to close
        self._shared = False
        try:
            self._store = store if store is not None else self._open(
                config, graphstore_uri, user=user, password=password, database=database)
            namespace = namespace or _uri_namespace(config)
            if namespace is not None and namespace != self._store.namespace:
                self._store = self._store.with_namespace(namespace)
        except GraphstoreError as exc:  # MLMD's constructor raises RuntimeError when it cannot connect
            raise RuntimeError(str(exc)) from exc

    def _open(self, config: Message | None, uri: str | os.PathLike[str] | None,
              **credentials: str | None) -> gs.MetadataStore:
        if uri is not None:
            return gs.MetadataStore(uri, user=credentials.get("user"),
                                    password=credentials.get("password"),
                                    database=credentials.get("database"))
        if config is None:
            return gs.MetadataStore.from_env()
        if not isinstance(config, (pb.ConnectionConfig, pb.MetadataStoreClientConfig)):
            raise ValueError("MetadataStore is expecting either proto.ConnectionConfig or "
                             "proto.MetadataStoreClientConfig")
        which = config.WhichOneof("config") if isinstance(config, pb.ConnectionConfig) else "grpc"
        if which is None:
            raise RuntimeError("Unset")  # MLMD's own message for an empty ConnectionConfig
        if which == "fake_database" or (which == "sqlite" and not config.sqlite.filename_uri):
            return self._open_in_memory()
        if os.environ.get("GRAPHSTORE_URI"):
            return gs.MetadataStore.from_env()
        if which == "sqlite":
            return self._open_sqlite(config.sqlite)
        raise RuntimeError(f"graphstore cannot serve MLMD's {which} backend: pass graphstore_uri= "
                           "or set GRAPHSTORE_URI (Neo4j or an embedded file), and bring existing "
                           "data over with graphstore.mlmd.import_mlmd (graphstore import-mlmd)")

    def _open_in_memory(self) -> gs.MetadataStore:
        """A new, empty, private store (tests/mlmd points this at Neo4j for the suite's run)."""
        return gs.MetadataStore()

    @staticmethod
    def _open_sqlite(sqlite_config: Message) -> gs.MetadataStore:
        path = str(sqlite_config.filename_uri)
        if path.startswith("file:"):  # MLMD opens SQLite URIs; graphstore wants the path
            path = path[len("file:"):].split("?", 1)[0]
        if sqlite_config.connection_mode in _SQLITE_MUST_EXIST and not Path(path).exists():
            raise RuntimeError("Cannot connect sqlite3 database: unable to open database file")
        if _mlmd_file(path):
            raise RuntimeError(f"{path} is an MLMD database, which graphstore does not open in "
                               "place: copy it with graphstore.mlmd.import_mlmd (graphstore "
                               "import-mlmd) into a graphstore store and open that")
        return gs.MetadataStore(path)

    # -- graphstore extras -------------------------------------------------------------------
    @property
    def graphstore(self) -> gs.MetadataStore:
        """The graphstore store underneath: deep lineage, impact, deletes, paging, ..."""
        self._shared = True  # someone may keep using it after this object is gone
        return self._store

    @property
    def pipeline_asset(self) -> None:
        return None

    def close(self) -> None:
        """Release the store this object opened (MLMD has no close: an unclosed store is
        closed when collected). A store passed in as ``store=`` is left open."""
        if self._owned:
            self._store.close()

    def __enter__(self) -> MetadataStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_owned", False) and not getattr(self, "_shared", False) and hasattr(self, "_store"):
            with contextlib.suppress(Exception):  # at interpreter shutdown there is nothing to release
                self._store.close()

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _mask(kind: NodeKind, paths: Sequence[str] | None) -> list[str]:
        # MLMD skips paths that name no field ("", typos); graphstore would reject them
        return [p for p in paths or () if p.split(".", 1)[0] in maskable(kind)]

    def _updates(self, kind: NodeKind, nodes: list[Any], paths: Sequence[str] | None = None) -> list[Any]:
        mask = self._mask(kind, paths)
        return updated(self._store, kind, nodes, bool(paths) and not mask, mask)

    def _by_external_ids(self, kind: NodeKind, external_ids: Iterable[str] | None,
                         types: bool = False) -> list[Message]:
        wanted = [text_of(e) for e in external_ids or ()]  # MLMD takes None as no ids
        found = by_external_ids(self._store, kind, wanted, types) if wanted else []
        what = "types" if types else f"{kind.value}s"
        return self._found(found, f"No {what} found for external_ids.", bool(wanted))

    def _put(self, kind: NodeKind, messages: Sequence[Message], paths: Sequence[str] | None) -> list[int]:
        put: Any = {A: self._store.put_artifacts, E: self._store.put_executions,
                    C: self._store.put_contexts}[kind]
        nodes = self._updates(kind, [node_from_pb(kind, m) for m in messages], paths)
        return list(put(nodes, self._mask(kind, paths)))

    @staticmethod
    def _nodes(kind: NodeKind, nodes: Iterable[Any]) -> list[Message]:
        return [node_to_pb(kind, n) for n in nodes]

    @staticmethod
    def _types(kind: NodeKind, types: Iterable[Any]) -> list[Message]:
        return [type_to_pb(kind, t) for t in types]

    @staticmethod
    def _found(items: list[Message], message: str, asked: bool = True) -> list[Message]:
        # MLMD answers NotFound rather than an empty list on these calls (but [] when nothing
        # was asked for); callers catch it
        if not items and asked:
            raise errors.NotFoundError(message)
        return items

    # -- types -------------------------------------------------------------------------------
    @translated
    def put_artifact_type(self, artifact_type: Message, can_add_fields: bool = False,
                          can_omit_fields: bool = False, extra_options: Any = None) -> int:
        return self._store.put_artifact_type(type_from_pb(A, artifact_type or TYPE_CLASSES[A]()),  # type: ignore[arg-type]
                                             can_add_fields=can_add_fields, can_omit_fields=can_omit_fields)

    @translated
    def put_execution_type(self, execution_type: Message, can_add_fields: bool = False,
                           can_omit_fields: bool = False, extra_options: Any = None) -> int:
        return self._store.put_execution_type(type_from_pb(E, execution_type or TYPE_CLASSES[E]()),  # type: ignore[arg-type]
                                              can_add_fields=can_add_fields, can_omit_fields=can_omit_fields)

    @translated
    def put_context_type(self, context_type: Message, can_add_fields: bool = False,
                         can_omit_fields: bool = False, extra_options: Any = None) -> int:
        return self._store.put_context_type(type_from_pb(C, context_type or TYPE_CLASSES[C]()),  # type: ignore[arg-type]
                                            can_add_fields=can_add_fields, can_omit_fields=can_omit_fields)

    @translated
    def get_artifact_type(self, type_name: str, type_version: str | None = None,
                          extra_options: Any = None) -> Message:
        return type_to_pb(A, self._store.get_artifact_type(text_of(type_name), type_version or None))

    @translated
    def get_execution_type(self, type_name: str, type_version: str | None = None,
                           extra_options: Any = None) -> Message:
        return type_to_pb(E, self._store.get_execution_type(text_of(type_name), type_version or None))

    @translated
    def get_context_type(self, type_name: str, type_version: str | None = None,
                         extra_options: Any = None) -> Message:
        return type_to_pb(C, self._store.get_context_type(text_of(type_name), type_version or None))

    @translated
    def get_artifact_types(self, extra_options: Any = None) -> list[Message]:
        return self._types(A, self._store.get_artifact_types())

    @translated
    def get_execution_types(self, extra_options: Any = None) -> list[Message]:
        return self._types(E, self._store.get_execution_types())

    @translated
    def get_context_types(self, extra_options: Any = None) -> list[Message]:
        return self._types(C, self._store.get_context_types())

    @translated
    def get_artifact_types_by_id(self, type_ids: Iterable[int], extra_options: Any = None) -> list[Message]:
        return self._types(A, self._store.get_artifact_types_by_id(ids_of(type_ids)))

    @translated
    def get_execution_types_by_id(self, type_ids: Iterable[int], extra_options: Any = None) -> list[Message]:
        return self._types(E, self._store.get_execution_types_by_id(ids_of(type_ids)))

    @translated
    def get_context_types_by_id(self, type_ids: Iterable[int], extra_options: Any = None) -> list[Message]:
        return self._types(C, self._store.get_context_types_by_id(ids_of(type_ids)))

    @translated
    def get_artifact_types_by_external_ids(self, external_ids: Iterable[str],
                                           extra_options: Any = None) -> list[Message]:
        return self._by_external_ids(A, external_ids, types=True)

    @translated
    def get_execution_types_by_external_ids(self, external_ids: Iterable[str],
                                            extra_options: Any = None) -> list[Message]:
        return self._by_external_ids(E, external_ids, types=True)

    @translated
    def get_context_types_by_external_ids(self, external_ids: Iterable[str],
                                          extra_options: Any = None) -> list[Message]:
        return self._by_external_ids(C, external_ids, types=True)

    # -- nodes: writes -----------------------------------------------------------------------
    @translated
    def put_artifacts(self, artifacts: Sequence[Message], field_mask_paths: Sequence[str] | None = None,
                      extra_options: Any = None) -> list[int]:
        return self._put(A, artifacts, field_mask_paths)

    @translated
    def put_executions(self, executions: Sequence[Message], field_mask_paths: Sequence[str] | None = None,
                       extra_options: Any = None) -> list[int]:
        return self._put(E, executions, field_mask_paths)

    @translated
    def put_contexts(self, contexts: Sequence[Message], field_mask_paths: Sequence[str] | None = None,
                     extra_options: Any = None) -> list[int]:
        return self._put(C, contexts, field_mask_paths)

    # -- nodes: reads ------------------------------------------------------------------------
    @translated
    def get_artifacts(self, list_options: Any = None, extra_options: Any = None) -> list[Message]:
        return self._nodes(A, self._store.get_artifacts(to_list_options(list_options)))

    @translated
    def get_executions(self, list_options: Any = None, extra_options: Any = None) -> list[Message]:
        return self._nodes(E, self._store.get_executions(to_list_options(list_options)))

    @translated
    def get_contexts(self, list_options: Any = None, extra_options: Any = None) -> list[Message]:
        return self._nodes(C, self._store.get_contexts(to_list_options(list_options)))

    @translated
    def get_artifacts_by_id(self, artifact_ids: Iterable[int], extra_options: Any = None) -> list[Message]:
        return self._nodes(A, self._store.get_artifacts_by_id(ids_of(artifact_ids)))

    @translated
    def get_executions_by_id(self, execution_ids: Iterable[int], extra_options: Any = None) -> list[Message]:
        return self._nodes(E, self._store.get_executions_by_id(ids_of(execution_ids)))

    @translated
    def get_contexts_by_id(self, context_ids: Iterable[int], extra_options: Any = None) -> list[Message]:
        return self._nodes(C, self._store.get_contexts_by_id(ids_of(context_ids)))

    @translated
    def get_artifacts_and_types_by_artifact_ids(
            self, artifact_ids: Iterable[int], extra_options: Any = None) -> tuple[list[Message], list[Message]]:
        artifacts, types = self._store.get_artifacts_and_types_by_artifact_ids(ids_of(artifact_ids))
        return self._nodes(A, artifacts), self._types(A, types)

    @translated
    def get_artifacts_by_type(self, type_name: str, type_version: str | None = None,
                              extra_options: Any = None) -> list[Message]:
        return self._nodes(A, self._store.get_artifacts_by_type(text_of(type_name), type_version or None))

    @translated
    def get_executions_by_type(self, type_name: str, type_version: str | None = None,
                               extra_options: Any = None) -> list[Message]:
        return self._nodes(E, self._store.get_executions_by_type(text_of(type_name), type_version or None))

    @translated
    def get_contexts_by_type(self, type_name: str, type_version: str | None = None,
                             extra_options: Any = None) -> list[Message]:
        return self._nodes(C, self._store.get_contexts_by_type(text_of(type_name), type_version or None))

    @translated
    def get_artifact_by_type_and_name(self, type_name: str, artifact_name: str,
                                      type_version: str | None = None, extra_options: Any = None) -> Message | None:
        found = self._store.get_artifact_by_type_and_name(text_of(type_name), text_of(artifact_name),
                                                          type_version or None)
        return None if found is None else node_to_pb(A, found)

    @translated
    def get_execution_by_type_and_name(self, type_name: str, execution_name: str,
                                       type_version: str | None = None, extra_options: Any = None) -> Message | None:
        found = self._store.get_execution_by_type_and_name(text_of(type_name), text_of(execution_name),
                                                          type_version or None)
        return None if found is None else node_to_pb(E, found)

    @translated
    def get_context_by_type_and_name(self, type_name: str, context_name: str,
                                     type_version: str | None = None, extra_options: Any = None) -> Message | None:
        found = self._store.get_context_by_type_and_name(text_of(type_name), text_of(context_name),
                                                          type_version or None)
        return None if found is None else node_to_pb(C, found)

    @translated
    def get_artifacts_by_uri(self, uri: str, extra_options: Any = None) -> list[Message]:
        return self._nodes(A, self._store.get_artifacts_by_uri(text_of(uri)))

    @translated
    def get_artifacts_by_external_ids(self, external_ids: Iterable[str], extra_options: Any = None) -> list[Message]:
        return self._by_external_ids(A, external_ids)

    @translated
    def get_executions_by_external_ids(self, external_ids: Iterable[str], extra_options: Any = None) -> list[Message]:
        return self._by_external_ids(E, external_ids)

    @translated
    def get_contexts_by_external_ids(self, external_ids: Iterable[str], extra_options: Any = None) -> list[Message]:
        return self._by_external_ids(C, external_ids)

    # -- relations ---------------------------------------------------------------------------
    @translated
    def put_events(self, events: Sequence[Message], extra_options: Any = None) -> None:
        self._store.put_events([event_from_pb(e) for e in events])  # type: ignore[misc]

    @translated
    def get_events_by_artifact_ids(self, artifact_ids: Iterable[int], extra_options: Any = None) -> list[Message]:
        found = self._store.get_events_by_artifact_ids(ids_of(artifact_ids))
        return [event_to_pb(e) for e in events_by_artifacts(found)]

    @translated
    def get_events_by_execution_ids(self, execution_ids: Iterable[int], extra_options: Any = None) -> list[Message]:
        found = self._store.get_events_by_execution_ids(ids_of(execution_ids))
        return [event_to_pb(e) for e in events_by_executions(found)]

    @translated
    def put_attributions_and_associations(self, attributions: Sequence[Message], associations: Sequence[Message],
                                          extra_options: Any = None) -> None:
        self._store.put_attributions_and_associations(
            [_fields(a, "artifact_id", "context_id") for a in attributions],  # type: ignore[misc]
            [_fields(a, "execution_id", "context_id") for a in associations])  # type: ignore[misc]

    @translated
    def put_parent_contexts(self, parent_contexts: Sequence[Message], extra_options: Any = None) -> None:
        self._store.put_parent_contexts(
            [_fields(p, "child_id", "parent_id") for p in parent_contexts])  # type: ignore[misc]

    @translated
    def get_contexts_by_artifact(self, artifact_id: int, extra_options: Any = None) -> list[Message]:
        found = self._nodes(C, self._store.get_contexts_by_artifact(id_of(artifact_id)))
        return self._found(found, f"No contexts found for artifact_id: {artifact_id}")

    @translated
    def get_contexts_by_execution(self, execution_id: int, extra_options: Any = None) -> list[Message]:
        found = self._nodes(C, self._store.get_contexts_by_execution(id_of(execution_id)))
        return self._found(found, f"No contexts found for execution_id: {execution_id}")

    @translated
    def get_artifacts_by_context(self, context_id: int, list_options: Any = None,
                                 extra_options: Any = None) -> list[Message]:
        return self._nodes(A, self._store.get_artifacts_by_context(id_of(context_id), to_list_options(list_options)))

    @translated
    def get_executions_by_context(self, context_id: int, list_options: Any = None,
                                  extra_options: Any = None) -> list[Message]:
        # MLMD's client orders these newest first when no options are given
        options = to_list_options(list_options) or GsListOptions(
            order_by=GsOrderByField.CREATE_TIME, is_asc=False)
        return self._nodes(E, self._store.get_executions_by_context(id_of(context_id), options))

    @translated
    def get_parent_contexts_by_context(self, context_id: int, extra_options: Any = None) -> list[Message]:
        return self._nodes(C, self._store.get_parent_contexts_by_context(id_of(context_id)))

    @translated
    def get_children_contexts_by_context(self, context_id: int, extra_options: Any = None) -> list[Message]:
        return self._nodes(C, self._store.get_children_contexts_by_context(id_of(context_id)))

    # -- composite writes and lineage ----------------------------------------------------------
    @translated
    def put_execution(self, execution: Message, artifact_and_events: Sequence[Sequence[Message]],
                      contexts: Sequence[Message] | None, reuse_context_if_already_exist: bool = False,
                      reuse_artifact_if_already_exist_by_external_id: bool = False,
                      force_reuse_context: bool = False, force_update_time: bool = False,
                      extra_options: Any = None) -> tuple[int, list[int], list[int]]:
        pairs: list[tuple[Any, Any]] = []
        for pair in artifact_and_events:
            if not pair:  # MLMD skips empty pairs
                continue
            event = pair[1] if len(pair) == 2 and pair[1] is not None else None
            pairs.append((node_from_pb(A, pair[0]), None if event is None else event_from_pb(event)))
        context_list: list[Any] = [node_from_pb(C, c) for c in contexts or ()]
        if force_reuse_context:
            context_list = self._stored_contexts(context_list)
        if reuse_artifact_if_already_exist_by_external_id:
            self._by_external_id([a for a, _ in pairs])
        artifacts = self._updates(A, [a for a, _ in pairs])
        pairs = [(a, ev) for a, (_, ev) in zip(artifacts, pairs, strict=True)]
        (execution_node,) = self._updates(E, [node_from_pb(E, execution)])
        return self._store.put_execution(
            execution_node, pairs, context_list,
            reuse_context_if_already_exist=reuse_context_if_already_exist,
            reuse_artifact_if_already_exist_by_external_id=reuse_artifact_if_already_exist_by_external_id)

    def _stored_contexts(self, contexts: list[Any]) -> list[Any]:
        """Contexts with an id as they are stored, so that putting them changes nothing."""
        ids = [c["id"] for c in contexts if "id" in c]
        stored: dict[Any, Any] = {c.id: c for c in self._store.get_contexts_by_id(ids)} if ids else {}
        return keep_stored(C, contexts, stored, nothing_masked=True)

    def _by_external_id(self, artifacts: list[dict[str, Any]]) -> None:
        """Give new artifacts the id of the stored artifact with their external id: MLMD then
        updates that artifact (graphstore's own reuse would leave it as it is)."""
        wanted = {a["external_id"]: a for a in artifacts if "id" not in a and a.get("external_id")}
        if wanted:
            for stored in self._store.get_artifacts_by_external_ids(list(wanted)):
                wanted[str(stored.external_id)]["id"] = stored.id

    @translated
    def put_lineage_subgraph(self, executions: Sequence[Message], artifacts: Sequence[Message],
                             contexts: Sequence[Message],
                             event_edges: Sequence[tuple[int | None, int | None, Message]],
                             reuse_context_if_already_exist: bool = False,
                             reuse_artifact_if_already_exist_by_external_id: bool = False,
                             extra_options: Any = None) -> tuple[list[int], list[int], list[int]]:
        artifact_list = [node_from_pb(A, a) for a in artifacts]
        if reuse_artifact_if_already_exist_by_external_id:
            self._by_external_id(artifact_list)
        return self._store.put_lineage_subgraph(
            self._updates(E, [node_from_pb(E, e) for e in executions]),
            self._updates(A, artifact_list),
            [node_from_pb(C, c) for c in contexts],  # type: ignore[misc]
            [(ei, ai, event_from_pb(ev)) for ei, ai, ev in event_edges],  # type: ignore[misc]
            reuse_context_if_already_exist=reuse_context_if_already_exist,
            reuse_artifact_if_already_exist_by_external_id=reuse_artifact_if_already_exist_by_external_id)

    @translated
    def get_lineage_subgraph(self, query_options: Message, field_mask_paths: Sequence[str] | None = None,
                             extra_options: Any = None) -> Message:
        """MLMD's lineage subgraph without its caps (no 100-hop or 100-start-node limit)."""
        # parent_contexts is in MLMD's LineageGraph message but its client never fills it
        mask = [p for p in field_mask_paths or () if p != "parent_contexts"]
        if field_mask_paths and not mask:
            return graph_to_pb(LineageGraph())
        # MLMD's client looks types up from the nodes it fetched: with nodes in the mask,
        # "artifact_types" comes back empty unless "artifacts" is asked for too
        nodes = [p for p in mask if not p.endswith("_types")]
        if nodes:
            mask = [p for p in mask if not p.endswith("_types") or p[:-len("_types")] + "s" in nodes]
        graph = self._store.get_lineage_subgraph(lineage_options(query_options), mask or LINEAGE_FIELDS)
        return graph_to_pb(graph)


def _fields(msg: Message, *names: str) -> dict[str, Any]:
    """The set fields of a link message; a missing id is left out and graphstore names it."""
    return {n: getattr(msg, n) for n in names if msg.HasField(n)}


def downgrade_schema(config: Message, downgrade_to_schema_version: int) -> None:
    """MLMD's schema downgrade: graphstore stores carry no MLMD schema to downgrade."""
    if downgrade_to_schema_version < 0:
        raise errors.make_exception("downgrade_to_schema_version not specified", errors.INVALID_ARGUMENT)
    raise errors.UnimplementedError("graphstore stores have no MLMD schema to downgrade")
