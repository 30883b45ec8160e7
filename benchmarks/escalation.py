"""Escalation benchmark: the scenario suite through the production engine on the demo shop.

    python benchmarks/escalation.py [--scenarios benchmarks/data/escalation_scenarios.yaml]
                                    [--out benchmarks/results/escalation.json]

Reports precision, recall and F1 per reason code and overall, the turn error (escalating too
early or too late), false escalations on conversations that must never escalate, and recall of
explicit requests in the same turn. Same code path as `warmline test SCENARIOS.yaml`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from warmline.bootstrap import build, build_embedder, build_index
from warmline.demo import HELP_CENTER
from warmline.demo.intent_model import demo_intent_model
from warmline.evaluation.runs import run_record
from warmline.evaluation.scenarios import FaultSwitch, load_scenarios, run_scenario, summarise
from warmline.knowledge.dense import limit_blas_threads
from warmline.settings import Settings
from warmline.storage.memory import in_memory_store

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenarios", type=Path, default=HERE / "data" / "escalation_scenarios.yaml"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "escalation.json")
    parser.add_argument(
        "--no-intents", action="store_true", help="run without the demo shop's intent model"
    )
    args = parser.parse_args()
    limit_blas_threads()
    suite = load_scenarios(args.scenarios)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        store = in_memory_store()
        embedder = build_embedder(settings)
        if not args.no_intents:  # the demo shop runs with its own intent model, as in the demo
            folder = demo_intent_model(settings.data_dir, embedder)
            settings = settings.model_copy(update={"intent_model": folder})
        faults = FaultSwitch(build_index(settings, store.embeddings, embedder))
        container = build(settings, store=store, index=faults, embedder=embedder)
        container.knowledge.ingest([HELP_CENTER])
        container.conversations.warm_up()
        started = time.perf_counter()
        results = [run_scenario(container.conversations, s, faults) for s in suite]
        seconds = time.perf_counter() - started
        container.close()
    summary = summarise(results)

    print(f"{len(suite)} scenarios in {seconds:.1f} s; {summary['passed']} passed")
    print(f"\n{'reason':<24} {'n':>4} {'precision':>10} {'recall':>8} {'F1':>6}")
    for code, row in summary["per_reason"].items():
        print(
            f"{code:<24} {row['support']:>4} {row['precision']:>10.3f} {row['recall']:>8.3f} "
            f"{row['f1']:>6.3f}"
        )
    overall = summary["overall"]
    print(
        f"{'overall (micro)':<24} {'':>4} {overall['precision']:>10.3f} "
        f"{overall['recall']:>8.3f} {overall['f1']:>6.3f}"
    )
    turns = summary["turn_error"]
    print(
        f"\nturn: {turns['exact']} exact, {turns['early']} early, {turns['late']} late, "
        f"{turns['missed']} never escalated"
    )
    print(
        f"false escalations: {summary['false_escalation_rate']:.1%} of "
        f"{summary['never_scenarios']} conversations that must never escalate"
    )
    same_turn = summary["explicit_request_same_turn_recall"]
    print(f"explicit requests honoured in the same turn: {same_turn:.1%}")
    reached = summary["explicit_request_reached_same_turn_recall"]
    if reached is not None:
        print(
            f"  of the {summary['explicit_requests_reached']} made before any other handoff: "
            f"{reached:.1%}"
        )
    failures = [r for r in results if not r.passed]
    if failures:
        print("\nfailures:")
        for r in failures:
            print(f"  {r.id}: {r.why}")
    result = {
        **run_record("escalation.py"),
        "seconds": seconds,
        "intent_model": not args.no_intents,
        "summary": summary,
        "failures": [r.as_dict() for r in failures],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
