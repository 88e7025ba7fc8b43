"""Jupyter rendering: short reprs, ``_repr_html_`` fragments and DataFrames for graphstore's results.

Every result class delegates here (one place builds HTML, so one place escapes it): records,
listings, lineage results and graphs, impact reports, comparisons, cache hits, pipelines and
steps. The fragments are small and self-contained — a scoped ``<style>`` and, for lineage, an
inline SVG drawn by ``render``'s layout — and every user value (names, uris, properties) goes
through ``html.escape``. Big answers are summarized: counts from the columns, and only the
``NEAREST`` nearest nodes are fetched, listed and drawn.
"""

from __future__ import annotations

import enum
import importlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from html import escape
from typing import TYPE_CHECKING, Any, Union

from ._install import pip_install
from .errors import FailedPrecondition
from .models import (
    Artifact,
    ArtifactType,
    Context,
    ContextType,
    Event,
    Execution,
    ExecutionType,
)

if TYPE_CHECKING:
    from .analysis import CacheHit, Comparison, ImpactedNode, ImpactReport
    from .lineage import LineageGraph, LineageResult
    from .options import Page
    from .pipeline import Pipeline, Step

__all__ = ["NEAREST", "ROWS", "html", "pandas", "short_repr"]

ROWS = 50  # rows a listing shows before "… and N more"
NEAREST = 25  # nodes a lineage answer fetches, lists and draws
CELL = 80  # characters of a value shown in a cell
IDS = 12  # ids shown in one impact cell

Record = Union[Artifact, Execution, Context]
AnyType = Union[ArtifactType, ExecutionType, ContextType]

STYLE = """<style>
.gs-nb{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1a1a1a;
  background:#fff;padding:2px 4px}
.gs-nb h4{margin:4px 0;font-size:13.5px}
.gs-nb table{border-collapse:collapse;margin:4px 0 8px}
.gs-nb th,.gs-nb td{padding:2px 8px;border-bottom:1px solid #e0e0e0;text-align:left;vertical-align:top}
.gs-nb th{background:#eceff1;font-weight:600}
.gs-nb .gs-muted{color:#607d8b}
.gs-nb .gs-q{color:#d62728;font-weight:600}
.gs-nb code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.gs-nb svg{max-width:100%;height:auto;background:#fff;border:1px solid #eceff1}
.gs-nb .edge path{fill:none;stroke:#90a4ae;stroke-width:1.4}
.gs-nb .edge text{font-size:9px;fill:#546e7a;text-anchor:middle}
.gs-nb marker path{fill:#90a4ae}
.gs-nb .node ellipse,.gs-nb .node rect{stroke-width:1.5}
.gs-nb .node text{text-anchor:middle}
.gs-nb .node .title{font-size:12.5px;font-weight:600}
.gs-nb .node .sub{font-size:11px;fill:#37474f}
.gs-nb .node.start ellipse,.gs-nb .node.start rect{stroke-width:3.5;stroke:#263238 !important}
.gs-nb .node.quarantined ellipse,.gs-nb .node.quarantined rect{stroke:#d62728 !important;
  stroke-dasharray:5 3;stroke-width:2.5}
</style>"""
MARKER = "graphstore-nb-arrow"
_DEFS = (f'<defs><marker id="{MARKER}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
         'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"></path></marker></defs>')


# -- text ---------------------------------------------------------------------------------------

def _clip(text: str, width: int = CELL) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _middle(text: str, width: int) -> str:
    """Clipped in the middle: a uri keeps its file name."""
    if len(text) <= width:
        return text
    head = width // 3
    return text[:head] + "…" + text[len(text) - (width - head - 1):]


