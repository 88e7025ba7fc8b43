"""Take the documentation screenshots in a real browser (headless Chromium driven by playwright-core).

    make screenshots                          # installs chromium and playwright-core if missing
    python tools/screenshots/make.py [--out docs/screenshots]

Starts a throwaway Neo4j with tools/neo4j/launcher.py (its neo4j.conf carries graphstore's
Browser settings, so the style is applied on connect), records the Iris demo into it (without
scikit-learn: a small pipeline recorded with the step API), writes the HTML lineage page with
``graphstore lineage``, serves the Browser guide, and runs shoot.mjs, which connects Neo4j
Browser, runs a lineage query, opens the guide, and clicks through the HTML page.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PASSWORD = "graphstore-shots"
QUERY = """MATCH (m:Artifact {type: 'Metrics'}) WITH m ORDER BY m.id LIMIT 1
MATCH (m)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*0..]-(n)
WITH collect(DISTINCT n) AS lineage
UNWIND lineage AS a
MATCH (a)-[e]->(b) WHERE b IN lineage
RETURN a, e, b"""

sys.path.insert(0, str(ROOT))
from graphstore import MetadataStore  # noqa: E402
from graphstore._browser import GuideServer  # noqa: E402
from graphstore.cli import main as graphstore_cli  # noqa: E402


def _launcher():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("graphstore_neo4j_launcher", ROOT / "tools/neo4j/launcher.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(store: MetadataStore, workdir: Path) -> None:
    """The Iris demo; without scikit-learn a three-step pipeline of small files."""
    if importlib.util.find_spec("sklearn") is not None:
        from graphstore.demo_iris import run_demo

        run_demo(store, out=lambda line: None, workdir=workdir)
        return
    from graphstore.pipeline import Pipeline

    for run, depth in (("run-1", 5), ("run-2", 5), ("run-3", 2)):
        out = workdir / run
        out.mkdir(parents=True, exist_ok=True)
        raw = workdir / "raw.csv"
        raw.write_text("x,y\n1,0\n2,1\n")
        with Pipeline(store, "toy", run=run) as pipe:
            source = pipe.artifact("RawData", path=raw)
            with pipe.step("DataIngestion", inputs={"raw": source}) as ingest:
                if not ingest.cached:
                    (out / "data.csv").write_text(raw.read_text())
                    ingest.output("dataset", type="DataSet", path=out / "data.csv")
            with pipe.step("ModelTraining", params={"max_depth": depth},
                           inputs={"dataset": ingest.outputs["dataset"]}) as train:
                if not train.cached:
                    (out / "model.txt").write_text(f"depth {depth}\n")
                    train.output("model", type="Model", path=out / "model.txt")
            with pipe.step("ModelEvaluation", inputs={"model": train.outputs["model"]}) as evaluate:
                if not evaluate.cached:
                    (out / "metrics.json").write_text(json.dumps({"accuracy": 0.9 + depth / 100}))
                    evaluate.output("metrics", type="Metrics", path=out / "metrics.json",
                                    properties={"accuracy": 0.9 + depth / 100})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    args.out = args.out.resolve()
    if not Path(args.chromium).exists():
        sys.exit(f"no Chromium at {args.chromium}: apt-get install chromium (make screenshots does)")
    if not (HERE / "node_modules" / "playwright-core").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    args.out.mkdir(parents=True, exist_ok=True)
    launcher = _launcher()
    with tempfile.TemporaryDirectory(prefix="graphstore-shots-") as tmp:
        work = Path(tmp)
        print("starting Neo4j ...", flush=True)
        with launcher.start(work / "neo4j", password=PASSWORD) as server, GuideServer(port=0) as guide:
            guide.start()
            with MetadataStore(server.uri, user="neo4j", password=PASSWORD) as store:
                print("recording the demo pipeline ...", flush=True)
                record(store, work / "files")
                metrics = min(a.id or 0 for a in store.get_artifacts_by_type("Metrics"))
                model = min(a.id or 0 for a in store.get_artifacts_by_type("Model"))
            page = work / "lineage.html"
            env = {"GRAPHSTORE_URI": server.uri, "GRAPHSTORE_USER": "neo4j", "GRAPHSTORE_PASSWORD": PASSWORD}
            os.environ.update(env)
            code = graphstore_cli(["lineage", f"artifact:{metrics}", "--up", "--format", "html", "-o", str(page)])
            if code:
                return code
            config = {"chromium": args.chromium, "browserUrl": server.browser_url,
                      "bolt": server.uri, "user": "neo4j", "password": PASSWORD, "query": QUERY,
                      "fullscreen": True, "guideUrl": f"{guide.url}/guide.html",
                      "lineageHtml": str(page), "clickNode": f"artifact:{model}", "out": str(args.out)}
            (work / "config.json").write_text(json.dumps(config))
            subprocess.run(["node", str(HERE / "shoot.mjs"), str(work / "config.json")], cwd=HERE, check=True)
            guide.shutdown()
    for png in sorted(args.out.glob("*.png")):
        print(f"  {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
