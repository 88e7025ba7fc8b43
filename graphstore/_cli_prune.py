"""``graphstore prune``: retire old runs and artifacts, keeping what production depends on."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import IO

from ._cli_output import dump_json
from .errors import InvalidArgument
from .store import MetadataStore

__all__ = ["add_prune"]


def _moment(text: str) -> int:
    """ms since epoch, an ISO date/time (naive = UTC), or a span back from now: 90d, 12h."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    units = {"d": 86_400_000, "h": 3_600_000, "w": 7 * 86_400_000}
    if text[-1:] in units and text[:-1].isdigit():
        now = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
        return now - int(text[:-1]) * units[text[-1]]
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected ms since epoch, an ISO date or time, or a span like 90d, got {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return int(moment.timestamp() * 1000)


def _keep(text: str) -> int | str:
    """``artifact:12`` / ``a:12`` / ``12`` is an artifact id, anything else a type name."""
    ref = text.split(":", 1)[1] if text.lower().startswith(("artifact:", "a:")) else text
    return int(ref) if ref.isdigit() else text


def cmd_prune(store: MetadataStore, args: argparse.Namespace, out: IO[str]) -> int:
    if not args.keep and not args.keep_filter and not args.dry_run and not args.force:
        raise InvalidArgument("prune: nothing named to keep (--keep TYPE or artifact:ID, "
                              "--keep-filter); only recent and quarantined runs would stay. "
                              "Check with --dry-run, then give --force")
    report = store.prune(args.before, keep=args.keep, keep_filter=args.keep_filter,
                         include_quarantined=args.include_quarantined, dry_run=args.dry_run,
                         batch_size=args.batch_size)
    if args.format == "json":
        dump_json(report.as_dict(), out)
        return 0
    when = dt.datetime.fromtimestamp(report.before / 1000, dt.timezone.utc).isoformat(timespec="seconds")
    verb = "would delete" if report.dry_run else "deleted"
    print(f"{verb} {report.total} nodes last updated before {when} "
          f"(kept lineage: {report.kept['artifact']} artifacts, {report.kept['execution']} executions)",
          file=out)
    for kind in ("execution", "artifact"):
        for name, count in sorted(report.counts[kind].items()):
            print(f"  {kind:<10} {name:<30} {count}", file=out)
    if report.dry_run and report.total:
        ids = {"executions": report.executions, "artifacts": report.artifacts}
        for noun, values in ids.items():
            if values:
                shown = ", ".join(map(str, values[:20])) + (" …" if len(values) > 20 else "")
                print(f"  {noun}: {shown}", file=out)
    return 0


def add_prune(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Register ``prune`` with the CLI's subcommand factory."""
    p = command("prune", "delete runs and artifacts older than --before that nothing kept depends on")
    p.add_argument("--before", type=_moment, required=True, metavar="TIME",
                   help="cut-off: ms since epoch, ISO date/time (UTC unless given), or 90d / 12h / 4w ago")
    p.add_argument("--keep", action="append", type=_keep, default=[], metavar="TYPE|artifact:ID",
                   help="keep the lineage of every LIVE artifact of TYPE, or of this artifact (repeatable)")
    p.add_argument("--keep-filter", metavar="QUERY", help="keep the lineage of the artifacts matching this filter")
    p.add_argument("--include-quarantined", action="store_true",
                   help="also delete quarantined nodes (kept by default)")
    p.add_argument("--batch-size", type=int, default=1000, help="nodes per transaction (default 1000)")
    p.add_argument("--dry-run", action="store_true", help="report what would go; delete nothing")
    p.add_argument("--force", action="store_true", help="prune although nothing is named to keep")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_prune, writes=True)
