"""``ops.LineageWalk`` on SQLite: a level-synchronous breadth-first walk in a temp table.

A recursive CTE with ``UNION`` visits each node once only when it carries no depth; with the
depth in the row it admits a node once per distinct depth, which on a pipeline DAG (many
paths of different lengths) multiplies the work. So the walk keeps a visited table
``temp.gs_walk(key, depth, parent)`` and inserts one level per statement (``INSERT OR
IGNORE`` keeps each node at the first, minimal, depth), all in the caller's transaction; the
loop is the operation's ``follow`` (see ``compile.base.Compiled``). A level costs one
statement, so nearest-N stops after the levels it needs. Answers leave the engine as one row
of JSON-packed columns (``json_group_array``), unpacked into arrays by C loops.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import ops
from ..kinds import NodeKind, spec_of
from .base import Compiled, Rows, Statement
from .filter_sql import compile_filter_sql

__all__ = ["compile_walk", "unpack_json"]

_SETUP = [
    Statement("CREATE TEMP TABLE IF NOT EXISTS gs_walk (key INTEGER PRIMARY KEY, "
              "depth INTEGER NOT NULL, parent INTEGER NOT NULL)"),
    # (depth, kind bit, key): a level's nodes of one kind are one range for the step, and
    # the answer reads the table in its (distance, kind, id) order without a sort
    Statement("CREATE INDEX IF NOT EXISTS temp.gs_walk_level ON gs_walk (depth, key & 1)"),
    Statement("DELETE FROM temp.gs_walk"),
]
_KINDS: tuple[tuple[NodeKind, int], ...] = ((NodeKind.ARTIFACT, 0), (NodeKind.EXECUTION, 1))


def unpack_json(text: str | None) -> array[int]:
    """A column packed as a JSON list of ints (``json_group_array``) → int64s: json.loads
    and the array are C loops (about half what ``printf('%016x')`` + hex cost)."""
    return array("q", json.loads(text)) if text else array("q")


def _json(values: Sequence[Any]) -> str:
    return json.dumps(list(values))


def _step(direction: ops.Direction) -> tuple[str, list[Any]]:
    """One level: every node one hop past depth ?1 that is not visited yet."""
    from_artifact, from_execution = ops.STEPS[direction]
    sql = ("INSERT OR IGNORE INTO gs_walk (key, depth, parent) "
           "SELECT ev.execution_id * 2 + 1, ?1 + 1, w.key FROM gs_walk w "
           "JOIN event ev ON ev.artifact_id = w.key >> 1 "
           "WHERE w.depth = ?1 AND (w.key & 1) = 0 AND ev.type IN (SELECT value FROM json_each(?2)) "
           "UNION ALL SELECT ev.artifact_id * 2, ?1 + 1, w.key FROM gs_walk w "
           "JOIN event ev ON ev.execution_id = w.key >> 1 "
           "WHERE w.depth = ?1 AND (w.key & 1) = 1 AND ev.type IN (SELECT value FROM json_each(?3))")
    return sql, [_json(from_artifact), _json(from_execution)]


def _beyond(direction: ops.Direction) -> tuple[str, list[Any]]:
    """Whether a node at depth ?1 leads on to a node the walk has not reached."""
    from_artifact, from_execution = ops.STEPS[direction]
    sql = ("SELECT EXISTS (SELECT 1 FROM gs_walk w JOIN event ev ON ev.artifact_id = w.key >> 1 "
           "WHERE w.depth = ?1 AND (w.key & 1) = 0 AND ev.type IN (SELECT value FROM json_each(?2)) "
           "AND ev.execution_id * 2 + 1 NOT IN (SELECT key FROM gs_walk)) "
           "OR EXISTS (SELECT 1 FROM gs_walk w JOIN event ev ON ev.execution_id = w.key >> 1 "
           "WHERE w.depth = ?1 AND (w.key & 1) = 1 AND ev.type IN (SELECT value FROM json_each(?3)) "
           "AND ev.artifact_id * 2 NOT IN (SELECT key FROM gs_walk)) AS beyond")
    return sql, [_json(from_artifact), _json(from_execution)]


def _reported(op: ops.LineageWalk) -> tuple[str, list[Any]]:
    """SELECT key, depth, parent, type_id FROM the walk's reported nodes (unordered)."""
    rep = op.report
    if not rep.by_kind:
        # One scan of the table, which its (depth, kind bit) index gives in answer order (no
        # sort); the type id joins the node's row by primary key, nothing else needs the row.
        types = " ".join(f"WHEN {bit} THEN (SELECT n.type_id FROM {spec_of(kind).table} n "
                         f"WHERE n.id = w.key >> 1)" for kind, bit in _KINDS)
        return (f"SELECT w.key, w.depth, w.parent, CASE w.key & 1 {types} END AS type_id "
                f"FROM gs_walk w{_kinds_where(op)}"), []
    filters = dict(rep.filters)
    parts: list[str] = []
    params: list[Any] = []
    for kind, bit in _KINDS:
        if kind.value not in rep.kinds:
            continue
        where = [f"(w.key & 1) = {bit}"]
        if not op.include_start:
            where.append("w.depth > 0")
        spec = spec_of(kind)
        if rep.type_ids is not None:
            where.append("n.type_id IN (SELECT value FROM json_each(?))")
            params.append(_json(rep.type_ids))
        if rep.states is not None and spec.state_field:
            where.append(f"n.{spec.state_field} IN (SELECT value FROM json_each(?))")
            params.append(_json(rep.states))
        if rep.created_after is not None:
            where.append("n.create_time_since_epoch > ?")
            params.append(rep.created_after)
        if kind in filters:
            text, fparams = compile_filter_sql(filters[kind], kind, "n")
            where.append(f"({text})")
            params.extend(fparams)
        parts.append(f"SELECT w.key, w.depth, w.parent, n.type_id FROM gs_walk w "
                     f"JOIN {spec.table} n ON n.id = w.key >> 1 WHERE " + " AND ".join(where))
    if not parts:
        return "SELECT NULL AS key, NULL AS depth, NULL AS parent, NULL AS type_id WHERE 0", []
    return " UNION ALL ".join(parts), params


