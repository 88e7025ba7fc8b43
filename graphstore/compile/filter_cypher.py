"""Filter AST → a Cypher WHERE condition over one node variable.

The meaning is the one documented in :mod:`graphstore.filters.plan`. Every literal and every
property key used as a value is a ``$f_N`` parameter; labels, relationship types and property
keys enter the text only through :func:`graphstore.compile.cypher.quote`, attribute names only
after a check against the filter schema. Aliases become one ``EXISTS { OPTIONAL MATCH … WITH *
WHERE … }`` per group of conjuncts: one OPTIONAL MATCH per alias, so a node without neighbours
keeps its one all-null assignment and two aliases may bind the same neighbour. A group no
neighbour-less node can satisfy needs no absent assignment: it becomes a plain ``EXISTS { MATCH
… }``, and the first such group MATCH lines that the planner may start from the neighbours'
indexes (``MATCH (n)-[…]->(f_a0:Context) WHERE f_a0.name = $f_0 WITH DISTINCT n``). A property
reads as null unless its stored value has the asked-for type (``IS :: INTEGER NOT NULL``…),
which keeps comparisons three-valued exactly as in SQL.
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
from ..filters.plan import (
    ExprMemo,
    Scope,
    alias_numbers,
    link_of,
    neighbours_required,
    plan,
    seekable_operand,
)
from ..filters.schema import ATTRIBUTES, alias_attributes
from ..kinds import spec_of

# A module import, not ``from .cypher import quote``: cypher.py may import this module while it
# is itself being imported, and quote is only looked up when a filter is compiled.
from . import cypher

__all__ = ["compile_filter_cypher", "like_to_regex"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CYPHER_TYPE = {
    ValueType.INT: "INTEGER",
    ValueType.DOUBLE: "FLOAT",
    ValueType.STRING: "STRING",
    ValueType.BOOL: "BOOLEAN",
}
_OPERATOR = {op: op.value for op in CompareOp} | {CompareOp.NE: "<>"}
_KEY_RANGE = {CompareOp.LT: CompareOp.LE, CompareOp.GT: CompareOp.GE}


def compile_filter_cypher(expr: Expr, kind: NodeKind, var: str) -> tuple[str, str, dict[str, Any]]:
    """(extra MATCH lines, WHERE condition over node ``var`` of ``kind``, parameters).

    The match lines, when not "", go after the caller's MATCH of ``var`` and end in ``WITH
    DISTINCT var``, so the caller's WHERE follows them; the condition may then be "" (the
    lines hold the whole filter). Parameters are named ``f_0``, ``f_1``… so they cannot collide
    with the caller's.
    """
    if not isinstance(var, str) or not _IDENTIFIER.fullmatch(var) or var.startswith("f_"):
        raise InvalidArgument(f"node variable {var!r} is not a plain Cypher identifier")
    hit = _COMPILED.get(expr, (kind, var))
    if hit is None:
        builder = _Builder(kind, var, alias_numbers(expr))
        seed, parts = "", []
        for part in plan(expr):
            if not seed and isinstance(part, Scope) and neighbours_required(part):
                seed = builder.seed(part)
            else:
                parts.append(builder.part(part))
        hit = seed, " AND ".join(parts), builder.params
        _COMPILED.put(expr, (kind, var), hit)
    return hit[0], hit[1], dict(hit[2])


_COMPILED: ExprMemo[tuple[str, str, dict[str, Any]]] = ExprMemo()


def like_to_regex(pattern: str) -> str:
    """The Java regular expression matching exactly what the LIKE ``pattern`` matches, in
    time near-linear in the text.

    The pattern is fixed-length segments (``_`` is ``.``) between ``%``: the first must start
    the text, the last end it, and the others occur in order between. Taking each middle
    segment at its first occurrence is exact (an earlier end never leaves less room for the
    rest), so each is an atomic ``(?>.*?seg)`` that is never re-tried: the naive ``.*a.*a…b``
    backtracks through every split and ran for minutes on a 3,000-character uri (issue 10).
    ``(?s)`` lets ``_`` and ``%`` match newlines too, as SQL's LIKE does; every ASCII
    punctuation character is escaped (a backslash before a non-letter is always a literal in
    Java), other characters stand for themselves. The naive ``.*a.*a…b`` backtracks
    polynomially in the value's length with the number of ``%`` (hours for twelve over 3,000
    characters), and Java cannot stop a regex that is running, not even when its transaction
    times out. The ``%``-separated pieces have fixed lengths, so placing each middle piece at
    its earliest fit is always right; an atomic reluctant group ``(?>.*?piece)`` does just
    that and never comes back to try another place.
    """
    segments: list[list[str]] = [[]]
    for part in split_like(pattern):
        if part is LikeWildcard.ANY:
            segments.append([])
        elif part is LikeWildcard.ONE:
            segments[-1].append(".")
        else:
            segments[-1].append("".join("\\" + ch if _is_punctuation(ch) else ch for ch in part))
    head, *rest = ("".join(seg) for seg in segments)
    if not rest:
        return "(?s)" + head
    *middle, last = rest
    return "(?s)" + head + "".join(f"(?>.*?{seg})" for seg in middle if seg) + ".*" + last


def _is_punctuation(ch: str) -> bool:
    return ch.isascii() and ch.isprintable() and not ch.isalnum() and ch != " "


class _Builder:
    def __init__(self, kind: NodeKind, var: str, numbers: dict[Alias, int]) -> None:
        self.kind = kind
        self.var = var
        self.numbers = numbers
        self.params: dict[str, Any] = {}

    def part(self, part: Expr | Scope) -> str:
        if not isinstance(part, Scope):
            return self.seek(part) + self.expr(part)
        if neighbours_required(part):  # no absent neighbour to keep: a plain MATCH does
            return f"EXISTS {{ MATCH {self.pattern(part.aliases[0])} WHERE {self.expr(part.expr)} }}"
        matches = "".join(self.match(a) for a in part.aliases)
        return f"EXISTS {{{matches} WITH * WHERE {self.expr(part.expr)} }}"

    def seed(self, part: Scope) -> str:
        """The nodes reached from the neighbours that pass the test, as MATCH lines.

        The planner can then start from an index on the neighbour (``Context.name``…) instead
        of testing every node's neighbours; DISTINCT drops a node reached twice. Only for scopes
        no node without neighbours can satisfy (:func:`neighbours_required`), so the meaning is
        that of the EXISTS it replaces.
        """
        return (f"MATCH {self.pattern(part.aliases[0])} WHERE {self.expr(part.expr)}\n"
                f"WITH DISTINCT {self.var}")

    def seek(self, e: Expr) -> str:
        """A redundant, index-seekable prefix for a top-level property or uri comparison.

        The exact test wraps the property in a type check (``CASE … END``), which no index
        serves; the bare ``n.`_key.properties.x` = $v`` lets the planner seek the range index
        graphstore creates for every declared property. The index is on the shadow ``_key.*``
        (decision 40), which holds a string's bounded prefix: the seek compares prefixes and
        the exact test the full value.
        """
        left = seekable_operand(e)
        if left is None or (isinstance(left, Field) and left.name != "uri"):
            return ""  # own attributes other than uri are compared plainly: indexes see them
        assert isinstance(e, (Compare, InList))
        values = [e.value] if isinstance(e, Compare) else list(e.values)
        if isinstance(left, Field):
            key = cypher.URI_KEY
        elif left.custom:  # no shadow (nor an index on Neo4j): the plain test
            key = cypher.CUSTOM_PREFIX + left.name
        else:
            key = cypher.KEY_PREFIX + cypher.PROPS_PREFIX + left.name
        ref = f"{self.var}.{cypher.quote(key)}"
        op = e.op if isinstance(e, Compare) else None
        if key.startswith(cypher.KEY_PREFIX) and any(isinstance(v, str) for v in values):
            # a < b implies prefix(a) <= prefix(b): strict ranges widen to non-strict ones
            values = [cypher.index_key(str(v)) for v in values]
            op = _KEY_RANGE.get(op, op) if op is not None else None
        if op is not None:
            return f"{ref} {_OPERATOR[op]} {self.param(values[0])} AND "
        return f"{ref} IN {self.param(values)} AND "

    def match(self, alias: Alias) -> str:
        return f" OPTIONAL MATCH {self.pattern(alias)}"

    def pattern(self, alias: Alias) -> str:
        i = self.numbers[alias]
        link = link_of(self.kind, alias.kind)
        other = f"(f_a{i}:{cypher.quote(spec_of(link.neighbour).label)})"
        if link.relation is None:  # any event, whichever way it points
            return f"({self.var})-[f_r{i}]-{other}"
        rel = cypher.quote(link.relation.rel_type)
        arrow = f"-[:{rel}]->" if link.outward else f"<-[:{rel}]-"
        return f"({self.var}){arrow}{other}"

    # -- expressions -----------------------------------------------------------------------
    def expr(self, e: Expr) -> str:
        if isinstance(e, And):
            return "(" + " AND ".join(self.expr(i) for i in e.items) + ")"
        if isinstance(e, Or):
            return "(" + " OR ".join(self.expr(i) for i in e.items) + ")"
        if isinstance(e, Not):
            return f"NOT ({self.expr(e.item)})"
        if isinstance(e, Compare):
            return f"{self.operand(e.left)} {_OPERATOR[e.op]} {self.param(e.value)}"
        if isinstance(e, Like):
            test = f"{self.operand(e.left)} =~ {self.param(like_to_regex(e.pattern))}"
            return f"NOT ({test})" if e.negated else test
        if isinstance(e, InList):
            test = f"{self.operand(e.left)} IN {self.param(list(e.values))}"
            return f"NOT ({test})" if e.negated else test
        if isinstance(e, IsNull):
            return f"{self.operand(e.left)} IS {'NOT NULL' if e.negated else 'NULL'}"
        raise InvalidArgument(f"not a filter expression: {e!r}")

    def param(self, value: Any) -> str:
        name = f"f_{len(self.params)}"
        self.params[name] = value
        return "$" + name

    # -- operands --------------------------------------------------------------------------
    def operand(self, o: Operand) -> str:
        if isinstance(o, Field):
            return self.field(o)
        if isinstance(o, Property):
            if o.scope is not None and o.scope.kind is AliasKind.EVENTS:
                raise InvalidArgument("events have no properties")
            owner = self.var if o.scope is None else f"f_a{self.numbers[o.scope]}"
            key = (cypher.CUSTOM_PREFIX if o.custom else cypher.PROPS_PREFIX) + o.name
            ref = f"{owner}.{cypher.quote(key)}"
            test = f"{ref} IS :: {_CYPHER_TYPE[o.value_type]} NOT NULL"
            if o.value_type is ValueType.STRING:
                # STRUCT and PROTO values are stored as JSON text: not string values
                test += (f" AND NOT {self.param(key)} IN "
                         f"coalesce({owner}._struct, []) + coalesce({owner}._proto, [])")
            return f"CASE WHEN {test} THEN {ref} END"
        raise InvalidArgument(f"not a filter operand: {o!r}")

    def field(self, f: Field) -> str:
        attrs = ATTRIBUTES[self.kind] if f.scope is None else alias_attributes(f.scope.kind, self.kind)
        if f.name not in attrs:  # only names of our schema are ever spliced
            raise InvalidArgument(f"unknown filter attribute {f.name!r}")
        if f.scope is None:
            return f"{self.var}.{f.name}"
        i = self.numbers[f.scope]
        if f.scope.kind is not AliasKind.EVENTS:
            return f"f_a{i}.{f.name}"
        if f.name == "type":  # the event kind is the relationship type
            return f"type(f_r{i})"
        if f.name.endswith("_id"):  # artifact_id / execution_id: the other end
            return f"f_a{i}.id"
        return f"f_r{i}.{f.name}"
