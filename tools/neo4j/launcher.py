"""Run a real Neo4j Community server from Maven Central jars on a local Java 17+ (no Docker).

Python API (used by the test suite)::

    lib = ensure_jars()                       # mvn copy-dependencies into the cache, once
    with start(tmp_path / "neo4j") as server:  # free ports, waits for Bolt and HTTP
        driver = neo4j.GraphDatabase.driver(server.uri, auth=server.auth)

CLI::

    python tools/neo4j/launcher.py start [--home DIR] [--bolt-port 7687] [--http-port 7474]
                                         [--password PW] [--heap 1g] [--foreground]
    python tools/neo4j/launcher.py status [--home DIR]
    python tools/neo4j/launcher.py stop [--home DIR]

Jars live in ``$GRAPHSTORE_CACHE/neo4j-<version>/lib`` (default ``~/.cache/graphstore``); the
default server home, holding conf, data and logs, is ``$GRAPHSTORE_CACHE/neo4j-home``.
"""

import argparse
import atexit
import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import final

import neo4j
from neo4j.exceptions import (
    AuthError,
    ClientError,
    DriverError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

DEFAULT_VERSION = "5.26.29"
DEFAULT_USER = "neo4j"
DEFAULT_PASSWORD = "graphstore"
DEFAULT_BOLT_PORT = 7687
DEFAULT_HTTP_PORT = 7474
HOST = "127.0.0.1"
MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
AUTH_ITERATIONS = 1024  # Neo4j's SystemGraphCredential hashing
POM = Path(__file__).resolve().with_name("pom.xml")
# graphstore's Neo4j Browser settings (its style, applied on connect); see cypher/browser/
BROWSER_CONF = Path(__file__).resolve().parents[2] / "cypher" / "browser" / "neo4j.conf"
MARKER = ".graphstore-complete"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

# The flags the packaged `bin/neo4j` adds by default (its server.jvm.additional list), minus
# the ones that only help diagnostics or slow start-up (-XX:+AlwaysPreTouch touches all the heap).
JVM_FLAGS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


# --------------------------------------------------------------------------------------- paths


def cache_root() -> Path:
    """``$GRAPHSTORE_CACHE`` or ``~/.cache/graphstore``."""
    env = os.environ.get("GRAPHSTORE_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "graphstore"


def default_home() -> Path:
    return cache_root() / "neo4j-home"


def lib_dir(version: str = DEFAULT_VERSION) -> Path:
    return cache_root() / f"neo4j-{version}" / "lib"


def _pid_file(home: Path) -> Path:
    return home / "run" / "neo4j.pid"


def _log_file(home: Path) -> Path:
    return home / "logs" / "console.log"


def _conf_file(home: Path) -> Path:
    return home / "conf" / "neo4j.conf"


# ---------------------------------------------------------------------------------------- jars


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_jars(version: str = DEFAULT_VERSION) -> Path:
    """Copy the Neo4j server, its dependencies and Neo4j Browser into the cache; return the folder.

    Runs ``mvn dependency:copy-dependencies`` on ``tools/neo4j/pom.xml`` (Maven's own cache,
    ``~/.m2``, makes repeated runs cheap). Skips all work once a marker file says the folder is
    complete. Safe to call from several processes at once (file lock).
    """
    lib = lib_dir(version)
    if (lib / MARKER).is_file():
        return lib
    with _file_lock(lib.parent / ".lock"):
        if (lib / MARKER).is_file():
            return lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError(
                "Maven (`mvn`) is not on PATH; it is needed once to fetch the Neo4j jars "
                f"into {lib} (e.g. `apt-get install maven`)."
            )
        cmd = [
            mvn,
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={lib}",
            f"-Dneo4j.version={version}",
        ]
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        output = _ANSI.sub("", proc.stdout + proc.stderr).strip()
        if proc.returncode != 0:
            raise RuntimeError(
                f"fetching the Neo4j {version} jars failed (exit {proc.returncode}): "
                f"{' '.join(cmd)}\n{_tail_text(output, 60)}"
            )
        main_jar = lib / f"neo4j-{version}.jar"
        if not main_jar.is_file():
            raise RuntimeError(f"mvn succeeded but {main_jar} is missing\n{_tail_text(output, 60)}")
        jars = sorted(p.name for p in lib.glob("*.jar"))
        (lib / MARKER).write_text(
            json.dumps(
                {
                    "version": version,
                    "jars": len(jars),
                    "seconds": round(time.monotonic() - started, 1),
                    "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                },
                indent=2,
            )
            + "\n"
        )
    return lib


# -------------------------------------------------------------------------------------- helpers


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return _tail_text(path.read_text(errors="replace"), lines)
    except OSError:
        return f"(no log at {path})"


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("java")
    if found is None:
        raise RuntimeError("no `java` on PATH (and no $JAVA_HOME); Neo4j 5.26 needs Java 17 or 21")
    return found


def _free_port(exclude: set[int]) -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = int(s.getsockname()[1])
        if port not in exclude:
            return port


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_our_server(pid: int, home: Path) -> bool:
    """True if ``pid`` is a live Neo4j server process started on ``home``."""
    if not _pid_alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():  # no procfs (macOS): trust the pid
        return True
    try:
        args = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    # a zombie has an empty cmdline and counts as gone
    return MAIN_CLASS.encode() in args and f"--home-dir={home}".encode() in args


def running_pid(home: Path) -> int | None:
    """The pid of the server running on ``home`` (from its pid file), or None."""
    home = Path(home).expanduser().resolve()
    try:
        pid = int(_pid_file(home).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_our_server(pid, home) else None


def _read_conf(home: Path) -> dict[str, str]:
    conf: dict[str, str] = {}
    try:
        text = _conf_file(home).read_text()
    except OSError:
        return conf
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            conf[key.strip()] = value.strip()
    return conf


def _port_from(address: str | None, default: int) -> int:
    if not address or ":" not in address:
        return default
    return int(address.rsplit(":", 1)[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the kernel SIGTERM the server if the Python process that started it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


# ---------------------------------------------------------------------------------------- conf


def _conf_text(home: Path, bolt_port: int, http_port: int, pagecache: str, extra: Mapping[str, str]) -> str:
    settings: dict[str, str] = {
        # loopback only, plain Bolt and HTTP
        "server.default_listen_address": HOST,
        "server.default_advertised_address": HOST,
        "server.bolt.listen_address": f":{bolt_port}",
        "server.bolt.advertised_address": f":{bolt_port}",
        "server.bolt.tls_level": "DISABLED",
        "server.http.enabled": "true",
        "server.http.listen_address": f":{http_port}",
        "server.http.advertised_address": f":{http_port}",
        "server.https.enabled": "false",
        "server.http_enabled_modules": (
            "TRANSACTIONAL_ENDPOINTS,UNMANAGED_EXTENSIONS,BROWSER,QUERY_API_ENDPOINTS"
        ),
        # keep Browser and the server quiet (5.x has no browser.allow_outgoing_connections)
        "client.allow_telemetry": "false",
        "browser.remote_content_hostname_whitelist": "localhost",
        "dbms.usage_report.enabled": "false",
        "dbms.security.auth_enabled": "true",
        # where things live (relative paths resolve against the home)
        "server.directories.data": "data",
        "server.directories.logs": "logs",
        # small-machine sizing; heap is given to the JVM directly (-Xmx)
        "server.memory.pagecache.size": pagecache,
        "db.tx_log.preallocate": "false",
        "db.tx_log.rotation.size": "32M",
        "db.tx_log.rotation.retention_policy": "2 files",
        # netty waits a 2 x 5 s "quiet period" on shutdown by default; stop in ~1 s instead
        "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
        "internal.dbms.bolt.netty_server_shutdown_timeout": "5s",
    }
    settings.update(_browser_settings())
    settings.update(extra)
    lines = [
        f"# Written by tools/neo4j/launcher.py for {home}; rewritten on every start.",
        *(f"{key}={value}" for key, value in settings.items()),
    ]
    return "\n".join(lines) + "\n"


def _browser_settings() -> dict[str, str]:
    """The ``key=value`` lines of cypher/browser/neo4j.conf (none if the file is missing)."""
    try:
        lines = BROWSER_CONF.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def auth_line(user: str, password: str, salt: bytes) -> str:
    """The ``auth.ini`` line ``neo4j-admin dbms set-initial-password`` writes: SHA-256 over
    salt + password, then over the digest, 1024 times in all (checked against neo4j-admin's
    own output in tests/unit/test_launcher_password.py)."""
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    for _ in range(AUTH_ITERATIONS - 1):
        digest = hashlib.sha256(digest).digest()
    return f"{user}:SHA-256,{digest.hex()},{salt.hex()},{AUTH_ITERATIONS}:\n"


def _set_initial_password(home: Path, password: str) -> None:
    """Write data/dbms/auth.ini (mode 0600) before the first start, as neo4j-admin would.

    Done here rather than with ``neo4j-admin dbms set-initial-password PW``: that puts the
    password on a process command line, readable by every local user in /proc. The file holds
    only a salted hash; Neo4j reads it once, when it creates its system database.
    """
    path = home / "data" / "dbms" / "auth.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(auth_line(DEFAULT_USER, password, secrets.token_bytes(32)))


# -------------------------------------------------------------------------------------- server


@final
class Neo4jServer:
    """A Neo4j server process on ``home``; stop it with ``stop()`` or by leaving a ``with``."""

    def __init__(
        self,
        home: Path,
        bolt_port: int,
        http_port: int,
        auth: tuple[str, str],
        pid: int,
        process: "subprocess.Popen[bytes] | None" = None,
    ) -> None:
        self.home = home
        self.bolt_port = bolt_port
        self.http_port = http_port
        self.auth = auth
        self.pid = pid
        self._process = process

    @property
    def uri(self) -> str:
        return f"bolt://{HOST}:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    @property
    def browser_url(self) -> str:
        return f"{self.http_url}/browser/"

    @property
    def log_path(self) -> Path:
        return _log_file(self.home)

    def __repr__(self) -> str:
        return f"Neo4jServer(uri={self.uri!r}, http_url={self.http_url!r}, pid={self.pid})"

    def __enter__(self) -> "Neo4jServer":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def is_running(self) -> bool:
        if self._process is not None:
            return self._process.poll() is None
        return _is_our_server(self.pid, self.home)

    def _wait_exit(self, timeout: float) -> bool:
        if self._process is not None:
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        deadline = time.monotonic() + timeout
        while _is_our_server(self.pid, self.home):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM (Neo4j checkpoints and shuts down cleanly), SIGKILL after ``timeout`` s."""
        if self.is_running():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            if not self._wait_exit(timeout):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                self._wait_exit(10.0)
        pid_file = _pid_file(self.home)
        with contextlib.suppress(OSError, ValueError):
            if int(pid_file.read_text().strip()) == self.pid:
                pid_file.unlink()

    # ------------------------------------------------------------------------------ readiness

    def _probe(self, auth: tuple[str, str], limit: float = 20.0) -> str:
        """One Bolt round trip: 'ok', 'auth' (rejected), 'expired' or 'wait' (not up yet)."""
        try:
            with (
                neo4j.GraphDatabase.driver(
                    self.uri,
                    auth=auth,
                    connection_timeout=3.0,
                    connection_acquisition_timeout=max(limit, 1.0),
                    max_connection_pool_size=1,
                ) as driver,
                driver.session() as session,
            ):
                session.run("RETURN 1").consume()
        except AuthError:
            return "auth"
        except ClientError as exc:
            if exc.code == "Neo.ClientError.Security.CredentialsExpired":
                return "expired"
            raise
        except (ServiceUnavailable, SessionExpired, DriverError, TransientError, OSError):
            return "wait"  # not listening yet, connection dropped, database still starting
        return "ok"

    def _change_initial_password(self) -> bool:
        """Fallback for a home initialised without a password: neo4j/neo4j -> self.auth."""
        user, password = self.auth
        if user != DEFAULT_USER or self._probe((DEFAULT_USER, "neo4j")) != "expired":
            return False
        with (
            neo4j.GraphDatabase.driver(self.uri, auth=(DEFAULT_USER, "neo4j")) as driver,
            driver.session(database="system") as session,
        ):
            session.run("ALTER CURRENT USER SET PASSWORD FROM 'neo4j' TO $pw", pw=password).consume()
        return True

    def _fail(self, message: str) -> RuntimeError:
        return RuntimeError(f"{message}\n--- last lines of {self.log_path} ---\n{_tail(self.log_path)}")

    def wait_ready(self, timeout: float) -> None:
        """Block until Bolt answers an authenticated query and HTTP answers; raise RuntimeError."""
        deadline = time.monotonic() + timeout
        bolt_ok = False
        while True:
            if not self.is_running():
                code = self._process.returncode if self._process is not None else None
                raise self._fail(f"Neo4j (pid {self.pid}) exited during start-up (exit {code})")
            if time.monotonic() > deadline:
                what = "HTTP" if bolt_ok else "Bolt"
                raise self._fail(f"Neo4j did not get ready on {what} within {timeout:.0f} s")
            if not bolt_ok and _port_in_use(self.bolt_port):
                state = self._probe(self.auth, min(20.0, deadline - time.monotonic()))
                if state == "auth" and self._change_initial_password():
                    state = self._probe(self.auth)
                if state in ("auth", "expired"):
                    raise self._fail(
                        f"Neo4j on {self.home} rejected user {self.auth[0]!r} with the given "
                        "password: the data directory was initialised with another password. "
                        "Use that password, or delete the home for a fresh server."
                    )
                bolt_ok = state == "ok"
            if bolt_ok:
                try:
                    with urllib.request.urlopen(self.http_url + "/", timeout=3) as resp:
                        if resp.status == 200:
                            return
                except (urllib.error.URLError, OSError):
                    pass
            time.sleep(0.2)


def start(
    home: Path,
    *,
    bolt_port: int | None = None,
    http_port: int | None = None,
    password: str = DEFAULT_PASSWORD,
    heap: str = "1g",
    timeout: float = 120,
    pagecache: str = "128m",
    version: str = DEFAULT_VERSION,
    detach: bool = False,
    extra_conf: Mapping[str, str] | None = None,
) -> Neo4jServer:
    """Start Neo4j on ``home`` (created if missing; data there survives restarts) and wait for it.

    Free ports are picked when ``bolt_port``/``http_port`` are None. The first start on a home
    sets the initial password of user ``neo4j`` to ``password`` (8+ characters). The server's
    stdout/stderr go to ``<home>/logs/console.log``. Unless ``detach``, the server is stopped
    when this Python process exits (atexit, and on Linux also if the process is killed).
    Raises RuntimeError with the log tail if the server dies or is not ready within ``timeout``.
    """
    if len(password) < 8:
        raise ValueError("Neo4j needs a password of at least 8 characters")
    home = Path(home).expanduser().resolve()
    pid = running_pid(home)
    if pid is not None:
        raise RuntimeError(f"a Neo4j server on {home} is already running (pid {pid})")
    for port in (bolt_port, http_port):
        if port is not None and _port_in_use(port):
            raise RuntimeError(f"port {port} on {HOST} is already in use")
    if bolt_port is None:
        bolt_port = _free_port({http_port} if http_port else set())
    if http_port is None:
        http_port = _free_port({bolt_port})
    if bolt_port == http_port:
        raise ValueError("bolt_port and http_port must differ")

    lib = ensure_jars(version)
    java = _java()
    for sub in ("conf", "logs", "run"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    _conf_file(home).write_text(_conf_text(home, bolt_port, http_port, pagecache, extra_conf or {}))
    if not (home / "data" / "databases" / "system").exists():
        _set_initial_password(home, password)

    cmd = [
        java,
        f"-Xms{heap}",
        f"-Xmx{heap}",
        *JVM_FLAGS,
        "-cp",
        str(lib / "*"),
        MAIN_CLASS,
        f"--home-dir={home}",
        f"--config-dir={home / 'conf'}",
        "--console-mode",
    ]
    # runs between fork and exec in the child and only calls prctl(PR_SET_PDEATHSIG)
    preexec = None if detach or sys.platform != "linux" else _die_with_parent
    with open(_log_file(home), "wb") as log:
        process = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=home,
            start_new_session=detach,
            preexec_fn=preexec,
        )
    _pid_file(home).write_text(f"{process.pid}\n")
    server = Neo4jServer(home, bolt_port, http_port, (DEFAULT_USER, password), process.pid, process)
    try:
        server.wait_ready(timeout)
    except BaseException:
        server.stop(timeout=30)
        raise
    if not detach:
        atexit.register(server.stop)
    return server


def attach(home: Path, password: str = DEFAULT_PASSWORD) -> Neo4jServer | None:
    """The server already running on ``home`` (e.g. started by the CLI), or None."""
    home = Path(home).expanduser().resolve()
    pid = running_pid(home)
    if pid is None:
        return None
    conf = _read_conf(home)
    return Neo4jServer(
        home,
        _port_from(conf.get("server.bolt.listen_address"), DEFAULT_BOLT_PORT),
        _port_from(conf.get("server.http.listen_address"), DEFAULT_HTTP_PORT),
        (DEFAULT_USER, password),
        pid,
    )


# ------------------------------------------------------------------------------------------ CLI


def _describe(server: Neo4jServer, state: str, password_note: str) -> str:
    return (
        f"Neo4j {state} (pid {server.pid}, home {server.home})\n"
        f"  Bolt:     {server.uri}\n"
        f"  User:     {server.auth[0]}  password: {password_note}\n"
        f"  Browser:  {server.browser_url}\n"
        f"  Log:      {server.log_path}"
    )


def _follow(server: Neo4jServer) -> int:
    """Foreground mode: copy the console log to stdout until the server exits or is stopped."""

    def _on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _on_signal)
    with open(server.log_path, "rb") as log:
        try:
            while server.is_running():
                chunk = log.read()
                if chunk:
                    sys.stdout.buffer.write(chunk)
                    sys.stdout.flush()
                else:
                    time.sleep(0.5)
        except KeyboardInterrupt:
            print("stopping Neo4j ...", file=sys.stderr, flush=True)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the shutdown
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.stop()
        sys.stdout.buffer.write(log.read())
        sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    env_password = os.environ.get("NEO4J_PASSWORD")
    parser = argparse.ArgumentParser(
        prog="launcher.py", description="Run a Neo4j Community server from Maven jars (no Docker)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="start a server (detached unless --foreground)")
    p_stop = sub.add_parser("stop", help="stop the server running on --home")
    p_status = sub.add_parser("status", help="is a server running on --home? (exit 3 if not)")
    p_fetch = sub.add_parser("fetch", help="download the jars into the cache (once) and exit")
    p_fetch.add_argument("--version", default=DEFAULT_VERSION, help="Neo4j 5.26.x version")
    for p in (p_start, p_stop, p_status):
        p.add_argument("--home", type=Path, default=default_home(), help="default: %(default)s")
    p_start.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    p_start.add_argument("--http-port", type=int, default=DEFAULT_HTTP_PORT)
    p_start.add_argument(
        "--password",
        default=env_password or DEFAULT_PASSWORD,
        help="password of user neo4j (default: $NEO4J_PASSWORD or 'graphstore'); prefer "
        "$NEO4J_PASSWORD: an argument is readable by every local user in the process list",
    )
    p_start.add_argument("--heap", default="1g", help="JVM heap, e.g. 512m, 1g (default 1g)")
    p_start.add_argument("--pagecache", default="256m", help="page cache size (default 256m)")
    p_start.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for ready")
    p_start.add_argument("--version", default=DEFAULT_VERSION, help="Neo4j 5.26.x version")
    p_start.add_argument("--foreground", action="store_true", help="stay attached; Ctrl-C stops")
    p_stop.add_argument("--timeout", type=float, default=60.0, help="SIGKILL after this many s")
    args = parser.parse_args(argv)
    if args.command == "fetch":
        began = time.monotonic()
        cached = (lib_dir(args.version) / MARKER).is_file()
        lib = ensure_jars(args.version)
        took = "already cached" if cached else f"downloaded in {time.monotonic() - began:.1f} s"
        print(f"Neo4j {args.version} jars: {lib} ({took})")
        return 0
    home: Path = args.home.expanduser().resolve()

    if args.command == "status":
        server = attach(home)
        if server is None:
            print(f"no Neo4j server running on {home}")
            return 3
        print(_describe(server, "running", "(as set at its first start)"))
        return 0

    if args.command == "stop":
        server = attach(home)
        if server is None:
            print(f"no Neo4j server running on {home}")
            return 0
        server.stop(timeout=args.timeout)
        print(f"stopped Neo4j (pid {server.pid}, home {home})")
        return 0

    password: str = args.password
    note = "the default (see --help)" if password == DEFAULT_PASSWORD else "(the one given)"
    running = attach(home, password)
    if running is not None:
        print(_describe(running, "already running", "(as set at its first start)"))
        return 0
    if not (lib_dir(args.version) / MARKER).is_file():
        print(f"fetching Neo4j {args.version} jars with mvn (once) ...", file=sys.stderr)
    started = time.monotonic()
    try:
        server = start(
            home,
            bolt_port=args.bolt_port,
            http_port=args.http_port,
            password=password,
            heap=args.heap,
            timeout=args.timeout,
            pagecache=args.pagecache,
            version=args.version,
            detach=not args.foreground,
        )
    except (RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(_describe(server, f"ready in {time.monotonic() - started:.1f} s", note))
    if args.foreground:
        return _follow(server)
    print(f"  Stop:     {sys.executable} {Path(__file__).resolve()} stop --home {home}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
