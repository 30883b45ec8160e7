"""Signal detectors on their own labelled data: cross-validated precision, recall and F1.

    python benchmarks/signals.py [--folds 5] [--out benchmarks/results/signals.json]

Each learned detector (explicit request, frustration, sensitive topic, security) is trained on
four fifths of its data in `src/warmline/signals/data/` and scored on the rest, five times, with
the same features as in production (character and word n-grams plus MiniLM embeddings). The
binary figures use the default policy's thresholds: a message counts as positive when the
detector's probability for any positive label reaches the policy's bar. The scenario suite
(`benchmarks/escalation.py`) is the end-to-end test; this is the per-component one.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from warmline.bootstrap import build_embedder
from warmline.evaluation.runs import run_record
from warmline.knowledge.dense import limit_blas_threads
from warmline.knowledge.embeddings import CachedEmbedder
from warmline.policy.model import load_policy
from warmline.settings import Settings
from warmline.signals.classifier import TextClassifier
from warmline.signals.detectors import (
    FrustrationDetector,
    TopicDetector,
    ordinary_messages,
    training_pairs,
)
from warmline.storage.memory import InMemoryEmbeddingCache

HERE = Path(__file__).resolve().parent


def cross_validated(
    pairs: list[tuple[str, str]],
    embedder: CachedEmbedder,
    folds: int,
) -> list[dict[str, float]]:
    """Each line's label probabilities from a model that never saw it."""
    rng = np.random.default_rng(7)
    order = rng.permutation(len(pairs))
    out: list[dict[str, float]] = [{} for _ in pairs]
    for fold in range(folds):
        test = set(order[fold::folds].tolist())
        train = [pairs[i] for i in range(len(pairs)) if i not in test]
        model = TextClassifier(train, embedder=embedder)
        tested = sorted(test)
        for index, prediction in zip(
            tested, model.predict_many([pairs[i][0] for i in tested]), strict=True
        ):
            out[index] = prediction.probabilities
    return out


def cross_validated_reading(
    pairs: list[tuple[str, str]],
    embedder: CachedEmbedder,
    folds: int,
    fires: Callable[[TextClassifier, list[str]], list[bool]],
) -> list[bool]:
    """Whether the detector as the reader uses it (its sentences read too) fires on each line,
    from a model that never saw it. Same folds as :func:`cross_validated`."""
    rng = np.random.default_rng(7)
    order = rng.permutation(len(pairs))
    out = [False for _ in pairs]
    for fold in range(folds):
        test = sorted(order[fold::folds].tolist())
        tested = set(test)
        model = TextClassifier(
            [pairs[i] for i in range(len(pairs)) if i not in tested], embedder=embedder
        )
        for index, fired in zip(test, fires(model, [pairs[i][0] for i in test]), strict=True):
            out[index] = fired
    return out


