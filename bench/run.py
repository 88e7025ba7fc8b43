"""The benchmark runner: graphstore (SQLite in memory and on a file, Neo4j) against MLMD 1.17
(fake_database and a SQLite file) and against its own statements sent raw, in one run.

    .venv/bin/python bench/run.py            # full sizes (make bench)
    .venv/bin/python bench/run.py --quick    # smaller sizes, under two minutes (make bench-quick)
    .venv/bin/python bench/run.py --scale    # W3/W4 at 1,000,000 nodes, graphstore on Neo4j only

Each (workload, system) runs in its own process: graphstore's in this venv
(``gs_workloads.py``), MLMD's in ``bench/.venv-mlmd`` (``mlmd_workloads.py``; created here from
PyPI if missing). Neo4j: ``NEO4J_URI`` (+ ``NEO4J_USER``/``NEO4J_PASSWORD``) if set, else a
server started for the run with ``tools/neo4j/launcher.py``. Results: a table on the terminal,
``bench/results/<timestamp>.json`` and ``latest.json``, and a chart (``docs/bench.png`` for a
full run, ``bench/results/latest.png`` otherwise).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import common  # noqa: E402
import report  # noqa: E402

MLMD_VENV = BENCH / ".venv-mlmd"
MLMD_PY = MLMD_VENV / "bin" / "python"
MLMD_REQUIREMENTS = BENCH / "requirements-mlmd.txt"
NEO4J_PASSWORD = "graphstore-bench"
GS_SYSTEMS = ["sqlite-mem", "sqlite-file", "neo4j"]
MLMD_BACKENDS = ["fake", "file"]
WORKLOADS = ["W1", "W2", "W3", "W4", "W5", "W6", "W7"]
W7_SYSTEMS = {"sqlite-file", "neo4j", "mlmd-file"}  # the tiers are cached files / servers


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- MLMD's environment ------------------------------------------------------------------------

def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _python_for_mlmd() -> str | None:
    """A Python 3.9-3.11 interpreter (MLMD 1.17 has wheels for those only)."""
    for name in ("python3.11", "python3.10", "python3.9", "python3"):
        exe = shutil.which(name)
        if not exe:
            continue
        out = subprocess.run([exe, "-c", "import sys; print(sys.version_info[:2] >= (3, 9) "
                              "and sys.version_info[:2] <= (3, 11))"], capture_output=True, text=True)
        if out.stdout.strip() == "True":
            return exe
    return None


def ensure_mlmd() -> tuple[bool, str]:
    """(available, how or why not): the MLMD venv, created and installed from PyPI if missing."""
    def works() -> tuple[bool, str]:
        out = subprocess.run([str(MLMD_PY), "-c", "import ml_metadata; print(ml_metadata.__version__)"],
                             capture_output=True, text=True)
        return out.returncode == 0, (out.stdout.strip() or out.stderr.strip()[-300:])

    if MLMD_PY.exists():
        ok, detail = works()
        if ok:
            return True, f"ml-metadata {detail} in {_rel(MLMD_VENV)}"
    exe = _python_for_mlmd()
    if exe is None:
        return False, "no Python 3.9-3.11 interpreter found (ml-metadata 1.17 has wheels for 3.9-3.11 only)"
    say(f"creating {_rel(MLMD_VENV)} with {exe} and installing ml-metadata from PyPI ...")
    # the venv's own pip installs the wheels; upgrading it first only adds a way to fail
    steps = [[exe, "-m", "venv", "--clear", str(MLMD_VENV)],
             [str(MLMD_PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "-r", str(MLMD_REQUIREMENTS)]]
    for cmd in steps:
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            return False, f"`{' '.join(cmd[-3:])}` failed: {(out.stderr or out.stdout).strip()[-300:]}"
    ok, detail = works()
    return (ok, f"ml-metadata {detail} in {_rel(MLMD_VENV)}" if ok
            else f"ml_metadata does not import: {detail}")


# -- Neo4j --------------------------------------------------------------------------------------

class Neo4jTarget:
    def __init__(self) -> None:
        self.uri: str | None = None
        self.user = "neo4j"
        self.password: str | None = None
        self.how = ""
        self.error: str | None = None
        self.version: str | None = None
        self.started_in: float | None = None
        self._server: Any = None
        self._home: Path | None = None

    def env(self) -> dict[str, str]:
        return {"NEO4J_URI": self.uri or "", "NEO4J_USER": self.user, "NEO4J_PASSWORD": self.password or ""}

    def open(self, heap: str, pagecache: str) -> None:
        began = time.monotonic()
        try:
            if os.environ.get("NEO4J_URI"):
                self.uri = os.environ["NEO4J_URI"]
                self.user = os.environ.get("NEO4J_USER", "neo4j")
                self.password = os.environ.get("NEO4J_PASSWORD", "graphstore")
                self.how = "NEO4J_URI"
            else:
                if not (shutil.which("java") and shutil.which("mvn")):
                    raise RuntimeError("NEO4J_URI unset and no java/mvn for tools/neo4j/launcher.py")
                launcher = _load_launcher()
                self._home = Path(tempfile.mkdtemp(prefix="graphstore-bench-neo4j-"))
                self._server = launcher.start(self._home, password=NEO4J_PASSWORD, heap=heap,
                                              pagecache=pagecache, timeout=900)
                self.uri, self.password = self._server.uri, NEO4J_PASSWORD
                self.how = f"tools/neo4j/launcher.py (heap {heap}, page cache {pagecache})"
            import neo4j
            with neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as driver:
                records, _, _ = driver.execute_query("CALL dbms.components() YIELD versions, edition "
                                                     "RETURN versions[0] AS v, edition AS e")
                self.version = f"{records[0]['v']} {records[0]['e']}"
        except Exception as exc:  # any failure: Neo4j is reported as not measured
            self.error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:300]}"
            self.close()
        self.started_in = time.monotonic() - began

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None


def _load_launcher() -> Any:
    spec = importlib.util.spec_from_file_location("graphstore_neo4j_launcher",
                                                  ROOT / "tools" / "neo4j" / "launcher.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# -- workers --------------------------------------------------------------------------------------

def run_worker(cmd: list[str], env: dict[str, str] | None,
               timeout: float) -> tuple[list[dict[str, Any]], dict[str, Any], str | None]:
    """(cases, versions, error) from one worker process."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                             env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        return [], {}, f"timed out after {timeout:.0f} s"
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        tail = [ln for ln in out.stderr.strip().splitlines() if ln.strip()][-3:]
        return [], {}, f"exit {out.returncode}: {' | '.join(tail)[-400:]}"
    doc = json.loads(lines[-1])
    return doc["cases"], doc["info"], None


