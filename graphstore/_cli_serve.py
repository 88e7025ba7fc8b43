"""``graphstore serve``: the HTTP service (graphstore.server) on uvicorn, over one store.

    graphstore serve                                   # ./graphstore.db on http://127.0.0.1:5000
    GRAPHSTORE_TOKEN=… graphstore serve --host 0.0.0.0 --port 5000 --uri bolt://db:7687

The token comes from ``GRAPHSTORE_TOKEN``, ``--token-file FILE`` or ``--token`` (asked on the
terminal), never from a value on the command line: arguments show in the process list. Binding
beyond loopback without a token is refused. SIGTERM (or Ctrl-C) stops accepting connections,
lets the requests in flight finish, then closes the store.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import ipaddress
import logging
import os
import signal
import sys
from typing import IO, Any

from ._install import pip_install
from .errors import EngineUnavailable, FailedPrecondition, InvalidArgument

__all__ = ["add_parser", "cmd_serve", "is_loopback"]

DEFAULT_PORT = 5000
GRACE_SECONDS = 30  # how long SIGTERM waits for requests in flight
_ASKED = object()  # `--token` given without a value: ask on the terminal


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve beyond this machine


def _need(module: str) -> Any:
    """Import a part of the server extra; missing, it is one line saying what to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = (exc.name or module).split(".")[0]
        raise FailedPrecondition(f"graphstore serve needs {package}: {pip_install('server')}") from None


def _token(args: argparse.Namespace) -> str | None:
    given = getattr(args, "token", None)
    if given is not None and given is not _ASKED:
        # argparse already has it; refuse rather than serve with a token every user of the
        # machine can read in /proc/PID/cmdline
        raise InvalidArgument("--token: a token on the command line shows in the process list; set "
                              "GRAPHSTORE_TOKEN, use --token-file FILE, or give --token alone to type it")
    sources = [name for name, on in (("--token", given is _ASKED), ("--token-file", args.token_file),
                                     ("GRAPHSTORE_TOKEN", bool(os.environ.get("GRAPHSTORE_TOKEN")))) if on]
    if len(sources) > 1:
        raise InvalidArgument(f"{sources[0]}: give the token one way, not also with {sources[1]}")
    if given is _ASKED:
        token = getpass.getpass("bearer token: ")
    elif args.token_file:
        try:
            with open(args.token_file, encoding="utf-8") as f:
                token = f.read().strip()
        except OSError as exc:
            raise InvalidArgument(f"--token-file: cannot read {args.token_file!r}: {exc.strerror or exc}") from None
    else:
        token = os.environ.get("GRAPHSTORE_TOKEN", "")
    if not sources:
        return None
    if not token or any(c.isspace() for c in token) or not token.isprintable():
        raise InvalidArgument(f"{sources[0]}: the token must be one word of printable characters")
    return token


def _logging(level: str) -> None:
    """JSON access lines on stdout (one per request); everything else on stderr."""
    access = logging.getLogger("graphstore.access")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def cmd_serve(args: argparse.Namespace, out: IO[str]) -> int:
    """Serve until SIGTERM or Ctrl-C; the store is opened (made if missing) and closed here."""
    from .cli import OK, open_store  # the CLI's own store handling

    server_mod, uvicorn = _need("graphstore.server"), _need("uvicorn")
    token = _token(args)
    if token is None and not is_loopback(args.host):
        raise FailedPrecondition(f"--host {args.host}: serving beyond this machine needs a token "
                                 "(GRAPHSTORE_TOKEN or --token-file); without one, bind 127.0.0.1")
    _logging(args.log_level)
    with open_store(args, create=True) as store:
        app = server_mod.create_app(store, token=token)
        config: Any = uvicorn.Config(app, host=args.host, port=args.port, log_config=None, access_log=False,
                                     log_level=args.log_level, timeout_graceful_shutdown=GRACE_SECONDS,
                                     server_header=False)
        server = uvicorn.Server(config)
        print(f"graphstore serving {store!r} on http://{args.host}:{args.port} "
              f"({'bearer token required' if token else 'no token: this machine only'}; Ctrl-C stops)",
              file=sys.stderr, flush=True)
        _serve(server)
    return OK


class _Stopped(Exception):
    """SIGTERM or SIGINT arrived and uvicorn finished its graceful shutdown."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped(signum)


def _serve(server: Any) -> None:
    """Run uvicorn until a signal: it drains the requests in flight, then re-raises the signal
    it caught, which ends here as a normal return (the caller closes the store)."""
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.run()
    except _Stopped:
        pass
    except SystemExit:  # uvicorn's way to fail at startup (e.g. the port is taken), logged above
        config = server.config
        raise EngineUnavailable(f"cannot serve on {config.host}:{config.port} (see the log above)") from None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def add_parser(command: Any) -> None:
    """Register ``serve`` with the CLI's subcommand factory."""
    p = command("serve", "run the HTTP service: OpenLineage intake, JSON API, web UI (needs the server extra)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; others need a token)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s)")
    p.add_argument("--token", nargs="?", const=_ASKED, default=None, metavar="",
                   help="require a bearer token, typed on the terminal (a value here is refused: the process "
                        "list shows arguments; use $GRAPHSTORE_TOKEN or --token-file)")
    p.add_argument("--token-file", metavar="FILE", help="require the bearer token held in FILE")
    p.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"),
                   help="server log level (access lines are info)")
    p.set_defaults(func=cmd_serve, store=False)
