"""What a filter means, on every engine, and the shape both compilers give it.

The SQL (:mod:`graphstore.compile.filter_sql`) and Cypher (:mod:`graphstore.compile.filter_cypher`)
compilers implement exactly these rules, and tests/filters/test_filter_engines.py checks that
both return the same nodes:

* **Values.** An attribute is NULL when unset. ``[custom_]properties.x.<t>_value`` is x's value
  when x is stored with that value type (int_value: INT, double_value: DOUBLE, string_value:
  STRING, bool_value: BOOLEAN), and NULL otherwise — absent, or of another type (STRUCT and
  PROTO are never a string_value). So ``IS NULL`` means "no <t> value", and properties are
  per-node values like attributes: ``properties.a.int_value = 1 OR name = 'x'`` matches a node
  named x that lacks ``a`` (MLMD's inner join drops it).
* **Three-valued logic**, as in SQL: a comparison, ``LIKE`` or ``IN`` with a NULL operand is
  unknown, ``NOT unknown`` is unknown, and only true keeps a node. So ``state != LIVE``,
  ``NOT (x = 1)`` and ``x NOT IN (…)`` never match a node where x is NULL; ask with ``IS NULL``.
  (Enums compare by member name; the store writes UNKNOWN for a state never set, so
  ``state = UNKNOWN`` finds those and ``state IS NULL`` finds nothing.)
* **Strings** compare case-sensitively by character. One engine difference remains:
  ``<``/``>`` between a character above U+FFFF and one in U+E000 to U+FFFF (SQLite orders code
  points, Neo4j UTF-16 units).
* **LIKE** is case-sensitive everywhere; ``%`` is any run of characters, ``_`` exactly one
  character (newlines included), ``\\`` makes the next character literal; it matches the whole
  value.
* **Aliases.** Each alias ranges over the node's neighbours of its kind or, when the node has
  none, over one absent neighbour whose attributes are all NULL (a LEFT JOIN). A node matches
  when SOME assignment of neighbours to the query's aliases makes the whole filter true. So the
  same alias is the same neighbour everywhere in the query, under AND, OR and NOT alike;
  different aliases are independent (and may be the same neighbour). As in MLMD, ``NOT
  contexts_a.name = 'x'`` means "some context is not named x". Unlike MLMD, a node without
  neighbours is not dropped: ``contexts_a.name = 'x' OR name = 'y'`` matches a context-less
  node named y, and ``contexts_a.id IS NULL`` matches exactly the nodes without contexts.

Compilers evaluate the filter as :func:`plan` lays it out: the top-level conjuncts that name
no alias as they are, and each group of conjuncts linked by shared aliases as one existence
test over that group's aliases only — the same meaning as one test over all aliases, without
the cross product.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import InvalidArgument
from ..kinds import NodeKind, Relation, RelationSpec
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
    Not,
    Operand,
    Or,
    Property,
    Value,
    aliases,
    walk,
)

__all__ = ["ExprMemo", "Link", "Scope", "alias_numbers", "link_of", "merge_equalities", "neighbours_required", "plan",
           "ranges_own_attribute", "seekable"]


@dataclass(frozen=True, slots=True)
class Scope:
    """True when some assignment of neighbours to ``aliases`` makes ``expr`` true."""

    aliases: tuple[Alias, ...]
    expr: Expr


@dataclass(frozen=True, slots=True)
class Link:
    """How a node reaches an alias's neighbours.

    ``relation`` is None for events (the neighbour is the event; ``neighbour`` its other end).
    ``outward`` says the filtered node is the relation's source (artifact → context,
    execution → context, child → parent).
    """

    relation: RelationSpec | None
    outward: bool
    neighbour: NodeKind


_LINKS: dict[tuple[NodeKind, AliasKind], Link] = {
    (NodeKind.ARTIFACT, AliasKind.CONTEXTS):
        Link(Relation.ATTRIBUTION.value, True, NodeKind.CONTEXT),
    (NodeKind.EXECUTION, AliasKind.CONTEXTS):
        Link(Relation.ASSOCIATION.value, True, NodeKind.CONTEXT),
    (NodeKind.ARTIFACT, AliasKind.EVENTS): Link(None, True, NodeKind.EXECUTION),
    (NodeKind.EXECUTION, AliasKind.EVENTS): Link(None, False, NodeKind.ARTIFACT),
    (NodeKind.CONTEXT, AliasKind.ARTIFACTS):
        Link(Relation.ATTRIBUTION.value, False, NodeKind.ARTIFACT),
    (NodeKind.CONTEXT, AliasKind.EXECUTIONS):
        Link(Relation.ASSOCIATION.value, False, NodeKind.EXECUTION),
    (NodeKind.CONTEXT, AliasKind.PARENT_CONTEXTS):
        Link(Relation.PARENT.value, True, NodeKind.CONTEXT),
    (NodeKind.CONTEXT, AliasKind.CHILD_CONTEXTS):
        Link(Relation.PARENT.value, False, NodeKind.CONTEXT),
}


def link_of(kind: NodeKind, alias: AliasKind) -> Link:
    """How nodes of ``kind`` reach ``alias`` neighbours; the resolver already allowed the pair."""
    try:
        return _LINKS[kind, alias]
    except KeyError:
        raise InvalidArgument(f"{alias.value}_* aliases do not apply to {kind.value} nodes") from None


def alias_numbers(expr: Expr) -> dict[Alias, int]:
    """A number per alias, in order of first appearance: compilers name variables after it."""
    return {a: i for i, a in enumerate(aliases(expr))}


def simplify(expr: Expr) -> Expr:
    """``expr`` with every OR's equalities on one operand merged into one IN list
    (:func:`merge_equalities`); everything else as it was."""
    if isinstance(expr, And):
        return And(tuple(simplify(i) for i in expr.items))
    if isinstance(expr, Not):
        return Not(simplify(expr.item))
    if isinstance(expr, Or):
        items = merge_equalities(tuple(simplify(i) for i in expr.items))
        return items[0] if len(items) == 1 else Or(items)
    return expr


def merge_equalities(items: tuple[Expr, ...]) -> tuple[Expr, ...]:
    """``a = 1 OR a = 2 OR a IN (3)`` → ``a IN (1, 2, 3)``: the same answer in three-valued
    logic (null either way when ``a`` is null), and one term for the engines. MLMD clients
    build long ORs of equalities (``id = 1 OR id = 2 …``); Neo4j's planner took seconds over
    100 typed property reads, and SQLite's expression tree grows with every term."""
    equalities = [_equality(item) for item in items]
    parts: dict[Operand, list[tuple[Value, ...]]] = {}
    for eq in equalities:
        if eq is not None:
            parts.setdefault(eq[0], []).append(eq[1])
    out: list[Expr] = []
    for item, eq in zip(items, equalities, strict=True):
        if eq is None:
            out.append(item)
        elif eq[0] in parts:  # the first part: the merged term takes its place; later ones go
            group = parts.pop(eq[0])
            out.append(item if len(group) == 1 else InList(eq[0], tuple(v for vs in group for v in vs)))
    return tuple(out)


