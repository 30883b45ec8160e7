"""Near-duplicate detection between chunks: word 3-shingles, a bottom-k sketch to find
candidates, and exact Jaccard similarity on the candidates."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from warmline.domain.ids import ChunkId
from warmline.domain.knowledge import Chunk
from warmline.knowledge.text import words

SKETCH = 8
THRESHOLD = 0.85


@dataclass(frozen=True)
class NearDuplicate:
    chunk_id: ChunkId
    duplicate_of: ChunkId
    similarity: float


def _shingles(text: str) -> frozenset[int]:
    tokens = words(text)
    grams = [" ".join(tokens[i : i + 3]) for i in range(max(1, len(tokens) - 2))]
    return frozenset(
        int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams
    )


class DuplicateFinder:
    """Holds the shingles of known chunks; ``check`` compares a chunk with all of them."""

    def __init__(self, known: Iterable[Chunk] = ()) -> None:
        self._shingles: dict[ChunkId, frozenset[int]] = {}
        self._article: dict[ChunkId, str] = {}
        self._buckets: dict[int, set[ChunkId]] = defaultdict(set)
        for chunk in known:
            self.add(chunk)

    def add(self, chunk: Chunk) -> None:
        shingles = _shingles(chunk.text)
        self._shingles[chunk.id] = shingles
        self._article[chunk.id] = chunk.article_id
        for value in sorted(shingles)[:SKETCH]:
            self._buckets[value].add(chunk.id)

    def forget_article(self, article_id: str) -> None:
        for chunk_id in [c for c, a in self._article.items() if a == article_id]:
            for value in sorted(self._shingles.pop(chunk_id))[:SKETCH]:
                self._buckets[value].discard(chunk_id)
            del self._article[chunk_id]

    def check(self, chunk: Chunk) -> NearDuplicate | None:
        """The most similar chunk of another article, when at least ``THRESHOLD`` alike."""
        shingles = _shingles(chunk.text)
        if len(shingles) < 3:
            return None
        candidates = {
            other
            for value in sorted(shingles)[:SKETCH]
            for other in self._buckets.get(value, ())
            if self._article[other] != chunk.article_id
        }
        best: NearDuplicate | None = None
        for other in candidates:
            theirs = self._shingles[other]
            similarity = len(shingles & theirs) / len(shingles | theirs)
            if similarity >= THRESHOLD and (best is None or similarity > best.similarity):
                best = NearDuplicate(chunk.id, other, round(similarity, 3))
        return best
