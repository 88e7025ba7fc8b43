"""Input validation shared by the API modules: errors name the field, the element and the value.

The rules every engine shares (see docs/limits.md):

- an integer (id, type id, time, limit, hop count, path index) fits in 64 bits, as in MLMD's
  protos; beyond that neither engine can bind it;
- text is valid Unicode (no lone surrogate: neither engine can encode one as UTF-8);
- a name, key or identifier (type name and version, node name, uri, external_id, property
  key) holds no NUL character: SQLite's lookups end a text at NUL and Neo4j refuses NUL in a
  property key. Free text (descriptions, string values, STRUCT strings, event path steps) may
  hold NUL: it is stored and read back exactly on both engines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sized
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InvalidArgument
from .limits import BATCH_RECORDS, INT64, STRING_IDENTIFIER, abridge, check_max

M = TypeVar("M")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")


def int64_problem(value: int) -> str | None:
    """Why ``value`` is not a 64-bit integer, or None when it is one."""
    if INT64_MIN <= value <= INT64_MAX:
        return None
    return f"{abridge(value)} is outside the 64-bit integer range [-2**63, 2**63 - 1] ({INT64.key})"


def text_problem(value: str, *, identifier: bool) -> str | None:
    """Why ``value`` is not valid text (a name/key/identifier when ``identifier``), or None."""
    if value.isascii() and not identifier:  # the common case, cheaply
        return None
    if not value.isascii() and _SURROGATE.search(value):
        return f"{abridge(value)} is not valid Unicode text (it holds a lone surrogate)"
    if identifier and "\x00" in value:
        return (f"{abridge(value)} holds a NUL character, which names, keys and identifiers "
                "may not (neither engine can look it up)")
    return None


def check_int(field: str, value: Any, *, minimum: int | None = None) -> int:
    """An integer (not a bool) that fits in 64 bits and is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{field}: expected an integer, got {abridge(value)}")
    problem = int64_problem(value)
    if problem:
        raise InvalidArgument(f"{field}: {problem}")
    if minimum is not None and value < minimum:
        raise InvalidArgument(f"{field}: expected an integer >= {minimum}, got {value}")
    return value


def check_text(field: str, value: Any, *, identifier: bool = True) -> str:
    """A str that is valid text (and, for identifiers, holds no NUL)."""
    if not isinstance(value, str):
        raise InvalidArgument(f"{field}: expected a string, got {abridge(value)}")
    problem = text_problem(value, identifier=identifier)
    if problem:
        raise InvalidArgument(f"{field}: {problem}")
    return value


def check_texts(field: str, values: Iterable[str]) -> tuple[str, ...]:
    """A list of identifiers (uris, names, external ids) to look up."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidArgument(f"{field}: expected a list of strings, got {abridge(values)}")
    return tuple(check_text(f"{field}[{i}]", v) for i, v in enumerate(values))


def from_validation(exc: ValidationError, field: str) -> InvalidArgument:
    """pydantic's first error as an InvalidArgument naming ``field`` and the element's path."""
    err = exc.errors()[0]
    path = [str(p) for p in err["loc"]]
    inner = (err.get("ctx") or {}).get("error")
    if isinstance(inner, InvalidArgument) and hasattr(inner, "path"):
        # a model's own __init__ (see models._Checked) failed while pydantic validated a
        # dict into it: carry on its path and detail rather than nesting two messages
        path += inner.path
        detail = str(getattr(inner, "detail", inner))
    else:
        msg = str(err["msg"]).removeprefix("Value error, ")
        # our own checks' messages show the value already
        detail = msg if err["type"] in _OWN_ERRORS else f"{msg} (got {abridge(err.get('input'))})"
    where = ".".join([field, *path])
    out = InvalidArgument(f"{where}: {detail}")
    out.path, out.detail = path, detail  # type: ignore[attr-defined]
    return out


_OWN_ERRORS = frozenset({"int64", "text", "path_step"})

# Attributes that Neo4j keeps in index or uniqueness keys (a bounded size): on types the key
# (name, version) and external_id, on nodes the (type, name) key and external_id. Uris and
# property values are not limited: they are indexed by a bounded prefix (decision 40).
_IDENTIFIERS = ("name", "version", "external_id", "type")


def _check(items: Iterable[Any], model: type[M], field: str) -> list[M]:
    """Accept models (or dicts) and validate them; errors name the element and the field."""
    out: list[M] = []
    if isinstance(items, (str, bytes, BaseModel, Mapping)) or not isinstance(items, Iterable):
        raise InvalidArgument(f"{field}: expected a list of {model.__name__}, got {abridge(items)}")
    if isinstance(items, Sized):  # refused before a single element is looked at
        check_batch(field, len(items))
    for i, item in enumerate(items):
        if not isinstance(item, model):
            try:
                item = model.model_validate(item)  # type: ignore[attr-defined]
            except ValidationError as exc:
                raise from_validation(exc, f"{field}[{i}]") from None
        # a model instance was validated at construction and on every assignment
        _check_identifiers(item, f"{field}[{i}]")
        out.append(item)
    check_batch(field, len(out))
    return out


def _check_identifiers(item: object, field: str) -> None:
    # a model's fields are its __dict__ (extra="forbid"); getattr of a field a model lacks
    # (a node's "version") takes pydantic's slow __getattr__ path, per record of a batch
    fields = vars(item)
    for attr in _IDENTIFIERS:
        value = fields.get(attr)
        if isinstance(value, str):
            check_max(STRING_IDENTIFIER, f"{field}.{attr}", len(value), value)


def check_batch(field: str, count: int) -> None:
    """At most ``batch_records`` records in one call (one transaction)."""
    check_max(BATCH_RECORDS, field, count, f"{count:,} records")


def _ids(ids: Iterable[int], field: str) -> tuple[int, ...]:
    if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
        raise InvalidArgument(f"{field}: expected a list of ids, got {abridge(ids)}")
    out = tuple(ids)
    for value in out:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgument(f"{field}: ids are integers, got {abridge(value)}")
        problem = int64_problem(value)
        if problem:
            raise InvalidArgument(f"{field}: {problem}")
    return out
