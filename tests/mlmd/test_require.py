"""Without ml-metadata the MLMD tests skip locally but stop the run where the suite must be
complete (issue 11: on Python 3.12+ every MLMD test skipped and CI still passed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mlmd._require import MISSING

ROOT = Path(__file__).resolve().parents[2]
_FLAGS = ("CI", "GRAPHSTORE_REQUIRE_NEO4J", "GRAPHSTORE_REQUIRE_MLMD")


def _collect_without_mlmd(tmp_path: Path, **flags: str) -> subprocess.CompletedProcess[str]:
    """Collect tests/mlmd/test_parity.py in a Python where ``import ml_metadata`` fails."""
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['ml_metadata'] = None\n")
    env = {k: v for k, v in os.environ.items() if k not in _FLAGS}
    env.update(flags, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/mlmd/test_parity.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("flags", [{}, {"GRAPHSTORE_REQUIRE_MLMD": "0", "CI": "true"}],
                         ids=["locally", "opted out"])
def test_skips_where_not_required(tmp_path: Path, flags: dict[str, str]) -> None:
    run = _collect_without_mlmd(tmp_path, **flags)
    assert run.returncode in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED), run.stdout
    assert "1 skipped" in run.stdout and MISSING not in run.stdout + run.stderr


@pytest.mark.parametrize("flags", [{"CI": "true"}, {"GRAPHSTORE_REQUIRE_NEO4J": "1"},
                                   {"GRAPHSTORE_REQUIRE_MLMD": "1"}], ids=lambda f: next(iter(f)))
def test_fails_where_required(tmp_path: Path, flags: dict[str, str]) -> None:
    run = _collect_without_mlmd(tmp_path, **flags)
    assert run.returncode not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    assert MISSING in run.stdout + run.stderr
