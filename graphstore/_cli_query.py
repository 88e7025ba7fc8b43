"""The CLI's read commands (and impact marking): ls, show, lineage, impact, stats."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from . import render
from ._cli_output import (
    Node,
    Progress,
    describe,
    dump_json,
    iterate,
    kind_of,
    record_json,
    ref_of,
    state_of,
    table,
    when,
    write_file,
)
from .analysis import QUARANTINE_REASON, ImpactedNode
from .errors import FilterSyntaxError, InvalidArgument, NotFound
from .lineage import LineageDirection, LineageGraph, LineageResult, LineageSubgraphQueryOptions
from .models import Artifact, Context, Event
from .options import ListOptions, Page
from .store import MetadataStore

__all__ = ["Ref", "cmd_impact", "cmd_lineage", "cmd_ls", "cmd_show", "cmd_stats", "parse_ref", "store_stats"]

KINDS = ("artifact", "execution", "context")
_ALIASES = {alias: kind for kind in KINDS for alias in (kind, kind + "s", kind[0])}
PAGE = 1000


@dataclass(frozen=True)
class Ref:
    """A node named on the command line: ``artifact:12``, ``e:7``, ``12`` (an artifact) or
    ``context:PipelineRun/run-1`` (type and name)."""

    kind: str
    id: int | None = None
    type: str | None = None
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}" if self.id is not None else f"{self.kind}:{self.type}/{self.name}"


def parse_ref(text: str) -> Ref:
    """Parse a node reference; InvalidArgument says what is accepted."""
    kind, sep, rest = text.strip().partition(":")
    if not sep:
        kind, rest = "artifact", text.strip()
    if kind.lower() not in _ALIASES:
        raise InvalidArgument(f"{text!r}: unknown kind {kind!r} (use artifact:ID, execution:ID or context:ID)")
    kind = _ALIASES[kind.lower()]
    if rest.isdigit():
        return Ref(kind, int(rest))
    type_name, slash, name = rest.partition("/")
    if slash and type_name and name:
        return Ref(kind, type=type_name, name=name)
    raise InvalidArgument(f"{text!r}: expected {kind}:ID or {kind}:TYPE/NAME (e.g. {kind}:12)")


def resolve(store: MetadataStore, ref: Ref) -> Node:
    """The record a reference names; NotFound if there is none."""
    found: Node | None
    if ref.id is not None:
        getter: Any = {
            "artifact": store.get_artifacts_by_id, "execution": store.get_executions_by_id,
            "context": store.get_contexts_by_id}[ref.kind]
        items = getter([ref.id])
        found = items[0] if items else None
    else:
        by_name: Any = {
            "artifact": store.get_artifact_by_type_and_name, "execution": store.get_execution_by_type_and_name,
            "context": store.get_context_by_type_and_name}[ref.kind]
        found = by_name(str(ref.type), str(ref.name))
    if found is None:
        raise NotFound(f"no {ref} in the store")
    return found


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# -- ls ---------------------------------------------------------------------------------------

def _rows(kind: str, nodes: list[Any]) -> tuple[list[str], list[list[Any]]]:
    named = any(n.name for n in nodes)
    if kind == "artifact":
        header = ["ref", "type", "state", "created", *(["name"] if named else []), "uri"]
        return header, [[ref_of(n), n.type, state_of(n), when(n.create_time_since_epoch),
                         *([n.name] if named else []), n.uri] for n in nodes]
    if kind == "execution":
        header = ["ref", "type", "state", "created", "updated", *(["name"] if named else [])]
        return header, [[ref_of(n), n.type, state_of(n), when(n.create_time_since_epoch),
                         when(n.last_update_time_since_epoch), *([n.name] if named else [])] for n in nodes]
    return ["ref", "type", "name", "created"], [[ref_of(n), n.type, n.name, when(n.create_time_since_epoch)]
                                                for n in nodes]


def cmd_ls(store: MetadataStore, args: argparse.Namespace, out: IO[str]) -> int:
    kind: str = args.kind
    query = args.filter
    if args.type:
        query = f"type = {_quote(args.type)}" + (f" AND ({query})" if query else "")
    pagers: dict[str, Callable[[ListOptions], Page[Any]]] = {
        "artifact": store.page_artifacts, "execution": store.page_executions, "context": store.page_contexts}
    pager = pagers[kind]
    nodes: list[Any] = []
    more = False
    options = ListOptions(filter_query=query)
    with Progress(f"listing {kind}s") as progress:
        while True:
            size = min(PAGE, args.limit - len(nodes)) if args.limit else PAGE
            try:
                page = pager(options.model_copy(update={"limit": size}))
            except FilterSyntaxError as exc:
                raise InvalidArgument(f"filter query {query!r}: {exc}") from None
            nodes.extend(page.items)
            progress.update(len(nodes))
            if page.next_page_token is None:
                break
            if args.limit and len(nodes) >= args.limit:
                more = True
                break
            options = options.model_copy(update={"next_page_token": page.next_page_token})
    if args.format == "json":
        dump_json([record_json(n) for n in nodes], out)
    elif args.format == "refs":
        out.writelines(ref_of(n) + "\n" for n in nodes)
    elif nodes:
        header, rows = _rows(kind, nodes)
        table(rows, out, header=header)
    if more:
        print(f"graphstore: showing the first {len(nodes)}; more match (--limit N, or --limit 0 for all)",
              file=sys.stderr)
    if not nodes:
        print(f"graphstore: no {kind}s" + (f" match {query!r}" if query else " in the store"), file=sys.stderr)
        return 1
    return 0


# -- show -------------------------------------------------------------------------------------

def _event_rows(events: list[Event], others: dict[int, Node], other_kind: str) -> list[list[Any]]:
    rows = []
    for ev in events:
        other_id = ev.execution_id if other_kind == "execution" else ev.artifact_id
        other = others.get(other_id or -1)
        rows.append([f"{other_kind}:{other_id}", other.type if other else "", state_of(other) if other else "",
                     ev.type.name, ".".join(map(str, ev.path)), describe(other) if other else ""])
    return rows


def _section(title: str, rows: list[list[Any]], out: IO[str]) -> None:
    if rows:
        out.write(f"\n{title}\n")
        table(rows, out, indent="  ")


def cmd_show(store: MetadataStore, args: argparse.Namespace, out: IO[str]) -> int:
    node = resolve(store, parse_ref(args.ref))
    assert node.id is not None
    sections: dict[str, list[list[Any]]] = {}
    extra: dict[str, Any] = {}
    if isinstance(node, Context):
        groups: list[tuple[str, list[Any]]] = [("parent contexts", store.get_parent_contexts_by_context(node.id)),
                             ("child contexts", store.get_children_contexts_by_context(node.id)),
                             ("executions", store.get_executions_by_context(node.id)),
                             ("artifacts", store.get_artifacts_by_context(node.id))]
        for title, items in groups:
            extra[title] = [record_json(n) for n in items]
            sections[f"{title} ({len(items)})"] = [[ref_of(n), n.type, state_of(n), describe(n)]
                                                   for n in items[: args.limit]]
    else:
        is_artifact = isinstance(node, Artifact)
        contexts = (store.get_contexts_by_artifact(node.id) if is_artifact
                    else store.get_contexts_by_execution(node.id))
        events = (store.get_events_by_artifact_ids([node.id]) if is_artifact
                  else store.get_events_by_execution_ids([node.id]))
        other_kind = "execution" if is_artifact else "artifact"
        other_ids = sorted({(e.execution_id if is_artifact else e.artifact_id) or 0 for e in events})
        getter = store.get_executions_by_id if is_artifact else store.get_artifacts_by_id
        others: dict[int, Node] = {n.id: n for n in getter(other_ids) if n.id is not None} if other_ids else {}
        inputs = [e for e in events if e.type.is_input]
        outputs = [e for e in events if not e.type.is_input]
        first, second = (("made by", outputs), ("used by", inputs)) if is_artifact else (
            ("inputs", inputs), ("outputs", outputs))
        sections["contexts"] = [[ref_of(c), c.type, c.name] for c in contexts]
        for title, chosen in (first, second):
            sections[title] = _event_rows(chosen, others, other_kind)
        extra["contexts"] = [record_json(c) for c in contexts]
        extra["events"] = [e.model_dump(mode="json") | {"type": e.type.name} for e in events]
    if args.format == "json":
        dump_json({"record": record_json(node), **extra}, out)
        return 0
    out.write(f"{ref_of(node)}  {node.type}\n")
    fields: list[list[Any]] = [["name", node.name], ["uri", getattr(node, "uri", None)], ["state", state_of(node)],
              ["external_id", node.external_id], ["type_id", node.type_id],
              ["created", when(node.create_time_since_epoch)], ["updated", when(node.last_update_time_since_epoch)]]
    table([f for f in fields if f[1] not in (None, "")], out, indent="  ")
    _section("properties", [[k, v] for k, v in sorted(node.properties.items())], out)
    _section("custom properties", [[k, v] for k, v in sorted(node.custom_properties.items())], out)
    for title, rows in sections.items():
        _section(title, rows, out)
    return 0


# -- lineage ------------------------------------------------------------------------------------

def _directions(args: argparse.Namespace) -> list[LineageDirection]:
    if args.up:
        return [LineageDirection.UPSTREAM]
    if args.down:
        return [LineageDirection.DOWNSTREAM]
    return [LineageDirection.UPSTREAM, LineageDirection.DOWNSTREAM]


def _merge(graphs: list[LineageGraph]) -> LineageGraph:
    merged = LineageGraph()
    for part in LineageGraph.model_fields:
        seen: dict[str, Any] = {}
        for graph in graphs:
            for item in getattr(graph, part):
                seen.setdefault(item.model_dump_json(), item)
        setattr(merged, part, list(seen.values()))
    return merged


def _lineage_text(node: Node, results: dict[LineageDirection, LineageResult], out: IO[str]) -> None:
    for direction, result in results.items():
        name = direction.name.lower()
        head = f"{name} of {ref_of(node)} ({node.type}" + (f", {describe(node)})" if describe(node) else ")")
        if not result.nodes:
            out.write(f"{head}: nothing\n")
            continue
        out.write(f"{head}: {result.total} nodes\n")
        table([[n.distance, str(n.ref), n.type, state_of(n.node), describe(n.node), str(n.path[-2])]
               for n in result.nodes], out, header=["hops", "node", "type", "state", "detail", "via"], indent="  ")
        if result.truncated:
            out.write("  (stopped at --hops; there is more beyond)\n")


def cmd_lineage(store: MetadataStore, args: argparse.Namespace, out: IO[str]) -> int:
    ref = parse_ref(args.ref)
    if ref.kind == "context":
        raise InvalidArgument(f"{args.ref}: lineage starts at an artifact or an execution (contexts have no events)")
    node = resolve(store, ref)
    assert node.id is not None
    artifact_id = node.id if ref.kind == "artifact" else None
    execution_id = node.id if ref.kind == "execution" else None
    directions = _directions(args)
    if args.format in ("text", "json"):
        results = {d: store.lineage(d, artifact_id=artifact_id, execution_id=execution_id,
                                       max_hops=args.hops) for d in directions}
        if args.format == "json":
            dump_json({"start": record_json(node), **{d.name.lower(): {
                "total": r.total, "truncated": r.truncated,
                "nodes": [{"ref": str(n.ref), "distance": n.distance, "path": [str(p) for p in n.path],
                           "node": record_json(n.node)} for n in r.nodes]} for d, r in results.items()}}, out)
        else:
            _lineage_text(node, results, out)
        return 0 if any(r.nodes for r in results.values()) else 1
    start = "starting_artifacts" if ref.kind == "artifact" else "starting_executions"
    graph = _merge([store.get_lineage_subgraph(LineageSubgraphQueryOptions(
        **{start: f"id = {node.id}"}, direction=d, max_num_hops=args.hops)) for d in directions])
    where = "lineage" if len(directions) == 2 else f"{directions[0].name.lower()} lineage"
    text = render.render(graph, args.format, start=[node] if not isinstance(node, Context) else [],
                         title=f"{where} of {ref_of(node)} ({node.type})")
    output: str | None = args.output
    if output is None and args.format == "html" and out.isatty():
        output = f"lineage-{kind_of(node)}-{node.id}.html"
    if output and output != "-":
        write_file(output, text, "-o/--output")
        print(f"wrote {output}", file=sys.stderr)
    else:
        out.write(text)
    return 0 if len(graph.artifacts) + len(graph.executions) > 1 else 1


# -- impact -------------------------------------------------------------------------------------

def _created_after(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    try:
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        raise InvalidArgument(f"--created-after: {text!r} is neither ms since the epoch nor an ISO "
                              "date/time such as 2026-01-31 or 2026-01-31T12:00") from None


def cmd_impact(store: MetadataStore, args: argparse.Namespace, out: IO[str]) -> int:
    refs = [parse_ref(r) for r in args.refs]
    for ref in refs:
        if ref.kind != "artifact":
            raise InvalidArgument(f"{ref}: impact starts at artifacts (bad data), not {ref.kind}s")
    ids = [int(resolve(store, r).id or 0) for r in refs]
    if args.unmark:
        count = store.unmark_impact(ids or None)
        out.write(f"unmarked {count} nodes" + (f" quarantined from {', '.join(map(str, refs))}\n" if refs else "\n"))
        return 0
    if not ids and not args.filter:
        raise InvalidArgument("impact: give artifact ids (e.g. artifact:12) and/or --filter QUERY")
    report = store.impact(ids, filter_query=args.filter, created_after=_created_after(args.created_after),
                          mark=args.mark)
    reported: list[ImpactedNode] = sorted(report.executions + report.artifacts, key=lambda n: (n.distance, n.ref))
    if args.format == "json":
        dump_json({"roots": [f"artifact:{r}" for r in report.roots], "marked": report.marked,
                   "nodes": [{"ref": str(n.ref), "distance": n.distance, "roots": n.roots,
                              "node": record_json(n.node)} for n in reported],
                   "contexts": [record_json(c) for c in report.contexts]}, out)
    else:
        roots = ", ".join(f"artifact:{r}" for r in report.roots)
        if not reported:
            out.write(f"nothing downstream of {roots or 'the matching artifacts'}\n")
        else:
            out.write(f"impact of {roots}: {len(report.executions)} executions and {len(report.artifacts)} "
                      f"artifacts downstream, in {len(report.contexts)} contexts\n")
            table([[n.distance, str(n.ref), n.type, state_of(n.node), describe(n.node),
                    ", ".join(f"artifact:{r}" for r in n.roots)] for n in reported], out,
                  header=["hops", "node", "type", "state", "detail", "from"], indent="  ")
            _section("contexts", [[ref_of(c), c.type, c.name] for c in report.contexts], out)
        if args.mark is not None:
            out.write(f"\nquarantined {report.marked} nodes: {args.mark!r} "
                      f"(undo: graphstore impact {' '.join(map(str, refs))} --unmark)\n")
    return 0 if reported or args.mark is not None else 1


# -- stats ----------------------------------------------------------------------------------------

def _count(store: MetadataStore, progress: Progress) -> tuple[dict[str, Counter[str]],
                                                               dict[str, dict[str, Counter[str]]],
                                                               Counter[str], Counter[str]]:
    """Nodes by kind and type, by kind, type and state; quarantined nodes by kind; events by type."""
    by_type: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    by_state: dict[str, dict[str, Counter[str]]] = {k: {} for k in KINDS}
    quarantined: Counter[str] = Counter()
    events: Counter[str] = Counter()
    execution_ids: list[int] = []
    sources: list[tuple[str, Callable[[ListOptions], Iterator[Any]]]] = [
        ("artifact", store.iter_artifacts), ("execution", store.iter_executions), ("context", store.iter_contexts)]
    for kind, source in sources:
        progress.update(progress.done, label=f"counting {kind}s")
        for node in iterate(source(ListOptions(limit=PAGE)), progress):
            type_name = node.type or "?"
            by_type[kind][type_name] += 1
            if kind != "context":
                state = state_of(node).split(",")[0]
                by_state[kind].setdefault(type_name, Counter())[state] += 1
            if QUARANTINE_REASON in node.custom_properties:
                quarantined[kind] += 1
            if kind == "execution":
                execution_ids.append(node.id)
    progress.update(0, total=len(execution_ids), label="counting events")
    for i in range(0, len(execution_ids), PAGE):
        chunk = execution_ids[i:i + PAGE]
        events.update(e.type.name for e in store.get_events_by_execution_ids(chunk))
        progress.update(i + len(chunk))
    return by_type, by_state, quarantined, events


def _types(store: MetadataStore) -> dict[str, list[Any]]:
    return {"artifact": store.get_artifact_types(), "execution": store.get_execution_types(),
            "context": store.get_context_types()}


def _stats_json(store: MetadataStore, counted: tuple[Any, ...], types: dict[str, list[Any]]) -> dict[str, Any]:
    by_type, by_state, quarantined, events = counted
    return {"store": repr(store), "engine": store.engine_name,
            "types": {k: sorted(t.name for t in v) for k, v in types.items()},
            **{k + "s": {"total": sum(by_type[k].values()), "by_type": dict(sorted(by_type[k].items())),
                         **({"by_state": {t: dict(c) for t, c in sorted(by_state[k].items())}}
                            if k != "context" else {})} for k in KINDS},
            "events": {"total": sum(events.values()), "by_type": dict(sorted(events.items()))},
            "quarantined": dict(quarantined)}


def store_stats(store: MetadataStore) -> dict[str, Any]:
    """What ``graphstore stats --format json`` prints, as data (the HTTP API serves it too)."""
    progress = Progress("counting")
    progress.enabled = False  # a server's requests draw nothing on its terminal
    counted = _count(store, progress)
    return _stats_json(store, counted, _types(store))


def cmd_stats(store: MetadataStore, args: argparse.Namespace, out: IO[str]) -> int:
    with Progress("counting") as progress:
        counted = _count(store, progress)
    by_type, by_state, quarantined, events = counted
    types = _types(store)
    if args.format == "json":
        dump_json(_stats_json(store, counted, types), out)
        return 0

    def states(counter: Counter[str]) -> str:
        return ", ".join(f"{s} {n}" for s, n in counter.most_common())
    out.write(f"{store!r} ({store.engine_name}): types {', '.join(f'{len(v)} {k}' for k, v in types.items())}\n")
    rows: list[list[Any]] = []
    for kind in KINDS:
        total_states: Counter[str] = sum(by_state[kind].values(), Counter())
        rows.append([kind + "s", sum(by_type[kind].values()), states(total_states)])
        rows.extend([f"  {t}", n, states(by_state[kind].get(t, Counter()))] for t, n in sorted(by_type[kind].items()))
    rows.append(["events", sum(events.values()), states(events)])
    rows.append(["quarantined", sum(quarantined.values()), ", ".join(f"{n} {k}s" for k, n in quarantined.items())])
    table(rows, out)
    return 0
