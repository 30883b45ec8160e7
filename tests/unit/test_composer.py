"""The extractive composer quotes customer-facing text only, in the help center's own order."""

from __future__ import annotations

from pathlib import Path

from warmline.domain.knowledge import Audience, SearchHit
from warmline.engine.composer import ExtractiveComposer, question_parts
from warmline.engine.evidence import gather_evidence
from warmline.knowledge.embeddings import Embedder
from warmline.knowledge.markdown import parse_markdown
from warmline.knowledge.text import chat_sentences


def hit(
    text: str, audience: Audience = Audience.CUSTOMER, name: str = "a", section: str = ""
) -> SearchHit:
    heading = f"## {section}\n\n" if section else ""
    parsed = parse_markdown(
        f"---\nid: {name}\naudience: {audience.value}\n---\n{heading}{text}",
        path=Path(f"{name}.md"),
    )
    return SearchHit(parsed.chunks[-1], parsed.article, 5.0, 5.0, 1.0, "test")


COMPOSER = ExtractiveComposer()


def compose(question: str, *hits: SearchHit, max_sentences: int = 3) -> tuple[str, ...]:
    composed = COMPOSER.compose(question, gather_evidence(hits), max_sentences=max_sentences)
    return tuple(s.text for s in composed.sentences)


def test_that_the_answer_keeps_consecutive_steps_in_order() -> None:
    steps = hit(
        "1. Select Forgot password.\n2. Enter your email address.\n"
        "3. Open the reset email and choose a new password.\n",
        section="Reset your password",
    )
    assert compose("reset my password", steps) == (
        "Select Forgot password.",
        "Enter your email address.",
        "Open the reset email and choose a new password.",
    )


def test_that_every_sentence_names_the_evidence_it_rests_on() -> None:
    composed = COMPOSER.compose(
        "gift card balance",
        gather_evidence([hit("Check the balance of a gift card on the Gift cards page.")]),
        max_sentences=2,
    )
    assert [s.evidence_ids for s in composed.sentences] == [("E1",)]


def test_that_internal_text_is_never_quoted() -> None:
    internal = hit("Goodwill refunds up to $50 need no approval.", Audience.INTERNAL, "secret")
    composed = COMPOSER.compose("goodwill refund approval", gather_evidence([internal]))
    assert composed.sentences == () and composed.abstained


def test_that_markdown_links_and_emphasis_read_as_plain_text() -> None:
    linked = hit("See [Gift cards](https://x/gift) for the **balance** of a gift card.")
    assert compose("gift card balance", linked, max_sentences=2) == (
        "See Gift cards for the balance of a gift card.",
    )


def test_that_a_passage_matched_only_by_meaning_is_quoted_from_its_opening() -> None:
    matched = hit("Our stores open at nine. They close at six. Sundays are closed.")
    assert compose("opening hours?", matched, max_sentences=2) == (
        "Our stores open at nine.",
        "They close at six.",
    )


def test_that_a_two_part_question_is_answered_part_by_part() -> None:
    refunds = hit(
        "Refunds reach your card within 5 to 10 business days. We email you when it is sent.",
        name="refunds",
    )
    shipping = hit(
        "Original shipping costs are not refunded. Return shipping is free with a label.",
        name="shipping",
    )
    composed = COMPOSER.compose(
        "how long do refunds take and do you refund the shipping cost?",
        gather_evidence([refunds, shipping]),
        max_sentences=3,
    )
    assert composed.parts == 2 and composed.parts_covered == 2
    texts = " ".join(s.text for s in composed.sentences)
    assert "5 to 10 business days" in texts and "not refunded" in texts


def test_that_questions_split_into_their_parts() -> None:
    assert question_parts("how long do refunds take and do you refund shipping?") == [
        "how long do refunds take",
        "do you refund shipping",
    ]
    assert question_parts("where is my order?") == ["where is my order"]


def test_that_nothing_is_said_without_a_customer_facing_passage() -> None:
    assert compose("refund to paypal") == ()


def test_that_a_word_the_best_passage_lacks_is_answered_from_another(embedder: Embedder) -> None:
    """ "Do you price match Walmart?": the policy's opening answers "price match"; the store
    list, in another passage, names Walmart. The added sentence completes the answer but is
    marked, so confidence is read without it."""
    policy = hit(
        "Found the same item for less somewhere else? We'll match the price.", name="policy"
    )
    stores = hit(
        "We match Amazon.com, Target.com and Walmart.com.", name="stores", section="Stores"
    )
    composed = ExtractiveComposer(embedder).compose(
        "do you price match walmart", gather_evidence([policy, stores]), max_sentences=3
    )
    texts = tuple(s.text for s in composed.sentences)
    assert "We'll match the price." in texts
    assert composed.added == ("We match Amazon.com, Target.com and Walmart.com.",)
    assert texts[-1] == composed.added[0] and len(texts) <= 3
    # Nothing is added when the answer already has every word of the question.
    composed = ExtractiveComposer(embedder).compose(
        "do you match the price", gather_evidence([policy, stores]), max_sentences=3
    )
    assert composed.added == ()


def test_that_a_chat_message_splits_into_sentences_without_capital_letters() -> None:
    text = "my mug arrived cracked. do i need to send it back?? ok\nthanks so much for the help"
    assert chat_sentences(text) == [
        "my mug arrived cracked.",
        "do i need to send it back??",
        "thanks so much for the help",
    ]
    assert chat_sentences("version 2.5 of the app is out", min_words=1) == [
        "version 2.5 of the app is out"
    ]


def test_that_a_question_asking_for_an_amount_is_answered_with_the_sentence_stating_it() -> None:
    """ "How many backup codes do I get": every sentence names backup codes; the one stating
    how many answers the question ("one of your codes" states no amount), and the same passage
    answers a question asking for no amount from its opening."""
    codes = hit(
        "No backup codes? We'll verify your identity before we turn off two-factor.\n\n"
        "Use one of your backup codes to sign in on a new phone.\n\n"
        "When you turn on two-factor you get 10 backup codes to keep somewhere safe.",
        section="Backup codes",
    )
    assert compose("how many backup codes do i get", codes, max_sentences=1) == (
        "When you turn on two-factor you get 10 backup codes to keep somewhere safe.",
    )
    assert compose("no backup codes", codes, max_sentences=1) == ("No backup codes?",)


def test_that_a_list_item_completing_a_line_is_never_quoted_without_it() -> None:
    """ "Please have:" then "- Your order number (starting with JL-)": the item alone answered
    "where is my order JL-448812" with what to have ready. An answer neither opens with such
    an item nor ends on the line that opens a list it cut off; items that are sentences of
    their own still stand alone."""
    report = hit(
        "If you still can't find it after 48 hours, contact us within 14 days. Please have:\n\n"
        "- Your order number (starting with JL-)\n"
        "- Any delivery photo from the carrier\n\n"
        "Things to know:\n\n"
        "- Gift cards aren't tied to your account, so they stay usable.\n",
        section="Report it to us",
    )
    answer = compose("where is my order JL-448812", report, max_sentences=2)
    assert answer and not answer[0].startswith(("Your order number", "Any delivery photo"))
    assert not answer[-1].endswith(":")
    assert compose("can i still use my gift cards", report, max_sentences=1) == (
        "Gift cards aren't tied to your account, so they stay usable.",
    )
