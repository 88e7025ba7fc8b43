"""The resolved filter AST: frozen, validated, engine-neutral.

Every name in it is already checked against the node kind it filters, every value already has
the Python type its operand needs (``int`` for INT, ``float`` for DOUBLE, ``str`` for STRING and
for ENUM names, ``bool`` for BOOL), so compilers only translate. Neighbours are reached through
an :class:`Alias`; the same alias is the same neighbour everywhere in one query.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from ..kinds import NodeKind

__all__ = [
    "Alias",
    "AliasKind",
    "And",
    "Compare",
    "CompareOp",
    "Expr",
    "Field",
    "InList",
    "IsNull",
    "Like",
    "LikeWildcard",
    "NodeKind",
    "Not",
    "Operand",
    "Or",
    "Property",
    "Value",
    "ValueType",
    "aliases",
    "split_like",
    "walk",
]


class AliasKind(enum.Enum):
    """Which neighbours an alias ranges over; the value is the alias prefix without ``_``."""

    CONTEXTS = "contexts"
    ARTIFACTS = "artifacts"
    EXECUTIONS = "executions"
    PARENT_CONTEXTS = "parent_contexts"
    CHILD_CONTEXTS = "child_contexts"
    EVENTS = "events"

    @property
    def node_kind(self) -> NodeKind | None:
        """The kind of node the alias stands for; None for events, which are not nodes."""
        return _ALIAS_NODE_KIND[self]


_ALIAS_NODE_KIND: dict[AliasKind, NodeKind | None] = {
    AliasKind.CONTEXTS: NodeKind.CONTEXT,
    AliasKind.ARTIFACTS: NodeKind.ARTIFACT,
    AliasKind.EXECUTIONS: NodeKind.EXECUTION,
    AliasKind.PARENT_CONTEXTS: NodeKind.CONTEXT,
    AliasKind.CHILD_CONTEXTS: NodeKind.CONTEXT,
    AliasKind.EVENTS: None,
}


class ValueType(enum.Enum):
    """The type an operand compares as. ENUM values are member names (``"LIVE"``)."""

    INT = "int"
    DOUBLE = "double"
    STRING = "string"
    BOOL = "bool"
    ENUM = "enum"


class CompareOp(enum.Enum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="

    def flipped(self) -> CompareOp:
        """The operator with its operands swapped (``1 < id`` is ``id > 1``)."""
        return _FLIPPED[self]


_FLIPPED = {
    CompareOp.EQ: CompareOp.EQ,
    CompareOp.NE: CompareOp.NE,
    CompareOp.LT: CompareOp.GT,
    CompareOp.LE: CompareOp.GE,
    CompareOp.GT: CompareOp.LT,
    CompareOp.GE: CompareOp.LE,
}


@dataclass(frozen=True, slots=True)
class Alias:
    """A neighbour named in the query: ``contexts_a`` is ``Alias(AliasKind.CONTEXTS, "a")``.

    ``name`` matches ``[A-Za-z0-9_]+``, so :attr:`label` is safe as a SQL or Cypher identifier.
    """

    kind: AliasKind
    name: str

    @property
    def label(self) -> str:
        return f"{self.kind.value}_{self.name}"


@dataclass(frozen=True, slots=True)
class Field:
    """A plain attribute (``id``, ``uri``, ``state``…) of the node, or of ``scope``'s neighbour.

    For events the names are ``type``, ``milliseconds_since_epoch``, ``artifact_id`` and
    ``execution_id``.
    """

    scope: Alias | None
    name: str
    value_type: ValueType


@dataclass(frozen=True, slots=True)
class Property:
    """``[scope.](custom_)properties.name.<t>_value``; ``value_type`` comes from ``<t>_value``."""

    scope: Alias | None
    name: str
    custom: bool
    value_type: ValueType


Operand: TypeAlias = Field | Property
Value: TypeAlias = int | float | str | bool


@dataclass(frozen=True, slots=True)
class Compare:
    """``left op value``; ``value`` has ``left``'s type (ENUM and BOOL only with = and !=)."""

    op: CompareOp
    left: Operand
    value: Value


@dataclass(frozen=True, slots=True)
class Like:
    """``left [NOT] LIKE pattern`` on a STRING operand; see :func:`split_like` for the pattern."""

    left: Operand
    pattern: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class InList:
    """``left [NOT] IN (values)``: at least one value, all of ``left``'s type."""

    left: Operand
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class IsNull:
    """``left IS [NOT] NULL``: the attribute or property is absent (or present)."""

    left: Operand
    negated: bool = False


@dataclass(frozen=True, slots=True)
class And:
    """Conjunction of two or more items; nested ANDs are flattened into one."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Disjunction of two or more items; nested ORs are flattened into one."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Expr


Expr: TypeAlias = Compare | Like | InList | IsNull | And | Or | Not


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of ``expr`` in pre-order, which is the order they appear in the query."""
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (And, Or)):
            stack.extend(reversed(node.items))
        elif isinstance(node, Not):
            stack.append(node.item)


def aliases(expr: Expr) -> list[Alias]:
    """The distinct aliases ``expr`` uses, in order of first appearance."""
    seen: dict[Alias, None] = {}
    for node in walk(expr):
        if isinstance(node, (Compare, Like, InList, IsNull)) and node.left.scope is not None:
            seen.setdefault(node.left.scope, None)
    return list(seen)


class LikeWildcard(enum.Enum):
    ANY = "%"  # any run of characters, possibly empty
    ONE = "_"  # exactly one character


def split_like(pattern: str) -> tuple[str | LikeWildcard, ...]:
    """A LIKE pattern as literal runs and wildcards.

    ``%`` and ``_`` are wildcards; a backslash makes the next character literal (``\\%``),
    as in ZetaSQL and MySQL. The parser guarantees no pattern ends in a lone backslash.
    """
    parts: list[str | LikeWildcard] = []
    run: list[str] = []
    chars = iter(pattern)
    for ch in chars:
        if ch in "%_":
            if run:
                parts.append("".join(run))
                run = []
            parts.append(LikeWildcard(ch))
        else:
            run.append(next(chars, "\\") if ch == "\\" else ch)
    if run:
        parts.append("".join(run))
    return tuple(parts)
