"""Operations → Cypher for Neo4j 5.26+.

Fixed statements live in ``cypher/statements.cypher``; this module fills in their labels and
builds the few statements whose shape depends on the call (node queries with filters).

Graph encoding (see cypher/README.md): a node's declared and custom properties are stored as
``properties.NAME`` / ``custom_properties.NAME`` node properties; STRUCT and PROTO values as
JSON text, with their keys listed in ``_struct`` / ``_proto`` so they can be decoded.
"""

from __future__ import annotations

import re
from typing import Any

from .. import ops
from .._resources import cypher_statements
from ..errors import InvalidArgument
from ..kinds import CONTEXT_LINK, KIND_SPECS, NodeKind, spec_of
from ..models import EventType, PropertyType
from ..values import decode_value
from .base import Compiled, Rows, Statement, batch_statements, first_column, no_result, read_batch_parts, split_results

__all__ = ["CypherCompiler", "RESERVED_LABELS", "index_key", "quote", "type_labels"]

PROPS_PREFIX = "properties."
CUSTOM_PREFIX = "custom_properties."
# Uris and declared INT/DOUBLE/STRING/BOOLEAN properties are indexed through a shadow property
# ``_key.<name>``: the value itself, or a string's bounded prefix; the full value stays visible
# in ``<name>`` (decision 40). Every declared type gets the shadow, not only STRING: another
# type may declare the same name STRING, and an index on the visible key would then meet long
# strings. 1,000 characters are at most 4,000 UTF-8 bytes; a range index key holds 8,164.
KEY_PREFIX = "_key."
KEY_CHARS = 1_000
URI_KEY = KEY_PREFIX + "uri"
INDEXED_TYPES = frozenset({PropertyType.INT, PropertyType.DOUBLE, PropertyType.STRING, PropertyType.BOOLEAN})
RESERVED_LABELS = frozenset(
    {s.label for s in KIND_SPECS.values()} | {s.type_label for s in KIND_SPECS.values()}
    | {"Type", "GraphstoreSequence", "GraphstoreSchema"})
_PLACEHOLDER = re.compile(r"\{(Labels|Label|TypeLabel|REL)\}")


def quote(name: str) -> str:
    """The one way a name (label, relationship type, property key) enters Cypher text.

    Back-quotes it, doubling any back-quote inside, so no name can end the identifier early.
    """
    if not isinstance(name, str) or not name or "\x00" in name:
        raise InvalidArgument(f"name {name!r} cannot be used as a Neo4j label or key")
    return "`" + name.replace("`", "``") + "`"


def type_labels(type_name: str) -> list[str]:
    """The extra label a node gets for its type; none when it would collide with ours."""
    return [] if type_name in RESERVED_LABELS else [type_name]


def _fill(name: str, **names: str | list[str]) -> str:
    """A statement from statements.cypher with its label placeholders filled; a list fills
    in several labels (``A:B``), each through quote()."""
    text = cypher_statements()[name]

    def sub(match: re.Match[str]) -> str:
        value = names[match.group(1)]
        return ":".join(quote(v) for v in value) if isinstance(value, list) else quote(value)
    return _PLACEHOLDER.sub(sub, text)


def index_key(value: str) -> str:
    """The bounded prefix of ``value`` that the shadow ``_key.*`` property holds; Cypher's
    ``left()`` counts characters as Python does, so migrations compute the same key."""
    return value[:KEY_CHARS]


def _node_props(kind: NodeKind, row: ops.NodeRow) -> dict[str, Any]:
    props: dict[str, Any] = dict(row.fields)
    props.update(id=row.id, type_id=row.type_id, type=row.type_name,
                 create_time_since_epoch=row.create_time,
                 last_update_time_since_epoch=row.update_time)
    struct: list[str] = []
    proto: list[str] = []
    for p in row.props:
        key = (CUSTOM_PREFIX if p.custom else PROPS_PREFIX) + p.name
        props[key] = p.value
        if p.ptype in INDEXED_TYPES and not p.custom:
            props[KEY_PREFIX + key] = index_key(p.value) if isinstance(p.value, str) else p.value
        if p.ptype is PropertyType.STRUCT:
            struct.append(key)
        elif p.ptype is PropertyType.PROTO:
            proto.append(key)
    if isinstance(props.get("uri"), str):
        props[URI_KEY] = index_key(props["uri"])
    props["_struct"] = struct or None
    props["_proto"] = proto or None
    return {k: v for k, v in props.items() if v is not None}


