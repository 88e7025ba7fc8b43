"""One --format vocabulary (and its aliases), lineage --open, shell completion and --version."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.conftest import Target, one_line_error


def test_format_vocabulary_and_aliases(target: Target) -> None:
    ids = target.ids
    table = target.run("ls", "artifacts", "--format", "table")
    assert table.returncode == 0 and table.stdout == target.run("ls", "artifacts", "--format", "text").stdout
    assert table.stdout == target.run("ls", "artifacts").stdout  # text is the default
    assert target.run("ls", "artifacts", "--format", "JSON").stdout.startswith("[")
    for command in (["show", f"a:{ids['data']}"], ["stats"], ["impact", f"a:{ids['data']}"],
                    ["lineage", f"a:{ids['data']}"], ["compare", f"a:{ids['data']}", f"a:{ids['lonely']}"]):
        assert json.loads(target.run(*command, "--format", "json").stdout), command
    bad = target.run("show", f"a:{ids['data']}", "--format", "refs")
    assert bad.returncode == 2 and "invalid choice: 'refs'" in one_line_error(bad)


def test_refs_of_lineage_and_impact_feed_other_commands(target: Target) -> None:
    ids = target.ids
    down = target.run("lineage", f"artifact:{ids['data']}", "--down", "--format", "refs")
    assert down.returncode == 0
    assert down.stdout.split() == [f"execution:{ids['train']}", f"execution:{ids['failed']}",
                                   f"artifact:{ids['model']}", f"execution:{ids['evaluate']}",
                                   f"artifact:{ids['metrics']}"]
    impact = target.run("impact", f"artifact:{ids['data']}", "--format", "refs")
    assert set(impact.stdout.split()) == set(down.stdout.split())
    lonely = target.run("lineage", f"artifact:{ids['lonely']}", "--format", "refs")
    assert lonely.returncode == 1 and lonely.stdout == ""


def recording_browser(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """$BROWSER as a script that writes down what it was asked to open."""
    seen = tmp_path / "opened.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {seen}.tmp && mv {seen}.tmp {seen}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {"BROWSER": str(script)}, seen


def opened(seen: Path) -> str:
    deadline = time.monotonic() + 30  # the browser runs detached from graphstore
    while not seen.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return seen.read_text()


def test_lineage_open_writes_the_page_and_opens_it(target: Target, tmp_path: Path) -> None:
    env, seen = recording_browser(tmp_path)
    page = tmp_path / "page.html"
    result = target.run("lineage", f"artifact:{target.ids['metrics']}", "--up", "--open", "-o", str(page), env=env)
    assert result.returncode == 0, result.stderr
    assert page.read_text().startswith("<!DOCTYPE html>") and f"wrote {page}" in result.stderr
    assert opened(seen) == page.resolve().as_uri()


def test_lineage_open_without_a_file_uses_a_temporary_one(target: Target, tmp_path: Path) -> None:
    env, seen = recording_browser(tmp_path)
    result = target.run("lineage", f"artifact:{target.ids['data']}", "--open", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    uri = opened(seen)
    path = Path(uri.removeprefix("file://"))
    assert f"wrote {path}" in result.stderr and "<svg" in path.read_text()
    path.unlink()


@pytest.mark.parametrize("args", [["--format", "json"], ["-o", "-"]])
def test_lineage_open_needs_an_html_file(target: Target, args: list[str]) -> None:
    result = target.run("lineage", f"artifact:{target.ids['data']}", "--open", *args)
    assert result.returncode == 2 and "--open" in one_line_error(result)


def completions(script: str, *words: str) -> list[str]:
    """What bash completes after ``words`` (the last one is being typed)."""
    line = " ".join(f"'{w}'" for w in words)
    program = (f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _graphstore; "
               "printf '%s\\n' \"${COMPREPLY[@]}\"")
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion(bare: Target) -> None:
    script = bare.run("completion", "bash").stdout
    assert "complete -o default -F _graphstore graphstore" in script
    assert {"compare", "completion"} <= set(completions(script, "graphstore", "co"))
    assert completions(script, "graphstore", "ls", "") == ["artifacts", "executions", "contexts"]
    assert completions(script, "graphstore", "--uri", "x.db", "lineage", "a:1", "--format", "m") == ["mermaid"]
    assert completions(script, "graphstore", "ls", "--format", "") == ["text", "json", "refs"]
    assert "--yes" in completions(script, "graphstore", "delete", "--")


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_completion(bare: Target, shell: str) -> None:
    result = bare.run("completion", shell)
    assert result.returncode == 0
    for command in ("demo", "ls", "lineage", "compare", "delete", "completion"):
        assert command in result.stdout
    if shell == "fish":
        assert "complete -c graphstore -n '__fish_seen_subcommand_from ls' -l format -x -a 'text json refs'" \
            in result.stdout
    if shutil.which(shell):  # the shell itself parses it where it is installed
        subprocess.run([shell, "-n" if shell == "zsh" else "--no-execute", "-c", result.stdout], check=True, timeout=60)
    bad = bare.run("completion", "tcsh")
    assert bad.returncode == 2 and "invalid choice" in one_line_error(bad)


def test_version_is_the_installed_distributions(bare: Target) -> None:
    result = bare.run("--version")
    assert result.returncode == 0
    assert result.stdout == f"graphstore {importlib.metadata.version('graphstore-lineage')}\n"
