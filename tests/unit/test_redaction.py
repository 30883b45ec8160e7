"""Personal data becomes placeholders before text leaves for a model, a log or a brief."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import spacy.cli

from tests.helpers import shared_redactor
from warmline.domain.conversations import Message, Role
from warmline.domain.handoffs import Reason, ReasonCode
from warmline.domain.ids import ConversationId, MessageId
from warmline.engine.briefs import build_brief
from warmline.engine.verifier import JudgeVerdicts
from warmline.llm import RedactingChat, ScriptedChat
from warmline.privacy import (
    Kind,
    PatternRedactor,
    PresidioRedactor,
    RedactionSession,
    Redactor,
    build_redactor,
)
from warmline.privacy.redaction import Detection, apply_detections


@pytest.fixture(scope="module")
def presidio() -> Redactor:
    """The run's one Presidio redactor; it loads on first use, inside a network-blocked test."""
    return shared_redactor()


@pytest.fixture(params=["presidio", "patterns"])
def any_redactor(request: pytest.FixtureRequest, presidio: Redactor) -> Redactor:
    return presidio if request.param == "presidio" else PatternRedactor()


def kinds(redactor: Redactor, text: str) -> list[Kind]:
    return [f.kind for f in redactor.redact(text).found]


# -- what is redacted ------------------------------------------------------------------------


def test_that_a_card_number_and_email_become_numbered_placeholders(
    any_redactor: Redactor,
) -> None:
    redacted = any_redactor.redact(
        "My card 4111 1111 1111 1111 was charged twice, write to ada.palmer@example.com"
    )
    assert redacted.text == "My card <CARD_1> was charged twice, write to <EMAIL_1>"
    assert [(f.kind, f.placeholder) for f in redacted.found] == [
        (Kind.CARD, "<CARD_1>"),
        (Kind.EMAIL, "<EMAIL_1>"),
    ]


def test_that_findings_point_into_the_original_text(presidio: Redactor) -> None:
    text = "Hi, I'm Sarah Connor, my email is sarah@example.com"
    redacted = presidio.redact(text)
    assert [text[f.start : f.end] for f in redacted.found] == ["Sarah Connor", "sarah@example.com"]


@pytest.mark.parametrize(
    "text",
    [
        "Hi, I'm Sarah Connor and my order is late",
        "Can Mike from support call me back? This is Priya Patel.",
        "My daughter Olivia Nguyen placed the order",
        "This is Chlo\u00e9 Tremblay, order JL-100240",
        "Hello, I'm Mohammed Al-Rashid",
        "Thanks, Dev",
    ],
)
def test_that_a_persons_name_is_redacted(presidio: Redactor, text: str) -> None:
    assert Kind.PERSON in kinds(presidio, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [("My name is Aoife N\u00ed Bhriain.", "Aoife N\u00ed Bhriain"), ("my name is jake", "jake")],
)
def test_that_a_name_given_after_my_name_is_is_redacted_where_the_model_misses_it(
    any_redactor: Redactor, text: str, name: str
) -> None:
    redacted = any_redactor.redact(text)
    assert name not in redacted.text and "<PERSON_1>" in redacted.text


def test_that_a_name_found_once_is_found_again_alone_and_in_later_texts(
    presidio: Redactor,
) -> None:
    session = RedactionSession()
    first = presidio.redact("It's Elena. Elena Marsh, from order JL-100234.", session=session)
    later = presidio.redact("Marsh here again, any news?", session=session)
    assert "Elena" not in first.text and "Marsh" not in first.text
    assert later.text == "<PERSON_3> here again, any news?"


@pytest.mark.parametrize(
    "address",
    [
        "221B Baker Street, London NW1 6XE",
        "1600 Pennsylvania Ave NW, Washington, DC 20500",
        "12 Rose Lane, Leeds LS1 4AB",
        "Flat 2, 14 Juniper Lane, Leeds LS1 4AB",
        "350 5th Avenue, New York, NY 10118",
        "742 Evergreen Terrace",
        "12 rose lane",
        "PO Box 1234",
    ],
)
def test_that_a_street_address_is_redacted(any_redactor: Redactor, address: str) -> None:
    redacted = any_redactor.redact(f"Please ship it to {address} by Friday.")
    assert redacted.text == "Please ship it to <ADDRESS_1> by Friday."


def test_that_an_iban_is_redacted_and_the_words_after_it_are_not(any_redactor: Redactor) -> None:
    redacted = any_redactor.redact("Refund to GB82 WEST 1234 5698 7654 32 PLEASE, thanks")
    assert redacted.text == "Refund to <IBAN_1> PLEASE, thanks"


@pytest.mark.parametrize(
    "text",
    [
        "My SSN is 536-22-8741",
        "my NINO is AB 12 34 56 C",
        "NHS number 943 476 5919",
    ],
)
def test_that_us_and_uk_national_ids_are_redacted(any_redactor: Redactor, text: str) -> None:
    assert kinds(any_redactor, text) == [Kind.NATIONAL_ID]


