"""Declared JSON endpoints: one declaration gives the route, the checked parameters and the
OpenAPI entry, so the document cannot drift from what the routes accept.

A handler gets the store and the parsed arguments and runs in Starlette's thread pool (the
store is thread-safe and blocking); what it returns is sent as JSON. Bad parameters (a wrong
type, an unknown name, a missing required one) are ``InvalidArgument`` naming the parameter,
answered 400 by the service's one error mapping.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graphstore._validate import check_int
from graphstore.errors import InvalidArgument
from graphstore.limits import abridge
from graphstore.server._namespaces import store_for

__all__ = ["MAX_BODY_BYTES", "Endpoint", "Param", "openapi", "route"]

MAX_BODY_BYTES = 1 << 20  # a JSON request body of this API (impact roots, …): 1 MiB
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


@dataclass(frozen=True)
class Param:
    """One parameter: in the path or the query; ``integer``, ``string``, ``boolean`` or
    ``array`` (of strings: the parameter repeated)."""

    name: str
    type: str
    doc: str
    where: str = "query"
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None

    def parse(self, values: Sequence[str]) -> Any:
        if self.type == "array":
            return [self._one(v) for v in values]
        if len(values) > 1:
            raise InvalidArgument(f"{self.name}: given {len(values)} times, expected once")
        return self._one(values[0])

    def _one(self, text: str) -> Any:
        if self.type == "integer":
            try:
                value = int(text)
            except ValueError:
                raise InvalidArgument(f"{self.name}: expected an integer, got {abridge(text)}") from None
            return check_int(self.name, value, minimum=self.minimum)
        if self.type == "boolean":
            if text.lower() not in _TRUE + _FALSE:
                raise InvalidArgument(f"{self.name}: expected true or false, got {abridge(text)}")
            return text.lower() in _TRUE
        if self.choices and text not in self.choices:
            raise InvalidArgument(f"{self.name}: expected one of {', '.join(self.choices)}, got {abridge(text)}")
        return text

    def schema(self) -> dict[str, Any]:
        """The parameter's OpenAPI object."""
        one: dict[str, Any] = {"type": "string" if self.type == "array" else self.type}
        if self.choices:
            one["enum"] = list(self.choices)
        if self.minimum is not None:
            one["minimum"] = self.minimum
        return {"name": self.name, "in": self.where, "required": self.required or self.where == "path",
                "description": self.doc,
                "schema": {"type": "array", "items": one} if self.type == "array" else one,
                **({"explode": True} if self.type == "array" else {})}


Handler = Callable[..., Any]


@dataclass(frozen=True)
class Endpoint:
    """A JSON endpoint: ``handler(store, **arguments)`` (plus ``body`` when ``body`` is a
    JSON schema) returns what is sent; ``status`` is the success status."""

    method: str
    path: str
    summary: str
    handler: Handler
    params: tuple[Param, ...] = ()
    body: dict[str, Any] | None = None
    status: int = 200
    tags: tuple[str, ...] = field(default=())

    def arguments(self, request: Request) -> dict[str, Any]:
        known = {p.name for p in self.params if p.where == "query"}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise InvalidArgument(f"{unknown[0]}: unknown query parameter "
                                  f"(known: {', '.join(sorted(known)) or 'none'})")
        out: dict[str, Any] = {}
        for p in self.params:
            values = ([request.path_params[p.name]] if p.where == "path"
                      else request.query_params.getlist(p.name))
            if values:
                out[p.name] = p.parse(values)
            elif p.required:
                raise InvalidArgument(f"{p.name}: required")
        return out


async def _body(request: Request) -> Any:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise InvalidArgument(f"body: over the limit of {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(raw or b"null")
    except ValueError as exc:
        raise InvalidArgument(f"body: not JSON ({exc})") from None


def route(endpoint: Endpoint) -> Route:
    """The Starlette route serving ``endpoint``."""

    async def serve(request: Request) -> Response:
        args = endpoint.arguments(request)
        if endpoint.body is not None:
            args["body"] = await _body(request)
        result = await run_in_threadpool(endpoint.handler, store_for(request), **args)
        return JSONResponse(result, endpoint.status)
    serve.__name__ = endpoint.handler.__name__
    return Route(endpoint.path, serve, methods=[endpoint.method])


def openapi(endpoints: Sequence[Endpoint], *, title: str, version: str, extra_paths: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``endpoints`` (plus hand-written ``extra_paths``)."""
    paths: dict[str, Any] = dict(extra_paths)
    error = {"description": "an error",
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for e in endpoints:
        op: dict[str, Any] = {
            "summary": e.summary, "operationId": e.handler.__name__.strip("_"), "tags": list(e.tags),
            "parameters": [p.schema() for p in e.params],
            "responses": {str(e.status): {"description": "the answer, as JSON",
                                          "content": {"application/json": {"schema": {"type": "object"}}}},
                          "400": error, "401": error, "404": error, "503": error, "504": error}}
        if e.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": e.body}}}
        paths.setdefault(e.path, {})[e.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "Every path is also served under /ns/{namespace}/ for that graphstore "
                                "namespace of the store (a path without it: the served namespace)."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}}},
        "security": [{"bearer": []}],
    }