def _value(value: Any) -> str:
    """A property value as short text: strings bare, the rest as JSON."""
    if isinstance(value, str):
        return _clip(value)
    try:
        return _clip(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
    except (TypeError, ValueError):
        return _clip(repr(value))


def _field(name: str, value: Any) -> str:
    if isinstance(value, enum.Enum):
        return value.name
    if name.endswith("_since_epoch") and isinstance(value, int):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"
    return _value(value)


def _short(value: Any) -> str:
    """A value for a crowded cell: floats to 6 significant digits."""
    return f"{value:.6g}" if isinstance(value, float) else _value(value)


def _e(value: Any) -> str:
    return escape(value if isinstance(value, str) else str(value), quote=True)


def _state(record: Artifact | Execution) -> str:
    return (record.state if isinstance(record, Artifact) else record.last_known_state).name


def _quarantined(record: Any) -> bool:
    from .analysis import QUARANTINE_REASON  # analysis imports lineage, which imports this module's users
    return QUARANTINE_REASON in getattr(record, "custom_properties", {})


def _keys(names: Iterable[str], most: int = 5) -> str:
    names = list(names)
    shown = ", ".join(repr(n) for n in names[:most])
    return "[" + shown + (f", … +{len(names) - most}" if len(names) > most else "") + "]"


# -- short reprs --------------------------------------------------------------------------------

def short_repr(obj: Any) -> str:
    """One line: identity and the fields people look for, never the whole record."""
    cls = type(obj).__name__
    if isinstance(obj, (Artifact, Execution, Context)):
        parts = [f"id={obj.id}", f"type={obj.type!r}"]
        if obj.name is not None:
            parts.append(f"name={_clip(obj.name, 40)!r}")
        if isinstance(obj, Artifact) and obj.uri is not None:
            parts.append(f"uri={_middle(obj.uri, 60)!r}")
        if isinstance(obj, (Artifact, Execution)):
            parts.append(f"state={_state(obj)}")
        if obj.properties:
            parts.append(f"properties={_keys(obj.properties)}")
        if obj.custom_properties:
            parts.append(f"custom_properties={_keys(obj.custom_properties)}")
        return f"{cls}({', '.join(parts)})"
    if isinstance(obj, (ArtifactType, ExecutionType, ContextType)):
        parts = [f"id={obj.id}", f"name={obj.name!r}"]
        if obj.version:
            parts.append(f"version={obj.version!r}")
        if obj.base_type:
            parts.append(f"base_type={obj.base_type}")
        parts.append(f"properties={_keys(obj.properties)}")
        return f"{cls}({', '.join(parts)})"
    if isinstance(obj, Event):
        return (f"Event(artifact_id={obj.artifact_id}, execution_id={obj.execution_id}, "
                f"type={obj.type.name}, path={obj.path!r})")
    raise TypeError(f"no short repr for {cls}")


# -- HTML building blocks -----------------------------------------------------------------------

def _wrap(*parts: str) -> str:
    return f'{STYLE}<div class="gs-nb">{"".join(parts)}</div>'


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Cells are HTML already (callers escape values); the header is escaped here."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _more(shown: int, total: int, what: str = "rows") -> str:
    return f'<p class="gs-muted">… and {total - shown} more {what}</p>' if total > shown else ""


def _props(props: Mapping[str, Any], most: int = 6) -> str:
    """Compact ``name=value`` pairs; graphstore's own markers (``graphstore_*``) are left to
    the record's own view."""
    shown = sorted((k, v) for k, v in props.items() if not k.startswith(_OWN))
    cells = [f"<code>{_e(k)}</code>={_e(_clip(_short(v), 24))}" for k, v in shown[:most]]
    return ", ".join(cells) + (f' <span class="gs-muted">+{len(shown) - most}</span>' if len(shown) > most else "")


_OWN = ("graphstore_", "custom.graphstore_")


def _label(record: Artifact | Execution | Context | None, kind: str, ident: int) -> str:
    what = _e(record.type) if record is not None and record.type else _e(kind)
    name = f' <span class="gs-muted">{_e(_clip(record.name, 40))}</span>' if record is not None and record.name else ""
    cls = ' class="gs-q"' if record is not None and _quarantined(record) else ""
    return f"<span{cls}>{what} #{ident}</span>{name}"


def _record_row(r: Any) -> list[str]:
    where = r.uri if isinstance(r, Artifact) else None
    state = _state(r) if isinstance(r, (Artifact, Execution)) else ""
    flag = ' <span class="gs-q">quarantined</span>' if _quarantined(r) else ""
    return [_e(r.id), _e(r.type or ""), _e(_clip(r.name or "")), _e(_middle(where or "", CELL)), _e(state) + flag,
            _props({**r.properties, **{f"custom.{k}": v for k, v in r.custom_properties.items()}})]


def _records_table(items: Sequence[Any]) -> str:
    if not items:
        return '<p class="gs-muted">no records</p>'
    shown = items[:ROWS]
    if isinstance(shown[0], (ArtifactType, ExecutionType, ContextType)):
        return _table(["id", "name", "version", "base type", "properties"],
                      [[_e(t.id), _e(t.name), _e(t.version or ""), _e(t.base_type or ""),
                        _e(", ".join(f"{k}: {v.name}" for k, v in sorted(t.properties.items())))] for t in shown]
                      ) + _more(len(shown), len(items))
    if isinstance(shown[0], Event):
        return _table(["artifact", "execution", "type", "path"],
                      [[_e(v.artifact_id), _e(v.execution_id), _e(v.type.name), _e(_value(v.path))] for v in shown]
                      ) + _more(len(shown), len(items))
    header = ["id", "type", "name", "uri", "state", "properties"]
    rows = [_record_row(r) for r in shown]
    # a column nobody filled (contexts have no uri or state, pipelines rarely name artifacts) goes
    empty = {i for i in (2, 3, 4) if not any(row[i] for row in rows)}
    return _table([h for i, h in enumerate(header) if i not in empty],
                  [[c for i, c in enumerate(row) if i not in empty] for row in rows]) + _more(len(shown), len(items))


def _record_html(r: Any) -> str:
    cls = type(r).__name__
    if isinstance(r, (ArtifactType, ExecutionType, ContextType, Event)):
        return _wrap(f"<h4>{_e(cls)}</h4>", _records_table([r]))
    rows = [[_e(k), _e(_field(k, v))] for k, v in r.model_dump(exclude_none=True).items()
            if k not in ("properties", "custom_properties") and v not in ({}, [])]
    rows += [[f"<code>properties.{_e(k)}</code>", _e(_value(v))] for k, v in sorted(r.properties.items())]
    rows += [[f"<code>custom_properties.{_e(k)}</code>", _e(_value(v))]
             for k, v in sorted(r.custom_properties.items())]
    flag = ' <span class="gs-q">quarantined</span>' if _quarantined(r) else ""
    return _wrap(f"<h4>{_e(cls)} {_label(r, cls.lower(), r.id or 0)}{flag}</h4>", _table(["field", "value"], rows))


def _svg(lineage: LineageGraph | LineageResult, start: Sequence[Any] = ()) -> str:
    from . import render  # render imports lineage and analysis; imported late to keep this module leaf-like

    pic = render._picture(lineage, start, None)
    if not pic.nodes:
        return ""
    body, width, height = render._svg(pic, marker=MARKER)
    w, h = max(width, 200), max(height, 120)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.1f} {h:.1f}" width="{w:.0f}" '
            f'role="img" aria-label="{_e(pic.title)}">{_DEFS}{body}</svg>')


