"""Terminal output for the CLI: aligned tables, record formatting, JSON, and a progress line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import webbrowser
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from .analysis import QUARANTINE_REASON
from .errors import InvalidArgument
from .models import Artifact, Context, Execution

__all__ = ["FORMAT_ALIASES", "Progress", "add_format", "describe", "dump_json", "open_in_browser", "record_json",
           "ref_of", "state_of", "table", "when", "write_file"]

Node = Artifact | Execution | Context


def table(rows: Sequence[Sequence[Any]], out: IO[str], *, header: Sequence[str] | None = None,
          indent: str = "") -> None:
    """Left-aligned columns separated by two spaces; None prints as empty."""
    cells = [[("" if c is None else str(c)) for c in r] for r in ([header] if header else []) + list(rows)]
    if not cells:
        return
    widths = [max(len(r[i]) for r in cells if i < len(r)) for i in range(max(map(len, cells)))]
    for r in cells:
        out.write((indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False))).rstrip() + "\n")


def when(ms: int | None) -> str:
    """Milliseconds since the epoch as local time, to the second."""
    return "" if ms is None else datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def kind_of(node: Node) -> str:
    return "artifact" if isinstance(node, Artifact) else "execution" if isinstance(node, Execution) else "context"


def ref_of(node: Node) -> str:
    """``artifact:12`` — the form every command accepts back."""
    return f"{kind_of(node)}:{node.id}"


def state_of(node: Node) -> str:
    state = (node.state.name if isinstance(node, Artifact) else
             node.last_known_state.name if isinstance(node, Execution) else "")
    if QUARANTINE_REASON in node.custom_properties:
        state = f"{state}, quarantined" if state else "quarantined"
    return state


def describe(node: Node, width: int = 48) -> str:
    """A short human detail: the name, else the file name of the uri."""
    text = node.name or (PurePosixPath(node.uri).name if isinstance(node, Artifact) and node.uri else "")
    return text if len(text) <= width else text[: width - 1] + "…"


def record_json(node: Node) -> dict[str, Any]:
    """A record as JSON-ready data, with enum values by name and its ``ref``."""
    data = node.model_dump(mode="json", exclude_none=True)
    if isinstance(node, Artifact):
        data["state"] = node.state.name
    elif isinstance(node, Execution):
        data["last_known_state"] = node.last_known_state.name
    return {"ref": ref_of(node), **data}


def dump_json(value: Any, out: IO[str]) -> None:
    json.dump(value, out, indent=2, ensure_ascii=False, default=str)
    out.write("\n")


def write_file(path: str, text: str, option: str) -> None:
    """Write an output file; an OS error (no such directory, no permission, disk full) is
    InvalidArgument naming the option and the path (exit 2), not a traceback."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidArgument(f"{option}: cannot write {path!r}: {exc.strerror or exc}") from None


# One vocabulary for --format on every command: text (for people) and json (for programs)
# everywhere, refs (one node reference a line, for pipes) where a command lists nodes, pictures
# for lineage. Older spellings keep working.
FORMAT_ALIASES = {"table": "text"}


def add_format(parser: argparse.ArgumentParser, *choices: str, default: str | None = "text",
               help_text: str | None = None) -> None:
    """Add ``--format`` with these choices (first ``text``, ``json``, …) and the aliases."""
    def normalized(text: str) -> str:
        return FORMAT_ALIASES.get(text.lower(), text.lower())
    aliases = [f"{old} = {new}" for old, new in FORMAT_ALIASES.items() if new in choices]
    parser.add_argument("--format", type=normalized, choices=choices, default=default,
                        help=(help_text or "output format") + f" (default {default or 'text'}"
                             + (f"; {', '.join(aliases)}" if aliases else "") + ")")


def open_in_browser(path: str) -> bool:
    """Open a local file in the user's web browser ($BROWSER first); False when none is known."""
    return webbrowser.open(Path(path).resolve().as_uri())


class Progress:
    """A one-line progress indicator on stderr, shown only on a terminal (or with
    ``GRAPHSTORE_PROGRESS=1``; ``=0`` hides it). Redrawn at most ten times a second."""

    def __init__(self, label: str, total: int | None = None, stream: IO[str] | None = None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        setting = os.environ.get("GRAPHSTORE_PROGRESS")
        self.enabled = setting == "1" or (setting != "0" and self.stream.isatty())
        self._last = 0.0
        self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def advance(self, n: int = 1) -> None:
        self.update(self.done + n)

    def update(self, done: int, total: int | None = None, label: str | None = None) -> None:
        self.done = done
        self.total = total if total is not None else self.total
        self.label = label or self.label
        now = time.monotonic()
        if self.enabled and now - self._last >= 0.1:
            self._last = now
            self._draw()

    def _draw(self) -> None:
        if self.total:
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 24)
            text = f"{self.label}  [{bar:<24}] {self.done:,}/{self.total:,}"
        else:
            text = f"{self.label} … {self.done:,}"
        self.stream.write("\r" + text[:120] + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False


def iterate(items: Iterable[Any], progress: Progress) -> Iterable[Any]:
    """Yield ``items`` while counting them on ``progress``."""
    for item in items:
        yield item
        progress.advance()
