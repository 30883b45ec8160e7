"""Answer evaluation: run labelled questions through the engine and score the replies.

An answer is *correct* when it cites an article labelled relevant and contains one of the
labelled key facts. Unanswerable questions should be escalated or clarified, never answered.
Used by ``warmline kb calibrate`` and ``benchmarks/answers.py``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmline.bootstrap import Container
from warmline.domain.conversations import Channel
from warmline.domain.customers import CustomerInfo
from warmline.engine.confidence import ConfidenceModel
from warmline.engine.conversations import Reply
from warmline.engine.verifier import named_facts, numbers_in
from warmline.errors import InvalidInputError
from warmline.evaluation.calibration import (
    cross_validated_probabilities,
    expected_calibration_error,
    fit_confidence,
)


@dataclass
class Outcome:
    query: str
    answerable: bool
    kind: str
    decision: str
    rule: str
    correct: bool  # the reply is a correct, cited answer
    draft_correct: bool  # the draft (before the decision) would have been a correct answer
    features: dict[str, float] | None
    confidence: float | None
    withheld: bool
    unsupported_facts: list[str] = field(default_factory=list)
    seconds: float = 0.0
    reply: str = ""
    sentences: int = 0  # sentences the composer wrote
    dropped: int = 0  # of which the verifier dropped
    dropped_for_facts: int = 0  # of which for a number or name the evidence does not state


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Read labelled questions (JSONL); a bad line is an error naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InvalidInputError(f"cannot read {path}: {error}") from error
    questions = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            raise InvalidInputError(f"{path}:{number} is not JSON: {error}") from error
        ok = (
            isinstance(item, dict)
            and isinstance(item.get("query"), str)
            and isinstance(item.get("answerable"), bool)
            and (
                not item["answerable"]
                or (isinstance(item.get("relevant"), list) and isinstance(item.get("facts"), list))
            )
        )
        if not ok:
            raise InvalidInputError(
                f'{path}:{number} needs "query" (text) and "answerable" (true/false), and '
                'for answerable questions "relevant" (article ids) and "facts" (strings)'
            )
        questions.append(item)
    if not questions:
        raise InvalidInputError(f"{path} has no questions")
    return questions


def is_correct(item: dict[str, Any], text: str, cited: Sequence[str]) -> bool:
    if not item["answerable"] or not text:
        return False
    relevant = set(item["relevant"])
    facts = [f.lower() for f in item.get("facts", [])]
    return bool(relevant & set(cited)) and any(f in text.lower() for f in facts)


def answered_correctly(item: dict[str, Any], reply: Reply) -> bool:
    """The reply answered (not a clarifying question or a handoff), and correctly."""
    return reply.decision == "answer" and is_correct(
        item, reply.text, [c.article_id for c in reply.citations]
    )


def run(container: Container, questions: Sequence[dict[str, Any]]) -> list[Outcome]:
    service = container.conversations
    chunks = {c.id: c.text for c in container.store.knowledge.chunks()}
    outcomes = []
    for number, item in enumerate(questions, 1):
        started = service.start(Channel.WEB, CustomerInfo(name="Benchmark"))
        began = time.perf_counter()
        reply = service.post(started.conversation.id, item["query"]).reply
        seconds = time.perf_counter() - began
        trace = container.store.traces.for_conversation(started.conversation.id)[-1]
        draft = trace.extra.get("draft") if isinstance(trace.extra, dict) else None
        features = confidence = None
        draft_correct = withheld = False
        unsupported: list[str] = []
        written = dropped = dropped_for_facts = 0
        if draft:
            checked = draft["verification"]["sentences"]
            written = len(checked)
            dropped = sum(not s["kept"] for s in checked)
            dropped_for_facts = sum(bool(s["missing_facts"]) and not s["kept"] for s in checked)
            features = dict(draft["features"])
            confidence = float(draft["confidence"])
            withheld = bool(draft["verification"]["withheld"])
            kept = [s for s in draft["verification"]["sentences"] if s["kept"]]
            by_id = {e["id"]: e for e in draft["evidence"]}
            cited_articles = [by_id[i]["article_id"] for s in kept for i in s["evidence"]]
            draft_text = " ".join(s["text"] for s in kept)
            draft_correct = is_correct(item, draft_text, cited_articles)
            if reply.decision == "answer":
                for sentence in kept:
                    source = " ".join(chunks[by_id[i]["chunk_id"]] for i in sentence["evidence"])
                    missing = (numbers_in(sentence["text"]) - numbers_in(source)) | {
                        f for f in named_facts(sentence["text"]) if f not in source.lower()
                    }
                    unsupported.extend(sorted(missing))
        correct = answered_correctly(item, reply)
        outcomes.append(
            Outcome(
                query=item["query"],
                answerable=item["answerable"],
                kind=item.get("kind", ""),
                decision=reply.decision,
                rule=trace.rule,
                correct=correct,
                draft_correct=draft_correct,
                features=features,
                confidence=confidence,
                withheld=withheld,
                unsupported_facts=unsupported,
                seconds=seconds,
                reply=reply.text,
                sentences=written,
                dropped=dropped,
                dropped_for_facts=dropped_for_facts,
            )
        )
        if number % 25 == 0:
            print(f"  {number}/{len(questions)} questions", file=sys.stderr)
    return outcomes


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    answered = [o for o in outcomes if o.decision == "answer"]
    drafted = [o for o in outcomes if o.features is not None]
    probs = [o.confidence or 0.0 for o in drafted]
    labels = [o.draft_correct for o in drafted]
    times_ms = [o.seconds * 1000 for o in outcomes]
    by_kind: dict[str, dict[str, float]] = {}
    for kind in sorted({o.kind for o in unanswerable}):
        group = [o for o in unanswerable if o.kind == kind]
        by_kind[kind] = {
            "n": len(group),
            "abstained": sum(o.decision != "answer" for o in group) / len(group),
        }
    return {
        "n": len(outcomes),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "correct_cited_answer_rate": sum(o.correct for o in answerable) / max(1, len(answerable)),
        "answered_rate_answerable": sum(o.decision == "answer" for o in answerable)
        / max(1, len(answerable)),
        "wrong_answer_rate_answerable": sum(
            o.decision == "answer" and not o.correct for o in answerable
        )
        / max(1, len(answerable)),
        "abstention_rate_unanswerable": sum(o.decision != "answer" for o in unanswerable)
        / max(1, len(unanswerable)),
        "unanswerable_by_kind": by_kind,
        "answers_with_unsupported_facts": sum(bool(o.unsupported_facts) for o in answered),
        "ece_in_sample": expected_calibration_error(probs, labels) if drafted else None,
        "decisions": {
            d: sum(o.decision == d for o in outcomes) for d in ("answer", "clarify", "escalate")
        },  # fmt: skip
        "verifier": {
            "sentences_written": sum(o.sentences for o in outcomes),
            "sentences_dropped": sum(o.dropped for o in outcomes),
            "dropped_for_facts_not_in_evidence": sum(o.dropped_for_facts for o in outcomes),
        },
        "latency_ms_p50": percentile(times_ms, 0.5),
        "latency_ms_p95": percentile(times_ms, 0.95),
        "latency_ms_by_decision": {
            d: {"n": len(ms), "p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95)}
            for d in ("answer", "clarify", "escalate")
            if (ms := [o.seconds * 1000 for o in outcomes if o.decision == d])
        },
    }


def calibration_rows(outcomes: Sequence[Outcome]) -> tuple[list[dict[str, float]], list[bool]]:
    """Drafts the verifier let through, with whether each would have been a correct answer."""
    drafted = [o for o in outcomes if o.features is not None and not o.withheld]
    return [o.features or {} for o in drafted], [o.draft_correct for o in drafted]


def fit_from_outcomes(
    outcomes: Sequence[Outcome], about: dict[str, object]
) -> tuple[ConfidenceModel, list[float], list[bool]]:
    """Fit on every drafted answer; also return cross-validated probabilities for the ECE."""
    rows, labels = calibration_rows(outcomes)
    if len(set(labels)) < 2 or min(sum(labels), len(labels) - sum(labels)) < 5:
        raise InvalidInputError(
            "calibration needs at least 5 correct and 5 incorrect drafted answers; "
            f"these questions gave {sum(labels)} correct of {len(labels)}"
        )
    cross_validated = cross_validated_probabilities(rows, labels)
    about = {
        **about,
        "n": len(rows),
        "positives": sum(labels),
        "ece_cross_validated": round(expected_calibration_error(cross_validated, labels), 4),
    }
    return fit_confidence(rows, labels, about=about), cross_validated, labels


# Rules decided on the draft's confidence (not on a signal or before a draft).
_CONFIDENCE_RULES = frozenset(
    {"verified_answer", "chosen_topic_answer", "below_answer_threshold", "answer_withheld"}
)


@dataclass
class TopicChoice:
    """The second turn of a question that got a clarifying question naming topics: the
    customer picks one (a relevant one for an answerable question, the first one for an
    unanswerable question) and the engine answers or hands over."""

    query: str
    answerable: bool
    said: str
    recognised: bool  # the engine read the reply as picking that topic
    decision: str
    rule: str
    confidence: float | None  # of the draft decided on its confidence, if any
    draft_correct: bool


def run_topic_choices(
    container: Container, questions: Sequence[dict[str, Any]]
) -> list[TopicChoice]:
    service = container.conversations
    choices = []
    for item in questions:
        started = service.start(Channel.WEB, CustomerInfo(name="Benchmark"))
        conversation_id = started.conversation.id
        first = service.post(conversation_id, item["query"]).reply
        trace = container.store.traces.for_conversation(conversation_id)[-1]
        offered = trace.extra.get("offered") if isinstance(trace.extra, dict) else None
        if first.decision != "clarify" or not offered:
            continue
        if item["answerable"]:
            relevant = [t for t in offered if t["article_id"] in item["relevant"]]
            if not relevant:
                continue  # the customer would say "none of those": not a pick
            picked = relevant[0]
        else:
            picked = offered[0]
        said = "yes" if len(offered) == 1 else picked["title"].lower()
        reply = service.post(conversation_id, said).reply
        second = container.store.traces.for_conversation(conversation_id)[-1]
        draft = second.extra.get("draft") if isinstance(second.extra, dict) else None
        confidence = None
        draft_correct = False
        if draft and second.rule in _CONFIDENCE_RULES and not draft["verification"]["withheld"]:
            kept = [s for s in draft["verification"]["sentences"] if s["kept"]]
            by_id = {e["id"]: e for e in draft["evidence"]}
            cited = [by_id[i]["article_id"] for s in kept for i in s["evidence"]]
            confidence = float(draft["confidence"])
            draft_correct = is_correct(item, " ".join(s["text"] for s in kept), cited)
        choices.append(
            TopicChoice(
                query=item["query"],
                answerable=item["answerable"],
                said=said,
                recognised=second.signals.get("topic_chosen") == picked["title"],
                decision=reply.decision,
                rule=second.rule,
                confidence=confidence,
                draft_correct=draft_correct,
            )
        )
    return choices


def summarise_topic_choices(
    choices: Sequence[TopicChoice], bars: Sequence[float], answer_at_or_above: float
) -> dict[str, Any]:
    """What the engine did after the pick, and what it would do at other bars for a pick."""
    answerable = [c for c in choices if c.answerable]
    unanswerable = [c for c in choices if not c.answerable]

    def at(bar: float) -> dict[str, Any]:
        def answers(c: TopicChoice) -> bool:
            return c.confidence is not None and c.confidence >= min(bar, answer_at_or_above)

        return {
            "bar": bar,
            "answered_answerable": sum(map(answers, answerable)),
            "correct": sum(answers(c) and c.draft_correct for c in answerable),
            "wrong": sum(answers(c) and not c.draft_correct for c in answerable),
            "answered_unanswerable": sum(map(answers, unanswerable)),
        }

    return {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "recognised": sum(c.recognised for c in choices),
        "answered_answerable": sum(c.decision == "answer" for c in answerable),
        "correct": sum(c.decision == "answer" and c.draft_correct for c in answerable),
        "answered_unanswerable": sum(c.decision == "answer" for c in unanswerable),
        "by_bar": [at(bar) for bar in bars],
    }


def run_follow_ups(container: Container, questions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A new question on the same article right after an answer: for every ordered pair of
    answerable questions labelled with the same first relevant article whose first question is
    answered, what the engine does with the second. None of these is the customer asking again,
    so a loop here is a false alarm."""
    service = container.conversations
    by_article: dict[str, list[dict[str, Any]]] = {}
    for item in questions:
        if item["answerable"] and item["relevant"]:
            by_article.setdefault(item["relevant"][0], []).append(item)
    rules: dict[str, int] = {}
    looped: list[dict[str, str]] = []
    for group in by_article.values():
        for first in group:
            for second in group:
                if first is second:
                    continue
                started = service.start(Channel.WEB, CustomerInfo(name="Benchmark"))
                if service.post(started.conversation.id, first["query"]).reply.decision != "answer":
                    continue
                service.post(started.conversation.id, second["query"])
                trace = container.store.traces.for_conversation(started.conversation.id)[-1]
                rules[trace.rule] = rules.get(trace.rule, 0) + 1
                if trace.rule == "asked_again_unanswered":
                    looped.append({"first": first["query"], "second": second["query"]})
    return {
        "pairs": sum(rules.values()),
        "rules": dict(sorted(rules.items(), key=lambda kv: -kv[1])),
        "looped": looped,
    }


