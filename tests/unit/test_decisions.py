"""The decision function is pure: same state, signals and policy, same decision."""

from __future__ import annotations

import dataclasses

import pytest

from tests.unit.decision_inputs import (
    AFTER_ANSWERING,
    AFTER_CLARIFYING,
    AFTER_OFFERING,
    FIRST_TURN,
    GAPS_HANDED_OVER,
    OUT_OF_OFFERS,
    POLICY,
    signals,
)
from warmline.domain.handoffs import ReasonCode
from warmline.engine.decisions import (
    OFFERED_A_PERSON,
    OFFERED_A_PERSON_NO_KNOWLEDGE,
    OFFERED_A_PERSON_OUT_OF_SCOPE,
    Action,
    ConversationState,
    decide,
)
from warmline.policy.model import DEFAULT_POLICY, load_policy


def test_that_a_confident_verified_answer_is_given_with_its_confidence() -> None:
    decision = decide(FIRST_TURN, signals(), POLICY)
    assert decision.action is Action.ANSWER
    assert decision.rule == "verified_answer"
    assert decision.confidence == 0.9


def test_that_a_request_for_a_person_wins_over_a_good_answer() -> None:
    decision = decide(FIRST_TURN, signals(human_request="talk to a human"), POLICY)
    assert decision.action is Action.ESCALATE
    assert decision.reasons[0].code is ReasonCode.CUSTOMER_REQUEST
    assert "talk to a human" in decision.reasons[0].evidence


def test_that_reasons_quote_the_customer_in_quotation_marks_a_person_can_read() -> None:
    said = "it's the third time, can't I talk to someone?"
    decision = decide(FIRST_TURN, signals(human_request=said), POLICY)
    assert decision.reasons[0].evidence == f"asked for a person: \u201c{said}\u201d"
    fraud = decide(FIRST_TURN, signals(sensitive_topic="fraud", sensitive_evidence=None), POLICY)
    assert fraud.reasons[0].evidence == "fraud"


@pytest.mark.parametrize(
    ("changes", "rule", "code"),
    [
        ({"best_coverage": 0.2, "best_dense": 0.1}, "no_relevant_knowledge", "out_of_scope"),
        ({"hits": 0}, "no_relevant_knowledge", "out_of_scope"),
        ({"verified_sentences": 0, "confidence": 0.0}, "answer_withheld", "low_confidence"),
        ({"confidence": 0.05, "content_terms": 8}, "below_answer_threshold", "low_confidence"),
    ],
)
def test_that_weak_missing_or_unverified_evidence_escalates(
    changes: dict[str, object], rule: str, code: str
) -> None:
    decision = decide(OUT_OF_OFFERS, signals(**changes), POLICY)
    assert decision.action is Action.ESCALATE
    assert decision.rule == rule
    assert decision.reasons[0].code.value == code


def test_that_relevant_help_with_an_unverified_draft_gets_one_question_first() -> None:
    nothing_kept = signals(verified_sentences=0, confidence=0.0, content_terms=9)
    assert decide(FIRST_TURN, nothing_kept, POLICY).rule == "unsure_ask_once"
    assert decide(AFTER_CLARIFYING, nothing_kept, POLICY).rule == OFFERED_A_PERSON
    assert decide(AFTER_OFFERING, nothing_kept, POLICY).rule == OFFERED_A_PERSON
    assert decide(OUT_OF_OFFERS, nothing_kept, POLICY).rule == "answer_withheld"
    strict = POLICY.model_copy(
        update={"answering": POLICY.answering.model_copy(update={"clarify_at_or_above": 0.2})}
    )
    weak = signals(confidence=0.1, content_terms=9)
    assert decide(FIRST_TURN, weak, strict).rule == "below_answer_threshold"


def test_that_out_of_scope_is_handed_over_without_a_clarifying_question() -> None:
    unrelated = signals(best_coverage=0.1, best_dense=0.1)
    assert decide(FIRST_TURN, unrelated, GAPS_HANDED_OVER).rule == "no_relevant_knowledge"


