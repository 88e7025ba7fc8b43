"""Fingerprints behind the cache: inputs (an index probe) and outputs (checked on disk).

An execution's input fingerprint hashes the set of its input events — (artifact id, event
kind, path) — and is stored beside it, indexed with its type. Writes that add events refresh
it in the same transaction; the cache query looks candidates up by (type, fingerprint)
instead of scanning executions.

An output's content fingerprint (``fingerprint``) is recorded on the artifact as custom
properties (``MARKERS``); a cache hit needs every such output to still hold it at its uri
(``stale_reason``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from .errors import InvalidArgument
from .ops import INPUT_KINDS

__all__ = ["FILE_COUNT", "HASH_CHECK_MAX_BYTES", "MARKERS", "OUTPUTS_DELETED", "SHA256", "SIZE",
           "STALE_REASON", "VERIFY_MODES", "Verify", "fingerprint", "input_fingerprint",
           "local_path", "output_markers", "stale_reason"]

_INPUTS = frozenset(INPUT_KINDS)
# Stored instead of a fingerprint once an execution's output was deleted: matches nothing.
OUTPUTS_DELETED = "outputs-deleted"


def input_fingerprint(events: Iterable[tuple[int, str, str]]) -> str:
    """Fingerprint of (artifact_id, event kind name, path JSON) triples; non-input kinds are
    ignored, order and repeats don't matter."""
    inputs = sorted({(a, kind, json.dumps(json.loads(path))) for a, kind, path in events
                     if kind in _INPUTS})
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()


# -- output fingerprints -------------------------------------------------------------------

# graphstore's own custom properties on a path-backed artifact (the quarantine markers'
# naming): its content as written, and why it no longer counts (set with state DELETED).
SIZE = "graphstore_size_bytes"
SHA256 = "graphstore_sha256"
FILE_COUNT = "graphstore_file_count"  # directories only
STALE_REASON = "graphstore_stale_reason"
MARKERS = frozenset({SIZE, SHA256, FILE_COUNT, STALE_REASON})
# "auto" re-hashes outputs up to this size (0.27 s of sha256 on this loaded machine); larger
# ones are checked by size (and file count) unless "hash" is asked for.
HASH_CHECK_MAX_BYTES = 64 << 20
Verify = Literal["auto", "size", "hash", "off"]
VERIFY_MODES: tuple[str, ...] = ("auto", "size", "hash", "off")


def _file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _files(root: Path) -> list[Path]:
    return sorted((f for f in root.rglob("*") if f.is_file()), key=lambda f: f.relative_to(root).as_posix())


def fingerprint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``{"sha256", "size_bytes"}`` of a file; a directory adds ``file_count`` and hashes its
    files' relative paths and contents in sorted order (names and bytes count, timestamps and
    empty directories do not)."""
    p = Path(path)
    if p.is_file():
        digest, size = _file_digest(p)
        return {"sha256": digest, "size_bytes": size}
    if not p.is_dir():
        raise InvalidArgument(f"path: {str(path)!r} is neither a file nor a directory")
    total = hashlib.sha256(b"dir\n")  # a directory never hashes like a file of the same bytes
    size = 0
    files = _files(p)
    for f in files:
        digest, n = _file_digest(f)
        total.update(f"{f.relative_to(p).as_posix()}\0{digest}\n".encode())
        size += n
    return {"sha256": total.hexdigest(), "size_bytes": size, "file_count": len(files)}


def output_markers(found: Mapping[str, Any]) -> dict[str, Any]:
    """The custom properties that record a ``fingerprint()`` result on an artifact."""
    markers = {SIZE: found["size_bytes"], SHA256: found["sha256"]}
    if "file_count" in found:
        markers[FILE_COUNT] = found["file_count"]
    return markers


def local_path(uri: str | None) -> Path | None:
    """The local file an artifact's uri names (a plain path or ``file://``), or None for
    other schemes (``gs://``, ``s3://``, ``http://``…), which graphstore cannot check."""
    if not uri:
        return None
    parts = urlsplit(uri)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        return Path(unquote(parts.path))
    if parts.scheme == "":
        return Path(uri)
    return None


def stale_reason(uri: str | None, custom_properties: Mapping[str, Any],
                 verify: Verify = "auto") -> str | None:
    """Why an artifact's recorded content is no longer at its uri, or None when it is (or
    cannot be checked: no recorded fingerprint, a remote uri, or ``verify="off"``)."""
    recorded_size = custom_properties.get(SIZE)
    path = local_path(uri)
    if verify == "off" or not isinstance(recorded_size, int) or path is None:
        return None
    recorded_files = custom_properties.get(FILE_COUNT)
    try:
        if recorded_files is None:
            if not path.is_file():
                return f"missing: no file at {str(path)!r}"
            size = path.stat().st_size
            if size != recorded_size:
                return f"changed: {str(path)!r} has {size} bytes, {recorded_size} were recorded"
        else:
            if not path.is_dir():
                return f"missing: no directory at {str(path)!r}"
            files = _files(path)
            size = sum(f.stat().st_size for f in files)
            if (len(files), size) != (recorded_files, recorded_size):
                return (f"changed: {str(path)!r} has {len(files)} files of {size} bytes, "
                        f"{recorded_files} files of {recorded_size} bytes were recorded")
        recorded_hash = custom_properties.get(SHA256)
        hashed = verify == "hash" or (verify == "auto" and size <= HASH_CHECK_MAX_BYTES)
        if recorded_hash and hashed and fingerprint(path)["sha256"] != recorded_hash:
            return f"changed: the content of {str(path)!r} differs from the recorded sha256"
    except OSError as exc:  # unreadable now: it does not hold what was recorded, for us
        return f"unreadable: {str(path)!r}: {exc.strerror or exc}"
    return None
