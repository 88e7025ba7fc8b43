"""Lineage pictures for people without Neo4j: Graphviz DOT, Mermaid, and a self-contained HTML page.

    from graphstore import render
    graph = store.get_lineage_subgraph(LineageSubgraphQueryOptions(starting_artifacts="id = 5"))
    Path("lineage.dot").write_text(render.to_dot(graph))          # dot -Tsvg lineage.dot
    Path("lineage.mmd").write_text(render.to_mermaid(graph))      # GitHub renders ```mermaid
    Path("lineage.html").write_text(render.to_html(graph))        # opens offline, any browser

Each takes a ``LineageGraph`` (nodes, every event between them, their contexts) or a
``LineageResult`` (nodes with the one path that explains each; its start nodes appear as bare
references unless their records are passed as ``start``). Artifacts are ellipses, executions
boxes, each type has its colour, the start nodes have a thick border and quarantined nodes a
red dashed one. Plain INPUT/OUTPUT events are unlabelled arrows; other event kinds are named.
The HTML page inlines its script and style and fetches nothing: click a node to see its
properties and its upstream and downstream paths, drag to pan, scroll to zoom.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from importlib import resources
from pathlib import PurePosixPath
from typing import Any, Union

from ._layout import layered
from .analysis import QUARANTINE_REASON
from .errors import InvalidArgument
from .lineage import LineageDirection, LineageGraph, LineageResult, NodeRef
from .models import Artifact, Execution

__all__ = ["FORMATS", "PALETTE", "picture", "render", "to_dot", "to_html", "to_mermaid"]

Lineage = Union[LineageGraph, LineageResult]
Start = Union[NodeRef, Artifact, Execution]
FORMATS = ("dot", "mermaid", "html")
# (fill, border) pairs: light fills keep dark text readable; types take them in name order
PALETTE: tuple[tuple[str, str], ...] = (
    ("#a6cee3", "#1f78b4"), ("#b2df8a", "#33a02c"), ("#fdbf6f", "#e07b00"), ("#cab2d6", "#6a3d9a"),
    ("#fb9a99", "#c62828"), ("#ffe082", "#b28704"), ("#b3e5fc", "#0277bd"), ("#c5e1a5", "#558b2f"),
    ("#f8bbd0", "#ad1457"), ("#d7ccc8", "#6d4c41"), ("#b2dfdb", "#00796b"), ("#e6ee9c", "#827717"),
)
QUARANTINE_COLOUR = "#d62728"
_PLAIN_EVENTS = frozenset({"INPUT", "OUTPUT"})


@dataclass(frozen=True)
class _Node:
    key: str  # "artifact:3"
    kind: str
    id: int
    type: str
    title: str  # "Model #3"
    subtitle: str  # "model.pkl", "complete", ...
    info: dict[str, Any]
    quarantined: bool
    start: bool


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    kind: str  # the event kind; "" when unknown (LineageResult paths)
    directed: bool = True


@dataclass(frozen=True)
class _Picture:
    title: str
    nodes: list[_Node]
    edges: list[_Edge]
    colours: dict[str, tuple[str, str]]


# -- building the picture ---------------------------------------------------------------------

def _time(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _subtitle(record: Artifact | Execution) -> str:
    if record.name:
        text = record.name
    elif isinstance(record, Artifact):
        text = PurePosixPath(record.uri).name if record.uri else record.state.name.lower()
    else:
        text = record.last_known_state.name.lower()
    return text if len(text) <= 32 else text[:31] + "…"


def _info(record: Artifact | Execution, extra: dict[str, Any]) -> dict[str, Any]:
    data = record.model_dump(mode="json", exclude_none=True)
    info: dict[str, Any] = {"kind": "artifact" if isinstance(record, Artifact) else "execution"}
    info.update({k: data[k] for k in ("id", "type", "name", "uri", "external_id") if k in data})
    info["state"] = (record.state if isinstance(record, Artifact) else record.last_known_state).name
    for name, value in (("created", _time(record.create_time_since_epoch)),
                        ("updated", _time(record.last_update_time_since_epoch))):
        if value:
            info[name] = value
    for name in ("properties", "custom_properties"):
        if data.get(name):
            info[name] = data[name]
    info.update({k: v for k, v in extra.items() if v not in (None, [], {})})
    return info


def _node(ref: NodeRef, record: Artifact | Execution | None, start: bool, extra: dict[str, Any]) -> _Node:
    if record is None:
        return _Node(str(ref), ref.kind, ref.id, "", str(ref), "", {"kind": ref.kind, "id": ref.id},
                     False, start)
    type_name = record.type or ref.kind
    return _Node(str(ref), ref.kind, ref.id, type_name, f"{type_name} #{ref.id}", _subtitle(record),
                 _info(record, extra), QUARANTINE_REASON in record.custom_properties, start)


def _ref(item: Start) -> NodeRef:
    if isinstance(item, NodeRef):
        return item
    if item.id is None:
        raise InvalidArgument("start: a record without an id cannot be placed in a lineage picture")
    return NodeRef("artifact" if isinstance(item, Artifact) else "execution", item.id)


def _picture(lineage: Lineage, start: Iterable[Start], title: str | None) -> _Picture:
    starts = list(start)
    start_refs = {_ref(s) for s in starts}
    start_records = {_ref(s): s for s in starts if not isinstance(s, NodeRef)}
    nodes: dict[NodeRef, _Node] = {}
    edges: set[_Edge] = set()
    if isinstance(lineage, LineageGraph):
        contexts = {c.id: f"{c.type} {c.name}" for c in lineage.contexts}
        member: dict[NodeRef, list[str]] = {}
        for attribution in lineage.attributions:
            member.setdefault(NodeRef("artifact", attribution.artifact_id), []).append(
                contexts.get(attribution.context_id, f"context:{attribution.context_id}"))
        for association in lineage.associations:
            member.setdefault(NodeRef("execution", association.execution_id), []).append(
                contexts.get(association.context_id, f"context:{association.context_id}"))
        records: list[Artifact | Execution] = [*lineage.artifacts, *lineage.executions]
        for record in records:
            ref = _ref(record)
            nodes[ref] = _node(ref, record, ref in start_refs, {"contexts": sorted(member.get(ref, []))})
        for event in lineage.events:
            if event.artifact_id is None or event.execution_id is None:
                continue
            a, e = f"artifact:{event.artifact_id}", f"execution:{event.execution_id}"
            edges.add(_Edge(a, e, event.type.name) if event.type.is_input else _Edge(e, a, event.type.name))
        default_title = "Lineage"
    else:
        for entry in lineage.nodes:
            nodes[entry.ref] = _node(entry.ref, entry.node, entry.ref in start_refs,
                                     {"distance": entry.distance, "path": [str(r) for r in entry.path]})
            if len(entry.path) >= 2:
                near, far = str(entry.path[-2]), str(entry.path[-1])
                if lineage.direction is LineageDirection.UPSTREAM:
                    edges.add(_Edge(far, near, ""))
                elif lineage.direction is LineageDirection.DOWNSTREAM:
                    edges.add(_Edge(near, far, ""))
                else:
                    edges.add(_Edge(near, far, "", directed=False))
        for ref in lineage.start:
            start_refs.add(ref)
        for ref in lineage.start:
            if ref not in nodes:
                nodes[ref] = _node(ref, start_records.get(ref), True, {})
        where = ", ".join(str(r) for r in lineage.start)
        default_title = f"{lineage.direction.name.lower()} lineage of {where}"
    for ref in start_refs:
        if ref in nodes and not nodes[ref].start:
            old = nodes[ref]
            nodes[ref] = _Node(old.key, old.kind, old.id, old.type, old.title, old.subtitle, old.info,
                               old.quarantined, True)
    known = {str(r) for r in nodes}
    ordered = [nodes[r] for r in sorted(nodes)]
    types = sorted({n.type for n in ordered if n.type})
    colours = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(types)}
    edge_list = sorted((e for e in edges if e.source in known and e.target in known),
                       key=lambda e: (e.source, e.target, e.kind))
    return _Picture(title or default_title, ordered, edge_list, colours)


def _colour(picture: _Picture, node: _Node) -> tuple[str, str]:
    return picture.colours.get(node.type, ("#eeeeee", "#9e9e9e"))


# -- DOT ----------------------------------------------------------------------------------------

def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(lineage: Lineage, *, start: Iterable[Start] = (), title: str | None = None) -> str:
    """Graphviz DOT text (``dot -Tsvg``), left to right in the direction data flows."""
    pic = _picture(lineage, start, title)
    out = ["digraph lineage {",
           f"  graph [rankdir=LR, fontname=Helvetica, labelloc=t, label={_dot_quote(pic.title)}];",
           "  node [fontname=Helvetica, fontsize=10, style=filled];",
           "  edge [fontname=Helvetica, fontsize=8, color=\"#666666\"];"]
    for n in pic.nodes:
        fill, border = _colour(pic, n)
        label = n.title + (f"\n{n.subtitle}" if n.subtitle else "") + ("\nquarantined" if n.quarantined else "")
        styles = ["filled"] + (["rounded"] if n.kind == "execution" else []) + (["dashed"] if n.quarantined else [])
        attrs = [f"label={_dot_quote(label)}", "shape=" + ("ellipse" if n.kind == "artifact" else "box"),
                 f"style={_dot_quote(','.join(styles))}", f"fillcolor={_dot_quote(fill)}",
                 f"color={_dot_quote(QUARANTINE_COLOUR if n.quarantined else border)}"]
        if n.start or n.quarantined:
            attrs.append("penwidth=" + ("3" if n.start else "2"))
        out.append(f"  {_dot_quote(n.key)} [{', '.join(attrs)}];")
    for e in pic.edges:
        attrs = ([f"label={_dot_quote(e.kind)}"] if e.kind and e.kind not in _PLAIN_EVENTS else []) + (
            [] if e.directed else ["dir=none"])
        out.append(f"  {_dot_quote(e.source)} -> {_dot_quote(e.target)}"
                   + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


# -- Mermaid ----------------------------------------------------------------------------------

def _mermaid_text(text: str) -> str:
    text = re.sub(r"#(?=\w+;)", "#35;", text)  # "#word;" would be read as an entity
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _mermaid_id(key: str) -> str:
    kind, _, ident = key.partition(":")
    return kind[0] + ident


def to_mermaid(lineage: Lineage, *, start: Iterable[Start] = (), title: str | None = None) -> str:
    """A Mermaid flowchart (renders in GitHub and GitLab Markdown inside a mermaid fence)."""
    pic = _picture(lineage, start, title)
    out = ["---", f"title: {json.dumps(pic.title)}", "---", "flowchart LR"]
    for n in pic.nodes:
        label = "<br/>".join(_mermaid_text(t) for t in (n.title, n.subtitle) if t)
        out.append(f'  {_mermaid_id(n.key)}' + (f'(["{label}"])' if n.kind == "artifact" else f'["{label}"]'))
    for e in pic.edges:
        arrow = "-->" if e.directed else "---"
        label = f"|{e.kind}|" if e.kind and e.kind not in _PLAIN_EVENTS else ""
        out.append(f"  {_mermaid_id(e.source)} {arrow}{label} {_mermaid_id(e.target)}")
    for i, type_name in enumerate(pic.colours):
        fill, border = pic.colours[type_name]
        typed = [_mermaid_id(n.key) for n in pic.nodes if n.type == type_name]
        out.append(f"  classDef type{i} fill:{fill},stroke:{border},color:#1a1a1a")
        out.append(f"  class {','.join(typed)} type{i}")
    for name, style, members in (
            ("start", "stroke-width:3px", [n for n in pic.nodes if n.start]),
            ("quarantined", f"stroke:{QUARANTINE_COLOUR},stroke-width:2px,stroke-dasharray:5 3",
             [n for n in pic.nodes if n.quarantined])):
        if members:
            out.append(f"  classDef {name} {style}")
            out.append(f"  class {','.join(_mermaid_id(n.key) for n in members)} {name}")
    return "\n".join(out) + "\n"


# -- HTML ----------------------------------------------------------------------------------------

def _text_width(text: str, size: float) -> float:
    return len(text) * size * 0.6


def _node_size(n: _Node) -> tuple[float, float]:
    inner = max(_text_width(n.title, 12.5), _text_width(n.subtitle, 11))
    return (round(inner * 1.2 + 30, 1), 48.0) if n.kind == "artifact" else (round(inner + 26, 1), 42.0)


def _route_path(points: Sequence[tuple[float, float]], source: tuple[float, float],
                target: tuple[float, float]) -> str:
    (x0, y0), (x1, y1) = points[0], points[-1]
    forward = points[1][0] >= x0
    pts = [(x0 + (source[0] / 2 if forward else -source[0] / 2), y0), *points[1:-1],
           (x1 - (target[0] / 2 if forward else -target[0] / 2), y1)]
    d = [f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"]
    for (ax, ay), (bx, by) in itertools.pairwise(pts):
        dx = (bx - ax) / 2
        d.append(f"C{ax + dx:.1f},{ay:.1f} {bx - dx:.1f},{by:.1f} {bx:.1f},{by:.1f}")
    return " ".join(d)


def _svg(pic: _Picture, marker: str = "arrow") -> tuple[str, float, float]:
    """The picture's edges and nodes as SVG elements; arrows point at the ``marker`` element id."""
    sizes = {n.key: _node_size(n) for n in pic.nodes}
    layout = layered([(n.key, *sizes[n.key]) for n in pic.nodes], [(e.source, e.target) for e in pic.edges])
    parts = ['<g class="edges">']
    for edge, route in zip(pic.edges, layout.routes, strict=True):
        if len(route) < 2:
            continue
        arrow = f' marker-end="url(#{marker})"' if edge.directed else ""
        label = edge.kind if edge.kind and edge.kind not in _PLAIN_EVENTS else ""
        parts.append(f'<g class="edge" data-s="{edge.source}" data-t="{edge.target}">'
                     f'<path d="{_route_path(route, sizes[edge.source], sizes[edge.target])}"{arrow}/>'
                     f"<title>{escape(edge.kind or 'path')}: {edge.source} → {edge.target}</title>")
        if label:
            mid = route[len(route) // 2 - 1] if len(route) > 2 else route[0]
            end = route[len(route) // 2]
            parts.append(f'<text x="{(mid[0] + end[0]) / 2:.1f}" y="{(mid[1] + end[1]) / 2 - 4:.1f}">'
                         f"{escape(label)}</text>")
        parts.append("</g>")
    parts.append('</g><g class="nodes">')
    for n in pic.nodes:
        (x, y), (w, h) = layout.positions[n.key], sizes[n.key]
        fill, border = _colour(pic, n)
        classes = " ".join(["node", n.kind, *(["start"] if n.start else []),
                            *(["quarantined"] if n.quarantined else [])])
        shape = (f'<ellipse rx="{w / 2:.1f}" ry="{h / 2:.1f}"' if n.kind == "artifact" else
                 f'<rect x="{-w / 2:.1f}" y="{-h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" rx="7"')
        parts.append(f'<g class="{classes}" data-key="{n.key}" transform="translate({x:.1f},{y:.1f})" '
                     f'tabindex="0">{shape} style="fill:{fill};stroke:{border}"/>'
                     f'<text class="title" y="{-3 if n.subtitle else 4}">{escape(n.title)}</text>'
                     + (f'<text class="sub" y="13">{escape(n.subtitle)}</text>' if n.subtitle else "")
                     + "</g>")
    parts.append("</g>")
    return "".join(parts), layout.width, layout.height


def _asset(name: str) -> str:
    return (resources.files("graphstore") / "_html" / name).read_text(encoding="utf-8")


def picture(lineage: Lineage, *, start: Iterable[Start] = (), title: str | None = None) -> dict[str, Any]:
    """The laid-out picture as JSON-ready parts: ``svg`` (the ``<g>`` elements), ``viewBox``,
    ``data`` (``title``, ``nodes`` by key, ``edges``), ``legend`` ([type, fill, border]) and
    ``counts``; ``to_html`` inlines them and the web UI fetches them."""
    pic = _picture(lineage, start, title)
    body, width, height = _svg(pic)
    data = {"title": pic.title,
            "nodes": {n.key: {"title": n.title, "subtitle": n.subtitle, **n.info} for n in pic.nodes},
            "edges": [[e.source, e.target, e.kind] for e in pic.edges]}
    counts = (f"{sum(n.kind == 'artifact' for n in pic.nodes)} artifacts, "
              f"{sum(n.kind == 'execution' for n in pic.nodes)} executions, {len(pic.edges)} edges")
    return {"svg": body, "viewBox": f"0 0 {max(width, 200):.1f} {max(height, 120):.1f}", "data": data,
            "legend": [[t, fill, border] for t, (fill, border) in pic.colours.items()], "counts": counts}


def to_html(lineage: Lineage, *, start: Iterable[Start] = (), title: str | None = None) -> str:
    """One self-contained HTML page with an interactive picture; it loads nothing from anywhere."""
    parts = picture(lineage, start=start, title=title)
    legend = "".join(f'<li><span class="swatch" style="background:{fill};border-color:{border}"></span>'
                     f"{escape(t)}</li>" for t, fill, border in parts["legend"])
    # "</" inside the JSON would end the script element early
    payload = json.dumps(parts["data"], sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    page = _asset("lineage.html")
    script = _asset("lineage.js") + "\n" + _asset("lineage-page.js")  # the shared view, then the page's panel
    for key, value in (("STYLE", _asset("lineage.css")), ("SCRIPT", script),
                       ("TITLE", escape(parts["data"]["title"])), ("COUNTS", escape(parts["counts"])),
                       ("LEGEND", legend), ("VIEWBOX", parts["viewBox"]),
                       ("GRAPH", parts["svg"]), ("DATA", payload)):
        page = page.replace("{{" + key + "}}", value)
    return page


def render(lineage: Lineage, fmt: str, *, start: Iterable[Start] = (), title: str | None = None) -> str:
    """``to_dot`` / ``to_mermaid`` / ``to_html`` by name (one of FORMATS)."""
    renderers = {"dot": to_dot, "mermaid": to_mermaid, "html": to_html}
    if fmt not in renderers:
        raise InvalidArgument(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    return renderers[fmt](lineage, start=start, title=title)
