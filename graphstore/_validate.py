"""Input validation shared by the API modules: errors name the field, the element and the value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InvalidArgument
from .limits import STRING_IDENTIFIER, abridge, check_max

M = TypeVar("M")

# Attributes that Neo4j keeps in index or uniqueness keys (a bounded size): on types the key
# (name, version) and external_id, on nodes the (type, name) key and external_id. Uris and
# property values are not limited: they are indexed by a bounded prefix (decision 28).
_IDENTIFIERS = ("name", "version", "external_id", "type")


def _check(items: Iterable[Any], model: type[M], field: str) -> list[M]:
    """Accept models (or dicts) and validate them; errors name the element and the field."""
    out: list[M] = []
    if isinstance(items, (str, bytes, BaseModel, Mapping)) or not isinstance(items, Iterable):
        raise InvalidArgument(f"{field}: expected a list of {model.__name__}, got {abridge(items)}")
    for i, item in enumerate(items):
        if not isinstance(item, model):
            try:
                item = model.model_validate(item)  # type: ignore[attr-defined]
            except ValidationError as exc:
                err = exc.errors()[0]
                loc = ".".join(str(p) for p in err["loc"])
                raise InvalidArgument(f"{field}[{i}].{loc}: {err['msg']} "
                                      f"(got {abridge(err.get('input'))})") from None
        # a model instance was validated at construction and on every assignment
        _check_identifiers(item, f"{field}[{i}]")
        out.append(item)
    return out


def _check_identifiers(item: object, field: str) -> None:
    for attr in _IDENTIFIERS:
        value = getattr(item, attr, None)
        if isinstance(value, str):
            check_max(STRING_IDENTIFIER, f"{field}.{attr}", len(value), value)


def _ids(ids: Iterable[int], field: str) -> tuple[int, ...]:
    if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
        raise InvalidArgument(f"{field}: expected a list of ids, got {ids!r}")
    out = tuple(ids)
    for value in out:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgument(f"{field}: ids are integers, got {value!r}")
    return out