@dataclass
class SecondTurn:
    """The customer's second message, asked right after a first question."""

    query: str
    answerable: bool
    first_decision: str
    decision: str
    correct: bool  # the second reply is a correct, cited answer
    offered_relevant: bool  # the second reply is a clarifying question naming a relevant topic
    # When the second reply asked which topic, the customer picks one (a relevant one for an
    # answerable question, the first one otherwise), as the web chat's buttons send it:
    after_pick: str = ""  # the decision on the pick ("" when there was none)
    correct_after_pick: bool = False


def run_second_turns(
    container: Container, pairs: Sequence[tuple[str, dict[str, Any]]]
) -> list[SecondTurn]:
    """Ask ``first``, then the labelled question ``item``, each pair in a new conversation."""
    service = container.conversations
    turns = []
    for first, item in pairs:
        started = service.start(Channel.WEB, CustomerInfo(name="Benchmark"))
        opened = service.post(started.conversation.id, first).reply
        reply = service.post(started.conversation.id, item["query"]).reply
        trace = container.store.traces.for_conversation(started.conversation.id)[-1]
        offered = trace.extra.get("offered", []) if reply.decision == "clarify" else []
        wanted = [t for t in offered if t["article_id"] in item.get("relevant", [])]
        pick = (wanted or ([] if item["answerable"] else offered))[:1]
        after_pick = ""
        correct_after_pick = False
        if pick:
            third = service.post(started.conversation.id, pick[0]["title"]).reply
            after_pick = third.decision
            correct_after_pick = answered_correctly(item, third)
        turns.append(
            SecondTurn(
                query=item["query"],
                answerable=item["answerable"],
                first_decision=opened.decision,
                decision=reply.decision,
                correct=answered_correctly(item, reply),
                offered_relevant=bool(wanted),
                after_pick=after_pick,
                correct_after_pick=correct_after_pick,
            )
        )
    return turns


