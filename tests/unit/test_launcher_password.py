"""The launcher sets Neo4j's initial password without putting it on any process command line."""

from __future__ import annotations

import os
import shutil
import stat
import uuid
from pathlib import Path

import neo4j
import pytest

from tests.neo4j_server import _load_launcher

launcher = _load_launcher()


def test_auth_line_matches_neo4j_admin() -> None:
    # Written by `neo4j-admin dbms set-initial-password probe-password-1` (Neo4j 5.26.29).
    salt = "3120d9b42abc4eee3784af565bd6dfe7f5119e665f0c6053e30ead92891d0088"
    expected = ("neo4j:SHA-256,09b00025e6e0eac8e640d7a197412cfb16fcee6f45df35d27b34fc5cd577c056,"
                f"{salt},1024:\n")
    assert launcher.auth_line("neo4j", "probe-password-1", bytes.fromhex(salt)) == expected


def _command_lines() -> list[str]:
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:  # the process ended meanwhile
                continue
    return lines


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists() or shutil.which("java") is None,
                    reason="needs /proc and Java")
def test_started_server_takes_the_password_which_no_command_line_shows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = f"pw-{uuid.uuid4().hex}"
    seen: list[str] = []
    real_popen = launcher.subprocess.Popen

    def watching_popen(*args: object, **kwargs: object) -> object:
        seen.append(repr(args) + repr(kwargs))  # every command the launcher starts, in full
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(launcher.subprocess, "Popen", watching_popen)
    server = launcher.start(tmp_path / "home", password=secret, heap="256m", pagecache="16m", timeout=240)
    monkeypatch.undo()
    try:
        running = _command_lines()
        assert any(f"--home-dir={tmp_path / 'home'}" in line for line in running)  # we see the server
        assert not [line for line in running if secret in line]
        assert seen and not [line for line in seen if secret in line]
        auth_file = tmp_path / "home" / "data" / "dbms" / "auth.ini"
        if auth_file.exists():  # Neo4j may consume it; while there, only its owner reads it
            assert stat.S_IMODE(os.stat(auth_file).st_mode) == 0o600
            assert secret not in auth_file.read_text()
        with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", secret)) as driver:
            assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
    finally:
        server.stop(timeout=60)