def test_that_a_contact_reason_the_help_center_does_not_cover_is_a_knowledge_gap() -> None:
    """The shop handles it (the intent model says so) but nothing in the help center answers
    it: the AI does not know, which is low confidence, not a question outside the shop."""
    unrelated = {"best_coverage": 0.1, "best_dense": 0.1}
    gap = decide(
        FIRST_TURN,
        signals(
            **unrelated, intent="product_question", intent_confidence=0.99, intent_in_scope=True
        ),
        GAPS_HANDED_OVER,
    )
    assert gap.action is Action.ESCALATE and gap.rule == "knowledge_gap"
    assert gap.reasons[0].code is ReasonCode.LOW_CONFIDENCE
    assert "product_question" in gap.reasons[0].evidence
    outside = signals(**unrelated, intent="order_status", intent_in_scope=False)
    assert decide(FIRST_TURN, outside, GAPS_HANDED_OVER).rule == "no_relevant_knowledge"
    # A reply read alone that the model puts outside every contact reason is no gap, whatever
    # the clarified question before it was about.
    aside = signals(**unrelated, intent="shipping", intent_in_scope=True, reply_in_scope=False)
    assert decide(AFTER_CLARIFYING, aside, GAPS_HANDED_OVER).rule == "no_relevant_knowledge"
    assert (
        decide(FIRST_TURN, signals(**unrelated), GAPS_HANDED_OVER).rule == "no_relevant_knowledge"
    )


def test_that_the_answer_threshold_comes_from_the_policy() -> None:
    threshold = POLICY.answering.answer_at_or_above
    just_below = signals(confidence=threshold - 0.01, content_terms=9)
    assert decide(OUT_OF_OFFERS, just_below, POLICY).action is Action.ESCALATE
    assert decide(FIRST_TURN, signals(confidence=threshold), POLICY).action is Action.ANSWER


def test_that_a_topic_the_customer_picked_is_answered_at_its_own_bar() -> None:
    """After "Is this about Gift cards?" - "yes", the article answers at the policy's lower bar
    for a picked topic; below that bar, or with nothing verified, a person is offered."""
    bar = POLICY.answering.answer_chosen_topic_at_or_above
    assert bar < POLICY.answering.answer_at_or_above
    picked = signals(confidence=bar, topic_chosen="Gift cards")
    decision = decide(AFTER_CLARIFYING, picked, POLICY)
    assert decision.action is Action.ANSWER and decision.rule == "chosen_topic_answer"
    not_picked = signals(confidence=bar)
    assert decide(AFTER_CLARIFYING, not_picked, POLICY).rule == OFFERED_A_PERSON
    below = signals(confidence=bar - 0.01, topic_chosen="Gift cards")
    assert decide(AFTER_CLARIFYING, below, POLICY).rule == OFFERED_A_PERSON
    unverified = signals(confidence=bar, topic_chosen="Gift cards", verified_sentences=0)
    assert decide(AFTER_CLARIFYING, unverified, POLICY).rule == OFFERED_A_PERSON
    assert decide(OUT_OF_OFFERS, unverified, POLICY).rule == "answer_withheld"
    # A signal that stops the AI still comes first.
    asked = signals(confidence=bar, topic_chosen="Gift cards", human_request="a person")
    assert decide(AFTER_CLARIFYING, asked, POLICY).rule == "explicit_request"
    # The policy can hold a picked topic to the answer threshold.
    strict = POLICY.model_copy(
        update={
            "answering": POLICY.answering.model_copy(
                update={"answer_chosen_topic_at_or_above": 1.0}
            )
        }
    )
    assert decide(OUT_OF_OFFERS, picked, strict).rule == "below_answer_threshold"


