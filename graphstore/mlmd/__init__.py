"""MLMD drop-in: run ``ml_metadata`` code on graphstore, and bring MLMD stores over.

Needs the ``mlmd`` extra (``pip install 'graphstore-lineage[mlmd]'``: ml-metadata's protos and error
classes). Switch a program with one import line::

    from graphstore.mlmd import metadata_store       # was: from ml_metadata import metadata_store
    import graphstore.mlmd as mlmd                     # was: import ml_metadata as mlmd

:func:`import_mlmd` copies an MLMD database into a graphstore store keeping every id, then
:func:`verify_import` compares the two.
"""

from __future__ import annotations

from . import metadata_store
from .importer import ImportReport, import_mlmd
from .metadata_store import ExtraOptions, ListOptions, MetadataStore, OrderByField, downgrade_schema
from .verify import VerifyReport, verify_import

__all__ = [
    "ExtraOptions",
    "ImportReport",
    "ListOptions",
    "MetadataStore",
    "OrderByField",
    "VerifyReport",
    "downgrade_schema",
    "import_mlmd",
    "metadata_store",
    "verify_import",
]