def binary(truth: list[bool], predicted: list[bool]) -> dict[str, float]:
    tp = sum(t and p for t, p in zip(truth, predicted, strict=True))
    fp = sum(p and not t for t, p in zip(truth, predicted, strict=True))
    fn = sum(t and not p for t, p in zip(truth, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(truth),
        "positives": sum(truth),
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def bar_for_precision(truth: list[bool], scores: list[float], target: float) -> float | None:
    """The lowest threshold whose precision on these (cross-validated) scores meets target."""
    for bar in np.arange(0.3, 1.0, 0.01):
        chosen = [t for t, s in zip(truth, scores, strict=True) if s >= bar]
        if chosen and sum(chosen) / len(chosen) >= target:
            return round(float(bar), 2)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "signals.json")
    args = parser.parse_args()
    limit_blas_threads()
    policy = load_policy().escalation
    embedder = CachedEmbedder(build_embedder(Settings()), InMemoryEmbeddingCache())
    specs = [
        ("human_request", "human_request", "true", policy.human_request_min_probability),
        ("frustration (one message)", "frustration", "true", policy.frustration.escalate_at),
        ("frustration (sustained bar)", "frustration", "true", policy.frustration.sustained_at),
        ("sensitive_topic", "sensitive", None, policy.sensitive_min_probability),
        ("security", "security", None, policy.security_min_probability),
    ]  # fmt: skip
    ordinary = set(ordinary_messages())
    rows = {}
    cache: dict[str, list[dict[str, float]]] = {}
    for name, kind, positive, threshold in specs:
        # Everything the production classifier trains on, ordinary messages included.
        pairs = training_pairs(kind)  # type: ignore[arg-type]
        if kind not in cache:
            cache[kind] = cross_validated(pairs, embedder, args.folds)
        probabilities = cache[kind]
        truth = [(label == positive) if positive else label != "none" for _, label in pairs]
        scores = [
            p.get(positive, 0.0) if positive else 1.0 - p.get("none", 0.0) for p in probabilities
        ]
        predicted = [score >= threshold for score in scores]
        on_ordinary = [p for (text, _), p in zip(pairs, predicted, strict=True) if text in ordinary]
        row = {
            "threshold": threshold,
            **binary(truth, predicted),
            "fired_on_ordinary_messages": sum(on_ordinary) / max(1, len(on_ordinary)),
            "bar_for_precision_0.95": bar_for_precision(truth, scores, 0.95),
        }
        if not positive:
            labels = [label for _, label in pairs]
            guessed = [max(p.items(), key=lambda kv: kv[1])[0] for p in probabilities]
            row["topic_accuracy_on_positives"] = sum(
                g == t for g, t in zip(guessed, labels, strict=True) if t != "none"
            ) / max(1, sum(t != "none" for t in labels))
        rows[name] = row
    # The reader reads a message of several sentences sentence by sentence too (frustration:
    # its second-angriest sentence; sensitive topics: a sentence for the topic the whole leans
    # to). These rows score that production reading, on the same folds.
    escalation = load_policy().escalation

    def frustrated(model: TextClassifier, texts: list[str]) -> list[bool]:
        scores = FrustrationDetector(model).scores(texts)
        return [score >= policy.frustration.escalate_at for score in scores]

    def sensitive(model: TextClassifier, texts: list[str]) -> list[bool]:
        detector = TopicDetector(
            model, min_probability=policy.sensitive_min_probability, by_sentence=True
        )
        bars = {"self_harm": escalation.self_harm_min_probability}
        return [
            detector.detect(text, escalation.sensitive_topics, bars) is not None for text in texts
        ]

    for name, kind, positive, threshold, fires in [
        ("frustration (as read)", "frustration", "true", policy.frustration.escalate_at,
         frustrated),
        ("sensitive_topic (as read)", "sensitive", None, policy.sensitive_min_probability,
         sensitive),
    ]:  # fmt: skip
        pairs = training_pairs(kind)  # type: ignore[arg-type]
        truth = [(label == positive) if positive else label != "none" for _, label in pairs]
        predicted = cross_validated_reading(pairs, embedder, args.folds, fires)
        on_ordinary = [p for (text, _), p in zip(pairs, predicted, strict=True) if text in ordinary]
        rows[name] = {
            "threshold": threshold,
            **binary(truth, predicted),
            "fired_on_ordinary_messages": sum(on_ordinary) / max(1, len(on_ordinary)),
        }
    print(
        f"{'detector':<30} {'n':>5} {'pos':>5} {'bar':>5} {'precision':>10} {'recall':>7} "
        f"{'F1':>6} {'ordinary fired':>15}"
    )
    for name, row in rows.items():
        print(
            f"{name:<30} {row['n']:>5} {row['positives']:>5} {row['threshold']:>5.2f} "
            f"{row['precision']:>10.3f} {row['recall']:>7.3f} {row['f1']:>6.3f} "
            f"{row['fired_on_ordinary_messages']:>15.1%}"
        )
    for name, row in rows.items():
        if "bar_for_precision_0.95" in row:
            print(f"{name}: precision 0.95 from a bar of {row['bar_for_precision_0.95']}")
    for name, row in rows.items():
        if "topic_accuracy_on_positives" in row:
            print(f"{name}: right topic on {row['topic_accuracy_on_positives']:.1%} of positives")
    result = {
        **run_record("signals.py"),
        "folds": args.folds,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
