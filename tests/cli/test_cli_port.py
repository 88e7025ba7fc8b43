"""``graphstore export`` / ``import`` and the global ``--namespace``, on SQLite and Neo4j."""

from __future__ import annotations

import json

from tests.cli.conftest import Target, one_line_error


def test_export_then_import_into_another_namespace(target: Target) -> None:
    out = target.cwd / "ns.jsonl"
    exported = target.run("export", str(out), "--format", "json")
    assert exported.returncode == 0, exported.stderr
    counts = json.loads(exported.stdout)["counts"]
    assert counts["artifact"] == len(json.loads(target.run("ls", "artifacts", "--format", "json").stdout))
    ns = f"copy-{target.engine}"
    imported = target.run("--namespace", ns, "import", str(out), "--map", str(target.cwd / "map.json"))
    assert imported.returncode == 0, imported.stderr
    assert "verified" in imported.stdout
    id_map = json.loads((target.cwd / "map.json").read_text())
    assert {str(target.ids[k]) for k in ("data", "lonely", "model", "metrics")} == set(id_map["artifact"])
    listed = target.run("ls", "artifacts", "--format", "json", env={"GRAPHSTORE_NAMESPACE": ns})
    assert sorted(a["id"] for a in json.loads(listed.stdout)) == sorted(id_map["artifact"].values())
    again = target.run("import", str(out), "--namespace", ns)
    assert again.returncode == 4 and "already holds" in one_line_error(again)


def test_an_empty_or_bad_namespace(target: Target) -> None:
    empty = target.run("ls", "artifacts", "--namespace", "nobody")
    assert empty.returncode == 1
    bad = target.run("stats", "--namespace", "no/such")
    assert bad.returncode == 2 and "namespace" in one_line_error(bad)
