"""Every CLI command takes --namespace (or GRAPHSTORE_NAMESPACE) and works inside it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from graphstore import MetadataStore
from graphstore.cli import NOT_FOUND, OK, build_parser, main
from tests.cli.conftest import build

NS = "team-a"


def test_every_command_takes_the_namespace_option() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert len(commands.choices) > 10
    missing = [name for name, sub in commands.choices.items() if "--namespace" not in sub._option_string_actions]
    assert not missing, missing


def test_the_store_commands_work_inside_the_namespace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store.db"
    with MetadataStore(path, namespace=NS) as store:
        ids = build(store)
    monkeypatch.setenv("GRAPHSTORE_URI", str(path))
    monkeypatch.setenv("GRAPHSTORE_PROGRESS", "0")
    monkeypatch.delenv("GRAPHSTORE_NAMESPACE", raising=False)
    data = f"artifact:{ids['data']}"
    runs = [
        ["ls", "artifacts"], ["show", data], ["lineage", data], ["impact", data],
        ["compare", f"execution:{ids['train']}", f"execution:{ids['failed']}"], ["stats"],
        ["export", str(tmp_path / "out.jsonl")],
        ["prune", "--before", "2000-01-01T00:00:00Z", "--keep", "Model", "--dry-run"],
    ]
    for argv in runs:
        capsys.readouterr()
        assert main([*argv, "--namespace", NS]) == OK, argv
        inside = capsys.readouterr().out
        monkeypatch.setenv("GRAPHSTORE_NAMESPACE", NS)
        assert main(argv) == OK, argv  # the variable does the same
        assert capsys.readouterr().out.replace(str(tmp_path), "") == inside.replace(str(tmp_path), "")
        monkeypatch.delenv("GRAPHSTORE_NAMESPACE")
        # the default namespace holds none of it
        assert main(argv) != OK or argv[0] in ("stats", "export", "prune"), argv
    capsys.readouterr()
    assert main(["stats", "--format", "json"]) == OK
    assert json.loads(capsys.readouterr().out)["artifacts"]["total"] == 0
    assert main(["show", data]) == NOT_FOUND
    assert main(["delete", f"artifact:{ids['lonely']}", "--yes"]) == NOT_FOUND
    assert main(["delete", f"artifact:{ids['lonely']}", "--yes", "--namespace", NS]) == OK
    assert main(["export", str(tmp_path / "a.jsonl"), "--namespace", NS]) == OK
    assert main(["import", str(tmp_path / "a.jsonl"), "--namespace", "team-b"]) == OK
    with MetadataStore(path, namespace="team-b") as copy:
        assert len(copy.get_artifacts()) == 3
