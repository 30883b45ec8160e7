"""A reply to a clarifying question picks one of the topics it offered, or none."""

from __future__ import annotations

import pytest

from warmline.engine.topics import OfferedTopic, adds_to_question, chosen_topic

GIFT_CARDS = OfferedTopic("gift-cards", "Gift cards")
THREE = (
    OfferedTopic("returns-policy", "Our return policy"),
    OfferedTopic("start-a-return", "How to start a return"),
    OfferedTopic("non-returnable-items", "Items that can't be returned"),
)


@pytest.mark.parametrize(
    "reply", ["yes", "Yeah!", "yep that's it", "ok cool. it's the one from my aunt", "sí", "oui",
              "ja, genau", "sim", "the gift card one"],
)  # fmt: skip
def test_that_yes_or_its_name_picks_the_one_topic_offered(reply: str) -> None:
    assert chosen_topic(reply, [GIFT_CARDS]) == GIFT_CARDS


@pytest.mark.parametrize(
    "reply", ["no", "nope, not that", "checked spam. not there either", "hmm", "what?",
              "no es eso", "nein", "my order is late"],
)  # fmt: skip
def test_that_turning_it_down_or_saying_something_else_picks_nothing(reply: str) -> None:
    assert chosen_topic(reply, [GIFT_CARDS]) is None


@pytest.mark.parametrize(
    ("reply", "index"),
    [("how to start a return", 1), ("the policy one", 0), ("2", 1), ("the second one please", 1),
     ("the last", 2), ("first", 0), ("starting one i guess", 1)],
)  # fmt: skip
def test_that_a_name_or_a_place_in_the_list_picks_one_of_several(reply: str, index: int) -> None:
    assert chosen_topic(reply, THREE) == THREE[index]


@pytest.mark.parametrize(
    "reply", ["return", "yes", "none of those", "4", "the first or the second", "i don't know"]
)
def test_that_an_unclear_reply_picks_none_of_several(reply: str) -> None:
    assert chosen_topic(reply, THREE) is None


def test_that_nothing_offered_means_nothing_picked() -> None:
    assert chosen_topic("yes", []) is None


def test_that_only_a_reply_that_says_more_than_the_pick_adds_to_the_question() -> None:
    assert not adds_to_question("yes", GIFT_CARDS)
    assert not adds_to_question("yeah the gift card one please", GIFT_CARDS)
    assert not adds_to_question("the second one", THREE[1])
    assert adds_to_question("yes, the card from my aunt has no pin on it", GIFT_CARDS)
    assert adds_to_question("ok i'll upload photos. do i need to send it back?", GIFT_CARDS)


def test_that_a_topic_whose_name_says_no_can_still_be_picked_by_its_name() -> None:
    offered = (
        OfferedTopic(
            "delivered-not-received", "My package says delivered but I don\u2019t have it"
        ),
        OfferedTopic("late-or-missing-package", "Late or missing package"),
        OfferedTopic("non-returnable-items", "Items that can't be returned"),
    )
    assert chosen_topic("My package says delivered but I don\u2019t have it", offered) == offered[0]
    assert chosen_topic("the delivered but i don't have it one", offered) == offered[0]
    assert chosen_topic("items that can't be returned", offered) == offered[2]
    assert chosen_topic("not the late one", offered) is None
    assert chosen_topic("no, none of those", offered) is None


@pytest.mark.parametrize(
    ("reply", "offered", "picked"),
    [
        ("the mirror i ordered showed up cracked. what photos do you need from me",
         (OfferedTopic("track-your-order", "Tracking your order"), GIFT_CARDS), None),
        ("how long does it take you to make a decision on a warranty claim",
         (OfferedTopic("warranty-coverage", "Warranty coverage"),), None),
        ("yes tracking, my order JL-5520183 still hasn't moved since monday",
         (OfferedTopic("track-your-order", "Tracking your order"), GIFT_CARDS), 0),
        ("the return policy, i bought it 40 days ago as a gift", THREE, 0),
    ],
)  # fmt: skip
def test_that_a_new_question_names_a_topic_only_by_more_than_one_word_of_it(
    reply: str, offered: tuple[OfferedTopic, ...], picked: int | None
) -> None:
    """A question of its own that shares one word with a topic's name ("order") asks that
    question, it does not pick the topic."""
    assert chosen_topic(reply, offered) == (None if picked is None else offered[picked])
