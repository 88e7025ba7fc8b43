"""The self-contained HTML page (render.to_html) in headless Chromium: it shares its view with the
web UI (lineage.js), so selection, paths and search are checked on the page itself too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphstore import render
from graphstore.lineage import NodeRef
from tests.render.test_render import graph


def test_the_offline_page_selects_a_node_and_finds_by_text(browser: Any, tmp_path: Path) -> None:
    page_file = tmp_path / "lineage.html"
    page_file.write_text(render.to_html(graph(), start=[NodeRef("artifact", 4)]), encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())
    page.click('#graph .node[data-key="artifact:3"]')
    assert page.inner_text("#details h2").startswith("Model #3")
    assert "made from" in page.inner_text("#details").lower()
    on = set(page.locator("#graph .node.on").evaluate_all("gs => gs.map(g => g.dataset.key)"))
    assert "artifact:4" in on and "artifact:3" in on  # metrics #4 was made from model #3
    page.fill("#search", "Metrics")
    assert page.locator("#graph .node.match").evaluate_all("gs => gs.map(g => g.dataset.key)") == ["artifact:4"]
    page.keyboard.press("Escape")
    assert page.inner_text("#details") == ""
    context.close()
    assert not errors, errors
    assert requests == [page_file.as_uri()], "the page fetched something besides itself"
