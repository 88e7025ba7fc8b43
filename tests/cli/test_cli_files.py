"""The CLI never writes into a file that is not its store, opens stores read-only for looking,
and turns every OS error on a store or an output file into one line (exit 2 or 3)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from graphstore import MetadataStore
from tests.cli.conftest import COMMAND, Target, build, one_line_error
from tests.unit.foreign_files import EMPTY, FOREIGN, make_foreign, snapshot

LOOKING = [["stats"], ["ls", "artifacts"], ["show", "artifact:1"], ["lineage", "artifact:1"], ["impact", "artifact:1"]]
WRITING = [["impact", "artifact:1", "--mark", "bad"], ["demo"]]


@pytest.fixture
def foreign(bare: Target) -> dict[str, Path]:
    return make_foreign(bare.cwd)


@pytest.mark.parametrize("name", [*FOREIGN, EMPTY])
def test_commands_refuse_foreign_files_untouched(bare: Target, foreign: dict[str, Path], name: str) -> None:
    before = snapshot(bare.cwd)
    commands = LOOKING + (WRITING if name != EMPTY else [])  # an empty file may become a store
    for command in commands:
        result = bare.run(*command, "--uri", str(foreign[name]))
        assert result.returncode == 2, (command, result.stderr)
        line = one_line_error(result)
        assert str(foreign[name]) in line, line
        assert snapshot(bare.cwd) == before, command


def test_import_mlmd_refuses_a_foreign_target(bare: Target, foreign: dict[str, Path]) -> None:
    before = snapshot(bare.cwd)
    result = bare.run("import-mlmd", str(foreign["mlmd.db"]), "--uri", str(foreign["other.db"]))
    assert result.returncode == 2
    assert "another program's SQLite database" in one_line_error(result)
    assert snapshot(bare.cwd) == before


def test_the_mlmd_refusal_points_to_import_mlmd(bare: Target, foreign: dict[str, Path]) -> None:
    line = one_line_error(bare.run("stats", "--uri", str(foreign["mlmd.db"])))
    assert "MLMD store" in line and "graphstore import-mlmd" in line


def test_looking_leaves_the_store_file_alone(bare: Target) -> None:
    store = bare.cwd / "store.db"
    with MetadataStore(store) as writable:
        build(writable)
    before = store.read_bytes()
    for command in LOOKING:
        assert bare.run(*command, "--uri", str(store)).returncode in (0, 1), command
    assert store.read_bytes() == before


@pytest.mark.parametrize("where", ["/nonexistent/x.html", "{cwd}", "{cwd}/plain.txt/x.html"])
def test_unwritable_output_is_one_line_exit_2(target: Target, where: str) -> None:
    (target.cwd / "plain.txt").write_text("a file, not a directory")
    path = where.format(cwd=target.cwd)
    result = target.run("lineage", f"a:{target.ids['metrics']}", "--format", "html", "-o", path)
    assert result.returncode == 2, result.stderr
    line = one_line_error(result)
    assert "-o/--output" in line and path in line


def test_unwritable_demo_workdir_is_one_line_exit_2(bare: Target) -> None:
    pytest.importorskip("sklearn", reason="the demo needs scikit-learn (pip install -e '.[demo]')")
    (bare.cwd / "plain.txt").write_text("a file, not a directory")
    result = bare.run("demo", "--workdir", str(bare.cwd / "plain.txt" / "work"))
    assert result.returncode == 2, result.stderr
    assert "--workdir" in one_line_error(result)


def test_a_full_stdout_is_one_line_exit_3(bare: Target) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    with open("/dev/full", "w") as full:
        result = subprocess.run([*COMMAND, "browser", "--print", "guide"], stdout=full, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, **bare.env}, cwd=bare.cwd, timeout=120, check=False)
    assert result.returncode == 3, result.stderr
    line = one_line_error(result)
    assert "No space left on device" in line
