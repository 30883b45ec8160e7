"""The decision: a pure function from what the engine observed and the policy to what to do."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from warmline.domain.handoffs import Reason, ReasonCode, quoted
from warmline.policy.model import Policy
from warmline.signals.language import LANGUAGE_NAMES

# The clarifying question that offers a person instead of handing over unasked (policy
# answering.unsure_after_clarifying: offer_a_person).
OFFERED_A_PERSON = "offered_a_person"
# The same offer for a question the help center has nothing on (policy
# answering.not_in_help_center: offer_a_person), by the reason a handoff would have had.
OFFERED_A_PERSON_NO_KNOWLEDGE = "offered_a_person_no_knowledge"
OFFERED_A_PERSON_OUT_OF_SCOPE = "offered_a_person_out_of_scope"
OFFERS_OF_A_PERSON = frozenset(
    {OFFERED_A_PERSON, OFFERED_A_PERSON_NO_KNOWLEDGE, OFFERED_A_PERSON_OUT_OF_SCOPE}
)
# Handoffs for a question the help center has nothing on, and the offer each becomes.
_NOTHING_FOUND = {
    "knowledge_gap": OFFERED_A_PERSON_NO_KNOWLEDGE,
    "no_relevant_knowledge": OFFERED_A_PERSON_OUT_OF_SCOPE,
    "intent_out_of_scope": OFFERED_A_PERSON_OUT_OF_SCOPE,
}
# Rules decided from retrieval alone, before an answer is drafted: composing one would be
# wasted work. (Signal rules are settled even earlier, by :func:`decide_on_signals`.)
PRE_DRAFT_RULES = frozenset(
    {
        "no_question_yet",
        "still_unclear_after_clarifying",
        "no_relevant_knowledge",
        "knowledge_gap",
        "language_not_covered",
        "intent_out_of_scope",
        OFFERED_A_PERSON_NO_KNOWLEDGE,
        OFFERED_A_PERSON_OUT_OF_SCOPE,
    }
)


# Handoffs for a draft not sure enough to send, which the policy may turn into that offer.
_UNSURE_RULES = frozenset({"below_answer_threshold", "answer_withheld"})
# Clarifying questions asked because the AI already fell short (the customer said an answer
# did not help, or was offered a person): after them another "that didn't help" is a repeated
# failure, and after "what did I miss?" an unsure draft goes to a person.
_ALREADY_FELL_SHORT = frozenset({"did_not_help_ask_once", *OFFERS_OF_A_PERSON})


class Action(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    ESCALATE = "escalate"
    ACKNOWLEDGE = "acknowledge"  # the message only thanks or says goodbye


@dataclass(frozen=True)
class ConversationState:
    turn: int
    last_action: Action | None
    last_rule: str | None = None  # the rule behind the last action, as traced
    # Replies in a row, up to the last one, that did not answer: clarifying questions, offers
    # of a person, asking for another language.
    unanswered: int = 0


@dataclass(frozen=True)
class Signals:
    """Everything observed about one customer turn that a rule can look at.

    Each escalation signal carries its evidence (the phrase, the probability, the earlier turn
    it repeats), which becomes the reason's evidence in the trace and the brief.
    """

    human_request: str | None
    content_terms: int
    hits: int
    best_coverage: float
    best_dense: float
    verified_sentences: int = 0
    confidence: float = 0.0
    clarify_options: int = 0  # distinct help-center topics a clarifying question could offer
    security: str | None = None
    sensitive_topic: str | None = None
    sensitive_evidence: str | None = None
    policy_topic: str | None = None
    tool_failure: str | None = None
    frustration: str | None = None  # why the frustration bar is met, when it is
    # The customer reads as upset, though below the bar: never a handoff by itself, but a
    # further reason on one (the brief says so and routing gives it its priority).
    frustration_noted: str | None = None
    not_helped: str | None = None  # this message says the last answer did not help
    failures: int = 0  # messages so far (this one included) saying an answer did not help
    repeated_question: str | None = None  # an answered question this one asks again
    repeated_answer: str | None = None  # an answer given before that the draft would repeat
    # Right after an answer: the sentence of an earlier answer this question asks about again.
    answered_before: str | None = None
    acknowledgement: str | None = None  # the message only thanks, agrees or says goodbye
    yes: str | None = None  # the message only says yes ("yes please", "sí, por favor")
    # The message only turns down the person the last reply offered ("no thanks").
    declined: str | None = None
    asks: bool = True  # a question, a request or a problem report, not a remark
    language: str | None = None  # the conversation's language, when the detector is sure
    language_covered: bool = True  # the help center is written in that language
    intent: str | None = None  # the intent model's best intent (in scope or not)
    intent_confidence: float | None = None
    intent_in_scope: bool | None = None  # None: no intent model is active
    # A reply to a clarifying question read as a question of its own: whether the intent model
    # puts it, alone, in scope (None: not read alone). The intent above reads it in context.
    reply_in_scope: bool | None = None
    # The help-center topic (article title) the customer picked from those a clarifying
    # question offered: the question is about that article.
    topic_chosen: str | None = None
    # This reading puts a follow-up that cannot stand alone together with the question the
    # last answer answered: it may only ask which topic the follow-up is about, never answer.
    with_earlier_question: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "human_request": self.human_request,
            "content_terms": self.content_terms,
            "hits": self.hits,
            "best_coverage": round(self.best_coverage, 4),
            "best_dense": round(self.best_dense, 4),
            "verified_sentences": self.verified_sentences,
            "confidence": round(self.confidence, 4),
            "clarify_options": self.clarify_options,
            "security": self.security,
            "sensitive_topic": self.sensitive_topic,
            "sensitive_evidence": self.sensitive_evidence,
            "policy_topic": self.policy_topic,
            "tool_failure": self.tool_failure,
            "frustration": self.frustration,
            "frustration_noted": self.frustration_noted,
            "not_helped": self.not_helped,
            "failures": self.failures,
            "repeated_question": self.repeated_question,
            "repeated_answer": self.repeated_answer,
            "answered_before": self.answered_before,
            "acknowledgement": self.acknowledgement,
            "yes": self.yes,
            "declined": self.declined,
            "asks": self.asks,
            "language": self.language,
            "language_covered": self.language_covered,
            "intent": self.intent,
            "intent_confidence": None
            if self.intent_confidence is None
            else round(self.intent_confidence, 4),
            "intent_in_scope": self.intent_in_scope,
            "reply_in_scope": self.reply_in_scope,
            "topic_chosen": self.topic_chosen,
            "with_earlier_question": self.with_earlier_question,
        }


@dataclass(frozen=True)
class Decision:
    action: Action
    rule: str
    reasons: tuple[Reason, ...]
    confidence: float | None


def decide(state: ConversationState, signals: Signals, policy: Policy) -> Decision:
    """Pick answer, clarify, acknowledge or escalate. The first rule that applies wins; its
    name is traced.

    Signals that stop the AI come first, in order of urgency; every other signal that fired on
    the same turn is kept as a further reason, so the brief tells the whole story. Never two
    clarifying questions in a row: after one, the choice is answer or a person, offered
    (answering.unsure_after_clarifying) or brought in. A question the help center has nothing
    on is offered a person or handed over (answering.not_in_help_center), and so is a customer
    writing in a language it does not cover, asked first whether one it does would do. Offers
    stop at answering.unanswered_before_handoff replies in a row that did not answer.
    """
    return _noting_mood(_decide(state, signals, policy), signals, policy)


def _decide(state: ConversationState, signals: Signals, policy: Policy) -> Decision:
    early = _decide_on_signals(state, signals, policy)
    if early is not None:
        return early
    decision = _decide_on_knowledge(state, signals, policy)
    if decision.action is Action.ANSWER or (
        # "How can I help?" is in the help center's language: a remark in another one is
        # asked whether the customer can write in that language instead.
        decision.rule == "no_question_yet" and signals.language_covered
    ):
        return decision
    if not signals.language_covered:
        return _in_another_language(state, signals, decision, policy)
    offer = _offer_of_a_person(state, signals, decision, policy)
    if (
        # Where a person would be offered after a clarifying question, the intent model's word
        # alone is not enough to call a question the help center has passages on outside the
        # shop ("do i need to season it" reads as no contact reason): the reply read on its
        # own must be outside too.
        (offer is None or signals.reply_in_scope is False)
        and decision.action is Action.ESCALATE
        and decision.reasons
        and decision.reasons[0].code is ReasonCode.LOW_CONFIDENCE
        and signals.intent_in_scope is False
        and policy.answering.out_of_scope_by_intent
        # A follow-up to an answer is read by the intent model alone, out of its context; the
        # AI's answer fell short, and the customer hears so (service recovery).
        and state.last_action is not Action.ANSWER
    ):
        evidence = (
            f"the intent model puts this outside every contact reason it knows (closest: "
            f"{signals.intent}, {signals.intent_confidence or 0.0:.2f}), and the help center "
            "cannot answer it"
        )
        decision = _escalate(
            "intent_out_of_scope", ReasonCode.OUT_OF_SCOPE, evidence, decision.confidence
        )
        offer = _offer_of_a_person(state, signals, decision, policy)
    return offer or decision


def _offer_of_a_person(
    state: ConversationState, signals: Signals, decision: Decision, policy: Policy
) -> Decision | None:
    """Where the help center cannot answer and the policy says so, the customer is told and
    offered a person rather than handed over unasked: an unsure draft after one clarifying
    question (answering.unsure_after_clarifying), a question the help center has nothing on
    (answering.not_in_help_center). A yes brings a person in. So does a turn the AI cannot
    answer once the customer has had answering.unanswered_before_handoff replies in a row that
    did not answer: offering again would keep them going in circles. A customer who reads as
    upset, or who said an answer did not help, is spared the extra step."""
    answering = policy.answering
    if decision.rule in _UNSURE_RULES:
        offer: str | None = OFFERED_A_PERSON
        offered = (
            answering.unsure_after_clarifying == "offer_a_person"
            and state.last_action is Action.CLARIFY
        )
    else:
        offer = _NOTHING_FOUND.get(decision.rule)
        offered = answering.not_in_help_center == "offer_a_person"
    if (
        offer is None
        or not offered
        or signals.frustration_noted
        or state.last_rule == "did_not_help_ask_once"
        or state.unanswered >= answering.unanswered_before_handoff
    ):
        return None
    return Decision(Action.CLARIFY, offer, (), decision.confidence)


def _in_another_language(
    state: ConversationState, signals: Signals, decision: Decision, policy: Policy
) -> Decision:
    """A question in a language the help center is not written in, which it could not answer:
    the customer is asked whether another language would do, or offered a person (one
    message). Then a person takes over; where the policy offers a person for questions the
    help center has nothing on (answering.not_in_help_center), only once the customer has had
    answering.unanswered_before_handoff replies in a row that did not answer, or reads as
    upset. What stops the AI then is the language, not a gap in the help center, and the
    brief says so."""
    asked = Decision(Action.CLARIFY, "language_not_covered", (), decision.confidence)
    if state.last_action is not Action.CLARIFY:
        return asked
    if decision.action is not Action.ESCALATE:
        return decision
    if (
        policy.answering.not_in_help_center == "offer_a_person"
        and not signals.frustration_noted
        and state.unanswered < policy.answering.unanswered_before_handoff
    ):
        return asked
    language = LANGUAGE_NAMES.get(signals.language or "", signals.language or "a language")
    evidence = (
        f"writes in {language}, which the help center is not written in, after being asked "
        "whether another language would do"
    )
    return _escalate("language_not_served", ReasonCode.OUT_OF_SCOPE, evidence, decision.confidence)


def _decide_on_knowledge(  # noqa: PLR0911, PLR0912 - one return per rule reads as the rule list
    state: ConversationState, signals: Signals, policy: Policy
) -> Decision:
    asked_already = state.last_action is Action.CLARIFY
    if signals.content_terms == 0:
        if asked_already:
            return _escalate(
                "still_unclear_after_clarifying",
                ReasonCode.LOW_CONFIDENCE,
                "no question to work with after one clarifying question",
            )
        return Decision(Action.CLARIFY, "no_question_yet", (), None)
    if not signals.asks and not asked_already:
        # A remark ("my sister ordered me a bookcase for my birthday, super sweet of her"):
        # nothing to answer, and handing over for a knowledge gap or asking which help-center
        # topic it is about would both answer a question nobody asked.
        return Decision(Action.CLARIFY, "no_question_yet", (), None)
    answering = policy.answering
    # A detailed follow-up to an answer is specific already: a person, not a guess at topics.
    detailed_follow_up = (
        state.last_action is Action.ANSWER
        and not signals.with_earlier_question  # the earlier question's words are not its own
        and answering.follow_up_handoff_terms is not None
        and signals.content_terms >= answering.follow_up_handoff_terms
    )
    # Never two clarifying questions in a row, with one exception: "How can I help?" after a
    # bare greeting asked about no question, so a real question after it (more than a few
    # words; "I just need some help" is not one) may still get one.
    may_clarify = not detailed_follow_up and (
        not asked_already
        or (
            state.last_rule == "no_question_yet"
            and signals.content_terms > answering.clarify_max_terms
        )
    )
    unrelated = (
        signals.best_coverage < answering.out_of_scope_below_coverage
        and signals.best_dense < answering.out_of_scope_below_dense
    )
    if signals.hits == 0 or unrelated:
        found = (
            f"the best help-center passage covers {signals.best_coverage:.0%} of the question's "
            f"words and is {signals.best_dense:.2f} similar in meaning"
        )
        if signals.intent_in_scope and signals.reply_in_scope is not False:
            # A contact reason the shop handles, which the help center does not cover: a gap
            # in the knowledge (the AI does not know), not a question outside the shop. A reply
            # read alone must be in scope alone too ("k. btw who won the leafs game last night"
            # after a shipping question reads as shipping in context).
            return _escalate(
                "knowledge_gap",
                ReasonCode.LOW_CONFIDENCE,
                f"the intent model reads a contact reason the shop handles ({signals.intent}, "
                f"{signals.intent_confidence or 0.0:.2f}), but {found}",
            )
        return _escalate("no_relevant_knowledge", ReasonCode.OUT_OF_SCOPE, found)
    confidence = signals.confidence
    if signals.with_earlier_question and may_clarify and signals.verified_sentences:
        # The earlier question's words would vouch for an answer to a question the follow-up
        # does not ask; its topics are what to ask about.
        return Decision(Action.CLARIFY, "follow_up_ask_once", (), confidence)
    if signals.repeated_answer and policy.escalation.enabled(ReasonCode.LOOP):
        return Decision(
            Action.ESCALATE,
            "would_repeat_an_answer",
            (
                Reason(
                    ReasonCode.LOOP, f"the answer would repeat: {quoted(signals.repeated_answer)}"
                ),
            ),
            confidence,
        )
    if signals.verified_sentences and confidence >= answering.answer_at_or_above:
        return Decision(Action.ANSWER, "verified_answer", (), confidence)
    if (
        signals.topic_chosen
        and signals.verified_sentences
        and confidence >= answering.answer_chosen_topic_at_or_above
    ):
        # The customer picked this article from the clarifying question: what it says on the
        # question is what they asked to see (worded as what the help center says, hedged).
        return Decision(Action.ANSWER, "chosen_topic_answer", (), confidence)
    if (
        state.last_action is Action.ANSWER
        and signals.answered_before
        and policy.escalation.enabled(ReasonCode.LOOP)
    ):
        # The customer asks again what the last answers spoke to, and the AI has nothing
        # surer to say: the answer did not land, and guessing at topics would go in circles.
        return Decision(
            Action.ESCALATE,
            "asked_again_unanswered",
            (Reason(ReasonCode.LOOP, f"asked again: {signals.answered_before}"),),
            confidence,
        )
    if (
        may_clarify
        and confidence >= answering.clarify_at_or_above
        and signals.content_terms <= answering.clarify_max_terms
        and signals.clarify_options >= 2
    ):
        return Decision(Action.CLARIFY, "ambiguous_ask_once", (), confidence)
    if may_clarify and confidence >= answering.clarify_at_or_above:
        # Relevant help exists but the draft is not sure enough (or nothing in it survived the
        # verifier): one clarifying question, whose reply is read together with this question,
        # before a person is brought in.
        return Decision(Action.CLARIFY, "unsure_ask_once", (), confidence)
    if not signals.verified_sentences:
        evidence = "no sentence of the draft answer was supported by its cited evidence"
        return Decision(
            Action.ESCALATE,
            "answer_withheld",
            (Reason(ReasonCode.LOW_CONFIDENCE, evidence),),
            confidence,
        )
    return Decision(
        Action.ESCALATE,
        "below_answer_threshold",
        (
            Reason(
                ReasonCode.LOW_CONFIDENCE,
                f"confidence {confidence:.2f} is below the answer threshold "
                f"{answering.answer_at_or_above:.2f}",
            ),
        ),
        confidence,
    )


def _escalate(
    rule: str, code: ReasonCode, evidence: str, confidence: float | None = None
) -> Decision:
    return Decision(Action.ESCALATE, rule, (Reason(code, evidence),), confidence)


def decide_on_signals(
    state: ConversationState, signals: Signals, policy: Policy
) -> Decision | None:
    """The part of :func:`decide` that needs no search: the signals that stop the AI.

    The engine calls it before searching the knowledge base, so a request for a person or a
    sensitive topic is handled without waiting for retrieval or a draft.
    """
    decision = _decide_on_signals(state, signals, policy)
    return _noting_mood(decision, signals, policy) if decision is not None else None


def _decide_on_signals(
    state: ConversationState, signals: Signals, policy: Policy
) -> Decision | None:
    fired = _escalation_signals(signals, policy)
    if fired:
        rule, _ = fired[0]
        return Decision(Action.ESCALATE, rule, tuple(reason for _, reason in fired), None)
    taken = _taking_an_offer(state, signals)
    if taken is not None:
        return taken
    if signals.not_helped:
        if state.last_action is not Action.CLARIFY:
            return Decision(Action.CLARIFY, "did_not_help_ask_once", (), None)
        if state.last_rule in _ALREADY_FELL_SHORT:
            # Said again after being asked what did not help, or after being offered a
            # person because the help center fell short: the AI has failed twice.
            return _escalate(
                "did_not_help_after_clarifying",
                ReasonCode.REPEATED_FAILURE,
                f"said the answer did not help: {quoted(signals.not_helped)}",
            )
        # "That's not what I asked" to a clarifying question turns down its guess at the
        # topic: the reply is read with the question, and the help center answers or a
        # person is brought in (never a second clarifying question).
    if signals.acknowledgement:
        return Decision(Action.ACKNOWLEDGE, "acknowledged", (), None)
    return None


# Why each offer of a person was made: the handoff a yes brings is for that.
_OFFERED_FOR = {
    OFFERED_A_PERSON: (
        ReasonCode.LOW_CONFIDENCE,
        "could not answer confidently after one clarifying question",
    ),
    OFFERED_A_PERSON_NO_KNOWLEDGE: (
        ReasonCode.LOW_CONFIDENCE,
        "the help center has nothing on this contact reason",
    ),
    OFFERED_A_PERSON_OUT_OF_SCOPE: (
        ReasonCode.OUT_OF_SCOPE,
        "the help center has nothing on the question",
    ),
}


def _taking_an_offer(state: ConversationState, signals: Signals) -> Decision | None:
    """A bare yes to a reply that offered a person brings one in; a plain no ("no thanks")
    to the offer is taken as said: nothing to search, nobody to bring in, no second offer."""
    if signals.declined and (
        state.last_rule in OFFERS_OF_A_PERSON or state.last_rule == "language_not_covered"
    ):
        return Decision(Action.ACKNOWLEDGE, "declined_offer_of_a_person", (), None)
    if not signals.yes:
        return None
    if state.last_rule in OFFERS_OF_A_PERSON:
        # The AI could not answer and offered a person: the handoff is for that (what the
        # operation measures), taken at the customer's word.
        code, why = _OFFERED_FOR[state.last_rule]
        return Decision(
            Action.ESCALATE,
            "accepted_offer_of_a_person",
            (
                Reason(code, f"{why}, and offered a person"),
                Reason(
                    ReasonCode.CUSTOMER_REQUEST,
                    f"said yes to the offer of a person: {quoted(signals.yes)}",
                ),
            ),
            None,
        )
    if state.last_action is Action.ANSWER or state.last_rule == "language_not_covered":
        # The last reply offered a person ("If it doesn't answer your question, I can bring in
        # a person"; "or say so and I'll bring in a person"): a bare yes takes the offer.
        return _escalate(
            "accepted_offer_of_a_person",
            ReasonCode.CUSTOMER_REQUEST,
            f"said yes to the offer of a person: {quoted(signals.yes)}",
        )
    return None


def _noting_mood(decision: Decision, signals: Signals, policy: Policy) -> Decision:
    """A handoff of an upset customer says so, after the reason that decided it."""
    if (
        decision.action is not Action.ESCALATE
        or not signals.frustration_noted
        or not policy.escalation.enabled(ReasonCode.FRUSTRATION)
        or any(r.code is ReasonCode.FRUSTRATION for r in decision.reasons)
    ):
        return decision
    noted = Reason(ReasonCode.FRUSTRATION, signals.frustration_noted)
    return replace(decision, reasons=(*decision.reasons, noted))


def _escalation_signals(signals: Signals, policy: Policy) -> list[tuple[str, Reason]]:
    """Every signal on this turn that hands over by itself, most urgent first."""
    escalation = policy.escalation
    found: list[tuple[str, ReasonCode, str | None]] = [
        ("explicit_request", ReasonCode.CUSTOMER_REQUEST,
         signals.human_request and f"asked for a person: {quoted(signals.human_request)}"),
        ("sensitive_topic", ReasonCode.SENSITIVE_TOPIC,
         signals.sensitive_topic
         and signals.sensitive_topic.replace("_", " ")
         + (f": {quoted(signals.sensitive_evidence)}" if signals.sensitive_evidence else "")),
        ("security", ReasonCode.SECURITY, signals.security),
        # An angry customer is handled as one first: an intent model reading "taking my
        # business elsewhere" as a wholesale inquiry must not decide how the handoff reads.
        ("frustration", ReasonCode.FRUSTRATION, signals.frustration),
        ("policy_requires_human", ReasonCode.POLICY_REQUIRES_HUMAN, signals.policy_topic),
        ("tool_failure", ReasonCode.TOOL_FAILURE, signals.tool_failure),
        ("repeated_failure", ReasonCode.REPEATED_FAILURE,
         f"said {signals.failures} times that an answer did not help"
         + (f" (latest: {quoted(signals.not_helped)})" if signals.not_helped else "")
         if signals.failures >= escalation.repeated_failure_after else None),
        ("asked_again", ReasonCode.LOOP,
         signals.repeated_question and f"asked again: {signals.repeated_question}"),
    ]  # fmt: skip
    return [
        (rule, Reason(code, evidence))
        for rule, code, evidence in found
        if evidence and escalation.enabled(code)
    ]
