"""The customer's language and messages that only thank or say goodbye."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tests.unit.decision_inputs import (
    AFTER_CLARIFYING,
    FIRST_TURN,
    GAPS_HANDED_OVER,
    OUT_OF_OFFERS,
    POLICY,
    signals,
)
from warmline.engine.decisions import Action, ConversationState, Signals, decide
from warmline.errors import ConfigurationError
from warmline.policy.model import load_policy, policy_text
from warmline.signals.language import (
    LanguageDetector,
    acknowledgement,
    asks_something,
    says_no,
    says_yes,
)


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hola! las sartenes de hierro fundido tienen garantía?", "es"),
        ("salut est ce que vous livrez au quebec", "fr"),
        ("Wie lange habe ich Zeit, etwas zurückzuschicken?", "de"),
        ("Olá, comprei um jogo de lençóis queen e veio tamanho king", "pt"),
        ("my mug set arrived with one mug cracked", "en"),
    ],
)
def test_that_the_five_languages_are_told_apart(
    detector: LanguageDetector, text: str, language: str
) -> None:
    assert detector.detect(text) == language


@pytest.mark.parametrize("text", ["ok", "merci", "hi", "JL-5520183"])
def test_that_messages_too_short_to_tell_have_no_language(
    detector: LanguageDetector, text: str
) -> None:
    assert detector.detect(text) is None


def test_that_the_conversation_keeps_the_last_language_it_was_sure_of(
    detector: LanguageDetector,
) -> None:
    texts = ["tengo un problema con mi pedido, me llegó una sartén rota", "ok", "gracias"]
    assert detector.conversation(texts) == "es"


@pytest.mark.parametrize(
    "text",
    ["awesome, thanks so much", "genial, gracias!", "Super, vielen Dank!", "merci beaucoup",
     "obrigado, tudo certo", "ok cool", "no thanks, that's all", "thank you 😊",
     "done, thanks!", "all set now, thank you", "fixed it, cheers"],
)  # fmt: skip
def test_that_thanks_and_goodbyes_are_acknowledgements(text: str) -> None:
    assert acknowledgement(text) == text.strip()


@pytest.mark.parametrize(
    "text",
    ["thanks for nothing", "ok but where is my order", "great, what about returns?",
     "ok i'll upload photos", "no", "not helpful thanks", "fine. whatever",
     "done, but it still won't turn on", "i'm in the app now, thanks, where do i see points"],
)  # fmt: skip
def test_that_anything_with_content_of_its_own_is_not_an_acknowledgement(text: str) -> None:
    assert acknowledgement(text) is None


def _unanswerable(**changes: object) -> Signals:
    """A turn the help center has nothing relevant for."""
    return signals(content_terms=5, best_coverage=0.1, best_dense=0.1, **changes)


def test_that_an_acknowledgement_gets_a_reply_not_a_search_or_a_person() -> None:
    decision = decide(FIRST_TURN, _unanswerable(acknowledgement="great, thanks!"), POLICY)
    assert decision.action is Action.ACKNOWLEDGE
    asked = _unanswerable(acknowledgement="thanks", human_request="a person please")
    assert decide(FIRST_TURN, asked, POLICY).action is Action.ESCALATE


def test_that_an_uncovered_language_is_asked_about_then_handed_over() -> None:
    """Asked whether another language would do (or a person), again for each question it
    cannot answer, until the customer has had as many replies in a row that did not answer
    as the policy allows; with questions the help center has nothing on handed over at once,
    after being asked once."""
    spanish = _unanswerable(language="es", language_covered=False)
    assert decide(FIRST_TURN, spanish, POLICY).rule == "language_not_covered"
    assert decide(AFTER_CLARIFYING, spanish, POLICY).rule == "language_not_covered"
    again = decide(OUT_OF_OFFERS, spanish, POLICY)
    assert again.action is Action.ESCALATE and again.rule == "language_not_served"
    assert again.reasons[0].code.value == "out_of_scope"
    assert "writes in Spanish" in again.reasons[0].evidence
    at_once = decide(AFTER_CLARIFYING, spanish, GAPS_HANDED_OVER)
    assert at_once.rule == "language_not_served"
    upset = dataclasses.replace(spanish, frustration_noted="reads as upset (0.80)")
    assert decide(AFTER_CLARIFYING, upset, POLICY).rule == "language_not_served"
    english = _unanswerable(language="en")
    assert decide(FIRST_TURN, english, GAPS_HANDED_OVER).rule == "no_relevant_knowledge"


def test_that_messages_come_in_the_customers_language_when_translated() -> None:
    messages = POLICY.messages
    assert messages.text("handoff", "es") != messages.handoff
    assert "{position}" in messages.text("handoff", "es")
    assert messages.text("answer_intro", "es") == messages.answer_intro  # as written
    assert messages.text("handoff", None) == messages.handoff


# Everything a customer writing in another language can be told before a person takes over.
_HANDOFF_MESSAGES = {
    "handoff", "handoff_no_knowledge", "handoff_low_confidence", "handoff_after_hours",
    "recovery", "sensitive", "care_self_harm", "security", "policy_requires_human",
    "tool_failure", "already_waiting", "did_not_help", "language_not_covered", "acknowledged",
    "email_unknown", "offer_a_person", "offer_a_person_not_found", "declined_offer",
}  # fmt: skip


@pytest.mark.parametrize("language", ["es", "fr", "de", "pt"])
def test_that_the_built_in_policy_hands_over_wholly_in_each_language_it_detects(
    language: str,
) -> None:
    translated = POLICY.messages.translations[language]
    assert set(translated) >= _HANDOFF_MESSAGES
    for name in ("handoff_after_hours", "handoff"):  # the queue place, the hours, the email
        english = set(re.findall(r"\{\w+\}", getattr(POLICY.messages, name)))
        assert set(re.findall(r"\{\w+\}", translated[name])) == english, name


def test_that_a_translation_asking_for_a_value_its_message_lacks_is_refused(
    tmp_path: Path,
) -> None:
    text = policy_text().replace("Eres el número {position}", "Eres el número {place}")
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=r"translations.es.handoff uses place"):
        load_policy(path)


def test_that_a_translation_of_an_unknown_message_is_refused(tmp_path: Path) -> None:
    italian = "  translations:\n    it:\n      hello: ciao\n"
    text = policy_text().replace("  translations:\n", italian)
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match="no message called hello"):
        load_policy(path)


@pytest.mark.parametrize(
    "text",
    [
        "i got the walnut nightstand from you last month and it's lovely",
        "just moved into our first house this weekend",
        "mi hermana me regaló una lámpara preciosa",
    ],
)
def test_that_a_remark_asks_for_nothing(text: str) -> None:
    assert not asks_something(text)


@pytest.mark.parametrize(
    "text",
    [
        "my duvet cover came with a torn seam",
        "the kettle stopped working after a week",
        "my package never came",
        "order JL-4471902",
        "agente por favor",
        "est-ce que vous livrez au Québec",
        "i need the king size instead",
        "please cancel it",
    ],
)
def test_that_questions_requests_and_problems_ask_for_something(text: str) -> None:
    assert asks_something(text)


@pytest.mark.parametrize(
    "text", ["yes please", "Yes!", "sí, por favor", "oui svp", "ja bitte", "sim", "please do"]
)
def test_that_a_bare_yes_is_read_as_one(text: str) -> None:
    assert says_yes(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "yes thanks",
        "yeah ok",
        "yes great",
        "yes, and how long does it take?",
        "ok",
        "yes it helped",
        "no",
        "sí, gracias",
    ],
)
def test_that_thanks_questions_and_more_are_not_a_bare_yes(text: str) -> None:
    assert says_yes(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "okay sure",
        "please",
        "ok go ahead",
        "vale",
        "d'accord",
        "yes thanks",
        "yes, someone who knows the bookcase would be great",
        "sí, alguien de la tienda por favor",
    ],
)
def test_that_ok_to_a_yes_or_no_question_is_a_yes(text: str) -> None:
    assert says_yes(text, to_a_question=True) == text


@pytest.mark.parametrize(
    "text",
    [
        "no thanks",
        "ok but how long does it take",
        "ok thanks",
        "yes but first what does shipping cost",
        "yes is there a cheaper option?",
        "yeah no, not yet",
    ],
)
def test_that_no_thanks_or_a_question_to_a_yes_or_no_question_is_no_yes(text: str) -> None:
    assert says_yes(text, to_a_question=True) is None


@pytest.mark.parametrize(
    "text", ["no thanks", "nah it's fine", "no", "nope, all good", "no gracias", "nein danke"]
)
def test_that_a_plain_no_turns_an_offer_down(text: str) -> None:
    assert says_no(text) == text


@pytest.mark.parametrize(
    "text", ["no, what about shipping to ohio", "no?", "yes please", "not working still"]
)
def test_that_a_no_with_a_question_or_more_is_not_a_plain_no(text: str) -> None:
    assert says_no(text) is None


def test_that_a_yes_to_an_offered_person_hands_over_as_their_request() -> None:
    yes = _unanswerable(yes="yes please")
    after_answer = ConversationState(turn=2, last_action=Action.ANSWER)
    decision = decide(after_answer, yes, POLICY)
    assert decision.action is Action.ESCALATE and decision.rule == "accepted_offer_of_a_person"
    assert decision.reasons[0].code.value == "customer_request"
    asked_language = ConversationState(2, Action.CLARIFY, "language_not_covered")
    assert decide(asked_language, yes, POLICY).rule == "accepted_offer_of_a_person"
    # After a clarifying question, "yes" picks the one topic it named: not a request.
    asked_topic = ConversationState(2, Action.CLARIFY, "unsure_ask_once")
    assert decide(asked_topic, yes, POLICY).rule != "accepted_offer_of_a_person"
