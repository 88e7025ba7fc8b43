"""Notebook results (``_repr_html_``) rendered in headless Chromium, as Jupyter shows them.

tests/notebook pins the HTML by snapshot; this checks that a browser draws it: the lineage
picture has a size, every node of it is drawn, the impact grid shows its quarantined cells, and
nothing raises. (Jupyter inserts the HTML into its page; ``set_content`` does the same.)
"""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import Service


def _show(page: Any, html: str) -> None:
    page.set_content(f"<!doctype html><html><body>{html}</body></html>")


def test_lineage_and_impact_reprs_draw_in_a_browser(page: Any, service: Service) -> None:
    store, ids = service.store, service.ids
    up = store.upstream(artifact_id=ids["metrics_1"])
    _show(page, up._repr_html_())
    box = page.locator("svg").first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    drawn = page.locator("svg text").evaluate_all("ts => ts.map(t => t.textContent)")  # SVG has no innerText
    for node in up.nodes:  # every node of a small answer is in the picture, by its type
        assert any(node.type in text for text in drawn), (node.type, drawn)
    store.impact([ids["raw"]], mark="render test")
    try:
        report = store.impact([ids["raw"]])  # read after the mark: every node shows it
        _show(page, report._repr_html_())
        text = page.locator("body").inner_text()
        touched = len(report.artifacts) + len(report.executions)
        assert f"{touched} quarantined" in text and "Model" in text and "Metrics" in text
        cells = page.locator("td .gs-q")
        assert cells.count() == touched  # the grid's cells, highlighted
        red, green, _ = (int(c) for c in cells.first.evaluate("e => getComputedStyle(e).color")[4:-1].split(","))
        assert red > 150 and green < 100, "quarantined cells are drawn red"
    finally:
        store.unmark_impact([ids["raw"]])
    _show(page, store.get_artifacts()._repr_html_())
    assert page.locator("table tr").count() >= len(store.get_artifacts())
