"""One error tree for the whole product, mapped to HTTP in exactly one place (``api/errors.py``).

WarmlineError
├── InvalidInputError        bad input from a caller; nothing was changed         -> 422
├── NotFoundError            the thing asked for does not exist (or is not yours) -> 404
├── AuthenticationError      no or bad credentials                                -> 401
├── PermissionDeniedError    credentials fine, action not allowed                 -> 403
├── ConflictError            the action clashes with the current state            -> 409
├── ReplyFailedError         the customer's message is saved, the reply failed   -> 503
└── ConfigurationError       settings, policy or content that cannot be used
"""

from __future__ import annotations

from typing import Any


class WarmlineError(Exception):
    """Base of every error Warmline raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInputError(WarmlineError):
    code = "invalid_input"


class NotFoundError(WarmlineError):
    code = "not_found"


class AuthenticationError(WarmlineError):
    code = "unauthenticated"


class PermissionDeniedError(WarmlineError):
    code = "forbidden"


class ConflictError(WarmlineError):
    code = "conflict"


class ReplyFailedError(WarmlineError):
    code = "reply_failed"


class ConfigurationError(WarmlineError):
    code = "configuration_error"
