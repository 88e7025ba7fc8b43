"""Notebook rendering: reprs and ``_repr_html_`` pinned by snapshot, escaping, and big answers
that stay short (and lazy) on every engine.

``GRAPHSTORE_UPDATE_SNAPSHOTS=1 pytest tests/notebook`` rewrites snapshots/reprs.json.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from graphstore import (
    Artifact,
    ArtifactState,
    ArtifactType,
    CacheHit,
    Comparison,
    Context,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    FailedPrecondition,
    ImpactedNode,
    ImpactReport,
    LineageDirection,
    MetadataStore,
    NodeRef,
    Page,
    Pipeline,
    RecordList,
)
from graphstore._notebook import NEAREST, STYLE
from graphstore.analysis import LineageDifference, PropertyDifference
from tests.render.test_render import graph, result

SNAPSHOTS = Path(__file__).with_name("snapshots") / "reprs.json"
UPDATE = os.environ.get("GRAPHSTORE_UPDATE_SNAPSHOTS") == "1"
EVIL = '<script>alert("x")</script>'


def _impact() -> ImpactReport:
    g = graph()
    quarantined = g.artifacts[2]  # "Model #3" carries the quarantine marker
    nodes = [ImpactedNode(ref=NodeRef("execution", 2), type="Train", distance=1, roots=[2], node=g.executions[1]),
             ImpactedNode(ref=NodeRef("artifact", 3), type="Model", distance=2, roots=[2], node=quarantined),
             ImpactedNode(ref=NodeRef("execution", 3), type="Evaluate", distance=3, roots=[2], node=g.executions[2]),
             ImpactedNode(ref=NodeRef("artifact", 4), type="Metrics", distance=4, roots=[2], node=g.artifacts[3])]
    return ImpactReport(roots=[2], artifacts=[n for n in nodes if n.ref.kind == "artifact"],
                        executions=[n for n in nodes if n.ref.kind == "execution"], contexts=g.contexts)


def _objects() -> dict[str, Any]:
    g = graph()
    return {
        "artifact": g.artifacts[3],
        "quarantined_artifact": g.artifacts[2],
        "execution": g.executions[2],
        "context": g.contexts[0],
        "artifact_type": ArtifactType(id=10, name="Model", base_type="MODEL", properties={"lr": 2}),
        "execution_type": ExecutionType(id=20, name="Train"),
        "event": g.events[0],
        "record_list": RecordList(g.artifacts),
        "page": Page(g.executions[:2], "tok"),
        "lineage_graph": g,
        "lineage_result": result(),
        "impact": _impact(),
        "impact_by_type": _impact().by_type(),
        "comparison": Comparison(left=3, right=9, kind="artifact",
                                 properties=[PropertyDifference(field="uri", left="/a", right="/b"),
                                             PropertyDifference(field="properties.lr", left=0.1, right=None)],
                                 lineage=[LineageDifference(depth=2, type="DataSet", only_left=[2], only_right=[8])],
                                 shared_upstream=[1]),
        "cache_hit": CacheHit(execution=g.executions[1], outputs=[g.artifacts[2]]),
    }


def _html(obj: Any) -> str | None:
    render = getattr(obj, "_repr_html_", None)
    return render() if render else None


def test_snapshots() -> None:
    got: dict[str, dict[str, str | None]] = {}
    for name, obj in _objects().items():
        page = _html(obj)
        if page is not None:  # the shared style is pinned once, not in every entry
            assert page.startswith(STYLE)
            page = page[len(STYLE):]
        got[name] = {"repr": repr(obj), "html": page}
    got["style"] = {"repr": None, "html": STYLE}
    text = json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if UPDATE or not SNAPSHOTS.exists():
        SNAPSHOTS.parent.mkdir(exist_ok=True)
        SNAPSHOTS.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail("snapshots/reprs.json was missing and has been written; check it and run again")
    assert text == SNAPSHOTS.read_text(encoding="utf-8"), "reprs changed (GRAPHSTORE_UPDATE_SNAPSHOTS=1 to accept)"


def test_reprs_are_one_short_line() -> None:
    for name, obj in _objects().items():
        text = repr(obj)
        assert "\n" not in text and " object at 0x" not in text, name
        assert len(text) < 600, (name, len(text))
    assert repr(graph().artifacts[0]) == ("Artifact(id=1, type='RawData', uri='/data/raw \"v1\".csv', "
                                          "state=LIVE)")
    assert str(_impact()) == repr(_impact())  # print() is short too


def test_quarantined_nodes_are_highlighted() -> None:
    page = _impact()._repr_html_()
    assert '<span class="gs-q" title="quarantined">#3</span>' in page
    assert "1 quarantined" in page
    assert '<span class="gs-q">quarantined</span>' in graph().artifacts[2]._repr_html_()


def _evil_graph() -> Any:
    g = graph()
    a = g.artifacts[3].model_copy(update={"name": EVIL, "uri": f"/x/{EVIL}", "type": EVIL,
                                          "properties": {EVIL: EVIL, "nested": {"k": [EVIL]}},
                                          "custom_properties": {EVIL: 1}})
    c = Context(id=7, type=EVIL, name=EVIL)
    return g.model_copy(update={"artifacts": [*g.artifacts[:3], a], "contexts": [c]})


def test_every_user_value_is_escaped() -> None:
    g = _evil_graph()
    evil_artifact = g.artifacts[3]
    node = ImpactedNode(ref=NodeRef("artifact", 4), type=EVIL, distance=1, roots=[2], node=evil_artifact)
    step_like = [
        evil_artifact, g.contexts[0], RecordList([evil_artifact]), Page([evil_artifact], EVIL), g,
        ImpactReport(roots=[2], artifacts=[node], contexts=g.contexts),
        Comparison(left=1, right=2, kind="artifact", properties=[PropertyDifference(field=EVIL, left=EVIL, right=1)],
                   lineage=[LineageDifference(depth=1, type=EVIL, only_left=[], only_right=[3])], shared_upstream=[]),
        CacheHit(execution=g.executions[2], outputs=[evil_artifact]),
        ArtifactType(id=1, name=EVIL, properties={EVIL: 3}),
    ]
    for obj in step_like:
        page = obj._repr_html_()
        assert "<script" not in page.lower(), type(obj).__name__
        assert "&lt;script&gt;" in page, type(obj).__name__
        # the only tags are graphstore's own
        assert set(re.findall(r"<([a-z0-9]+)", page)) <= {
            "style", "div", "h4", "table", "thead", "tbody", "tr", "th", "td", "p", "span", "code", "br",
            "svg", "defs", "marker", "path", "g", "ellipse", "rect", "text", "title"}, type(obj).__name__


def test_to_pandas_names_the_extra_when_pandas_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # what an install without pandas looks like
    for obj in (RecordList(graph().artifacts), _impact(), result()):
        with pytest.raises(FailedPrecondition, match=r"graphstore-lineage\[notebook\]"):
            obj.to_pandas()


def test_to_pandas() -> None:
    pytest.importorskip("pandas")
    frame = RecordList(graph().artifacts).to_pandas()
    assert list(frame["id"]) == [1, 2, 3, 4]
    assert frame.loc[1, "properties.rows"] == 150 and frame.loc[0, "state"] == "LIVE"
    assert str(frame["create_time"].dtype).startswith("datetime64")
    impact = _impact().to_pandas()
    assert list(impact["id"]) == [2, 3, 3, 4] and list(impact["quarantined"]) == [False, True, False, False]
    assert list(Page(graph().executions, None).to_pandas()["type"]) == ["Ingest", "Train", "Evaluate"]


# -- on every engine ------------------------------------------------------------------------------

FAN = 500  # one dataset read by FAN executions, each writing one artifact: 1,001 nodes


def _fan(store: MetadataStore) -> int:
    at = store.put_artifact_type(ArtifactType(name="Data"))
    et = store.put_execution_type(ExecutionType(name="Use"))
    [root, *outs] = store.put_artifacts([Artifact(type_id=at, uri=f"/d/{i}", state=ArtifactState.LIVE)
                                          for i in range(FAN + 1)])
    runs = store.put_executions([Execution(type_id=et, last_known_state=ExecutionState.COMPLETE)
                                 for _ in range(FAN)])
    store.put_events([Event(artifact_id=root, execution_id=e, type=EventType.INPUT) for e in runs]
                     + [Event(artifact_id=a, execution_id=e, type=EventType.OUTPUT)
                        for a, e in zip(outs, runs, strict=True)])
    return root


def test_a_big_answer_renders_short_and_fetches_only_the_nearest(store: MetadataStore) -> None:
    root = _fan(store)
    down = store.downstream(artifact_id=root)
    assert len(down) == 2 * FAN
    assert len(repr(down)) < 200
    page = down._repr_html_()
    assert f"{2 * FAN} nodes ({FAN} artifacts, {FAN} executions)" in page
    assert f"nearest {NEAREST} of {2 * FAN}" in page
    assert page.count('<g class="node ') == NEAREST + 1  # the nearest, and the start node
    assert len(page) < 40_000
    assert len(down._records) == NEAREST, "the repr fetched records it does not show"

    report = store.impact([root])
    assert len(report.artifacts) == FAN and len(repr(report)) < 200
    assert len(report._repr_html_()) < 10_000  # a cell shows a dozen ids, then "+488"
    assert len(repr(report.by_type()["Use"][0])) < 100


def test_listings_render(store: MetadataStore) -> None:
    _fan(store)
    listing = store.get_artifacts()
    assert isinstance(listing, RecordList) and isinstance(listing, list)
    assert listing == list(listing)
    page = listing._repr_html_()
    assert f"{FAN + 1} records" in page and f"… and {FAN + 1 - 50} more rows" in page
    assert page.count("<tr>") == 51  # the header and 50 rows
    assert "<th>name</th>" not in page  # nobody named these artifacts: no empty column
    types = store.get_artifact_types()
    assert isinstance(types, RecordList) and "<td>Data</td>" in types._repr_html_()
    pytest.importorskip("pandas")
    assert list(store.get_artifacts_by_type("Data").to_pandas()["uri"][:2]) == ["/d/0", "/d/1"]
    assert types.to_pandas().loc[0, "name"] == "Data"


def test_pipelines_and_steps_render(store: MetadataStore, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    with Pipeline(store, "p", run="run-1") as pipe:
        raw = pipe.artifact("Raw", path=data)
        with pipe.step("Clean", params={"drop": True}, inputs={"raw": raw}) as step:
            step.output("clean", type="Clean", path=data)
    assert repr(pipe) == "Pipeline('p', run='run-1', steps=['Clean'])"
    assert re.fullmatch(r"Step\('Clean', execution=\d+, state=COMPLETE, outputs=\['clean'\]\)", repr(step))
    page = pipe._repr_html_()
    assert "Pipeline p, run run-1" in page and "COMPLETE" in page and "<code>drop</code>=true" in page
    assert f"raw: #{raw.id}" in step._repr_html_()
    lineage = store.upstream(artifact_id=step.outputs["clean"].id or 0)
    assert lineage.direction is LineageDirection.UPSTREAM and "Clean #" in lineage._repr_html_()
