"""Name resolution and type checking: syntax tree → the resolved AST of :mod:`.ast`.

Semantic errors raise InvalidArgument naming the offending name or value and where it is.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence

from ..errors import InvalidArgument
from ..limits import FILTER_LIKE_PATTERN, FILTER_LIKE_WILDCARDS, over_limit
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
    split_like,
)
from .lexer import position
from .parser import (
    RawAnd,
    RawCompare,
    RawExpr,
    RawIn,
    RawLike,
    RawLiteral,
    RawNot,
    RawOperand,
    RawOr,
    RawPath,
    Segment,
)
from .schema import (
    ALIAS_KINDS,
    ATTRIBUTES,
    PROPERTY_VALUE_TYPES,
    Attribute,
    alias_attributes,
)

__all__ = ["resolve"]

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_EQUALITY_ONLY = (ValueType.BOOL, ValueType.ENUM)
_COMPARE: dict[CompareOp, Callable[[int, int], bool]] = {
    CompareOp.EQ: operator.eq, CompareOp.NE: operator.ne, CompareOp.LT: operator.lt,
    CompareOp.LE: operator.le, CompareOp.GT: operator.gt, CompareOp.GE: operator.ge,
}
_PROPERTY_ROOTS = {"properties": False, "custom_properties": True}  # name → custom
# Longest prefixes first: "parent_contexts_a" must not be read as some "contexts_" alias.
_ALIAS_PREFIXES = sorted(AliasKind, key=lambda k: len(k.value), reverse=True)
_NOUNS = {NodeKind.ARTIFACT: "artifacts", NodeKind.EXECUTION: "executions",
          NodeKind.CONTEXT: "contexts"}


def resolve(raw: RawExpr, kind: NodeKind, query: str) -> Expr:
    """The resolved AST of ``raw`` when filtering nodes of ``kind``."""
    return _Resolver(kind, query).expr(raw)


class _Resolver:
    def __init__(self, kind: NodeKind, query: str) -> None:
        self.kind = kind
        self.query = query

    def error(self, offset: int, message: str) -> InvalidArgument:
        line, column = position(self.query, offset)
        return InvalidArgument(f"{message} (line {line}, column {column})")

    # -- expressions -------------------------------------------------------------------------
    def expr(self, raw: RawExpr) -> Expr:
        if isinstance(raw, RawAnd):
            return And(self.flatten(raw.items, And))
        if isinstance(raw, RawOr):
            return Or(self.flatten(raw.items, Or))
        if isinstance(raw, RawNot):
            return Not(self.expr(raw.item))
        if isinstance(raw, RawCompare):
            return self.compare(raw)
        if isinstance(raw, RawLike):
            left, _ = self.left_operand(raw.left, "LIKE")
            return Like(left, self.pattern(left, raw.left, raw.pattern), raw.negated)
        if isinstance(raw, RawIn):
            left, members = self.left_operand(raw.left, "IN")
            if left.value_type is ValueType.ENUM and any(_number(v) is not None for v in raw.values):
                return self.enum_in(left, raw.left, members, raw.values, raw.negated)
            values = tuple(self.value(left, raw.left, members, v) for v in raw.values)
            return InList(left, values, raw.negated)
        left, _ = self.left_operand(raw.left, "IS NULL")
        return IsNull(left, raw.negated)

    def flatten(self, items: tuple[RawExpr, ...], node: type[And | Or]) -> tuple[Expr, ...]:
        # (a AND b) AND c is one conjunction: compilers get one flat list to join.
        out: list[Expr] = []
        for item in items:
            resolved = self.expr(item)
            if isinstance(resolved, node):
                out.extend(resolved.items)
            else:
                out.append(resolved)
        return tuple(out)

    def compare(self, raw: RawCompare) -> Compare | InList:
        op, left_raw, right_raw = raw.op, raw.left, raw.right
        if isinstance(left_raw, RawLiteral) and isinstance(right_raw, RawPath):
            op, left_raw, right_raw = op.flipped(), right_raw, left_raw  # 5 < id is id > 5
        left, members = self.left_operand(left_raw, op.value)
        number = _number(right_raw)
        if left.value_type is ValueType.ENUM and number is not None:
            # MLMD clients write enums as their numbers (state IN (2)); compare the number
            names = tuple(n for n, v in members.items() if _COMPARE[op](v, number))
            return self.enum_members(left, names, members, negated=False)
        if left.value_type in _EQUALITY_ONLY and op not in (CompareOp.EQ, CompareOp.NE):
            hint = f" with a name, or compare its number ({left_raw.text} {op.value} 1)"
            raise self.error(
                left_raw.offset,
                f"operator {op.value} does not apply to {left_raw.text}, "
                f"{_a(left.value_type)}: use = or !="
                f"{hint if left.value_type is ValueType.ENUM else ''}",
            )
        return Compare(op, left, self.value(left, left_raw, members, right_raw))

    def left_operand(self, raw: RawOperand, what: str) -> tuple[Operand, Mapping[str, int]]:
        if isinstance(raw, RawLiteral):
            raise self.error(raw.offset, f"{what} needs an attribute or property, not {raw.text}")
        return self.path(raw)

    def pattern(self, left: Operand, left_raw: RawOperand, raw: RawOperand) -> str:
        if left.value_type is not ValueType.STRING:
            raise self.error(
                left_raw.offset,
                f"LIKE needs a string attribute, but {left_raw.text} is "
                f"{_a(left.value_type)}",
            )
        if not (isinstance(raw, RawLiteral) and isinstance(raw.value, str)):
            raise self.error(raw.offset, f"LIKE needs a string pattern, not {raw.text}")
        i, pattern = 0, raw.value
        while i < len(pattern):
            if pattern[i] == "\\" and i + 1 == len(pattern):
                raise self.error(raw.offset, f"LIKE pattern {raw.text} ends with a lone '\\'")
            i += 2 if pattern[i] == "\\" else 1
        if len(pattern) > FILTER_LIKE_PATTERN.maximum:
            raise self.error(raw.offset, f"LIKE pattern: {over_limit(FILTER_LIKE_PATTERN, len(pattern))}")
        wildcards = sum(isinstance(part, LikeWildcard) for part in split_like(pattern))
        if wildcards > FILTER_LIKE_WILDCARDS.maximum:
            raise self.error(raw.offset, f"LIKE pattern: {over_limit(FILTER_LIKE_WILDCARDS, wildcards)}")
        return pattern

    # -- enums -----------------------------------------------------------------------------
    def enum_in(self, left: Operand, left_raw: RawOperand, members: Mapping[str, int],
                raws: Sequence[RawOperand], negated: bool) -> InList:
        """``IN`` on an enum whose list holds numbers (and maybe names)."""
        names: dict[str, None] = {}
        for raw in raws:
            number = _number(raw)
            if number is None:
                names[str(self.value(left, left_raw, members, raw))] = None
            else:
                names.update(dict.fromkeys(n for n, v in members.items() if v == number))
        return self.enum_members(left, tuple(names), members, negated)

    @staticmethod
    def enum_members(left: Operand, names: tuple[str, ...], members: Mapping[str, int],
                     negated: bool) -> InList:
        if names:
            return InList(left, names, negated)
        # No member has the number: "one of none" is "set, but to none of the members",
        # which keeps SQL's rule that a node without the attribute matches neither way.
        return InList(left, tuple(members), not negated)

    # -- values ----------------------------------------------------------------------------
    def value(
        self, left: Operand, left_raw: RawOperand, members: Mapping[str, int], raw: RawOperand
    ) -> Value:
        vtype = left.value_type
        if isinstance(raw, RawPath):
            segs = raw.segments
            if vtype is ValueType.ENUM and len(segs) == 1 and not segs[0].quoted:
                return self.member(left_raw, members, segs[0].text, raw)
            self.path(raw)  # an unknown name is the better message, when there is one
            raise self.error(
                raw.offset,
                f"cannot compare {left_raw.text} with another attribute ({raw.text})",
            )
        v = raw.value
        if vtype is ValueType.INT and type(v) is int:
            if not _INT64_MIN <= v <= _INT64_MAX:
                raise self.error(raw.offset, f"{raw.text} does not fit in a 64-bit integer")
            return v
        if vtype is ValueType.DOUBLE and type(v) in (int, float):
            try:
                return float(v)
            except OverflowError:
                raise self.error(raw.offset, f"{raw.text} is out of range for a double") from None
        if vtype is ValueType.STRING and isinstance(v, str):
            return v
        if vtype is ValueType.BOOL and isinstance(v, bool):
            return v
        if vtype is ValueType.ENUM and isinstance(v, str):
            return self.member(left_raw, members, v, raw)
        raise self.error(
            raw.offset,
            f"type mismatch: {left_raw.text} is {_a(vtype)}, "
            f"but {raw.text} is {_literal_type(v)}",
        )

    def member(self, left_raw: RawOperand, members: Mapping[str, int], name: str,
               raw: RawOperand) -> str:
        if name not in members:
            allowed = ", ".join(sorted(members))
            raise self.error(
                raw.offset,
                f"unknown value {name!r} for {left_raw.text}; expected one of {allowed}",
            )
        return name

    # -- names -----------------------------------------------------------------------------
    def path(self, raw: RawPath) -> tuple[Operand, Mapping[str, int]]:
        head = raw.segments[0]
        alias = None if head.quoted else _alias_of(head.text)
        if alias is None:
            return self.member_path(None, ATTRIBUTES[self.kind], raw.segments, _NOUNS[self.kind])
        if alias.kind not in ALIAS_KINDS[self.kind]:
            allowed = ", ".join(f"{k.value}_*" for k in ALIAS_KINDS[self.kind])
            raise self.error(
                head.offset,
                f"{head.text}: {alias.kind.value}_* aliases are not available when filtering "
                f"{_NOUNS[self.kind]} (available: {allowed})",
            )
        if len(raw.segments) == 1:
            raise self.error(
                head.offset, f"{head.text} needs an attribute, as in {head.text}.id"
            )
        attrs = alias_attributes(alias.kind, self.kind)
        return self.member_path(alias, attrs, raw.segments[1:], head.text)

    def member_path(
        self,
        scope: Alias | None,
        attrs: Mapping[str, Attribute],
        segs: tuple[Segment, ...],
        owner: str,
    ) -> tuple[Operand, Mapping[str, int]]:
        head = segs[0]
        has_properties = scope is None or scope.kind is not AliasKind.EVENTS
        if not head.quoted and head.text in _PROPERTY_ROOTS and has_properties:
            return self.property_path(scope, segs, _PROPERTY_ROOTS[head.text]), {}
        if head.quoted:
            raise self.error(
                head.offset, f"`{head.text}`: back-quotes are only for property names"
            )
        attr = attrs.get(head.text)
        if attr is None:
            raise self.error(head.offset, f"unknown attribute {head.text!r} for {owner}")
        if len(segs) > 1:
            raise self.error(segs[1].offset, f"{head.text} has no field {segs[1].text!r}")
        return Field(scope, attr.name, attr.value_type), dict(attr.numbers)

    def property_path(
        self, scope: Alias | None, segs: tuple[Segment, ...], custom: bool
    ) -> Property:
        root = segs[0].text
        if len(segs) == 2:
            stem = f"{root}.{_segment_text(segs[1])}"
            raise self.error(
                segs[0].offset,
                f"{stem} needs a value field: write {stem}.int_value, .double_value, "
                ".string_value or .bool_value",
            )
        if len(segs) != 3:
            where = segs[3].offset if len(segs) > 3 else segs[0].offset
            raise self.error(
                where, f"not a property reference: write {root}.NAME.<int|double|string|bool>_value"
            )
        name, field = segs[1], segs[2]
        vtype = None if field.quoted else PROPERTY_VALUE_TYPES.get(field.text)
        if vtype is None:
            raise self.error(
                field.offset,
                f"unknown property field {field.text!r}: expected int_value, double_value, "
                "string_value or bool_value",
            )
        return Property(scope, name.text, custom, vtype)


def _number(raw: RawOperand) -> int | None:
    """The integer a literal holds (not a bool), else None."""
    value = raw.value if isinstance(raw, RawLiteral) else None
    return value if type(value) is int else None


def _alias_of(name: str) -> Alias | None:
    for kind in _ALIAS_PREFIXES:
        prefix = kind.value + "_"
        if name.startswith(prefix) and len(name) > len(prefix):
            return Alias(kind, name[len(prefix):])
    return None


def _segment_text(seg: Segment) -> str:
    return f"`{seg.text}`" if seg.quoted else seg.text


def _a(vtype: ValueType) -> str:
    return {ValueType.INT: "an int", ValueType.ENUM: "an enum"}.get(vtype, f"a {vtype.value}")


def _literal_type(value: float | str | bool) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int):
        return "an int"
    return "a double" if isinstance(value, float) else "a string"
