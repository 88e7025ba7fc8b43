"""Export and import of one namespace as a portable JSON Lines file (docs/namespaces.md).

The file is a header line (format, version, namespace), one record per line — types, then
contexts, executions and artifacts, then events, attributions, associations and parent
contexts — and an ``end`` line with the counts, so a cut-off file is refused. Records keep
the ids they had; an import allocates new ids, maps every reference through them, writes in
batches (each one transaction), and verifies afterwards that the namespace holds the same
counts and the same edge sets under the id map.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from . import _import_writes, ops
from ._validate import _check
from .engines.base import Transaction
from .errors import FailedPrecondition, GraphstoreError, InvalidArgument
from .kinds import KIND_SPECS, KindSpec, NodeKind, Relation
from .models import (
    Association,
    Attribution,
    Event,
    ParentContext,
    ProtoValue,
)
from .options import ListOptions

if TYPE_CHECKING:
    from .store import MetadataStore

__all__ = ["FORMAT", "VERSION", "ImportReport", "export_namespace", "import_namespace"]

FORMAT = "graphstore-namespace"
VERSION = 1
BATCH = 10_000  # records per transaction: well inside batch_records, small enough to stream
NODE_ORDER = (NodeKind.CONTEXT, NodeKind.EXECUTION, NodeKind.ARTIFACT)
LINKS = {"attribution": Relation.ATTRIBUTION, "association": Relation.ASSOCIATION,
         "parent_context": Relation.PARENT}
_LINK_MODELS: dict[str, tuple[type[Any], str, str]] = {"attribution": (Attribution, "artifact_id", "context_id"),
                "association": (Association, "execution_id", "context_id"),
                "parent_context": (ParentContext, "child_id", "parent_id")}
_KIND_OF_END = {"artifact_id": NodeKind.ARTIFACT, "execution_id": NodeKind.EXECUTION,
                "context_id": NodeKind.CONTEXT, "child_id": NodeKind.CONTEXT,
                "parent_id": NodeKind.CONTEXT}


# -- property values: JSON, with tags where JSON alone is ambiguous ---------------------------
def _enc(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": repr(value)}  # 'nan', 'inf', '-inf'
    if isinstance(value, ProtoValue):
        return {"$proto": [value.type_url, base64.b64encode(value.value).decode()]}
    if isinstance(value, (dict, list)):
        return {"$struct": value}
    return value


def _dec(value: Any) -> Any:
    if isinstance(value, dict):
        (tag, inner), = value.items()
        if tag == "$float":
            return float(inner)
        if tag == "$proto":
            return ProtoValue(type_url=inner[0], value=base64.b64decode(inner[1]))
        return inner
    return value


def _node_record(spec: KindSpec, node: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"record": spec.noun}
    out.update(node.model_dump(mode="json", exclude={"properties", "custom_properties"}))
    for part in ("properties", "custom_properties"):
        out[part] = {k: _enc(v) for k, v in getattr(node, part).items()}
    return out


# -- export -----------------------------------------------------------------------------------
def _chunks(ids: list[int], size: int = BATCH) -> Iterator[tuple[int, ...]]:
    for i in range(0, len(ids), size):
        yield tuple(ids[i:i + size])


def export_namespace(store: MetadataStore, path: str | os.PathLike[str]) -> dict[str, int]:
    """Write the store's namespace to ``path``; returns the count of each record kind.

    Reads page by page (each page one read): export a namespace nobody writes to for an
    exact copy; an event or link whose ends were not both exported is left out."""
    counts: dict[str, int] = {}
    target = os.fspath(path)
    tmp = target + ".part"
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            _line(out, {"format": FORMAT, "version": VERSION, "namespace": store.namespace})
            _export_records(store, out, counts)
            _line(out, {"record": "end", "counts": counts})
        os.replace(tmp, target)  # a file at ``path`` is always whole
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return counts


def _read(store: MetadataStore, op: ops.Op) -> Any:
    """One operation in one read of the store's namespace."""
    return store._engine.read(lambda tx: tx.run(op))


