"""Retention: ``MetadataStore.prune`` retires old runs and artifacts nothing kept depends on.

Kept = everything upstream (over the lineage, roots included) of the roots: the artifacts
named by id, the LIVE artifacts of the named types (or matching ``keep_filter``), every node
written since ``before``, and quarantined nodes unless ``include_quarantined``. The engine
walks the kept set once (``ops.LineageWalk``); the rest, older than ``before``, is listed by
the engine a batch at a time and deleted a batch per transaction (``ops.DeleteNodes``: a node
goes with its properties, events, attributions and associations). Deleting a node outside the
kept set never changes the kept set, so a prune stopped between batches leaves a consistent
store, and running it again finishes the job. Contexts stay (docs/retention.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import _writes, ops
from ._analysis_api import _MARKED
from ._validate import _ids, check_int, check_text
from .engines.base import Engine, Transaction
from .errors import InvalidArgument, NotFound
from .filters import parse as parse_filter
from .kinds import KIND_SPECS, NodeKind
from .limits import BATCH_RECORDS, check_max
from .lineage import node_ref

__all__ = ["PruneReport", "RetentionMixin"]

DEFAULT_BATCH = 1000
_PRUNED = (NodeKind.EXECUTION, NodeKind.ARTIFACT)  # contexts are kept (docs/retention.md)
_NOUN = {NodeKind.ARTIFACT: "artifact", NodeKind.EXECUTION: "execution"}


@dataclass
class PruneReport:
    """What a prune deleted (or, with ``dry_run``, would delete).

    ``artifacts``/``executions`` hold the ids, ``counts`` the number per kind and type name,
    ``kept`` how many nodes of each kind the kept lineage holds, ``batches`` the committed
    delete transactions (0 on a dry run), ``done`` whether the prune ran to the end."""

    before: int  # ms since epoch
    dry_run: bool
    artifacts: list[int] = field(default_factory=list)
    executions: list[int] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {"artifact": {}, "execution": {}})
    kept: dict[str, int] = field(default_factory=lambda: {"artifact": 0, "execution": 0})
    batches: int = 0
    done: bool = False

    @property
    def total(self) -> int:
        """How many nodes went (or would go)."""
        return len(self.artifacts) + len(self.executions)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (what ``graphstore prune --format json`` prints)."""
        return {"before": self.before, "dry_run": self.dry_run, "done": self.done,
                "batches": self.batches, "total": self.total, "counts": self.counts,
                "kept": self.kept, "artifacts": self.artifacts, "executions": self.executions}


def to_ms(before: dt.datetime | dt.date | int, field_name: str = "before") -> int:
    """``before`` as ms since epoch: an int is taken as ms, a naive datetime (or a date, at
    midnight) as UTC."""
    if isinstance(before, dt.datetime):
        moment = before if before.tzinfo else before.replace(tzinfo=dt.timezone.utc)
        return int(moment.timestamp() * 1000)
    if isinstance(before, dt.date):
        return to_ms(dt.datetime(before.year, before.month, before.day), field_name)
    return check_int(field_name, before, minimum=0)


