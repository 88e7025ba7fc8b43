"""Credentials never leak: not in errors (text, args, cause chain), reprs, CLI output or hints;
a missing Neo4j password says so and how to give one."""

from __future__ import annotations

import os
import subprocess
import traceback
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import neo4j
import pytest

from graphstore import EngineUnavailable, GraphstoreError, InvalidArgument, MetadataStore
from graphstore._redact import redact, redact_uri, remember
from graphstore.engines.base import parse_uri
from tests.cli.conftest import COMMAND
from tests.conftest import wipe_neo4j
from tests.live import free_port
from tests.neo4j_server import Neo4jTarget


def _secret() -> str:
    return f"S3cr3t-{uuid.uuid4().hex[:12]}"


def _with_password(uri: str, user: str, password: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{user}:{password}@{parts.netloc}"


def assert_hidden(secret: str, exc: BaseException) -> None:
    """Not in the message, the args, nor anywhere in the printed chain of causes."""
    assert secret not in str(exc)
    assert secret not in repr(exc.args)
    assert secret not in "".join(traceback.format_exception(exc))


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSTORE_")}
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=300, check=False,
                          env={**clean, "GRAPHSTORE_PROGRESS": "0", **(env or {})})


# -- the one redaction -----------------------------------------------------------------------------

def test_redact_hides_uri_passwords_settings_and_known_values() -> None:
    assert redact("http://neo4j:pa@ss@host:7474/x") == "http://neo4j:***@host:7474/x"
    assert redact("bolt://host:7687 and neo4j+s://u:p@db.example.com") == (
        "bolt://host:7687 and neo4j+s://u:***@db.example.com")
    assert redact("auth failed: password='hunter22', user=neo4j") == "auth failed: password='***', user=neo4j"
    secret = _secret()
    remember(secret)
    assert redact(f"the server said {secret}!") == "the server said ***!"
    remember("p@ss/" + secret)
    assert "p%40ss%2F" not in redact(f"bolt://u:p%40ss%2F{secret}@h")
    assert redact_uri("bolt://neo4j:x@h:1/db") == "bolt://neo4j@h:1/db"


def test_every_graphstore_error_is_redacted() -> None:
    secret = _secret()
    remember(secret)
    err = GraphstoreError(f"driver echoed {secret} in bolt://u:{secret}@h")
    assert_hidden(secret, err)


# -- the API ---------------------------------------------------------------------------------------

def test_unsupported_scheme_does_not_echo_the_password() -> None:
    secret = _secret()
    with pytest.raises(InvalidArgument, match="unsupported scheme 'http'") as caught:
        MetadataStore(f"http://neo4j:{secret}@localhost:7474")
    assert_hidden(secret, caught.value)
    assert "http://neo4j:***@localhost:7474" in str(caught.value)


def test_reprs_hide_the_password() -> None:
    secret = _secret()
    conn = parse_uri(f"neo4j+s://u:{secret}@db.example.com/metadata")
    assert conn.password == secret and secret not in repr(conn)
    assert secret not in repr(parse_uri("bolt://h:1", password=secret))


def test_unreachable_neo4j_does_not_echo_the_password() -> None:
    secret = _secret()
    with pytest.raises(EngineUnavailable) as caught:
        MetadataStore(f"bolt://neo4j:{secret}@127.0.0.1:{free_port()}")
    assert_hidden(secret, caught.value)


def _stranger() -> str:
    # Neo4j locks a user out for a while after a few failed logins; a made-up user keeps the
    # suite's own user (neo4j) usable, and the password is sent and refused all the same.
    return f"nobody-{uuid.uuid4().hex[:8]}"


def test_wrong_password_is_not_echoed(neo4j_server: Neo4jTarget) -> None:
    secret = _secret()
    for how in ({"password": secret}, {}):
        user = _stranger()
        uri = neo4j_server.uri if how else _with_password(neo4j_server.uri, user, secret)
        with pytest.raises(EngineUnavailable, match="credentials") as caught:
            MetadataStore(uri, user=user, **how)
        assert_hidden(secret, caught.value)


