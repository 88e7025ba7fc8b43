"""graphstore's errors as HTTP answers: one table, one JSON shape, for every part of the service.

Every error response is ``{"error": {"code": "...", "message": "..."}}``. Route modules raise
graphstore's errors (or call :func:`error_response`); the handlers :func:`install` registers turn
them, Starlette's own HTTP errors and anything unexpected into that shape. An unexpected
exception is logged (redacted) on the server and answered with a generic 500: a traceback never
reaches a client.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from graphstore._redact import redact
from graphstore.errors import (
    AlreadyExists,
    CommitOutcomeUnknown,
    DeadlineExceeded,
    EngineUnavailable,
    FailedPrecondition,
    GraphstoreError,
    InvalidArgument,
    NotFound,
)

__all__ = ["ERROR_STATUS", "error_body", "error_response", "install", "status_of"]

log = logging.getLogger("graphstore.server")

# Most specific first: CommitOutcomeUnknown is an EngineUnavailable, FilterSyntaxError an
# InvalidArgument. FailedPrecondition is 409 (the store's state conflicts with the call), not
# 412, which HTTP keeps for If-Match style request preconditions.
ERROR_STATUS: tuple[tuple[type[GraphstoreError], int, str], ...] = (
    (InvalidArgument, 400, "invalid_argument"),
    (NotFound, 404, "not_found"),
    (AlreadyExists, 409, "already_exists"),
    (FailedPrecondition, 409, "failed_precondition"),
    (DeadlineExceeded, 504, "deadline_exceeded"),
    (CommitOutcomeUnknown, 503, "commit_outcome_unknown"),
    (EngineUnavailable, 503, "engine_unavailable"),
)

_HTTP_CODES = {400: "invalid_argument", 401: "unauthenticated", 403: "permission_denied", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}


def status_of(exc: GraphstoreError) -> tuple[int, str]:
    """The HTTP status and error code for a graphstore error (500 ``failed`` for the rest)."""
    for kind, status, code in ERROR_STATUS:
        if isinstance(exc, kind):
            return status, code
    return 500, "failed"


def error_body(code: str, message: str) -> dict[str, Any]:
    """The one JSON shape of an error; the message passes graphstore's redaction."""
    return {"error": {"code": code, "message": redact(message)}}


def error_response(exc: BaseException, headers: dict[str, str] | None = None) -> JSONResponse:
    """The response for any exception: graphstore's errors by the table, Starlette's HTTP
    errors by their status, anything else a logged 500 with no detail."""
    if isinstance(exc, GraphstoreError):
        status, code = status_of(exc)
        return JSONResponse(error_body(code, str(exc)), status, headers=headers)
    if isinstance(exc, HTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), exc.status_code,
                            headers={**(exc.headers or {}), **(headers or {})})
    log.error("internal error: %s", redact("".join(traceback.format_exception(exc))))
    return JSONResponse(error_body("internal", "internal error (logged on the server)"), 500, headers=headers)


async def _handle(request: Request, exc: Exception) -> Response:
    return error_response(exc)


def install(app: Any) -> None:
    """Register the handlers on a Starlette app: graphstore's and Starlette's HTTP errors
    answer in the one shape (anything else is caught by the app's outermost middleware)."""
    for kind in (GraphstoreError, HTTPException):
        app.add_exception_handler(kind, _handle)