# -- results ------------------------------------------------------------------------------------

def _lineage_result_html(result: LineageResult) -> str:
    from .lineage import _KIND_OF

    near = result.nearest(NEAREST)
    kinds = {"artifact": 0, "execution": 0}
    for k in result.keys:
        kinds[_KIND_OF[k & 1]] += 1
    by_distance: dict[int, int] = {}
    for d in result.distances:
        by_distance[d] = by_distance.get(d, 0) + 1
    where = ", ".join(str(r) for r in result.start)
    more = " (next page: <code>next_cursor</code>)" if result.next_cursor else ""
    cut = " — cut short by <code>max_hops</code>" if result.truncated else ""
    head = (f"<h4>{_e(result.direction.name.lower())} lineage of {_e(where)}: {len(result)} nodes "
            f"({kinds['artifact']} artifacts, {kinds['execution']} executions){more}{cut}</h4>"
            + '<p class="gs-muted">by distance: '
            + ", ".join(f"{d} hop{'s' if d != 1 else ''}: {n}" for d, n in sorted(by_distance.items())) + "</p>")
    rows = [[_e(n.distance), _label(n.node, n.ref.kind, n.ref.id),
             _e(_state(n.node)) if n.node is not None else ""] for n in near.nodes]
    title = f"nearest {len(near)} of {len(result)}" if len(near) < len(result) else ""
    # the start nodes are drawn with their records (a few, fetched with one read)
    start = list(result._loader.records(result.start).values()) if result._loader is not None else []
    return _wrap(head, f'<p class="gs-muted">{_e(title)}</p>' if title else "", _svg(near, start),
                 _table(["hops", "node", "state"], rows), _more(len(near), len(result), "nodes"))


