"""Building OpenLineage events for the tests (plain dicts, as JSON carries them)."""

from __future__ import annotations

from typing import Any

PRODUCER = "https://example.com/graphstore-tests"
SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent"


def ds(namespace: str, name: str, **facets: Any) -> dict[str, Any]:
    return {"namespace": namespace, "name": name, "facets": facets}


def run_event(event_type: str | None, run_id: str, job: tuple[str, str], *, inputs: Any = (),
              outputs: Any = (), time: str = "2024-05-01T10:00:00Z", run_facets: Any = None,
              job_facets: Any = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventTime": time, "producer": PRODUCER, "schemaURL": SCHEMA,
        "run": {"runId": run_id, "facets": run_facets or {}},
        "job": {"namespace": job[0], "name": job[1], "facets": job_facets or {}},
        "inputs": list(inputs), "outputs": list(outputs)}
    if event_type is not None:
        event["eventType"] = event_type
    return event