def machine_info() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) // 1024 // 1024} GiB"
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip() or None
    # uncommitted changes to the package at the time of the run (read-only git call)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "graphstore", "cypher"],
                           capture_output=True, text=True, cwd=ROOT).stdout.split("\n")
    dirty = [line[3:] for line in dirty if line.strip()]
    return {"cpu_count": os.cpu_count(), "cpu": cpu, "memory": mem, "platform": platform.platform(),
            "python": platform.python_version(), "git_commit": commit, "uncommitted": dirty,
            "load_average_at_start": list(os.getloadavg())}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smaller sizes; under two minutes")
    p.add_argument("--scale", action="store_true",
                   help="W3/W4 at 1,000,000 nodes on Neo4j only (slow; not part of make bench)")
    p.add_argument("--scale-nodes", type=int, default=common.SCALE_NODES,
                   help="node count for --scale (to try the scale path on something smaller)")
    p.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated, default all")
    p.add_argument("--systems", default="sqlite-mem,sqlite-file,neo4j,mlmd-fake,mlmd-file",
                   help="comma-separated subset of the default")
    p.add_argument("--runs", type=int, help="timed runs per case (default: 5 full, 3 quick)")
    p.add_argument("--build-up-to", help="W7: build tiers up to this size (e.g. 100k); bigger "
                   "ones are measured only where already cached")
    p.add_argument("--tiers", help="W7's scale tiers, comma-separated, of 3k, 10k, 100k, 1m "
                   "(default: 10k,100k,1m; quick: 3k,10k)")
    p.add_argument("--chart", type=Path, help="where the PNG goes (default: docs/bench.png for "
                   "a full run of everything, else bench/results/latest.png)")
    p.add_argument("--no-chart", action="store_true")
    args = p.parse_args()

    mode = "quick" if args.quick else "full"
    workloads = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if args.scale:
        workloads = [w for w in workloads if w in ("W3", "W4")]
        systems = ["neo4j"]
    sizes = dict(common.SIZES[mode])
    if args.scale:
        sizes.update(common.scale_sizes(args.scale_nodes))
    if args.runs:
        sizes["runs"] = args.runs
    began = time.monotonic()
    meta = machine_info()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    say(f"graphstore bench ({'scale' if args.scale else mode}): workloads {', '.join(workloads)}; "
        f"systems {', '.join(systems)}")

    notes: dict[str, str] = {}
    neo = Neo4jTarget()
    neo_future = None
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    if "neo4j" in systems:
        heap, cache = ("3g", "2g") if args.scale else ("1g", "512m")
        say("starting Neo4j ..." if not os.environ.get("NEO4J_URI") else "using NEO4J_URI ...")
        neo_future = pool.submit(neo.open, heap, cache)
        if mode == "full" or args.scale:
            neo_future.result()  # full runs measure nothing while the JVM starts
    mlmd_ok, mlmd_detail = (False, "not selected")
    if any(s.startswith("mlmd-") for s in systems):
        mlmd_ok, mlmd_detail = ensure_mlmd()
        if not mlmd_ok:
            say(f"MLMD not measured: {mlmd_detail}")
            notes["MLMD"] = f"not measured: {mlmd_detail}"

    timeout = 3600.0 if mode == "full" else 300.0
    cases: list[dict[str, Any]] = []
    versions: dict[str, Any] = {}
    errors: list[str] = []
    # full: one process per (workload, system), workload by workload, so every system meets
    # the machine's load at about the same time; quick: one process per system (less start-up)
    jobs: list[tuple[str, list[str]]] = []
    jobs = ([(s, [w]) for w in workloads for s in systems] if mode == "full"
            else [(s, workloads) for s in systems])
    if neo_future is not None and not neo_future.done():
        # quick mode: the embedded and MLMD workloads run while Neo4j starts
        jobs = [j for j in jobs if j[0] != "neo4j"] + [j for j in jobs if j[0] == "neo4j"]
    for system, ws in jobs:
        if system not in W7_SYSTEMS:
            ws = [w for w in ws if w != "W7"]
            if not ws:
                continue
        if system.startswith("mlmd-"):
            ws = [w for w in ws if w != "W6"]  # W6 is graphstore against its own statements
            if not mlmd_ok or not ws:
                continue
            cmd = [str(MLMD_PY), str(BENCH / "mlmd_workloads.py"), "--backend", system.split("-", 1)[1]]
            env = {"GLOG_minloglevel": "2"}
            name = system
        else:
            env = None
            if system == "neo4j":
                if neo_future is not None:
                    neo_future.result()
                if neo.error:
                    notes["Neo4j"] = f"not measured: {neo.error}"
                    continue
                env = neo.env()
            cmd = [sys.executable, str(BENCH / "gs_workloads.py"), "--system", system]
            if args.scale:
                cmd += ["--scale", "--scale-nodes", str(args.scale_nodes)]
            name = f"graphstore {system}"
        cmd += ["--workload", ",".join(ws), "--mode", mode]
        if args.runs:
            cmd += ["--runs", str(args.runs)]
        if args.tiers:
            cmd += ["--tiers", args.tiers]
        if args.build_up_to:
            env = {**(env or {}), "GS_BENCH_BUILD_UP_TO": args.build_up_to}
        if "W7" in ws and system == "neo4j" and not os.environ.get("NEO4J_URI") and mode == "full":
            # the tiers live on their own cached Neo4j homes, not on this run's scratch server
            # (quick mode builds its two small tiers on the scratch server: no extra JVM starts)
            env = {**(env or {}), "GS_BENCH_TIER_SERVERS": "1"}
        t0 = time.monotonic()
        got, info, error = run_worker(cmd, env, 4 * 3600.0 if "W7" in ws else timeout)
        if error:
            errors.append(f"{','.join(ws)} {name}: {error}")
            say(f"  {','.join(ws)} {name}: FAILED ({error})")
        else:
            say(f"  {','.join(ws)} {name}: {len(got)} case(s) in {time.monotonic() - t0:.1f} s")
        cases += got
        if info:
            versions.setdefault("mlmd" if system.startswith("mlmd-") else "graphstore", info)
    if neo.error and "Neo4j" not in notes and "neo4j" in systems:
        notes["Neo4j"] = f"not measured: {neo.error}"
    neo.close()
    pool.shutdown()

    meta.update({
        "timestamp": stamp, "mode": "scale" if args.scale else mode, "sizes": sizes,
        "wall_seconds": round(time.monotonic() - began, 1),
        "load_average_at_end": list(os.getloadavg()),
        "versions": versions,
        "neo4j": {"how": neo.how, "version": neo.version, "ready_in_s": neo.started_in,
                  "error": neo.error} if "neo4j" in systems else None,
        "mlmd": {"available": mlmd_ok, "detail": mlmd_detail},
        "notes": notes, "errors": errors,
    })
    if mode == "quick" and "neo4j" in systems and not os.environ.get("NEO4J_URI"):
        meta["notes"]["quick"] = ("quick mode starts Neo4j while the embedded and MLMD workloads "
                                  "run; their figures are indicative only")
    result = report.build(cases, meta)
    print(report.table(result))
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    text = json.dumps(result, indent=1)
    (out_dir / f"{stamp}-{meta['mode']}.json").write_text(text)
    (out_dir / "latest.json").write_text(text)
    everything = (mode == "full" and not args.scale and set(workloads) == set(WORKLOADS)
                  and len(systems) == 5)
    if everything:
        (out_dir / "full.json").write_text(text)
    if not args.no_chart:
        chart = args.chart or (ROOT / "docs" / "bench.png" if everything else out_dir / "latest.png")
        made = report.chart(result, chart)
        say(f"chart: {made}")
    say(f"results: {out_dir / 'latest.json'} (wall time {meta['wall_seconds']} s)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
