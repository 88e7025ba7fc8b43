"""The seed walkthroughs (examples/mlmd_walkthrough_00[23].py) run on graphstore with only the
import line changed, and print what real MLMD prints."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
from pathlib import Path

import pytest

pytest.importorskip("ml_metadata", reason="ml-metadata is not installed (pip install '.[mlmd]'; "
                                          "wheels exist for Python 3.9-3.11 only)")

from graphstore.mlmd import metadata_store

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLES = {"002": ROOT / "examples" / "mlmd_walkthrough_002.py",
            "003": ROOT / "examples" / "mlmd_walkthrough_003.py"}
IMPORT_LINE = re.compile(r"^from graphstore\.mlmd import metadata_store  # was: (.*)$", re.M)


def _run(path: Path) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(path), run_name="__main__")
    return out.getvalue()


def _comparable(text: str) -> str:
    text = re.sub(r"(_since_epoch: )\d+", r"\1<time>", text)
    # MLMD keeps type ids 1-9 for its own system types, so its first type is 10; the
    # walkthroughs make fewer than 10 nodes of each kind, so any id from 10 up is a type id
    return re.sub(r"(?<!\w)((?:id|type_id|type ID):\s+)(\d+)",
                  lambda m: m[1] + str(int(m[2]) - 9 if int(m[2]) >= 10 else int(m[2])), text)


@pytest.mark.parametrize("seed", sorted(EXAMPLES))
def test_walkthrough_prints_what_mlmd_prints(seed: str, tmp_path: Path) -> None:
    ours = _run(EXAMPLES[seed])
    original = tmp_path / "with_mlmd.py"  # the same file with MLMD's import line back
    original.write_text(IMPORT_LINE.sub(r"\1", EXAMPLES[seed].read_text()))
    assert "graphstore" not in original.read_text().split('"""', 2)[2]
    assert _comparable(ours) == _comparable(_run(original))
    assert 'uri: "path/to/model/file"' in ours or 'uri: "./data/train/data.csv"' in ours


@pytest.mark.parametrize("seed", sorted(EXAMPLES))
def test_walkthrough_runs_on_neo4j(seed: str, neo4j_server: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.mlmd._neo4j import Neo4jSuiteStore
    monkeypatch.setattr(Neo4jSuiteStore, "target", neo4j_server)
    monkeypatch.setattr(metadata_store, "MetadataStore", Neo4jSuiteStore)  # fake_database -> Neo4j
    assert "COMPLETED" in _run(EXAMPLES[seed])


@pytest.mark.parametrize("seed", sorted(EXAMPLES))
def test_walkthrough_code_is_the_seeds(seed: str) -> None:
    """Every code line of the example is in the seed text, apart from the import line, prints
    of values a notebook cell shows, and the lines standing in for the left-out TFDV cell and
    the guide's non-Python placeholder."""
    found = sorted(SEEDS.glob(f"{seed}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"the seed texts are not beside the repository ({SEEDS})")
    seed_lines = {line.strip() for line in found[0].read_text().splitlines()}
    body = EXAMPLES[seed].read_text().split('"""', 2)[2]
    code = [line.strip() for line in body.splitlines()
            if line.strip() and not line.strip().startswith("#") and "noqa" not in line]
    substituted = {"from graphstore.mlmd import metadata_store", "schema_file = './schema.pbtxt'",
                   'trainer_run.properties["state"].string_value = "RUNNING"'}
    # a notebook shows a cell's last value; the script prints it
    unwrapped = [line[len("print("):-1] if line.startswith("print(") and line[6:-1] in seed_lines else line
                 for line in code]
    foreign = [line for line in unwrapped if line not in seed_lines
               and not any(line.startswith(s) for s in substituted)
               and not re.fullmatch(r"print\(\w+(, \w+)*\)", line)]  # printing values the guide shows
    assert foreign == []
