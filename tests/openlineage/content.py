"""The whole content of a small store, to compare before and after."""

from __future__ import annotations

from typing import Any

from graphstore import MetadataStore


def content(store: MetadataStore) -> dict[str, Any]:
    """Every node (times included), event, link and type of ``store``."""
    artifacts, executions, contexts = store.get_artifacts(), store.get_executions(), store.get_contexts()
    return {
        "artifacts": [a.model_dump() for a in artifacts],
        "executions": [e.model_dump() for e in executions],
        "contexts": [c.model_dump() for c in contexts],
        "events": [e.model_dump() for e in store.get_events_by_execution_ids([e.id for e in executions])],
        "links": {c.id: (sorted(a.id for a in store.get_artifacts_by_context(c.id)),
                         sorted(e.id for e in store.get_executions_by_context(c.id)),
                         sorted(p.id for p in store.get_parent_contexts_by_context(c.id)))
                  for c in contexts},
        "types": ([t.model_dump() for t in store.get_artifact_types()],
                  [t.model_dump() for t in store.get_execution_types()],
                  [t.model_dump() for t in store.get_context_types()]),
    }
