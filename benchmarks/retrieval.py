"""Retrieval benchmark: quality on the demo help center and speed on a 20,000-chunk index.

    python benchmarks/retrieval.py [--queries benchmarks/data/retrieval_eval.jsonl]
                                   [--large-chunks 20000] [--out benchmarks/results/retrieval.json]

Quality: recall@1/5/10, MRR and nDCG@10 for lexical only (BM25), dense only, hybrid (reciprocal
rank fusion) and hybrid + rerank, beside a plain rank-bm25 baseline on the same questions.
Speed: ingestion throughput with the default embedder, query latency p50/p95 on a large index,
peak memory. The large index is the demo help center plus real public utterances from
../shared/data (CLINC150, BANKING77, HINT3) as distractor chunks.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rank_bm25 import BM25Okapi

from warmline.clock import SystemClock
from warmline.domain.ids import ArticleId, ChunkId
from warmline.domain.knowledge import Article, Audience, Chunk
from warmline.evaluation.retrieval import load_queries, score
from warmline.evaluation.runs import run_record
from warmline.knowledge.dense import DenseIndex, limit_blas_threads
from warmline.knowledge.embeddings import CachedEmbedder, OnnxMiniLmEmbedder
from warmline.knowledge.hybrid import HybridIndex
from warmline.knowledge.index import Bm25Index, KnowledgeIndex, indexed_text
from warmline.knowledge.rerank import FeatureReranker
from warmline.knowledge.service import KnowledgeService
from warmline.knowledge.text import terms
from warmline.storage.memory import InMemoryEmbeddingCache, in_memory_store

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
HELP_CENTER = REPO / "src" / "warmline" / "demo" / "helpcenter"
SHARED = REPO.parent / "shared" / "data"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ids_of(index: KnowledgeIndex, audience: Audience | None) -> Callable[[str], list[str]]:
    def search(query: str) -> list[str]:
        return [h.article.id for h in index.search(query, k=30, audience=audience)]

    return search


def quality(queries_path: Path, folds: int) -> tuple[list[dict[str, object]], int]:
    store = in_memory_store()
    model = OnnxMiniLmEmbedder()
    lexical = Bm25Index()
    dense = DenseIndex(CachedEmbedder(model, InMemoryEmbeddingCache()), query_embedder=model)
    hybrid = HybridIndex(lexical, dense)
    reranked = HybridIndex(lexical, dense, FeatureReranker())
    service = KnowledgeService(store.knowledge, reranked, SystemClock())
    service.ingest([HELP_CENTER])
    queries = load_queries(queries_path)
    rows: list[dict[str, object]] = []
    customer = Audience.CUSTOMER
    for name, index in [
        ("lexical (BM25, bm25s)", lexical),
        ("dense (MiniLM int8)", dense),
        ("hybrid (RRF)", hybrid),
        ("hybrid + rerank (default)", reranked),
    ]:
        search = ids_of(index, customer)
        row: dict[str, object] = {"method": name, **score(queries, search).as_dict()}
        # Per-fold figures (fixed seed) show how much a difference moves between halves.
        shuffled = random.Random(7).sample(queries, len(queries))
        row["folds"] = [
            {k: v for k, v in score(shuffled[i::folds], search).as_dict().items() if k != "n"}
            for i in range(folds)
        ]
        rows.append(row)

    articles = {a.id: a for a in store.knowledge.articles()}
    chunks = [c for c in store.knowledge.chunks() if articles[c.article_id].audience is customer]
    baseline = BM25Okapi([terms(indexed_text(articles[c.article_id], c)) for c in chunks])

    def plain_bm25(query: str) -> list[str]:
        scores = baseline.get_scores(terms(query))
        order = sorted(range(len(chunks)), key=lambda i: -scores[i])[:30]
        return [chunks[i].article_id for i in order]

    rows.append({"method": "baseline: rank-bm25 BM25Okapi", **score(queries, plain_bm25).as_dict()})
    return rows, len(chunks)


def distractors(limit: int) -> list[str]:
    texts: list[str] = []
    sources = [
        (SHARED / "clinc150" / "train.csv", "text"),
        (SHARED / "banking77" / "train.csv", "text"),
        *[(p, "sentence") for p in sorted((SHARED / "hint3").glob("*.csv"))],
        (SHARED / "clinc150" / "val.csv", "text"),
    ]
    for path, column in sources:
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            texts.extend(row[column] for row in csv.DictReader(handle))
    if len(texts) < limit:
        sys.exit(f"need {limit} distractor texts from {SHARED}, found {len(texts)}")
    return texts[:limit]


def speed(large_chunks: int, queries: Sequence[str]) -> dict[str, object]:
    # Ingestion throughput: parse, chunk, store, embed (cold cache) the demo help center.
    embedder = OnnxMiniLmEmbedder()
    embedder.embed(["warm up"])
    store = in_memory_store()
    index = HybridIndex(
        Bm25Index(),
        DenseIndex(CachedEmbedder(embedder, store.embeddings), query_embedder=embedder),
        FeatureReranker(),
    )
    service = KnowledgeService(store.knowledge, index, SystemClock())
    started = time.perf_counter()
    report = service.ingest([HELP_CENTER])
    ingest_seconds = time.perf_counter() - started

    # The large index: the help center plus real public utterances as extra chunks.
    extra = [
        Chunk(ChunkId(f"x{i}#0"), ArticleId(f"x{i}"), 0, None, text)
        for i, text in enumerate(distractors(large_chunks - len(store.knowledge.chunks())))
    ]
    extra_articles = [
        Article(c.article_id, "Utterance", "text", Audience.CUSTOMER, False, "bench", c.text, "h")
        for c in extra
    ]
    articles = [*store.knowledge.articles(), *extra_articles]
    chunks = [*store.knowledge.chunks(), *extra]
    started = time.perf_counter()
    index.rebuild(articles, chunks)
    build_seconds = time.perf_counter() - started
    latencies = []
    for query in list(queries) * 2:  # questions are embedded afresh every time
        began = time.perf_counter()
        index.search(query, k=5, audience=Audience.CUSTOMER)
        latencies.append((time.perf_counter() - began) * 1000)
    latencies.sort()
    return {
        "ingest_chunks": report.chunks,
        "ingest_seconds": round(ingest_seconds, 3),
        "ingest_chunks_per_second": round(report.chunks / ingest_seconds, 1),
        "large_index_chunks": len(chunks),
        "large_index_build_seconds": round(build_seconds, 2),
        "large_index_build_chunks_per_second": round(len(chunks) / build_seconds, 1),
        "query_ms_p50": round(statistics.median(latencies), 2),
        "query_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
        "queries_timed": len(latencies),
        "peak_rss_mb": round(peak_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=HERE / "data" / "retrieval_eval.jsonl")
    parser.add_argument("--large-chunks", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "retrieval.json")
    parser.add_argument("--folds", type=int, default=2, help="Disjoint query folds reported.")
    args = parser.parse_args()
    limit_blas_threads()  # as the server does (bootstrap.build_index)

    rows, customer_chunks = quality(args.queries, args.folds)
    print(f"\nRetrieval quality: {rows[0]['n']} queries, {customer_chunks} customer chunks")
    header = f"{'method':<32} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR':>6} {'nDCG@10':>8}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['method']!s:<32} {row['recall@1']:>6.3f} {row['recall@5']:>6.3f} "
            f"{row['recall@10']:>6.3f} {row['MRR']:>6.3f} {row['nDCG@10']:>8.3f}"
        )
    print("\nPer fold (R@5 / MRR):")
    for row in rows:
        folds = row.get("folds") or []
        cells = "  ".join(f"{f['recall@5']:.3f}/{f['MRR']:.3f}" for f in folds)  # type: ignore[attr-defined]
        print(f"  {row['method']!s:<32} {cells}")
    queries = [q.query for q in load_queries(args.queries)]
    timing = speed(args.large_chunks, queries)
    print("\nSpeed")
    for key, value in timing.items():
        print(f"  {key:<36} {value}")
    result = {
        **run_record("retrieval.py"),
        "quality": rows,
        "speed": timing,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
