"""One level of a breadth-first walk over int node keys, for the walks over shipped edges
(paths of a lineage answer). The Neo4j walk's decoder runs its own pass over positions in
int64 arrays: at 1M nodes a dict keyed by node, as this one keeps, costs ~40-100 MB."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

__all__ = ["expand"]


def expand(frontier: Iterable[int], adj: Mapping[int, Sequence[int]], distance: dict[int, int],
           parent: dict[int, int], depth: int, halt: Collection[int] = ()) -> list[int]:
    """The nodes first reached at ``depth`` from ``frontier``, recorded in ``distance`` and
    ``parent``; nodes in ``halt`` are reached but not walked through."""
    following: list[int] = []
    for node in frontier:
        if node in halt:
            continue
        for nxt in adj.get(node, ()):
            if nxt not in distance:
                distance[nxt] = depth
                parent[nxt] = node
                following.append(nxt)
    return following
