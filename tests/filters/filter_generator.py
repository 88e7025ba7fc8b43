"""Random filters over the world of :mod:`.filter_world`, drawing values that occur in it.

Deterministic for a given ``random.Random``; every filter is well-typed, so it parses.
"""

from __future__ import annotations

import random
from typing import Any

from graphstore.filters import (
    Alias,
    And,
    Compare,
    CompareOp,
    Expr,
    Field,
    InList,
    IsNull,
    Like,
    NodeKind,
    Not,
    Operand,
    Or,
    Property,
    Value,
    ValueType,
)
from graphstore.filters.schema import ALIAS_KINDS, ATTRIBUTES, PROPERTY_VALUE_TYPES, alias_attributes

from .filter_world import World

_ORDERED = list(CompareOp)
_EQUALITY = [CompareOp.EQ, CompareOp.NE]
_VALUE_TYPES = list(PROPERTY_VALUE_TYPES.values())
_EXTRA_STRINGS = ["", "x", "Run", "/data/", "zzz"]


class _Pools:
    """Values seen in the world: by attribute name, and by (property name, value type)."""

    def __init__(self, world: World, ids: dict[str, int]) -> None:
        self.attrs: dict[str, list[Any]] = {}
        self.props: dict[tuple[str, ValueType], list[Any]] = {}
        self.prop_names: set[tuple[str, bool]] = set()
        self.typed: set[tuple[str, bool, ValueType]] = set()  # properties as stored
        records = [r for nodes in world.nodes.values() for r in nodes.values()]
        records += [r for rs in world.neighbours.values() for r in rs]
        for rec in records:
            for key, value in rec.items():
                if isinstance(key, tuple):
                    _, custom, name = key
                    vtype, v = value
                    self.prop_names.add((name, custom))
                    if vtype is not None:
                        self.typed.add((name, custom, vtype))
                        self.props.setdefault((name, vtype), []).append(v)
                elif value is not None:
                    self.attrs.setdefault(key, []).append(value)
        self.ids = list(ids.values())


def random_filter(rng: random.Random, kind: NodeKind, world: World, ids: dict[str, int]) -> Expr:
    return _expr(rng, kind, _Pools(world, ids), depth=rng.randint(0, 3))


def _expr(rng: random.Random, kind: NodeKind, pools: _Pools, depth: int) -> Expr:
    roll = rng.random()
    if depth == 0 or roll < 0.3:
        return _predicate(rng, kind, pools)
    if roll < 0.45:
        return Not(_expr(rng, kind, pools, depth - 1))
    items = tuple(_expr(rng, kind, pools, depth - 1) for _ in range(rng.randint(2, 3)))
    return And(items) if roll < 0.6 else Or(items)


def _operand(rng: random.Random, kind: NodeKind, pools: _Pools) -> tuple[Operand, frozenset[str]]:
    scope = None
    attrs = ATTRIBUTES[kind]
    if rng.random() < 0.45:
        scope = Alias(rng.choice(ALIAS_KINDS[kind]), rng.choice("ab"))
        attrs = alias_attributes(scope.kind, kind)
    has_props = scope is None or scope.kind.node_kind is not None
    if has_props and rng.random() < 0.35:
        if rng.random() < 0.75:  # mostly a property that exists with that type somewhere
            name, custom, vtype = rng.choice(sorted(pools.typed, key=str))
        else:
            name, custom = rng.choice(sorted(pools.prop_names | {("nope", False)}))
            vtype = rng.choice(_VALUE_TYPES)
        return Property(scope, name, custom, vtype), frozenset()
    attr = attrs[rng.choice(sorted(attrs))]
    return Field(scope, attr.name, attr.value_type), attr.members


def _value(rng: random.Random, left: Operand, members: frozenset[str], pools: _Pools) -> Value:
    vtype = left.value_type
    if vtype is ValueType.ENUM:
        return rng.choice(sorted(members))
    if vtype is ValueType.BOOL:
        return rng.random() < 0.5
    seen = (pools.props.get((left.name, vtype), []) if isinstance(left, Property)
            else pools.attrs.get(left.name, []))
    if vtype is ValueType.STRING:
        return rng.choice([v for v in seen if isinstance(v, str)] + _EXTRA_STRINGS)
    numbers = [v for v in seen if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if left.name.endswith("id") and isinstance(left, Field):
        numbers += pools.ids
    base = rng.choice(numbers or [0])
    v = base + rng.choice([0, 0, 0, -1, 1])
    return float(v) if vtype is ValueType.DOUBLE else int(v)


def _pattern(rng: random.Random, text: str) -> str:
    """A LIKE pattern that often matches ``text``: some characters become wildcards."""
    out = []
    for ch in text:
        roll = rng.random()
        if roll < 0.15:
            out.append("_")
        elif roll < 0.25:
            out.append("%")
        else:
            out.append("\\" + ch if ch in "%_\\" else ch)
    if rng.random() < 0.2:
        out.insert(rng.randint(0, len(out)), "%")
    return "".join(out)


def _predicate(rng: random.Random, kind: NodeKind, pools: _Pools) -> Expr:
    left, members = _operand(rng, kind, pools)
    roll = rng.random()
    if roll < 0.12:
        return IsNull(left, negated=rng.random() < 0.5)
    if roll < 0.3:
        values = tuple(_value(rng, left, members, pools) for _ in range(rng.randint(1, 3)))
        return InList(left, values, negated=rng.random() < 0.4)
    if roll < 0.45 and left.value_type is ValueType.STRING:
        text = _value(rng, left, members, pools)
        assert isinstance(text, str)
        return Like(left, _pattern(rng, text), negated=rng.random() < 0.3)
    equality_only = left.value_type in (ValueType.BOOL, ValueType.ENUM)
    op = rng.choice(_EQUALITY if equality_only else _ORDERED)
    return Compare(op, left, _value(rng, left, members, pools))