def _line(out: IO[str], record: dict[str, Any]) -> None:
    # ASCII: no U+2028 or other separator a line-splitting tool could cut a record at
    out.write(json.dumps(record, allow_nan=False) + "\n")


def _export_records(store: MetadataStore, out: IO[str], counts: dict[str, int]) -> None:
    def emit(record: dict[str, Any]) -> None:
        _line(out, record)
        counts[record["record"]] = counts.get(record["record"], 0) + 1

    for spec in KIND_SPECS.values():
        for t in _read(store, ops.GetTypes(spec.kind)):
            emit({"record": f"{spec.noun}_type", **_type_record(spec, t)})
    ids: dict[NodeKind, list[int]] = {}
    for kind in NODE_ORDER:
        spec = KIND_SPECS[kind]
        ids[kind] = []
        for node in getattr(store, f"iter_{spec.noun}s")(ListOptions(limit=BATCH)):
            ids[kind].append(node.id)
            emit(_node_record(spec, node))
    have = {k: set(v) for k, v in ids.items()}
    for chunk in _chunks(ids[NodeKind.ARTIFACT]):
        for e in store.get_events_by_artifact_ids(chunk):
            if e.execution_id in have[NodeKind.EXECUTION]:
                emit({"record": "event", **e.model_dump(mode="json")})
    for name, relation in LINKS.items():
        source, target = relation.value.source, NodeKind.CONTEXT
        _, left, right = _LINK_MODELS[name]
        for chunk in _chunks(ids[source]):
            for row in _read(store, ops.GetLinks(relation, chunk)):
                if row["target"] in have[target]:
                    emit({"record": name, left: row["source"], right: row["target"]})


def _type_record(spec: KindSpec, row: dict[str, Any]) -> dict[str, Any]:
    from ._convert import to_type

    return to_type(spec, row).model_dump(mode="json")


# -- import -----------------------------------------------------------------------------------
@dataclass
class ImportReport:
    """What an import wrote: the count of each record kind and, per kind (``"artifact"``,
    ``"artifact_type"``, …), the map from the file's ids to the new ones."""

    namespace: str
    counts: dict[str, int] = field(default_factory=dict)
    id_map: dict[str, dict[int, int]] = field(default_factory=dict)
    verified: bool = False


def _records(path: str) -> Iterator[dict[str, Any]]:
    """The file's records after its header, each checked to be a JSON object with a kind;
    the end line's counts must match what came before it."""
    seen: dict[str, int] = {}
    ended = False
    with open(path, encoding="utf-8") as f:
        header = _parse(f.readline(), path, 1)
        if header.get("format") != FORMAT:
            raise InvalidArgument(f"{path}: not a graphstore namespace export (header {header!r:.200})")
        if header.get("version") != VERSION:
            raise InvalidArgument(f"{path}: export format version {header.get('version')!r}; "
                                  f"this graphstore reads version {VERSION}")
        for number, text in enumerate(f, start=2):
            record = _parse(text, path, number)
            if ended:
                raise InvalidArgument(f"{path}:{number}: a record after the end line")
            if record.get("record") == "end":
                ended = True
                if record.get("counts") != seen:
                    raise InvalidArgument(f"{path}:{number}: the end line counts {record.get('counts')!r}"
                                          f", the file holds {seen!r}")
                continue
            seen[str(record.get("record"))] = seen.get(str(record.get("record")), 0) + 1
            record["_line"] = number
            yield record
    if not ended:
        raise InvalidArgument(f"{path}: no end line: the file is cut off")


def _parse(text: str, path: str, number: int) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise InvalidArgument(f"{path}:{number}: not a JSON line ({exc})") from None
    if not isinstance(value, dict):
        raise InvalidArgument(f"{path}:{number}: expected a JSON object, got {text[:80]!r}")
    return value


