"""Surface features for the intent model: TF-IDF over character and word n-grams.

Character 2–5-grams (within words) carry typos and word forms ("refnd", "refunded"); word 1–2-
grams carry phrasing ("cancel my", "gift card"). Both lower-cased, sublinear term frequency,
smooth idf, rows scaled to unit length: the same weighting as scikit-learn's
``TfidfVectorizer``, done here by hand so that the whole state is a vocabulary (JSON) and an idf
vector (numpy), saved and loaded without pickle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from warmline.errors import ConfigurationError

CHAR_NGRAMS: Final = (2, 5)
WORD_NGRAMS: Final = (1, 2)
WORD_PATTERN: Final = r"(?u)\b\w+\b"


def _counter(analyzer: str, vocabulary: Sequence[str] | None = None, min_df: int = 1) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer

    if analyzer == "char_wb":
        return CountVectorizer(
            analyzer="char_wb",
            ngram_range=CHAR_NGRAMS,
            lowercase=True,
            min_df=min_df,
            vocabulary=vocabulary,
            dtype=np.float32,
        )
    return CountVectorizer(
        analyzer="word",
        ngram_range=WORD_NGRAMS,
        lowercase=True,
        token_pattern=WORD_PATTERN,
        min_df=min_df,
        vocabulary=vocabulary,
        dtype=np.float32,
    )


@dataclass(frozen=True)
class _Part:
    analyzer: str
    vocabulary: list[str]
    idf: NDArray[np.float32]
    counter: Any

    def transform(self, texts: Sequence[str]) -> Any:
        counts = self.counter.transform(texts).tocsr()
        counts.data = (np.log(counts.data) + 1.0).astype(np.float32)  # sublinear tf
        return counts.multiply(self.idf).tocsr()


class SurfaceTfidf:
    """Character and word TF-IDF side by side, each block L2-normalised per row."""

    ANALYZERS: Final = ("char_wb", "word")

    def __init__(self, parts: Sequence[_Part]) -> None:
        self._parts = tuple(parts)

    @classmethod
    def fit(cls, texts: Sequence[str]) -> SurfaceTfidf:
        # On large sets an n-gram seen once is mostly noise and only grows the saved vocabulary.
        min_df = 2 if len(texts) >= 1000 else 1
        parts = []
        for analyzer in cls.ANALYZERS:
            counter = _counter(analyzer, min_df=min_df)
            try:
                counts = counter.fit_transform(texts).tocsc()
            except ValueError:  # every text empty of n-grams ("?!"): an empty block
                parts.append(cls._part(analyzer, [], np.zeros(0, dtype=np.float32)))
                continue
            vocabulary = sorted(counter.vocabulary_, key=counter.vocabulary_.__getitem__)
            document_frequency = np.diff(counts.indptr).astype(np.float64)
            idf = np.log((1.0 + len(texts)) / (1.0 + document_frequency)) + 1.0
            parts.append(cls._part(analyzer, vocabulary, idf.astype(np.float32)))
        return cls(parts)

    @classmethod
    def _part(cls, analyzer: str, vocabulary: list[str], idf: NDArray[np.float32]) -> _Part:
        counter = _counter(analyzer, vocabulary=vocabulary or None)
        return _Part(analyzer, vocabulary, idf, counter)

    @property
    def dimensions(self) -> int:
        return sum(len(part.vocabulary) for part in self._parts)

    def transform(self, texts: Sequence[str]) -> Any:
        """A sparse CSR matrix, one row per text."""
        from scipy.sparse import csr_matrix, hstack

        blocks = []
        for part in self._parts:
            if not part.vocabulary:
                blocks.append(csr_matrix((len(texts), 0), dtype=np.float32))
                continue
            block = part.transform(texts)
            norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
            scale = 1.0 / np.maximum(norms, 1e-12)
            blocks.append(csr_matrix(block.multiply(scale[:, None]), dtype=np.float32))
        return hstack(blocks, format="csr", dtype=np.float32)

    def to_state(self) -> tuple[dict[str, list[str]], dict[str, NDArray[np.float32]]]:
        """Vocabularies (for JSON) and idf vectors (for ``.npz``)."""
        vocabularies = {part.analyzer: part.vocabulary for part in self._parts}
        idfs = {f"idf_{part.analyzer}": part.idf for part in self._parts}
        return vocabularies, idfs

    @classmethod
    def from_state(
        cls, vocabularies: dict[str, Any], arrays: dict[str, NDArray[Any]]
    ) -> SurfaceTfidf:
        parts = []
        for analyzer in cls.ANALYZERS:
            vocabulary = vocabularies.get(analyzer)
            idf = arrays.get(f"idf_{analyzer}")
            if (
                not isinstance(vocabulary, list)
                or not all(isinstance(term, str) for term in vocabulary)
                or idf is None
                or idf.shape != (len(vocabulary),)
                or len(set(vocabulary)) != len(vocabulary)
            ):
                raise ConfigurationError(f"the {analyzer} vocabulary and idf do not match")
            parts.append(cls._part(analyzer, vocabulary, idf.astype(np.float32)))
        return cls(parts)
