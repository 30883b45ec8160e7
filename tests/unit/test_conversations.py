"""The customer side of the engine, as scripted conversations."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.unit.conversation_script import Script
from warmline.bootstrap import Container
from warmline.domain.conversations import ConversationStatus, Role
from warmline.engine.composer import Composition, HistoryLine
from warmline.engine.evidence import Evidence
from warmline.errors import InvalidInputError, ReplyFailedError
from warmline.knowledge.text import sentences


def test_that_every_conversation_opens_by_saying_it_is_an_ai_that_can_bring_a_person(
    container: Container,
) -> None:
    chat = Script(container)
    assert "AI assistant" in chat.opening
    assert "person" in chat.opening


def test_that_a_question_the_help_center_covers_gets_a_short_cited_answer(
    container: Container,
) -> None:
    chat = Script(container)
    chat.customer_says("How do I reset my password?")
    reply = chat.warmline_answers(citing="sign-in-password-reset")
    messages = container.policy.messages
    # Framed as the policy says: plainly at high confidence, hedged below it.
    intro = (
        messages.answer_intro if (reply.confidence or 0) >= 0.9 else messages.answer_intro_hedged
    )
    assert reply.text.startswith(intro.strip())
    assert "Forgot password" in reply.text and len(reply.text) < 900
    assert reply.confidence is not None and 0 < reply.confidence <= 1


def test_that_an_explicit_request_for_a_human_escalates_in_the_same_turn(
    container: Container,
) -> None:
    chat = Script(container)
    chat.customer_says("I want to talk to a real person please")
    reply = chat.warmline_escalates(reason="customer_request")
    assert "number 1 in the queue" in reply.text


def test_that_a_question_with_nothing_in_the_help_center_gets_the_offer_of_a_person(
    container: Container,
) -> None:
    """Not a guess and not a handoff nobody asked for: the customer is told the help center
    has nothing on it and offered a person; a yes brings one in, told nothing twice."""
    chat = Script(container)
    chat.customer_says("Do you sell tyres for tractors?")
    offered = chat.warmline_asks_to_clarify()
    assert offered.text == container.policy.messages.offer_a_person_not_found
    assert offered.citations == () and offered.topics == ()
    chat.customer_says("yes please")
    handed = chat.warmline_escalates(reason="out_of_scope")
    assert handed.reasons == ("out_of_scope", "customer_request")
    assert handed.text.startswith("I'm bringing in a person")


def test_that_a_question_after_the_offer_of_a_person_is_read_as_a_new_one(
    container: Container,
) -> None:
    """The offer asked nothing about the question before it: the next message is not read as
    completing that question ("chemistry homework ... support hours"), but on its own."""
    chat = Script(container)
    chat.customer_says("can u help me with my chem homework? need to balance Fe + O2 = Fe2O3")
    chat.warmline_asks_to_clarify()
    chat.customer_says("what are your support hours")
    chat.warmline_answers(citing="contact-us")


def test_that_no_thanks_to_the_offer_of_a_person_is_taken_without_offering_again(
    container: Container,
) -> None:
    chat = Script(container)
    chat.customer_says("can u help me with my chem homework? need to balance Fe + O2 = Fe2O3")
    chat.warmline_asks_to_clarify()
    reply = chat.customer_says("nah it's fine")
    assert reply.decision == "acknowledge"
    assert reply.text == container.policy.messages.declined_offer


def test_that_questions_with_nothing_in_the_help_center_go_to_a_person_after_three_offers(
    container: Container,
) -> None:
    """Offering again and again would keep the customer going in circles: after three replies
    in a row that did not answer, the next question it cannot answer goes to a person, with
    an apology for it (service recovery) and a recovery note for the agent."""
    chat = Script(container)
    for text in (
        "Do you sell tyres for tractors?",
        "what about tyres for a lawn mower then",
        "ok do you sell snow chains",
    ):
        chat.customer_says(text)
        assert chat.warmline_asks_to_clarify().text == (
            container.policy.messages.offer_a_person_not_found
        )
    chat.customer_says("and roof racks for a subaru?")
    handed = chat.warmline_escalates(reason="out_of_scope")
    assert handed.text.startswith(container.policy.messages.recovery.strip())
    assert handed.handoff_id is not None
    brief = container.handoffs.get(handed.handoff_id).brief
    assert brief.recovery_note is not None
    assert "could not answer 3 messages in a row" in brief.recovery_note


def test_that_a_greeting_gets_one_clarifying_question_and_never_two_in_a_row(
    container: Container,
) -> None:
    chat = Script(container)
    chat.customer_says("hi")
    asked = chat.warmline_asks_to_clarify()
    assert asked.text == container.policy.messages.clarify  # no topics guessed from "hi"
    chat.customer_says("I just need some help")
    offered = chat.warmline_asks_to_clarify()
    assert offered.text == container.policy.messages.offer_a_person
    chat.customer_says("yes please")
    handed = chat.warmline_escalates(reason="low_confidence")
    assert handed.reasons == ("low_confidence", "customer_request")
    # Nothing told twice: the customer heard already that the help center fell short.
    assert handed.text.startswith("I'm bringing in a person")


@pytest.mark.parametrize(
    ("reply", "then", "reasons"),
    [
        # The reply adds a detail; then more questions the help center cannot answer: offered
        # a person again, until the customer has had three replies in a row that did not
        # answer (answering.unanswered_before_handoff), when a person takes over.
        ("checked spam. not there either",
         ("it never arrived and i need to send the duvet back this week",
          "and my return window closes on friday"), ("low_confidence",)),
        # After an answer "ok" says thanks; to "Would you like me to bring in a person?", yes.
        ("checked spam. not there either", ("ok",), ("low_confidence", "customer_request")),
        # Turning down the topics picks none of them.
        ("no, none of those", ("yes please",), ("low_confidence", "customer_request")),
    ],
)  # fmt: skip
def test_that_after_the_offer_of_a_person_a_yes_or_more_unsure_questions_bring_one_in(
    container: Container, reply: str, then: tuple[str, ...], reasons: tuple[str, ...]
) -> None:
    chat = Script(container)
    chat.customer_says("the label for my return isnt in my email")
    chat.warmline_asks_to_clarify()
    chat.customer_says(reply)
    offered = chat.warmline_asks_to_clarify()
    assert offered.text == container.policy.messages.offer_a_person
    assert offered.topics == ()  # no topics to pick: the choice is a person or another question
    trace = container.conversations.last_trace(chat.conversation_id)
    assert trace is not None and trace.signals["topic_chosen"] is None
    for text in then[:-1]:
        chat.customer_says(text)
        assert chat.warmline_asks_to_clarify().text == container.policy.messages.offer_a_person
    chat.customer_says(then[-1])
    handed = chat.warmline_escalates(reason="low_confidence")
    assert handed.reasons[: len(reasons)] == reasons


def test_that_a_topic_picked_from_a_clarifying_question_is_answered_from_that_article(
    container: Container,
) -> None:
    chat = Script(container)
    chat.customer_says("the label for my return isnt in my email")
    asked = chat.warmline_asks_to_clarify()
    assert "\u201cReturn shipping labels and costs\u201d" in asked.text
    trace = container.conversations.last_trace(chat.conversation_id)
    assert trace is not None
    offered = trace.extra["offered"]
    assert {
        "article_id": "return-shipping-labels",
        "title": "Return shipping labels and costs",
    } in offered
    chat.customer_says("the return label one")
    reply = chat.warmline_answers(citing="return-shipping-labels")
    assert {c.article_id for c in reply.citations} == {"return-shipping-labels"}
    assert reply.text.startswith(container.policy.messages.answer_intro_hedged.strip())
    trace = container.conversations.last_trace(chat.conversation_id)
    assert trace is not None and trace.signals["topic_chosen"] == "Return shipping labels and costs"


def test_that_the_ai_stays_silent_once_a_person_has_the_conversation(
    container: Container,
) -> None:
    chat = Script(container)
    chat.customer_says("agent please")
    chat.warmline_escalates(reason="customer_request")
    chat.customer_says("hello? anyone there?")
    chat.warmline_stays_silent()
    messages = container.conversations.messages(chat.conversation_id)
    assert messages[-1].text == "hello? anyone there?"


def test_that_pressing_talk_to_a_person_twice_keeps_one_place_in_the_queue(
    container: Container,
) -> None:
    chat = Script(container)
    first, _ = container.conversations.request_handoff(chat.conversation_id)
    second, message = container.conversations.request_handoff(chat.conversation_id)
    assert first.id == second.id
    assert "still in the queue" in message.text
    assert container.conversations.get(chat.conversation_id).status is ConversationStatus.WAITING


def test_that_a_spanish_customer_is_handed_over_wholly_in_spanish(container: Container) -> None:
    chat = Script(container)
    chat.customer_says("hola, mi pedido llegó roto y quiero saber qué hago")
    chat.warmline_asks_to_clarify()
    chat.customer_says("el jarrón de cerámica llegó partido en dos, lo pedí el lunes")
    spanish = container.policy.messages.translations["es"]
    asked_again = chat.warmline_asks_to_clarify()  # a person, or English: asked, not imposed
    assert asked_again.text.startswith(spanish["language_not_covered"].split("{")[0].strip())
    chat.customer_says("sí, por favor")
    reply = chat.warmline_escalates(reason="customer_request")
    # The language stopped the AI, not a gap in the help center: the customer is simply told,
    # in Spanish, that a person is coming.
    assert reply.text.startswith(spanish["handoff"].split("{")[0])
    assert spanish["handoff_no_knowledge"] not in reply.text
    assert "rather not guess" not in reply.text and "Te paso con una persona" in reply.text
    _, again = container.conversations.request_handoff(chat.conversation_id)
    assert again.text == spanish["already_waiting"]


def test_that_every_ai_turn_leaves_a_decision_trace(container: Container) -> None:
    chat = Script(container)
    chat.customer_says("hi")
    chat.customer_says("How long do I have to return something?")
    traces = container.store.traces.for_conversation(chat.conversation_id)
    assert [t.decision for t in traces] == ["clarify", chat.replies[1].decision]
    assert traces[1].retrieved and "score" in traces[1].retrieved[0]
    assert traces[1].signals["hits"] > 0 and "frustration" in traces[1].extra["detectors"]
    assert traces[1].extra["policy_version"] == container.policy.version
    other = Script(container)
    other.customer_says("talk to a human")
    (request,) = container.store.traces.for_conversation(other.conversation_id)
    assert request.rule == "explicit_request" and request.retrieved == ()


class _BrokenComposer:
    name = "broken"

    def compose(
        self,
        question: str,
        evidence: Sequence[Evidence],
        *,
        history: Sequence[HistoryLine],
        max_sentences: int,
    ) -> Composition:
        raise RuntimeError("composer crashed")


def test_that_a_failing_answer_step_hands_over_as_a_tool_failure(
    container: Container,
) -> None:
    service = container.conversations
    service._answerer.composer = _BrokenComposer()  # noqa: SLF001 - a fault injected on purpose
    chat = Script(container)
    chat.customer_says("How do I reset my password?")
    chat.warmline_escalates(reason="tool_failure")
    assert "went wrong on our side" in chat.replies[-1].text
    trace = container.store.traces.for_conversation(chat.conversation_id)[-1]
    assert trace.signals["tool_failure"].startswith("RuntimeError: composer crashed")


def test_that_a_failed_reply_keeps_the_message_and_offers_a_person(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = container.conversations
    service._answerer.composer = _BrokenComposer()  # noqa: SLF001 - a fault injected on purpose

    def no_handoffs(*_: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(container.store.handoffs, "add", no_handoffs)
    chat = Script(container)
    with pytest.raises(ReplyFailedError) as failure:
        chat.customer_says("How do I reset my password?")
    assert "Talk to a person" in failure.value.message
    saved = service.messages(chat.conversation_id)[-1]
    assert saved.role is Role.CUSTOMER and saved.text == "How do I reset my password?"
    assert failure.value.details == {"message_id": saved.id, "handoff_available": True}
    assert any(e.type == "reply.failed" for e in container.store.events.all())


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_that_an_empty_message_is_refused_and_nothing_is_saved(
    container: Container, text: str
) -> None:
    chat = Script(container)
    before = len(container.conversations.messages(chat.conversation_id))
    with pytest.raises(InvalidInputError):
        chat.customer_says(text)
    assert len(container.conversations.messages(chat.conversation_id)) == before


def test_that_an_overlong_message_is_refused_with_the_limit_in_the_error(
    container: Container,
) -> None:
    chat = Script(container)
    with pytest.raises(InvalidInputError, match="limit is 4000"):
        chat.customer_says("a" * 4001)


def test_that_internal_procedures_are_never_quoted_to_a_customer(container: Container) -> None:
    internal = [a for a in container.knowledge.articles() if a.audience.value == "internal"]
    internal_sentences = {s for a in internal for s in sentences(a.body) if len(s) > 30}
    assert internal and internal_sentences
    for question in [
        "what is the goodwill credit limit for refund exceptions",
        "how do agents verify an account before changes",
        "fraud escalation procedure",
        "how do you file a carrier claim for a lost parcel",
    ]:
        reply = Script(container).customer_says(question)
        assert not {c.article_id for c in reply.citations} & {a.id for a in internal}
        assert not any(s in reply.text for s in internal_sentences), reply.text
    # Internal text ranks for these questions, so the check above had something to refuse.
    hits = container.knowledge.search("goodwill credit limit for refund exceptions", k=3)
    assert any(h.article.audience.value == "internal" for h in hits)


def test_that_a_frustrated_customer_is_handed_over_with_recovery_and_a_full_brief(
    container: Container,
) -> None:
    chat = Script(container)
    chat.customer_says("how do I reset my password?")
    chat.warmline_answers()
    chat.customer_says(
        "THIS IS THE THIRD TIME I'M ASKING!!! my order JL-558812 for $84.50 never came, useless bot"
    )
    reply = chat.warmline_escalates(reason="frustration")
    assert reply.text.startswith(container.policy.messages.recovery.strip())
    assert reply.handoff_id is not None
    brief = container.handoffs.get(reply.handoff_id).brief
    assert brief.recovery_note and "frustrated" in brief.recovery_note
    assert "order: JL-558812" in brief.data_collected and "amount: $84.50" in brief.data_collected
    assert len(brief.sentiment) == 2 and brief.sentiment[-1] > brief.sentiment[0]
    assert brief.suggested_next_step.startswith("The customer is frustrated")


def test_that_a_self_harm_cue_gets_care_and_a_person_at_once(container: Container) -> None:
    chat = Script(container)
    chat.customer_says("honestly I don't want to be here anymore, nothing matters")
    reply = chat.warmline_escalates(reason="sensitive_topic")
    assert "988" in reply.text


def test_that_a_topic_the_policy_keeps_for_people_goes_to_a_person(container: Container) -> None:
    chat = Script(container)
    chat.customer_says("do you offer wholesale pricing for 40 duvet sets for our hotel?")
    chat.warmline_escalates(reason="policy_requires_human")


def test_that_asking_again_what_the_last_answer_said_brings_in_a_person(
    container: Container,
) -> None:
    chat = Script(container)
    chat.customer_says("how do i change the shipping address on my order")
    chat.warmline_answers()
    chat.customer_says("ok but how do i get my order delivered to a different address then")
    reply = chat.warmline_escalates(reason="loop")
    assert "going in circles" in reply.text
    trace = container.conversations.last_trace(chat.conversation_id)
    assert trace is not None and trace.rule == "asked_again_unanswered"
    assert "shipping address" in str(trace.signals["answered_before"])


def test_that_a_follow_up_leaning_on_the_answered_question_is_read_with_it(
    container: Container,
) -> None:
    """ "How much can I put on one?" means nothing alone; after a question about gift cards it
    is about gift cards, not the shipping and bedding pages its own words find."""
    chat = Script(container)
    chat.customer_says("do you sell gift cards")
    chat.warmline_answers(citing="gift-cards")
    reply = chat.customer_says("how much can i put on one")
    chat.warmline_asks_to_clarify()
    assert "Gift cards" in reply.topics
    trace = container.conversations.last_trace(chat.conversation_id)
    assert trace is not None and trace.rule == "follow_up_ask_once"
    assert trace.retrieved[0]["article_id"] == "gift-cards"
