"""The web UI in real headless Chromium (Debian's /usr/bin/chromium driven by Python's playwright).

A missing browser (or playwright) skips these tests on a developer's machine and fails them when
``GRAPHSTORE_REQUIRE_BROWSER=1`` (set by .ci/run, like GRAPHSTORE_REQUIRE_NEO4J): CI never passes
by skipping. ``GRAPHSTORE_UI_SCREENSHOTS=DIR`` makes the tests save their screenshots there
(``make screenshots`` writes docs/screenshots/ that way).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graphstore import MetadataStore
from tests.conftest import ENGINES, require_or_skip, wipe_neo4j
from tests.live import serving
from tests.neo4j_server import Neo4jTarget
from tests.ui.pipeline import record

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _missing(reason: str) -> None:
    require_or_skip("GRAPHSTORE_REQUIRE_BROWSER", "a browser", reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (never a downloaded browser build)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium; make test does)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@dataclass
class Service:
    """The app on a free loopback port over a store holding the two-run pipeline."""

    url: str
    store: MetadataStore
    ids: dict[str, int]


@contextmanager
def serve(store: MetadataStore, token: str | None = None) -> Iterator[str]:
    """Run graphstore's app on uvicorn in a thread; yields its base URL, stops it after."""
    with serving(store, token) as served:
        yield served.url


@pytest.fixture(scope="module", params=ENGINES)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One store per engine for the module, the pipeline recorded once (tests that write undo
    it); recording it per test cost more than the tests themselves on Neo4j."""
    engine = str(request.param)
    folder = tmp_path_factory.mktemp(f"ui-{engine}")
    if engine == "neo4j":
        target: Neo4jTarget = request.getfixturevalue("neo4j_server")
        wipe_neo4j(target)
        store = MetadataStore(target.uri, user=target.user, password=target.password)
    else:
        store = MetadataStore(folder / "store.db") if engine == "sqlite-file" else MetadataStore()
    with store:
        ids = record(store, folder / "files")
        with serve(store) as url:
            yield Service(url, store, ids)


@pytest.fixture
def page(browser: Any, service: Service) -> Iterator[Any]:
    """A fresh tab (its own sessionStorage) whose console errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 760})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
    assert not errors, f"the page raised: {errors}"


def open_view(page: Any, service: Service, fragment: str) -> None:
    """Load the UI at ``#fragment`` and wait until that view has been drawn."""
    page.goto(f"{service.url}/{fragment}")
    page.wait_for_selector(f'body[data-ready="{fragment}"]')


def shoot(page: Any, name: str) -> None:
    """Save a screenshot when GRAPHSTORE_UI_SCREENSHOTS names a folder."""
    folder = os.environ.get("GRAPHSTORE_UI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"web-ui-{name}.png"))
