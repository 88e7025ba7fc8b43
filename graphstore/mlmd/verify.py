"""After an import: do the MLMD store and the graphstore store hold the same metadata?

Counts every kind of record on both sides, then asks both stores the same questions about a
random sample of artifacts and executions, through MLMD's own API on each side (ml-metadata
for the source, graphstore.mlmd for the target): the records themselves, their events and
contexts, and their lineage upstream and downstream.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..kinds import NodeKind
from ..store import MetadataStore as GraphStore
from ._proto import Message, errors, pb
from ._source import open_source, source_nodes, source_types
from .metadata_store import MetadataStore

__all__ = ["VerifyReport", "verify_import"]

A, E, C = NodeKind.ARTIFACT, NodeKind.EXECUTION, NodeKind.CONTEXT
_Q = pb.LineageSubgraphQueryOptions


@dataclass
class VerifyReport:
    """Counts on both sides, and the sampled questions whose answers differ."""

    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (source, target)
    questions: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches and all(s == t for s, t in self.counts.values())

    def __str__(self) -> str:
        lines = [f"  {'':16}{'MLMD':>10}{'graphstore':>12}"]
        lines += [f"  {name:16}{s:>10}{t:>12}{'' if s == t else '   <- differs'}"
                  for name, (s, t) in self.counts.items()]
        same = self.questions - len(self.mismatches)
        lines.append(f"  sampled questions: {same} of {self.questions} answered the same")
        lines += [f"    differs: {m}" for m in self.mismatches[:20]]
        if len(self.mismatches) > 20:
            lines.append(f"    ... and {len(self.mismatches) - 20} more")
        lines.append("verification " + ("passed" if self.ok else "FAILED"))
        return "\n".join(lines)


def _or_empty(call: Callable[[int], list[Message]], node_id: int) -> list[Message]:
    try:
        return list(call(node_id))
    except errors.NotFoundError:  # MLMD's "none" on some calls
        return []


def _keys(messages: list[Message]) -> list[bytes]:
    """Messages as comparable, order-free values."""
    return sorted(m.SerializeToString(deterministic=True) for m in messages)


def _lineage(store: Any, kind: str, node_id: int, direction: int, hops: int) -> tuple[Any, ...]:
    start = _Q.StartingNodes(filter_query=f"id = {node_id}")
    query = (_Q(starting_artifacts=start) if kind == "artifact" else _Q(starting_executions=start))
    query.max_num_hops, query.direction = hops, direction
    graph = store.get_lineage_subgraph(query, ["artifacts", "executions", "events"])
    return (sorted(a.id for a in graph.artifacts), sorted(e.id for e in graph.executions),
            sorted((e.artifact_id, e.execution_id, e.type) for e in graph.events))


def _answers(store: Any, noun: str, node_id: int, max_hops: int) -> dict[str, Any]:
    """One store's answers to the sampled questions about one node."""
    by_id, events, contexts = (getattr(store, f"get_{noun}s_by_id"),
                               getattr(store, f"get_events_by_{noun}_ids"),
                               getattr(store, f"get_contexts_by_{noun}"))
    return {"record": _keys(by_id([node_id])), "events": _keys(events([node_id])),
            "contexts": sorted(c.id for c in _or_empty(contexts, node_id)),
            "upstream": _lineage(store, noun, node_id, int(_Q.Direction.UPSTREAM), max_hops),
            "downstream": _lineage(store, noun, node_id, int(_Q.Direction.DOWNSTREAM), max_hops)}


def _count(source: Any, target: MetadataStore, batch_size: int) -> tuple[dict[str, tuple[int, int]],
                                                                          dict[NodeKind, list[int]]]:
    counts: dict[str, tuple[int, int]] = {}
    for noun, getter in (("artifact types", "get_artifact_types"),
                         ("execution types", "get_execution_types"),
                         ("context types", "get_context_types")):
        counts[noun] = (len(getattr(source, getter)()), len(getattr(target, getter)()))
    ids: dict[NodeKind, list[int]] = {}
    for kind, noun in ((A, "artifacts"), (E, "executions"), (C, "contexts")):
        ids[kind] = [n.id for batch in source_nodes(source, kind, batch_size) for n in batch]
        counts[noun] = (len(ids[kind]), sum(len(b) for b in source_nodes(target, kind, batch_size)))
    events = [0, 0]
    for i in range(0, len(ids[E]), batch_size):
        chunk = ids[E][i:i + batch_size]
        events[0] += len(source.get_events_by_execution_ids(chunk))
        events[1] += len(target.get_events_by_execution_ids(chunk))
    counts["events"] = (events[0], events[1])
    for noun, getter in (("attributions", "get_artifacts_by_context"),
                         ("associations", "get_executions_by_context"),
                         ("parent contexts", "get_parent_contexts_by_context")):
        source_call, target_call = getattr(source, getter), getattr(target, getter)
        counts[noun] = (sum(len(_or_empty(source_call, c)) for c in ids[C]),
                        sum(len(_or_empty(target_call, c)) for c in ids[C]))
    return counts, ids


def verify_import(source_connection_config_or_path: Any, target: Any, *, samples: int = 25,
                  max_hops: int = 20, seed: int = 0, batch_size: int = 1000) -> VerifyReport:
    """Compare an MLMD store with the graphstore store it was imported into.

    Counts types, nodes, events and links on both sides; then for ``samples`` random
    artifacts and executions compares the records, their events, their contexts and their
    lineage (upstream and downstream, up to ``max_hops``). ``print(report)`` shows the result.
    """
    source, _ = open_source(source_connection_config_or_path)
    store = target if isinstance(target, MetadataStore) else MetadataStore(
        store=target if isinstance(target, GraphStore) else target.graphstore)
    report = VerifyReport()
    report.counts, ids = _count(source, store, batch_size)
    for kind in (A, E, C):  # every type, field by field
        types = source_types(source, kind)
        report.questions += 1
        if _keys(types) != _keys(getattr(store, f"get_{kind.value}_types_by_id")([t.id for t in types])):
            report.mismatches.append(f"{kind.value} types")
    rng = random.Random(seed)
    for kind, noun in ((A, "artifact"), (E, "execution")):
        for node_id in rng.sample(ids[kind], min(samples, len(ids[kind]))):
            theirs, ours = (_answers(s, noun, node_id, max_hops) for s in (source, store))
            report.questions += len(theirs)
            report.mismatches += [f"{q} of {noun} {node_id}" for q in theirs if theirs[q] != ours[q]]
    return report
