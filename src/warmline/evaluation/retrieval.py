"""Retrieval quality on labelled queries: recall@1/5/10, MRR and nDCG@10, by article."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from warmline.errors import InvalidInputError


@dataclass(frozen=True)
class LabelledQuery:
    query: str
    relevant: tuple[str, ...]


@dataclass(frozen=True)
class RetrievalScores:
    n: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr: float
    ndcg_at_10: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "recall@1": self.recall_at_1,
            "recall@5": self.recall_at_5,
            "recall@10": self.recall_at_10,
            "MRR": self.mrr,
            "nDCG@10": self.ndcg_at_10,
        }


def load_queries(path: Path) -> list[LabelledQuery]:
    """Read JSONL lines ``{"query": str, "relevant": [article ids]}``; errors name the line."""
    queries: list[LabelledQuery] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InvalidInputError(f"cannot read {path}: {error}") from error
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise InvalidInputError(f"{path}:{number}: not JSON: {error.msg}") from error
        query, relevant = row.get("query"), row.get("relevant")
        if not isinstance(query, str) or not query.strip():
            raise InvalidInputError(f"{path}:{number}: 'query' must be a non-empty string")
        if not isinstance(relevant, list) or not relevant:
            raise InvalidInputError(f"{path}:{number}: 'relevant' must be a non-empty list of ids")
        queries.append(LabelledQuery(query, tuple(str(r) for r in relevant)))
    if not queries:
        raise InvalidInputError(f"{path} has no queries")
    return queries


def unique_articles(ranked_article_ids: Sequence[str]) -> list[str]:
    """Chunk results become an article ranking: each article counts at its best position."""
    return list(dict.fromkeys(ranked_article_ids))


def score(
    queries: Sequence[LabelledQuery], search: Callable[[str], Sequence[str]]
) -> RetrievalScores:
    """``search`` returns article ids best first (at least 10 when available)."""
    recall = {1: 0.0, 5: 0.0, 10: 0.0}
    mrr = ndcg = 0.0
    for labelled in queries:
        ranking = unique_articles(search(labelled.query))[:10]
        relevant = set(labelled.relevant)
        for cut in recall:
            recall[cut] += len(relevant & set(ranking[:cut])) / len(relevant)
        first = next((i for i, a in enumerate(ranking) if a in relevant), None)
        mrr += 0.0 if first is None else 1 / (first + 1)
        gain = sum(1 / math.log2(i + 2) for i, a in enumerate(ranking) if a in relevant)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
        ndcg += gain / ideal
    n = len(queries)
    return RetrievalScores(
        n=n,
        recall_at_1=round(recall[1] / n, 4),
        recall_at_5=round(recall[5] / n, 4),
        recall_at_10=round(recall[10] / n, 4),
        mrr=round(mrr / n, 4),
        ndcg_at_10=round(ndcg / n, 4),
    )
