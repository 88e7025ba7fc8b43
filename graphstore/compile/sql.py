"""Operations → SQLite statements.

Lists travel as one JSON parameter read with ``json_each`` rather than as ``IN (?, ?, …)``:
one statement text per operation whatever the list length, and no variable-count limit.
"""

from __future__ import annotations

import json
from typing import Any

from .. import ops
from ..filters.plan import ranges_own_attribute
from ..kinds import CONTEXT_LINK, KIND_SPECS, NodeKind, Relation, spec_of
from ..models import PropertyType
from .base import (
    SCHEMA_VERSION,
    Compiled,
    Rows,
    Statement,
    batch_statements,
    first_column,
    no_result,
    read_batch_parts,
    split_results,
)
from .filter_sql import DRIVER, compile_filter_sql, driving_join
from .node_sql import WINDOW, columns, decode_nodes, node_columns, window_head, window_params, window_start
from .walk_sql import compile_walk

__all__ = ["SCHEMA_VERSION", "SqlCompiler", "namespace_migration", "node_namespace_migration",
           "schema_statements"]

def _json_list(values: Any) -> str:
    return json.dumps(list(values))


def _in(column: str) -> str:
    return f"{column} IN (SELECT value FROM json_each(?))"


# Types carry their namespace ('' is the default one): names and external ids are unique
# within a namespace, and every node has a type, so node names are per namespace too.
_TYPE_TABLE = """CREATE TABLE IF NOT EXISTS {name} (
             id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
             version TEXT NOT NULL DEFAULT '', description TEXT, external_id TEXT,
             base_type TEXT, namespace TEXT NOT NULL DEFAULT '',
             UNIQUE (namespace, kind, name, version), UNIQUE (namespace, kind, external_id))"""


def namespace_migration() -> list[str]:
    """A store made before namespaces gets its type table rebuilt with a namespace column
    (every existing type in the default namespace); SQLite cannot change a UNIQUE in place."""
    return [
        _TYPE_TABLE.format(name="type_v2"),
        "INSERT INTO type_v2 (id, kind, name, version, description, external_id, base_type) "
        "SELECT id, kind, name, version, description, external_id, base_type FROM type",
        "DROP TABLE type",
        "ALTER TABLE type_v2 RENAME TO type",
    ]


def _node_table(kind: NodeKind, name: str) -> str:
    # A node carries its namespace for one reason: external ids are unique per namespace
    # (external_id first, so a lookup or filter by external id alone seeks the same index).
    # Names are unique per type, and a type is in one namespace.
    spec = spec_of(kind)
    extra = "".join(f", {c} TEXT" for c in spec.extra_fields)
    name_rule = " NOT NULL" if kind is NodeKind.CONTEXT else ""
    return f"""CREATE TABLE IF NOT EXISTS {name} (
                  id INTEGER PRIMARY KEY, type_id INTEGER NOT NULL, type TEXT NOT NULL,
                  name TEXT{name_rule}, external_id TEXT{extra},
                  create_time_since_epoch INTEGER NOT NULL,
                  last_update_time_since_epoch INTEGER NOT NULL,
                  namespace TEXT NOT NULL DEFAULT '',
                  UNIQUE (type_id, name), UNIQUE (external_id, namespace))"""


def node_namespace_migration(kind: NodeKind) -> list[str]:
    """A node table made before external ids were per namespace is rebuilt with a namespace
    column (each node's is its type's) and the UNIQUE on (external_id, namespace); SQLite
    cannot change a UNIQUE in place. Its indexes go with the old table: schema_statements()
    makes them again."""
    t = spec_of(kind).table
    cols = ", ".join(columns(kind))
    return [
        f"DROP TABLE IF EXISTS {t}_v2",
        _node_table(kind, f"{t}_v2"),
        # a node's namespace is its type's ('' when the type is in the default one)
        f"INSERT INTO {t}_v2 ({cols}, namespace) SELECT {', '.join('n.' + c for c in columns(kind))}, "
        f"coalesce((SELECT ty.namespace FROM type ty WHERE ty.id = n.type_id), '') FROM {t} n",
        f"DROP TABLE {t}",
        f"ALTER TABLE {t}_v2 RENAME TO {t}",
    ]


