"""MLMD's filter_query language: ``parse(query, kind)`` → a resolved, validated AST.

The language is the one documented on MLMD's ``ListOperationOptions.filter_query``: SQL-like
predicates over node attributes, ``properties`` / ``custom_properties``, and neighbours reached
through aliases (``contexts_a.name = 'run'``). See :mod:`.parser` for the grammar, :mod:`.schema`
for what each node kind may name and :mod:`.ast` for the result.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import InvalidArgument
from .ast import (
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
    Value,
    ValueType,
    aliases,
    split_like,
    walk,
)
from .parser import parse_syntax
from .resolve import resolve
from .unparse import to_query

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
    "parse",
    "split_like",
    "to_query",
    "walk",
]


def parse(query: str, kind: NodeKind) -> Expr:
    """Parse and resolve ``query`` for nodes of ``kind``.

    Raises FilterSyntaxError (with line, column and what was expected) for malformed text and
    InvalidArgument for unknown names, misplaced aliases, unknown enum values and type errors.
    An empty query is not a filter: callers skip it, so it is rejected here.
    """
    if not isinstance(query, str):
        raise InvalidArgument(f"filter query must be a string, not {type(query).__name__}")
    if not isinstance(kind, NodeKind):
        raise InvalidArgument(f"filter node kind must be a NodeKind, not {kind!r}")
    if not query.strip():
        raise InvalidArgument("filter query is empty")
    if len(query) > _CACHED_LENGTH:  # 512 cached texts of up to 1 MB each would pin 512 MB
        return resolve(parse_syntax(query), kind, query)
    return _parse(query, kind)


_CACHED_LENGTH = 10_000


@lru_cache(maxsize=512)
def _parse(query: str, kind: NodeKind) -> Expr:
    # Pages and repeated calls send the same text again; the AST is immutable (frozen
    # dataclasses, tuples), so one parse serves them all. Errors are raised, never cached.
    return resolve(parse_syntax(query), kind, query)
