"""What is at a store path, found out without changing a byte of it.

An embedded store only opens a file writable once it knows the file is new, empty, or
graphstore's own. Everything else is refused untouched: another program's SQLite database,
an MLMD store (``graphstore import-mlmd`` copies those), or a file that is not SQLite at all.
"""

from __future__ import annotations

import enum
import os
import sqlite3
import stat
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from ..errors import EngineUnavailable, InvalidArgument

__all__ = ["Found", "classify_tables", "inspect_path", "sqlite_uri"]

HEADER = b"SQLite format 3\x00"
MARKER_TABLE = "graphstore_meta"
# Tables every MLMD SQLite store has (ml_metadata/util/metadata_source_query_config.cc).
MLMD_TABLES = frozenset({"type", "artifact", "execution", "event", "mlmdenv"})


class Found(enum.Enum):
    """What an inspected path holds."""

    NEW = "new"  # missing, zero bytes, or a SQLite file without tables: a store is created
    OURS = "ours"  # graphstore's schema marker is there


def sqlite_uri(path: str, **query: str) -> str:
    """A ``file:`` URI for sqlite3 (``uri=True``) with query options such as ``mode=ro``."""
    options = "&".join(f"{k}={v}" for k, v in query.items())
    return f"file:{quote(os.path.abspath(path))}" + (f"?{options}" if options else "")


def _unavailable(path: str, exc: OSError | sqlite3.Error) -> EngineUnavailable:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return EngineUnavailable(f"cannot open SQLite store {path!r}: {reason}")


def _refuse(path: str, what: str) -> InvalidArgument:
    return InvalidArgument(f"uri: {path!r} is not a graphstore store: it is {what}; left untouched")


def classify_tables(path: str, tables: Iterable[str]) -> Found:
    """NEW, OURS, or InvalidArgument for a database holding these tables."""
    names = {t.lower() for t in tables if not t.startswith("sqlite_")}
    if not names:
        return Found.NEW
    if MARKER_TABLE in names:
        return Found.OURS
    if names >= MLMD_TABLES:
        raise _refuse(path, "an MLMD store (copy it into a graphstore store with `graphstore import-mlmd`)")
    shown = ", ".join(sorted(names)[:5]) + (", …" if len(names) > 5 else "")
    raise _refuse(path, f"another program's SQLite database (tables: {shown})")


def inspect_path(path: str, *, read_only: bool) -> Found:
    """Classify ``path`` without writing to it (nor creating files next to it).

    A missing path is NEW, unless ``read_only`` (then there is nothing to read: an error).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if read_only:
            raise EngineUnavailable(f"no store at {path!r} (opened read-only, so none is created)") from None
        return Found.NEW
    except OSError as exc:
        raise _unavailable(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(path, "a directory")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, "a special file")
    if info.st_size == 0:
        if read_only:
            raise _refuse(path, "an empty file")
        return Found.NEW
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError as exc:
        raise _unavailable(path, exc) from None
    if not header.startswith(HEADER):
        raise _refuse(path, "a file of another format (not SQLite)")
    return classify_tables(path, _tables(path, header))


def _tables(path: str, header: bytes) -> list[str]:
    # Reading a WAL-mode database creates -wal/-shm files next to it, even read-only. Without a
    # -wal file the database file holds everything, so it is read as immutable (no side files).
    wal_mode = len(header) > 18 and header[18] == 2
    attempts = [{"mode": "ro", "immutable": "1"}] if wal_mode and not Path(path + "-wal").exists() else []
    # immutable skips locking: if a writer appeared meanwhile the read may fail; then read normally
    attempts.append({"mode": "ro"})
    for n, options in enumerate(attempts, 1):
        try:
            conn = sqlite3.connect(sqlite_uri(path, **options), uri=True)
            try:
                return [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            if n < len(attempts):
                continue
            if isinstance(exc, sqlite3.OperationalError) and ("unable to open" in str(exc) or "locked" in str(exc)):
                raise _unavailable(path, exc) from None
            raise _refuse(path, f"a damaged or unreadable SQLite file ({exc})") from None
    raise AssertionError("unreachable")  # the last attempt returns or raises