@pytest.mark.parametrize(
    "text", ["ssn 536228741 please", "my passport number is 912803456", "SIN 130 692 544"]
)
def test_that_a_bare_id_number_is_redacted_when_an_id_word_comes_before_it(
    presidio: Redactor, text: str
) -> None:
    assert kinds(presidio, text) == [Kind.NATIONAL_ID]


@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",
        "+1 415 555 0132",
        "+353 1 234 5678",
        "(415) 555-0132",
        "415-555-0132",
        "1-800-555-0199",
        "020 7946 0958",
        "07911 123456",
    ],
)
def test_that_phone_numbers_in_international_us_and_uk_formats_are_redacted(
    any_redactor: Redactor, phone: str
) -> None:
    assert any_redactor.redact(f"Call me on {phone} after six").text == (
        "Call me on <PHONE_1> after six"
    )


def test_that_ip_addresses_are_redacted(any_redactor: Redactor) -> None:
    redacted = any_redactor.redact("Blocked from 192.168.1.20 and 2001:db8::8a2e:370:7334 today")
    assert redacted.text == "Blocked from <IP_1> and <IP_2> today"


# -- what is left alone ----------------------------------------------------------------------

ORDINARY = [
    "I ordered the Alder Linen Shirt on March 3 and paid $45",
    "my order JL-10482 hasn't arrived",
    # spaCy reads these codes as PERSON entities: a name never has a digit in it.
    "hi, my order JL-203344 hasn't arrived and it's been 9 days",
    "order JL-448812 is late",
    "can I return it within 30 days?",
    "Order #10482 was $45.00, refunded on 2024-03-05 after 14 days.",
    "I was charged twice, $129.00 each, for the Knife block set, 8 piece",
    "Juniper Lane charged me $45.00 on the Plus plan for 12 months",
    "Can I use Klarna or Affirm? I'm on the Gold tier of Juniper Rewards.",
    "Is the Merino wool throw blanket, oat back in stock?",
    "I bought the Stand mixer 5 qt, slate, and the Portable Bluetooth speaker",
    "Do you ship to Toronto, Canada? Standard shipping takes 3-5 business days.",
    "Can you email us about order 123456789?",
    "My tracking number is 1Z999AA10123456784 from UPS",
    "Gift cards can't be combined with Klarna or Affirm.",
    "Drop off at any UPS Store or Canada Post location.",
    "I live on Baker Street near the station",
    "Is Juniper Lane's price match still 14 days?",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_that_order_numbers_amounts_dates_and_product_names_are_left_alone(
    any_redactor: Redactor, text: str
) -> None:
    redacted = any_redactor.redact(text)
    assert redacted.text == text and redacted.found == ()


def test_that_a_number_failing_the_card_check_is_left_alone(any_redactor: Redactor) -> None:
    text = "Reference 4111 1111 1111 1112 on the statement"
    assert any_redactor.redact(text).text == text


# -- sessions and restoring -------------------------------------------------------------------


def test_that_the_same_email_gets_the_same_placeholder_across_texts_in_one_session(
    any_redactor: Redactor,
) -> None:
    session = RedactionSession()
    first = any_redactor.redact("I'm ada@example.com", session=session)
    second = any_redactor.redact("again: ADA@example.com and ben@example.org", session=session)
    assert first.text == "I'm <EMAIL_1>"
    assert second.text == "again: <EMAIL_1> and <EMAIL_2>"


def test_that_placeholders_are_numbered_per_kind(any_redactor: Redactor) -> None:
    redacted = any_redactor.redact("a@example.com, 415-555-0132, b@example.com, 020 7946 0958")
    assert redacted.text == "<EMAIL_1>, <PHONE_1>, <EMAIL_2>, <PHONE_2>"


def test_that_without_a_session_each_text_starts_at_one(any_redactor: Redactor) -> None:
    any_redactor.redact("a@example.com")
    assert any_redactor.redact("b@example.com").text == "<EMAIL_1>"


def test_that_restore_puts_the_original_values_back(presidio: Redactor) -> None:
    session = RedactionSession()
    question = "I'm Sarah Connor, card 4111 1111 1111 1111, email sarah@example.com"
    redacted = presidio.redact(question, session=session)
    answer = "Thanks <PERSON_1>, the refund to <CARD_1> is on its way; we wrote to <EMAIL_1>."
    assert redacted.text == "I'm <PERSON_1>, card <CARD_1>, email <EMAIL_1>"
    assert session.restore(answer) == (
        "Thanks Sarah Connor, the refund to 4111 1111 1111 1111 is on its way; "
        "we wrote to sarah@example.com."
    )


def test_that_restore_leaves_placeholders_it_never_gave_out_as_they_are() -> None:
    session = RedactionSession()
    PatternRedactor().redact("ada@example.com", session=session)
    assert session.restore("<EMAIL_1> and <EMAIL_2>") == "ada@example.com and <EMAIL_2>"


def test_that_findings_never_contain_the_original_value_in_their_repr(
    presidio: Redactor,
) -> None:
    values = ["Sarah Connor", "4111 1111 1111 1111", "sarah@example.com", "221B Baker Street"]
    session = RedactionSession()
    redacted = presidio.redact(
        f"I'm {values[0]}, card {values[1]}, email {values[2]}, at {values[3]}", session=session
    )
    shown = [repr(redacted), str(redacted), repr(session), *map(repr, redacted.found)]
    assert len(redacted.found) == 4
    assert not [v for v in values for s in shown if v in s]


# -- overlaps -----------------------------------------------------------------------------------


def test_that_overlapping_detections_become_one_placeholder_named_after_the_longest() -> None:
    text = "Ship to 12 Rose Lane, Leeds LS1 4AB"
    redacted = apply_detections(
        text,
        [
            Detection(Kind.PERSON, 11, 20, 0.85),  # "Rose Lane"
            Detection(Kind.ADDRESS, 8, 35, 0.7),
            Detection(Kind.PERSON, 22, 35, 0.85),  # "Leeds LS1 4AB"
        ],
        None,
    )
    assert redacted.text == "Ship to <ADDRESS_1>"


def test_that_partly_overlapping_detections_leave_no_fragment_behind() -> None:
    redacted = apply_detections(
        "call +44 123 456 7890 12",
        [Detection(Kind.PHONE, 5, 21, 0.4), Detection(Kind.NATIONAL_ID, 13, 24, 0.5)],
        None,
    )
    assert redacted.text == "call <PHONE_1>"
    assert [(f.start, f.end) for f in redacted.found] == [(5, 24)]


def test_that_detections_below_their_kinds_threshold_are_dropped() -> None:
    redacted = apply_detections(
        "passport 912803456", [Detection(Kind.NATIONAL_ID, 9, 18, 0.1)], None
    )
    assert redacted.found == ()


# -- the redactors themselves -------------------------------------------------------------------


def test_that_build_redactor_gives_the_presidio_redactor() -> None:
    assert isinstance(build_redactor(), PresidioRedactor)


def test_that_loading_the_model_never_downloads_or_opens_a_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[Any] = []

    def record(*args: Any, **_: Any) -> None:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", record)
    monkeypatch.setattr(socket, "create_connection", record)
    monkeypatch.setattr(spacy.cli, "download", record)
    fresh = PresidioRedactor()
    fresh.load()
    assert fresh.redact("mail ada@example.com").text == "mail <EMAIL_1>"
    assert attempts == []


def test_that_one_presidio_redactor_can_serve_several_threads(presidio: Redactor) -> None:
    texts = [
        f"I'm Sarah Connor, mail sarah{i}@example.com, call 415-555-01{i:02d}" for i in range(24)
    ]
    alone = [presidio.redact(t).text for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda t: presidio.redact(t).text, texts))
    assert together == alone


