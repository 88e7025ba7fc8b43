"""The documented limits: one table, enforced in validation, identical on every engine.

Each limit is data (a row of ``LIMITS``), not a branch in an engine: the API checks input
against it before any statement runs, and a violation is an ``InvalidArgument`` naming the
field, the limit and the (abridged) value. ``docs/limits.md`` is generated from this table
(a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidArgument

__all__ = ["BATCH_RECORDS", "INT64", "LIMITS", "Limit", "NAMESPACE_NAME", "PROTO_BYTES", "STRUCT_BYTES", "STRUCT_DEPTH",
           "abridge", "check_max", "markdown_table", "over_limit"]


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit: its key, the largest allowed value, the unit it counts in and why it exists."""

    key: str
    maximum: int
    unit: str
    why: str


# Rows are added by the validation that enforces them; keep them grouped by subject.
LIMITS: dict[str, Limit] = {}


def _add(key: str, maximum: int, unit: str, why: str) -> Limit:
    limit = Limit(key, maximum, unit, why)
    LIMITS[key] = limit
    return limit


def abridge(value: object, width: int = 60) -> str:
    """``repr(value)`` cut to about ``width`` characters, saying how long the whole was."""
    text = repr(value)
    if len(text) <= width:
        return text
    size = f"{len(value)} characters" if isinstance(value, str) else f"{len(text)} characters as text"
    return f"{text[: width - 1]}… ({size})"


def over_limit(limit: Limit, measured: int) -> str:
    """The words for a violation: ``12 characters is over the limit of 10 (key)``."""
    return f"{measured} {limit.unit} is over the limit of {limit.maximum} ({limit.key})"


def markdown_table() -> str:
    """The table of ``LIMITS`` as docs/limits.md shows it (between its limits markers)."""
    lines = ["| limit | maximum | unit | why |", "| --- | --- | --- | --- |"]
    for row in LIMITS.values():
        lines.append(f"| `{row.key}` | {row.maximum:,} | {row.unit} | {row.why} |")
    return "\n".join(lines)


def check_max(limit: Limit, field: str, measured: int, value: object) -> None:
    """Raise ``InvalidArgument`` when ``measured`` exceeds ``limit.maximum``."""
    if measured > limit.maximum:
        raise InvalidArgument(f"{field}: {over_limit(limit, measured)}; got {abridge(value)}")


# -- filter queries (graphstore.filters: checked while parsing, before any statement) --------
# Measured on Neo4j 5.26 and SQLite 3.40 (decision 39): Neo4j's first planning of a query grows
# with its terms (100 property terms: 14 s cold on a machine loaded 10x over, 0.1 s once
# cached); far past the limit its planner overflows its stack and SQLite refuses the tree.
FILTER_QUERY_LENGTH = _add(
    "filter.query_length", 1_000_000, "characters",
    "a filter query's text (room for the largest IN lists)")
FILTER_TERMS = _add(
    "filter.terms", 100, "terms",
    "predicates (comparisons, LIKE, IN, IS NULL) in one filter query; an IN list is one term")
FILTER_IN_VALUES = _add(
    "filter.in_values", 10_000, "values",
    "values in the IN lists of one filter query, all lists together")
FILTER_LIKE_PATTERN = _add(
    "filter.like_pattern", 4_096, "characters", "one LIKE pattern")
FILTER_LIKE_WILDCARDS = _add(
    "filter.like_wildcards", 32, "wildcards", "'%' and '_' in one LIKE pattern")


# -- strings in indexed fields (graphstore._validate: checked on every record written) ------
# Neo4j's range index and uniqueness keys hold at most 8,164 UTF-8 bytes in all (measured on
# 5.26: 8,164 ASCII or 2,041 four-byte characters in one property; 4,075 + 4,075 in the
# (kind, name, version) key). 1,000 characters of any script fit twice in that key.
STRING_IDENTIFIER = _add(
    "string.identifier", 1_000, "characters",
    "a type's name, version and external_id; a node's name, external_id and type; MLMD's "
    "MySQL backend keeps these in VARCHAR(255)")