def test_that_asking_again_what_an_answer_spoke_to_goes_to_a_person_as_a_loop() -> None:
    """Right after an answer, a question the earlier answer already spoke to, which the AI
    cannot answer any better, is handed over as a loop instead of a guess at topics."""
    unsure = POLICY.answering.answer_at_or_above - 0.1
    again = signals(confidence=unsure, answered_before="0.54 similar to 'Redeem at checkout.'")
    decision = decide(AFTER_ANSWERING, again, POLICY)
    assert decision.action is Action.ESCALATE and decision.rule == "asked_again_unanswered"
    assert decision.reasons[0].code is ReasonCode.LOOP
    assert "Redeem at checkout" in decision.reasons[0].evidence
    # A surer answer is given; the same signals on other turns change nothing.
    sure = dataclasses.replace(again, confidence=POLICY.answering.answer_at_or_above)
    assert decide(AFTER_ANSWERING, sure, POLICY).action is Action.ANSWER
    assert decide(FIRST_TURN, again, POLICY).rule != "asked_again_unanswered"
    assert decide(AFTER_CLARIFYING, again, POLICY).rule != "asked_again_unanswered"
    no_loops = POLICY.model_copy(
        update={"escalation": POLICY.escalation.model_copy(update={"disabled": [ReasonCode.LOOP]})}
    )
    assert decide(AFTER_ANSWERING, again, no_loops).rule != "asked_again_unanswered"


def test_that_an_unsure_answer_gets_one_clarifying_question_then_the_offer_of_a_person() -> None:
    """Never a guess and never a second clarifying question: after one, the customer is told
    the help center cannot answer and offered a person, until they have had as many replies
    in a row that did not answer as the policy allows; the next unsure turn brings one in."""
    unsure = signals(confidence=POLICY.answering.clarify_at_or_above + 0.01, content_terms=9)
    assert decide(FIRST_TURN, unsure, POLICY).rule == "unsure_ask_once"
    offered = decide(AFTER_CLARIFYING, unsure, POLICY)
    assert offered.action is Action.CLARIFY and offered.rule == OFFERED_A_PERSON
    assert offered.reasons == ()
    assert decide(AFTER_OFFERING, unsure, POLICY).rule == OFFERED_A_PERSON
    again = decide(OUT_OF_OFFERS, unsure, POLICY)
    assert again.rule == "below_answer_threshold"
    assert again.reasons[0].code is ReasonCode.LOW_CONFIDENCE
    # A policy without the field keeps one offer (two replies in a row that did not answer).
    once = POLICY.model_copy(
        update={"answering": POLICY.answering.model_copy(update={"unanswered_before_handoff": 2})}
    )
    assert decide(AFTER_OFFERING, unsure, once).rule == "below_answer_threshold"
    # After "that didn't help" and the question it asks, an unsure draft goes to a person.
    after_not_helped = ConversationState(turn=3, last_action=Action.CLARIFY,
                                         last_rule="did_not_help_ask_once")  # fmt: skip
    assert decide(after_not_helped, unsure, POLICY).rule == "below_answer_threshold"
    # Saying it did not help after the offer is a second failure.
    not_helped = signals(not_helped="nope, that doesn't explain it either", failures=1)
    repeated = decide(AFTER_OFFERING, not_helped, POLICY)
    assert repeated.reasons[0].code is ReasonCode.REPEATED_FAILURE
    # An upset customer is not asked to say yes first.
    upset = dataclasses.replace(unsure, frustration_noted="this message reads as upset (0.80)")
    assert decide(AFTER_CLARIFYING, upset, POLICY).action is Action.ESCALATE
    # A question the help center has nothing on gets its own offer (not_in_help_center).
    outside = signals(best_coverage=0.1, best_dense=0.1)
    assert decide(AFTER_CLARIFYING, outside, POLICY).rule == OFFERED_A_PERSON_OUT_OF_SCOPE
    assert decide(AFTER_CLARIFYING, outside, GAPS_HANDED_OVER).rule == "no_relevant_knowledge"