def test_that_empty_text_is_returned_as_it_is(any_redactor: Redactor) -> None:
    assert any_redactor.redact("  ").text == "  "


# -- the handoff brief --------------------------------------------------------------------------


def message(n: int, role: Role, text: str) -> Message:
    return Message(
        id=MessageId(f"m{n}"),
        conversation_id=ConversationId("c1"),
        role=role,
        text=text,
        created_at=datetime(2024, 3, 5, 9, n, tzinfo=UTC),
    )


def test_that_the_brief_quotes_the_customer_with_placeholders_shared_across_its_parts(
    presidio: Redactor,
) -> None:
    brief = build_brief(
        customer=None,
        transcript=[
            message(1, Role.CUSTOMER, "I'm Sarah Connor, order JL-10482, mail sarah@example.com"),
            message(2, Role.CUSTOMER, "Please just email sarah@example.com, I want a person"),
        ],
        reasons=[Reason(ReasonCode.CUSTOMER_REQUEST, "said: email sarah@example.com")],
        told_customer="You're number 1 in the queue.",
        redactor=presidio,
    )
    assert "sarah@example.com" not in brief.summary and "Sarah" not in brief.summary
    assert "\u201cI'm <PERSON_1>, order JL-10482, mail <EMAIL_1>\u201d" in brief.summary
    assert "Latest: \u201cPlease just email <EMAIL_1>, I want a person\u201d" in brief.summary
    assert brief.reasons[0].evidence == "said: email <EMAIL_1>"


def test_that_a_clipped_quote_never_ends_inside_a_placeholder() -> None:
    text = "x" * 150 + " mail ada@example.com and more words after it"
    brief = build_brief(
        customer=None,
        transcript=[message(1, Role.CUSTOMER, text)],
        reasons=[],
        told_customer="",
        redactor=PatternRedactor(),
    )
    assert "<EMAI\u2026" not in brief.summary and "ada@" not in brief.summary


def test_that_a_judging_model_never_sees_the_customers_personal_data(presidio: Redactor) -> None:
    seen: list[str] = []

    def respond(system: str, user: str, schema_name: str) -> dict[str, Any]:
        seen.append(user)
        return {"verdicts": [{"index": 0, "supported": True}]}

    chat = RedactingChat(ScriptedChat(respond), presidio)
    verdicts = chat.complete_json("Judge.", "Mail jane.roe@example.com about it.", JudgeVerdicts)
    assert verdicts.verdicts[0].supported
    assert seen == ["Mail <EMAIL_1> about it."]
