"""Screenshots of the notebook rendering for the docs: run examples/iris.ipynb, put chosen
HTML outputs on a page each and photograph them with headless Chromium.

    .venv/bin/python tools/notebook_screenshots.py --out docs/screenshots

Needs the notebook and demo extras and a Chromium (``make screenshots`` installs one).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[1]
# screenshot name -> the start of the cell whose HTML output it shows, and the window height
SHOTS = {"notebook-lineage": ("up = store.upstream", 760), "notebook-impact": ("store.impact(", 330),
         "notebook-listing": ("store.get_artifacts()", 520), "notebook-compare": ("store.compare_executions", 260)}
PAGE = ('<!doctype html><html><head><meta charset="utf-8"></head>'
        '<body style="margin:12px;background:#fff">{}</body></html>')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    nb = nbformat.read(ROOT / "examples" / "iris.ipynb", as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                resources={"metadata": {"path": tmp}}).execute()
        for name, (prefix, height) in SHOTS.items():
            cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(prefix))
            html = next(o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {}))
            page = Path(tmp) / f"{name}.html"
            page.write_text(PAGE.format(html), encoding="utf-8")
            target = args.out / f"{name}.png"
            subprocess.run([args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            f"--window-size=1000,{height}", f"--screenshot={target}", page.as_uri()],
                           check=True, capture_output=True, timeout=120)
            print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
