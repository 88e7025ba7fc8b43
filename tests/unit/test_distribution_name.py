"""Every install line a user reads names graphstore's own distribution, never PyPI's other
``graphstore`` (an unrelated project)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from graphstore._install import DISTRIBUTION, pip_install

ROOT = Path(__file__).resolve().parents[2]
OLD = "graph" + "store"  # spelled apart so this file does not match its own pattern
# pip/uv/poetry install lines whose requirement is the bare old name, with or without extras
OLD_INSTALL = re.compile(rf"""(?:pip3?|uv pip|uv|poetry)\s+(?:install|add)\s+(?:-\S+\s+)*['"]?{OLD}(?![\w-])""")
TEXT = {".py", ".md", ".toml", ".txt", ".cfg", ".yml", ".yaml", ".html", ".rst", ".sh", ""}


def _tracked_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / n for n in names.splitlines() if Path(n).suffix in TEXT and (ROOT / n).is_file()]


def test_pattern_catches_the_old_name_only() -> None:
    for line in (f"pip install {OLD}", f"pip install '{OLD}[mlmd]'", f'pip install -U "{OLD}[demo]"'):
        assert OLD_INSTALL.search(line), line
    for line in (pip_install(), pip_install("mlmd"), "pip install -e '.[dev]'", f"pip install {OLD}-lineage"):
        assert not OLD_INSTALL.search(line), line


def test_no_install_line_names_the_old_distribution() -> None:
    files = _tracked_files()
    assert any(f.name == "README.md" for f in files)
    found = [f"{f.relative_to(ROOT)}:{n}: {line.strip()}" for f in files
             for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if OLD_INSTALL.search(line)]
    assert found == []


def test_pyproject_names_the_distribution() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]
    assert re.search(rf'^name = "{re.escape(DISTRIBUTION)}"', project, re.M)
    assert pip_install("mlmd") == f"pip install '{DISTRIBUTION}[mlmd]'"
