"""Handing a conversation to a person: the queue and priority, the brief, what the customer
is told, and the handoff record, in one step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from warmline.clock import Clock, IdGenerator
from warmline.domain.conversations import Conversation, ConversationStatus, Message, Role
from warmline.domain.events import HandoffOpened
from warmline.domain.handoffs import Handoff, HandoffStatus, Reason, ReasonCode
from warmline.domain.ids import HandoffId
from warmline.domain.traces import DecisionTrace
from warmline.engine.briefs import LlmBriefSummarizer, build_brief
from warmline.engine.decisions import OFFERS_OF_A_PERSON, Action, ConversationState, Decision
from warmline.engine.emitter import Emitter
from warmline.engine.transcript import Transcript
from warmline.intents import IntentPrediction
from warmline.policy.model import Policy
from warmline.privacy.redaction import Redactor
from warmline.storage.ports import Store


@dataclass(frozen=True)
class BriefContext:
    """What the turn knew that the brief should carry: mood over the turns, the topic, and
    what the AI had already tried and failed at, if anything (for the recovery note)."""

    sentiment: tuple[float, ...] = ()
    topic: str | None = None
    ai_failed: str | None = None
    routing: tuple[str, ...] = ()  # topics and article ids a queue may claim
    language: str | None = None  # the customer's language, when known


@dataclass(frozen=True)
class EarlierTopic:
    """What the conversation was about before a turn that names no topic of its own ("ok can
    i just talk to someone"): the brief and the routing carry it, so a request for a person
    after a question about a missing parcel still reaches the shipping queue with its topic."""

    intent: IntentPrediction | None = None
    article_id: str | None = None
    title: str | None = None
    turn: int | None = None  # the customer's turn it was read from


def earlier_topic(
    traces: Sequence[DecisionTrace], title_of: Callable[[str], str | None]
) -> EarlierTopic:
    """The latest earlier turn's in-scope intent and the help-center article its search put
    first (customer-facing articles only)."""
    for turn, trace in reversed(list(enumerate(traces, 1))):
        signals = trace.signals
        if not signals.get("content_terms"):
            continue  # "hi": nothing asked, whatever a search turned up
        in_scope = bool(signals.get("intent_in_scope")) and bool(signals.get("intent"))
        article = next(
            (h["article_id"] for h in trace.retrieved if h.get("audience") == "customer"), None
        )
        if not in_scope and article is None:
            continue
        intent = (
            IntentPrediction(
                intent=str(signals["intent"]),
                confidence=float(signals.get("intent_confidence") or 0.0),
                in_scope=True,
                best=str(signals["intent"]),
            )
            if in_scope
            else None
        )
        return EarlierTopic(intent, article, title_of(article) if article else None, turn)
    return EarlierTopic()


def brief_topic(
    intent: IntentPrediction | None, help_topic: str | None, *, turn: int | None = None
) -> str | None:
    """What the brief calls the customer's intent: the intent model's reading with its
    confidence when one is active, and the help-center topic the question landed on; ``turn``
    when they were read from an earlier turn than the handoff's."""
    parts = []
    if intent is not None:
        if intent.in_scope:
            parts.append(f"{intent.intent} ({intent.confidence:.0%})")
        else:
            parts.append(f"none of the known intents (closest: {intent.best})")
    if help_topic:
        parts.append(f"help center: {help_topic}" if parts else help_topic)
    if parts and turn is not None:
        parts.append(f"from turn {turn}")
    return "; ".join(parts) or None


# After these, the AI had a go and it did not work out: say so (service recovery).
_AI_FAILED = frozenset({ReasonCode.LOOP, ReasonCode.REPEATED_FAILURE, ReasonCode.FRUSTRATION})
# Handoffs for a question the AI could not answer.
_UNANSWERED = frozenset({ReasonCode.LOW_CONFIDENCE, ReasonCode.OUT_OF_SCOPE})


def handoff_prefix(
    decision: Decision,
    state: ConversationState,
    policy: Policy,
    *,
    self_harm: bool,
    language: str | None = None,
) -> str:
    """What the customer is told before the handoff message, by the reason that fired first."""
    first = decision.reasons[0].code if decision.reasons else None
    by_code = {
        ReasonCode.SECURITY: "security",
        ReasonCode.POLICY_REQUIRES_HUMAN: "policy_requires_human",
        ReasonCode.TOOL_FAILURE: "tool_failure",
        ReasonCode.OUT_OF_SCOPE: "handoff_no_knowledge",
        ReasonCode.LOW_CONFIDENCE: "handoff_low_confidence",
    }
    fell_short = ai_fell_short(decision, state)
    if decision.rule == "knowledge_gap" and not fell_short:
        name: str | None = "handoff_no_knowledge"  # the help center has nothing on it
    elif decision.rule == "language_not_served" or (
        decision.rule == "accepted_offer_of_a_person" and state.last_rule in OFFERS_OF_A_PERSON
    ):
        # Not news to the customer (the language, or the help center falling short, was
        # said already): a person simply takes over.
        name = None
    elif first is ReasonCode.SENSITIVE_TOPIC:
        name = "care_self_harm" if self_harm else "sensitive"
    elif first in _AI_FAILED or fell_short:
        name = "recovery"
    else:
        name = by_code.get(first) if first else None
    return policy.messages.text(name, language) + " " if name else ""


def ai_fell_short(decision: Decision, state: ConversationState) -> str | None:
    """What the AI had tried and failed at before a handoff for a question it could not
    answer (service recovery), or ``None``: it answered and was then not confident, or it
    offered a person for question after question until the policy's limit of replies that did
    not answer was reached."""
    first = decision.reasons[0].code if decision.reasons else None
    if decision.action is not Action.ESCALATE or first not in _UNANSWERED:
        return None
    if state.last_action is Action.ANSWER and first is ReasonCode.LOW_CONFIDENCE:
        return "the AI answered, then was not confident"
    if state.last_rule in OFFERS_OF_A_PERSON and decision.rule != "accepted_offer_of_a_person":
        return (
            f"the AI could not answer {state.unanswered} messages in a row and offered a "
            "person instead of handing over unasked"
        )
    return None


class HandoffOpener:
    """Opens handoffs: routes to a queue, writes the brief, tells the customer what happens
    next, and marks the conversation as waiting for a person."""

    def __init__(
        self,
        *,
        store: Store,
        policy: Policy,
        redactor: Redactor,
        summarizer: LlmBriefSummarizer | None,
        transcript: Transcript,
        emitter: Emitter,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._store = store
        self._policy = policy
        self._redactor = redactor
        self._summarizer = summarizer
        self._transcript = transcript
        self._emitter = emitter
        self._clock = clock
        self._ids = ids

    def open(
        self,
        conversation: Conversation,
        reasons: Sequence[Reason],
        prefix: str,
        context: BriefContext | None = None,
    ) -> tuple[Handoff, Message]:
        context = context or BriefContext()
        routing = self._policy.routing
        queue = routing.queue_for(context.routing)
        customer = self._store.customers.get(conversation.customer_id)
        now = self._clock.now()
        hours = routing.business_hours
        if hours is not None and not hours.is_open(now):
            # Nobody is in: the handoff waits as a ticket, and the customer hears so honestly.
            messages = self._policy.messages
            email = customer.email if customer and customer.email else None
            told = prefix + messages.text("handoff_after_hours", context.language).format(
                hours=hours.describe(context.language),
                email=email or messages.text("email_unknown", context.language),
            )
        else:
            position = len(self._store.handoffs.list(HandoffStatus.OPEN)) + 1
            told = prefix + self._policy.messages.text("handoff", context.language).format(
                position=position
            )
        codes = [r.code for r in reasons]
        handoff = Handoff(
            id=HandoffId(self._ids.new("ho")),
            conversation_id=conversation.id,
            status=HandoffStatus.OPEN,
            reasons=tuple(reasons),
            priority=self._policy.priority_for(
                codes, queue, customer_value=customer.lifetime_value if customer else None
            ),
            queue=queue.name if queue else routing.default_queue,
            brief=build_brief(
                customer=customer,
                verified=conversation.identity_verified,
                transcript=self._store.conversations.messages(conversation.id),
                reasons=reasons,
                told_customer=told,
                redactor=self._redactor,
                sentiment=context.sentiment,
                topic=context.topic,
                ai_failed=context.ai_failed,
                summarizer=self._summarizer,
                traces=self._store.traces.for_conversation(conversation.id),
            ),
            created_at=now,
        )
        self._store.handoffs.add(handoff)
        self._transcript.set_status(conversation, ConversationStatus.WAITING)
        sent = self._transcript.post(conversation.id, Role.SYSTEM, told)
        self._emitter.emit(
            HandoffOpened(
                conversation_id=conversation.id,
                at=handoff.created_at,
                handoff_id=handoff.id,
                reasons=tuple(codes),
            )
        )
        return handoff, sent