def _lineage_graph_html(graph: LineageGraph) -> str:
    shown = nearest_graph(graph, NEAREST)
    n_nodes = len(graph.artifacts) + len(graph.executions)
    s_nodes = len(shown.artifacts) + len(shown.executions)
    head = (f"<h4>Lineage graph: {len(graph.artifacts)} artifacts, {len(graph.executions)} executions, "
            f"{len(graph.events)} events, {len(graph.contexts)} contexts</h4>")
    note = (f'<p class="gs-muted">drawn: the {s_nodes} nodes nearest the first one (of {n_nodes}); '
            "render.to_html draws them all</p>" if s_nodes < n_nodes else "")
    return _wrap(head, note, _svg(shown), _contexts(graph.contexts))


def nearest_graph(graph: LineageGraph, limit: int) -> LineageGraph:
    """The ``limit`` nodes nearest the lowest-id node (breadth-first over the events), with
    the events and memberships among them: a large graph's picture stays readable."""
    from .lineage import LineageDirection, NodeRef, adjacency, bfs, node_ref

    if len(graph.artifacts) + len(graph.executions) <= limit:
        return graph
    rows = [(v.artifact_id, v.execution_id, v.type.name) for v in graph.events
            if v.artifact_id is not None and v.execution_id is not None]
    adj = adjacency(rows, LineageDirection.BIDIRECTIONAL)
    keep: set[NodeRef] = set()
    pending = sorted([NodeRef("artifact", a.id) for a in graph.artifacts if a.id is not None]
                     + [NodeRef("execution", e.id) for e in graph.executions if e.id is not None])
    while pending and len(keep) < limit:  # each connected part in turn, from its lowest node
        reach = bfs([pending[0]], adj, None)
        for _, k in sorted((d, k) for k, d in reach.distance.items())[:limit - len(keep)]:
            keep.add(node_ref(k))
        reached = {node_ref(k) for k in reach.distance}
        pending = [r for r in pending if r not in reached]
    ids = {(r.kind, r.id) for r in keep}
    a_ids = {i for k, i in ids if k == "artifact"}
    e_ids = {i for k, i in ids if k == "execution"}
    return graph.model_copy(update={
        "artifacts": [a for a in graph.artifacts if a.id in a_ids],
        "executions": [e for e in graph.executions if e.id in e_ids],
        "events": [v for v in graph.events if v.artifact_id in a_ids and v.execution_id in e_ids],
        "attributions": [x for x in graph.attributions if x.artifact_id in a_ids],
        "associations": [x for x in graph.associations if x.execution_id in e_ids]})


def _contexts(contexts: Sequence[Context]) -> str:
    if not contexts:
        return ""
    names = ", ".join(f"{_e(c.type or '')} {_e(_clip(c.name or str(c.id), 40))}" for c in contexts[:ROWS])
    return f'<p class="gs-muted">contexts: {names}' + (" …" if len(contexts) > ROWS else "") + "</p>"


