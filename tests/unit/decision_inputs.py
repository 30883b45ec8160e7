"""What the decision tests feed :func:`decide`: the default policy, four conversation states and
the signals of a turn the help center answers well (each test changes what it is about)."""

from __future__ import annotations

from warmline.engine.decisions import OFFERED_A_PERSON, Action, ConversationState, Signals
from warmline.policy.model import load_policy

POLICY = load_policy()
FIRST_TURN = ConversationState(turn=1, last_action=None)
AFTER_CLARIFYING = ConversationState(turn=2, last_action=Action.CLARIFY, unanswered=1)
AFTER_ANSWERING = ConversationState(turn=2, last_action=Action.ANSWER)
# After a clarifying question and then the offer of a person.
AFTER_OFFERING = ConversationState(
    turn=3, last_action=Action.CLARIFY, last_rule=OFFERED_A_PERSON, unanswered=2
)
# After a clarifying question and two offers: as many replies in a row that did not answer as
# the built-in policy allows (answering.unanswered_before_handoff), so the next unsure draft
# hands over.
OUT_OF_OFFERS = ConversationState(
    turn=4, last_action=Action.CLARIFY, last_rule=OFFERED_A_PERSON, unanswered=3
)
# The built-in policy with questions the help center has nothing on handed over at once.
GAPS_HANDED_OVER = POLICY.model_copy(
    update={"answering": POLICY.answering.model_copy(update={"not_in_help_center": "hand_over"})}
)


def signals(**changes: object) -> Signals:
    base: dict[str, object] = {
        "human_request": None,
        "content_terms": 4,
        "hits": 5,
        "best_coverage": 1.0,
        "best_dense": 0.8,
        "verified_sentences": 2,
        "confidence": 0.9,
        "clarify_options": 3,
    }
    base.update(changes)
    return Signals(**base)  # type: ignore[arg-type]
