"""examples/iris.ipynb runs from top to bottom (nbclient, a real kernel) and its results render
as HTML, so the example cannot rot. The committed file keeps no outputs (clean diffs)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).parents[2] / "examples" / "iris.ipynb"

nbformat = pytest.importorskip("nbformat", reason="the notebook extra is not installed")
nbclient = pytest.importorskip("nbclient", reason="the notebook extra is not installed")
pytest.importorskip("sklearn", reason="the demo extra is not installed")


def test_committed_notebook_has_no_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_iris_notebook_runs_and_renders(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # an error in any cell raises CellExecutionError naming the cell
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    html = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if "text/html" in o.get("data", {})]
    rendered = "\n".join(html)
    assert rendered.count('class="gs-nb"') >= 8  # step, listing, page, lineage, graph, compares, impact
    assert "upstream lineage of artifact:" in rendered and "<svg" in rendered
    assert "Impact of artifact #" in rendered and 'class="gs-q"' in rendered  # quarantined, in red
    assert "<code>max_depth</code>" in rendered  # the comparison of run 1 and run 3's training
