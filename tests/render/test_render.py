"""DOT, Mermaid and HTML lineage pictures: snapshots, escaping, offline HTML, and the layout.

``GRAPHSTORE_UPDATE_SNAPSHOTS=1 pytest tests/render`` rewrites the snapshot files.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graphstore import (
    Artifact,
    ArtifactState,
    Association,
    Attribution,
    Context,
    Event,
    EventType,
    Execution,
    ExecutionState,
    InvalidArgument,
    LineageDirection,
    LineageGraph,
    LineageNode,
    LineageResult,
    NodeRef,
    render,
)
from graphstore._layout import layered

SNAPSHOTS = Path(__file__).with_name("snapshots")
T0 = 1_767_225_600_000  # 2026-01-01 00:00:00 UTC


def _artifact(i: int, type_name: str, uri: str, **extra: object) -> Artifact:
    return Artifact(id=i, type_id=10, type=type_name, uri=uri, state=ArtifactState.LIVE,
                    create_time_since_epoch=T0 + i, last_update_time_since_epoch=T0 + i, **extra)  # type: ignore[arg-type]


def _execution(i: int, type_name: str, state: ExecutionState, **extra: object) -> Execution:
    return Execution(id=i, type_id=20, type=type_name, last_known_state=state,
                     create_time_since_epoch=T0 + 100 + i, **extra)  # type: ignore[arg-type]


def graph() -> LineageGraph:
    """raw → Ingest → data → Train → model (quarantined) ⇢ Evaluate "<eval>" → metrics."""
    artifacts = [
        _artifact(1, "RawData", "/data/raw \"v1\".csv"),
        _artifact(2, "DataSet", "/data/train.csv", properties={"rows": 150}),
        _artifact(3, "Model", "/models/m1.pkl", custom_properties={
            "graphstore_quarantine_reason": "label leak", "graphstore_quarantine_root": 2}),
        _artifact(4, "Metrics", "/metrics/m1.json", properties={"accuracy": 0.93, "cfg": {"a": [1, 2]}}),
    ]
    executions = [
        _execution(1, "Ingest", ExecutionState.COMPLETE),
        _execution(2, "Train", ExecutionState.COMPLETE, properties={"lr": 0.1}),
        _execution(3, "Evaluate", ExecutionState.FAILED, name='<eval> "#x;" </script>'),
    ]
    flows = [(1, 1, EventType.INPUT), (2, 1, EventType.OUTPUT), (2, 2, EventType.INPUT),
             (3, 2, EventType.OUTPUT), (3, 3, EventType.DECLARED_INPUT), (4, 3, EventType.OUTPUT)]
    return LineageGraph(
        artifacts=artifacts, executions=executions,
        events=[Event(artifact_id=a, execution_id=e, type=t) for a, e, t in flows],
        contexts=[Context(id=7, type="PipelineRun", name="run-1")],
        attributions=[Attribution(artifact_id=a, context_id=7) for a in (2, 3, 4)],
        associations=[Association(execution_id=e, context_id=7) for e in (1, 2, 3)])


def result() -> LineageResult:
    """Upstream of metrics #4, as store.upstream returns it."""
    g = graph()
    by_ref = {NodeRef("artifact", a.id or 0): a for a in g.artifacts}
    by_ref.update({NodeRef("execution", e.id or 0): e for e in g.executions})
    chain = [NodeRef("artifact", 4), NodeRef("execution", 3), NodeRef("artifact", 3), NodeRef("execution", 2)]
    nodes = [LineageNode(ref=r, distance=d, path=chain[: d + 1], node=by_ref[r]) for d, r in enumerate(chain) if d]
    return LineageResult(start=[chain[0]], direction=LineageDirection.UPSTREAM, nodes=nodes, truncated=True, total=3)


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("GRAPHSTORE_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if os.environ.get("GRAPHSTORE_UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"snapshot {name} was missing and has been written; check it and run again")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed (GRAPHSTORE_UPDATE_SNAPSHOTS=1 to accept)"


@pytest.mark.parametrize("fmt", render.FORMATS)
def test_graph_snapshots(fmt: str) -> None:
    ext = {"dot": "dot", "mermaid": "mmd", "html": "html"}[fmt]
    text = render.render(graph(), fmt, start=[NodeRef("artifact", 4)], title="Lineage of artifact:4")
    check_snapshot(f"graph.{ext}", text)


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_result_snapshots(fmt: str) -> None:
    ext = {"dot": "dot", "mermaid": "mmd"}[fmt]
    check_snapshot(f"result.{ext}", render.render(result(), fmt))


def test_start_record_and_bidirectional_results() -> None:
    res = result()
    start = graph().artifacts[3]
    dot = render.to_dot(res, start=[start])
    assert '"artifact:4" [label="Metrics #4\\nm1.json"' in dot and "penwidth=3" in dot
    both = res.model_copy(update={"direction": LineageDirection.BIDIRECTIONAL})
    assert "dir=none" in render.to_dot(both)
    assert " --- " in render.to_mermaid(both)


