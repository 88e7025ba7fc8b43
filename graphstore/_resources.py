"""Finds the reviewed Cypher files: packaged in the wheel, or beside the package in a checkout."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

__all__ = ["cypher_dir", "cypher_statements", "schema_cypher"]


def cypher_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "cypher", here.parent / "cypher"):
        if (candidate / "statements.cypher").is_file():
            return candidate
    raise FileNotFoundError("graphstore's cypher/ folder is missing from this installation")


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


@cache
def cypher_statements() -> dict[str, str]:
    """``// name: X`` blocks of statements.cypher, comments removed, without the final ';'."""
    text = (cypher_dir() / "statements.cypher").read_text()
    out: dict[str, str] = {}
    for match in re.finditer(r"^// name: (\w+)\n(.*?)(?=^// name: |\Z)", text, re.S | re.M):
        out[match.group(1)] = _strip_comments(match.group(2)).strip().rstrip(";").strip()
    return out


@cache
def schema_cypher() -> list[str]:
    """The statements of schema.cypher, in order."""
    text = _strip_comments((cypher_dir() / "schema.cypher").read_text())
    return [s.strip() for s in text.split(";") if s.strip()]