class _Importer:
    def __init__(self, store: MetadataStore, path: str) -> None:
        self.store, self.path = store, path
        self.report = ImportReport(store.namespace)
        self.expected: dict[str, set[tuple[Any, ...]]] = {}
        self.pending: dict[str, list[dict[str, Any]]] = {}

    def map(self, kind: str, old: Any, record: dict[str, Any], field_name: str) -> int:
        found = self.report.id_map.get(kind, {}).get(old) if isinstance(old, int) else None
        if found is None:
            raise InvalidArgument(f"{self.path}:{record['_line']}: {field_name} {old!r} is not a "
                                  f"{kind} of this file")
        return found

    def run(self) -> ImportReport:
        self._refuse_non_empty()
        try:
            for record in _records(self.path):
                self._take(record)
            self._flush_all()
            self._verify()
        except BaseException:
            self._undo()
            raise
        self.report.verified = True
        return self.report

    def _refuse_non_empty(self) -> None:
        for spec in KIND_SPECS.values():
            if getattr(self.store, f"page_{spec.noun}s")(ListOptions(limit=1)).items:
                raise FailedPrecondition(
                    f"namespace {self.store.namespace!r} already holds {spec.noun}s: import into "
                    f"an empty namespace (its types may exist; they are reused by name and version)")

    def _take(self, record: dict[str, Any]) -> None:
        kind = record.pop("record", None)
        if kind in ("artifact_type", "execution_type", "context_type"):
            self._put_type(kind, record)
            return
        order = [*(KIND_SPECS[k].noun for k in NODE_ORDER), "event", *LINKS]
        if kind not in order:
            raise InvalidArgument(f"{self.path}:{record['_line']}: unknown record kind {kind!r}")
        # every record of an earlier kind is written before a later kind needs its ids
        for earlier in order[:order.index(kind)]:
            self._flush(earlier)
        self.pending.setdefault(kind, []).append(record)
        if len(self.pending[kind]) >= BATCH:
            self._flush(kind)

    def _put_type(self, kind: str, record: dict[str, Any]) -> None:
        spec = next(s for s in KIND_SPECS.values() if f"{s.noun}_type" == kind)
        line, old = record.pop("_line"), record.pop("id", None)
        (t,) = _check([record], spec.type_model, f"{self.path}:{line}")
        new = getattr(self.store, f"put_{kind}")(t)
        self.report.id_map.setdefault(kind, {})[old] = new
        self.report.counts[kind] = self.report.counts.get(kind, 0) + 1

    def _flush_all(self) -> None:
        for kind in [*(KIND_SPECS[k].noun for k in NODE_ORDER), "event", *LINKS]:
            self._flush(kind)

    def _flush(self, kind: str) -> None:
        batch = self.pending.pop(kind, [])
        if not batch:
            return
        if kind == "event":
            self._put_events(batch)
        elif kind in LINKS:
            self._put_links(kind, batch)
        else:
            self._put_nodes(next(s for s in KIND_SPECS.values() if s.noun == kind), batch)
        self.report.counts[kind] = self.report.counts.get(kind, 0) + len(batch)

    def _put_nodes(self, spec: KindSpec, batch: list[dict[str, Any]]) -> None:
        nodes: list[dict[str, Any]] = []
        for r in batch:
            node = {k: v for k, v in r.items() if k not in ("_line", "type")}
            node["type_id"] = self.map(f"{spec.noun}_type", r.get("type_id"), r, "type_id")
            for part in ("properties", "custom_properties"):
                node[part] = {k: _dec(v) for k, v in (r.get(part) or {}).items()}
            nodes.append(node)
        checked = _check(nodes, spec.model, f"{self.path}: {spec.noun}s")

        def work(tx: Transaction) -> list[int]:
            first = tx.run(ops.AllocateIds(((spec.label, len(checked)),)))[spec.label]
            fresh = [n.model_copy(update={"id": first + i}) for i, n in enumerate(checked)]
            _import_writes.import_nodes(tx, spec, fresh)
            return [first + i for i in range(len(fresh))]
        new_ids = self.store._engine.write(work)
        mapping = self.report.id_map.setdefault(spec.noun, {})
        for r, new in zip(batch, new_ids, strict=True):
            if not isinstance(r.get("id"), int) or r["id"] in mapping:
                raise InvalidArgument(f"{self.path}:{r['_line']}: id {r.get('id')!r} is missing or repeated")
            mapping[r["id"]] = new

    def _put_events(self, batch: list[dict[str, Any]]) -> None:
        events = []
        for r in batch:
            e = {k: v for k, v in r.items() if k != "_line"}
            e["artifact_id"] = self.map("artifact", r.get("artifact_id"), r, "artifact_id")
            e["execution_id"] = self.map("execution", r.get("execution_id"), r, "execution_id")
            events.append(e)
        checked = _check(events, Event, f"{self.path}: events")
        self.store.put_events(checked)
        self.expected.setdefault("event", set()).update(_event_key(e) for e in checked)

    def _put_links(self, kind: str, batch: list[dict[str, Any]]) -> None:
        model, left, right = _LINK_MODELS[kind]
        links = [model(**{end: self.map(_KIND_OF_END[end].value, r.get(end), r, end)
                          for end in (left, right)}) for r in batch]
        if kind == "parent_context":
            self.store.put_parent_contexts(links)
        elif kind == "attribution":
            self.store.put_attributions_and_associations(links, [])
        else:
            self.store.put_attributions_and_associations([], links)
        self.expected.setdefault(kind, set()).update(
            (getattr(x, left), getattr(x, right)) for x in links)

    def _verify(self) -> None:
        """The namespace holds what the file did: the counts, and the edge sets under the map."""
        for kind in NODE_ORDER:
            noun = KIND_SPECS[kind].noun
            stored = sum(1 for _ in getattr(self.store, f"iter_{noun}s")(ListOptions(limit=BATCH)))
            if stored != self.report.counts.get(noun, 0):
                raise FailedPrecondition(f"import check: {stored} {noun}s stored, the file has "
                                         f"{self.report.counts.get(noun, 0)}")
        got = {"event": {_event_key(e) for chunk in _chunks(list(self.report.id_map.get("artifact", {}).values()))
                         for e in self.store.get_events_by_artifact_ids(chunk)}}
        for name, relation in LINKS.items():
            sources = list(self.report.id_map.get(relation.value.source.value, {}).values())
            got[name] = {(r["source"], r["target"]) for chunk in _chunks(sources)
                         for r in _read(self.store, ops.GetLinks(relation, chunk))}
        for name, edges in got.items():
            if edges != self.expected.get(name, set()):
                raise FailedPrecondition(f"import check: the {name} edges differ from the file's "
                                         f"({len(edges)} stored, {len(self.expected.get(name, set()))} expected)")

    def _undo(self) -> None:
        """Remove the nodes this import wrote (their events and links go with them); the
        types it made stay (graphstore cannot delete a type)."""
        for kind in reversed(NODE_ORDER):
            noun = KIND_SPECS[kind].noun
            new = list(self.report.id_map.get(noun, {}).values())
            for chunk in _chunks(new):
                with contextlib.suppress(GraphstoreError):  # the original error is the one to report
                    getattr(self.store, f"delete_{noun}s")(chunk)


def _event_key(e: Event) -> tuple[Any, ...]:
    return (e.artifact_id, e.execution_id, e.type, tuple(e.path), e.milliseconds_since_epoch)


def import_namespace(store: MetadataStore, path: str | os.PathLike[str]) -> ImportReport:
    """Import the file at ``path`` into the store's (empty) namespace; see the module doc."""
    return _Importer(store, os.fspath(path)).run()


def iter_lines(path: str) -> Iterable[dict[str, Any]]:
    """The records of an export file (header and end line checked), for tools."""
    return _records(path)