def _ids(nodes: Sequence[ImpactedNode]) -> str:
    cells = [f'<span class="gs-q" title="quarantined">#{n.ref.id}</span>' if _quarantined(n.node)
             else f"#{n.ref.id}" for n in nodes[:IDS]]
    return " ".join(cells) + (f' <span class="gs-muted">+{len(nodes) - IDS}</span>' if len(nodes) > IDS else "")


def _impact_html(report: ImpactReport) -> str:
    everything = report.executions + report.artifacts
    distances = sorted({n.distance for n in everything})
    grid: dict[str, dict[int, list[ImpactedNode]]] = {}
    for n in sorted(everything, key=lambda n: (n.distance, n.ref)):
        grid.setdefault(n.type or "?", {}).setdefault(n.distance, []).append(n)
    quarantined = sum(_quarantined(n.node) for n in everything)
    head = (f"<h4>Impact of {_e(', '.join(f'artifact #{r}' for r in report.roots) or 'nothing')}: "
            f"{len(report.artifacts)} artifacts, {len(report.executions)} executions downstream, "
            f"in {len(report.contexts)} contexts</h4>")
    flags = [f"{report.marked} marked by this call"] if report.marked else []
    if quarantined:
        flags.append(f'<span class="gs-q">{quarantined} quarantined</span>')
    types = sorted(grid)
    table = _table(["type \\ hops", *map(str, distances)],
                   [[_e(t), *(_ids(grid[t].get(d, [])) for d in distances)] for t in types[:ROWS]])
    return _wrap(head, f'<p>{"; ".join(flags)}</p>' if flags else "", table if everything else "",
                 _more(min(len(types), ROWS), len(types), "types"), _contexts(report.contexts))


def _comparison_html(c: Comparison) -> str:
    head = f"<h4>{_e(c.kind)} #{c.left} vs #{c.right}</h4>"
    props = (_table(["field", f"#{c.left}", f"#{c.right}"],
                    [[f"<code>{_e(p.field)}</code>", _e(_value(p.left)), _e(_value(p.right))]
                     for p in c.properties[:ROWS]]) + _more(min(len(c.properties), ROWS), len(c.properties))
             if c.properties else '<p class="gs-muted">same fields and properties</p>')
    lineage = (_table(["depth", "type", f"only #{c.left}", f"only #{c.right}"],
                      [[_e(d.depth), _e(d.type or "?"), _e(" ".join(f"#{i}" for i in d.only_left[:IDS])),
                        _e(" ".join(f"#{i}" for i in d.only_right[:IDS]))] for d in c.lineage[:ROWS]])
               if c.lineage else '<p class="gs-muted">same upstream artifacts</p>')
    shared = f'<p class="gs-muted">{len(c.shared_upstream)} upstream artifacts shared</p>'
    return _wrap(head, props, lineage, shared)


def _cache_hit_html(hit: CacheHit) -> str:
    return _wrap(f"<h4>Cache hit: execution {_label(hit.execution, 'execution', hit.execution.id or 0)}</h4>",
                 _records_table(hit.outputs))


def _step_row(s: Step) -> list[str]:
    ex = s.execution
    state = (_state(ex) + (" (cached)" if s.cached else "")) if ex is not None else s._state
    ins = ", ".join(f"{_e(k)}: " + " ".join(f"#{a.id}" for a in (v if isinstance(v, list) else [v]))
                    for k, v in s.inputs.items())
    outs = ", ".join(f"{_e(k)}: {_label(a, 'artifact', a.id or 0)}" for k, a in s.outputs.items())
    return [_e(s.type), _e(ex.id if ex is not None else ""), _e(state), _props(s.params), ins, outs]


_STEP_HEADER = ["step", "execution", "state", "params", "inputs", "outputs"]


