"""What ``graphstore demo`` leaves behind and says afterwards: where the store and the pipeline's
files are, which runs it added, and the commands to try next on them."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import IO

from ._redact import redact_uri
from .store import MetadataStore

__all__ = ["FILES_SUFFIX", "files_dir", "program", "report"]

FILES_SUFFIX = "-demo-files"  # graphstore.db keeps its files in graphstore-demo-files/


def files_dir(store_path: str | None) -> Path | None:
    """Where the demo keeps the pipeline's files: next to a store file (``X.db`` →
    ``X-demo-files/``), in the current directory for a server store, nowhere lasting (None: a
    temporary directory) for a store in memory — the artifact URIs point there."""
    if store_path == ":memory:":
        return None
    if store_path is None:
        return Path("graphstore" + FILES_SUFFIX)
    path = Path(store_path)
    return path.with_name(path.stem + FILES_SUFFIX)


def program() -> str:
    """How the user runs graphstore: ``graphstore`` when that is on PATH, else the script's
    path as they typed it (``make demo`` runs ``.venv/bin/graphstore``)."""
    typed = sys.argv[0] if sys.argv and Path(sys.argv[0]).name == "graphstore" else ""
    found = shutil.which("graphstore")
    if not typed or (found and os.path.exists(typed) and os.path.samefile(found, typed)):
        return "graphstore"
    return typed


def _targets(store: MetadataStore) -> tuple[str, str | None]:
    """The newest metrics (to trace) and two trainings with different max_depth (to compare)."""
    metrics = max((a.id or 0 for a in store.get_artifacts_by_type("Metrics")), default=1)
    first: dict[object, int] = {}
    for run in store.get_executions_by_type("ModelTraining"):
        first.setdefault(run.properties.get("max_depth"), int(run.id or 0))
    pair = sorted(first.values())[:2]
    return f"artifact:{metrics}", " ".join(f"execution:{i}" for i in pair) if len(pair) == 2 else None


def report(store: MetadataStore, out: IO[str], *, uri: str, given_uri: str | None, store_path: str | None,
           files: Path | None, before: list[str], after: list[str], pipeline: str) -> None:
    """Print where everything is, what this demo added (runs ``after`` minus ``before``), and the
    next commands to try."""
    added = after[len(before):]
    where = os.path.abspath(store_path) if store_path else redact_uri(uri)
    print(f"\nStore   {where} ({store.engine_name})", file=out)
    if files is not None:
        print(f"Files   {files.resolve()}  (the artifact URIs point here: keep it with the store)", file=out)
    runs = f"{len(after)} runs of the {pipeline} pipeline"
    print(f"Runs    {runs}: this demo added {', '.join(added)}" + (
        f" to the {len(before)} there before (each `graphstore demo` adds three more)" if before else ""), file=out)
    shown = redact_uri(given_uri) if given_uri else ""
    cmd = program() + (f" --uri {shown}" if shown else "")
    metrics, pair = _targets(store)
    steps = [(f"{cmd} ls artifacts", "what the runs made"),
             (f"{cmd} lineage {metrics} --up", "what the newest metrics came from"),
             (f"{cmd} lineage {metrics} --open", "the same as an HTML page in the browser "
                                                 "(or --format html -o lineage.html)")]
    if pair:
        steps.append((f"{cmd} compare {pair}", "two trainings: max_depth 5 against 2"))
    steps.append((f"{cmd} stats", "counts by type and state"))
    if importlib.util.find_spec("graphstore._cli_serve") and importlib.util.find_spec("uvicorn"):
        steps.append((f"{cmd} serve", "browse it in the web UI"))
    steps.append((f"{program()} --help", "every command; `completion bash|zsh|fish` for Tab"))
    width = max(len(c) for c, _ in steps)
    print("\nNext, try:", file=out)
    for command, why in steps:
        print(f"  {command:<{width}}  # {why}", file=out)
    if shown != (given_uri or ""):
        print("  (the password is left out: give it with --password or GRAPHSTORE_PASSWORD)", file=out)
