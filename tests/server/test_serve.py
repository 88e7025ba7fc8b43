"""``graphstore serve`` for real: a subprocess on a free port (refusals, auth, the access log,
SIGTERM during a request), and uvicorn in a thread over every engine (concurrent writers)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from graphstore import MetadataStore
from graphstore.analysis import QUARANTINE_REASON
from graphstore.models import Artifact, ArtifactType, Event, EventType, Execution, ExecutionType
from tests.live import free_port, serving
from tests.server.conftest import TOKEN, build_graph

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _graphstore(*args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "graphstore", *args], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)  # type: ignore[call-overload]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = _graphstore(*args, env=env)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_binding_beyond_loopback_without_a_token_is_refused(tmp_path: Path) -> None:
    got = _run("--uri", str(tmp_path / "s.db"), "serve", "--host", "0.0.0.0", "--port", "1",
               env={"GRAPHSTORE_TOKEN": ""})
    assert got.returncode == 4 and "needs a token" in got.stderr and got.stderr.count("\n") == 1
    assert not (tmp_path / "s.db").exists()  # refused before the store is opened


def test_a_token_on_the_command_line_is_refused_without_echoing_it(tmp_path: Path) -> None:
    got = _run("--uri", str(tmp_path / "s.db"), "serve", "--token", TOKEN)
    assert got.returncode == 2 and "process list" in got.stderr and TOKEN not in got.stderr + got.stdout


def _wait_read(base: str, timeout: float = 30) -> None:
    """Until the server's end of every connection to its port has nothing left unread.

    Once uvicorn has read a request's head it runs the request, and a graceful shutdown waits
    for it; before that, the connection counts as idle and is closed. /proc/net/tcp shows each
    socket's receive queue, so this waits for the fact rather than guessing a time."""
    port = int(base.rsplit(":", 1)[1])
    deadline = time.monotonic() + timeout
    while True:
        unread = []
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, queues = fields[1], fields[3], fields[4]
            if int(local.split(":")[1], 16) == port and state == "01":  # ESTABLISHED, server side
                unread.append(int(queues.split(":")[1], 16))
        if unread and not any(unread):
            return
        assert time.monotonic() < deadline, f"the server left {unread} bytes unread"
        time.sleep(0.02)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    """``graphstore serve`` over a small graph in a file, token from the environment."""
    path = tmp_path / "s.db"
    with MetadataStore(path) as store:
        build_graph(store)
    port = free_port()
    proc = _graphstore("--uri", str(path), "serve", "--port", str(port), env={"GRAPHSTORE_TOKEN": TOKEN})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "graphstore serve did not come up"
        time.sleep(0.2)
    yield proc, base, path
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


def test_sigterm_lets_the_request_in_flight_finish_then_closes_the_store(
        served: tuple[subprocess.Popen[str], str, Path]) -> None:
    proc, base, path = served
    assert TOKEN not in Path(f"/proc/{proc.pid}/cmdline").read_text()
    assert httpx.get(f"{base}/api/graphstore/types").status_code == 401
    sent_half, release = threading.Event(), threading.Event()

    def body() -> Iterator[bytes]:
        yield b'{"artifact_ids": [3], '
        sent_half.set()
        release.wait(30)
        yield b'"mark": "label leak"}'
    answer: dict[str, httpx.Response] = {}
    request = threading.Thread(target=lambda: answer.setdefault("r", httpx.post(
        f"{base}/api/graphstore/impact", content=body(), headers=AUTH, timeout=60)))
    request.start()
    assert sent_half.wait(30)
    _wait_read(base)  # the server has read what was sent: the request is in flight, not idle
    proc.send_signal(signal.SIGTERM)
    time.sleep(1.0)
    assert proc.poll() is None, "the server stopped before its request in flight finished"
    release.set()
    request.join(60)
    assert answer["r"].status_code == 200 and answer["r"].json()["marked"] == 3
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and TOKEN not in out + err
    assert not Path(f"{path}-wal").exists()  # closed cleanly: SQLite folded its log back in
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["method"], x["path"], x["status"]) for x in lines][-2:] == [
        ("GET", "/api/graphstore/types", 401), ("POST", "/api/graphstore/impact", 200)]
    with MetadataStore(path) as store:
        assert store.get_artifacts_by_id([3])[0].custom_properties[QUARANTINE_REASON] == "label leak"


@pytest.fixture
def live(store: MetadataStore) -> Iterator[str]:
    """uvicorn in a thread (its real thread pool and sockets) over the store under test."""
    with serving(store, TOKEN) as served:
        yield served.url


def test_concurrent_writers_and_readers(store: MetadataStore, live: str) -> None:
    store.put_artifact_type(ArtifactType(name="Data"))
    store.put_execution_type(ExecutionType(name="Step"))
    chains = []
    for i in range(8):
        [root] = store.put_artifacts([Artifact(type="Data", name=f"in-{i}")])
        _, (_, out), _ = store.put_execution(Execution(type="Step"), [
            (store.get_artifacts_by_id([root])[0], Event(type=EventType.INPUT)),
            (Artifact(type="Data", name=f"out-{i}"), Event(type=EventType.OUTPUT))], [])
        chains.append((root, out))

    def mark(i: int) -> int:
        r = httpx.post(f"{live}/api/graphstore/impact", json={"artifact_ids": [chains[i][0]], "mark": f"bad-{i}"},
                       headers=AUTH, timeout=60)
        assert r.status_code == 200, r.text
        return int(r.json()["marked"])

    def read(i: int) -> int:
        r = httpx.get(f"{live}/api/graphstore/artifacts/{chains[i][1]}/upstream", headers=AUTH, timeout=60)
        assert r.status_code == 200, r.text
        return int(r.json()["total"])
    with ThreadPoolExecutor(16) as pool:
        marks = [pool.submit(mark, i) for i in range(8)]
        reads = [pool.submit(read, i) for i in range(8)]
        assert [f.result() for f in marks] == [3] * 8 and [f.result() for f in reads] == [2] * 8
    for i, (_, out) in enumerate(chains):
        assert store.get_artifacts_by_id([out])[0].custom_properties[QUARANTINE_REASON] == f"bad-{i}"


@pytest.mark.parametrize("missing", ["uvicorn", "starlette"])
def test_without_the_server_extra_one_line_says_what_to_install(tmp_path: Path, missing: str,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from graphstore.cli import main

    for name in [m for m in sys.modules if m.startswith(("graphstore.server", f"{missing}."))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)  # importing it fails, as when not installed
    assert main(["--uri", str(tmp_path / "s.db"), "serve"]) == 4
    err = capsys.readouterr().err
    assert err == f"graphstore: error: graphstore serve needs {missing}: pip install 'graphstore-lineage[server]'\n"


def test_a_taken_port_is_one_line_and_exit_3(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        got = _run("--uri", str(tmp_path / "s.db"), "serve", "--port", str(port))
    assert got.returncode == 3 and got.stderr.endswith(f"graphstore: error: cannot serve on 127.0.0.1:{port} "
                                                       "(see the log above)\n")
