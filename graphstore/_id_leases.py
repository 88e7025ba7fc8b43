"""Id blocks taken ahead from the database's sequences, for engines where taking them inside
every write would serialize concurrent writers (decision 27)."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["IdLeases"]

Take = Callable[[tuple[tuple[str, int], ...]], dict[str, int]]


class IdLeases:
    """Hands out consecutive ids from blocks (leases) of at least ``size`` ids that ``take``
    reserves from the sequences in a short transaction of its own, committed at once; the
    sequence lock is then held for that transaction only, not for the caller's write.

    Ids stay unique and are never reused (the rest of a lease is dropped, not returned);
    what changes is that they increase per store object, not in commit order across stores.
    """

    def __init__(self, take: Take, size: int) -> None:
        self._take, self.size = take, size
        self._blocks: dict[str, list[int]] = {}  # name -> [next id, end (exclusive)]
        self._lock = threading.Lock()

    def allocate(self, counts: dict[str, int]) -> dict[str, int]:
        """``{sequence: first id of a block of count consecutive ids}`` (counts > 0 only)."""
        with self._lock:
            short = {n: c for n, c in counts.items() if c and self._left(n) < c}
            if short:
                wanted = {n: max(c, self.size) for n, c in short.items()}
                # one statement for every sequence, locked in name order (see AllocateIds)
                firsts = self._take(tuple(sorted(wanted.items())))
                for name, first in firsts.items():
                    self._blocks[name] = [first, first + wanted[name]]
            out = {}
            for name, count in counts.items():
                if count:
                    block = self._blocks[name]
                    out[name], block[0] = block[0], block[0] + count
            return out

    def forget(self) -> None:
        """Drop every lease (after a sequence was moved by other means, e.g. an import)."""
        with self._lock:
            self._blocks.clear()

    def _left(self, name: str) -> int:
        block = self._blocks.get(name)
        return block[1] - block[0] if block else 0