_PROPS_CUT, _CUSTOM_CUT = len(PROPS_PREFIX), len(CUSTOM_PREFIX)


def _decode_node(raw: dict[str, Any]) -> dict[str, Any]:
    raw.pop("input_fingerprint", None)  # bookkeeping, not part of the record
    raw.pop("namespace", None)  # the scope of its external id: the store's own namespace
    struct = raw.pop("_struct", None)
    proto = raw.pop("_proto", None)
    props: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    node: dict[str, Any] = {"properties": props, "custom_properties": custom}
    for key, value in raw.items():
        if key.startswith(PROPS_PREFIX):
            props[key[_PROPS_CUT:]] = value
        elif key.startswith(KEY_PREFIX):  # index shadows of long strings: bookkeeping
            continue
        elif key.startswith(CUSTOM_PREFIX):
            custom[key[_CUSTOM_CUT:]] = value
        else:
            node[key] = value
    # STRUCT / PROTO values are JSON text; they are rare, so they are fixed up afterwards
    for keys, ptype in ((struct, PropertyType.STRUCT), (proto, PropertyType.PROTO)):
        for key in keys or ():
            target, name = ((props, key[_PROPS_CUT:]) if key.startswith(PROPS_PREFIX)
                            else (custom, key[_CUSTOM_CUT:]))
            if name in target:
                target[name] = decode_value(ptype, target[name])
    return node


NODE_CHUNK = 1000  # node maps per Bolt record (see _NodeQuery)


def _decode_nodes(results: list[Rows]) -> list[dict[str, Any]]:
    return [_decode_node(raw) for row in results[-1] for raw in row["nodes"]]


_INPUTS = frozenset(ops.INPUT_KINDS)
# After `MATCH (x)<arrow>[r]<arrow>(y)` from a reached x: the clauses that make x the event's
# data-flow source and y its target (the downstream arrow already points that way).
_FLOW_ORDER: dict[ops.Direction, list[str]] = {
    ops.Direction.DOWNSTREAM: [],
    ops.Direction.UPSTREAM: ["WITH r, y AS x, x AS y"],
    ops.Direction.BIDIRECTIONAL: ["WITH DISTINCT r", "WITH r, startNode(r) AS x, endNode(r) AS y"],
}


def _decode_edges(results: list[Rows]) -> list[list[Any]]:
    """LineageEdges' one record of [source, target, kind, ...] (data-flow order) ->
    [artifact_id, execution_id, kind, ...] lists."""
    rows = results[-1]
    edges: list[list[Any]] = rows[0]["edges"] if rows else []
    for edge in edges:
        if edge[2] not in _INPUTS:  # an output: execution -> artifact
            edge[0], edge[1] = edge[1], edge[0]
    return edges


def _decode_type(raw: dict[str, Any]) -> dict[str, Any]:
    t: dict[str, Any] = {"properties": {}}
    for key, value in raw.items():
        if key.startswith(PROPS_PREFIX):
            t["properties"][key[_PROPS_CUT:]] = PropertyType(value)
        elif key not in ("kind", "namespace"):
            t[key] = value
    t["version"] = t.get("version") or None
    return t


def _decode_types(results: list[Rows]) -> list[dict[str, Any]]:
    return [_decode_type(row["t"]) for row in results[-1]]


# A $parameter outside back-quoted names and string literals (a type name may contain "$").
_PARAM_TOKENS = re.compile(r"`(?:[^`]|``)*`|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\$(\w+)")


def _columns(text: str) -> list[str]:
    """The column names of a statement's final RETURN (every column has an ``AS`` name in
    graphstore's statements)."""
    at = text.rfind("\nRETURN ")
    clause = text[at + 1 if at >= 0 else 0:].split("\nORDER BY")[0]
    if not clause.startswith("RETURN "):
        raise TypeError(f"ReadBatch: no final RETURN in {text[:80]!r}")
    names = re.findall(r"\bAS\s+(\w+)\s*(?=,|$)", clause)
    if not names:
        raise TypeError(f"ReadBatch: the RETURN of {text[:80]!r} names no column")
    return names


def _prefix_params(text: str, prefix: str) -> str:
    """``text`` with every ``$name`` renamed ``$<prefix>name`` (statements merged into one
    must not share parameter names)."""
    return _PARAM_TOKENS.sub(lambda m: f"${prefix}{m.group(1)}" if m.group(1) else m.group(0), text)


