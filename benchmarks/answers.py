"""Answer benchmark: correct cited answers, abstention, unsupported facts, calibration, latency.

    python benchmarks/answers.py [--questions benchmarks/data/answers.jsonl] [--fit]
                                 [--chat-url http://127.0.0.1:8765 --chat-model M --limit 60]
                                 [--out benchmarks/results/answers.json]

Every question goes through the production engine (ConversationService on the demo help center,
in-memory storage), one new conversation per question. An answer is *correct* when it cites an
article labelled relevant and contains one of the labelled key facts. Unanswerable questions
(absent topics, near misses, internal-only) should be escalated or clarified, never answered.

--fit refits the confidence calibration on these questions (logistic regression over the draft
features) and writes src/warmline/engine/calibration.json; the expected calibration error it
reports is cross-validated (each question scored by a model fitted without it).
With --chat-url the LLM composer (and judge) write the answers instead of the extractive one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warmline.bootstrap import Container, build, build_embedder
from warmline.demo import HELP_CENTER
from warmline.demo.intent_model import demo_intent_model
from warmline.engine.confidence import DEFAULT_CALIBRATION
from warmline.evaluation.answers import (
    Outcome,
    fit_from_outcomes,
    load_questions,
    run,
    run_follow_ups,
    run_second_turns,
    run_topic_choices,
    summarise,
    summarise_second_turns,
    summarise_topic_choices,
)
from warmline.evaluation.calibration import (
    ece_noise_floor,
    expected_calibration_error,
    reliability_table,
)
from warmline.evaluation.runs import run_record
from warmline.knowledge.dense import limit_blas_threads
from warmline.settings import Settings
from warmline.storage.memory import in_memory_store

HERE = Path(__file__).resolve().parent


def engine(tmp: Path, chat_url: str | None, chat_model: str | None) -> Container:
    settings = Settings(
        data_dir=tmp,
        composer="llm" if chat_url else "extractive",
        chat_url=chat_url,
        chat_model=chat_model,
        chat_timeout=180.0,
    )
    # As `warmline demo` runs: with the demo shop's own intent model.
    embedder = build_embedder(settings)
    settings = settings.model_copy(
        update={"intent_model": demo_intent_model(settings.data_dir, embedder)}
    )
    container = build(settings, store=in_memory_store(), embedder=embedder)
    container.knowledge.ingest([HELP_CENTER])
    container.conversations.warm_up()  # as `warmline serve` does at start
    return container


def print_summary(title: str, summary: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"{'metric':<44} {'value':>10}")
    print("-" * 55)
    for key, value in summary.items():
        if isinstance(value, dict):
            continue
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:<44} {shown:>10}")
    for kind, row in summary["unanswerable_by_kind"].items():
        print(f"  abstained on {kind:<29} {row['abstained']:>10.3f}  (n={row['n']})")
    print(f"decisions: {summary['decisions']}")
    verifier = summary["verifier"]
    print(
        f"verifier: {verifier['sentences_dropped']} of {verifier['sentences_written']} drafted "
        f"sentences dropped, {verifier['dropped_for_facts_not_in_evidence']} of them for a "
        "number or name the evidence does not state"
    )
    for decision, row in summary["latency_ms_by_decision"].items():
        print(f"  {decision:<9} n={row['n']:<4} p50 {row['p50']:.1f} ms  p95 {row['p95']:.1f} ms")


def calibration_report(outcomes: Sequence[Outcome], fit: bool) -> dict[str, Any]:
    model, cross_validated, labels = fit_from_outcomes(
        outcomes,
        {
            "fitted_on": "benchmarks/data/answers.jsonl (drafted answers)",
            "when": datetime.now(UTC).date().isoformat(),
        },
    )
    ece = expected_calibration_error(cross_validated, labels)
    table = reliability_table(cross_validated, labels)
    print(f"\nCalibration (5-fold cross-validated, {len(labels)} drafted answers)")
    print(f"{'confidence':<14} {'n':>5} {'mean conf':>10} {'accuracy':>10}")
    for b in table:
        if b.count:
            print(
                f"{b.low:.1f}-{b.high:.1f}      {b.count:>5} {b.mean_confidence:>10.3f} "
                f"{b.accuracy:>10.3f}"
            )
    floor, floor_p90 = ece_noise_floor(cross_validated)
    print(f"expected calibration error: {ece:.3f}")
    print(
        f"  a perfectly calibrated model would show {floor:.3f} (90th percentile "
        f"{floor_p90:.3f}) on {len(labels)} answers, by chance alone"
    )
    if fit:
        DEFAULT_CALIBRATION.write_text(model.to_json() + "\n")
        print(f"wrote {DEFAULT_CALIBRATION}")
    return {
        "drafted": len(labels),
        "ece_cross_validated": ece,
        "ece_noise_floor": {"median": floor, "p90": floor_p90},
        "reliability": [b.__dict__ for b in table],
    }


def topic_choice_report(
    container: Container, questions: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """The turn after a clarifying question that named topics, when the customer picks one."""
    answering = container.policy.answering
    choices = summarise_topic_choices(
        run_topic_choices(container, questions),
        bars=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
        answer_at_or_above=answering.answer_at_or_above,
    )
    print(
        f"\nThe customer picks a topic the clarifying question offered ({choices['answerable']} "
        f"answerable: a relevant topic; {choices['unanswerable']} unanswerable: the first one); "
        f"picks recognised {choices['recognised']}"
    )
    print(
        f"  with the policy's bar ({answering.answer_chosen_topic_at_or_above:.2f}): answered "
        f"{choices['answered_answerable']} answerable, {choices['correct']} correctly; answered "
        f"{choices['answered_unanswerable']} unanswerable"
    )
    print(f"{'bar':>6} {'answered':>9} {'correct':>8} {'wrong':>6} {'answered unanswerable':>22}")
    for row in choices["by_bar"]:
        print(
            f"{row['bar']:>6.2f} {row['answered_answerable']:>9} {row['correct']:>8} "
            f"{row['wrong']:>6} {row['answered_unanswerable']:>22}"
        )
    return choices


def follow_up_report(container: Container, questions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A new question on the same article right after an answer: how often it reads as a loop."""
    follow_ups = run_follow_ups(container, questions)
    pairs = follow_ups["pairs"]
    looped = follow_ups["rules"].get("asked_again_unanswered", 0)
    print(
        f"\nA new question on the same article after an answer ({pairs} pairs): handed over as "
        f"a loop {looped} ({looped / max(1, pairs):.1%}), none of them one"
    )
    print("  " + ", ".join(f"{rule} {n}" for rule, n in follow_ups["rules"].items()))
    return follow_ups


