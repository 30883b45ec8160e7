"""The one place where errors become HTTP responses, all in one JSON shape:
``{"error": {"code": str, "message": str, "details": object | null}}``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from warmline.errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ReplyFailedError,
    WarmlineError,
)

log = logging.getLogger(__name__)

STATUS: dict[type[WarmlineError], int] = {
    InvalidInputError: 422,
    NotFoundError: 404,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    ConflictError: 409,
    ReplyFailedError: 503,
    ConfigurationError: 500,
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details}},
        status_code=status,
        headers=headers,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(WarmlineError)
    async def warmline_error(_: Request, error: WarmlineError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(error, cls)), 500)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return error_response(status, error.code, error.message, error.details, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(p) for p in problem.get("loc", ()) if p != "body"),
                "problem": problem.get("msg", "invalid"),
            }
            for problem in error.errors()
        ]
        summary = "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in problems[:5])
        return error_response(
            422, "invalid_input", f"The request is not valid: {summary}", problems
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "http_error")
        message = error.detail if isinstance(error.detail, str) else "request failed"
        return error_response(error.status_code, code, message, headers=error.headers)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=error)
        return error_response(500, "internal_error", "Something went wrong on our side.")