class CypherCompiler:
    """Compiles operations to Cypher statements with parameters."""

    def compile(self, op: ops.Op) -> Compiled:
        method = getattr(self, "_" + type(op).__name__)
        return method(op)  # type: ignore[no-any-return]

    # -- types ---------------------------------------------------------------------------
    def _GetTypes(self, op: ops.GetTypes) -> Compiled:
        params = {
            "ids": list(op.ids) if op.ids is not None else None,
            "keys": [list(k) for k in op.keys] if op.keys is not None else None,
            "names": list(op.names) if op.names is not None else None,
            "external_ids": list(op.external_ids) if op.external_ids is not None else None,
            "namespace": op.namespace,
        }
        text = _fill("get_types", TypeLabel=spec_of(op.kind).type_label)
        return Compiled([Statement(text, params)], _decode_types)

    def _GetTypesMany(self, op: ops.GetTypesMany) -> Compiled:
        queries = [{
            "index": i, "kind": q.kind.value,
            "ids": list(q.ids) if q.ids is not None else None,
            "keys": [list(k) for k in q.keys] if q.keys is not None else None,
            "names": list(q.names) if q.names is not None else None,
            "external_ids": list(q.external_ids) if q.external_ids is not None else None,
            "namespace": q.namespace,
        } for i, q in enumerate(op.queries)]

        def decode(results: list[Rows]) -> list[list[dict[str, Any]]]:
            out: list[list[dict[str, Any]]] = [[] for _ in op.queries]
            for row in results[-1]:
                out[row["query"]].append(_decode_type(row["t"]))
            return out
        return Compiled([Statement(_fill("get_types_many"), {"queries": queries})], decode)

    def _type_props(self, kind: NodeKind, row: ops.TypeRow) -> dict[str, Any]:
        props: dict[str, Any] = {
            "id": row.id, "kind": kind.value, "name": row.name, "version": row.version,
            "description": row.description, "external_id": row.external_id,
            "base_type": row.base_type, "namespace": row.namespace}
        props.update({PROPS_PREFIX + n: int(t) for n, t in row.properties})
        return {k: v for k, v in props.items() if v is not None}

    def _InsertType(self, op: ops.InsertType) -> Compiled:
        text = _fill("insert_type", TypeLabel=spec_of(op.kind).type_label)
        return Compiled([Statement(text, {"props": self._type_props(op.kind, op.row)})], no_result)

    def _UpdateType(self, op: ops.UpdateType) -> Compiled:
        text = _fill("update_type", TypeLabel=spec_of(op.kind).type_label)
        params = {"id": op.row.id, "props": self._type_props(op.kind, op.row)}
        return Compiled([Statement(text, params)], no_result)

    # -- nodes ---------------------------------------------------------------------------
    def _AllocateIds(self, op: ops.AllocateIds) -> Compiled:
        counts = dict(op.counts)
        # sorted: every writer locks the sequence nodes in the same order (no deadlock)
        stmt = Statement(_fill("allocate_ids"), {"counts": [[n, counts[n]] for n in sorted(counts)]})
        return Compiled([stmt], lambda res: {r["name"]: r["value"] - counts[r["name"]] + 1
                                             for r in res[-1]})

    def _InsertNodes(self, op: ops.InsertNodes) -> Compiled:
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in op.rows:
            groups.setdefault(r.type_name, []).append(
                {"props": {**_node_props(op.kind, r), "namespace": op.namespace}})
        label = spec_of(op.kind).label
        if not op.contexts:
            return Compiled([Statement(_fill("insert_nodes", Labels=[label, *type_labels(name)]), {"rows": rows})
                             for name, rows in groups.items()], no_result)
        rel = CONTEXT_LINK[op.kind].value.rel_type
        contexts = list(op.contexts)
        return Compiled([Statement(_fill("insert_linked_nodes", Labels=[label, *type_labels(name)], REL=rel),
                                   {"rows": rows, "contexts": contexts})
                         for name, rows in groups.items()], no_result)

    def _UpdateNodes(self, op: ops.UpdateNodes) -> Compiled:
        rows = [{"id": r.id, "props": _node_props(op.kind, r)} for r in op.rows]
        text = _fill("update_nodes", Label=spec_of(op.kind).label)
        return Compiled([Statement(text, {"rows": rows})], no_result)

    def _DeleteNodes(self, op: ops.DeleteNodes) -> Compiled:
        text = _fill("delete_nodes", Label=spec_of(op.kind).label)
        return Compiled([Statement(text, {"ids": list(op.ids)})],
                        lambda res: res[-1][0]["deleted"])

    def _ExistingIds(self, op: ops.ExistingIds) -> Compiled:
        text = _fill("existing_ids", Label=spec_of(op.kind).label)
        params = {"ids": list(op.ids), "scope": list(op.scope) if op.scope is not None else None}
        return Compiled([Statement(text, params)], lambda r: set(r[-1][0]["ids"]))

    def _NodeQuery(self, op: ops.NodeQuery) -> Compiled:
        label = quote(spec_of(op.kind).label)
        lines: list[str] = []
        where: list[str] = []
        params: dict[str, Any] = {}
        if op.linked is not None:
            rel = op.linked.relation.value
            other = quote(spec_of(rel.source if not op.linked.as_source else NodeKind.CONTEXT).label)
            arrow = (f"(n:{label})-[:{quote(rel.rel_type)}]->(o:{other} {{id: $other_id}})"
                     if op.linked.as_source else
                     f"(o:{other} {{id: $other_id}})-[:{quote(rel.rel_type)}]->(n:{label})")
            lines.append(f"MATCH {arrow}")
            params["other_id"] = op.linked.other_id
        else:
            lines.append(f"MATCH (n:{label})")
        for key, values in (("id", op.ids), ("type_id", op.type_ids), ("name", op.names),
                            ("uri", op.uris), ("external_id", op.external_ids),
                            ("input_fingerprint", op.input_fingerprints)):
            if values is not None:
                if key == "uri":  # the index is on the bounded key; the full value decides
                    where.append(f"n.{quote(URI_KEY)} IN $uri_keys")
                    params["uri_keys"] = [index_key(str(v)) for v in values]
                where.append(f"n.{key} IN ${key}s")
                params[f"{key}s"] = list(values)
        if op.filter is not None:
            # imported here: filter_cypher uses this module's quote()
            from .filter_cypher import compile_filter_cypher

            matches, condition, fparams = compile_filter_cypher(op.filter, op.kind, "n")
            if matches:
                lines.append(matches)
            if condition:
                where.append(f"({condition})")
            params.update(fparams)
        order = f"n.{op.order_by.value}"
        by_id = op.order_by is ops.OrderBy.ID
        direction, cmp = ("DESC", "<") if op.descending else ("ASC", ">")
        if op.after is not None and by_id:
            where.append(f"n.id {cmp} $after_id")
            params["after_id"] = op.after[1]
        elif op.after is not None:
            # a range on the order's own index first: Neo4j then walks it from the keyset in
            # index order (PartialTop) instead of a union of two seeks sorted whole per page
            where.append(f"{order} {cmp}= $after_value AND "
                         f"[{order}, n.id] {cmp} [$after_value, $after_id]")
            params.update(after_value=op.after[0], after_id=op.after[1])
        if op.scope is not None:
            # no index has type_id alone: the namespace is a check on the rows the plan reaches
            where.append("n.type_id IN $scope")
            params["scope"] = list(op.scope)
        if where:
            lines.append("WHERE " + "\n  AND ".join(where))
        sort = f"{order} {direction}" if by_id else f"{order} {direction}, n.id {direction}"
        # Sort and cut the nodes, then project only the page (a map per hit before LIMIT would
        # build every hit's map), and ship the maps in lists of NODE_CHUNK: a Bolt record per
        # node cost ~20 µs in the driver (1.1 s for 50,000 nodes, 0.4 s in a few records).
        # The collected list holds node references, which the sort held already; the maps
        # are built record by record, so the server never holds a whole store's maps.
        lines.append(f"WITH n ORDER BY {sort}" + (" LIMIT $limit" if op.limit is not None else ""))
        if op.limit is not None:
            params["limit"] = op.limit
        lines.append("WITH collect(n) AS ns")
        lines.append(f"UNWIND range(0, size(ns) - 1, {NODE_CHUNK}) AS i")
        lines.append(f"RETURN [x IN ns[i..i + {NODE_CHUNK}] | x {{.*}}] AS nodes")
        return Compiled([Statement("\n".join(lines), params)], _decode_nodes)

    # -- relations -----------------------------------------------------------------------
    def _InsertEvents(self, op: ops.InsertEvents) -> Compiled:
        groups: dict[str, list[dict[str, Any]]] = {}
        for e in op.rows:
            groups.setdefault(e.type, []).append({
                "id": e.id, "artifact_id": e.artifact_id, "execution_id": e.execution_id,
                "path": e.path, "time": e.time})
        return Compiled([
            Statement(_fill("insert_input_events" if EventType[kind].is_input else "insert_output_events",
                            REL=kind), {"rows": rows})
            for kind, rows in groups.items()], no_result)

    def _GetEvents(self, op: ops.GetEvents) -> Compiled:
        stmts = []
        if op.artifact_ids is not None:
            stmts.append(Statement(_fill("get_events_by_artifacts"), {"ids": list(op.artifact_ids)}))
        if op.execution_ids is not None:
            stmts.append(Statement(_fill("get_events_by_executions"),
                                   {"ids": list(op.execution_ids)}))

        def decode(results: list[Rows]) -> Rows:
            seen: dict[tuple[Any, ...], dict[str, Any]] = {}
            for rows in results:
                for a, e, kind, path, ms in rows[0]["events"]:
                    seen.setdefault((a, e, kind), {"artifact_id": a, "execution_id": e, "type": kind,
                                                   "path": path, "milliseconds_since_epoch": ms})
            return list(seen.values())
        return Compiled(stmts, decode)

    def _Link(self, op: ops.Link) -> Compiled:
        rel = op.relation.value
        text = _fill("link", Label=spec_of(rel.source).label, REL=rel.rel_type)
        return Compiled([Statement(text, {"pairs": [list(p) for p in op.pairs]})], no_result)

    def _SetInputFingerprints(self, op: ops.SetInputFingerprints) -> Compiled:
        pairs = [list(p) for p in op.pairs]
        return Compiled([Statement(_fill("set_input_fingerprints"), {"pairs": pairs})], no_result)

    def _WriteBatch(self, op: ops.WriteBatch) -> Compiled:
        # One round trip costs more than a statement's work for the small writes of one API
        # call (~1.4 ms here), so the steps become CALL subqueries of one statement; each runs
        # to completion, in order, before the next, and sees what the earlier ones wrote.
        statements = batch_statements(self, op.steps)
        if len(statements) <= 1:
            return Compiled(statements, no_result)
        parts: list[str] = []
        params: dict[str, Any] = {}
        for i, stmt in enumerate(statements):
            prefix = f"s{i}_"
            parts.append("CALL () {\n" + _prefix_params(stmt.text, prefix) + "\n}")
            params.update({prefix + key: value for key, value in stmt.params.items()})
        return Compiled([Statement("\n".join(parts), params)], no_result)

    def _ReadBatch(self, op: ops.ReadBatch) -> Compiled:
        # As _WriteBatch: one statement. Each step's statements become subqueries that
        # collect their rows into one list (a subquery without rows would end the statement),
        # rebuilt into rows here and decoded by the step's own decoder.
        parts = read_batch_parts(self, op.steps)
        statements = [s for p in parts for s in p.statements]
        if len(statements) <= 1:
            return Compiled(statements, lambda res: split_results(parts, res))
        lines: list[str] = []
        params: dict[str, Any] = {}
        columns = [_columns(s.text) for s in statements]
        for i, (stmt, cols) in enumerate(zip(statements, columns, strict=True)):
            prefix = f"s{i}_"
            row = ", ".join(quote(c) for c in cols)
            lines.append("CALL () {\nCALL () {\n" + _prefix_params(stmt.text, prefix)
                         + f"\n}}\nRETURN collect([{row}]) AS r{i}\n}}")
            params.update({prefix + key: value for key, value in stmt.params.items()})
        lines.append("RETURN " + ", ".join(f"r{i}" for i in range(len(statements))))

        def decode(results: list[Rows]) -> list[Any]:
            record = results[-1][0]
            rows = [[dict(zip(cols, values, strict=True)) for values in record[f"r{i}"]]
                    for i, cols in enumerate(columns)]
            return split_results(parts, rows)
        return Compiled([Statement("\n".join(lines), params)], decode)

    def _PropertyIndexes(self, op: ops.PropertyIndexes) -> Compiled:
        # On the bounded shadow keys (decision 40); Neo4j names them and IF NOT EXISTS makes
        # repeats free.
        label = quote(spec_of(op.kind).label)
        return Compiled([Statement(f"CREATE RANGE INDEX IF NOT EXISTS FOR (n:{label}) "
                                   f"ON (n.{quote(KEY_PREFIX + PROPS_PREFIX + name)})") for name in op.names],
                        no_result)

    def _IndexStates(self, op: ops.IndexStates) -> Compiled:
        # found by schema, not by name: an older store's equivalent index has another name
        text = ("SHOW RANGE INDEXES YIELD name, state, labelsOrTypes, properties, failureMessage\n"
                "WHERE labelsOrTypes = [$label] AND size(properties) = 1 AND properties[0] IN $keys\n"
                "RETURN name, state, properties[0] AS key, failureMessage AS failure ORDER BY name")
        params = {"label": spec_of(op.kind).label, "keys": [KEY_PREFIX + PROPS_PREFIX + n for n in op.names]}
        return Compiled([Statement(text, params)], lambda res: res[-1])

    def _DropIndexes(self, op: ops.DropIndexes) -> Compiled:
        return Compiled([Statement(f"DROP INDEX {quote(name)} IF EXISTS") for name in op.names],
                        no_result)

    def _Ancestors(self, op: ops.Ancestors) -> Compiled:
        stmt = Statement(_fill("ancestors"), {"ids": list(op.ids)})
        return Compiled([stmt], lambda r: set(first_column(r)))

    # -- lineage -------------------------------------------------------------------------
    def _LineageEdges(self, op: ops.LineageEdges) -> Compiled:
        # DISTINCT end nodes and no path variable: the planner walks each node once
        # (pruning / BFS var-length expand) instead of enumerating paths.
        kinds = "|".join(quote(k) for k in ops.EVENT_KINDS)
        left, right = _ARROWS[op.direction]
        # Neo4j's planner fails ("selectivity was Infinity", or a wrong answer) on a bound of
        # 2**31 or more; no walk has that many hops (one per event), so such a bound is none.
        bounded = op.max_hops is not None and op.max_hops < _HOPS_NO_BOUND
        hops = str(int(op.max_hops)) if bounded else ""  # type: ignore[arg-type]
        text = "\n".join([
            "CALL () {",
            "  MATCH (s:Artifact) WHERE s.id IN $artifact_ids RETURN s",
            "  UNION",
            "  MATCH (s:Execution) WHERE s.id IN $execution_ids RETURN s",
            "}",
            f"MATCH (s){left}[:{kinds}*0..{hops}]{right}(x)",
            "WITH DISTINCT x",
            f"MATCH (x){left}[r:{kinds}]{right}(y)",
            # Each row is [data-flow source id, target id, kind, ...]; _decode_edges orders
            # it as [artifact, execution] in Python, cheaper than label checks per row here.
            # A directed expand meets each event once (from its one reached end); undirected
            # meets an event between two reached nodes twice, hence DISTINCT there.
            *_FLOW_ORDER[op.direction],
            # One record of lists, not a record per event: Bolt records cost far more than
            # list items to ship and decode (1.7 s vs 0.3 s for 20,000 events).
            "RETURN collect([x.id, y.id, type(r)" + (", r.path, r.milliseconds_since_epoch" if op.details else "")
            + "]) AS edges",
        ])
        params = {"artifact_ids": list(op.artifact_ids), "execution_ids": list(op.execution_ids)}
        return Compiled([Statement(text, params)], _decode_edges)

    def _LineageWalk(self, op: ops.LineageWalk) -> Compiled:
        from .walk_cypher import compile_walk

        return compile_walk(op, quote)

    def _MarkNodes(self, op: ops.MarkNodes) -> Compiled:
        # One statement over the whole set; a node already marked keeps its first marks.
        label = quote(spec_of(op.kind).label)
        reason, root = quote(CUSTOM_PREFIX + op.reason_key), quote(CUSTOM_PREFIX + op.root_key)
        text = (f"UNWIND $pairs AS p MATCH (n:{label} {{id: p[0]}}) WHERE n.{reason} IS NULL "
                f"SET n.{reason} = $reason, n.{root} = p[1] RETURN count(n) AS n")
        return Compiled([Statement(text, {"pairs": [list(p) for p in op.roots], "reason": op.reason})],
                        lambda res: res[-1][0]["n"])

    def _GetLinks(self, op: ops.GetLinks) -> Compiled:
        rel = op.relation.value
        text = (f"MATCH (s:{quote(spec_of(rel.source).label)})-[:{quote(rel.rel_type)}]->"
                f"(c:Context)\nWHERE s.id IN $ids\n"
                "RETURN s.id AS source, c.id AS target ORDER BY source, target")
        return Compiled([Statement(text, {"ids": list(op.source_ids)})], lambda res: res[-1])



_HOPS_NO_BOUND = 2**31 - 1

_ARROWS = {
    ops.Direction.UPSTREAM: ("<-", "-"),
    ops.Direction.DOWNSTREAM: ("-", "->"),
    ops.Direction.BIDIRECTIONAL: ("-", "-"),
}
