"""ListOptions (MLMD's names and defaults), pages and their opaque tokens."""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import ConfigDict, Field

from ._validate import int64_problem
from .errors import InvalidArgument
from .models import Int64, Name, _Checked
from .ops import OrderBy

__all__ = ["ListOptions", "OrderByField", "Page", "RecordList"]

T = TypeVar("T")


class OrderByField(enum.IntEnum):
    """MLMD's ``ListOptions.order_by`` values (same numbers)."""

    CREATE_TIME = 1
    LAST_UPDATE_TIME = 2
    ID = 3
    UPDATE_TIME = 2  # an alias, as the issue tracker spells it

    @property
    def order(self) -> OrderBy:
        return _ORDER[self]


_ORDER = {OrderByField.CREATE_TIME: OrderBy.CREATE_TIME,
          OrderByField.LAST_UPDATE_TIME: OrderBy.UPDATE_TIME, OrderByField.ID: OrderBy.ID}


class ListOptions(_Checked):
    """How to list nodes: MLMD's ``ListOptions`` plus a page token.

    Default: every matching node in ascending id order. ``limit`` caps the number returned;
    with the page API it is the page size.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    limit: Int64 | None = Field(default=None, gt=0)
    order_by: OrderByField = OrderByField.ID
    is_asc: bool = True
    filter_query: str | None = None  # the filter lexer words bad text with its position
    next_page_token: Name | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results; pass ``next_page_token`` back in ListOptions for the next one
    (None on the last page)."""

    items: list[T]
    next_page_token: str | None

    def __repr__(self) -> str:
        return f"Page({len(self.items)} items, next_page_token={self.next_page_token!r})"

    def _repr_html_(self) -> str:
        from ._notebook import html
        return html(self)

    def to_pandas(self) -> Any:
        """The page's records, one row each (needs pandas: the ``notebook`` extra)."""
        from ._notebook import records_frame
        return records_frame(self.items)


class RecordList(list[T]):
    """A plain list of records, as MLMD returns them, that also renders in a notebook (a
    table) and converts to a DataFrame."""

    def _repr_html_(self) -> str:
        from ._notebook import html
        return html(self)

    def to_pandas(self) -> Any:
        """One row per record; properties become ``properties.<name>`` columns (needs pandas:
        the ``notebook`` extra)."""
        from ._notebook import records_frame
        return records_frame(self)


def query_fingerprint(options: ListOptions, scope: Any) -> str:
    """What a token is bound to: the same filter, order and scope (e.g. a context id)."""
    key = json.dumps([options.filter_query or "", int(options.order_by), options.is_asc, scope])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def encode_token(fingerprint: str, last: tuple[Any, int]) -> str:
    raw = json.dumps({"v": 1, "q": fingerprint, "k": list(last)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _int64(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and int64_problem(value) is None


def decode_token(token: str, fingerprint: str) -> tuple[Any, int]:
    """The (order value, id) a page ended at; InvalidArgument if the token is not ours."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        value, last_id = data["k"]
        ok = data.get("v") == 1 and _int64(last_id) and _int64(value)  # ids and times
    except (ValueError, KeyError, TypeError, binascii.Error):
        ok = False
    if not ok:
        raise InvalidArgument(f"next_page_token: {token!r} is not a page token")
    if data["q"] != fingerprint:
        raise InvalidArgument("next_page_token: the token belongs to another query (filter, "
                              "order or scope changed)")
    return value, last_id
