"""Reading an MLMD store through ml-metadata: opening it, and listing it in batches."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import FailedPrecondition, InvalidArgument
from ..kinds import NodeKind
from ._proto import ListOptions, Message, OrderByField, mlmd_store_class, pb

__all__ = ["last_id", "open_source", "source_nodes", "source_types"]

A, E, C = NodeKind.ARTIFACT, NodeKind.EXECUTION, NodeKind.CONTEXT
_READONLY = 1


def _mysql_config(uri: str) -> Any:
    """``mysql://user:password@host:port/database`` as MLMD's ConnectionConfig."""
    parts = urlsplit(uri)
    if not parts.hostname or not parts.path.strip("/"):
        raise InvalidArgument(f"source: expected mysql://user:password@host:port/database, got {uri!r}")
    config = pb.ConnectionConfig()
    config.mysql.host = parts.hostname
    config.mysql.port = parts.port or 3306
    config.mysql.database = parts.path.strip("/")
    config.mysql.skip_db_creation = True  # read an existing store, never create one
    if parts.username:
        config.mysql.user = unquote(parts.username)
    if parts.password:
        config.mysql.password = unquote(parts.password)
    return config


def open_source(source: Any) -> tuple[Any, str]:
    """An MLMD store and its name, for an SQLite file path (opened read-only), a
    ``mysql://user:password@host:port/database`` URI, a ``ConnectionConfig`` or an open store."""
    if isinstance(source, str) and source.startswith("mysql://"):
        config = _mysql_config(source)
        return mlmd_store_class()(config), f"mysql://{config.mysql.host}:{config.mysql.port}/{config.mysql.database}"
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise FailedPrecondition(f"source: no MLMD SQLite file at {path!r}")
        config = pb.ConnectionConfig()
        config.sqlite.filename_uri = path
        config.sqlite.connection_mode = _READONLY  # the source is never written
        return mlmd_store_class()(config), path
    if isinstance(source, pb.ConnectionConfig):
        return mlmd_store_class()(source), source.WhichOneof("config") or "MLMD"
    return source, type(source).__name__


def source_nodes(source: Any, kind: NodeKind, batch_size: int) -> Iterator[list[Message]]:
    """Every node of a kind in id order, a batch at a time (keyset paging on ``id``)."""
    getter = {A: source.get_artifacts, E: source.get_executions, C: source.get_contexts}[kind]
    last = 0
    while True:
        batch = list(getter(list_options=ListOptions(limit=batch_size, order_by=OrderByField.ID,
                                                     is_asc=True, filter_query=f"id > {last}")))
        if not batch:
            return
        yield batch
        last = batch[-1].id


def source_types(source: Any, kind: NodeKind) -> list[Message]:
    """Every type of a kind, complete: MLMD's listing leaves external_id out and its lookup
    by id may leave base_type out, so a type is the union of both answers."""
    listed = getattr(source, f"get_{kind.value}_types")()
    by_id = {t.id: t for t in getattr(source, f"get_{kind.value}_types_by_id")([t.id for t in listed])}
    for t in listed:
        t.MergeFrom(by_id.get(t.id, t))
    return list(listed)


def last_id(source: Any, kind: NodeKind) -> int:
    """The largest id: the progress total (MLMD has no count, and never deletes nodes)."""
    getter = {A: source.get_artifacts, E: source.get_executions, C: source.get_contexts}[kind]
    newest = getter(list_options=ListOptions(limit=1, order_by=OrderByField.ID, is_asc=False))
    return int(newest[0].id) if newest else 0