@pytest.fixture
def throwaway_user(neo4j_server: Neo4jTarget) -> Iterator[str]:
    """A real user of its own (Neo4j locks out only users that exist), dropped afterwards."""
    user = f"throwaway_{uuid.uuid4().hex[:8]}"
    with neo4j.GraphDatabase.driver(neo4j_server.uri,
                                    auth=(neo4j_server.user, neo4j_server.password)) as driver:
        driver.execute_query(f"CREATE USER {user} SET PASSWORD $p CHANGE NOT REQUIRED",
                             {"p": _secret()}, database_="system")
        try:
            yield user
        finally:
            driver.execute_query(f"DROP USER {user} IF EXISTS", database_="system")


def test_a_locked_out_user_is_unavailable_and_named_nowhere(neo4j_server: Neo4jTarget,
                                                            throwaway_user: str) -> None:
    # After a few failed logins in a row (dbms.security.auth_max_failed_attempts, 3 by
    # default) Neo4j answers AuthenticationRateLimit, a ClientError rather than an AuthError;
    # it used to surface as a bare GraphstoreError quoting the server's code.
    secret, user = _secret(), throwaway_user
    messages = []
    for _ in range(10):
        with pytest.raises(EngineUnavailable) as caught:
            MetadataStore(neo4j_server.uri, user=user, password=secret)
        assert_hidden(secret, caught.value)
        assert user not in str(caught.value)
        messages.append(str(caught.value))
        if "too many failed attempts" in messages[-1]:
            break
    assert "too many failed attempts" in messages[-1], messages
    assert "check the user and password" in messages[-1]
    assert "credentials" in messages[0]  # plain refusals before the lock


def test_missing_password_says_so(neo4j_server: Neo4jTarget) -> None:
    with pytest.raises(EngineUnavailable, match="no password was given") as caught:
        MetadataStore(neo4j_server.uri, user=neo4j_server.user)
    assert "--password" in str(caught.value) and "GRAPHSTORE_PASSWORD" in str(caught.value)
    assert "scheme" not in str(caught.value)


def test_store_repr_hides_the_password(neo4j_server: Neo4jTarget) -> None:
    uri = _with_password(neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    with MetadataStore(uri) as store:
        assert neo4j_server.password not in repr(store)
        assert neo4j_server.password not in repr(vars(store))


# -- the command line ------------------------------------------------------------------------------

def test_cli_unsupported_scheme_does_not_echo_the_password() -> None:
    secret = _secret()
    result = cli("--uri", f"http://neo4j:{secret}@localhost:7474", "stats")
    assert result.returncode == 2
    assert secret not in result.stdout + result.stderr
    assert "unsupported scheme" in result.stderr


def test_cli_wrong_and_missing_password(neo4j_server: Neo4jTarget) -> None:
    secret = _secret()
    wrong = cli("--uri", _with_password(neo4j_server.uri, _stranger(), secret), "stats")
    assert wrong.returncode == 3 and "credentials" in wrong.stderr
    assert secret not in wrong.stdout + wrong.stderr
    missing = cli("--uri", neo4j_server.uri, "stats")
    assert missing.returncode == 3
    assert "no password was given" in missing.stderr and "--password" in missing.stderr


def test_cli_demo_hint_leaves_the_password_out(neo4j_server: Neo4jTarget) -> None:
    pytest.importorskip("sklearn", reason="the demo needs scikit-learn (pip install -e '.[demo]')")
    wipe_neo4j(neo4j_server)
    uri = _with_password(neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    try:
        result = cli("--uri", uri, "demo")
    finally:
        wipe_neo4j(neo4j_server)
    assert result.returncode == 0, result.stderr
    assert neo4j_server.password not in result.stdout + result.stderr
    bare = _with_password(neo4j_server.uri, neo4j_server.user, "x").replace(":x@", "@")
    assert f"graphstore --uri {bare} ls artifacts" in result.stdout
    assert "give it with --password or GRAPHSTORE_PASSWORD" in result.stdout