# -- namespaces (graphstore._namespace: checked when a store opens) -------------------------
# ASCII only, so the namespace adds at most 64 bytes to Neo4j's (namespace, kind, name,
# version) uniqueness key: two 1,000-character identifiers of four-byte characters still fit.
NAMESPACE_NAME = _add(
    "namespace.name", 64, "characters",
    "a namespace's name: ASCII letters, digits, '-', '_' and '.', starting with a letter or "
    "digit; 'default' names the default namespace")


# -- values: integers, STRUCT / PROTO payloads, batches (enforced in _validate, values, models) --
INT64 = _add(
    "int64", 2**63 - 1, "integer value (the smallest is -2**63)",
    "Every integer the API takes (ids, type ids, times, limits, hop counts, path indexes) is "
    "a 64-bit integer, as in MLMD's protos; neither engine can bind a larger one.")
STRUCT_DEPTH = _add(
    "struct_depth", 64, "levels",
    "A STRUCT is JSON; deeper values would exhaust Python's recursion while encoding. MLMD "
    "itself refuses a Struct nested about 40 deep (protobuf's parse limit), so every STRUCT "
    "MLMD can hold fits.")
STRUCT_BYTES = _add(
    "struct_bytes", 16 * 2**20, "bytes of JSON",
    "A property is a value, not a file: MLMD's MySQL schema holds at most 16 MiB per value, and "
    "a bigger one makes the whole transaction (and every listing that returns it) that big.")
PROTO_BYTES = _add(
    "proto_bytes", 16 * 2**20, "bytes (serialized value)",
    "As struct_bytes: the serialized message of a PROTO value.")
BATCH_RECORDS = _add(
    "batch_records", 50_000, "records in one call",
    "One call is one transaction: 100,000 artifacts in one put_artifacts exhausted a Neo4j "
    "server's transaction memory (768 MiB heap: MemoryPoolOutOfMemoryError after 146 s of "
    "driver retries; nothing written), and 300,000 crashed it (Java heap space: the server "
    "exited). 50,000 is the chunk the benchmarks write with. Nodes, "
    "events and links given to one call count together; split bigger writes into several calls.")


# -- the HTTP service (graphstore.server: checked on every request) -------------------------
HTTP_PAGE_SIZE = _add(
    "http.page_size", 1_000, "nodes",
    "one page of graphstore's JSON API (listings, search, upstream/downstream): each node is "
    "sent with its record; page on with the next token")
HTTP_GRAPH_NODES = _add(
    "http.graph_nodes", 2_000, "nodes",
    "one lineage picture of the JSON API (/lineage), nearest first: a browser draws no more; "
    "deep answers page through upstream/downstream")


# -- the OpenLineage intake (graphstore.openlineage, graphstore.server) ------------------------
OPENLINEAGE_BATCH_EVENTS = _add(
    "openlineage.batch_events", 10_000, "events in one call or batch request",
    "One ingest is one transaction; an event writes a handful of records, so 10,000 events stay "
    "well under batch_records' transaction size.")
OPENLINEAGE_BODY_BYTES = _add(
    "openlineage.body_bytes", 64 * 2**20, "bytes of request body (after gunzip)",
    "What the HTTP intake reads of one request; a gzip body is inflated at most this far, so a "
    "small compressed body cannot fill the server's memory.")

# -- the web UI (graphstore.server._ui_data) -------------------------------------------------
# The picture is laid out in Python (graphstore._layout) on each expand: 1,000 nodes with 1,497
# events took 1.2 s and 700 KiB of SVG (2 cores under a load of ~28), and are more than a
# screen can tell apart.
UI_PICTURE_NODES = _add(
    "ui.picture_nodes", 1_000, "nodes",
    "nodes in one lineage picture of the web UI (expand less, or use the API's paged lineage)")
