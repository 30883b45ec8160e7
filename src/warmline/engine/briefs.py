"""The handoff brief: what a person reads first so the customer never repeats themselves."""

from __future__ import annotations

import re
from collections.abc import Sequence

from warmline.domain.conversations import Message, Role
from warmline.domain.customers import Customer
from warmline.domain.handoffs import Brief, Reason, ReasonCode
from warmline.privacy import RedactionSession, Redactor

_NEXT_STEPS = {
    ReasonCode.CUSTOMER_REQUEST: "Greet the customer and pick up from their last message.",
    ReasonCode.OUT_OF_SCOPE: "The help center has nothing on this; answer from your own "
    "knowledge or route it, and consider a new article.",
    ReasonCode.LOW_CONFIDENCE: "The AI was not sure; check what the customer needs and answer "
    "it directly.",
}


def build_brief(
    *,
    customer: Customer | None,
    transcript: Sequence[Message],
    reasons: Sequence[Reason],
    told_customer: str,
    redactor: Redactor,
) -> Brief:
    """What the agent reads first; every line the customer (or the AI) wrote is redacted.

    One redaction session spans the brief, so an email quoted in the summary and in a reason
    is the same ``<EMAIL_1>`` in both.
    """
    session = RedactionSession()

    def redact(text: str) -> str:
        return redactor.redact(text, session=session).text

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


_OPEN_PLACEHOLDER = re.compile(r"<[A-Z_\d]*$")


def _clip(text: str, limit: int) -> str:
    """Shorten redacted text (clipping first could cut a value in half and hide it), never
    through the middle of a placeholder."""
    if len(text) <= limit:
        return text
    head = _OPEN_PLACEHOLDER.sub("", text[: limit - 1])
    return head.rstrip() + "\u2026"
