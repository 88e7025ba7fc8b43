"""A coalescing write queue: events that arrive within a few milliseconds share a transaction.

Many producers posting small events must not mean one transaction each (a transaction costs
a few round trips plus a commit). ``submit`` hands checked events to one writer thread; it
takes whatever has queued within ``window`` seconds (up to ``max_events``) and writes it as one
``ingest``. If that group fails, each submission is written again on its own, so a submission
that cannot be written (a run claimed by two jobs, a cycle of parent jobs) fails alone.
A submission may name another namespace's store (a view of the queue's, as the service's
``/ns/{namespace}/`` routes do): a group is written one namespace at a time.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future

from ..errors import EngineUnavailable
from ..store import MetadataStore
from . import IngestResult, Parsed, ingest_parsed

__all__ = ["Coalescer"]

_Item = tuple[list[Parsed], list[str], "Future[IngestResult]", MetadataStore]


class Coalescer:
    """One writer thread over ``store`` that groups submissions into shared transactions."""

    def __init__(self, store: MetadataStore, *, window: float = 0.005, max_events: int = 1000) -> None:
        self._store = store
        self._window = window
        self._max_events = max_events
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="openlineage-writer", daemon=True)
        self._thread.start()
        self.transactions = 0  # groups written (for tests and the benchmark)

    def submit(self, events: Sequence[Parsed], prefixes: Sequence[str],
               store: MetadataStore | None = None) -> Future[IngestResult]:
        """Queue checked events (for ``store``: the queue's own, or a view of it in another
        namespace); the future holds their result (or their error)."""
        done: Future[IngestResult] = Future()
        if self._closed:
            done.set_exception(EngineUnavailable("the OpenLineage write queue is closed (the service "
                                                 "is shutting down)"))
            return done
        self._queue.put((list(events), list(prefixes), done, store or self._store))
        return done

    def close(self, timeout: float | None = 10.0) -> None:
        """Write what is queued, then stop the writer thread."""
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)

    def _take(self) -> tuple[list[_Item], bool]:
        first = self._queue.get()
        if first is None:
            return [], True
        group, count = [first], len(first[0])
        deadline = time.monotonic() + self._window
        while count < self._max_events:
            left = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return group, True
            group.append(item)
            count += len(item[0])
        return group, False

    def _run(self) -> None:
        stop = False
        while not stop:
            group, stop = self._take()
            by_namespace: dict[str, list[_Item]] = {}
            for item in group:  # one transaction writes one namespace
                by_namespace.setdefault(item[3].namespace, []).append(item)
            for items in by_namespace.values():
                self._write(items)

    def _write(self, group: list[_Item]) -> None:
        try:
            self.transactions += 1
            result = ingest_parsed(group[0][3], [e for g in group for e in g[0]],
                                   [p for g in group for p in g[1]])
        except Exception as exc:  # every error goes to its submitter
            if len(group) == 1:
                group[0][2].set_exception(exc)
                return
            for item in group:  # alone, so one bad submission does not fail the others
                self._write([item])
            return
        for events, _, done, _ in group:
            done.set_result(IngestResult(len(events), result.execution_ids, result.artifact_ids,
                                         result.context_ids))
