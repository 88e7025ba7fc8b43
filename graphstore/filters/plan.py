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

from dataclasses import dataclass

from ..errors import InvalidArgument
from ..kinds import NodeKind, Relation, RelationSpec
from .ast import Alias, AliasKind, And, Compare, CompareOp, Expr, InList, Property, aliases

__all__ = ["Link", "Scope", "alias_numbers", "link_of", "plan"]


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


def plan(expr: Expr) -> list[Expr | Scope]:
    """The top-level conjuncts of ``expr``, those sharing aliases grouped into one :class:`Scope`.

    A group appears where its first conjunct was; everything else keeps the query's order.
    """
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
    if (isinstance(e, Compare) and e.op is not CompareOp.NE) or (isinstance(e, InList) and not e.negated):
        left = e.left
        if isinstance(left, Property) and left.scope is None:
            return left
    return None
