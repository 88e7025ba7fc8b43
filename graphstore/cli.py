"""The ``graphstore`` command: a thin shell over the public API.

    graphstore demo                                   # the Iris pipeline into ./graphstore.db
    graphstore ls artifacts --type Model
    graphstore show artifact:3
    graphstore lineage artifact:5 --up --format html -o lineage.html
    graphstore impact artifact:2 --mark "label leak"
    graphstore compare execution:3 execution:9
    graphstore delete artifact:4 --yes
    graphstore stats
    graphstore prune --before 90d --keep Model --dry-run
    graphstore browser --serve                        # Neo4j Browser style and guide
    graphstore serve --port 5000                      # the HTTP service (docs/server.md)

The store comes from ``--uri`` or ``GRAPHSTORE_URI`` (default: ``./graphstore.db``, embedded),
with ``--user/--password/--database`` or ``GRAPHSTORE_USER/_PASSWORD/_DATABASE``. Errors are
one line on stderr; the exit status says what happened (see EXIT_CODES).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import importlib.metadata
import inspect
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from . import __version__, _browser, _cli_completion, _cli_demo, _cli_edit, _cli_port, _cli_serve
from ._cli_output import Progress, add_format, dump_json
from ._cli_prune import add_prune
from ._cli_query import KINDS, cmd_impact, cmd_lineage, cmd_ls, cmd_show, cmd_stats
from ._install import pip_install
from ._redact import redact
from .errors import (
    AlreadyExists,
    EngineUnavailable,
    FailedPrecondition,
    GraphstoreError,
    InvalidArgument,
    NotFound,
)
from .render import FORMATS
from .store import MetadataStore

__all__ = ["DEFAULT_STORE", "EXIT_CODES", "main"]

DEFAULT_STORE = "graphstore.db"
OK, NOT_FOUND, USAGE, UNAVAILABLE, REFUSED, FAILED, BUG, INTERRUPTED = 0, 1, 2, 3, 4, 5, 70, 130
EXIT_CODES = {
    OK: "success",
    NOT_FOUND: "not found, or an empty answer (no matching nodes, no lineage, nothing downstream)",
    USAGE: "usage error or invalid argument (bad option, id, filter query, a store path that is not a "
           "graphstore store, an output file that cannot be written)",
    UNAVAILABLE: "store or file unavailable (no such store file, an OS error on a file, Neo4j unreachable "
                 "or refused the login)",
    REFUSED: "refused: a precondition failed or the thing exists already (e.g. a missing extra; delete "
             "not confirmed, or without --yes off a terminal)",
    FAILED: "any other graphstore error",
    BUG: "internal error (a bug: please report it with the traceback printed)",
    INTERRUPTED: "interrupted (Ctrl-C)",
}


def exit_code(exc: GraphstoreError) -> int:
    """The exit status for a graphstore error."""
    for kind, code in ((NotFound, NOT_FOUND), (InvalidArgument, USAGE), (EngineUnavailable, UNAVAILABLE),
                       ((FailedPrecondition, AlreadyExists), REFUSED)):
        if isinstance(exc, kind):
            return code
    return FAILED


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (and exit 2), like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# -- opening the store --------------------------------------------------------------------------

def _setting(args: argparse.Namespace, name: str) -> str | None:
    value: str | None = getattr(args, name, None) or os.environ.get(f"GRAPHSTORE_{name.upper()}") or None
    return value


def store_uri(args: argparse.Namespace) -> str:
    return _setting(args, "uri") or DEFAULT_STORE


def read_only(args: argparse.Namespace) -> bool:
    """True for the commands that only look: they open the store read-only."""
    if getattr(args, "writes", False):  # commands of their own modules that write (prune, delete)
        return bool(getattr(args, "dry_run", False))
    return not (getattr(args, "mark", None) is not None or getattr(args, "unmark", False))


def store_path(uri: str) -> str | None:
    """The file of an embedded store (or ``:memory:``); None for a server."""
    return uri[len("sqlite://"):] if uri.startswith("sqlite://") else None if "://" in uri else uri


def open_store(args: argparse.Namespace, *, create: bool = False) -> MetadataStore:
    """The store the options name: writable with ``create`` (a missing file is made), else
    read-only unless the command writes (``impact --mark``, ``delete``); the file must then exist."""
    uri = store_uri(args)
    path = store_path(uri)
    if path and path != ":memory:" and not create and not os.path.lexists(path):
        raise EngineUnavailable(f"no store at {path}: `graphstore demo` makes one there, or point "
                                "--uri / GRAPHSTORE_URI at yours")
    return MetadataStore(uri, user=_setting(args, "user"), password=_setting(args, "password"),
                         database=_setting(args, "database"), read_only=not create and read_only(args),
                         namespace=_setting(args, "namespace"))


# -- commands that are not queries ----------------------------------------------------------------

def _optional(module: str, what: str, extra: str) -> Any:
    """Import an optional part; a missing module or dependency is FailedPrecondition (exit 4)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise FailedPrecondition(f"{what} is not part of this installation ({module} is missing)") from None
        raise FailedPrecondition(f"{what} needs {exc.name or exc}: {pip_install(extra)}") from None