def _equality(e: Expr) -> tuple[Operand, tuple[Value, ...]] | None:
    if isinstance(e, Compare) and e.op is CompareOp.EQ:
        return e.left, (e.value,)
    if isinstance(e, InList) and not e.negated:
        return e.left, e.values
    return None


def plan(expr: Expr) -> list[Expr | Scope]:
    """The top-level conjuncts of ``expr`` (simplified), those sharing aliases grouped into
    one :class:`Scope`.

    A group appears where its first conjunct was; everything else keeps the query's order.
    """
    expr = simplify(expr)
    items = expr.items if isinstance(expr, And) else (expr,)
    used = [aliases(item) for item in items]
    # union-find over conjunct positions: conjuncts naming a common alias join one group
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_user: dict[Alias, int] = {}
    for i, names in enumerate(used):
        for a in names:
            j = first_user.setdefault(a, i)
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i, names in enumerate(used):
        if names:
            groups.setdefault(root(i), []).append(i)
    out: list[Expr | Scope] = []
    for i, item in enumerate(items):
        if not used[i]:
            out.append(item)
            continue
        members = groups[root(i)]
        if members[0] != i:
            continue  # emitted with the group's first conjunct
        group = tuple(items[m] for m in members)
        scoped = dict.fromkeys(a for m in members for a in used[m])
        out.append(Scope(tuple(scoped), group[0] if len(group) == 1 else And(group)))
    return out


