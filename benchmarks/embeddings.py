"""Embedding benchmark: speed of the local all-MiniLM-L6-v2 (int8 ONNX) embedder on this machine.

    python benchmarks/embeddings.py [--sentences 1024] [--passages 256] [--queries 200]
                                    [--rounds 3] [--out benchmarks/results/embeddings.json]

Measures model load time, short sentences per second (batches of 32), ~100-word passages per
second (batches of 32), single-query latency p50/p95, and peak RSS. Short sentences and queries
are real customer-support utterances from ../shared/data (BANKING77, CLINC150) when that folder
is there, generated ones otherwise; passages are 100-word windows of the demo help center.
Batches hold at most 32 texts and at most 1,024 padded tokens (the embedder's defaults), so
passages go about 7 to a batch. Throughput is the median of --rounds runs: the machine may be
shared and its speed varies (the load average is recorded beside the figures).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import resource
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from warmline.knowledge.embeddings import OnnxMiniLmEmbedder

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
HELP_CENTER = REPO / "src" / "warmline" / "demo" / "helpcenter"
SHARED = REPO.parent / "shared" / "data"

TARGETS = {"sentences_per_s": 500.0, "passages_per_s": 200.0, "query_p50_ms": 10.0}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def csv_column(path: Path, column: str) -> list[str]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def short_sentences(count: int, seed: int) -> tuple[list[str], str]:
    real = list(dict.fromkeys(csv_column(SHARED / "banking77" / "train.csv", "text")))
    if len(real) >= count:
        return random.Random(seed).sample(real, count), "BANKING77 train utterances"
    rng = random.Random(seed)
    verbs = ["reset", "change", "cancel", "track", "return", "update", "find", "pay for"]
    things = ["my password", "my order", "the delivery", "a refund", "my card", "my address"]
    tails = ["", " today", " please", " from my phone", " without an account"]
    return [
        f"How do I {rng.choice(verbs)} {rng.choice(things)}{rng.choice(tails)}?"
        for _ in range(count)
    ], "generated support questions"


def queries(count: int, seed: int) -> tuple[list[str], str]:
    real = csv_column(SHARED / "clinc150" / "val.csv", "text")
    if len(real) >= count:
        return random.Random(seed).sample(real, count), "CLINC150 validation utterances"
    sentences, source = short_sentences(count, seed + 1)
    return sentences, source


def passages(count: int, words: int = 100) -> list[str]:
    tokens: list[str] = []
    for path in sorted(HELP_CENTER.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)  # front matter
        tokens += re.sub(r"[#|*`>-]+", " ", text).split()
    step = max(1, (len(tokens) - words) // count)
    return [" ".join(tokens[i * step : i * step + words]) for i in range(count)]


def throughput(embedder: OnnxMiniLmEmbedder, texts: Sequence[str], rounds: int) -> list[float]:
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        embedder.embed(texts)
        rates.append(len(texts) / (time.perf_counter() - started))
    return rates


def mean_tokens(embedder: OnnxMiniLmEmbedder, texts: Sequence[str]) -> float:
    tokenizer = embedder._loaded().tokenizer  # the benchmark may look inside
    return statistics.fmean(len(e.ids) for e in tokenizer.encode_batch(list(texts)))


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1024)
    parser.add_argument("--passages", type=int, default=256)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "embeddings.json")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    embedder = OnnxMiniLmEmbedder(batch_size=32, threads=args.threads, max_batch_tokens=1024)
    started = time.perf_counter()
    embedder.load()
    load_s = time.perf_counter() - started

    sentences, sentence_source = short_sentences(args.sentences, seed=7)
    chunks = passages(args.passages)
    single, query_source = queries(args.queries, seed=11)
    embedder.embed(sentences[:64] + chunks[:32])  # warm up the session's buffers

    sentence_rates = throughput(embedder, sentences, args.rounds)
    passage_rates = throughput(embedder, chunks, args.rounds)
    latencies_ms = []
    for query in single:
        started = time.perf_counter()
        embedder.embed([query])
        latencies_ms.append((time.perf_counter() - started) * 1000)

    sentence_figures = {
        "source": sentence_source,
        "count": len(sentences),
        "batch_size": 32,
        "mean_tokens": round(mean_tokens(embedder, sentences), 1),
        "per_s_median": round(statistics.median(sentence_rates), 1),
        "per_s_rounds": [round(r, 1) for r in sentence_rates],
    }
    passage_figures = {
        "source": "demo help center, 100-word windows",
        "count": len(chunks),
        "batch_size": 32,
        "mean_tokens": round(mean_tokens(embedder, chunks), 1),
        "per_s_median": round(statistics.median(passage_rates), 1),
        "per_s_rounds": [round(r, 1) for r in passage_rates],
    }
    query_figures = {
        "source": query_source,
        "count": len(single),
        "mean_tokens": round(mean_tokens(embedder, single), 1),
        "p50_ms": round(percentile(latencies_ms, 0.50), 2),
        "p95_ms": round(percentile(latencies_ms, 0.95), 2),
        "max_ms": round(max(latencies_ms), 2),
    }
    peak_mb = round(peak_rss_mb(), 1)
    load_after = os.getloadavg()[0]
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": embedder.name,
        "dimensions": embedder.dimensions,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "onnxruntime": version("onnxruntime"),
            "tokenizers": version("tokenizers"),
            "intra_op_threads": args.threads,
            "batch_size": 32,
            "max_batch_tokens": 1024,
            "load_average_before": round(load_before, 2),
            "load_average_after": round(load_after, 2),
        },
        "model_load_s": round(load_s, 3),
        "sentences": sentence_figures,
        "passages": passage_figures,
        "single_query": query_figures,
        "peak_rss_mb": peak_mb,
        "targets": TARGETS,
    }

    s, p, q = sentence_figures, passage_figures, query_figures
    rows = [
        ("model load", f"{load_s:.2f} s", ""),
        (
            f"short sentences, batch 32 (~{s['mean_tokens']} tokens)",
            f"{s['per_s_median']:.0f} /s",
            f">= {TARGETS['sentences_per_s']:.0f} /s",
        ),
        (
            f"100-word passages, 1,024-token batches (~{p['mean_tokens']} tokens)",
            f"{p['per_s_median']:.0f} /s",
            f">= {TARGETS['passages_per_s']:.0f} /s",
        ),
        ("single query p50", f"{q['p50_ms']:.1f} ms", f"<= {TARGETS['query_p50_ms']:.0f} ms"),
        ("single query p95", f"{q['p95_ms']:.1f} ms", ""),
        ("peak RSS", f"{peak_mb:.0f} MB", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{embedder.name} on {os.cpu_count()} CPUs, {args.threads} threads")
    print(f"{'measure':<{width}}  {'value':>10}  target")
    for label, value, target in rows:
        print(f"{label:<{width}}  {value:>10}  {target}")
    print(f"load average {load_before:.2f} before, {load_after:.2f} after")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")


if __name__ == "__main__":
    main()