def _pipeline_html(p: Pipeline) -> str:
    run = p._contexts[1].id if p._contexts else None
    head = f"<h4>Pipeline {_e(p.name)}, run {_e(p.run)}" + (f" (context #{run})" if run else "") + "</h4>"
    return _wrap(head, _table(_STEP_HEADER, [_step_row(s) for s in p.steps[:ROWS]]) if p.steps else
                 '<p class="gs-muted">no steps yet</p>', _more(min(len(p.steps), ROWS), len(p.steps), "steps"))


def _page_html(page: Page[Any]) -> str:
    token = (f'<p class="gs-muted">more: pass <code>next_page_token</code> '
             f"{_e(_clip(page.next_page_token, 40))!s} in ListOptions</p>" if page.next_page_token else "")
    return _wrap(f"<h4>Page of {len(page.items)}</h4>", _records_table(page.items), token)


def html(obj: Any) -> str:
    """The ``_repr_html_`` of any graphstore result."""
    from .analysis import CacheHit, Comparison, ImpactReport
    from .lineage import LineageGraph, LineageResult
    from .options import Page
    from .pipeline import Pipeline, Step

    if isinstance(obj, LineageResult):
        return _lineage_result_html(obj)
    if isinstance(obj, LineageGraph):
        return _lineage_graph_html(obj)
    if isinstance(obj, ImpactReport):
        return _impact_html(obj)
    if isinstance(obj, Comparison):
        return _comparison_html(obj)
    if isinstance(obj, CacheHit):
        return _cache_hit_html(obj)
    if isinstance(obj, Pipeline):
        return _pipeline_html(obj)
    if isinstance(obj, Step):
        return _wrap(f"<h4>Step {_e(obj.type)} of {_e(obj.pipeline.name)} {_e(obj.pipeline.run)}</h4>",
                     _table(_STEP_HEADER, [_step_row(obj)]))
    if isinstance(obj, Page):
        return _page_html(obj)
    if isinstance(obj, list):
        return _wrap(f"<h4>{len(obj)} records</h4>" if len(obj) != 1 else "", _records_table(obj))
    return _record_html(obj)


# -- DataFrames ---------------------------------------------------------------------------------

def pandas() -> Any:
    """The pandas module, or FailedPrecondition naming the extra that installs it."""
    try:
        return importlib.import_module("pandas")
    except ImportError:
        raise FailedPrecondition(f"DataFrames need pandas: {pip_install('notebook')} "
                                 "(or pip install pandas)") from None


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def records_frame(items: Sequence[Any]) -> Any:
    """One row per record; properties become ``properties.<name>`` columns."""
    pd = pandas()
    rows: list[dict[str, Any]] = []
    for r in items:
        if isinstance(r, (Artifact, Execution, Context)):
            row: dict[str, Any] = {"id": r.id, "type": r.type, "name": r.name, "external_id": r.external_id}
            if isinstance(r, Artifact):
                row["uri"] = r.uri
            if isinstance(r, (Artifact, Execution)):
                row["state"] = _state(r)
            row["create_time"] = pd.to_datetime(r.create_time_since_epoch, unit="ms", utc=True)
            row["last_update_time"] = pd.to_datetime(r.last_update_time_since_epoch, unit="ms", utc=True)
            row.update({f"properties.{k}": v for k, v in r.properties.items()})
            row.update({f"custom_properties.{k}": v for k, v in r.custom_properties.items()})
        else:  # types and events: their fields, enums by name
            row = {k: _plain(v) for k, v in r.model_dump().items()}
        rows.append(row)
    return pd.DataFrame(rows)


def impact_frame(report: ImpactReport) -> Any:
    """One row per impacted node: kind, id, type, name, distance, roots, quarantined."""
    return pandas().DataFrame(
        [{"kind": n.ref.kind, "id": n.ref.id, "type": n.type, "name": n.node.name, "distance": n.distance,
          "roots": n.roots, "quarantined": _quarantined(n.node)}
         for n in sorted(report.executions + report.artifacts, key=lambda n: (n.distance, n.ref))],
        columns=["kind", "id", "type", "name", "distance", "roots", "quarantined"])
