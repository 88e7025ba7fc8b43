"""Neo4j Browser assets: the GraSS style, its on-connect settings (launcher, docker compose),
the guide's queries on a real Neo4j, and the little server that hands them to Browser."""

from __future__ import annotations

import html
import json
import re
import urllib.request
from pathlib import Path

import neo4j
import pytest

from graphstore import MetadataStore, _browser
from tests.cli.conftest import build
from tests.conftest import wipe_neo4j
from tests.neo4j_server import Neo4jTarget, _load_launcher

ROOT = Path(__file__).resolve().parents[2]


def guide_queries() -> list[str]:
    text = _browser.guide("http://localhost:8765")
    return [html.unescape(q) for q in re.findall(r'<pre class="code runnable">(.*?)</pre>', text, re.S)]


def test_style_has_kinds_colours_and_captions() -> None:
    rules = _browser.parse_grass(_browser.grass())
    for kind in ("Artifact", "Execution", "Context"):
        assert rules[f"node.{kind}"]["color"].startswith("#")
    assert len({rules[f"node.{k}"]["color"] for k in ("Artifact", "Execution", "Context")}) == 3
    assert rules["node.Artifact"]["caption"] == "{type} #{id}"
    assert rules["node.Context"]["caption"] == "{name}"
    for kind in ("INPUT", "DECLARED_INPUT", "INTERNAL_INPUT", "OUTPUT", "DECLARED_OUTPUT", "INTERNAL_OUTPUT",
                 "PENDING_OUTPUT", "ATTRIBUTED_TO", "ASSOCIATED_WITH", "CHILD_OF"):
        assert f"relationship.{kind}" in rules
    assert "/*" not in _browser.grass(), "Browser's GraSS reader has no comments"


def test_post_connect_command_is_one_command() -> None:
    command = _browser.post_connect_cmd()
    assert command.startswith("style {") and ";" not in command  # Browser splits the setting on ';'
    assert json.loads(command[len("style "):]) == _browser.parse_grass(_browser.grass())


def test_checked_in_settings_are_generated_from_the_style() -> None:
    assert (ROOT / "cypher/browser/neo4j.conf").read_text() == _browser.neo4j_conf()
    compose = (ROOT / "docker-compose.yml").read_text()
    match = re.search(r"^\s+NEO4J_browser_post__connect__cmd: '(.*)'$", compose, re.M)
    assert match and match.group(1) == _browser.post_connect_cmd()
    assert f"NEO4J_browser_remote__content__hostname__whitelist: {_browser.WHITELIST}" in compose


def test_launcher_writes_the_settings_into_neo4j_conf(tmp_path: Path) -> None:
    launcher = _load_launcher()
    text = launcher._conf_text(tmp_path, 7687, 7474, "128m", {})
    assert f"browser.post_connect_cmd={_browser.post_connect_cmd()}\n" in text
    assert f"browser.remote_content_hostname_whitelist={_browser.WHITELIST}\n" in text
    overridden = launcher._conf_text(tmp_path, 7687, 7474, "128m", {"browser.post_connect_cmd": "play start"})
    assert "browser.post_connect_cmd=play start\n" in overridden


def test_guide_has_slides_for_every_topic() -> None:
    text = _browser.guide("http://localhost:9999")
    slides = re.findall(r"<slide>(.*?)</slide>", text, re.S)
    titles = [re.search(r"<h3>(.*?)</h3>", s).group(1) for s in slides]  # type: ignore[union-attr]
    assert titles == ["graphstore in Neo4j Browser", "Full lineage of a model", "Impact of a dataset",
                      "The runs of a pipeline", "Failed executions and what they consumed", "Quarantined nodes"]
    assert ":style http://localhost:9999/graphstore.grass" in text and "{{BASE}}" not in text
    assert re.search(r"<title>graphstore lineage</title>", text)
    assert len(guide_queries()) >= 10


def test_guide_server_serves_with_cors() -> None:
    with _browser.GuideServer(port=0) as server:
        server.start()
        request = urllib.request.Request(f"{server.url}/guide.html", headers={"Origin": "http://127.0.0.1:7474"})
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.headers["Access-Control-Allow-Origin"] == "*"
            body = resp.read().decode()
        assert f":style {server.url}/graphstore.grass" in body
        with urllib.request.urlopen(f"{server.url}/graphstore.grass", timeout=10) as resp:
            assert resp.read().decode() == _browser.grass()
        preflight = urllib.request.Request(f"{server.url}/guide.html", method="OPTIONS", headers={
            "Origin": "http://127.0.0.1:7474", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "pragma,cache-control"})
        with urllib.request.urlopen(preflight, timeout=10) as resp:
            assert resp.status == 204
            assert resp.headers["Access-Control-Allow-Headers"] == "pragma,cache-control"
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"{server.url}/etc/passwd", timeout=10)
        server.shutdown()


def test_browser_url() -> None:
    assert _browser.browser_url("bolt://db.example:7687") == "http://db.example:7474/browser/?dbms=bolt://neo4j@db.example:7687"
    assert _browser.browser_url("neo4j+s://x.io", user="me").startswith("https://x.io:7474/browser/?dbms=neo4j+s://me@x.io:7687")
    assert _browser.browser_url("graphstore.db") is None


def test_guide_queries_run_on_neo4j(neo4j_server: Neo4jTarget) -> None:
    wipe_neo4j(neo4j_server)
    with MetadataStore(neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password) as store:
        ids = build(store)
        store.impact([ids["model"]], mark="bad model")
    rows: dict[str, int] = {}
    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)) as driver:
        for query in guide_queries():
            if query.startswith(":"):
                continue
            records, _, _ = driver.execute_query(query)
            rows[query] = len(records)
    wipe_neo4j(neo4j_server)
    assert all(n > 0 for n in rows.values()), rows
    failed = [q for q in rows if "FAILED" in q and "collect(" in q]
    assert rows[failed[0]] == 1
    quarantined = [q for q in rows if "graphstore_quarantine_root" in q]
    assert rows[quarantined[0]] == 3