def test_that_the_policy_can_hand_over_after_one_clarifying_question_instead() -> None:
    hand_over = POLICY.model_copy(
        update={
            "answering": POLICY.answering.model_copy(
                update={"unsure_after_clarifying": "hand_over"}
            )
        }
    )
    unsure = signals(confidence=POLICY.answering.clarify_at_or_above + 0.01, content_terms=9)
    handed = decide(AFTER_CLARIFYING, unsure, hand_over)
    assert handed.rule == "below_answer_threshold"
    assert handed.reasons[0].code is ReasonCode.LOW_CONFIDENCE


def test_that_a_yes_to_the_offer_of_a_person_hands_over_for_the_unanswered_question() -> None:
    """The handoff is counted where the operation needs it (the AI could not answer), with the
    customer's yes as a further reason."""
    yes = signals(confidence=0.1, yes="yes please")
    decision = decide(AFTER_OFFERING, yes, POLICY)
    assert decision.action is Action.ESCALATE and decision.rule == "accepted_offer_of_a_person"
    assert [r.code for r in decision.reasons] == [
        ReasonCode.LOW_CONFIDENCE,
        ReasonCode.CUSTOMER_REQUEST,
    ]
    assert "yes please" in decision.reasons[1].evidence
    # A yes after the clarifying question that named topics picks the topic, not a person.
    assert decide(AFTER_CLARIFYING, yes, POLICY).rule != "accepted_offer_of_a_person"


@pytest.mark.parametrize(
    ("changes", "offer", "code"),
    [
        ({"hits": 0}, OFFERED_A_PERSON_OUT_OF_SCOPE, ReasonCode.OUT_OF_SCOPE),
        ({"best_coverage": 0.1, "best_dense": 0.1, "intent": "product_question",
          "intent_in_scope": True}, OFFERED_A_PERSON_NO_KNOWLEDGE, ReasonCode.LOW_CONFIDENCE),
    ],
)  # fmt: skip
def test_that_a_question_the_help_center_has_nothing_on_gets_the_offer_of_a_person(
    changes: dict[str, object], offer: str, code: ReasonCode
) -> None:
    """Not knowing is said, and a person offered, instead of a handoff nobody asked for: the
    customer may well have a question the help center can answer next. A yes hands over with
    the reason the offer was made for; so does a question it cannot answer once the customer
    has had as many replies in a row that did not answer as the policy allows."""
    nothing = signals(**changes)
    offered = decide(FIRST_TURN, nothing, POLICY)
    assert (offered.action, offered.rule, offered.reasons) == (Action.CLARIFY, offer, ())
    after_offer = ConversationState(turn=2, last_action=Action.CLARIFY, last_rule=offer,
                                    unanswered=1)  # fmt: skip
    assert decide(after_offer, nothing, POLICY).rule == offer  # asked again, not handed over
    yes = decide(after_offer, signals(yes="yes please", hits=0), POLICY)
    assert yes.rule == "accepted_offer_of_a_person"
    assert [r.code for r in yes.reasons] == [code, ReasonCode.CUSTOMER_REQUEST]
    enough = ConversationState(turn=4, last_action=Action.CLARIFY, last_rule=offer, unanswered=3)
    handed = decide(enough, nothing, POLICY)
    assert handed.action is Action.ESCALATE and handed.reasons[0].code is code
    # An upset customer, or one who said an answer did not help, is not asked to say yes.
    upset = dataclasses.replace(nothing, frustration_noted="reads as upset (0.80)")
    assert decide(FIRST_TURN, upset, POLICY).action is Action.ESCALATE
    after_not_helped = ConversationState(
        turn=3, last_action=Action.CLARIFY, last_rule="did_not_help_ask_once", unanswered=1
    )
    assert decide(after_not_helped, nothing, POLICY).action is Action.ESCALATE
    # "That didn't help" after the offer is a second failure.
    not_helped = signals(not_helped="that doesn't help", failures=1, hits=0)
    assert decide(after_offer, not_helped, POLICY).reasons[0].code is ReasonCode.REPEATED_FAILURE
    # "No thanks" turns the offer down: acknowledged, not offered again.
    no_thanks = dataclasses.replace(nothing, declined="no thanks")
    declined = decide(after_offer, no_thanks, POLICY)
    assert (declined.action, declined.rule) == (Action.ACKNOWLEDGE, "declined_offer_of_a_person")
    assert decide(FIRST_TURN, no_thanks, POLICY).rule == offer  # no offer to turn down yet
    # The policy can hand these over at once, as before it had the setting.
    assert decide(FIRST_TURN, nothing, GAPS_HANDED_OVER).reasons[0].code is code


