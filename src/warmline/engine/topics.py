"""Which help-center topic a reply to a clarifying question picks.

A clarifying question offers one topic ("Is this about “Gift cards”?") or a few ("Is your
question about “Our return policy”, “How to start a return” or “Items that can't be
returned”?"). The customer picks one by saying yes to a single topic, by naming one in their
own words ("the return label one"), or by its place in the list ("the second one"). A reply
that turns the offer down, or names none of the topics clearly, picks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from warmline.domain.traces import DecisionTrace
from warmline.knowledge.text import terms


@dataclass(frozen=True)
class OfferedTopic:
    article_id: str
    title: str

    def as_dict(self) -> dict[str, str]:
        return {"article_id": self.article_id, "title": self.title}


# "yes", in the languages the signals read, as the first word of a reply.
_YES = re.compile(
    r"^\W*(?:yes|yeah|yea|yep|yup|ya|yah|yess+|correct|exactly|right|that'?s (?:it|right|the one)"
    r"|sure|ok(?:ay)?|sí|si|claro|exacto|eso|oui|ouais|exactement|ja|jawohl|genau|richtig"
    r"|sim|isso|exato)\b",
    re.IGNORECASE,
)
# Turning the offer down, anywhere in the reply.
_NO = re.compile(
    r"\b(?:no|nope|nah|not|neither|none|nor|wrong|isn'?t|doesn'?t|don'?t|didn'?t|never"
    r"|nein|nicht|keine?s?|non|pas|ni|tampoco|ninguno|ninguna|não|nao|nenhum)\b",
    re.IGNORECASE,
)
_PLACES = (
    (re.compile(r"\b(?:first|1st|former|top)\b", re.IGNORECASE), 0),
    (re.compile(r"\b(?:second|2nd)\b", re.IGNORECASE), 1),
    (re.compile(r"\b(?:third|3rd)\b", re.IGNORECASE), 2),
)
_LAST = re.compile(r"\b(?:last|latter)\b", re.IGNORECASE)
_NUMBER_ALONE = re.compile(r"^\W*([1-9])\W*$")
# A reply with this many content words besides a topic's name and pointing words asks
# something of its own.
_OWN_QUESTION_WORDS = 3
# Words of a reply that only point at a topic in the list ("the second one, please").
_PICK_WORDS = frozenset(
    terms("first second third last one option topic that this about please thanks")
)


def offered_in(trace: DecisionTrace) -> list[OfferedTopic]:
    """The topics the clarifying question of this trace offered, as it recorded them."""
    offered = trace.extra.get("offered") if isinstance(trace.extra, dict) else None
    if not isinstance(offered, list):
        return []
    return [
        OfferedTopic(str(item["article_id"]), str(item["title"]))
        for item in offered
        if isinstance(item, dict) and "article_id" in item and "title" in item
    ]


def chosen_topic(reply: str, offered: Sequence[OfferedTopic]) -> OfferedTopic | None:
    """The offered topic this reply picks, or None when it picks none clearly."""
    if not offered:
        return None
    said = _plain(reply)
    for topic in offered:  # the topic's name as it was offered (a button in the web chat)
        if said == _plain(topic.title):
            return topic
    # A "no" or "not" in a topic's own name ("... but I don't have it") turns nothing down.
    titled = {word for topic in offered for word in _plain(topic.title).split()}
    if _NO.search(" ".join(w for w in said.split() if w not in titled)):
        return None
    # A reply that is a question of its own ("the mirror i ordered showed up cracked, what
    # photos do you need") names a topic only by more than one word of its name ("order" is
    # not "Tracking your order").
    own = set(terms(reply)) - set(terms(" ".join(titled))) - _PICK_WORDS
    least = 2 if len(own) >= _OWN_QUESTION_WORDS else 1
    if len(offered) == 1:
        named = _names(reply, offered[0]) >= least
        return offered[0] if _YES.search(reply) or named else None
    place = _place(reply, len(offered))
    if place is not None:
        return offered[place]
    shared = [count if count >= least else 0 for count in (_names(reply, t) for t in offered)]
    best = max(shared)
    return offered[shared.index(best)] if best > 0 and shared.count(best) == 1 else None


def adds_to_question(reply: str, topic: OfferedTopic) -> bool:
    """Whether a reply that picks this topic says more than the pick ("yes", its title): a
    pick alone changes where to look, not what was asked."""
    rest = _YES.sub(" ", reply, count=1)
    return bool(set(terms(rest)) - set(terms(topic.title)) - _PICK_WORDS)


def _plain(text: str) -> str:
    """Lower case, curly apostrophes straightened, punctuation apart from apostrophes gone."""
    straight = text.lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^\w']+", " ", straight).split())


def _place(reply: str, count: int) -> int | None:
    """The list position a reply names ("2", "the second one", "the last"), when it names one."""
    number = _NUMBER_ALONE.match(reply)
    if number:
        index = int(number.group(1)) - 1
        return index if index < count else None
    places = {i for pattern, i in _PLACES if pattern.search(reply) and i < count}
    if _LAST.search(reply):
        places.add(count - 1)
    return places.pop() if len(places) == 1 else None


def _names(reply: str, topic: OfferedTopic) -> int:
    """How many of the topic title's content words the reply uses."""
    return len(set(terms(reply)) & set(terms(topic.title)))