def test_dot_escaping_and_styles() -> None:
    dot = render.to_dot(graph())
    assert 'label="RawData #1\\nraw \\"v1\\".csv"' in dot
    assert '"artifact:3" [label="Model #3\\nm1.pkl\\nquarantined", shape=ellipse, style="filled,dashed"' in dot
    assert 'shape=box, style="filled,rounded"' in dot
    assert '"artifact:3" -> "execution:3" [label="DECLARED_INPUT"];' in dot
    assert '"artifact:1" -> "execution:1";' in dot  # plain INPUT: no label


def test_mermaid_escaping() -> None:
    text = render.to_mermaid(graph())
    assert 'e3["Evaluate #3<br/>#lt;eval#gt; #quot;#35;x;#quot; #lt;/script#gt;"]' in text
    assert 'a1(["RawData #1<br/>raw #quot;v1#quot;.csv"])' in text
    assert "a3 -->|DECLARED_INPUT| e3" in text
    assert "class a3 quarantined" in text


def test_html_is_offline_and_carries_the_data() -> None:
    page = render.to_html(graph(), start=[NodeRef("artifact", 4)])
    assert not re.search(r"https?://", page), "the page must not reference any URL"
    assert not re.search(r"\b(src|href)\s*=", page, re.I), "nothing is loaded from anywhere"
    assert "</script>\"" not in page and "@import" not in page
    payload = re.search(r'<script type="application/json" id="lineage-data">(.*?)</script>', page, re.S)
    assert payload is not None
    data = json.loads(payload.group(1))
    assert set(data["nodes"]) == {"artifact:1", "artifact:2", "artifact:3", "artifact:4",
                                  "execution:1", "execution:2", "execution:3"}
    model = data["nodes"]["artifact:3"]
    assert model["custom_properties"]["graphstore_quarantine_reason"] == "label leak"
    assert model["contexts"] == ["PipelineRun run-1"] and model["created"] == "2026-01-01 00:00:00 UTC"
    assert ["artifact:3", "execution:3", "DECLARED_INPUT"] in data["edges"]
    assert page.count('class="node artifact') == 4 and page.count('class="node execution') == 3
    assert 'class="node artifact start" data-key="artifact:4"' in page
    assert 'class="node artifact quarantined" data-key="artifact:3"' in page


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_html_script_parses(tmp_path: Path) -> None:
    page = render.to_html(graph())
    scripts = re.findall(r"<script>\n(.*?)\n</script>", page, re.S)
    assert len(scripts) == 1
    (tmp_path / "page.js").write_text(scripts[0])
    subprocess.run(["node", "--check", str(tmp_path / "page.js")], check=True)


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz is not installed")
def test_dot_is_valid_graphviz() -> None:
    subprocess.run(["dot", "-Tsvg"], input=render.to_dot(graph()), text=True, check=True, capture_output=True)


def test_unknown_format() -> None:
    with pytest.raises(InvalidArgument, match="svg"):
        render.render(graph(), "svg")


def test_empty_graph_renders() -> None:
    for fmt in render.FORMATS:
        assert render.render(LineageGraph(), fmt)


# -- layout ---------------------------------------------------------------------------------------

def test_layout_layers_left_to_right_with_dummy_points() -> None:
    nodes = [(k, 40.0, 20.0) for k in "abcd"]
    layout = layered(nodes, [("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")])
    xs = {k: layout.positions[k][0] for k in "abcd"}
    assert xs["a"] < xs["b"] < xs["c"] < xs["d"]
    long_route = layout.routes[3]
    assert len(long_route) == 4 and long_route[0] == layout.positions["a"] and long_route[-1] == layout.positions["d"]
    for x, y in layout.positions.values():
        assert 0 < x < layout.width and 0 < y < layout.height


def test_layout_survives_cycles_self_loops_and_unknown_nodes() -> None:
    nodes = [(k, 30.0, 20.0) for k in "xyz"]
    layout = layered(nodes, [("x", "y"), ("y", "z"), ("z", "x"), ("y", "y"), ("x", "ghost")])
    assert set(layout.positions) == {"x", "y", "z"}
    assert layout.routes[3] == [] and layout.routes[4] == []
    back = layout.routes[2]
    assert back[0] == layout.positions["z"] and back[-1] == layout.positions["x"]


def test_layout_is_deterministic_and_separates_nodes() -> None:
    nodes = [(f"n{i}", 50.0, 30.0) for i in range(30)]
    edges = [(f"n{i}", f"n{j}") for i in range(30) for j in (2 * i + 1, 2 * i + 2) if j < 30]
    first, second = layered(nodes, edges), layered(nodes, edges)
    assert first == second
    columns: dict[float, list[float]] = {}
    for x, y in first.positions.values():
        columns.setdefault(x, []).append(y)
    for ys in columns.values():
        ys.sort()
        assert all(b - a >= 30.0 for a, b in itertools.pairwise(ys))