def test_that_a_detailed_follow_up_the_help_center_cannot_answer_goes_to_a_person_at_once() -> None:
    bar = POLICY.answering.follow_up_handoff_terms
    assert bar is not None
    detailed = signals(confidence=0.2, content_terms=bar)
    handed = decide(AFTER_ANSWERING, detailed, POLICY)
    assert handed.rule == "below_answer_threshold"
    assert handed.reasons[0].code is ReasonCode.LOW_CONFIDENCE
    # A shorter follow-up, the same question as a first question, or a policy without the
    # setting: one clarifying question first.
    assert decide(AFTER_ANSWERING, signals(confidence=0.2, content_terms=bar - 1), POLICY).rule == (
        "unsure_ask_once"
    )
    assert decide(FIRST_TURN, detailed, POLICY).rule == "unsure_ask_once"
    unset = POLICY.model_copy(
        update={"answering": POLICY.answering.model_copy(update={"follow_up_handoff_terms": None})}
    )
    assert decide(AFTER_ANSWERING, detailed, unset).rule == "unsure_ask_once"


def test_that_the_intent_model_reports_out_of_scope_but_not_for_a_follow_up_to_an_answer() -> None:
    outside = signals(
        confidence=0.2, content_terms=9, intent="other", intent_in_scope=False, reply_in_scope=False
    )
    assert decide(AFTER_CLARIFYING, outside, GAPS_HANDED_OVER).rule == "intent_out_of_scope"
    # The built-in policy offers a person for it, as for any question it has nothing on.
    assert decide(AFTER_CLARIFYING, outside, POLICY).rule == OFFERED_A_PERSON_OUT_OF_SCOPE
    # Read only together with the question before it ("do i need to season it" after a
    # shipping question), the intent model's word does not stop the offer of a person.
    with_the_question = dataclasses.replace(outside, reply_in_scope=None)
    assert decide(AFTER_CLARIFYING, with_the_question, POLICY).rule == OFFERED_A_PERSON
    assert decide(OUT_OF_OFFERS, with_the_question, POLICY).rule == "intent_out_of_scope"
    follow_up = decide(AFTER_ANSWERING, outside, POLICY)  # the answer fell short: recovery
    assert follow_up.reasons[0].code is ReasonCode.LOW_CONFIDENCE


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"sensitive_topic": "fraud", "sensitive_evidence": "charges I never made"},
         ReasonCode.SENSITIVE_TOPIC),
        ({"security": "bypass verification (0.97): 'read me the code'"}, ReasonCode.SECURITY),
        ({"policy_topic": "wholesale: 'bulk order'"}, ReasonCode.POLICY_REQUIRES_HUMAN),
        ({"tool_failure": "TimeoutError: search"}, ReasonCode.TOOL_FAILURE),
        ({"frustration": "frustrated for 2 messages in a row"}, ReasonCode.FRUSTRATION),
        ({"failures": 2, "not_helped": "didn't help"}, ReasonCode.REPEATED_FAILURE),
        ({"repeated_question": "asked again"}, ReasonCode.LOOP),
    ],
)  # fmt: skip
def test_that_each_escalation_signal_hands_over_with_its_evidence_before_any_answer(
    changes: dict[str, object], code: ReasonCode
) -> None:
    decision = decide(FIRST_TURN, signals(**changes), POLICY)
    assert decision.action is Action.ESCALATE and decision.reasons[0].code is code
    assert decision.reasons[0].evidence


