"""docs/limits.md shows the table of graphstore/limits.py exactly."""

from __future__ import annotations

from pathlib import Path

from graphstore.limits import LIMITS, markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "limits.md"


def test_the_doc_lists_every_limit_as_the_table_says() -> None:
    text = DOC.read_text()
    begin, end = "<!-- limits:begin -->\n", "\n<!-- limits:end -->"
    assert begin in text and end in text, "docs/limits.md lost its limits markers"
    shown = text.split(begin, 1)[1].split(end, 1)[0]
    assert shown == markdown_table(), ("docs/limits.md is out of date: paste "
                                       "graphstore.limits.markdown_table() between its markers")
    for key in LIMITS:
        assert f"`{key}`" in shown
