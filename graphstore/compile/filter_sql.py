"""Filter AST → a boolean SQLite expression over one node row.

The meaning is the one documented in :mod:`graphstore.filters.plan`. Every literal and every
property name is a ``?`` parameter; only our own table and column names (checked against the
filter schema) and the caller's row alias are spliced. Aliases become one correlated
``EXISTS`` per group of conjuncts, over LEFT JOINs from a one-row table so that a node without
neighbours still has its one all-NULL assignment — except a group no neighbour-less node can
satisfy, which becomes ``n.id IN (SELECT … FROM <neighbours> JOIN <links> WHERE …)``, run once
from the neighbours' indexes. Properties are correlated scalar subqueries on the property
table's primary key. Nothing joins into the outer query, so no row repeats — except the
one property row a top-level ``=`` may drive a listing from (:func:`driving_join`), unique
per node.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InvalidArgument
from ..filters.ast import (
    Alias,
    AliasKind,
    And,
    Compare,
    CompareOp,
    Expr,
    Field,
    InList,
    IsNull,
    Like,
    LikeWildcard,
    NodeKind,
    Not,
    Operand,
    Or,
    Property,
    ValueType,
    split_like,
)
from ..filters.plan import ExprMemo, Scope, alias_numbers, link_of, neighbours_required, plan, seekable
from ..filters.schema import ATTRIBUTES, alias_attributes
from ..kinds import spec_of
from ..models import PropertyType

__all__ = ["DRIVER", "compile_filter_sql", "driving_join", "like_to_glob"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATA_TYPE = {
    ValueType.INT: PropertyType.INT,
    ValueType.DOUBLE: PropertyType.DOUBLE,
    ValueType.STRING: PropertyType.STRING,
    ValueType.BOOL: PropertyType.BOOLEAN,
}
_ABOVE = frozenset({CompareOp.GT, CompareOp.GE})
# GLOB is SQLite's case-sensitive LIKE; its own wildcards become one-character classes.
_GLOB_LITERAL = {"*": "[*]", "?": "[?]", "[": "[[]"}


def compile_filter_sql(expr: Expr, kind: NodeKind, alias: str, *, seeks: bool = True) -> tuple[str, list[Any]]:
    """A boolean SQL expression over the node row ``alias`` of ``kind``, with its parameters.

    The parameters are positional (``?``), in the order they appear in the text. ``seeks=False``
    leaves out the index-seek prefixes: for a listing driven by a join (:func:`driving_join`),
    where an uncorrelated seek would gather every match on each page.
    """
    if not isinstance(alias, str) or not _IDENTIFIER.fullmatch(alias):
        raise InvalidArgument(f"row alias {alias!r} is not an SQL identifier")
    hit = _COMPILED.get(expr, (kind, alias, seeks))
    if hit is None:
        builder = _Builder(kind, alias, alias_numbers(expr), seeks)
        hit = " AND ".join(builder.part(part) for part in plan(expr)), tuple(builder.params)
        _COMPILED.put(expr, (kind, alias, seeks), hit)
    return hit[0], list(hit[1])


DRIVER = "gs"  # the driving join's alias: the outer query orders and pages by DRIVER.node_id


def driving_join(expr: Expr, kind: NodeKind, alias: str) -> tuple[str, list[Any]] | None:
    """``JOIN <kind>_property gs ON …`` for the first top-level ``property = value`` of the
    filter, or None. Its index ``(name, is_custom, value)`` holds the primary key after the
    value, so one value's rows are in node id order: a listing in id order that joins from
    them and orders by ``gs.node_id`` starts at the page's keyset and stops at its LIMIT,
    however many nodes match (``n.id IN (SELECT …)`` gathers them all on every page). The join
    adds no rows: a node has one row per property name. The exact test stays in the filter."""
    for part in plan(expr):
        if isinstance(part, Compare) and part.op is CompareOp.EQ and seekable(part) is not None:
            left = seekable(part)
            assert left is not None
            return (f" JOIN {spec_of(kind).table}_property {DRIVER} ON {DRIVER}.node_id = {alias}.id"
                    f" AND {DRIVER}.name = ? AND {DRIVER}.is_custom = {int(left.custom)}"
                    f" AND {DRIVER}.value = ?", [left.name, part.value])
    return None


_COMPILED: ExprMemo[tuple[str, tuple[Any, ...]]] = ExprMemo()


def like_to_glob(pattern: str) -> str:
    """The GLOB pattern matching exactly what the LIKE ``pattern`` matches."""
    out = []
    for part in split_like(pattern):
        if part is LikeWildcard.ANY:
            out.append("*")
        elif part is LikeWildcard.ONE:
            out.append("?")
        else:
            out.append("".join(_GLOB_LITERAL.get(ch, ch) for ch in part))
    return "".join(out)


class _Builder:
    """Renders parts left to right, so ``params`` grows in the order of the ``?`` in the text."""

    def __init__(self, kind: NodeKind, row: str, numbers: dict[Alias, int], seeks: bool) -> None:
        self.kind = kind
        self.row = row
        self.numbers = numbers
        self.seeks = seeks
        self.params: list[Any] = []

    def part(self, part: Expr | Scope) -> str:
        if not isinstance(part, Scope):
            return (self.seek(part) if self.seeks else "") + self.expr(part)
        if neighbours_required(part) and self.seeks:
            return self.neighbours(part)
        joins = "".join(self.joins(a) for a in part.aliases)
        return f"EXISTS (SELECT 1 FROM (SELECT 1){joins} WHERE {self.expr(part.expr)})"

    def neighbours(self, part: Scope) -> str:
        """The node ids reached from the neighbours that pass the test: an uncorrelated
        subquery, run once and starting from the neighbour's indexes (``context.name``…),
        where the general EXISTS is evaluated per node. Only for scopes that no node without
        neighbours can satisfy (:func:`neighbours_required`), so the meaning is the same."""
        (alias,) = part.aliases
        i = self.numbers[alias]
        link = link_of(self.kind, alias.kind)
        if link.relation is None:  # the neighbour is the event row itself
            source = f"fa{i}.{spec_of(self.kind).noun}_id FROM event fa{i}"
        else:
            rel = link.relation
            mine, theirs = ((rel.source_column, rel.target_column) if link.outward
                            else (rel.target_column, rel.source_column))
            source = (f"fl{i}.{mine} FROM {spec_of(link.neighbour).table} fa{i}"
                      f" JOIN {rel.table} fl{i} ON fl{i}.{theirs} = fa{i}.id")
        return f"{self.row}.id IN (SELECT {source} WHERE {self.expr(part.expr)})"

    def seek(self, e: Expr) -> str:
        """A redundant, index-driven prefix for a top-level property comparison.

        The exact test (a correlated subquery, type-checked) cannot use an index; ``n.id IN
        (SELECT node_id … WHERE name = ? AND value = ?)`` probes ``<kind>_property (name,
        is_custom, value)`` so a selective filter never scans the node table.
        """
        left = seekable(e)
        if left is None:
            return ""
        table = spec_of(self.kind).table
        head = (f"{self.row}.id IN (SELECT node_id FROM {table}_property WHERE name = "
                f"{self.param(left.name)} AND is_custom = {int(left.custom)} AND value")
        if isinstance(e, Compare):
            return f"{head} {e.op.value} {self.param(e.value)}) AND "
        assert isinstance(e, InList)
        return f"{head} IN ({', '.join(self.param(v) for v in e.values)})) AND "

    def joins(self, alias: Alias) -> str:
        i = self.numbers[alias]
        link = link_of(self.kind, alias.kind)
        if link.relation is None:  # the neighbour is the event row itself
            return (f" LEFT JOIN event fa{i} ON fa{i}.{spec_of(self.kind).noun}_id = {self.row}.id")
        rel = link.relation
        mine, theirs = ((rel.source_column, rel.target_column) if link.outward
                        else (rel.target_column, rel.source_column))
        return (f" LEFT JOIN {rel.table} fl{i} ON fl{i}.{mine} = {self.row}.id"
                f" LEFT JOIN {spec_of(link.neighbour).table} fa{i} ON fa{i}.id = fl{i}.{theirs}")

    # -- expressions -----------------------------------------------------------------------
    def expr(self, e: Expr) -> str:
        if isinstance(e, And):
            return "(" + " AND ".join(self.expr(i) for i in e.items) + ")"
        if isinstance(e, Or):
            return "(" + " OR ".join(self.expr(i) for i in e.items) + ")"
        if isinstance(e, Not):
            return f"NOT ({self.expr(e.item)})"
        if isinstance(e, Compare):
            if (isinstance(e.left, Property) and e.left.value_type is ValueType.DOUBLE
                    and e.op in _ABOVE):
                # A NaN DOUBLE is stored as the text 'NaN' (SQLite has no NaN), and SQLite sorts
                # text above every number; IEEE (and Neo4j) say NaN > x is false, so the test
                # runs inside the property's subquery and also asks for a number (every number,
                # inf too, is <= 9e999, which SQLite reads as inf; text is not): no row still
                # gives NULL (three-valued logic), the NaN row gives false.
                test = f"fp.value {e.op.value} {self.param(e.value)} AND fp.value <= 9e999"
                return self.operand(e.left, select=test)
            left = self.operand(e.left)
            return f"{left} {e.op.value} {self.param(e.value)}"
        if isinstance(e, Like):
            left = self.operand(e.left)
            return f"{left} {'NOT GLOB' if e.negated else 'GLOB'} {self.param(like_to_glob(e.pattern))}"
        if isinstance(e, InList):
            left = self.operand(e.left)
            values = ", ".join(self.param(v) for v in e.values)
            return f"{left} {'NOT IN' if e.negated else 'IN'} ({values})"
        if isinstance(e, IsNull):
            return f"{self.operand(e.left)} IS {'NOT NULL' if e.negated else 'NULL'}"
        raise InvalidArgument(f"not a filter expression: {e!r}")

    def param(self, value: Any) -> str:
        self.params.append(value)
        return "?"

    # -- operands --------------------------------------------------------------------------
    def operand(self, o: Operand, select: str = "fp.value") -> str:
        owner, owner_kind = self.owner(o.scope)
        if isinstance(o, Field):
            attrs = (ATTRIBUTES[self.kind] if o.scope is None
                     else alias_attributes(o.scope.kind, self.kind))
            if o.name not in attrs:  # only names of our schema are ever spliced
                raise InvalidArgument(f"unknown filter attribute {o.name!r}")
            return f"{owner}.{o.name}"
        if isinstance(o, Property):
            if owner_kind is None:
                raise InvalidArgument("events have no properties")
            table = spec_of(owner_kind).table
            return (f"(SELECT {select} FROM {table}_property fp WHERE fp.node_id = {owner}.id"
                    f" AND fp.is_custom = {int(o.custom)} AND fp.name = {self.param(o.name)}"
                    f" AND fp.data_type = {int(_DATA_TYPE[o.value_type])})")
        raise InvalidArgument(f"not a filter operand: {o!r}")

    def owner(self, scope: Alias | None) -> tuple[str, NodeKind | None]:
        """The SQL alias whose row holds the operand, and its node kind (None for events)."""
        if scope is None:
            return self.row, self.kind
        kind = None if scope.kind is AliasKind.EVENTS else link_of(self.kind, scope.kind).neighbour
        return f"fa{self.numbers[scope]}", kind
