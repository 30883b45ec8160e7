"""The customer side of the engine: start a conversation, take a message, reply or hand over."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from warmline.clock import Clock, IdGenerator
from warmline.domain.conversations import (
    Channel,
    Citation,
    Conversation,
    ConversationStatus,
    Message,
    Role,
)
from warmline.domain.customers import Customer, CustomerInfo
from warmline.domain.events import (
    ConversationStarted,
    FeedbackGiven,
    ReplyFailed,
    TurnDecided,
)
from warmline.domain.handoffs import Handoff, Reason, ReasonCode
from warmline.domain.ids import ArticleId, ConversationId, CustomerId, HandoffId, TraceId
from warmline.domain.knowledge import Audience, SearchHit
from warmline.domain.traces import DecisionTrace
from warmline.engine.answering import Answerer, Draft, KnowledgeSearch
from warmline.engine.briefs import LlmBriefSummarizer
from warmline.engine.copilot import Copilot, build_copilot
from warmline.engine.decisions import (
    OFFERED_A_PERSON,
    OFFERS_OF_A_PERSON,
    PRE_DRAFT_RULES,
    Action,
    ConversationState,
    Decision,
    Signals,
    decide,
    decide_on_signals,
)
from warmline.engine.emitter import Emitter
from warmline.engine.follow_ups import answered_question, leans_on_earlier
from warmline.engine.handing_over import (
    BriefContext,
    EarlierTopic,
    HandoffOpener,
    ai_fell_short,
    brief_topic,
    earlier_topic,
    handoff_prefix,
)
from warmline.engine.readings import (
    Reading,
    best_reading,
    offered_topics,
    signal_history,
    topic_titles,
    unanswered_in_a_row,
)
from warmline.engine.topics import OfferedTopic, adds_to_question, chosen_topic, offered_in
from warmline.engine.transcript import Transcript, history_lines
from warmline.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ReplyFailedError,
    WarmlineError,
)
from warmline.intents import IntentPrediction
from warmline.knowledge.text import terms
from warmline.policy.model import Policy
from warmline.privacy.redaction import Redactor
from warmline.signals.detectors import FrustrationReading
from warmline.signals.language import LANGUAGE_NAMES, says_no, says_yes
from warmline.signals.reader import History, SignalReader
from warmline.storage.ports import Store

log = logging.getLogger(__name__)

# A reply to a clarifying question with at least this many content words is also read alone.
_OWN_QUESTION_TERMS = 3
# Replies after which the customer's next message is read on its own, not as completing the
# question before: the offer of a person (it asked nothing about that question; what comes
# next is a yes or another question, "what are your support hours") and asking for a language
# the help center covers (the question comes again, in that language).
_NEW_START = frozenset({*OFFERS_OF_A_PERSON, "language_not_covered"})
# A picked topic is looked for among this many times the usual number of passages.
_CHOSEN_TOPIC_SEARCH_WIDTH = 4


@dataclass(frozen=True)
class Reply:
    decision: str  # answer | clarify | escalate | none
    text: str
    confidence: float | None
    citations: tuple[Citation, ...]
    reasons: tuple[ReasonCode, ...]
    handoff_id: HandoffId | None
    message: Message | None
    topics: tuple[str, ...] = ()  # the help-center topics a clarifying question offers


@dataclass(frozen=True)
class Turn:
    message: Message
    reply: Reply


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    token: str
    messages: tuple[Message, ...]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ConversationService:
    def __init__(
        self,
        *,
        store: Store,
        knowledge: KnowledgeSearch,
        answerer: Answerer,
        signals: SignalReader,
        redactor: Redactor,
        policy: Policy,
        summarizer: LlmBriefSummarizer | None = None,
        emitter: Emitter,
        clock: Clock,
        ids: IdGenerator,
        max_message_chars: int,
    ) -> None:
        self._store = store
        self._knowledge = knowledge
        self._answerer = answerer
        self._signals = signals
        self._summarizer = summarizer
        self._redactor = redactor
        self._policy = policy
        self._emitter = emitter
        self._clock = clock
        self._ids = ids
        self._max_chars = max_message_chars
        self._transcript = Transcript(store.conversations, emitter, clock, ids)
        self._handoffs = HandoffOpener(
            store=store,
            policy=policy,
            redactor=redactor,
            summarizer=summarizer,
            transcript=self._transcript,
            emitter=emitter,
            clock=clock,
            ids=ids,
        )

    @property
    def policy(self) -> Policy:
        return self._policy

    def warm_up(self) -> int:
        """Train the signal detectors and embed the help center's sentences before customers
        arrive (a few seconds for a help center of a few hundred articles). Returns how many
        sentences were embedded. The personal-data redactor runs once too: its first pass
        loads its spaCy pipeline, which had cost the first handoff over a second."""
        self._signals.warm_up()
        self._redactor.redact("Ada Lovelace wrote from ada@example.com about order JL-1234567.")
        customer = {
            a.id for a in self._store.knowledge.articles() if a.audience is Audience.CUSTOMER
        }
        return self._answerer.warm_up(
            c.text for c in self._store.knowledge.chunks() if c.article_id in customer
        )

    # -- conversations -------------------------------------------------------------------

    def start(self, channel: Channel, info: CustomerInfo) -> Started:
        customer = self._customer_for(info)
        now = self._clock.now()
        token = secrets.token_urlsafe(32)
        conversation = Conversation(
            id=ConversationId(self._ids.new("conv")),
            customer_id=customer.id,
            channel=channel,
            status=ConversationStatus.ACTIVE,
            agent_id=None,
            token_hash=hash_secret(token),
            created_at=now,
            updated_at=now,
            identity_verified=info.verified,
        )
        self._store.conversations.add(conversation)
        self._emitter.emit(
            ConversationStarted(
                conversation_id=conversation.id, at=now, customer_id=customer.id, channel=channel
            )
        )
        disclosure = self._transcript.post(
            conversation.id, Role.AI, self._policy.messages.disclosure
        )
        return Started(conversation, token, (disclosure,))

    def authenticate(self, conversation_id: str, token: str | None) -> Conversation:
        conversation = self._store.conversations.get(ConversationId(conversation_id))
        if conversation is None:
            raise NotFoundError(f"conversation {conversation_id} does not exist")
        if not token or not hmac.compare_digest(conversation.token_hash, hash_secret(token)):
            raise AuthenticationError("this conversation's token is missing or wrong")
        return conversation

    def get(self, conversation_id: ConversationId) -> Conversation:
        conversation = self._store.conversations.get(conversation_id)
        if conversation is None:
            raise NotFoundError(f"conversation {conversation_id} does not exist")
        return conversation

    def messages(self, conversation_id: ConversationId) -> Sequence[Message]:
        return self._store.conversations.messages(conversation_id)

    def copilot(self, conversation_id: ConversationId) -> Copilot:
        """For the agent: a grounded draft reply and the customer's past conversations."""
        return build_copilot(
            self.get(conversation_id),
            store=self._store,
            knowledge=self._knowledge,
            answerer=self._answerer,
            policy=self._policy,
        )

    def last_trace(self, conversation_id: ConversationId) -> DecisionTrace | None:
        """The decision trace of the conversation's latest AI turn, if there is one."""
        traces = self._store.traces.for_conversation(conversation_id)
        return traces[-1] if traces else None

    def open_topics(
        self, conversation: Conversation, messages: Sequence[Message]
    ) -> tuple[str, ...]:
        """The topics the customer can still pick by sending one: those the clarifying question
        offered while it is the conversation's last message and the AI reads the reply. Any
        later message (the customer's reply, a handoff) ends the offer."""
        if not conversation.ai_reads_next_message or not messages:
            return ()
        trace = self.last_trace(conversation.id)
        if trace is None or trace.reply_message_id != messages[-1].id:
            return ()
        return tuple(topic.title for topic in offered_in(trace))

    def _article_title(self, article_id: str) -> str | None:
        article = self._store.knowledge.get_article(ArticleId(article_id))
        return article.title if article else None

    def customer(self, customer_id: CustomerId) -> Customer | None:
        return self._store.customers.get(customer_id)

    # -- a customer turn -----------------------------------------------------------------

    def post(self, conversation_id: ConversationId, text: str) -> Turn:
        """Save the customer's message first, then reply. A failed reply loses nothing."""
        text = self.check_text(text)
        conversation = self.get(conversation_id)
        if conversation.status is ConversationStatus.CLOSED:
            conversation = self._transcript.set_status(conversation, ConversationStatus.ACTIVE)
        message = self._transcript.post(conversation.id, Role.CUSTOMER, text)
        if not conversation.ai_may_reply:
            return Turn(message, Reply("none", "", None, (), (), None, None))
        try:
            reply = self._reply(conversation, message)
        except Exception as error:
            log.exception("reply failed in %s", conversation.id)
            self._emitter.emit(
                ReplyFailed(
                    conversation_id=conversation.id,
                    at=self._clock.now(),
                    message_id=message.id,
                    error=type(error).__name__,
                )
            )
            raise ReplyFailedError(
                self._policy.messages.reply_failed,
                details={"message_id": message.id, "handoff_available": True},
            ) from error
        return Turn(message, reply)

    def check_text(self, text: str) -> str:
        stripped = text.strip()
        if not stripped:
            raise InvalidInputError("the message is empty")
        if len(stripped) > self._max_chars:
            raise InvalidInputError(
                f"the message is {len(stripped)} characters long; the limit is {self._max_chars}"
            )
        return stripped

    def _reply(self, conversation: Conversation, message: Message) -> Reply:
        traces = self._store.traces.for_conversation(conversation.id)
        state = ConversationState(
            turn=len(traces) + 1,
            last_action=Action(traces[-1].decision) if traces else None,
            last_rule=traces[-1].rule if traces else None,
            unanswered=unanswered_in_a_row(traces),
        )
        earlier = [m for m in self._store.conversations.messages(conversation.id) if m != message]
        history = signal_history(earlier, traces, conversation.identity_verified)
        question = message.text
        asked = [m.text for m in earlier if m.role is Role.CUSTOMER]
        if state.last_action is Action.CLARIFY and asked and state.last_rule not in _NEW_START:
            # The reply to a clarifying question completes the question before it.
            question = f"{asked[-1]} {message.text}"
        observed = self._signals.read(message.text, history, question=question)
        # The reply may pick one of the topics the clarifying question offered.
        chosen = (
            chosen_topic(message.text, offered_in(traces[-1]))
            if state.last_action is Action.CLARIFY and not observed.not_helped
            else None
        )
        if chosen is not None and asked and not adds_to_question(message.text, chosen):
            question = asked[-1]  # "yes", or the topic's name: the question is the one before
        content_terms = len(set(terms(question)))
        signals = Signals(
            human_request=observed.human_request,
            content_terms=content_terms,
            hits=0,
            best_coverage=0.0,
            best_dense=0.0,
            security=observed.security,
            sensitive_topic=observed.sensitive_topic,
            sensitive_evidence=observed.sensitive_evidence,
            policy_topic=observed.policy_topic,
            frustration=observed.frustration,
            frustration_noted=observed.frustration_noted,
            not_helped=observed.not_helped,
            failures=observed.failures,
            repeated_question=observed.repeated_question,
            acknowledgement=observed.acknowledgement,
            # "ok" to "Would you like me to bring in a person?" says yes; after an answer, thanks.
            yes=says_yes(message.text, to_a_question=True)
            if state.last_rule in OFFERS_OF_A_PERSON
            else observed.yes,
            declined=says_no(message.text)
            if state.last_rule in OFFERS_OF_A_PERSON or state.last_rule == "language_not_covered"
            else None,
            asks=observed.asks,
            language=observed.language,
            language_covered=observed.language is None
            or observed.language in self._policy.answering.knowledge_languages,
            intent=observed.intent.best if observed.intent else None,
            intent_confidence=observed.intent.confidence if observed.intent else None,
            intent_in_scope=observed.intent.in_scope if observed.intent else None,
            topic_chosen=chosen.title if chosen else None,
            answered_before=self._signals.answered_before(message.text, history)
            if state.last_action is Action.ANSWER
            else None,
        )
        hits: list[SearchHit] = []
        customer_hits: list[SearchHit] = []
        draft = None
        early = decide_on_signals(state, signals, self._policy)
        if early is not None:
            decision = early
        else:
            try:
                readings = [(question, signals)]
                own_terms = len(set(terms(message.text)))
                if (
                    question != message.text
                    and own_terms >= _OWN_QUESTION_TERMS
                    and not signals.not_helped
                    and chosen is None
                ):
                    # The reply to a clarifying question may be a new question of its own:
                    # read it alone too, and keep whichever reading the engine is surer of
                    # ("that's not what I asked" is no question of its own, and a reply that
                    # picks an offered topic answers the clarifying question).
                    alone = self._signals.intent_of(message.text)
                    reply_in_scope = alone.in_scope if alone else None
                    readings.append(
                        (message.text, dataclasses.replace(signals, reply_in_scope=reply_in_scope))
                    )
                considered = [
                    self._consider(
                        text,
                        state,
                        read,
                        earlier,
                        history,
                        article_id=chosen.article_id if chosen and text == question else None,
                    )
                    for text, read in readings
                ]
                asking = None
                if (
                    state.last_action is Action.ANSWER
                    and asked
                    and leans_on_earlier(message.text)
                    and all(r.decision.action is not Action.ANSWER for r in considered)
                ):
                    # A follow-up to an answer that cannot stand alone ("how much can I put on
                    # one?" after "do you sell gift cards") and cannot be answered alone is
                    # read with the question the answer answered, to ask about the
                    # conversation's topics; the follow-up alone decides everything else.
                    asking = self._consider(
                        f"{answered_question(asked, traces)} {message.text}",
                        state,
                        dataclasses.replace(signals, with_earlier_question=True),
                        earlier,
                        history,
                    )
                decision, signals, hits, draft = best_reading(considered, asking=asking)
                customer_hits = [h for h in hits if h.article.audience is Audience.CUSTOMER]
            except Exception as error:  # a failing part must cost a handoff, never the message
                if isinstance(error, WarmlineError):  # an outage we know: no stack trace
                    log.warning("knowledge or answer step failed in %s: %s", conversation.id, error)
                else:
                    log.exception("knowledge or answer step failed in %s", conversation.id)
                signals = dataclasses.replace(
                    signals, tool_failure=f"{type(error).__name__}: {str(error)[:160]}"
                )
                decision = decide(state, signals, self._policy)
                hits, customer_hits, draft = [], [], None
        offered = offered_topics(decision, customer_hits)
        reply = self._act(
            conversation,
            decision,
            draft,
            customer_hits,
            state,
            offered=offered,
            reading=observed.frustration_reading,
            topics=observed.topics,
            language=observed.language,
            intent=observed.intent,
            # A handoff on a turn that names no topic of its own ("ok can i just talk to
            # someone", a bare "yes please" to the offer of a person, whatever the intent model
            # makes of it) carries what the conversation was about to the brief and the queue.
            earlier=earlier_topic(traces, self._article_title)
            if decision.action is Action.ESCALATE
            and not customer_hits
            and (signals.yes or not (observed.intent and observed.intent.in_scope))
            else None,
        )
        self._record(
            conversation=conversation,
            message=message,
            reply=reply,
            decision=decision,
            signals=signals,
            hits=hits,
            draft=draft,
            details=observed.details,
            offered=offered,
        )
        return reply

    def _consider(
        self,
        question: str,
        state: ConversationState,
        signals: Signals,
        earlier: Sequence[Message],
        history: History,
        *,
        article_id: str | None = None,
    ) -> Reading:
        """Search, decide, draft and decide again for one reading of the customer's question.

        With ``article_id`` (the topic the customer picked), only that article's passages are
        kept, when the search finds any.
        """
        content_terms = len(set(terms(question)))
        k = self._policy.answering.retrieve_k
        picked: list[SearchHit] = []
        if article_id is not None:
            wider = self._knowledge.search(question, k=k * _CHOSEN_TOPIC_SEARCH_WIDTH)
            picked = [h for h in wider if h.article.id == article_id][:k]
        hits = picked or self._knowledge.search(question, k=k)
        customer_hits = [h for h in hits if h.article.audience is Audience.CUSTOMER]
        signals = dataclasses.replace(
            signals,
            content_terms=content_terms,
            hits=len(customer_hits),
            best_coverage=max((h.term_coverage for h in customer_hits), default=0.0),
            best_dense=max((h.dense_score or 0.0 for h in customer_hits), default=0.0),
            clarify_options=len(topic_titles(customer_hits)),
        )
        decision = decide(state, signals, self._policy)
        if decision.rule in PRE_DRAFT_RULES:
            return Reading(decision, signals, hits, None)
        draft = self._answerer.draft(
            question, customer_hits, history=history_lines(earlier), content_terms=content_terms
        )
        signals = dataclasses.replace(
            signals,
            verified_sentences=len(draft.verification.kept),
            confidence=draft.confidence,
            repeated_answer=self._signals.repeated_answer(draft.kept_text, history)
            if draft.verification.kept
            else None,
        )
        return Reading(decide(state, signals, self._policy), signals, hits, draft)

    def _act(
        self,
        conversation: Conversation,
        decision: Decision,
        draft: Draft | None,
        hits: Sequence[SearchHit],
        state: ConversationState,
        *,
        offered: Sequence[OfferedTopic] = (),
        reading: FrustrationReading | None = None,
        topics: Sequence[str] = (),
        language: str | None = None,
        intent: IntentPrediction | None = None,
        earlier: EarlierTopic | None = None,  # what an earlier turn was about, when this names none
    ) -> Reply:
        messages = self._policy.messages
        if decision.action is Action.ACKNOWLEDGE:
            name = (
                "declined_offer"
                if decision.rule == "declined_offer_of_a_person"
                else "acknowledged"
            )
            sent = self._transcript.post(conversation.id, Role.AI, messages.text(name, language))
            return Reply("acknowledge", sent.text, None, (), (), None, sent)
        if decision.action is Action.ANSWER and draft is not None:
            worded = draft.worded
            sent = self._transcript.post(conversation.id, Role.AI, worded.text, worded.citations)
            return Reply("answer", sent.text, decision.confidence, sent.citations, (), None, sent)
        if decision.action is Action.CLARIFY:
            titles = [topic.title for topic in offered]
            text = messages.clarify
            if decision.rule == "language_not_covered":
                text = messages.text("language_not_covered", language).format(
                    language=LANGUAGE_NAMES.get(language or "", language or "your language")
                )
            elif decision.rule == "did_not_help_ask_once":
                text = messages.text("did_not_help", language)
            elif decision.rule == OFFERED_A_PERSON:
                text = messages.text("offer_a_person", language)
            elif decision.rule in OFFERS_OF_A_PERSON:
                text = messages.text("offer_a_person_not_found", language)
            elif len(titles) == 1:
                text = messages.clarify_topic.format(topic=f"\u201c{titles[0]}\u201d")
            elif titles:
                options = ", ".join(f"\u201c{t}\u201d" for t in titles[:-1])
                text = messages.clarify_options.format(
                    options=f"{options} or \u201c{titles[-1]}\u201d"
                )
            sent = self._transcript.post(conversation.id, Role.AI, text)
            return Reply(
                "clarify", sent.text, decision.confidence, (), (), None, sent, tuple(titles)
            )
        prefix = handoff_prefix(
            decision, state, self._policy, self_harm="self_harm" in topics, language=language
        )
        topic = brief_topic(intent, topic_titles(hits)[0] if hits else None)
        routing = [*topics, *(h.article.id for h in hits[:1])]
        if earlier is not None:
            topic = brief_topic(earlier.intent, earlier.title, turn=earlier.turn) or topic
            routing += [
                *([f"intent:{earlier.intent.intent}"] if earlier.intent else []),
                *([earlier.article_id] if earlier.article_id else []),
            ]
        handoff, sent = self._handoffs.open(
            conversation,
            decision.reasons,
            prefix,
            context=BriefContext(
                sentiment=reading.scores if reading else (),
                topic=topic,
                routing=(*routing, *([f"language:{language}"] if language else [])),
                language=language,
                ai_failed=ai_fell_short(decision, state),
            ),
        )
        return Reply(
            "escalate",
            sent.text,
            decision.confidence,
            (),
            handoff.reason_codes,
            handoff.id,
            sent,
        )

    def _record(
        self,
        *,
        conversation: Conversation,
        message: Message,
        reply: Reply,
        decision: Decision,
        signals: Signals,
        hits: Sequence[SearchHit],
        draft: Draft | None,
        details: dict[str, object],
        offered: Sequence[OfferedTopic] = (),
    ) -> None:
        now = self._clock.now()
        self._store.traces.add(
            DecisionTrace(
                id=TraceId(self._ids.new("trace")),
                conversation_id=conversation.id,
                customer_message_id=message.id,
                reply_message_id=reply.message.id if reply.message else None,
                decision=decision.action.value,
                rule=decision.rule,
                confidence=decision.confidence,
                retrieved=tuple(
                    {
                        "chunk_id": h.chunk.id,
                        "article_id": h.article.id,
                        "audience": h.article.audience.value,
                        "score": round(h.score, 4),
                        "lexical": round(h.lexical_score, 4),
                        "dense": None if h.dense_score is None else round(h.dense_score, 4),
                        "fused": None if h.fused_score is None else round(h.fused_score, 5),
                        "term_coverage": round(h.term_coverage, 4),
                        "why": h.why,
                    }
                    for h in hits
                ),
                signals=signals.as_dict(),
                created_at=now,
                extra={
                    "policy_version": self._policy.version,
                    "reasons": [
                        {"code": r.code.value, "evidence": r.evidence} for r in decision.reasons
                    ],
                    "thresholds": {
                        "answer_at_or_above": self._policy.answering.answer_at_or_above,
                        "clarify_at_or_above": self._policy.answering.clarify_at_or_above,
                        "high_confidence": self._policy.answering.high_confidence,
                        "min_support": self._policy.answering.min_support,
                    },
                    "draft": draft.as_trace() if draft is not None else None,
                    "detectors": details,
                    "offered": [topic.as_dict() for topic in offered],
                },
            )
        )
        self._emitter.emit(
            TurnDecided(
                conversation_id=conversation.id,
                at=now,
                message_id=message.id,
                decision=decision.action.value,
                rule=decision.rule,
                confidence=decision.confidence,
            )
        )

    # -- handoff and feedback ------------------------------------------------------------

    def request_handoff(self, conversation_id: ConversationId) -> tuple[Handoff, Message]:
        """The "Talk to a person" button: honoured at once, with no retention script."""
        conversation = self.get(conversation_id)
        language = self._signals.language_of(
            [m.text for m in self.messages(conversation.id) if m.role is Role.CUSTOMER]
        )
        waiting = self._policy.messages.text("already_waiting", language)
        active = self._store.handoffs.active_for_conversation(conversation.id)
        if active is not None:
            return active, self._transcript.post(conversation.id, Role.SYSTEM, waiting)
        reason = Reason(ReasonCode.CUSTOMER_REQUEST, "pressed \u201cTalk to a person\u201d")
        try:
            return self._handoffs.open(conversation, (reason,), "", BriefContext(language=language))
        except ConflictError:
            # A second press raced the first; the customer keeps the place the first one got.
            active = self._store.handoffs.active_for_conversation(conversation.id)
            if active is None:
                raise
            return active, self._transcript.post(conversation.id, Role.SYSTEM, waiting)

    def feedback(self, conversation_id: ConversationId, resolved: bool, csat: int | None) -> None:
        if csat is not None and not 1 <= csat <= 5:
            raise InvalidInputError("csat must be between 1 and 5")
        conversation = self.get(conversation_id)
        self._emitter.emit(
            FeedbackGiven(
                conversation_id=conversation.id, at=self._clock.now(), resolved=resolved, csat=csat
            )
        )

    # -- helpers -------------------------------------------------------------------------

    def _customer_for(self, info: CustomerInfo) -> Customer:
        email = info.email.strip().lower() if info.email else None
        for found in (
            self._store.customers.find_by_external_id(info.external_id)
            if info.external_id
            else None,
            self._store.customers.find_by_email(email) if email else None,
        ):
            if found is not None:
                value = info.lifetime_value
                if value is not None and value != found.lifetime_value:
                    self._store.customers.set_lifetime_value(found.id, value)
                    return dataclasses.replace(found, lifetime_value=value)
                return found
        customer = Customer(
            id=CustomerId(self._ids.new("cus")),
            email=email,
            name=info.name,
            external_id=info.external_id,
            created_at=self._clock.now(),
            lifetime_value=info.lifetime_value,
        )
        self._store.customers.add(customer)
        return customer
