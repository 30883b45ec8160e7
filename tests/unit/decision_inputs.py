"""What the decision tests feed :func:`decide`: the default policy, three conversation states and
the signals of a turn the help center answers well (each test changes what it is about)."""

from __future__ import annotations

from warmline.engine.decisions import Action, ConversationState, Signals
from warmline.policy.model import load_policy

POLICY = load_policy()
FIRST_TURN = ConversationState(turn=1, last_action=None)
AFTER_CLARIFYING = ConversationState(turn=2, last_action=Action.CLARIFY)
AFTER_ANSWERING = ConversationState(turn=2, last_action=Action.ANSWER)


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
