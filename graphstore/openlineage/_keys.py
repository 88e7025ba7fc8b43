"""How OpenLineage names become graphstore records: types, external ids, property names."""

from __future__ import annotations

import json

__all__ = ["DATASET_TYPE", "EVENT_MS", "JOB_CONTEXT_TYPE", "NAMESPACE_CONTEXT_TYPE", "STATE_MS",
           "dataset_key", "display", "job_key", "namespace_key", "run_key"]

DATASET_TYPE = "openlineage.Dataset"
JOB_CONTEXT_TYPE = "openlineage.Job"
NAMESPACE_CONTEXT_TYPE = "openlineage.Namespace"
# bookkeeping custom properties: the newest event time a record has seen, and the time of the
# event that set a run's state (out-of-order events compare against them)
EVENT_MS = "openlineage.event_ms"
STATE_MS = "openlineage.state_ms"
FACET = "facets."


def _pair(namespace: str, name: str) -> str:
    # JSON keeps (namespace, name) apart whatever ':' or '/' either holds
    return json.dumps([namespace, name], ensure_ascii=False, separators=(",", ":"))


def dataset_key(namespace: str, name: str) -> str:
    """The external_id of a dataset's artifact."""
    return "openlineage:dataset:" + _pair(namespace, name)


def job_key(namespace: str, name: str) -> str:
    """The external_id of a job's context (and of its execution type)."""
    return "openlineage:job:" + _pair(namespace, name)


def run_key(run_id: str) -> str:
    """The external_id of a run's execution."""
    return "openlineage:run:" + run_id


def namespace_key(namespace: str) -> str:
    """The external_id of a namespace's context."""
    return "openlineage:namespace:" + namespace


def display(namespace: str, name: str) -> str:
    """The record name: Marquez's node id without its prefix, ``namespace:name``."""
    return f"{namespace}:{name}"