def _importer() -> Any:
    """graphstore's MLMD import function, wherever the compatibility layer puts it."""
    for name in ("graphstore.mlmd", "graphstore.mlmd.importer", "graphstore.mlmd_import"):
        try:
            found = getattr(_optional(name, "the MLMD import", "mlmd"), "import_mlmd", None)
        except FailedPrecondition as exc:
            if "is not part of this installation" not in str(exc):
                raise
            continue
        if callable(found):
            return found
    raise FailedPrecondition("import-mlmd needs graphstore's MLMD compatibility layer with import_mlmd(), "
                             "which this installation does not have")


def cmd_demo(args: argparse.Namespace, out: IO[str]) -> int:
    demo = _optional("graphstore.demo_iris", "the Iris demo", "demo")
    uri = store_uri(args)
    path = store_path(uri)
    # the files stay next to the store (their artifacts' URIs point there), unless told otherwise
    files = Path(args.workdir) if args.workdir else _cli_demo.files_dir(path)
    with open_store(args, create=True) as store:
        before = demo.run_names(store)
        try:
            demo.run_demo(store, out=lambda line: print(line, file=out), workdir=files)
        except OSError as exc:
            if files is None or exc.filename is None or not str(exc.filename).startswith(str(files)):
                raise
            option = "--workdir" if args.workdir else "the demo's files folder"
            raise InvalidArgument(f"{option}: cannot write {str(exc.filename)!r}: {exc.strerror or exc}") from None
        _cli_demo.report(store, out, uri=uri, given_uri=getattr(args, "uri", None), store_path=path, files=files,
                         before=before, after=demo.run_names(store), pipeline=demo.PIPELINE)
    return OK


def cmd_import_mlmd(args: argparse.Namespace, out: IO[str]) -> int:
    importer = _importer()
    with open_store(args, create=True) as store, Progress("importing") as progress:
        accepted = inspect.signature(importer).parameters
        options: dict[str, Any] = {}
        if "progress" in accepted:  # called as progress(stage, done, total)
            options["progress"] = lambda stage, done, total: progress.update(done, total, f"importing {stage}")
        if args.batch_size and "batch_size" in accepted:
            options["batch_size"] = args.batch_size
        try:
            result = importer(args.source, store, **options)
        except ImportError as exc:
            raise FailedPrecondition(f"import-mlmd needs ml-metadata: {pip_install('mlmd')} ({exc})") from None
    if result is not None and args.format == "json":
        dump = getattr(result, "model_dump", None)
        dump_json(dump(mode="json") if callable(dump) else dataclasses.asdict(result)
                  if dataclasses.is_dataclass(result) and not isinstance(result, type) else result, out)
    elif result is not None:
        print(result, file=out)
    return OK