def seekable(e: Expr) -> Property | None:
    """The node's own property a top-level comparison tests, when an index could find the
    matching nodes (``=``, ``<``, ``>``, ``<=``, ``>=``, ``IN``); else None. Both compilers add
    a redundant, index-friendly predicate for it in front of the exact, type-checked test."""
    left = seekable_operand(e)
    return left if isinstance(left, Property) else None


def seekable_operand(e: Expr) -> Operand | None:
    """The node's own attribute or property that a top-level ``=``, ``<``, ``>``, ``<=``,
    ``>=`` or ``IN`` tests; else None."""
    tests = (isinstance(e, Compare) and e.op is not CompareOp.NE) or (isinstance(e, InList) and not e.negated)
    return e.left if tests and e.left.scope is None else None  # type: ignore[union-attr]


_RANGES = frozenset({CompareOp.LT, CompareOp.LE, CompareOp.GT, CompareOp.GE})


def ranges_own_attribute(e: Expr) -> bool:
    """True when ``e`` tests one of the node's own attributes (other than ``id``) by a range:
    ``<``, ``<=``, ``>``, ``>=`` or ``LIKE``.

    Such a test can be served by an index on that attribute, whose order is not id order; asked
    for id order, SQLite's planner then prefers walking the whole table (no sort) over the
    index, so the SQL compiler keeps its sort for these filters (``ORDER BY +n.id``)."""
    return any(isinstance(item, (Compare, Like)) and isinstance(item.left, Field)
               and item.left.scope is None and item.left.name != "id"
               and (isinstance(item, Like) or item.op in _RANGES)
               for item in walk(e))


def neighbours_required(scope: Scope) -> bool:
    """True when only a real neighbour can satisfy ``scope``: it names one alias and nothing of
    the node itself, and its test is not true when the alias is the absent neighbour (every
    attribute NULL).

    Then the absent assignment never matters, the LEFT JOIN meaning equals an inner join, and
    compilers may start from the neighbours that pass the test (an index on the context name,
    say) instead of testing every node.
    """
    if len(scope.aliases) != 1:
        return False
    (alias,) = scope.aliases
    for item in walk(scope.expr):
        if isinstance(item, (Compare, Like, InList, IsNull)) and item.left.scope != alias:
            return False
    return _when_absent(scope.expr) is not True


def _when_absent(e: Expr) -> bool | None:
    """``e``'s three-valued result (None: unknown) when every operand is NULL."""
    if isinstance(e, (Compare, Like, InList)):
        return None  # a comparison with NULL is unknown, negated or not
    if isinstance(e, IsNull):
        return not e.negated
    if isinstance(e, Not):
        inner = _when_absent(e.item)
        return None if inner is None else not inner
    results = [_when_absent(i) for i in e.items]
    if isinstance(e, And):
        return False if False in results else None if None in results else True
    assert isinstance(e, Or)
    return True if True in results else None if None in results else False


T = TypeVar("T")


class ExprMemo(Generic[T]):
    """What a compiler made of a filter, remembered per parsed expression object.

    :func:`graphstore.filters.parse` hands out the same object for the same text, so every
    page of a listing and every repeat of a call finds its compiled text here. Keyed by
    identity, not equality: equal ASTs may differ in a literal's type (``1`` == ``1.0`` ==
    ``True``), which the compiled parameters must keep. The memo holds the expression, so its
    id cannot be reused by another object while the entry lives.
    """

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._items: dict[tuple[int, Hashable], tuple[Expr, T]] = {}

    def get(self, expr: Expr, key: Hashable) -> T | None:
        hit = self._items.get((id(expr), key))
        return hit[1] if hit is not None and hit[0] is expr else None

    def put(self, expr: Expr, key: Hashable, value: T) -> None:
        if len(self._items) >= self._size:
            self._items.clear()  # simple bound; a miss only costs a compile
        self._items[id(expr), key] = (expr, value)
