"""Where ``graphstore serve`` takes its token from, and what counts as this machine."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from graphstore._cli_serve import _ASKED, _token, is_loopback
from graphstore.errors import InvalidArgument


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("LocalHost", True), ("0.0.0.0", False), ("::", False), ("10.0.0.5", False), ("example.com", False)])
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def _args(token: object = None, token_file: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(token=token, token_file=token_file)


def test_the_token_from_the_environment_or_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRAPHSTORE_TOKEN", raising=False)
    assert _token(_args()) is None
    monkeypatch.setenv("GRAPHSTORE_TOKEN", "from-env")
    assert _token(_args()) == "from-env"
    secret = tmp_path / "token"
    secret.write_text("from-file\n")
    monkeypatch.delenv("GRAPHSTORE_TOKEN")
    assert _token(_args(token_file=str(secret))) == "from-file"
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed")
    assert _token(_args(token=_ASKED)) == "typed"


@pytest.mark.parametrize(("env", "file_text", "token", "field"), [
    ("a", "b", None, "--token-file"),        # two sources at once
    (None, "two words", None, "--token-file"),
    (None, "", None, "--token-file"),
    (None, None, "literal-value", "--token"),  # on the command line: refused
])
def test_bad_token_sources_are_refused_naming_the_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        env: str | None, file_text: str | None,
                                                        token: str | None, field: str) -> None:
    monkeypatch.delenv("GRAPHSTORE_TOKEN", raising=False)
    if env:
        monkeypatch.setenv("GRAPHSTORE_TOKEN", env)
    path = None
    if file_text is not None:
        path = tmp_path / "token"
        path.write_text(file_text)
    with pytest.raises(InvalidArgument, match=f"^{field}:") as caught:
        _token(_args(token=token, token_file=str(path) if path else None))
    assert "literal-value" not in str(caught.value) and "two words" not in str(caught.value)


def test_an_unreadable_token_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRAPHSTORE_TOKEN", raising=False)
    with pytest.raises(InvalidArgument, match=r"^--token-file: cannot read"):
        _token(_args(token_file=str(tmp_path / "missing")))
