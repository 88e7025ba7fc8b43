"""Files that are not graphstore stores, and a snapshot to prove they were left untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

# name → what graphstore must say about it (part of the one-line refusal)
FOREIGN = {
    "other.db": "another program's SQLite database",
    "other-wal.db": "another program's SQLite database",
    "mlmd.db": "graphstore import-mlmd",
    "page.html": "not SQLite",
    "adir": "a directory",
}
EMPTY = "empty.db"


def make_mlmd_store(path: Path) -> None:
    """A real MLMD 1.17 SQLite store with one artifact type and one artifact."""
    metadata_store = pytest.importorskip("ml_metadata.metadata_store.metadata_store")
    pb = pytest.importorskip("ml_metadata.proto.metadata_store_pb2")
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(path)
    store = metadata_store.MetadataStore(config)
    type_id = store.put_artifact_type(pb.ArtifactType(name="DataSet"))
    store.put_artifacts([pb.Artifact(type_id=type_id, uri="/data/x.csv")])
    del store


def make_foreign(where: Path) -> dict[str, Path]:
    """Each kind of foreign file in ``where``, plus a zero-byte file; name → path."""
    with sqlite3.connect(where / "other.db") as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('keep me')")
    conn.close()
    wal = sqlite3.connect(where / "other-wal.db")
    wal.execute("PRAGMA journal_mode = WAL")
    wal.execute("CREATE TABLE t (x)")
    wal.commit()
    wal.close()
    make_mlmd_store(where / "mlmd.db")
    (where / "page.html").write_text("<!doctype html><title>not a store</title>\n")
    (where / "adir").mkdir()
    (where / "adir" / "inside.txt").write_text("x")
    (where / EMPTY).write_bytes(b"")
    return {name: where / name for name in [*FOREIGN, EMPTY]}


def snapshot(where: Path) -> dict[str, bytes | None]:
    """Every path under ``where`` with its bytes (None for a directory)."""
    return {str(p.relative_to(where)): (None if p.is_dir() else p.read_bytes()) for p in sorted(where.rglob("*"))}
