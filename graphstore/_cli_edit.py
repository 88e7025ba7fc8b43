"""The CLI's compare and delete commands.

``compare A B`` shows how two artifacts or two executions of one type differ
(``store.compare_artifacts`` / ``compare_executions``); ``delete REF…`` deletes nodes with their
events and links (``store.delete_*``), after showing them and asking — or at once with ``--yes``.
"""

from __future__ import annotations

import argparse
import enum
import sys
from collections.abc import Callable
from typing import IO, Any

from ._cli_output import Node, add_format, describe, dump_json, record_json, ref_of, state_of, table
from ._cli_query import parse_ref, resolve
from .analysis import Comparison
from .errors import FailedPrecondition, InvalidArgument
from .models import Artifact, Context
from .store import MetadataStore

__all__ = ["add_commands", "cmd_compare", "cmd_delete"]

Command = Callable[[str, str], argparse.ArgumentParser]


def add_commands(command: Command) -> None:
    """Register ``compare`` and ``delete`` through cli.py's ``command(name, help)``."""
    p = command("compare", "how two artifacts or two executions of one type differ: properties and "
                           "upstream lineage")
    p.add_argument("left", metavar="A", help="artifact:12 or execution:7")
    p.add_argument("right", metavar="B", help="a node of the same kind and type as A")
    add_format(p, "text", "json")
    p.set_defaults(func=cmd_compare)

    p = command("delete", "delete artifacts, executions or contexts with their events and links "
                          "(asks first, unless --yes)")
    p.add_argument("refs", nargs="+", metavar="REF", help="artifact:12, execution:7, context:3, …")
    p.add_argument("-y", "--yes", action="store_true", help="delete without asking")
    add_format(p, "text", "json")
    p.set_defaults(func=cmd_delete, writes=True)


# -- compare ------------------------------------------------------------------------------------

def _refs(kind: str, ids: list[int]) -> str:
    return ", ".join(f"{kind}:{i}" for i in ids) or "-"


def _shown(value: Any) -> str:
    return "(none)" if value is None else value.name if isinstance(value, enum.Enum) else str(value)


def _comparison_text(left: Node, right: Node, result: Comparison, out: IO[str]) -> None:
    a, b = ref_of(left), ref_of(right)
    out.write(f"{a} ({describe(left) or left.type}) vs {b} ({describe(right) or right.type}), type {left.type}\n")
    if result.properties:
        out.write("\nproperties\n")
        table([[d.field, _shown(d.left), _shown(d.right)] for d in result.properties], out,
              header=["field", a, b], indent="  ")
    if result.lineage:
        out.write("\nupstream artifacts not shared\n")
        table([[d.depth, d.type or "", _refs("artifact", d.only_left), _refs("artifact", d.only_right)]
               for d in result.lineage], out, header=["hops", "type", f"only {a}", f"only {b}"], indent="  ")
    if not result.properties and not result.lineage:
        out.write("\nno differences in properties or upstream lineage\n")
    out.write(f"\nshared upstream: {_refs('artifact', result.shared_upstream)}\n")


def cmd_compare(store: MetadataStore, args: argparse.Namespace, out: IO[str]) -> int:
    refs = [parse_ref(args.left), parse_ref(args.right)]
    for ref in refs:
        if ref.kind == "context":
            raise InvalidArgument(f"{ref}: compare takes two artifacts or two executions, not contexts")
    if refs[0].kind != refs[1].kind:
        raise InvalidArgument(f"compare: {refs[0]} and {refs[1]} are not of one kind")
    left, right = (resolve(store, r) for r in refs)
    assert left.id is not None and right.id is not None
    compare = store.compare_artifacts if refs[0].kind == "artifact" else store.compare_executions
    result = compare(left.id, right.id)
    if args.format == "json":
        dump_json({"left": record_json(left), "right": record_json(right),
                   **result.model_dump(mode="json", exclude={"left", "right"})}, out)
    else:
        _comparison_text(left, right, result, out)
    return 0


# -- delete ---------------------------------------------------------------------------------------

def _plan(store: MetadataStore, nodes: list[Node]) -> list[list[Any]]:
    """One row per node: what it is and what goes with it."""
    rows = []
    for node in nodes:
        assert node.id is not None
        if isinstance(node, Context):
            members = (len(store.get_artifacts_by_context(node.id)), len(store.get_executions_by_context(node.id)))
            links = f"its links to {members[0]} artifacts and {members[1]} executions (they stay)"
        else:
            events = (store.get_events_by_artifact_ids([node.id]) if isinstance(node, Artifact)
                      else store.get_events_by_execution_ids([node.id]))
            links = f"{len(events)} events"
        rows.append([ref_of(node), node.type, state_of(node), describe(node), links])
    return rows


def _confirmed(count: int) -> bool:
    """Ask on a terminal; anything but y/yes is no."""
    sys.stderr.write(f"delete these {count} nodes? [y/N] ")
    sys.stderr.flush()
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def cmd_delete(store: MetadataStore, args: argparse.Namespace, out: IO[str]) -> int:
    # resolve every reference first: an unknown one is NotFound (exit 1) before anything goes
    nodes = list({ref_of(n): n for n in (resolve(store, parse_ref(r)) for r in args.refs)}.values())
    if not args.yes:
        rows = _plan(store, nodes)
        if args.format == "json":
            dump_json({"would_delete": [record_json(n) for n in nodes]}, out)
        else:
            out.write(f"would delete {len(nodes)} nodes, with their events and links:\n")
            table([[*r[:4], f"with {r[4]}"] for r in rows], out, indent="  ")
        out.flush()
        if not sys.stdin.isatty():
            raise FailedPrecondition("delete: not on a terminal, so not asking: give --yes to delete "
                                     "(nothing was deleted)")
        if not _confirmed(len(nodes)):
            raise FailedPrecondition("delete: not confirmed (nothing was deleted)")
    deleters: dict[str, Callable[[list[int]], int]] = {
        "execution": store.delete_executions, "artifact": store.delete_artifacts, "context": store.delete_contexts}
    counts: dict[str, int] = {}
    for kind, delete in deleters.items():
        ids = [int(n.id or 0) for n in nodes if ref_of(n).startswith(kind + ":")]
        if ids:  # one transaction per kind (the store's delete_* calls)
            counts[kind + "s"] = delete(ids)
    if args.format == "json":
        dump_json({"deleted": [ref_of(n) for n in nodes], "counts": counts}, out)
    else:
        done = (f"{n} {kind if n != 1 else kind[:-1]}" for kind, n in counts.items())
        out.write("deleted " + ", ".join(done) + "\n")
    return 0
