"""AST → query text: the canonical spelling, which parses back to an equal AST."""

from __future__ import annotations

import re

from .ast import (
    And,
    Compare,
    Expr,
    InList,
    IsNull,
    Like,
    Not,
    Operand,
    Or,
    Property,
    Value,
    ValueType,
)

__all__ = ["to_query"]

_BARE_NAME = re.compile(r"[A-Za-z0-9_]+")


def to_query(expr: Expr) -> str:
    """``expr`` as filter-query text, e.g. for logs and error messages."""
    if isinstance(expr, (And, Or)):
        joiner = " AND " if isinstance(expr, And) else " OR "
        return joiner.join(_grouped(item) for item in expr.items)
    if isinstance(expr, Not):
        return f"NOT ({to_query(expr.item)})"
    left = _operand(expr.left)
    if isinstance(expr, Compare):
        return f"{left} {expr.op.value} {_value(expr.value, expr.left.value_type)}"
    if isinstance(expr, Like):
        return f"{left} {'NOT ' if expr.negated else ''}LIKE {_string(expr.pattern)}"
    if isinstance(expr, InList):
        values = ", ".join(_value(v, expr.left.value_type) for v in expr.values)
        return f"{left} {'NOT ' if expr.negated else ''}IN ({values})"
    assert isinstance(expr, IsNull)
    return f"{left} IS {'NOT ' if expr.negated else ''}NULL"


def _grouped(expr: Expr) -> str:
    text = to_query(expr)
    return f"({text})" if isinstance(expr, (And, Or)) else text


def _operand(operand: Operand) -> str:
    prefix = "" if operand.scope is None else operand.scope.label + "."
    if isinstance(operand, Property):
        root = "custom_properties" if operand.custom else "properties"
        name = operand.name
        if not _BARE_NAME.fullmatch(name):
            name = "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"
        return f"{prefix}{root}.{name}.{operand.value_type.value}_value"
    return prefix + operand.name


def _value(value: Value, value_type: ValueType) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return value if value_type is ValueType.ENUM else _string(value)  # enum names read bare


def _string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