def _kinds_where(op: ops.LineageWalk) -> str:
    """The WHERE of a keys-only answer: the reported kinds, and the start unless included."""
    where = [f"(key & 1) = {bit}" for kind, bit in _KINDS if kind.value in op.report.kinds]
    parts = [f"({' OR '.join(where)})"] if len(where) < len(_KINDS) else []
    if not where:
        parts = ["0"]
    if not op.include_start:
        parts.append("depth > 0")
    return " WHERE " + " AND ".join(parts) if parts else ""


def _after(op: ops.LineageWalk) -> tuple[str, list[Any]]:
    if op.after is None:
        return "", []
    d, bit, node_id = op.after
    return " WHERE (depth, key & 1, key) > (?, ?, ?)", [d, bit, node_id * 2 + bit]


@dataclass
class _Walk:
    """The loop's state: the depth reached and what the walk learned."""

    op: ops.LineageWalk
    depth: int = 0
    phase: str = "walk"
    truncated: bool = False
    exhausted: bool = False
    found_target: bool = False
    final: int = 0  # how many batches of rows the final answer spans
    hits: int = 0  # reported nodes found so far (when a limit may stop the walk)
    step: tuple[str, list[Any]] = field(default=("", []))

    def first(self) -> list[Statement]:
        op = self.op
        self.step = _step(op.direction)
        seed = Statement("INSERT OR IGNORE INTO gs_walk (key, depth, parent) "
                         "SELECT value * 2, 0, -1 FROM json_each(?) "
                         "UNION ALL SELECT value * 2 + 1, 0, -1 FROM json_each(?)",
                         [_json(op.artifact_ids), _json(op.execution_ids)])
        return [*_SETUP, seed, *self._probe(0)]

    def _probe(self, depth: int) -> list[Statement]:
        """After level ``depth``: how many rows it added, and the checks that may end the
        walk (reported nodes are counted on the new level only, and summed here)."""
        checks = ["changes() AS added"]
        params: list[Any] = []
        if self.op.limit is not None:
            sql, p = _reported(self.op)
            after, ap = _after(self.op)
            level = (" AND " if after else " WHERE ") + "depth = ?"
            checks.append(f"(SELECT count(*) FROM ({sql}){after}{level}) AS hits")
            params += p + ap + [depth]
        if self.op.target is not None:
            checks.append("EXISTS (SELECT 1 FROM gs_walk WHERE key = ?) AS hit_target")
            params.append(self.op.target)
        return [Statement("SELECT " + ", ".join(checks), params)]

    def follow(self, batch: list[Rows]) -> list[Statement]:
        op = self.op
        if self.phase == "done":
            return []
        if self.phase == "beyond":
            self.truncated = bool(batch[-1][0]["beyond"])
            return self._finish()
        probe = batch[-1][0]
        if self.phase == "walk" and self.depth > 0 and not probe["added"]:
            self.exhausted = True
            return self._finish()
        if op.target is not None and probe["hit_target"]:
            self.found_target = True
            return self._finish()
        if op.limit is not None:
            self.hits += probe["hits"]
            if self.hits >= op.limit:
                return self._finish()
        if op.max_hops is not None and self.depth >= op.max_hops:
            self.phase = "beyond"
            sql, params = _beyond(op.direction)
            return [Statement(sql, [self.depth, *params])]
        sql, params = self.step
        statements = [Statement(sql, [self.depth, *params]), *self._probe(self.depth + 1)]
        self.depth += 1
        return statements

    def _finish(self) -> list[Statement]:
        self.phase = "done"
        out = self._answer()
        self.final = len(out)
        return out

    def _answer(self) -> list[Statement]:
        op = self.op
        sql, params = _reported(op)
        after, ap = _after(op)
        if op.count_by is not None:
            group = {"type": "type_id", "distance": "depth", "kind": "key & 1"}[op.count_by]
            return [Statement(f"SELECT {group} AS grp, count(*) AS n FROM ({sql}){after} "
                              "GROUP BY grp ORDER BY grp", params + ap)]
        if op.keys_only and not (op.edges or op.parents or op.report.by_kind):
            # the set of keys, in key order (the table's own): no sort, no type ids
            where = _kinds_where(op)
            return [Statement(f"SELECT json_group_array(key) AS keys FROM gs_walk{where}")]
        limit = " LIMIT ?" if op.limit is not None else ""
        lp = [op.limit] if op.limit is not None else []
        cols = ["json_group_array(key) AS keys", "json_group_array(depth) AS distances",
                "json_group_array(coalesce(type_id, 0)) AS type_ids"]
        if op.parents:
            cols.append("json_group_array(parent) AS parents")
        out = [Statement(f"SELECT {', '.join(cols)}, count(*) AS n FROM (SELECT * FROM ({sql}){after} "
                         f"ORDER BY depth, key & 1, key{limit})", params + ap + lp)]
        if op.edges:
            out.append(_edges_statement())
        return out

    def decode(self, results: list[Rows]) -> dict[str, Any]:
        answer = results[-self.final:] if self.final else [[]]
        out: dict[str, Any] = {"truncated": self.truncated, "exhausted": self.exhausted,
                               "found_target": self.found_target, "depth": self.depth}
        if self.op.count_by is not None:
            out["counts"] = [[r["grp"], r["n"]] for r in answer[0]]
            return out
        row = answer[0][0]
        out["keys"] = unpack_json(row["keys"])
        if "distances" not in row:  # keys_only
            return out
        out["distances"] = unpack_json(row["distances"])
        out["type_ids"] = unpack_json(row["type_ids"])
        if self.op.parents:
            out["parents"] = unpack_json(row["parents"])
        if self.op.edges:
            out["edges"] = json.loads(answer[1][0]["edges"]) if answer[1] else []
        return out


def _edges_statement() -> Statement:
    """Every event between two reached nodes: each leads on in the walk's direction (events
    point the way data flows), and the caller keeps those the walk crossed."""
    sql = ("SELECT json_group_array(json_array(ev.artifact_id, ev.execution_id, ev.type, ev.path, "
           "ev.milliseconds_since_epoch)) AS edges FROM event ev "
           "JOIN gs_walk wa ON wa.key = ev.artifact_id * 2 JOIN gs_walk we ON we.key = ev.execution_id * 2 + 1 "
           "WHERE ev.type IN (SELECT value FROM json_each(?))")
    return Statement(sql, [_json(ops.EVENT_KINDS)])


def compile_walk(op: ops.LineageWalk) -> Compiled:
    """The walk as a loop of statements (see the module docstring)."""
    walk = _Walk(op)
    return Compiled(walk.first(), walk.decode, follow=walk.follow)
