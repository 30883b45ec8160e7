"""The extractive composer quotes customer-facing text only, in the help center's own order."""

from __future__ import annotations

from pathlib import Path

from warmline.domain.knowledge import Audience, SearchHit
from warmline.engine.composer import ExtractiveComposer
from warmline.knowledge.markdown import parse_markdown


def hit(text: str, audience: Audience = Audience.CUSTOMER, name: str = "a") -> SearchHit:
    parsed = parse_markdown(
        f"---\nid: {name}\naudience: {audience.value}\n---\n{text}", path=Path(f"{name}.md")
    )
    return SearchHit(parsed.chunks[-1], parsed.article, 5.0, 5.0, 1.0, "test")


COMPOSER = ExtractiveComposer()


def test_that_the_answer_keeps_consecutive_steps_in_order() -> None:
    steps = hit(
        "# Reset\n\n## Reset your password\n\n1. Select Forgot password.\n"
        "2. Enter your email address.\n3. Open the reset email and choose a new password.\n"
    )
    answer = COMPOSER.compose("reset my password", [steps], intro="Intro:", max_sentences=3)
    assert answer.sentences == (
        "Select Forgot password.",
        "Enter your email address.",
        "Open the reset email and choose a new password.",
    )
    assert answer.text.startswith("Intro: Select")
    assert answer.citations[0].section == "Reset your password"


def test_that_internal_text_is_never_quoted() -> None:
    internal = hit("Goodwill refunds up to $50 need no approval.", Audience.INTERNAL, "secret")
    answer = COMPOSER.compose("goodwill refund approval", [internal], intro="", max_sentences=3)
    assert answer.text == "" and answer.citations == ()


def test_that_markdown_links_and_emphasis_read_as_plain_text() -> None:
    linked = hit("See [Gift cards](https://x/gift) for the **balance** of a gift card.")
    answer = COMPOSER.compose("gift card balance", [linked], intro="", max_sentences=2)
    assert answer.sentences == ("See Gift cards for the balance of a gift card.",)


def test_that_a_passage_matched_only_by_meaning_is_quoted_from_its_opening() -> None:
    matched = hit("Our stores open at nine. They close at six. Sundays are closed.")
    answer = COMPOSER.compose("opening hours?", [matched], intro="Intro:", max_sentences=2)
    assert answer.sentences == ("Our stores open at nine.", "They close at six.")


def test_that_nothing_is_said_without_a_customer_facing_passage() -> None:
    assert COMPOSER.compose("refund to paypal", [], intro="Intro:", max_sentences=3).text == ""
