"""Loads MLMD's own test file, unmodified, from the installed ml-metadata wheel.

The file does ``import ml_metadata as mlmd`` and calls ``mlmd.MetadataStore(config)``, and its
parameterized tests capture ``mlmd.MetadataStore.put_artifact_type`` and friends when the
class is defined. So the file is executed under a fresh module name while ``sys.modules``
maps ``ml_metadata`` to a shim whose ``MetadataStore`` is graphstore's; afterwards the real
package is back in place (the importer tests build real MLMD stores in the same session).
"""

from __future__ import annotations

import importlib.util
import sys
import types
from typing import Any

import ml_metadata
from ml_metadata.metadata_store import metadata_store_test as _located  # noqa: F401 (proves it ships)

SUITE_MODULE = "ml_metadata.metadata_store.metadata_store_test"
# MLMD's schema migration tests (downgrade_schema / enable_upgrade_migration on an MLMD SQLite
# file). graphstore has no MLMD schema to migrate; MLMD itself marks both xfail(run=False).
EXCLUDED = {
    "test_downgrade_metadata_store": "MLMD SQLite schema migration (downgrade_schema): "
                                     "graphstore stores carry no MLMD schema",
    "test_enable_metadata_store_upgrade_migration": "MLMD SQLite schema migration "
                                                    "(enable_upgrade_migration): graphstore "
                                                    "stores carry no MLMD schema",
}


def load_suite(name: str, store_class: type, downgrade: Any) -> types.ModuleType:
    """Execute MLMD's test file as module ``name`` with ``mlmd.MetadataStore = store_class``."""
    spec = importlib.util.find_spec(SUITE_MODULE)
    assert spec is not None and spec.origin is not None and spec.loader is not None
    shim = types.ModuleType("ml_metadata")
    shim.__dict__.update(vars(ml_metadata))
    shim.MetadataStore = store_class  # type: ignore[attr-defined]
    shim.downgrade_schema = downgrade  # type: ignore[attr-defined]
    module_spec = importlib.util.spec_from_file_location(name, spec.origin)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    real = sys.modules["ml_metadata"]
    sys.modules["ml_metadata"] = shim
    try:
        module_spec.loader.exec_module(module)
    finally:
        sys.modules["ml_metadata"] = real
    return module