def schema_statements() -> list[str]:
    """DDL for a new or existing store; every statement is idempotent."""
    ddl = [
        "CREATE TABLE IF NOT EXISTS graphstore_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS id_sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        _TYPE_TABLE.format(name="type"),
        """CREATE TABLE IF NOT EXISTS type_property (
             type_id INTEGER NOT NULL, name TEXT NOT NULL, data_type INTEGER NOT NULL,
             PRIMARY KEY (type_id, name)) WITHOUT ROWID""",
        """CREATE TABLE IF NOT EXISTS event (
             id INTEGER PRIMARY KEY, artifact_id INTEGER NOT NULL, execution_id INTEGER NOT NULL,
             type TEXT NOT NULL, path TEXT NOT NULL, milliseconds_since_epoch INTEGER NOT NULL,
             UNIQUE (artifact_id, execution_id, type))""",
        "CREATE INDEX IF NOT EXISTS event_execution ON event (execution_id, artifact_id)",
    ]
    for rel in (r.value for r in Relation):
        ddl.append(
            f"""CREATE TABLE IF NOT EXISTS {rel.table} (
                  {rel.source_column} INTEGER NOT NULL, {rel.target_column} INTEGER NOT NULL,
                  PRIMARY KEY ({rel.source_column}, {rel.target_column})) WITHOUT ROWID""")
        ddl.append(f"CREATE INDEX IF NOT EXISTS {rel.table}_target "
                   f"ON {rel.table} ({rel.target_column}, {rel.source_column})")
    for spec in KIND_SPECS.values():
        t = spec.table
        ddl += [
            _node_table(spec.kind, t),
            f"CREATE INDEX IF NOT EXISTS {t}_type ON {t} (type, name)",
            f"CREATE INDEX IF NOT EXISTS {t}_name ON {t} (name)",
            f"CREATE INDEX IF NOT EXISTS {t}_create_time ON {t} (create_time_since_epoch)",
            f"CREATE INDEX IF NOT EXISTS {t}_update_time ON {t} (last_update_time_since_epoch)",
            f"""CREATE TABLE IF NOT EXISTS {t}_property (
                  node_id INTEGER NOT NULL, is_custom INTEGER NOT NULL, name TEXT NOT NULL,
                  data_type INTEGER NOT NULL, value,
                  PRIMARY KEY (node_id, is_custom, name)) WITHOUT ROWID""",
            f"CREATE INDEX IF NOT EXISTS {t}_property_value ON {t}_property (name, is_custom, value)",
        ]
        ddl += [f"CREATE INDEX IF NOT EXISTS {t}_{c} ON {t} ({c})" for c in spec.extra_fields]
    # "same inputs before": executions are found by type and input fingerprint (an index
    # probe, not a scan); the column is maintained by SetInputFingerprints
    ddl.append("""CREATE TABLE IF NOT EXISTS execution_input (
                    execution_id INTEGER PRIMARY KEY, type_id INTEGER NOT NULL,
                    fingerprint TEXT NOT NULL)""")
    ddl.append("CREATE INDEX IF NOT EXISTS execution_input_fingerprint "
               "ON execution_input (type_id, fingerprint)")
    return ddl


NAN_TEXT = "NaN"
"""How SQLite stores a NaN DOUBLE: it has no NaN (a bound NaN becomes NULL), so the text
'NaN' (decode_value's float() reads it back). Filters give it IEEE meaning: see filter_sql."""


def _stored(value: Any) -> Any:
    return NAN_TEXT if isinstance(value, float) and value != value else value


def _decode_edges(results: list[Rows]) -> list[list[Any]]:
    """LineageEdges' one JSON row -> [artifact_id, execution_id, kind, path, ms] lists."""
    rows = results[-1]
    return json.loads(rows[0]["edges"]) if rows else []


def _decode_types(results: list[Rows]) -> list[dict[str, Any]]:
    out = []
    for row in results[-1]:
        t = dict(row)
        t["properties"] = {n: PropertyType(d) for n, d in json.loads(t.pop("props") or "[]")}
        t["version"] = t["version"] or None
        out.append(t)
    return out


