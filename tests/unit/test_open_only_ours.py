"""An embedded store writes only to new, empty or graphstore files; everything else is refused
untouched (same bytes, no new files next to it); read-only opens change nothing at all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graphstore import ArtifactType, EngineUnavailable, FailedPrecondition, InvalidArgument, MetadataStore
from tests.unit.foreign_files import EMPTY, FOREIGN, make_foreign, snapshot


@pytest.fixture
def foreign(tmp_path: Path) -> dict[str, Path]:
    return make_foreign(tmp_path)


@pytest.mark.parametrize("read_only", [False, True], ids=["writable", "read-only"])
@pytest.mark.parametrize("name", list(FOREIGN))
def test_foreign_files_are_refused_untouched(foreign: dict[str, Path], name: str, read_only: bool) -> None:
    where = foreign[name].parent
    before = snapshot(where)
    with pytest.raises(InvalidArgument) as caught:
        MetadataStore(foreign[name], read_only=read_only)
    message = str(caught.value)
    assert str(foreign[name]) in message and FOREIGN[name] in message
    assert "\n" not in message
    assert snapshot(where) == before


def test_an_mlmd_store_keeps_its_journal_mode(foreign: dict[str, Path]) -> None:
    with pytest.raises(InvalidArgument, match="import-mlmd"):
        MetadataStore(foreign["mlmd.db"])
    conn = sqlite3.connect(f"file:{foreign['mlmd.db']}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal"
    conn.close()


def test_empty_file_becomes_a_store_but_not_when_read_only(foreign: dict[str, Path]) -> None:
    where, empty = foreign[EMPTY].parent, foreign[EMPTY]
    before = snapshot(where)
    with pytest.raises(InvalidArgument, match="an empty file"):
        MetadataStore(empty, read_only=True)
    assert snapshot(where) == before
    with MetadataStore(empty) as store:
        store.put_artifact_type(ArtifactType(name="T"))
    with MetadataStore(empty, read_only=True) as again:
        assert [t.name for t in again.get_artifact_types()] == ["T"]


def test_read_only_needs_an_existing_store_and_refuses_writes(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(EngineUnavailable, match="no store at"):
        MetadataStore(missing, read_only=True)
    assert list(tmp_path.iterdir()) == []
    path = tmp_path / "store.db"
    with MetadataStore(path) as store:
        store.put_artifact_type(ArtifactType(name="T"))
    before = path.read_bytes()
    with MetadataStore(path, read_only=True) as store:
        assert [t.name for t in store.get_artifact_types()] == ["T"]
        with pytest.raises(FailedPrecondition, match="read-only"):
            store.put_artifact_type(ArtifactType(name="U"))
    assert path.read_bytes() == before


def test_os_errors_on_open_are_engine_unavailable(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match="no-such-dir"):
        MetadataStore(tmp_path / "no-such-dir" / "x.db")
    (tmp_path / "plain.txt").write_text("a file, not a directory")
    for read_only in (False, True):
        with pytest.raises(EngineUnavailable, match=r"plain\.txt"):
            MetadataStore(tmp_path / "plain.txt" / "x.db", read_only=read_only)


def test_a_graphstore_store_from_another_version_is_still_ours(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with MetadataStore(path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE graphstore_meta SET value = '999' WHERE key = 'schema_version'")
    conn.close()
    for read_only in (False, True):
        with pytest.raises(FailedPrecondition, match="newer"):
            MetadataStore(path, read_only=read_only)
