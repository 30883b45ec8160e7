"""Personal data is redacted before customer text reaches a language model, a log or a brief."""

from warmline.privacy.patterns import PatternRedactor
from warmline.privacy.redaction import (
    DEFAULT_KEEP,
    Finding,
    Kind,
    PresidioRedactor,
    Redacted,
    RedactionSession,
    Redactor,
    build_redactor,
)

__all__ = [
    "DEFAULT_KEEP",
    "Finding",
    "Kind",
    "PatternRedactor",
    "PresidioRedactor",
    "Redacted",
    "RedactionSession",
    "Redactor",
    "build_redactor",
]
