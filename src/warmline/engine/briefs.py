"""The handoff brief: what a person reads first so the customer never repeats themselves."""

from __future__ import annotations

import re
from collections.abc import Sequence

from warmline.domain.conversations import Message, Role
from warmline.domain.customers import Customer
from warmline.domain.handoffs import Brief, Reason, ReasonCode

_REDACTIONS = [
    (re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b"), "[email]"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[card number]"),
    (re.compile(r"(?<!\w)\+?\d[\d ().-]{7,}\d\b"), "[phone]"),
]

_NEXT_STEPS = {
    ReasonCode.CUSTOMER_REQUEST: "Greet the customer and pick up from their last message.",
    ReasonCode.OUT_OF_SCOPE: "The help center has nothing on this; answer from your own "
    "knowledge or route it, and consider a new article.",
    ReasonCode.LOW_CONFIDENCE: "The AI was not sure; check what the customer needs and answer "
    "it directly.",
}


def redact(text: str) -> str:
    """Mask contact and card data so the brief can be shown and logged safely."""
    for pattern, placeholder in _REDACTIONS:
        text = pattern.sub(placeholder, text)
    return text


def build_brief(
    *,
    customer: Customer | None,
    transcript: Sequence[Message],
    reasons: Sequence[Reason],
    told_customer: str,
) -> Brief:
    asked = [m.text for m in transcript if m.role is Role.CUSTOMER]
    answers = [m for m in transcript if m.role is Role.AI and m.citations]
    if asked:
        first = _clip(redact(asked[0]), 160)
        summary = f"The customer wrote {len(asked)} message(s), starting with: \u201c{first}\u201d."
        if len(asked) > 1:
            summary += f" Latest: \u201c{_clip(redact(asked[-1]), 160)}\u201d."
    else:
        summary = "The customer asked for a person before writing anything."
    if answers:
        sources = sorted({c.title for m in answers for c in m.citations})
        summary += f" The AI answered {len(answers)} time(s) from: {', '.join(sources)}."
    first_code = reasons[0].code if reasons else ReasonCode.CUSTOMER_REQUEST
    return Brief(
        summary=summary,
        reasons=tuple(Reason(r.code, redact(r.evidence)) for r in reasons),
        customer_name=customer.name if customer else None,
        customer_verified=False,
        intent=None,
        told_customer=told_customer,
        suggested_next_step=_NEXT_STEPS.get(
            first_code, "Read the conversation below and take it from the customer's last message."
        ),
        ai_answers=tuple(_clip(redact(m.text), 300) for m in answers),
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"
