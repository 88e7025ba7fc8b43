"""Validate OpenLineage events (spec 2-0-2) into plain records; no store access here.

Errors are InvalidArgument naming the JSON path of the field (``inputs[0].namespace``), with
the event's place in a batch in front (``[3].run.runId``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..errors import InvalidArgument
from ..limits import STRING_IDENTIFIER, abridge, check_max
from ._keys import dataset_key, job_key

__all__ = ["EVENT_TYPES", "DatasetRef", "JobRef", "Parsed", "parse_event"]

EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
Facets = dict[str, Any]


@dataclass(frozen=True)
class DatasetRef:
    """A dataset as an event names it, with its facets (and input/output facets)."""

    namespace: str
    name: str
    facets: Facets = field(default_factory=dict)
    io_facets: Facets = field(default_factory=dict)


@dataclass(frozen=True)
class JobRef:
    """A job (namespace, name) with its facets."""

    namespace: str
    name: str
    facets: Facets = field(default_factory=dict)


@dataclass(frozen=True)
class Parsed:
    """One checked event: ``kind`` is "run", "job" or "dataset"."""

    kind: str
    event_ms: int
    event_time: str
    producer: str
    event_type: str | None = None
    job: JobRef | None = None
    run_id: str | None = None
    run_facets: Facets = field(default_factory=dict)
    parent: tuple[str, JobRef] | None = None  # (runId, job) of the ParentRunFacet
    inputs: tuple[DatasetRef, ...] = ()
    outputs: tuple[DatasetRef, ...] = ()
    dataset: DatasetRef | None = None


def _fail(path: str, why: str, value: Any) -> InvalidArgument:
    return InvalidArgument(f"{path}: {why}, got {abridge(value)}")


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, "expected a JSON object", value)
    return value


def _text(obj: Mapping[str, Any], key: str, path: str) -> str:
    value = obj.get(key)
    where = f"{path}.{key}" if path else key
    if not isinstance(value, str) or not value:
        raise _fail(where, "required, a non-empty string", value)
    check_max(STRING_IDENTIFIER, where, len(value), value)
    return value


def _facets(obj: Mapping[str, Any], key: str, path: str) -> Facets:
    """A facets map: facet name -> JSON object (null facets are dropped)."""
    value = obj.get(key)
    where = f"{path}.{key}" if path else key
    if value is None:
        return {}
    facets = _object(value, where)
    out: Facets = {}
    for name, facet in facets.items():
        if facet is None:
            continue
        if not isinstance(name, str) or not name:
            raise _fail(where, "facet names are non-empty strings", name)
        _object(facet, f"{where}.{name}")
        out[name] = dict(facet)
    return out


def _names(obj: Mapping[str, Any], path: str, key: Any) -> tuple[str, str]:
    namespace, name = _text(obj, "namespace", path), _text(obj, "name", path)
    # the pair becomes one external_id, which has the identifier limit too
    check_max(STRING_IDENTIFIER, f"{path}.name (with its namespace, as an id)",
              len(key(namespace, name)), name)
    return namespace, name


def _job(value: Any, path: str) -> JobRef:
    obj = _object(value, path)
    return JobRef(*_names(obj, path, job_key), _facets(obj, "facets", path))


def _dataset(value: Any, path: str, io_key: str | None) -> DatasetRef:
    obj = _object(value, path)
    return DatasetRef(*_names(obj, path, dataset_key), _facets(obj, "facets", path),
                      _facets(obj, io_key, path) if io_key else {})


def _datasets(event: Mapping[str, Any], key: str, prefix: str, io_key: str) -> tuple[DatasetRef, ...]:
    value = event.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(f"{prefix}{key}", "expected a JSON array", value)
    return tuple(_dataset(d, f"{prefix}{key}[{i}]", io_key) for i, d in enumerate(value))


def _run_id(obj: Mapping[str, Any], path: str) -> str:
    value = obj.get("runId")
    try:
        if not isinstance(value, str):
            raise ValueError
        return str(uuid.UUID(value))
    except ValueError:
        raise _fail(f"{path}.runId", "required, a UUID", value) from None


# RFC 3339 as producers write it: "Z" and 1-9 fractional digits, which Python 3.10's
# fromisoformat does not read (it takes +00:00 and 3 or 6 digits)
_TIME = re.compile(r"(?P<head>[^.]*?)(?:\.(?P<frac>\d+))?(?P<zone>Z|z|[+-]\d\d:?\d\d)?")


def _iso(text: str) -> str:
    m = _TIME.fullmatch(text)
    if m is None:
        return text
    frac = f".{(m['frac'] + '000000')[:6]}" if m["frac"] else ""
    zone = "+00:00" if m["zone"] in ("Z", "z") else (m["zone"] or "")
    return f"{m['head']}{frac}{zone}"


def _event_time(event: Mapping[str, Any], prefix: str) -> tuple[int, str]:
    text = _text(event, "eventTime", prefix.rstrip("."))
    try:
        moment = datetime.fromisoformat(_iso(text))
    except ValueError:
        raise _fail(f"{prefix}eventTime", "expected an ISO 8601 date-time", text) from None
    if moment.tzinfo is None:  # the spec asks for an offset; a bare time is taken as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000), text


def parse_event(value: Any, prefix: str = "") -> Parsed:
    """Check one event (a RunEvent, JobEvent or DatasetEvent, told apart by their keys:
    ``run``, else ``dataset``, else ``job``). ``prefix`` goes before every field path."""
    event = _object(value, prefix.rstrip(".") or "event")
    ms, text = _event_time(event, prefix)
    producer = _text(event, "producer", prefix.rstrip("."))
    base: dict[str, Any] = {"event_ms": ms, "event_time": text, "producer": producer}
    if "run" in event:
        run = _object(event["run"], f"{prefix}run")
        event_type = event.get("eventType")
        if event_type is not None and event_type not in EVENT_TYPES:
            raise _fail(f"{prefix}eventType", f"expected one of {', '.join(EVENT_TYPES)}", event_type)
        if "job" not in event:
            raise _fail(f"{prefix}job", "required in a RunEvent", None)
        run_facets = _facets(run, "facets", f"{prefix}run")
        parent = None
        if "parent" in run_facets:
            where = f"{prefix}run.facets.parent"
            facet = run_facets["parent"]
            parent = (_run_id(_object(facet.get("run"), f"{where}.run"), f"{where}.run"),
                      _job(facet.get("job"), f"{where}.job"))
        return Parsed("run", **base, event_type=event_type, job=_job(event["job"], f"{prefix}job"),
                      run_id=_run_id(run, f"{prefix}run"), run_facets=run_facets, parent=parent,
                      inputs=_datasets(event, "inputs", prefix, "inputFacets"),
                      outputs=_datasets(event, "outputs", prefix, "outputFacets"))
    if "dataset" in event:
        return Parsed("dataset", **base, dataset=_dataset(event["dataset"], f"{prefix}dataset", None))
    if "job" in event:
        return Parsed("job", **base, job=_job(event["job"], f"{prefix}job"),
                      inputs=_datasets(event, "inputs", prefix, "inputFacets"),
                      outputs=_datasets(event, "outputs", prefix, "outputFacets"))
    raise _fail(f"{prefix}run", "required: a RunEvent has run and job, a JobEvent job, a "
                "DatasetEvent dataset", None)
