"""The user documentation: every public name documented, links resolve, the README tour runs, the site builds."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import graphstore
from graphstore import render

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"(?<!\!)\[[^\]]+\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _documented(obj: Any) -> bool:
    return bool((inspect.getdoc(obj) or "").strip())


def _public_members(cls: type) -> list[tuple[str, Any]]:
    out = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        owner = next((c for c in cls.__mro__ if name in vars(c)), None)
        if owner is None or not owner.__module__.startswith("graphstore"):
            continue  # pydantic's, enum's and object's own members are documented upstream
        member = inspect.getattr_static(owner, name)
        if isinstance(member, (property, classmethod, staticmethod)) or inspect.isfunction(member):
            out.append((name, getattr(member, "__func__", member)))
    return out


def test_every_public_name_has_a_docstring() -> None:
    missing = []
    for name in graphstore.__all__:
        if name == "__version__":
            continue
        obj = getattr(graphstore, name)
        if not _documented(obj):
            missing.append(name)
        if inspect.isclass(obj):
            missing += [f"{name}.{m}" for m, member in _public_members(obj) if not _documented(member)]
    missing += [f"render.{n}" for n, f in vars(render).items()
                if not n.startswith("_") and inspect.isfunction(f) and f.__module__ == render.__name__
                and not _documented(f)]
    assert missing == []


def test_readme_and_docs_links_resolve() -> None:
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in LINK.findall(page.read_text()):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []


def test_readme_fits_on_a_few_screens() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 150


def test_the_readme_tour_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [tour] = re.findall(r"## A tour\n\n```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert len(tour.splitlines()) <= 25
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "data" / "iris.csv").write_text("sepal_length,species\n5.1,setosa\n")

    def fit_and_save(path: str) -> None:
        Path(path).write_bytes(b"a model")
    namespace: dict[str, Any] = {"fit_and_save": fit_and_save}
    exec(compile(tour, "README.md", "exec"), namespace)
    assert [n.ref.kind for n in namespace["up"].nodes] == ["execution", "artifact"]
    assert set(namespace["report"].by_type()) == {"Train", "Model"}
    namespace["store"].close()


def test_the_docs_site_builds_without_warnings(tmp_path: Path) -> None:
    if shutil.which("mkdocs", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("mkdocs is not installed: the docs extra belongs to the dev install (make test installs it)")
    done = subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "--site-dir",
                           str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "site" / "api" / "index.html").read_text().count("get_artifacts_by_id") >= 1
