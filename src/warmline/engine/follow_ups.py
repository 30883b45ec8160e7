"""Follow-ups to an answer: the question they lean on, and whether they stand on their own.

"How much can I put on one?" after "do you sell gift cards" means nothing alone; the engine
reads such a follow-up with the question the last answer answered as well as alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from warmline.domain.traces import DecisionTrace
from warmline.engine.decisions import Action
from warmline.knowledge.text import terms

# Words that point back at something said before ("it", "that one"), or an opening that
# carries the earlier question on ("and to canada?", "what about express?").
_POINTS_BACK = re.compile(
    r"\b(?:it|its|it's|that|this|these|those|they|them|one|ones|there|same)\b"
    r"|^\s*(?:and|also|but|so|or|what about|how about|what if|plus)\b",
    re.IGNORECASE,
)
# A follow-up with at most this many content words is too short to be a question of its own.
_SHORT_TERMS = 2
# A pointing-back word leans on the earlier question only in a short message: a longer one
# usually names what "it" is itself ("i ordered a blanket, can i still return it?").
_POINTING_WORDS = 8


def answered_question(asked: Sequence[str], traces: Sequence[DecisionTrace]) -> str:
    """The question the last answer answered: the customer's last message, with the one before
    it when that message replied to a clarifying question."""
    if len(traces) >= 2 and traces[-2].decision == Action.CLARIFY.value and len(asked) >= 2:
        return f"{asked[-2]} {asked[-1]}"
    return asked[-1]


def leans_on_earlier(text: str) -> bool:
    """Whether a follow-up needs the earlier question to be understood: a short message that
    points back at it ("is it free?", "and to canada?"), or one too short to stand alone
    ("express?")."""
    if len(set(terms(text))) <= _SHORT_TERMS:
        return True
    return len(text.split()) <= _POINTING_WORDS and bool(_POINTS_BACK.search(text))
