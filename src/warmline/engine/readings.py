"""Reading a customer turn: what earlier turns left behind, and which reading of the turn wins.

A turn may be read more than once (the reply to a clarifying question with the question before
it, and alone; a follow-up with the question the last answer answered); each reading searches,
drafts and decides, and :func:`best_reading` keeps one. Pure functions over stored messages and
traces: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warmline.domain.conversations import Message, Role
from warmline.domain.knowledge import SearchHit
from warmline.domain.traces import DecisionTrace
from warmline.engine.answering import Draft
from warmline.engine.decisions import OFFERS_OF_A_PERSON, Action, Decision, Signals
from warmline.engine.topics import OfferedTopic
from warmline.signals.reader import History

# Clarifying questions that name no help-center topic: after a bare greeting (what a search for
# "hi" found is no topic), asking for English, asking what did not help, or offering a person.
_CLARIFY_WITHOUT_TOPICS = frozenset(
    {"no_question_yet", "language_not_covered", "did_not_help_ask_once", *OFFERS_OF_A_PERSON}
)


@dataclass(frozen=True)
class Reading:
    decision: Decision
    signals: Signals
    hits: list[SearchHit]
    draft: Draft | None


def best_reading(
    readings: Sequence[Reading], *, asking: Reading | None = None
) -> tuple[Decision, Signals, list[SearchHit], Draft | None]:
    """An answer from either reading wins (the surer one); otherwise a clarifying question
    from ``asking`` (a reading that may only ask, never answer), and otherwise the last reading
    decides: a reply that is a new question of its own is judged as that question."""
    answers = [r for r in readings if r.decision.action is Action.ANSWER]
    if answers:
        chosen = max(answers, key=lambda r: r.decision.confidence or 0.0)
    elif asking is not None and asking.decision.action is Action.CLARIFY:
        chosen = asking
    else:
        chosen = readings[-1]
    return chosen.decision, chosen.signals, chosen.hits, chosen.draft


def unanswered_in_a_row(traces: Sequence[DecisionTrace]) -> int:
    """How many of the last replies, up to the latest, did not answer: clarifying questions,
    offers of a person, asking for another language. "How can I help?" after a greeting or a
    remark answered no question and failed at none: it does not count, nor end the run."""
    count = 0
    for trace in reversed(traces):
        if trace.decision != Action.CLARIFY.value:
            break
        count += trace.rule != "no_question_yet"
    return count


def topic_titles(hits: Sequence[SearchHit]) -> list[str]:
    """Distinct article titles among the hits, best first: what a clarifying question offers."""
    return list(dict.fromkeys(h.article.title for h in hits))


def offered_topics(decision: Decision, hits: Sequence[SearchHit]) -> list[OfferedTopic]:
    """The help-center topics a clarifying question names: up to three articles, best first;
    one only when the question asks whether it is that one."""
    if decision.action is not Action.CLARIFY or decision.rule in _CLARIFY_WITHOUT_TOPICS:
        return []
    first_of: dict[str, str] = {}  # title -> the article it first came from
    for hit in hits:
        first_of.setdefault(hit.article.title, hit.article.id)
    topics = [OfferedTopic(article, title) for title, article in list(first_of.items())[:3]]
    if len(topics) == 1 and decision.rule not in {"unsure_ask_once", "follow_up_ask_once"}:
        return []
    return topics


def signal_history(
    earlier: Sequence[Message], traces: Sequence[DecisionTrace], identity_verified: bool
) -> History:
    """What the signal reader needs, from the messages and the traces of earlier turns."""
    by_id = {m.id: m for m in earlier}
    answered = [t for t in traces if t.decision == Action.ANSWER.value]
    given = []
    for trace in answered:
        draft = trace.extra.get("draft") if isinstance(trace.extra, dict) else None
        if draft:
            kept = [s["text"] for s in draft["verification"]["sentences"] if s["kept"]]
            given.append(" ".join(kept))
    moods = {t.customer_message_id: _traced_mood(t) for t in traces}
    customers = [m for m in earlier if m.role is Role.CUSTOMER]
    return History(
        customer_texts=[m.text for m in customers],
        customer_moods=[moods.get(m.id) for m in customers],
        answered_questions=[
            by_id[t.customer_message_id].text for t in answered if t.customer_message_id in by_id
        ],
        given_answers=given,
        failures=sum(1 for t in traces if t.signals.get("not_helped")),
        ai_replies=sum(
            1 for t in traces if t.decision in (Action.ANSWER.value, Action.CLARIFY.value)
        ),
        identity_verified=identity_verified,
    )


def _traced_mood(trace: DecisionTrace) -> float | None:
    """The frustration its own turn read in the message a trace answers, when recorded."""
    detectors = trace.extra.get("detectors") if isinstance(trace.extra, dict) else None
    reading = detectors.get("frustration") if isinstance(detectors, dict) else None
    scores = reading.get("scores") if isinstance(reading, dict) else None
    return float(scores[-1]) if isinstance(scores, list) and scores else None
