"""Neo4j Browser support: graphstore's GraSS style and guide (cypher/browser/), and a tiny server.

Neo4j serves only Browser itself, not other files, and Browser fetches remote styles and guides
with cross-origin requests from hosts in ``browser.remote_content_hostname_whitelist``. So:

- the style also goes inline, as JSON, into ``browser.post_connect_cmd`` (``cypher/browser/
  neo4j.conf``, used by tools/neo4j/launcher.py and mirrored in docker-compose.yml): Browser
  applies it on every connect, with no server of ours running;
- the guide (and the style, for other servers) is served by ``graphstore browser --serve``
  with CORS headers, for ``:guide http://localhost:8765/guide.html``.
"""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from ._resources import cypher_dir

__all__ = ["DEFAULT_PORT", "GuideServer", "browser_url", "grass", "guide", "neo4j_conf",
           "parse_grass", "post_connect_cmd", "style_json"]

DEFAULT_PORT = 8765
WHITELIST = "localhost,127.0.0.1"


def asset(name: str) -> Path:
    """A file of cypher/browser/ (packaged in the wheel, or beside the package in a checkout)."""
    return cypher_dir() / "browser" / name


def grass() -> str:
    """The GraSS stylesheet text."""
    return asset("graphstore.grass").read_text(encoding="utf-8")


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """GraSS → ``{selector: {property: value}}``, read the way Neo4j Browser reads it (quotes
    are dropped, braces inside them kept, one ``name: value`` per ``;``)."""
    rules: dict[str, str] = {}
    keyword, props = "", ""
    in_string = in_props = in_binding = False
    for c in text:
        if c in "'\"":
            in_string = not in_string
            continue
        if c == "{" and not in_string:
            if in_props:
                in_binding = True
            else:
                in_props = True
                continue
        elif c == "}" and not in_string:
            if in_binding:
                in_binding = False
            else:
                in_props = False
                rules[keyword] = props
                keyword, props = "", ""
                continue
        if in_props:
            props += c
        elif not c.isspace():
            keyword += c
    out: dict[str, dict[str, str]] = {}
    for selector, body in rules.items():
        pairs = [p.split(":") for p in body.split(";")]
        out[selector] = {p[0].strip(): p[1].strip() for p in pairs if len(p) == 2}
    return out


def style_json() -> str:
    """The style as one line of JSON (Browser's ``:style`` takes JSON as well as GraSS)."""
    return json.dumps(parse_grass(grass()), separators=(",", ":"))


def post_connect_cmd() -> str:
    """The ``browser.post_connect_cmd`` value that applies the style on connect (no ';' inside)."""
    return "style " + style_json()


def neo4j_conf() -> str:
    """The settings tools/neo4j/launcher.py appends to neo4j.conf (cypher/browser/neo4j.conf)."""
    return ("# graphstore's Neo4j Browser settings, generated from graphstore.grass by\n"
            "#   graphstore browser --print conf > cypher/browser/neo4j.conf\n"
            "# tools/neo4j/launcher.py adds them to neo4j.conf; docker-compose.yml sets the same.\n"
            f"browser.post_connect_cmd={post_connect_cmd()}\n"
            f"browser.remote_content_hostname_whitelist={WHITELIST}\n")


def guide(base: str) -> str:
    """The Browser guide (HTML slides), its links pointing at ``base`` (where it is served)."""
    return asset("guide.html").read_text(encoding="utf-8").replace("{{BASE}}", base.rstrip("/"))


def browser_url(uri: str | None, http_port: int = 7474, user: str | None = None) -> str | None:
    """Browser's address for a Bolt/Neo4j URI (the HTTP port is a guess), with the connect
    URL filled in; None for an embedded store."""
    if not uri or "://" not in uri or uri.startswith("sqlite:"):
        return None
    parts = urlsplit(uri)
    host = parts.hostname or "localhost"
    scheme = "https" if parts.scheme.endswith(("+s", "+ssc")) else "http"
    login = f"{user or parts.username or 'neo4j'}@"
    dbms = f"{parts.scheme}://{login}{host}:{parts.port or 7687}"
    return f"{scheme}://{host}:{http_port}/browser/?dbms={dbms}"


class _Handler(BaseHTTPRequestHandler):
    server_version = "graphstore-browser"

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers",
                         self.headers.get("Access-Control-Request-Headers") or "*")
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_OPTIONS(self) -> None:
        self._send(HTTPStatus.NO_CONTENT, b"", "text/plain")

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        base = f"http://{self.headers.get('Host') or 'localhost'}"
        if path in ("/graphstore.grass", "/style.grass"):
            self._send(HTTPStatus.OK, grass().encode(), "text/plain; charset=utf-8")
        elif path == "/style.json":
            self._send(HTTPStatus.OK, style_json().encode(), "application/json")
        elif path in ("/guide.html", "/guide"):
            self._send(HTTPStatus.OK, guide(base).encode(), "text/html; charset=utf-8")
        elif path == "/":
            text = (f"graphstore's Neo4j Browser files. In Browser run:\n  :style {base}/graphstore.grass\n"
                    f"  :guide {base}/guide.html\n")
            self._send(HTTPStatus.OK, text.encode(), "text/plain; charset=utf-8")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    do_HEAD = do_GET  # noqa: N815 - the stdlib's naming

    def log_message(self, format: str, *args: object) -> None:
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


class GuideServer(ThreadingHTTPServer):
    """Serves the style and the guide with CORS headers: ``with GuideServer(port=0) as s: s.url``."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, verbose: bool = False) -> None:
        super().__init__((host, port), _Handler)
        self.verbose = verbose
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host!s}:{port}"

    def start(self) -> GuideServer:
        """Serve in a background thread (``shutdown()`` stops it)."""
        self._thread = threading.Thread(target=self.serve_forever, name="graphstore-browser", daemon=True)
        self._thread.start()
        return self