class SqlCompiler:
    """Compiles operations to SQLite statements."""

    def compile(self, op: ops.Op) -> Compiled:
        method = getattr(self, "_" + type(op).__name__)
        return method(op)  # type: ignore[no-any-return]

    # -- types ---------------------------------------------------------------------------
    def _GetTypes(self, op: ops.GetTypes) -> Compiled:
        where, params = ["t.kind = ?"], [op.kind.value]
        if op.ids is not None:
            where.append(_in("t.id"))
            params.append(_json_list(op.ids))
        if op.keys is not None:
            where.append("(t.name, t.version) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))")
            params.append(_json_list(op.keys))
        if op.names is not None:
            where.append(_in("t.name"))
            params.append(_json_list(op.names))
        if op.external_ids is not None:
            where.append(_in("t.external_id"))
            params.append(_json_list(op.external_ids))
        if op.namespace is not None:
            where.append("t.namespace = ?")
            params.append(op.namespace)
        sql = ("SELECT t.id, t.name, t.version, t.description, t.external_id, t.base_type, "
               "(SELECT json_group_array(json_array(p.name, p.data_type)) FROM type_property p "
               "WHERE p.type_id = t.id) AS props FROM type t WHERE "
               + " AND ".join(where) + " ORDER BY t.id")
        return Compiled([Statement(sql, params)], _decode_types)

    def _GetTypesMany(self, op: ops.GetTypesMany) -> Compiled:
        # one compound SELECT: each query's rows tagged with its index
        parts: list[str] = []
        params: list[Any] = []
        for i, q in enumerate(op.queries):
            stmt = self._GetTypes(q).statements[0]
            parts.append(f"SELECT {i} AS query, q.* FROM ({stmt.text}) q")
            params.extend(stmt.params)

        def decode(results: list[Rows]) -> list[list[dict[str, Any]]]:
            out: list[list[dict[str, Any]]] = [[] for _ in op.queries]
            for row in results[-1]:
                index = row.pop("query")
                out[index].extend(_decode_types([[row]]))
            return out
        if not parts:
            return Compiled([], lambda _: [])
        sql = " UNION ALL ".join(parts) + " ORDER BY query, id"
        return Compiled([Statement(sql, params)], decode)

    def _type_props(self, row: ops.TypeRow) -> Statement:
        return Statement("INSERT INTO type_property (type_id, name, data_type) VALUES (?, ?, ?)",
                         [(row.id, n, int(t)) for n, t in row.properties], many=True)

    def _InsertType(self, op: ops.InsertType) -> Compiled:
        r = op.row
        return Compiled([
            Statement("INSERT INTO type (id, kind, name, version, description, external_id, "
                      "base_type, namespace) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      [r.id, op.kind.value, r.name, r.version, r.description, r.external_id,
                       r.base_type, r.namespace]),
            self._type_props(r),
        ], no_result)

    def _UpdateType(self, op: ops.UpdateType) -> Compiled:
        r = op.row
        return Compiled([
            Statement("UPDATE type SET description = ?, external_id = ?, base_type = ? "
                      "WHERE id = ?", [r.description, r.external_id, r.base_type, r.id]),
            Statement("DELETE FROM type_property WHERE type_id = ?", [r.id]),
            self._type_props(r),
        ], no_result)

    # -- nodes ---------------------------------------------------------------------------
    def _AllocateIds(self, op: ops.AllocateIds) -> Compiled:
        # The sequence rows exist from the moment the store opens (SqliteEngine), so one
        # UPDATE takes every block: ?1 is a JSON object {sequence: count}.
        counts = dict(op.counts)
        sql = ("UPDATE id_sequence SET value = value + (?1 ->> ('$.' || name)) "
               "WHERE name IN (SELECT key FROM json_each(?1)) RETURNING name, value")
        return Compiled([Statement(sql, [json.dumps(counts)])],
                        lambda res: {r["name"]: r["value"] - counts[r["name"]] + 1 for r in res[-1]})

    def _node_values(self, kind: NodeKind, row: ops.NodeRow) -> tuple[Any, ...]:
        f = dict(row.fields)
        return (row.id, row.type_id, row.type_name, f.get("name"), f.get("external_id"),
                row.create_time, row.update_time,
                *(f.get(c) for c in spec_of(kind).extra_fields))

    def _insert_props(self, kind: NodeKind, rows: tuple[ops.NodeRow, ...]) -> Statement:
        return Statement(
            f"INSERT INTO {spec_of(kind).table}_property (node_id, is_custom, name, data_type, "
            "value) VALUES (?, ?, ?, ?, ?)",
            [(r.id, int(p.custom), p.name, int(p.ptype), _stored(p.value)) for r in rows for p in r.props],
            many=True)

    def _InsertNodes(self, op: ops.InsertNodes) -> Compiled:
        cols = (*columns(op.kind), "namespace")
        sql = (f"INSERT INTO {spec_of(op.kind).table} ({', '.join(cols)}) "
               f"VALUES ({', '.join('?' for _ in cols)})")
        stmts = [
            Statement(sql, [(*self._node_values(op.kind, r), op.namespace) for r in op.rows],
                      many=True),
            self._insert_props(op.kind, op.rows),
        ]
        if op.contexts:
            rel = CONTEXT_LINK[op.kind].value
            stmts.append(Statement(
                f"INSERT INTO {rel.table} ({rel.source_column}, {rel.target_column}) VALUES (?, ?)",
                [(r.id, c) for r in op.rows for c in op.contexts], many=True))
        return Compiled(stmts, no_result)

    def _UpdateNodes(self, op: ops.UpdateNodes) -> Compiled:
        spec = spec_of(op.kind)
        cols = ("name", "external_id", "last_update_time_since_epoch", *spec.extra_fields)
        sql = (f"UPDATE {spec.table} SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?")
        values = []
        for r in op.rows:
            f = dict(r.fields)
            values.append((f.get("name"), f.get("external_id"), r.update_time,
                           *(f.get(c) for c in spec.extra_fields), r.id))
        return Compiled([
            Statement(sql, values, many=True),
            Statement(f"DELETE FROM {spec.table}_property WHERE " + _in("node_id"),
                      [_json_list(r.id for r in op.rows)]),
            self._insert_props(op.kind, op.rows),
        ], no_result)

    def _DeleteNodes(self, op: ops.DeleteNodes) -> Compiled:
        spec = spec_of(op.kind)
        ids = _json_list(op.ids)
        stmts = [Statement(f"DELETE FROM {spec.table}_property WHERE " + _in("node_id"), [ids])]
        if op.kind is not NodeKind.CONTEXT:
            stmts.append(Statement("DELETE FROM event WHERE " + _in(f"{spec.noun}_id"), [ids]))
        for rel in (r.value for r in Relation):
            for column, kind in ((rel.source_column, rel.source), (rel.target_column, NodeKind.CONTEXT)):
                if kind is op.kind:
                    stmts.append(Statement(f"DELETE FROM {rel.table} WHERE " + _in(column), [ids]))
        stmts.append(Statement(f"DELETE FROM {spec.table} WHERE " + _in("id") + " RETURNING id",
                               [ids]))
        return Compiled(stmts, lambda res: len(res[-1]))

    def _ExistingIds(self, op: ops.ExistingIds) -> Compiled:
        sql = f"SELECT id FROM {spec_of(op.kind).table} WHERE " + _in("id")
        params = [_json_list(op.ids)]
        if op.scope is not None:
            sql += " AND " + _in("type_id")
            params.append(_json_list(op.scope))
        return Compiled([Statement(sql, params)], lambda r: set(first_column(r)))

    def _NodeQuery(self, op: ops.NodeQuery) -> Compiled:
        spec = spec_of(op.kind)
        where: list[str] = []
        params: list[Any] = []
        for column, values in (("n.id", op.ids), ("n.type_id", op.type_ids), ("n.name", op.names),
                               ("n.uri", op.uris), ("n.external_id", op.external_ids)):
            if values is not None:
                where.append(_in(column))
                params.append(_json_list(values))
        if op.input_fingerprints is not None:
            where.append("n.id IN (SELECT execution_id FROM execution_input WHERE type_id = n.type_id "
                         "AND " + _in("fingerprint") + ")")
            params.append(_json_list(op.input_fingerprints))
        by_id = op.order_by is ops.OrderBy.ID
        by_lists = any(v is not None for v in (op.ids, op.type_ids, op.names, op.uris,
                                               op.external_ids, op.input_fingerprints))
        # In id order, a top-level "property = value" drives the listing (see driving_join):
        # a page then costs its own rows, not every match. Value lists select first instead.
        # Not with a range/LIKE on an own attribute either: that index stays the start (19).
        keep_sort = by_lists or (op.filter is not None and ranges_own_attribute(op.filter))
        join, order = "", f"n.{op.order_by.value}"
        join_params: list[Any] = []
        if by_id and not keep_sort and op.filter is not None:
            join, join_params = driving_join(op.filter, op.kind, "n") or ("", [])
            order = f"{DRIVER}.node_id" if join else order
        if op.linked is not None:
            rel = op.linked.relation.value
            mine, other = ((rel.source_column, rel.target_column) if op.linked.as_source
                           else (rel.target_column, rel.source_column))
            if join:  # a probe per driven row rather than gathering the whole scope each page
                where.append(f"EXISTS (SELECT 1 FROM {rel.table} WHERE {mine} = n.id AND {other} = ?)")
                params.append(op.linked.other_id)
            elif by_id and not keep_sort:
                # the link index (other, mine) is in id order within one context: drive from it
                join = f" JOIN {rel.table} {DRIVER} ON {DRIVER}.{mine} = n.id AND {DRIVER}.{other} = ?"
                join_params, order = [op.linked.other_id], f"{DRIVER}.{mine}"
            else:
                where.append(f"n.id IN (SELECT {mine} FROM {rel.table} WHERE {other} = ?)")
                params.append(op.linked.other_id)
        if op.filter is not None:
            text, fparams = compile_filter_sql(op.filter, op.kind, "n", seeks=not join)
            where.append(f"({text})")
            params.extend(fparams)
        direction, cmp = ("DESC", "<") if op.descending else ("ASC", ">")
        # "+" stops SQLite from walking the whole table in id order just to skip the sort, where
        # an index on a selected column is the better start (a sort of the hits is cheap). For
        # id order it is left off unless a value list or a range/LIKE on an own attribute
        # selects: every other selector hands SQLite ids in id order (property seeks, links and
        # alias subqueries are sorted id lists; an equality on a one-column index is in rowid
        # order), so no sort computes every hit's columns before LIMIT and a page stops early.
        # (Only the keyset, no selector: no "+", so a time-ordered page walks that time's index
        # from the keyset and stops at LIMIT.)
        unary = "+" if where and (not by_id or keep_sort) and not join else ""
        # A page of a listing the plan above would gather or sort in full (a seek, an alias
        # subquery, a range on an own attribute): first the WINDOW rows after the keyset (or
        # the first ones), tested one by one (a broad filter fills its page there), then that
        # plan from the window's end, only if the page is not full (see node_sql.window_head).
        windowed = (by_id and op.limit is not None and not join and not by_lists
                    and (op.filter is not None or op.linked is not None))
        if windowed:
            edge = "max" if cmp == ">" else "min"
            where.append(f"{unary}{order} {cmp} (SELECT {edge}(id) FROM (SELECT id FROM {spec.table}"
                         f"{window_start(op, cmp)} ORDER BY id {direction} LIMIT ?))")
            params += [*window_params(op), WINDOW * (op.limit or 0)]
        elif op.after is not None and by_id:
            # one rowid range rather than the OR below, which SQLite plans as a MULTI-INDEX OR;
            # "+" as in ORDER BY, or SQLite takes this range over the filter's index
            where.append(f"{unary}{order} {cmp} ?")
            params.append(op.after[1])
        elif op.after is not None:
            # a range on the order column first (an index range, not the MULTI-INDEX OR that
            # "t > ? OR (t = ? AND id > ?)" became), then the exact row-value keyset
            where.append(f"{unary}{order} {cmp}= ? AND ({unary}{order}, n.id) {cmp} (?, ?)")
            params += [op.after[0], op.after[0], op.after[1]]
        if op.scope is not None:
            # after the plan's choices above: "+" keeps SQLite from starting at the
            # (type_id, name) index; the namespace is a check on each row the plan reaches
            where.append(_in("+n.type_id"))
            params.append(_json_list(op.scope))
        sql = (f"SELECT {node_columns(op.kind)} FROM {spec.table} n{join}")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {unary}{order} {direction}"
        if not by_id:
            sql += f", {unary}n.id {direction}"
        if op.limit is not None:
            sql += " LIMIT ?"
            params.append(op.limit)
        if windowed:
            head, head_params = window_head(op, direction, cmp)
            return Compiled([Statement(f"SELECT * FROM ({head}) UNION ALL SELECT * FROM ({sql}) LIMIT ?",
                                       [*head_params, *join_params, *params, op.limit])], decode_nodes)
        return Compiled([Statement(sql, [*join_params, *params])], decode_nodes)

    # -- relations -----------------------------------------------------------------------
    def _InsertEvents(self, op: ops.InsertEvents) -> Compiled:
        return Compiled([Statement(
            "INSERT INTO event (id, artifact_id, execution_id, type, path, "
            "milliseconds_since_epoch) VALUES (?, ?, ?, ?, ?, ?)",
            [(e.id, e.artifact_id, e.execution_id, e.type, e.path, e.time) for e in op.rows],
            many=True)], no_result)

    def _GetEvents(self, op: ops.GetEvents) -> Compiled:
        where, params = [], []
        if op.artifact_ids is not None:
            where.append(_in("artifact_id"))
            params.append(_json_list(op.artifact_ids))
        if op.execution_ids is not None:
            where.append(_in("execution_id"))
            params.append(_json_list(op.execution_ids))
        sql = ("SELECT artifact_id, execution_id, type, path, milliseconds_since_epoch FROM event"
               + (" WHERE " + " OR ".join(where) if where else "") + " ORDER BY id")
        return Compiled([Statement(sql, params)], lambda res: res[-1])

    def _Link(self, op: ops.Link) -> Compiled:
        rel = op.relation.value
        sql = (f"INSERT OR IGNORE INTO {rel.table} ({rel.source_column}, {rel.target_column}) "
               "VALUES (?, ?)")
        return Compiled([Statement(sql, list(op.pairs), many=True)], no_result)

    def _SetInputFingerprints(self, op: ops.SetInputFingerprints) -> Compiled:
        sql = ("INSERT INTO execution_input (execution_id, type_id, fingerprint) "
               "SELECT id, type_id, ? FROM execution WHERE id = ? "
               "ON CONFLICT (execution_id) DO UPDATE SET fingerprint = excluded.fingerprint")
        return Compiled([Statement(sql, [(fp, eid) for eid, fp in op.pairs], many=True)], no_result)

    def _WriteBatch(self, op: ops.WriteBatch) -> Compiled:
        # SQLite has no round trips to save: the steps' statements, in order
        return Compiled(batch_statements(self, op.steps), no_result)

    def _ReadBatch(self, op: ops.ReadBatch) -> Compiled:
        # no round trips to save either: the steps' statements, in order
        parts = read_batch_parts(self, op.steps)
        return Compiled([s for p in parts for s in p.statements], lambda res: split_results(parts, res))

    def _PropertyIndexes(self, op: ops.PropertyIndexes) -> Compiled:
        # <kind>_property (name, is_custom, value) already serves every property filter
        return Compiled([], no_result)

    def _IndexStates(self, op: ops.IndexStates) -> Compiled:
        # no index to wait for: SQLite's are complete when the statement making them returns
        return Compiled([], lambda _: [])

    def _DropIndexes(self, op: ops.DropIndexes) -> Compiled:
        return Compiled([], no_result)

    def _Ancestors(self, op: ops.Ancestors) -> Compiled:
        sql = ("WITH RECURSIVE up(id) AS (SELECT value FROM json_each(?) UNION "
               "SELECT p.parent_context_id FROM parent_context p JOIN up ON p.context_id = up.id) "
               "SELECT id FROM up")
        return Compiled([Statement(sql, [_json_list(op.ids)])], lambda r: set(first_column(r)))

    # -- lineage -------------------------------------------------------------------------
    def _LineageEdges(self, op: ops.LineageEdges) -> Compiled:
        # A recursive CTE with UNION (set semantics): each node enters once, so a DAG's
        # paths are never enumerated. With a hop bound the depth joins the row, which can
        # admit a node once per distinct depth — still bounded by max_hops.
        from_artifact, from_execution = ops.STEPS[op.direction]
        bounded = op.max_hops is not None
        depth_col, depth0, depth_next = (", depth", ", 0", ", r.depth + 1") if bounded else ("", "", "")
        bound = " AND r.depth < ?" if bounded else ""
        sql = (
            f"WITH RECURSIVE r(kind, id{depth_col}) AS ("
            f"SELECT 'a', value{depth0} FROM json_each(?) "
            f"UNION SELECT 'e', value{depth0} FROM json_each(?) "
            f"UNION SELECT 'e', ev.execution_id{depth_next} FROM r JOIN event ev "
            f"ON ev.artifact_id = r.id WHERE r.kind = 'a'{bound} AND " + _in("ev.type") + " "
            f"UNION SELECT 'a', ev.artifact_id{depth_next} FROM r JOIN event ev "
            f"ON ev.execution_id = r.id WHERE r.kind = 'e'{bound} AND " + _in("ev.type") + "), "
            # The events leading on from reached nodes in the walk's direction (the walk's
            # edges, and those one hop past a bound), each once: UNION ALL, with the second
            # half skipping what the first found, spares a de-duplicating sort of every row.
            "found(a, e, t, p, ms) AS ("
            "SELECT artifact_id, execution_id, type, path, milliseconds_since_epoch FROM event "
            "WHERE artifact_id IN (SELECT id FROM r WHERE kind = 'a') AND " + _in("type") + " "
            "UNION ALL SELECT artifact_id, execution_id, type, path, milliseconds_since_epoch FROM event "
            "WHERE execution_id IN (SELECT id FROM r WHERE kind = 'e') AND " + _in("type") + " "
            "AND NOT (" + _in("type") + " AND artifact_id IN (SELECT id FROM r WHERE kind = 'a'))) "
            # One JSON row instead of a row per event: sqlite3 builds a Python row (and the
            # engine a dict) per result row, json.loads builds the lists in C.
            "SELECT json_group_array(json_array(a, e, t" + (", p, ms" if op.details else "") + ")) "
            "AS edges FROM found")
        hops = [op.max_hops] if bounded else []
        params = [_json_list(op.artifact_ids), _json_list(op.execution_ids),
                  *hops, _json_list(from_artifact), *hops, _json_list(from_execution),
                  _json_list(from_artifact), _json_list(from_execution), _json_list(from_artifact)]
        return Compiled([Statement(sql, params)], _decode_edges)

    def _LineageWalk(self, op: ops.LineageWalk) -> Compiled:
        return compile_walk(op)

    def _MarkNodes(self, op: ops.MarkNodes) -> Compiled:
        # One statement per marker over the whole set; a node already marked keeps its marks
        # (the first reason and root stay, as unmark_impact expects).
        spec = spec_of(op.kind)
        pairs = _json_list([list(p) for p in op.roots])
        # j.value, not value: inside the subquery a bare ``value`` is the property's column
        fresh = (f"SELECT j.value ->> 0 AS id, j.value ->> 1 AS root FROM json_each(?1) AS j WHERE NOT EXISTS ("
                 f"SELECT 1 FROM {spec.table}_property p WHERE p.node_id = j.value ->> 0 "
                 "AND p.is_custom = 1 AND p.name = ?2)")
        insert = f"INSERT INTO {spec.table}_property (node_id, is_custom, name, data_type, value) "
        return Compiled([
            Statement("CREATE TEMP TABLE IF NOT EXISTS gs_mark (id INTEGER PRIMARY KEY, root INTEGER)"),
            Statement("DELETE FROM temp.gs_mark"),
            Statement(f"INSERT INTO gs_mark (id, root) {fresh}", [pairs, op.reason_key]),
            Statement(insert + f"SELECT id, 1, ?1, {int(PropertyType.STRING)}, ?2 FROM gs_mark",
                      [op.reason_key, op.reason]),
            Statement(insert + f"SELECT id, 1, ?1, {int(PropertyType.INT)}, root FROM gs_mark",
                      [op.root_key]),
            Statement("SELECT count(*) AS n FROM gs_mark"),
        ], lambda res: res[-1][0]["n"])

    def _GetLinks(self, op: ops.GetLinks) -> Compiled:
        rel = op.relation.value
        sql = (f"SELECT {rel.source_column} AS source, {rel.target_column} AS target "
               f"FROM {rel.table} WHERE " + _in(rel.source_column)
               + f" ORDER BY {rel.source_column}, {rel.target_column}")
        return Compiled([Statement(sql, [_json_list(op.source_ids)])], lambda res: res[-1])