def summarise_second_turns(turns: Sequence[SecondTurn]) -> dict[str, Any]:
    """What the second turn got, split by what the first turn did."""

    def counts(group: Sequence[SecondTurn]) -> dict[str, int]:
        answerable = [t for t in group if t.answerable]
        unanswerable = [t for t in group if not t.answerable]
        return {
            "n": len(group),
            "answerable": len(answerable),
            "correct": sum(t.correct for t in answerable),
            "wrong": sum(t.decision == "answer" and not t.correct for t in answerable),
            "clarified": sum(t.decision == "clarify" for t in group),
            "clarified_naming_a_relevant_topic": sum(t.offered_relevant for t in answerable),
            "picked_then_correct": sum(t.correct_after_pick for t in answerable),
            "picked_then_wrong": sum(
                t.after_pick == "answer" and not t.correct_after_pick for t in answerable
            ),
            "unanswerable_picked_then_answered": sum(
                t.after_pick == "answer" for t in unanswerable
            ),
            "handed_over": sum(t.decision == "escalate" for t in group),
            "unanswerable_answered": sum(t.decision == "answer" for t in unanswerable),
        }

    return {
        "all": counts(turns),
        "after_an_answer": counts([t for t in turns if t.first_decision == "answer"]),
        "after_a_clarifying_question": counts([t for t in turns if t.first_decision == "clarify"]),
    }
