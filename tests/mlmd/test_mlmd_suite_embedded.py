"""MLMD's metadata_store_test.py, unmodified, on the embedded engine (SQLite in memory)."""

from __future__ import annotations

import pytest

pytest.importorskip("ml_metadata", reason="ml-metadata is not installed (pip install '.[mlmd]'; "
                                          "wheels exist for Python 3.9-3.11 only)")

from graphstore.mlmd import MetadataStore, downgrade_schema
from tests.mlmd._suite import load_suite

MetadataStoreTest = load_suite("mlmd_suite_embedded", MetadataStore, downgrade_schema).MetadataStoreTest
