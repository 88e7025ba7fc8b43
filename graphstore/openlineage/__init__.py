"""OpenLineage events into a graphstore, and the graph read back in Marquez's shapes.

``ingest(store, event_or_events)`` takes OpenLineage RunEvents, JobEvents and DatasetEvents
(spec 2-0-2, as dicts parsed from JSON) and merges them into the store in one transaction:
a dataset is an artifact, a job an execution type plus a context, a run an execution whose
state follows START/RUNNING/COMPLETE/FAIL/ABORT, inputs/outputs INPUT/OUTPUT events. The
mapping is written down in cypher/README.md ("OpenLineage"); ``graphstore.openlineage.marquez``
answers Marquez's read API over the same graph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._outcome import write_naming
from ..errors import InvalidArgument
from ..limits import OPENLINEAGE_BATCH_EVENTS as BATCH_EVENTS
from ..limits import check_max
from ..store import MetadataStore
from ._ingest import IngestResult, apply_events
from ._keys import DATASET_TYPE, JOB_CONTEXT_TYPE, NAMESPACE_CONTEXT_TYPE, dataset_key, job_key, run_key
from ._parse import Parsed, parse_event

__all__ = ["DATASET_TYPE", "JOB_CONTEXT_TYPE", "NAMESPACE_CONTEXT_TYPE", "IngestResult", "Parsed",
           "dataset_key", "ingest", "ingest_parsed", "job_key", "parse_events", "run_key"]


def parse_events(event_or_events: Mapping[str, Any] | Sequence[Mapping[str, Any]]
                 ) -> tuple[list[Parsed], list[str]]:
    """Check one event or a list; returns the checked events and their field prefixes
    (``""`` for one event, ``"[i]."`` in a list). The first bad field is InvalidArgument."""
    if isinstance(event_or_events, Mapping):
        return [parse_event(event_or_events)], [""]
    if not isinstance(event_or_events, Sequence) or isinstance(event_or_events, (str, bytes)):
        raise InvalidArgument(f"events: expected an OpenLineage event (a JSON object) or a list "
                              f"of them, got {type(event_or_events).__name__}")
    check_max(BATCH_EVENTS, "events", len(event_or_events), f"{len(event_or_events)} events")
    prefixes = [f"[{i}]." for i in range(len(event_or_events))]
    return [parse_event(e, p) for e, p in zip(event_or_events, prefixes, strict=True)], prefixes


def ingest_parsed(store: MetadataStore, events: Sequence[Parsed],
                  prefixes: Sequence[str]) -> IngestResult:
    """Write checked events in one transaction (see ``ingest``)."""
    # idempotent: a writer that loses the race to create the same dataset or job runs again
    # and merges into the winner's records
    return write_naming(store._engine, lambda tx: apply_events(tx, events, prefixes),
                        lambda: f"{len(events)} OpenLineage events", idempotent=True)


def ingest(store: MetadataStore,
           event_or_events: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> IngestResult:
    """Merge one OpenLineage event, or a list of them, into ``store`` in one transaction.

    Every event is checked first; a bad one is InvalidArgument naming its field
    (``[2].inputs[0].namespace``) and nothing is written. Events merge idempotently and in any
    order: the same event twice changes nothing, and a COMPLETE that arrives before its START
    stays COMPLETE."""
    events, prefixes = parse_events(event_or_events)
    return ingest_parsed(store, events, prefixes)
