"""Input validation shared by the API modules: errors name the field, the element and the value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InvalidArgument

M = TypeVar("M")


def _check(items: Iterable[Any], model: type[M], field: str) -> list[M]:
    """Accept models (or dicts) and validate them; errors name the element and the field."""
    out: list[M] = []
    if isinstance(items, (str, bytes, BaseModel, Mapping)) or not isinstance(items, Iterable):
        raise InvalidArgument(f"{field}: expected a list of {model.__name__}, got {items!r}")
    for i, item in enumerate(items):
        if isinstance(item, model):
            out.append(item)  # validated at construction and on every assignment
            continue
        try:
            out.append(model.model_validate(item))  # type: ignore[attr-defined]
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise InvalidArgument(f"{field}[{i}].{loc}: {err['msg']} (got {err.get('input')!r})") from None
    return out


def _ids(ids: Iterable[int], field: str) -> tuple[int, ...]:
    if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
        raise InvalidArgument(f"{field}: expected a list of ids, got {ids!r}")
    out = tuple(ids)
    for value in out:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgument(f"{field}: ids are integers, got {value!r}")
    return out
