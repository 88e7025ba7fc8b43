"""The installed ``ml-metadata`` package, seen through a small typed facade.

ml_metadata ships ``py.typed`` but its generated ``*_pb2`` modules have no stubs, so mypy
would reject every message class. The modules are imported here once, as ``Any``; the rest
of graphstore.mlmd uses these names and never imports ml_metadata itself.
"""

from __future__ import annotations

import importlib
from typing import Any

from .._install import pip_install

__all__ = ["Message", "ExtraOptions", "ListOptions", "OrderByField", "errors", "json_format",
           "mlmd_store_class", "pb", "struct_pb2"]

Message = Any  # a metadata_store_pb2 message (Artifact, ArtifactType, Event, ...)

try:
    pb: Any = importlib.import_module("ml_metadata.proto.metadata_store_pb2")
    errors: Any = importlib.import_module("ml_metadata.errors")
    _store_module: Any = importlib.import_module("ml_metadata.metadata_store.metadata_store")
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "graphstore.mlmd needs the ml-metadata package (its protos and error classes): "
        f"{pip_install('mlmd')} (ml-metadata 1.17 has wheels for Python 3.9-3.11)"
    ) from exc

json_format: Any = importlib.import_module("google.protobuf.json_format")
struct_pb2: Any = importlib.import_module("google.protobuf.struct_pb2")

# MLMD's own option classes: code written for MLMD passes these, so they are re-exported
# as they are rather than imitated.
ListOptions: Any = _store_module.ListOptions
OrderByField: Any = _store_module.OrderByField
ExtraOptions: Any = _store_module.ExtraOptions


def mlmd_store_class() -> Any:
    """MLMD's own MetadataStore (the importer reads source stores through it)."""
    return _store_module.MetadataStore
