"""Intent benchmark: the intent model on public data sets, beside published figures.

    python benchmarks/intents.py [--only clinc|banking|hint3] [--data ../shared/data]
                                 [--out benchmarks/results/intents.json]

- CLINC150: trained on train.csv (15,000 in-scope + 100 out-of-scope rows), scored on val.csv.
  Also trained without its out-of-scope rows, to show the rule used when a shop has none.
- BANKING77: 20 % of train.csv held out (stratified, seed 13); trained on all the rest, and
  on 10 examples per intent drawn from it (seed 13).
- HINT3: per bot, 5-fold stratified cross-validation (seed 13) on its training file.

Every figure comes from the production code path (``IntentModel.train`` / ``predict_embedded``
with the default embedder). Sentence vectors are cached under ``var/benchmarks/`` by embedder
name and text hash, so reruns skip the embedding; training times below exclude embedding
(the time to embed is the row count over the measured embedding throughput).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from warmline.bootstrap import build_embedder
from warmline.evaluation.runs import run_record
from warmline.intents import IntentModel
from warmline.intents.examples import score
from warmline.knowledge.dense import limit_blas_threads
from warmline.knowledge.embeddings import CachedEmbedder, Embedder
from warmline.settings import Settings
from warmline.storage.sql.database import create_engine, upgrade
from warmline.storage.sql.repos import sql_store

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SEED = 13

PUBLISHED = {
    "clinc150": "BERT + threshold 96.2 / 52.3; BERT oos-as-class 96.9 / 40.3 (test split)",
    "banking77 full": "BERT 93.66; USE+ConveRT 93.36 (test split)",
    "banking77 10-shot": "USE+ConveRT 85.19 (test split)",
}


def rows(path: Path, text_col: str, label_col: str) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(r[text_col], r[label_col]) for r in csv.DictReader(handle) if r[text_col].strip()]


def stratified_split(
    examples: list[tuple[str, str]], share: float, rng: np.random.Generator
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    by_label: dict[str, list[int]] = {}
    for index, (_, label) in enumerate(examples):
        by_label.setdefault(label, []).append(index)
    held: set[int] = set()
    for indices in by_label.values():
        chosen = rng.permutation(indices)[: round(share * len(indices))]
        held.update(int(i) for i in chosen)
    rest = [e for i, e in enumerate(examples) if i not in held]
    return rest, [e for i, e in enumerate(examples) if i in held]


def k_per_label(
    examples: list[tuple[str, str]], k: int, rng: np.random.Generator
) -> list[tuple[str, str]]:
    by_label: dict[str, list[tuple[str, str]]] = {}
    for example in examples:
        by_label.setdefault(example[1], []).append(example)
    chosen = []
    for label in sorted(by_label):
        group = by_label[label]
        chosen += [group[int(i)] for i in rng.permutation(len(group))[:k]]
    return chosen


def trained(
    examples: list[tuple[str, str]], embedder: Embedder, oos_label: str | None
) -> tuple[IntentModel, float]:
    embedder.embed([text for text, _ in examples])  # warm the cache: time the fitting alone
    started = time.perf_counter()
    model = IntentModel.train(examples, embedder=embedder, oos_label=oos_label, seed=SEED)
    return model, time.perf_counter() - started


def scored(
    model: IntentModel, examples: list[tuple[str, str]], embedder: Embedder, oos_label: str | None
) -> dict[str, Any]:
    texts = [text for text, _ in examples]
    predictions = model.predict_embedded(texts, embedder.embed(texts))
    truth = [label for _, label in examples]
    figures: dict[str, Any] = score(truth, [p.intent for p in predictions], oos_label=oos_label)
    # Published closed-set figures never reject: the best intent, out-of-scope check off.
    in_scope = [(t, p.best) for t, p in zip(truth, predictions, strict=True) if t != oos_label]
    figures["accuracy_without_rejection"] = round(
        sum(t == b for t, b in in_scope) / max(1, len(in_scope)), 4
    )
    figures["closed_macro_f1"] = score(
        [t for t, _ in in_scope], [b for _, b in in_scope], oos_label=None
    )["macro_f1"]
    return figures


def clinc(data: Path, embedder: Embedder) -> dict[str, Any]:
    train = rows(data / "clinc150" / "train.csv", "text", "label")
    val = rows(data / "clinc150" / "val.csv", "text", "label")
    model, seconds = trained(train, embedder, "oos")
    result = {
        "with oos rows": {
            "train_rows": len(train),
            "train_seconds": round(seconds, 1),
            **scored(model, val, embedder, "oos"),
            "model": {k: model.info[k] for k in ("threshold", "probability_weight", "validation")},
            "hindsight": hindsight(model, val, embedder, "oos"),
        }
    }
    in_scope_only = [e for e in train if e[1] != "oos"]
    model, seconds = trained(in_scope_only, embedder, None)
    result["without oos rows"] = {
        "train_rows": len(in_scope_only),
        "train_seconds": round(seconds, 1),
        **scored(model, val, embedder, "oos"),
        "model": {k: model.info[k] for k in ("threshold", "probability_weight", "validation")},
    }
    result["latency"] = latency(model, val, embedder)
    return result


def hindsight(
    model: IntentModel, examples: list[tuple[str, str]], embedder: Embedder, oos_label: str
) -> dict[str, Any]:
    """What the score could do with a threshold picked on the evaluation data itself: not a
    fair figure, only a measure of how well the score ranks (the shipped threshold is chosen
    on the training data's validation split)."""
    texts = [text for text, _ in examples]
    vectors = embedder.embed(texts)
    scores = model.scope_scores(texts, vectors)
    right = np.array(
        [
            p.best == label
            for p, (_, label) in zip(model.predict_embedded(texts, vectors), examples, strict=True)
        ]
    )
    outside = np.array([label == oos_label for _, label in examples])
    inside_scores, outside_scores = scores[~outside], scores[outside]
    auroc = float(np.mean(inside_scores[:, None] > outside_scores[None, :]))
    found: dict[str, Any] = {"auroc": round(auroc, 4)}
    for target in (0.96, 0.95):
        best = None
        for threshold in np.unique(scores):
            accuracy = float((right & (scores >= threshold))[~outside].mean())
            if accuracy >= target:
                best = (float(threshold), accuracy, float((outside_scores < threshold).mean()))
        if best is not None:
            found[f"oos_recall_at_in_scope_{target:.2f}"] = round(best[2], 4)
    return found


def banking(data: Path, embedder: Embedder) -> dict[str, Any]:
    examples = rows(data / "banking77" / "train.csv", "text", "category")
    rest, held = stratified_split(examples, 0.2, np.random.default_rng(SEED))
    result = {}
    for name, train in (
        ("full", rest),
        ("10-shot", k_per_label(rest, 10, np.random.default_rng(SEED))),
    ):
        model, seconds = trained(train, embedder, None)
        result[name] = {
            "train_rows": len(train),
            "test_rows": len(held),
            "train_seconds": round(seconds, 1),
            **scored(model, held, embedder, None),
        }
    return result


def hint3(data: Path, embedder: Embedder, folds: int = 5) -> dict[str, Any]:
    from sklearn.model_selection import StratifiedKFold

    result = {}
    for bot in ("sofmattress", "curekart", "powerplay11"):
        examples = rows(data / "hint3" / f"{bot}_train.csv", "sentence", "label")
        labels = [label for _, label in examples]
        truth: list[str] = []
        best: list[str] = []
        accepted: list[str | None] = []
        seconds = 0.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # intents with fewer than 5 examples
            splits = list(
                StratifiedKFold(folds, shuffle=True, random_state=SEED).split(examples, labels)
            )
        for train_rows, test_rows in splits:
            model, took = trained([examples[i] for i in train_rows], embedder, None)
            seconds += took
            texts = [examples[i][0] for i in test_rows]
            predictions = model.predict_embedded(texts, embedder.embed(texts))
            truth += [labels[i] for i in test_rows]
            best += [p.best for p in predictions]
            accepted += [p.intent for p in predictions]
        closed = score(truth, best, oos_label=None)
        result[bot] = {
            "rows": len(examples),
            "intents": len(set(labels)),
            "folds": folds,
            "accuracy": closed["in_scope_accuracy"],
            "macro_f1": closed["macro_f1"],
            "accuracy_with_rejection": score(truth, accepted, oos_label=None)["in_scope_accuracy"],
            "train_seconds_per_fold": round(seconds / folds, 1),
        }
    return result


def latency(
    model: IntentModel, examples: list[tuple[str, str]], embedder: Embedder, count: int = 1000
) -> dict[str, float]:
    """Milliseconds per message for ``predict_embedded``, one message at a time."""
    texts = [text for text, _ in examples][:count]
    vectors = embedder.embed(texts)
    for index in range(20):  # warm-up
        model.predict_embedded([texts[index]], vectors[index : index + 1])
    timings = []
    for index, text in enumerate(texts):
        started = time.perf_counter()
        model.predict_embedded([text], vectors[index : index + 1])
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "messages": len(timings),
        "p50_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(0.95 * len(timings))], 3),
    }