class RetentionMixin:
    """Mixed into MetadataStore, which provides ``_engine``."""

    _engine: Engine

    def prune(self, before: dt.datetime | dt.date | int, *, keep: Iterable[int | str] = (),
              keep_filter: str | None = None, include_quarantined: bool = False,
              dry_run: bool = False, batch_size: int = DEFAULT_BATCH,
              on_batch: Callable[[PruneReport], None] | None = None) -> PruneReport:
        """Delete executions and artifacts last updated before ``before`` (a datetime, naive =
        UTC, a date, or ms since epoch) that nothing kept depends on.

        ``keep`` holds artifact ids (kept whatever their state) and artifact type names
        (every LIVE artifact of the type); ``keep_filter`` is a filter query naming more
        artifacts to keep (e.g. ``"custom_properties.stage.string_value = 'production'"``).
        Everything upstream of a kept artifact is kept, and so is everything upstream of a
        node updated since ``before`` and of a quarantined node (unless
        ``include_quarantined``). Deletes ``batch_size`` nodes per transaction, calling
        ``on_batch(report)`` after each commit (raising there stops the prune; running it
        again finishes). ``dry_run`` deletes nothing and reports what would go."""
        cutoff = to_ms(before)
        check_int("batch_size", batch_size, minimum=1)
        check_max(BATCH_RECORDS, "batch_size", batch_size, batch_size)
        if isinstance(keep, (str, bytes)):
            raise InvalidArgument(f"keep: expected a list of artifact ids and type names, got {keep!r}")
        keep = list(keep)
        keep_ids = _ids([k for k in keep if not isinstance(k, str)], "keep")
        keep_types = tuple(dict.fromkeys(check_text("keep", k) for k in keep if isinstance(k, str)))
        keep_expr = (parse_filter(keep_filter, NodeKind.ARTIFACT)
                     if keep_filter is not None and keep_filter.strip() else None)
        report = PruneReport(before=cutoff, dry_run=dry_run)
        kept = self._engine.read(lambda tx: _kept(tx, cutoff, keep_ids, keep_types, keep_expr,
                                                  include_quarantined))
        for key in kept:
            report.kept[node_ref(key).kind] += 1
        old = {kind: parse_filter(f"last_update_time_since_epoch < {cutoff}", kind)
               for kind in _PRUNED}
        for kind in _PRUNED:
            bit = ops.KIND_BITS[_NOUN[kind]]
            after = 0
            while True:
                page = self._engine.read(lambda tx: tx.run(ops.NodeQuery(
                    kind, filter=old[kind], limit=batch_size, after=(after, after))))  # noqa: B023
                if not page:
                    break
                after = page[-1]["id"]
                batch = [r for r in page if r["id"] * 2 + bit not in kept]
                if not batch:
                    continue
                ids = tuple(r["id"] for r in batch)
                if not dry_run:
                    self._engine.write(lambda tx: _delete(tx, kind, ids))  # noqa: B023
                    report.batches += 1
                _account(report, kind, batch)
                if on_batch is not None and not dry_run:
                    on_batch(report)
        report.done = True
        return report


def _kept(tx: Transaction, cutoff: int, keep_ids: tuple[int, ...], keep_types: tuple[str, ...],
          keep_expr: Any, include_quarantined: bool) -> frozenset[int]:
    """The kept set as walk keys (``id * 2 + kind bit``): one engine walk upstream from
    every root, roots included."""
    if keep_ids:
        missing = set(keep_ids) - tx.run(ops.ExistingIds(NodeKind.ARTIFACT, keep_ids))
        if missing:
            raise NotFound(f"keep: no artifact with id {min(missing)}")
    roots: dict[NodeKind, set[int]] = {kind: set() for kind in _PRUNED}
    roots[NodeKind.ARTIFACT].update(keep_ids)
    if keep_types:
        found = tx.run(ops.GetTypes(NodeKind.ARTIFACT, names=keep_types))
        unknown = set(keep_types) - {t["name"] for t in found}
        if unknown:
            raise NotFound(f"keep: no artifact type named {sorted(unknown)[0]!r}")
        live = parse_filter("state = LIVE", NodeKind.ARTIFACT)
        roots[NodeKind.ARTIFACT].update(r["id"] for r in tx.run(ops.NodeQuery(
            NodeKind.ARTIFACT, type_ids=tuple(t["id"] for t in found), filter=live)))
    if keep_expr is not None:
        roots[NodeKind.ARTIFACT].update(r["id"] for r in tx.run(ops.NodeQuery(
            NodeKind.ARTIFACT, filter=keep_expr)))
    for kind in _PRUNED:
        recent = f"last_update_time_since_epoch >= {cutoff}"
        queries = [recent] if include_quarantined else [recent, _MARKED]
        for text in queries:
            roots[kind].update(r["id"] for r in tx.run(ops.NodeQuery(
                kind, filter=parse_filter(text, kind))))
    if not any(roots.values()):
        return frozenset()
    got = tx.run(ops.LineageWalk(tuple(sorted(roots[NodeKind.ARTIFACT])),
                                 tuple(sorted(roots[NodeKind.EXECUTION])),
                                 ops.Direction.UPSTREAM, include_start=True))
    return frozenset(got["keys"])


def _delete(tx: Transaction, kind: NodeKind, ids: tuple[int, ...]) -> int:
    """One batch: the ids still there (a re-run, or another pruner, may have taken some),
    deleted with their events and links in one set-based statement per table."""
    present = tx.run(ops.ExistingIds(kind, ids))
    if not present:
        return 0
    return _writes.delete_nodes(tx, KIND_SPECS[kind], sorted(present))


def _account(report: PruneReport, kind: NodeKind, rows: list[dict[str, Any]]) -> None:
    noun = _NOUN[kind]
    (report.artifacts if kind is NodeKind.ARTIFACT else report.executions).extend(
        r["id"] for r in rows)
    counts = report.counts[noun]
    for r in rows:
        name = r.get("type") or "?"
        counts[name] = counts.get(name, 0) + 1
