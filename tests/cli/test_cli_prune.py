"""``graphstore prune`` on an embedded store (the API's behaviour is tested on every engine in
tests/contract/test_retention.py; this checks the command's options, output and exit codes)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from graphstore import MetadataStore
from tests.cli.conftest import Target, build, one_line_error


def _target(tmp_path: Path) -> Target:
    with MetadataStore(tmp_path / "store.db") as store:
        ids = build(store)
    return Target("sqlite", {"GRAPHSTORE_URI": str(tmp_path / "store.db")}, tmp_path, ids)


def _present(path: Path) -> tuple[set[int], set[int]]:
    with MetadataStore(path, read_only=True) as store:
        return ({a.id for a in store.get_artifacts() if a.id is not None},
                {e.id for e in store.get_executions() if e.id is not None})


def test_prune_dry_run_then_prune_keeps_the_models_lineage(tmp_path: Path) -> None:
    t = _target(tmp_path)
    before = str(int(time.time() * 1000) + 1)
    everything = _present(tmp_path / "store.db")
    dry = t.run("prune", "--before", before, "--keep", "Model", "--dry-run", "--format", "json")
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    ids = t.ids
    assert report["dry_run"] and report["batches"] == 0
    assert sorted(report["artifacts"]) == sorted([ids["lonely"], ids["metrics"]])
    assert sorted(report["executions"]) == sorted([ids["evaluate"], ids["failed"]])
    assert report["counts"]["execution"] == {"Evaluator": 1, "Trainer": 1}
    assert _present(tmp_path / "store.db") == everything

    done = t.run("prune", "--before", before, "--keep", "Model", "--batch-size", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deleted 4 nodes last updated before")
    assert _present(tmp_path / "store.db") == ({ids["data"], ids["model"]}, {ids["train"]})


def test_prune_refuses_to_keep_nothing_unless_forced(tmp_path: Path) -> None:
    t = _target(tmp_path)
    refused = t.run("prune", "--before", "2999-01-01")
    assert refused.returncode == 2
    assert "nothing named to keep" in one_line_error(refused)
    bad = t.run("prune", "--before", "last tuesday")
    assert bad.returncode == 2 and "expected ms since epoch" in one_line_error(bad)
    forced = t.run("prune", "--before", "2999-01-01", "--force", "--format", "json")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["total"] == 7
    assert _present(tmp_path / "store.db") == (set(), set())
