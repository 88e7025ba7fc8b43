"""The types half of MetadataStore: put/get artifact, execution and context types, and MLMD import."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import _import_writes, _writes, ops
from ._convert import to_type
from ._outcome import keys_of, write_naming
from ._poll import wait_until
from ._validate import _check, _ids, check_text, check_texts
from .engines.base import Engine
from .errors import FailedPrecondition, NotFound
from .kinds import KIND_SPECS, KindSpec, NodeKind
from .models import ArtifactType, ContextType, ExecutionType, PropertyType

__all__ = ["TypesMixin"]

ARTIFACTS, EXECUTIONS, CONTEXTS = (KIND_SPECS[k] for k in NodeKind)
_SEARCHABLE = frozenset({PropertyType.INT, PropertyType.DOUBLE, PropertyType.STRING,
                         PropertyType.BOOLEAN})
# How long a type call waits for Neo4j to build its property indexes: seconds for a store of
# 100,000 nodes; past this the call fails (nothing registered) and can be repeated later.
INDEX_WAIT_S = 300.0


def _cause(failure: str | None) -> str:
    """The exception line of Neo4j's index failure report, without the Java class name."""
    for line in (failure or "").splitlines():
        if "Exception:" in line:
            return line.split("Exception:", 1)[1].split(" Index: ")[0].strip()[:200]
    return (failure or "no reason given").strip()[:200]


