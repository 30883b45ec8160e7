"""Explicit requests for a person, in several languages, and words that only look like one."""

from __future__ import annotations

import pytest

from warmline.engine.understanding import explicit_human_request


@pytest.mark.parametrize(
    "text",
    [
        "I want to talk to a human",
        "can i speak to a real person",
        "agent please",
        "AGENT",
        "get me a representative now",
        "connect me with customer service",
        "I need a person, this bot is useless",
        "Quiero hablar con una persona",
        "je veux parler à un conseiller",
        "Ich möchte mit einem Mitarbeiter sprechen",
        "quero falar com um atendente",
    ],
)
def test_that_a_request_for_a_person_is_recognised(text: str) -> None:
    assert explicit_human_request(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "my travel agent booked the wrong delivery address",
        "I work in human resources and need an invoice",
        "what does a representative APR example mean for the installments",
        "how do I reset my password",
        "the package says delivered but it is not here",
    ],
)
def test_that_other_uses_of_those_words_are_not_a_request(text: str) -> None:
    assert explicit_human_request(text) is None