def cmd_browser(args: argparse.Namespace, out: IO[str]) -> int:
    if args.print:
        text = {"style": _browser.grass(), "style-json": _browser.style_json() + "\n", "conf": _browser.neo4j_conf(),
                "guide": _browser.guide(f"http://localhost:{args.port}")}[args.print]
        out.write(text)
        return OK
    uri = store_uri(args)
    base = f"http://localhost:{args.port}"
    url = _browser.browser_url(uri, args.http_port, _setting(args, "user"))
    lines = [f"Neo4j Browser  {url}" if url else
             f"Neo4j Browser  your store ({uri}) is embedded; Browser needs a Neo4j store: --uri bolt://HOST:7687",
             "  e.g. docker run -p 7474:7474 -p 7687:7687 -e NEO4J_AUTH=neo4j/<password> neo4j:5.26-community",
             "  (in graphstore's repository, `docker compose up -d` or `make neo4j` start one with the style)",
             "Style          applied on connect when neo4j.conf has the lines of `graphstore browser --print conf`",
             "               (browser.post_connect_cmd). Otherwise, with `graphstore browser --serve` running:",
             f"                 :style {base}/graphstore.grass",
             "Guide          ready queries (lineage of a model, impact of a dataset, runs, failures, quarantine);",
             "               with `graphstore browser --serve` running:",
             f"                 :guide {base}/guide.html",
             "               Browser only fetches from hosts in browser.remote_content_hostname_whitelist;",
             "               localhost is there by default (and in graphstore's settings).",
             f"Files          {_browser.asset('graphstore.grass')}, guide.html, neo4j.conf"]
    out.write("\n".join(lines) + "\n")
    if not args.serve:
        return OK
    try:
        server = _browser.GuideServer(args.host, args.port, verbose=True)
    except OSError as exc:
        raise EngineUnavailable(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    print(f"\nServing {server.url}/graphstore.grass and {server.url}/guide.html (Ctrl-C stops)", file=out, flush=True)
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return OK


# -- the parser ---------------------------------------------------------------------------------

def _kind(text: str) -> str:
    value = text.lower().rstrip("s")
    if value not in KINDS:
        raise argparse.ArgumentTypeError(f"{text!r} is not artifacts, executions or contexts")
    return value


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a non-negative number, got {text!r}")
    return int(text)


def version() -> str:
    """The installed distribution's version (graphstore-lineage), else the package's."""
    try:
        return importlib.metadata.version("graphstore-lineage")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree without installing
        return __version__


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    conn = common.add_argument_group("store")
    conn.add_argument("--uri", default=argparse.SUPPRESS,
                      help=f"store: a file (embedded SQLite), bolt:// or neo4j:// URI "
                           f"(default: $GRAPHSTORE_URI, else ./{DEFAULT_STORE})")
    conn.add_argument("--user", default=argparse.SUPPRESS, help="Neo4j user (default: $GRAPHSTORE_USER)")
    conn.add_argument("--password", default=argparse.SUPPRESS,
                      help="Neo4j password (default: $GRAPHSTORE_PASSWORD, the better way: arguments show in "
                           "the process list)")
    conn.add_argument("--database", default=argparse.SUPPRESS, help="Neo4j database (default: $GRAPHSTORE_DATABASE)")
    conn.add_argument("--namespace", default=argparse.SUPPRESS,
                      help="the namespace inside the store (default: $GRAPHSTORE_NAMESPACE, else 'default')")
    codes = "\n".join(f"  {code:<4} {text}" for code, text in EXIT_CODES.items())
    parser = _Parser(prog="graphstore", parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter,
                     description="Look into a graphstore lineage store: list, show, trace lineage and impact.",
                     epilog=f"node references: artifact:12 (or a:12, or just 12), execution:7 (e:7), "
                            f"context:3 (c:3),\n  or KIND:TYPE/NAME such as context:PipelineRun/run-1\n\n"
                            f"exit status:\n{codes}")
    parser.add_argument("--version", action="version", version=f"graphstore {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help_text, description=help_text)

    p = command("demo", "run the Iris pipeline demo into the store (default ./graphstore.db)")
    p.add_argument("--workdir", help="where the pipeline writes its files (default: STORE-demo-files next to "
                                     "a store file, else ./graphstore-demo-files)")
    p.set_defaults(func=cmd_demo, store=False)

    p = command("ls", "list artifacts, executions or contexts")
    p.add_argument("kind", type=_kind, metavar="{artifacts,executions,contexts}")
    p.add_argument("--type", help="only this type (name)")
    p.add_argument("--filter", metavar="QUERY", help="MLMD filter query, e.g. \"uri LIKE '/data/%%'\"")
    p.add_argument("--limit", type=_count, default=100, help="at most N rows (default 100; 0 = all)")
    add_format(p, "text", "json", "refs", help_text="a table, JSON, or one reference a line")
    p.set_defaults(func=cmd_ls)

    p = command("show", "one artifact, execution or context with its properties, events and contexts")
    p.add_argument("ref", metavar="REF", help="artifact:12, execution:7, context:3, context:TYPE/NAME, …")
    p.add_argument("--limit", type=_count, default=20, help="members listed per section of a context (default 20)")
    add_format(p, "text", "json")
    p.set_defaults(func=cmd_show)

    p = command("lineage", "what a node was made from (--up), what was made from it (--down), or both")
    p.add_argument("ref", metavar="REF", help="artifact:12 or execution:7")
    way = p.add_mutually_exclusive_group()
    way.add_argument("--up", action="store_true", help="upstream only")
    way.add_argument("--down", action="store_true", help="downstream only")
    p.add_argument("--hops", type=_count, help="stop after N event edges (default: no limit)")
    add_format(p, "text", "json", "refs", *FORMATS, default=None,
               help_text="a table, JSON, one reference a line, or a picture: Graphviz dot, Mermaid, "
                         "self-contained HTML")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (html on a terminal goes to "
                                                          "lineage-KIND-ID.html unless given)")
    p.add_argument("--open", action="store_true", help="write the HTML page (to -o FILE, else a temporary "
                                                       "file) and open it in the web browser ($BROWSER)")
    p.set_defaults(func=cmd_lineage)

    p = command("impact", "everything downstream of bad artifacts; --mark quarantines it")
    p.add_argument("refs", nargs="*", metavar="REF", help="artifact:12 … (the bad data)")
    p.add_argument("--filter", metavar="QUERY", help="also the artifacts matching this filter query")
    p.add_argument("--created-after", metavar="TIME", help="only nodes created after (ms since epoch or ISO time)")
    mark = p.add_mutually_exclusive_group()
    mark.add_argument("--mark", metavar="REASON", help="quarantine the roots and everything downstream")
    mark.add_argument("--unmark", action="store_true", help="remove the quarantine of these roots (all without REF)")
    add_format(p, "text", "json", "refs")
    p.set_defaults(func=cmd_impact)

    p = command("stats", "counts by kind, type and state; events; quarantined nodes")
    add_format(p, "text", "json")
    p.set_defaults(func=cmd_stats)

    add_prune(command)

    p = command("browser", "how to open Neo4j Browser with graphstore's style and guide (--serve serves them)")
    p.add_argument("--serve", action="store_true", help="serve the style and the guide for Browser (Ctrl-C stops)")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    p.add_argument("--port", type=_count, default=_browser.DEFAULT_PORT, help="port (default %(default)s)")
    p.add_argument("--http-port", type=_count, default=7474, help="Neo4j's HTTP port for the Browser link")
    p.add_argument("--print", choices=("style", "style-json", "conf", "guide"),
                   help="print the GraSS style, the style as JSON, the neo4j.conf settings, or the guide")
    p.set_defaults(func=cmd_browser, store=False)

    p = command("import-mlmd", "copy an MLMD store (SQLite file or MySQL connection) into this store")
    p.add_argument("source", metavar="CONNECTION", help="MLMD SQLite file, or a MySQL connection")
    p.add_argument("--batch-size", type=_count, help="nodes per transaction")
    add_format(p, "text", "json")
    p.set_defaults(func=cmd_import_mlmd, store=False)

    # commands in modules of their own
    _cli_serve.add_parser(command)
    _cli_edit.add_commands(command)
    _cli_completion.add_commands(command, build_parser)
    _cli_port.register(command)
    return parser


def _fail(message: str) -> None:
    sys.stderr.write("graphstore: " + " ".join(redact(message).split()) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    out = sys.stdout
    try:
        if getattr(args, "store", True) is False:
            code = int(args.func(args, out))
        else:
            with open_store(args, create=getattr(args, "create", False)) as store:
                code = int(args.func(store, args, out))
        out.flush()  # a full disk or closed pipe is reported here, not at interpreter exit
        return code
    except GraphstoreError as exc:
        code = exit_code(exc)
        _fail(f"{'not found' if code == NOT_FOUND else 'error'}: {exc}")
        return code
    except KeyboardInterrupt:
        _fail("interrupted")
        return INTERRUPTED
    except BrokenPipeError:  # e.g. `graphstore ls artifacts | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return OK
    except OSError as exc:  # the OS refused a file or a stream (e.g. stdout on a full disk)
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"error: {where}{exc.strerror or exc}")
        return UNAVAILABLE
    except Exception as exc:  # a bug: keep the traceback (redacted: it may show arguments), say so
        sys.stderr.write(redact("".join(traceback.format_exception(exc))))
        _fail(f"internal error: {type(exc).__name__}: {exc}")
        return BUG


if __name__ == "__main__":
    sys.exit(main())
