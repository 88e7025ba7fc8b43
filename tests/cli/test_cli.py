"""The ``graphstore`` console script on embedded SQLite and on Neo4j: output and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from graphstore.cli import BUG, EXIT_CODES
from tests.cli.conftest import COMMAND, Target, one_line_error


def test_console_script_is_installed() -> None:
    assert Path(COMMAND[0]).name == "graphstore", "pip install -e . creates the graphstore script"


def test_help_lists_commands_and_exit_codes(bare: Target) -> None:
    result = bare.run("--help")
    assert result.returncode == 0
    for command in ("demo", "ls", "show", "lineage", "impact", "stats", "browser", "import-mlmd"):
        assert command in result.stdout
    for code in EXIT_CODES:
        assert re.search(rf"^\s+{code}\s", result.stdout, re.M), code
    assert bare.run("--version").stdout.startswith("graphstore ")


@pytest.mark.parametrize("args", [["nope"], ["ls"], ["ls", "widgets"], ["lineage", "1", "--up", "--down"],
                                  ["ls", "artifacts", "--limit", "-3"]])
def test_usage_errors_are_one_line_and_exit_2(bare: Target, args: list[str]) -> None:
    result = bare.run(*args)
    assert result.returncode == 2
    assert "usage:" not in result.stderr
    one_line_error(result)


def test_missing_store_file_is_exit_3(bare: Target) -> None:
    result = bare.run("ls", "artifacts")
    assert result.returncode == 3
    assert "no store at graphstore.db" in one_line_error(result)
    assert not (bare.cwd / "graphstore.db").exists(), "a read must not create the store"


def test_unreachable_neo4j_is_exit_3(bare: Target) -> None:
    result = bare.run("stats", "--uri", "bolt://127.0.0.1:1", "--password", "x")
    assert result.returncode == 3
    one_line_error(result)


def test_import_mlmd_without_the_layer_is_exit_4(bare: Target) -> None:
    from graphstore import cli

    try:
        cli._importer()
    except Exception:
        pass
    else:
        pytest.skip("this installation has graphstore's MLMD import")
    result = bare.run("import-mlmd", str(bare.cwd / "mlmd.db"))
    assert result.returncode == 4
    assert "import-mlmd" in one_line_error(result) or "MLMD" in result.stderr


# -- ls ---------------------------------------------------------------------------------------------

def test_ls_artifacts_table(target: Target) -> None:
    result = target.run("ls", "artifacts")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ref", "type", "state", "created", "name", "uri"]
    refs = [line.split()[0] for line in lines[1:]]
    assert refs == [f"artifact:{i}" for i in sorted(target.ids[k] for k in ("data", "lonely", "model", "metrics"))]
    assert "/models/m1.pkl" in result.stdout


def test_ls_type_filter_limit_and_formats(target: Target) -> None:
    ids = target.ids
    result = target.run("ls", "artifacts", "--type", "DataSet", "--format", "refs")
    assert result.stdout.split() == [f"artifact:{ids['data']}", f"artifact:{ids['lonely']}"]
    result = target.run("ls", "artifacts", "--filter", "properties.accuracy.double_value > 0.9", "--format", "json")
    [metrics] = json.loads(result.stdout)
    assert metrics["ref"] == f"artifact:{ids['metrics']}" and metrics["state"] == "LIVE"
    result = target.run("ls", "executions", "--limit", "1")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 2
    assert "more match" in result.stderr
    result = target.run("ls", "contexts")
    assert "PipelineRun" in result.stdout and "run-1" in result.stdout
    result = target.run("ls", "executions", "--filter", "last_known_state = FAILED", "--format", "refs")
    assert result.stdout.split() == [f"execution:{ids['failed']}"]


def test_ls_nothing_matches_is_exit_1(target: Target) -> None:
    result = target.run("ls", "artifacts", "--type", "Nope")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no artifacts match" in one_line_error(result)


def test_ls_bad_filter_is_exit_2(target: Target) -> None:
    result = target.run("ls", "artifacts", "--filter", "uri LIKE")
    assert result.returncode == 2
    assert "line 1, column" in one_line_error(result)


# -- show -------------------------------------------------------------------------------------------

def test_show_artifact(target: Target) -> None:
    ids = target.ids
    result = target.run("show", f"artifact:{ids['data']}")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"artifact:{ids['data']}  DataSet")
    assert re.search(r"rows\s+150", out)
    assert f"context:{ids['run']}" in out and "run-1" in out
    used_by = out.split("used by")[1]
    assert f"execution:{ids['train']}" in used_by and f"execution:{ids['failed']}" in used_by
    assert "FAILED" in used_by


def test_show_execution_and_short_refs(target: Target) -> None:
    ids = target.ids
    result = target.run("show", f"e:{ids['train']}", "--format", "json")
    data = json.loads(result.stdout)
    assert data["record"]["last_known_state"] == "COMPLETE"
    kinds = {(e["artifact_id"], e["type"]) for e in data["events"]}
    assert kinds == {(ids["data"], "INPUT"), (ids["model"], "OUTPUT")}
    text = target.run("show", f"execution:{ids['train']}").stdout
    assert "inputs" in text and "outputs" in text and "model" in text
    assert target.run("show", str(ids["model"])).stdout.startswith(f"artifact:{ids['model']}  Model")


def test_show_context_by_type_and_name(target: Target) -> None:
    ids = target.ids
    result = target.run("show", "context:PipelineRun/run-1")
    assert result.returncode == 0, result.stderr
    assert f"parent contexts (1)\n  context:{ids['pipeline']}" in result.stdout
    assert "executions (3)" in result.stdout and "artifacts (3)" in result.stdout


@pytest.mark.parametrize(("ref", "code"), [("artifact:999999", 1), ("context:PipelineRun/nope", 1),
                                           ("widget:3", 2), ("artifact:x", 2)])
def test_show_errors(target: Target, ref: str, code: int) -> None:
    result = target.run("show", ref)
    assert result.returncode == code
    assert result.stdout == ""
    line = one_line_error(result)
    assert line.startswith("graphstore: not found:" if code == 1 else "graphstore: error:")


# -- lineage ----------------------------------------------------------------------------------------

def test_lineage_text_both_ways(target: Target) -> None:
    ids = target.ids
    result = target.run("lineage", f"artifact:{ids['model']}")
    assert result.returncode == 0, result.stderr
    up, down = result.stdout.split("downstream of")
    assert up.startswith(f"upstream of artifact:{ids['model']} (Model, m1.pkl): 2 nodes")
    assert f"execution:{ids['train']}" in up and f"artifact:{ids['data']}" in up
    assert f"artifact:{ids['metrics']}" in down and f"execution:{ids['evaluate']}" in down


def test_lineage_up_json_and_hops(target: Target) -> None:
    ids = target.ids
    result = target.run("lineage", f"artifact:{ids['metrics']}", "--up", "--format", "json")
    data = json.loads(result.stdout)
    assert list(data) == ["start", "upstream"]
    nodes = {n["ref"]: n["distance"] for n in data["upstream"]["nodes"]}
    assert nodes == {f"execution:{ids['evaluate']}": 1, f"artifact:{ids['model']}": 2,
                     f"execution:{ids['train']}": 3, f"artifact:{ids['data']}": 4}
    result = target.run("lineage", f"artifact:{ids['metrics']}", "--up", "--hops", "1")
    assert "stopped at --hops" in result.stdout


@pytest.mark.parametrize(("fmt", "marker"), [("dot", "digraph lineage {"), ("mermaid", "flowchart LR"),
                                             ("html", "<!DOCTYPE html>")])
def test_lineage_pictures(target: Target, fmt: str, marker: str) -> None:
    ids = target.ids
    result = target.run("lineage", f"execution:{ids['train']}", "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout
    assert "Model" in result.stdout and "Evaluator" in result.stdout


def test_lineage_html_to_file(target: Target) -> None:
    out = target.cwd / f"lineage-{target.engine}.html"
    result = target.run("lineage", f"artifact:{target.ids['data']}", "--down", "--format", "html", "-o", str(out))
    assert result.returncode == 0
    assert result.stdout == "" and "wrote" in result.stderr
    page = out.read_text()
    assert 'data-key="artifact:' in page and "http://" not in page and "https://" not in page


def test_lineage_of_a_lonely_node_is_exit_1(target: Target) -> None:
    result = target.run("lineage", f"artifact:{target.ids['lonely']}")
    assert result.returncode == 1
    assert "upstream of" in result.stdout and "nothing" in result.stdout


def test_lineage_of_a_context_is_exit_2(target: Target) -> None:
    result = target.run("lineage", f"context:{target.ids['run']}")
    assert result.returncode == 2
    assert "contexts have no events" in one_line_error(result)


# -- impact -----------------------------------------------------------------------------------------

def test_impact_report(target: Target) -> None:
    ids = target.ids
    result = target.run("impact", f"artifact:{ids['data']}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"impact of artifact:{ids['data']}: 3 executions and 2 artifacts downstream")
    for key in ("train", "failed", "evaluate"):
        assert f"execution:{ids[key]}" in result.stdout
    assert "run-1" in result.stdout
    data = json.loads(target.run("impact", str(ids["model"]), "--format", "json").stdout)
    assert [n["ref"] for n in data["nodes"]] == [f"execution:{ids['evaluate']}", f"artifact:{ids['metrics']}"]


def test_impact_mark_and_unmark(target: Target) -> None:
    ids = target.ids
    result = target.run("impact", f"artifact:{ids['model']}", "--mark", "bad model")
    assert result.returncode == 0, result.stderr
    assert "quarantined 3 nodes: 'bad model'" in result.stdout
    marked = target.run("ls", "artifacts", "--format", "refs", "--filter",
                        "custom_properties.graphstore_quarantine_reason.string_value IS NOT NULL")
    assert marked.stdout.split() == [f"artifact:{ids['model']}", f"artifact:{ids['metrics']}"]
    assert "LIVE, quarantined" in target.run("show", f"artifact:{ids['metrics']}").stdout
    stats = json.loads(target.run("stats", "--format", "json").stdout)
    assert stats["quarantined"] == {"artifact": 2, "execution": 1}
    result = target.run("impact", f"artifact:{ids['model']}", "--unmark")
    assert result.returncode == 0
    assert result.stdout.startswith("unmarked 3 nodes")
    assert target.run("ls", "artifacts", "--filter",
                      "custom_properties.graphstore_quarantine_reason.string_value IS NOT NULL").returncode == 1


def test_impact_errors(target: Target) -> None:
    ids = target.ids
    nothing = target.run("impact", f"artifact:{ids['metrics']}")
    assert nothing.returncode == 1 and "nothing downstream" in nothing.stdout
    assert target.run("impact", f"execution:{ids['train']}").returncode == 2
    assert target.run("impact").returncode == 2
    assert target.run("impact", "artifact:999999").returncode == 1
    assert target.run("impact", "--mark", "x", "--unmark").returncode == 2


# -- stats, browser ---------------------------------------------------------------------------------

def test_stats(target: Target) -> None:
    result = target.run("stats")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^artifacts\s+4\s+LIVE 4$", out, re.M)
    assert re.search(r"^executions\s+3\s+COMPLETE 2, FAILED 1$", out, re.M)
    assert re.search(r"^  Trainer\s+2\s", out, re.M)
    assert re.search(r"^events\s+5\s+INPUT 3, OUTPUT 2$", out, re.M)
    data = json.loads(target.run("stats", "--format", "json").stdout)
    assert data["engine"] == ("neo4j" if target.engine == "neo4j" else "sqlite")
    assert data["contexts"]["by_type"] == {"Pipeline": 1, "PipelineRun": 1}
    shown = target.run("stats", env={"GRAPHSTORE_PROGRESS": "1"})
    assert "counting" in shown.stderr and shown.stdout == out


def test_browser_instructions(target: Target) -> None:
    result = target.run("browser")
    assert result.returncode == 0
    assert ":guide http://localhost:8765/guide.html" in result.stdout
    assert ":style http://localhost:8765/graphstore.grass" in result.stdout
    if target.engine == "neo4j":
        assert "/browser/?dbms=bolt://neo4j@127.0.0.1:" in result.stdout
    else:
        assert "is embedded" in result.stdout
        # from a pip install there is no repository: the first way offered must work without it
        hint = result.stdout.split("is embedded", 1)[1]
        assert hint.index("docker run") < hint.index("make neo4j")
        assert "graphstore browser --print conf" in result.stdout


def test_browser_print(bare: Target) -> None:
    conf = bare.run("browser", "--print", "conf").stdout
    assert conf == (Path(__file__).resolve().parents[2] / "cypher" / "browser" / "neo4j.conf").read_text()
    style = json.loads(bare.run("browser", "--print", "style-json").stdout)
    assert style["node.Artifact"]["caption"] == "{type} #{id}"
    assert "<slide>" in bare.run("browser", "--print", "guide").stdout


# -- demo -------------------------------------------------------------------------------------------

def test_demo_on_the_default_embedded_store(bare: Target) -> None:
    pytest.importorskip("sklearn", reason="the demo needs scikit-learn (pip install -e '.[demo]')")
    result = bare.run("demo")
    assert result.returncode == 0, result.stderr
    assert "Cache hit" in result.stdout and "Explore it:" in result.stdout
    assert (bare.cwd / "graphstore.db").exists()
    listed = bare.run("ls", "artifacts", "--type", "Model", "--format", "refs")
    assert listed.returncode == 0 and listed.stdout.count("artifact:") == 2


def test_internal_errors_are_not_user_errors() -> None:
    assert BUG not in (0, 1, 2, 3, 4, 5)


# -- delegation to optional parts (in process) ------------------------------------------------------

def test_import_mlmd_delegates_with_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from graphstore import cli

    calls: list[tuple[object, ...]] = []

    def fake_import(source: str, target: object, *, batch_size: int = 1000, progress: object = None) -> str:
        assert callable(progress)
        progress("artifacts", 5, 10)
        calls.append((source, type(target).__name__, batch_size))
        return "imported 5 artifacts"

    monkeypatch.setattr(cli, "_importer", lambda: fake_import)
    code = cli.main(["import-mlmd", "old.sqlite", "--batch-size", "50", "--uri", str(tmp_path / "new.db")])
    assert code == 0
    assert calls == [("old.sqlite", "MetadataStore", 50)]
    assert capsys.readouterr().out == "imported 5 artifacts\n"


def test_missing_optional_parts_are_exit_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from graphstore import cli

    real = cli.importlib.import_module

    def without_demo(name: str) -> object:
        if name == "graphstore.demo_iris":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        if name == "graphstore.mlmd":
            raise ModuleNotFoundError("No module named 'ml_metadata'", name="ml_metadata")
        return real(name)

    monkeypatch.setattr(cli.importlib, "import_module", without_demo)
    assert cli.main(["demo", "--uri", str(tmp_path / "x.db")]) == 4
    assert "the Iris demo is not part of this installation" in capsys.readouterr().err
    assert cli.main(["import-mlmd", "old.sqlite", "--uri", str(tmp_path / "x.db")]) == 4
    assert "needs ml_metadata: pip install 'graphstore-lineage[mlmd]'" in capsys.readouterr().err
