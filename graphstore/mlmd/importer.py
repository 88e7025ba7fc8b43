"""Copy an MLMD store into a graphstore store, keeping MLMD's ids.

The source is read through ml-metadata itself (an MLMD SQLite file opened read-only, or any
``ConnectionConfig`` such as MySQL). Everything is copied in batches, each batch one
transaction in the target; records already in the target are skipped, so re-running after
an interruption finishes the job without duplicates. Types, artifacts, executions and
contexts keep their ids and times; events keep their paths and times.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..errors import FailedPrecondition
from ..kinds import NodeKind
from ..store import MetadataStore as GraphStore
from ._convert import event_from_pb, node_from_pb, type_from_pb
from ._proto import Message, errors
from ._source import last_id, open_source, source_nodes, source_types
from .verify import VerifyReport, verify_import

__all__ = ["ImportReport", "Progress", "import_mlmd", "text_progress"]

A, E, C = NodeKind.ARTIFACT, NodeKind.EXECUTION, NodeKind.CONTEXT
Progress = Callable[[str, int, "int | None"], None]  # (stage, done, total or None)
STAGES = ("types", "contexts", "artifacts", "executions", "events", "attributions",
          "associations", "parent_contexts")


@dataclass
class ImportReport:
    """What an import wrote (``copied``) and found already there (``skipped``), per stage."""

    source: str
    copied: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    seconds: float = 0.0
    verification: VerifyReport | None = None  # the check run after the copy

    def __str__(self) -> str:
        lines = [f"import from {self.source} ({self.seconds:.1f} s)",
                 f"  {'':16}{'copied':>10}{'already there':>15}"]
        lines += [f"  {s:16}{self.copied[s]:>10}{self.skipped[s]:>15}" for s in STAGES]
        if self.verification is not None:
            lines += ["check: the two stores compared", str(self.verification)]
        return "\n".join(lines)


def _record(kind: NodeKind, msg: Message) -> dict[str, Any]:
    record = node_from_pb(kind, msg)
    record["create_time_since_epoch"] = msg.create_time_since_epoch
    record["last_update_time_since_epoch"] = msg.last_update_time_since_epoch
    return record


def _linked_ids(call: Callable[[int], list[Message]], context_id: int) -> list[int]:
    try:
        return [n.id for n in call(context_id)]
    except errors.NotFoundError:  # MLMD's way of saying "none"
        return []


class _Importer:
    def __init__(self, source: Any, target: GraphStore, batch_size: int,
                 progress: Progress | None, report: ImportReport) -> None:
        self.source, self.target, self.batch_size = source, target, batch_size
        self.progress = progress or (lambda stage, done, total: None)
        self.report = report

    def types(self) -> None:
        done = 0
        for kind in (A, E, C):
            types = [type_from_pb(kind, t) for t in source_types(self.source, kind)]
            stored_by_id = getattr(self.target, f"get_{kind.value}_types_by_id")
            stored = {t.id: t for t in stored_by_id([t["id"] for t in types])}
            for t in types:
                there = stored.get(t["id"])
                if there is not None and (there.name, there.version) != (t["name"], t.get("version") or None):
                    raise FailedPrecondition(f"target already has type id {t['id']} as {there.name!r}, "
                                             f"the source's is {t['name']!r}: import into a new store")
            fresh = [t for t in types if t["id"] not in stored]
            self.target._import_types(kind, fresh)
            self._count("types", len(fresh), len(types) - len(fresh))
            done += len(types)
            self.progress("types", done, None)

    def nodes(self, kind: NodeKind, stage: str) -> None:
        total, done = last_id(self.source, kind), 0
        stored_by_id: Callable[[list[int]], list[Any]] = getattr(self.target, f"get_{kind.value}s_by_id")
        for batch in source_nodes(self.source, kind, self.batch_size):
            stored = {n.id: n for n in stored_by_id([m.id for m in batch])}
            for msg in batch:
                there = stored.get(msg.id)
                if there is not None and (there.type_id, there.create_time_since_epoch) != (
                        msg.type_id, msg.create_time_since_epoch):
                    raise FailedPrecondition(f"target already has a different {kind.value} with id "
                                             f"{msg.id}: import into a new store")
            fresh = [_record(kind, m) for m in batch if m.id not in stored]
            self.target._import_nodes(kind, fresh)
            self._count(stage, len(fresh), len(batch) - len(fresh))
            if kind is E:
                self.events([m.id for m in batch])
            done = batch[-1].id
            self.progress(stage, done, max(total, done))

    def events(self, execution_ids: list[int]) -> None:
        stored = {(e.artifact_id, e.execution_id, int(e.type))
                  for e in self.target.get_events_by_execution_ids(execution_ids)}
        events = [event_from_pb(e) for e in self.source.get_events_by_execution_ids(execution_ids)]
        fresh = [e for e in events if (e["artifact_id"], e["execution_id"], e["type"]) not in stored]
        self.target.put_events(fresh)  # type: ignore[arg-type]
        self._count("events", len(fresh), len(events) - len(fresh))

    def links(self) -> None:
        total, done = last_id(self.source, C), 0
        for batch in source_nodes(self.source, C, self.batch_size):
            attributions: list[dict[str, int]] = []
            associations: list[dict[str, int]] = []
            parents: list[dict[str, int]] = []
            for ctx in batch:
                c = ctx.id
                have = {a.id for a in self.target.get_artifacts_by_context(c)}
                want = _linked_ids(self.source.get_artifacts_by_context, c)
                attributions += [{"artifact_id": a, "context_id": c} for a in want if a not in have]
                self._count("attributions", 0, len(set(want) & have))
                have = {e.id for e in self.target.get_executions_by_context(c)}
                want = _linked_ids(self.source.get_executions_by_context, c)
                associations += [{"execution_id": e, "context_id": c} for e in want if e not in have]
                self._count("associations", 0, len(set(want) & have))
                have = {p.id for p in self.target.get_parent_contexts_by_context(c)}
                want = _linked_ids(self.source.get_parent_contexts_by_context, c)
                parents += [{"child_id": c, "parent_id": p} for p in want if p not in have]
                self._count("parent_contexts", 0, len(set(want) & have))
            self.target.put_attributions_and_associations(attributions, associations)  # type: ignore[arg-type]
            self.target.put_parent_contexts(parents)  # type: ignore[arg-type]
            self._count("attributions", len(attributions), 0)
            self._count("associations", len(associations), 0)
            self._count("parent_contexts", len(parents), 0)
            done = batch[-1].id
            self.progress("links", done, max(total, done))

    def _count(self, stage: str, copied: int, skipped: int) -> None:
        self.report.copied[stage] += copied
        self.report.skipped[stage] += skipped


def import_mlmd(source_connection_config_or_path: Any, target: Any, *, batch_size: int = 1000,
                progress: Progress | None = None, verify: bool = True,
                samples: int = 25) -> ImportReport:
    """Copy an MLMD store into ``target`` (a graphstore store, or graphstore.mlmd's), keeping ids.

    The source is an MLMD SQLite file path (opened read-only), a
    ``mysql://user:password@host:port/database`` URI, a ``metadata_store_pb2.ConnectionConfig``
    or an open ``ml_metadata`` MetadataStore. ``progress(stage, done, total)`` is called after
    every batch (``total`` is None when unknown). Safe to re-run: what is already in the
    target is skipped. Then, unless ``verify=False``, :func:`verify_import` compares the two
    stores (``report.verification``; printed with the report). Raises FailedPrecondition when
    the target holds different data under the same ids.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size: expected a positive integer, got {batch_size!r}")
    store: GraphStore = getattr(target, "graphstore", target)
    source, name = open_source(source_connection_config_or_path)
    report = ImportReport(name)
    started = time.monotonic()
    job = _Importer(source, store, batch_size, progress, report)
    job.types()
    job.nodes(C, "contexts")
    job.nodes(A, "artifacts")
    job.nodes(E, "executions")  # with their events: every artifact is in by now
    job.links()
    report.seconds = time.monotonic() - started
    if verify:
        job.progress("checking", 0, None)
        report.verification = verify_import(source, store, samples=samples, batch_size=batch_size)
        job.progress("checking", 1, 1)
    return report


def text_progress(stream: TextIO = sys.stderr) -> Progress:
    """A progress callback that rewrites one status line per stage."""
    def show(stage: str, done: int, total: int | None) -> None:
        of = f"/{total}" if total else ""
        end = "\n" if total is not None and done >= total else ""
        stream.write(f"\r{stage:>12}: {done}{of}{end}")
        stream.flush()
    return show