def second_turn_report(
    container: Container,
    questions: Sequence[dict[str, Any]],
    outcomes: Sequence[Outcome],
    follow_ups: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """Second turns: follow-ups that lean on the first question, and new questions on another
    topic (did the first question's context get in their way?)."""
    leaning = summarise_second_turns(
        run_second_turns(container, [(item["previous"], item) for item in follow_ups])
    )
    answerable = [q for q in questions if q["answerable"] and q["relevant"]]
    pairs = []
    for index, first in enumerate(answerable):
        later = answerable[index + 1 :] + answerable[:index]
        second = next((q for q in later if q["relevant"][0] not in first["relevant"]), None)
        if second is not None:
            pairs.append((first["query"], second))
    other = run_second_turns(container, pairs)
    alone = {o.query: o.correct for o in outcomes}
    after_answer = [t for t in other if t.first_decision == "answer"]
    other_topic = {
        **summarise_second_turns(other),
        "after_an_answer_correct_when_asked_first": sum(alone[t.query] for t in after_answer),
    }
    print(
        f"\n{'second turn':<44} {'n':>4} {'correct':>8} {'wrong':>6} {'clarified':>10} "
        f"{'naming a relevant topic':>24} {'handed over':>12} {'unanswerable answered':>22}"
    )
    rows = [
        ("follow-up leaning on the first question", leaning["all"]),
        ("  of which after an answer", leaning["after_an_answer"]),
        ("  of which after a clarifying question", leaning["after_a_clarifying_question"]),
        ("new question on another topic", other_topic["all"]),
        ("  of which after an answer", other_topic["after_an_answer"]),
    ]
    for title, row in rows:
        print(
            f"{title:<44} {row['n']:>4} {row['correct']:>8} {row['wrong']:>6} "
            f"{row['clarified']:>10} {row['clarified_naming_a_relevant_topic']:>24} "
            f"{row['handed_over']:>12} {row['unanswerable_answered']:>22}"
        )
    print(
        f"{'the customer then picks the topic':<44} {'correct':>8} {'wrong':>6} "
        f"{'unanswerable answered':>22}"
    )
    for title, row in rows:
        print(
            f"{title:<44} {row['picked_then_correct']:>8} {row['picked_then_wrong']:>6} "
            f"{row['unanswerable_picked_then_answered']:>22}"
        )
    print(
        "  the same new questions asked first: "
        f"{other_topic['after_an_answer_correct_when_asked_first']} correct"
    )
    return {"leaning_follow_ups": leaning, "other_topic": other_topic}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=HERE / "data" / "answers.jsonl")
    parser.add_argument("--follow-ups", type=Path, default=HERE / "data" / "follow_ups.jsonl")
    parser.add_argument("--fit", action="store_true", help="Refit the shipped calibration.")
    parser.add_argument("--chat-url", default=None)
    parser.add_argument("--chat-model", default="local")
    parser.add_argument("--limit", type=int, default=0, help="Use every Nth question to get N.")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    limit_blas_threads()
    questions = load_questions(args.questions)
    if args.limit and args.limit < len(questions):
        step = len(questions) / args.limit
        questions = [questions[int(i * step)] for i in range(args.limit)]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        container = engine(Path(tmp), args.chat_url, args.chat_model if args.chat_url else None)
        composer = "llm" if args.chat_url else "extractive"
        print(f"{len(questions)} questions, {composer} composer", file=sys.stderr)
        outcomes = run(container, questions)
        calibration = calibration_report(outcomes, args.fit)
        if args.fit:
            container.close()
            container = engine(Path(tmp) / "refit", None, None)
            outcomes = run(container, questions)
        summary = summarise(outcomes)
        print_summary(f"Answers ({composer} composer)", summary)
        choices = topic_choice_report(container, questions)
        follow_ups = follow_up_report(container, questions)
        second_turns = second_turn_report(
            container, questions, outcomes, load_questions(args.follow_ups)
        )
        container.close()
    result = {
        **run_record("answers.py"),
        "composer": composer,
        "summary": summary,
        "calibration": calibration,
        "topic_choices": choices,
        "follow_ups": follow_ups,
        "second_turns": second_turns,
        "failures": [
            {
                "query": o.query,
                "kind": o.kind,
                "decision": o.decision,
                "rule": o.rule,
                "confidence": o.confidence,
                "reply": o.reply[:300],
            }
            for o in outcomes
            if (o.answerable and not o.correct) or (not o.answerable and o.decision == "answer")
        ],  # fmt: skip
    }
    out = args.out or HERE / "results" / f"answers-{composer}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out}")
    print(f"median {statistics.median(o.seconds for o in outcomes) * 1000:.1f} ms per turn")


if __name__ == "__main__":
    main()