def test_that_a_request_for_a_person_comes_first_and_other_signals_stay_as_reasons() -> None:
    decision = decide(
        FIRST_TURN,
        signals(human_request="agent now", frustration="this message reads as frustrated"),
        POLICY,
    )
    assert [r.code for r in decision.reasons] == [
        ReasonCode.CUSTOMER_REQUEST,
        ReasonCode.FRUSTRATION,
    ]


def test_that_anger_decides_before_a_topic_reserved_for_people() -> None:
    # "8 years of buying from you... taking my business elsewhere" read as a wholesale inquiry
    angry = signals(
        frustration="this message reads as frustrated (0.99)",
        policy_topic="intent wholesale (0.85)",
    )
    decision = decide(FIRST_TURN, angry, POLICY)
    assert [r.code for r in decision.reasons] == [
        ReasonCode.FRUSTRATION,
        ReasonCode.POLICY_REQUIRES_HUMAN,
    ]


def test_that_an_upset_customer_handed_over_for_another_reason_is_noted_as_frustrated() -> None:
    upset = "this message reads as upset (0.80)"
    weak = signals(confidence=0.05, content_terms=8, frustration_noted=upset)
    decision = decide(AFTER_CLARIFYING, weak, POLICY)
    assert [r.code for r in decision.reasons] == [
        ReasonCode.LOW_CONFIDENCE,
        ReasonCode.FRUSTRATION,
    ]
    assert decision.reasons[1].evidence == upset
    # Upset alone is no handoff, and a reason already given is not given twice.
    assert decide(FIRST_TURN, signals(frustration_noted=upset), POLICY).action is Action.ANSWER
    both = signals(frustration="this message reads as frustrated", frustration_noted=upset)
    assert [r.code for r in decide(FIRST_TURN, both, POLICY).reasons] == [ReasonCode.FRUSTRATION]
    # Without frustration in the policy, nothing is noted.
    off = POLICY.model_copy(
        update={
            "escalation": POLICY.escalation.model_copy(
                update={"disabled": [ReasonCode.FRUSTRATION]}
            )
        }
    )
    assert [r.code for r in decide(AFTER_CLARIFYING, weak, off).reasons] == [
        ReasonCode.LOW_CONFIDENCE
    ]


def test_that_a_disabled_signal_is_traced_but_does_not_escalate() -> None:
    policy = POLICY.model_copy(
        update={"escalation": POLICY.escalation.model_copy(update={"disabled": [ReasonCode.LOOP]})}
    )
    decision = decide(FIRST_TURN, signals(repeated_question="asked again"), policy)
    assert decision.action is Action.ANSWER


def test_that_the_first_did_not_help_gets_a_clarifying_question_and_the_next_a_person() -> None:
    first = decide(FIRST_TURN, signals(not_helped="not what I asked", failures=1), POLICY)
    assert first.action is Action.CLARIFY and first.rule == "did_not_help_ask_once"
    after_asking = ConversationState(turn=3, last_action=Action.CLARIFY,
                                     last_rule="did_not_help_ask_once")  # fmt: skip
    second = decide(after_asking, signals(not_helped="still no", failures=1), POLICY)
    assert second.reasons[0].code is ReasonCode.REPEATED_FAILURE


def test_that_turning_down_a_clarifying_question_is_answered_from_the_help_center() -> None:
    """ "That's not what I asked" to "Is this about returns?" is no second failure: the reply
    is read with the question, and the help center answers (or a person is brought in)."""
    turned_down = signals(not_helped="not what I asked", failures=1)
    decision = decide(AFTER_CLARIFYING, turned_down, POLICY)
    assert decision.action is Action.ANSWER
    unsure = decide(AFTER_CLARIFYING, dataclasses.replace(turned_down, confidence=0.1), POLICY)
    assert unsure.rule == OFFERED_A_PERSON


def test_that_the_policy_refuses_to_turn_off_requests_for_a_person() -> None:
    from warmline.errors import ConfigurationError

    text = DEFAULT_POLICY.read_text().replace("disabled: []", "disabled: [customer_request]")
    with pytest.raises(ConfigurationError, match="customer_request cannot be turned off"):
        load_policy(text)


