"""``graphstore export FILE`` / ``graphstore import FILE``: move a namespace between stores.

Registered by graphstore.cli; the work is MetadataStore.export / import_file (graphstore._port).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from typing import IO

from ._cli_output import dump_json

__all__ = ["register"]


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Add the export and import subcommands (``command`` makes a subparser with the store options)."""
    p = command("export", "write this namespace (types, nodes, events, links) to a JSON Lines file")
    p.add_argument("file", metavar="FILE", help="the file to write (replaced whole, never left half written)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_export)

    p = command("import", "copy an export FILE into this namespace (which must hold no nodes yet)")
    p.add_argument("file", metavar="FILE", help="a file `graphstore export` wrote")
    p.add_argument("--map", metavar="MAP_FILE", help="also write the id map (file id -> new id, per kind) as JSON")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_import, create=True)


def _counts(counts: dict[str, int], out: IO[str]) -> None:
    for kind, n in counts.items():
        print(f"{kind:<16} {n:>10,}", file=out)


def cmd_export(store: object, args: argparse.Namespace, out: IO[str]) -> int:
    counts = store.export(args.file)  # type: ignore[attr-defined]
    if args.format == "json":
        dump_json({"file": args.file, "counts": counts}, out)
    else:
        _counts(counts, out)
    return 0


def cmd_import(store: object, args: argparse.Namespace, out: IO[str]) -> int:
    report = store.import_file(args.file)  # type: ignore[attr-defined]
    if args.map:
        with open(args.map, "w", encoding="utf-8") as f:
            dump_json(report.id_map, f)
    if args.format == "json":
        dump_json(dataclasses.asdict(report), out)
    else:
        _counts(report.counts, out)
        print(f"verified: counts and edges equal under the id map (namespace {report.namespace!r})", file=out)
    return 0
