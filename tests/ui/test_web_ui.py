"""The web UI driven in headless Chromium on every engine: search, a node page, the lineage
picture expanded on click, impact with quarantine marked and lifted, two runs compared."""

from __future__ import annotations

from typing import Any

from graphstore.analysis import QUARANTINE_REASON
from tests.ui.conftest import Service, open_view, serve, shoot
from tests.ui.pipeline import HOSTILE_NAME, HOSTILE_URI


def rows(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def test_search_by_type_uri_and_name(page: Any, service: Service) -> None:
    ids = service.ids
    open_view(page, service, "#/")
    page.fill("#q", "Model")
    page.click("#search-form button")
    page.wait_for_selector('body[data-ready="#/search?q=Model"]')
    shoot(page, "search")
    found = page.locator('[data-kind="artifact"] tr[data-key]')
    assert sorted(found.evaluate_all("rs => rs.map(r => r.dataset.key)")) == sorted(
        [f"artifact:{ids['model_1']}", f"artifact:{ids['model_2']}"])
    assert rows(page, '[data-kind="execution"] p') == ["none"]
    open_view(page, service, "#/search?q=run-2/model")  # a uri
    assert page.locator("#search-results tr[data-key]").evaluate_all("rs => rs.map(r => r.dataset.key)") == [
        f"artifact:{ids['model_2']}"]
    open_view(page, service, "#/search?q=run-2")  # a context's name
    assert rows(page, '[data-kind="context"] tr[data-key] td:first-child') == ["PipelineRun #3 run-2"]


def test_node_page_shows_properties_contexts_made_by_and_used_by(page: Any, service: Service) -> None:
    ids = service.ids
    open_view(page, service, f"#/node/artifact:{ids['model_1']}")
    shoot(page, "node")
    text = page.inner_text("#node-page")
    assert "sha256" in text and "s3://iris-demo/run-1/model.pkl" in text
    assert "PipelineRun #2 run-1" in text and "run-2" not in text
    made_by = page.locator('[data-direction="upstream"]')
    assert made_by.locator("h3").inner_text().lower() == "made by (1)"
    assert made_by.locator("tr[data-key]").get_attribute("data-key") == f"execution:{ids['train_1']}"
    used_by = page.locator('[data-direction="downstream"] tr[data-key] td:first-child')
    assert used_by.all_inner_texts() == [f"Evaluate #{ids['evaluate_1']}"]
    # follow "made by" to the execution: its inputs and outputs
    made_by.locator("a").click()
    page.wait_for_selector(f'body[data-ready="#/node/execution:{ids["train_1"]}"]')
    assert page.locator('[data-direction="upstream"] h3').inner_text().lower() == "inputs (1)"
    assert page.locator('[data-direction="downstream"] tr[data-key]').get_attribute("data-key") == \
        f"artifact:{ids['model_1']}"
    assert "lr" in page.inner_text("#node-page")
    # and to its run: a context's page lists its executions and artifacts
    page.click("#node-page a:text('PipelineRun #2 run-1')")
    page.wait_for_selector('body[data-ready^="#/node/context:"]')
    members = set(page.locator("#node-page tr[data-key]").evaluate_all("rs => rs.map(r => r.dataset.key)"))
    assert {f"execution:{ids['train_1']}", f"execution:{ids['evaluate_1']}", f"artifact:{ids['model_1']}"} <= members
    assert f"artifact:{ids['model_2']}" not in members


def shown(page: Any) -> set[str]:
    return set(page.locator("#graph .node").evaluate_all("gs => gs.map(g => g.dataset.key)"))


def test_lineage_expands_a_node_on_click(page: Any, service: Service) -> None:
    ids = service.ids
    model, train = f"artifact:{ids['model_1']}", f"execution:{ids['train_1']}"
    open_view(page, service, f"#/lineage/{model}")
    # the start node and its neighbours, one page fetched from the API
    assert shown(page) == {model, train, f"execution:{ids['evaluate_1']}"}
    assert page.locator(f'#graph .node.start[data-key="{model}"]').count() == 1
    page.click(f'#graph .node[data-key="{train}"]')
    assert page.locator("#details h2").inner_text() == f"Train #{ids['train_1']}"
    page.click('#details button[data-expand="upstream"]')
    page.wait_for_function("n => document.querySelectorAll('#graph .node').length === n", arg=4)
    train_set = [k for k in shown(page) if k not in {model, train, f"execution:{ids['evaluate_1']}"}]
    assert len(train_set) == 1 and train_set[0].startswith("artifact:")
    assert page.locator(f'#graph .edge[data-s="{train_set[0]}"][data-t="{train}"]').count() == 1
    # double-click expands both ways: Evaluate gets its metrics and its test set
    page.dblclick(f'#graph .node[data-key="execution:{ids["evaluate_1"]}"]')
    page.wait_for_function("n => document.querySelectorAll('#graph .node').length === n", arg=6)
    assert f"artifact:{ids['metrics_1']}" in shown(page)
    page.fill("#find", "metrics")  # dims all but the matches
    assert page.locator("#graph .node.match").evaluate_all("gs => gs.map(g => g.dataset.key)") == [
        f"artifact:{ids['metrics_1']}"]
    page.fill("#find", "")
    page.click(f'#graph .node[data-key="{train}"]')
    shoot(page, "lineage")


def test_impact_marks_and_unmarks_quarantine(page: Any, service: Service) -> None:
    ids, store = service.ids, service.store
    model = f"artifact:{ids['model_1']}"
    open_view(page, service, f"#/impact/{model}")
    impacted = page.locator('#impact-page [data-part="downstream"] tr[data-key]').evaluate_all(
        "rs => rs.map(r => r.dataset.key)")
    assert impacted == [f"execution:{ids['evaluate_1']}", f"artifact:{ids['metrics_1']}"]
    assert shown(page) == {model, *impacted} and page.locator("#graph .node.quarantined").count() == 0
    page.fill("#reason", "bad weights")
    page.click("#mark")
    page.wait_for_selector("text=marked 3 nodes")
    assert page.locator("#impact-page tr.quarantined").count() == 2
    assert page.locator("#graph .node.quarantined").count() == 3  # the root too
    shoot(page, "impact")
    [metrics] = store.get_artifacts_by_id([ids["metrics_1"]])
    assert metrics.custom_properties[QUARANTINE_REASON] == "bad weights"
    open_view(page, service, f"#/node/artifact:{ids['metrics_1']}")
    assert page.inner_text(".quarantine") == "Quarantined: bad weights"
    open_view(page, service, f"#/impact/{model}")
    page.click("#unmark")
    page.wait_for_selector("text=unmarked 3 nodes")
    assert page.locator("#impact-page tr.quarantined").count() == 0
    [metrics] = store.get_artifacts_by_id([ids["metrics_1"]])
    assert QUARANTINE_REASON not in metrics.custom_properties


def test_compare_two_runs(page: Any, service: Service) -> None:
    ids = service.ids
    first, second = f"execution:{ids['train_1']}", f"execution:{ids['train_2']}"
    open_view(page, service, f"#/compare/{first}")
    assert page.locator("#compare-page tr[data-key]").evaluate_all("rs => rs.map(r => r.dataset.key)") == [second]
    page.click("#compare-page a.pick")
    page.wait_for_selector(f'body[data-ready="#/compare/{first}/{second}"]')
    diff = [r.split("\t") for r in rows(page, "table.properties tr")]
    assert ["properties.lr", "0.1", "0.2"] in diff
    shared = page.locator('[data-part="shared"] a').all_inner_texts()
    assert shared == [f"artifact:{ids['raw']}", f"artifact:{ids['train_set']}"]
    # the runs' metrics: other accuracy, and each was made from its own model
    first, second = f"artifact:{ids['metrics_1']}", f"artifact:{ids['metrics_2']}"
    open_view(page, service, f"#/compare/{first}/{second}")
    shoot(page, "compare")
    lineage = [r.split("\t") for r in rows(page, "table.lineage tr")]
    assert ["2", "Model", f"artifact:{ids['model_1']}", f"artifact:{ids['model_2']}"] in lineage


def test_a_service_with_a_token_asks_for_it_once_per_tab(browser: Any, service: Service) -> None:
    with serve(service.store, token="tab-token") as url:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(f"{url}/#/search?q=Model")
        tab.wait_for_selector("#token-form:not([hidden])")
        assert "needs a token" in tab.inner_text("#error")
        tab.fill("#token", "wrong")
        tab.click("#token-form button")
        tab.wait_for_selector("#token-form:not([hidden])")
        tab.fill("#token", "tab-token")
        tab.click("#token-form button")
        tab.wait_for_selector('body[data-ready="#/search?q=Model"]')
        assert tab.locator('[data-kind="artifact"] tr[data-key]').count() == 2
        tab.reload()  # the token stays for this tab (sessionStorage), never on disk (localStorage)
        tab.wait_for_selector('body[data-ready="#/search?q=Model"]')
        assert tab.is_hidden("#token-form")
        assert tab.evaluate("Object.keys(localStorage).length") == 0
        assert tab.evaluate("sessionStorage.getItem('graphstore.token')") == "tab-token"
        other = context.new_page()  # another tab starts without it
        other.goto(f"{url}/#/")
        other.wait_for_selector("#token-form:not([hidden])")
        context.close()


def test_an_error_of_the_api_is_shown(page: Any, service: Service) -> None:
    page.goto(f"{service.url}/#/node/artifact:999999")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error") == "id: no artifact with id 999999"


def test_names_and_uris_are_shown_as_text(page: Any, service: Service) -> None:
    key = f"artifact:{service.ids['hostile']}"
    open_view(page, service, "#/search?q=onerror")  # its quote, < and = pass as literal text
    assert page.locator("#search-results tr[data-key]").evaluate_all("rs => rs.map(r => r.dataset.key)") == [key]
    assert HOSTILE_NAME in page.inner_text("#search-results")
    open_view(page, service, f"#/node/{key}")
    assert HOSTILE_URI in page.inner_text("#node-page")
    open_view(page, service, f"#/lineage/{key}")
    assert HOSTILE_NAME[:20] in (page.text_content("#graph") or "")
    assert page.locator("#graph img, #search-results img, #node-page img").count() == 0
    assert page.evaluate("window.pwned") is None


def test_the_page_under_a_namespace_shows_that_namespace(page: Any, service: Service) -> None:
    from graphstore import Artifact, ArtifactType

    team = service.store.with_namespace("team-x")
    mine = team.put_artifacts([Artifact(type_id=team.put_artifact_type(ArtifactType(name="Model")),
                                        name="team-x-model", uri="s3://team-x/model.pkl")])[0]
    page.goto(f"{service.url}/ns/team-x/#/search?q=Model")
    page.wait_for_selector('body[data-ready="#/search?q=Model"]')
    assert "team-x" in page.inner_text("header h1") and "team-x" in page.title()
    assert page.locator('[data-kind="artifact"] tr[data-key]').evaluate_all(
        "rs => rs.map(r => r.dataset.key)") == [f"artifact:{mine}"]
    # the default namespace's model is an unknown id here
    page.goto(f"{service.url}/ns/team-x/#/node/artifact:{service.ids['model_1']}")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error") == f"id: no artifact with id {service.ids['model_1']}"