def test_that_a_short_ambiguous_question_is_clarified_once_and_never_twice() -> None:
    unsure = signals(confidence=0.3, content_terms=2)
    assert decide(FIRST_TURN, unsure, POLICY).rule == "ambiguous_ask_once"
    assert decide(AFTER_CLARIFYING, unsure, POLICY).rule == OFFERED_A_PERSON
    again = decide(OUT_OF_OFFERS, unsure, POLICY)
    assert again.action is Action.ESCALATE
    assert again.reasons[0].code is ReasonCode.LOW_CONFIDENCE


def test_that_no_question_is_clarified_once_then_escalated() -> None:
    empty = signals(content_terms=0, hits=0)
    assert decide(FIRST_TURN, empty, POLICY).action is Action.CLARIFY
    assert decide(AFTER_CLARIFYING, empty, POLICY).action is Action.ESCALATE


def test_that_a_greeting_does_not_use_up_the_clarifying_question() -> None:
    after_greeting = ConversationState(turn=2, last_action=Action.CLARIFY,
                                       last_rule="no_question_yet")  # fmt: skip
    unsure = signals(confidence=0.3, clarify_options=1)
    assert decide(after_greeting, unsure, POLICY).rule == "unsure_ask_once"
    assert decide(AFTER_CLARIFYING, unsure, POLICY).rule == OFFERED_A_PERSON
    still_nothing = decide(after_greeting, signals(content_terms=0), POLICY)
    assert still_nothing.rule == "still_unclear_after_clarifying"
    still_vague = decide(after_greeting, signals(content_terms=2, confidence=0.3), POLICY)
    assert still_vague.rule == OFFERED_A_PERSON


def test_that_a_follow_up_read_with_the_earlier_question_only_ever_asks_which_topic() -> None:
    """That reading borrows the earlier question's words: a sure draft from it would answer a
    question the customer did not ask, so it asks about its topics instead, and the earlier
    question's words do not make the follow-up a detailed one."""
    sure = signals(with_earlier_question=True, content_terms=12, clarify_options=2)
    decision = decide(AFTER_ANSWERING, sure, POLICY)
    assert (decision.action, decision.rule) == (Action.CLARIFY, "follow_up_ask_once")
    assert decide(AFTER_ANSWERING, signals(content_terms=3), POLICY).rule == "verified_answer"
    # Never a second clarifying question in a row.
    assert decide(AFTER_CLARIFYING, sure, POLICY).rule == "verified_answer"


def test_that_a_remark_is_asked_what_the_customer_needs_not_handed_over_or_guessed_at() -> None:
    remark = {"asks": False, "intent_in_scope": True}
    nothing_found = decide(FIRST_TURN, signals(hits=0, **remark), POLICY)
    unsure = decide(FIRST_TURN, signals(confidence=0.1, **remark), POLICY)
    assert nothing_found.rule == unsure.rule == "no_question_yet"
    assert nothing_found.action is unsure.action is Action.CLARIFY
    # the same message asking something is a knowledge gap, and never two questions in a row
    assert decide(FIRST_TURN, signals(hits=0, intent_in_scope=True), GAPS_HANDED_OVER).rule == (
        "knowledge_gap"
    )
    assert decide(FIRST_TURN, signals(hits=0, intent_in_scope=True), POLICY).rule == (
        OFFERED_A_PERSON_NO_KNOWLEDGE
    )
    again = decide(AFTER_CLARIFYING, signals(hits=0, **remark), GAPS_HANDED_OVER)
    assert again.action is Action.ESCALATE


def test_that_a_remark_in_a_language_the_help_center_lacks_is_asked_for_that_language() -> None:
    remark = signals(hits=0, asks=False, language="es", language_covered=False)
    assert decide(FIRST_TURN, remark, POLICY).rule == "language_not_covered"
