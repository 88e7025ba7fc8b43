"""``compare`` and ``delete`` on embedded SQLite and on Neo4j: output, exit codes, asking first."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.cli.conftest import COMMAND, Target, one_line_error


def test_compare_executions(fresh: Target) -> None:
    ids = fresh.ids
    result = fresh.run("compare", f"execution:{ids['train']}", f"e:{ids['failed']}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"execution:{ids['train']} (Trainer) vs execution:{ids['failed']} (Trainer)")
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line.startswith("  ")}
    assert rows["last_known_state"] == ["COMPLETE", "FAILED"]
    assert rows["custom_properties.error_type"] == ["(none)", "ValueError"]
    assert f"shared upstream: artifact:{ids['data']}\n" in result.stdout
    data = json.loads(fresh.run("compare", f"e:{ids['train']}", f"e:{ids['failed']}", "--format", "json").stdout)
    assert data["left"]["ref"] == f"execution:{ids['train']}" and data["kind"] == "execution"
    assert {d["field"] for d in data["properties"]} >= {"last_known_state", "custom_properties.error_type"}
    assert data["shared_upstream"] == [ids["data"]]


def test_compare_artifacts_and_their_lineage(fresh: Target) -> None:
    ids = fresh.ids
    result = fresh.run("compare", f"artifact:{ids['data']}", f"artifact:{ids['lonely']}")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line.startswith("  ")}
    assert rows["uri"] == ["/data/train.csv", "/data/lonely.csv"] and rows["properties.rows"] == ["150", "(none)"]
    same = fresh.run("compare", f"a:{ids['data']}", f"a:{ids['data']}")
    assert same.returncode == 0 and "no differences" in same.stdout


@pytest.mark.parametrize(("left", "right", "code", "says"), [
    ("artifact:data", "artifact:model", 2, "different types"),
    ("artifact:data", "execution:train", 2, "not of one kind"),
    ("context:run", "context:pipeline", 2, "not contexts"),
    ("artifact:data", "artifact:999999", 1, "no artifact:999999"),
    ("artifact:data", "widget:1", 2, "unknown kind"),
])
def test_compare_errors(fresh: Target, left: str, right: str, code: int, says: str) -> None:
    def ref(text: str) -> str:
        kind, _, name = text.partition(":")
        return f"{kind}:{fresh.ids[name]}" if name in fresh.ids else text
    result = fresh.run("compare", ref(left), ref(right))
    assert result.returncode == code, result.stderr
    assert says in one_line_error(result)


def exists(target: Target, ref: str) -> bool:
    return target.run("show", ref).returncode == 0


def test_delete_without_yes_shows_and_refuses_off_a_terminal(fresh: Target) -> None:
    model = f"artifact:{fresh.ids['model']}"
    result = fresh.run("delete", model, f"context:{fresh.ids['run']}")
    assert result.returncode == 4
    assert result.stdout.startswith("would delete 2 nodes")
    assert f"{model}  Model" in result.stdout and "with 2 events" in result.stdout
    assert "links to 3 artifacts and 3 executions (they stay)" in result.stdout
    assert "--yes" in one_line_error(result) and "nothing was deleted" in result.stderr
    assert exists(fresh, model)
    plan = json.loads(fresh.run("delete", model, "--format", "json").stdout)
    assert [n["ref"] for n in plan["would_delete"]] == [model]


def test_delete_yes_deletes_nodes_with_their_events(fresh: Target) -> None:
    ids = fresh.ids
    model, run = f"artifact:{ids['model']}", f"context:{ids['run']}"
    result = fresh.run("delete", model, f"execution:{ids['failed']}", run, model, "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "deleted 1 execution, 1 artifact, 1 context\n"
    assert not exists(fresh, model) and not exists(fresh, run) and not exists(fresh, f"e:{ids['failed']}")
    trainer = fresh.run("show", f"execution:{ids['train']}").stdout
    assert "artifact:" + str(ids["data"]) in trainer and model not in trainer  # its event went with it
    assert exists(fresh, f"artifact:{ids['data']}")  # the run's members stay
    again = fresh.run("delete", model, "--yes")
    assert again.returncode == 1 and f"no {model}" in one_line_error(again)


def test_delete_with_an_unknown_ref_deletes_nothing(fresh: Target) -> None:
    model = f"artifact:{fresh.ids['model']}"
    result = fresh.run("delete", model, "execution:999999", "--yes", "--format", "json")
    assert result.returncode == 1 and "no execution:999999" in one_line_error(result)
    assert exists(fresh, model)
    done = json.loads(fresh.run("delete", model, "-y", "--format", "json").stdout)
    assert done == {"deleted": [model], "counts": {"artifacts": 1}}


@pytest.mark.parametrize(("answer", "code"), [("n\n", 4), ("yes\n", 0)])
def test_delete_asks_on_a_terminal(fresh: Target, answer: str, code: int) -> None:
    model = f"artifact:{fresh.ids['model']}"
    leader, follower = os.openpty()  # stdin is a terminal: delete asks there
    try:
        os.write(leader, answer.encode())
        result = subprocess.run([*COMMAND, "delete", model], stdin=follower, capture_output=True, text=True,
                                env={**os.environ, **fresh.env, "GRAPHSTORE_PROGRESS": "0"}, timeout=180,
                                check=False)
    finally:
        os.close(leader)
        os.close(follower)
    assert result.returncode == code, result.stderr
    assert "delete these 1 nodes? [y/N]" in result.stderr
    assert exists(fresh, model) is (code != 0)