def throughput(inner: Embedder, data: Path, count: int = 1024) -> dict[str, float]:
    texts = [t for t, _ in rows(data / "clinc150" / "val.csv", "text", "label")][:count]
    inner.embed(texts[:32])  # loads the model
    started = time.perf_counter()
    inner.embed(texts)
    seconds = time.perf_counter() - started
    return {"sentences": len(texts), "per_second": round(len(texts) / seconds, 1)}


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def table(results: dict[str, Any]) -> list[str]:
    lines = [
        f"{'data set':<28} {'in-scope acc':>12} {'oos recall':>10} {'oos prec':>8} "
        f"{'macro F1':>8} {'train s':>8}  published"
    ]
    for name, row in results.get("clinc150", {}).items():
        if name == "latency":
            continue
        lines.append(
            f"{'clinc150 ' + name:<28} {pct(row['in_scope_accuracy']):>12} "
            f"{pct(row['oos_recall']):>10} {pct(row['oos_precision']):>8} "
            f"{pct(row['macro_f1']):>8} {row['train_seconds']:>8}  {PUBLISHED['clinc150']}"
        )
    for name, row in results.get("banking77", {}).items():
        lines.append(
            f"{'banking77 ' + name:<28} {pct(row['accuracy_without_rejection']):>12} "
            f"{'-':>10} {'-':>8} {pct(row['closed_macro_f1']):>8} {row['train_seconds']:>8}  "
            f"{PUBLISHED['banking77 ' + name]}"
        )
    for bot, row in results.get("hint3", {}).items():
        lines.append(
            f"{'hint3 ' + bot + ' (5-fold)':<28} {pct(row['accuracy']):>12} {'-':>10} {'-':>8} "
            f"{pct(row['macro_f1']):>8} {row['train_seconds_per_fold']:>8}  -"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("clinc", "banking", "hint3"), default=None)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "intents.json")
    args = parser.parse_args()
    limit_blas_threads()
    inner = build_embedder(Settings())
    # The product's own embedding cache (the `embeddings` table), in a SQLite file of its own:
    # reruns embed nothing twice.
    folder = REPO / "var" / "benchmarks"
    folder.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{folder / 'intent-embeddings.db'}")
    upgrade(engine)
    embedder = CachedEmbedder(inner, sql_store(engine).embeddings)
    results: dict[str, Any] = {}
    if args.only in (None, "clinc"):
        results["clinc150"] = clinc(args.data, embedder)
    if args.only in (None, "banking"):
        results["banking77"] = banking(args.data, embedder)
    if args.only in (None, "hint3"):
        results["hint3"] = hint3(args.data, embedder)
    results["embedding"] = throughput(inner, args.data)
    print("\n".join(table(results)))
    if "clinc150" in results:
        speed = results["clinc150"]["latency"]
        print(
            f"inference after embedding (CLINC150 model, one message at a time): "
            f"p50 {speed['p50_ms']} ms, p95 {speed['p95_ms']} ms"
        )
    print(f"embedding: {results['embedding']['per_second']} sentences/s ({inner.name})")
    report = {
        **run_record("intents.py"),
        "embedder": inner.name,
        "published": PUBLISHED,
        "results": results,
    }
    out: Path = args.out
    if args.only and out.exists():  # a partial run updates its part only
        previous = json.loads(out.read_text())
        report["results"] = {**previous.get("results", {}), **results}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