class TypesMixin:
    """Type registration and lookup; also the id-keeping inserts that the MLMD importer uses."""

    _engine: Engine

    def _put_type(self, spec: KindSpec, t: Any, can_add_fields: bool, can_omit_fields: bool) -> int:
        (checked,) = _check([t], spec.type_model, f"{spec.noun}_type")
        # the indexes first: no node can carry the type's properties before they are ONLINE
        self._index_properties(spec, [checked], f"{spec.noun}_type {checked.name!r}")
        # idempotent: a writer that loses the race to create the same type gets the winner's
        return write_naming(
            self._engine, lambda tx: _writes.put_type(tx, spec, checked, can_add_fields, can_omit_fields),
            lambda: keys_of(f"{spec.noun} type", [checked]), idempotent=True)

    def _index_properties(self, spec: KindSpec, types: Sequence[Any], what: str) -> None:
        """Index the declared searchable properties of ``types`` and wait until the indexes
        are ONLINE. Neo4j builds an index in the background, and a write that reaches an
        index still POPULATING with a value it cannot hold panics the whole database. An
        index that FAILED (stored values it cannot hold) is dropped and reported."""
        names = tuple(sorted({n for t in types for n, p in t.properties.items() if p in _SEARCHABLE}))
        if not names:
            return
        self._engine.schema(ops.PropertyIndexes(spec.kind, names))

        def online() -> bool:
            states = self._engine.schema(ops.IndexStates(spec.kind, names))
            failed = [s for s in states if s["state"] == "FAILED"]
            if failed:
                self._engine.schema(ops.DropIndexes(tuple(s["name"] for s in failed)))
                key = failed[0]["key"].removeprefix("_key.").removeprefix("properties.")
                raise FailedPrecondition(
                    f"{what}.properties[{key!r}]: Neo4j could not index this property of the "
                    f"{spec.noun}s already stored ({_cause(failed[0]['failure'])}); the index "
                    f"was dropped and nothing was registered")
            return all(s["state"] == "ONLINE" for s in states)
        wait_until(online, INDEX_WAIT_S, f"{what}: building the index of properties {list(names)}")

    def _get_type(self, spec: KindSpec, name: str, version: str | None) -> Any:
        check_text("type_name", name)
        if version is not None:
            check_text("type_version", version)
        rows = self._engine.read(lambda tx: tx.run(ops.GetTypes(spec.kind, keys=((name, version or ""),))))
        if not rows:
            suffix = f" version {version!r}" if version else ""
            raise NotFound(f"type_name: no {spec.noun} type named {name!r}{suffix}")
        return to_type(spec, rows[0])

    def _get_types(self, spec: KindSpec, **selector: Any) -> list[Any]:
        rows = self._engine.read(lambda tx: tx.run(ops.GetTypes(spec.kind, **selector)))
        return [to_type(spec, r) for r in rows]

    def _types_by_id(self, spec: KindSpec, type_ids: Iterable[int]) -> list[Any]:
        """One type per requested id, in request order, repeats kept, unknown ids skipped
        (MLMD's answer: clients zip it with the nodes whose ``type_id`` they asked for)."""
        ids = _ids(type_ids, "type_ids")
        found = {t.id: t for t in self._get_types(spec, ids=tuple(dict.fromkeys(ids)))} if ids else {}
        seen: set[int] = set()
        out = []
        for i in ids:
            if i in found:  # a repeat is a copy: changing one answer must not change another
                out.append(found[i] if i not in seen else found[i].model_copy(deep=True))
                seen.add(i)
        return out

    def _import_types(self, kind: NodeKind, types: Sequence[Any]) -> None:
        """Insert types under the ids they carry (graphstore.mlmd.import_mlmd copies MLMD's)."""
        spec = KIND_SPECS[kind]
        checked = _check(types, spec.type_model, f"{spec.noun}_types")
        self._index_properties(spec, checked, f"{spec.noun}_types")
        self._engine.write(lambda tx: _import_writes.import_types(tx, spec, checked), idempotent=True)

    def _import_nodes(self, kind: NodeKind, nodes: Sequence[Any]) -> None:
        """Insert nodes under the ids and times they carry, in one transaction."""
        spec = KIND_SPECS[kind]
        checked = _check(nodes, spec.model, f"{spec.noun}s")
        self._engine.write(lambda tx: _import_writes.import_nodes(tx, spec, checked))

    # -- types -----------------------------------------------------------------------------
    def put_artifact_type(self, artifact_type: ArtifactType, *, can_add_fields: bool = False,
                          can_omit_fields: bool = False) -> int:
        """Register (or find) an artifact type; returns its id. A stored type with the same
        name and version must agree, unless fields may be added / omitted."""
        return self._put_type(ARTIFACTS, artifact_type, can_add_fields, can_omit_fields)

    def put_execution_type(self, execution_type: ExecutionType, *, can_add_fields: bool = False,
                           can_omit_fields: bool = False) -> int:
        """Register (or find) an execution type; returns its id."""
        return self._put_type(EXECUTIONS, execution_type, can_add_fields, can_omit_fields)

    def put_context_type(self, context_type: ContextType, *, can_add_fields: bool = False,
                         can_omit_fields: bool = False) -> int:
        """Register (or find) a context type; returns its id."""
        return self._put_type(CONTEXTS, context_type, can_add_fields, can_omit_fields)

    def get_artifact_type(self, type_name: str, type_version: str | None = None) -> ArtifactType:
        """The artifact type with this name and version; NotFound otherwise."""
        return self._get_type(ARTIFACTS, type_name, type_version)  # type: ignore[no-any-return]

    def get_execution_type(self, type_name: str, type_version: str | None = None) -> ExecutionType:
        """The execution type with this name (and version); NotFound if there is none."""
        return self._get_type(EXECUTIONS, type_name, type_version)  # type: ignore[no-any-return]

    def get_context_type(self, type_name: str, type_version: str | None = None) -> ContextType:
        """The context type with this name (and version); NotFound if there is none."""
        return self._get_type(CONTEXTS, type_name, type_version)  # type: ignore[no-any-return]

    def get_artifact_types(self) -> list[ArtifactType]:
        """Every artifact type, in id order."""
        return self._get_types(ARTIFACTS)

    def get_execution_types(self) -> list[ExecutionType]:
        """Every execution type, in id order."""
        return self._get_types(EXECUTIONS)

    def get_context_types(self) -> list[ContextType]:
        """Every context type, in id order."""
        return self._get_types(CONTEXTS)

    def get_artifact_types_by_id(self, type_ids: Iterable[int]) -> list[ArtifactType]:
        """One type per requested id, in request order: repeats kept, unknown ids skipped."""
        return self._types_by_id(ARTIFACTS, type_ids)

    def get_execution_types_by_id(self, type_ids: Iterable[int]) -> list[ExecutionType]:
        """One execution type per requested id, in request order (repeats kept, unknown ids skipped)."""
        return self._types_by_id(EXECUTIONS, type_ids)

    def get_context_types_by_id(self, type_ids: Iterable[int]) -> list[ContextType]:
        """One context type per requested id, in request order (repeats kept, unknown ids skipped)."""
        return self._types_by_id(CONTEXTS, type_ids)

    def get_artifact_types_by_external_ids(self, external_ids: Iterable[str]) -> list[ArtifactType]:
        """The artifact types with these external ids, in id order."""
        return self._get_types(ARTIFACTS, external_ids=check_texts("external_ids", external_ids))

    def get_execution_types_by_external_ids(self, external_ids: Iterable[str]) -> list[ExecutionType]:
        """The execution types with these external ids, in id order."""
        return self._get_types(EXECUTIONS, external_ids=check_texts("external_ids", external_ids))

    def get_context_types_by_external_ids(self, external_ids: Iterable[str]) -> list[ContextType]:
        """The context types with these external ids, in id order."""
        return self._get_types(CONTEXTS, external_ids=check_texts("external_ids", external_ids))
