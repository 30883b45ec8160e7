"""The intent model: which contact reason a message is, and whether it is one at all.

Training, from ``(text, label)`` examples (past tickets):

1. Every distinct text is embedded once with the configured sentence embedder.
2. Features: character and word TF-IDF (``features.py``) beside the sentence embedding (scaled
   by 2, so meaning outweighs spelling when an intent has only a few examples); a multinomial
   logistic regression over them gives a probability per intent.
3. Out of scope is decided by a score: ``w * p + (1 - w) * c``, where ``p`` is the calibrated
   probability of the best intent and ``c`` the cosine between the message and the nearest
   intent centroid (the mean embedding of an intent's examples). The probability alone is
   confident about messages far from every intent; the distance alone cannot tell close
   intents apart; together they separate in-scope from out-of-scope better than either.
4. A validation split is cut from the training examples (stratified by intent, fixed seed,
   a fifth of each intent). Out-of-scope rows are never a class of their own: they all go to
   validation. A model fitted on the rest scores the split, and on those scores:

   - the softmax temperature is fitted (so ``confidence`` is a calibrated probability);
   - with at least ``MIN_OOS_FOR_WEIGHT`` out-of-scope rows, ``w`` is the one that best
     separates them from the in-scope rows (area under the ROC curve), and the threshold is
     the one that makes the most right decisions on the split: in-scope examples given the
     right intent and kept, out-of-scope ones rejected;
   - with fewer, ``w`` is ``DEFAULT_WEIGHT`` and the threshold rejects ``REJECTION_BUDGET``
     of the in-scope validation examples (the lowest-scoring ones).
5. The final model is refitted on all in-scope examples and keeps the temperature, ``w`` and
   threshold chosen above.

Nothing here is ever unpickled: ``storage.py`` keeps the model as JSON and ``.npz`` files.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from warmline.clock import SystemClock
from warmline.errors import InvalidInputError
from warmline.intents.features import SurfaceTfidf
from warmline.intents.storage import FORMAT_VERSION, ModelFiles, read_model, write_model
from warmline.knowledge.embeddings import Embedder

Matrix = NDArray[np.float32]

VALIDATION_SHARE: Final = 0.2
REJECTION_BUDGET: Final = 0.01
DEFAULT_WEIGHT: Final = 0.5
MIN_OOS_FOR_WEIGHT: Final = 10
WEIGHTS: Final = (0.0, 0.25, 0.5, 0.75, 1.0)
TEMPERATURES: Final = tuple(float(t) for t in np.geomspace(0.1, 10.0, 81))
C: Final = 16.0
EMBEDDING_SCALE: Final = 2.0
MAX_ITER: Final = 3000
EMBED_BATCH: Final = 256


@dataclass(frozen=True)
class IntentPrediction:
    """One message's intent. ``best`` is the likeliest intent even when out of scope."""

    intent: str | None
    confidence: float
    in_scope: bool
    best: str

    def as_dict(self) -> dict[str, object]:
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "in_scope": self.in_scope,
        }


@dataclass(frozen=True)
class _Fitted:
    weights: Matrix  # (features, intents): surface features first, then the embedding
    bias: Matrix  # (intents,)
    centroids: Matrix  # (intents, dimensions), unit rows


class IntentModel:
    """A trained intent classifier with out-of-scope detection. Build it with :meth:`train`
    or :meth:`load`; it is immutable and safe to share between threads."""

    def __init__(
        self,
        *,
        intents: Sequence[str],
        surface: SurfaceTfidf,
        fitted: _Fitted,
        temperature: float,
        weight: float,
        threshold: float,
        embedder: Embedder,
        info: dict[str, Any],
        checksum: str | None = None,
    ) -> None:
        self._intents = list(intents)
        self._surface = surface
        self._fitted = fitted
        self._temperature = temperature
        self._weight = weight
        self._threshold = threshold
        self._embedder = embedder
        self._info = info
        self._checksum = checksum

    # ----------------------------------------------------------------------------------------
    # Training
    # ----------------------------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        examples: Sequence[tuple[str, str]],
        *,
        embedder: Embedder,
        oos_label: str | None = "oos",
        progress: Callable[[int, int], None] | None = None,
        seed: int = 13,
    ) -> IntentModel:
        """Learn the intents in ``examples``; rows labelled ``oos_label`` are out of scope.

        ``progress(done, total)`` is called as work advances (embedding is the first half,
        fitting the second); ``done`` reaches ``total`` when training ends.
        """
        texts, labels = _checked(examples, oos_label)
        started = SystemClock().now()
        report = progress or (lambda done, total: None)
        total = 2 * len(texts)
        vectors = _embed_with_progress(embedder, texts, lambda done: report(done, total))

        is_oos = np.array([label == oos_label for label in labels])
        in_scope = np.flatnonzero(~is_oos)
        intents = sorted({labels[i] for i in in_scope})
        y = np.array(
            [intents.index(labels[i]) if not is_oos[i] else -1 for i in range(len(labels))]
        )
        fit_rows, validation_rows = _split(in_scope, y, seed)

        # The vocabulary is learnt from every training text; only labels can leak, and
        # validation rows' labels are not used until the final fit.
        surface = SurfaceTfidf.fit(texts)
        features = _features(surface, texts, vectors)
        first = _fit(features, vectors, y, fit_rows, len(intents))
        report(len(texts) + len(texts) // 2, total)

        oos_rows = np.flatnonzero(is_oos)
        choice = _choose(
            first,
            features=features,
            vectors=vectors,
            y=y,
            validation_rows=validation_rows,
            oos_rows=oos_rows,
        )
        final = _fit(features, vectors, y, in_scope, len(intents))
        report(total, total)

        info: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "embedder": embedder.name,
            "dimensions": int(vectors.shape[1]),
            "intents": len(intents),
            "examples": len(texts),
            "in_scope_examples": int(in_scope.size),
            "oos_examples": int(oos_rows.size),
            "oos_label": oos_label,
            "seed": seed,
            "threshold": choice.threshold,
            "probability_weight": choice.weight,
            "temperature": choice.temperature,
            "threshold_rule": choice.rule,
            "validation": choice.validation,
            "surface_features": surface.dimensions,
            "created_at": started.isoformat(timespec="seconds"),
            "training_seconds": round((SystemClock().now() - started).total_seconds(), 1),
        }
        return cls(
            intents=intents,
            surface=surface,
            fitted=final,
            temperature=choice.temperature,
            weight=choice.weight,
            threshold=choice.threshold,
            embedder=embedder,
            info=info,
        )

    # ----------------------------------------------------------------------------------------
    # Prediction
    # ----------------------------------------------------------------------------------------

    @property
    def intents(self) -> list[str]:
        return list(self._intents)

    @property
    def info(self) -> dict[str, Any]:
        return dict(self._info)

    @property
    def threshold(self) -> float:
        return self._threshold

    @property
    def checksum(self) -> str:
        """sha256 over the model's files: the same for a model and its saved copy."""
        if self._checksum is None:
            self._checksum = self._files().checksum
        return self._checksum

    def predict(self, text: str) -> IntentPrediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[IntentPrediction]:
        items = _texts(texts)
        return self.predict_embedded(items, self._embedder.embed(items))

    def predict_embedded(self, texts: Sequence[str], vectors: np.ndarray) -> list[IntentPrediction]:
        """Predictions for texts whose sentence vectors the caller already has."""
        items = _texts(texts)
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim == 1:
            matrix = matrix[None, :]
        if matrix.shape != (len(items), self._fitted.centroids.shape[1]):
            raise InvalidInputError(
                f"expected {len(items)} vectors of {self._fitted.centroids.shape[1]} "
                f"dimensions, got shape {matrix.shape}"
            )
        if not items:
            return []
        best, confidence, score = self._scored(items, matrix)
        predictions = []
        for index, intent_index in enumerate(best):
            intent = self._intents[int(intent_index)]
            accepted = bool(score[index] >= self._threshold)
            predictions.append(
                IntentPrediction(
                    intent=intent if accepted else None,
                    confidence=float(confidence[index]),
                    in_scope=accepted,
                    best=intent,
                )
            )
        return predictions

    def scope_scores(self, texts: Sequence[str], vectors: np.ndarray) -> NDArray[np.float64]:
        """The score each message is held to :attr:`threshold` by (in scope when at or above):
        for traces and for studying the trade-off between rejections and misses."""
        items = _texts(texts)
        return self._scored(items, np.asarray(vectors, dtype=np.float32))[2]

    def _scored(
        self, texts: list[str], vectors: Matrix
    ) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64]]:
        probabilities, closeness = _scores(
            self._fitted, self._temperature, _features(self._surface, texts, vectors), vectors
        )
        best = probabilities.argmax(axis=1)
        confidence = probabilities[np.arange(len(texts)), best]
        return best, confidence, self._weight * confidence + (1.0 - self._weight) * closeness

    # ----------------------------------------------------------------------------------------
    # Persistence
    # ----------------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the model into ``directory`` (created if needed; its model files replaced)."""
        write_model(directory, self._files())

    @classmethod
    def load(cls, directory: Path, *, embedder: Embedder) -> IntentModel:
        """The model saved in ``directory``; ConfigurationError when it is missing, damaged,
        or was trained with another embedder than ``embedder``."""
        files = read_model(directory, embedder_name=embedder.name)
        config, arrays = files.config, files.arrays
        surface = SurfaceTfidf.from_state(config["vocabularies"], arrays)
        fitted = _Fitted(arrays["weights"], arrays["bias"], arrays["centroids"])
        return cls(
            intents=config["intents"],
            surface=surface,
            fitted=fitted,
            temperature=float(config["temperature"]),
            weight=float(config["probability_weight"]),
            threshold=float(config["threshold"]),
            embedder=embedder,
            info=config["info"],
            checksum=files.checksum,
        )

    def _files(self) -> ModelFiles:
        vocabularies, idfs = self._surface.to_state()
        config: dict[str, Any] = {
            "intents": self._intents,
            "embedder": self._info["embedder"],
            "dimensions": int(self._fitted.centroids.shape[1]),
            "temperature": self._temperature,
            "probability_weight": self._weight,
            "threshold": self._threshold,
            "info": self._info,
            "vocabularies": vocabularies,
        }
        arrays = {
            "weights": self._fitted.weights,
            "bias": self._fitted.bias,
            "centroids": self._fitted.centroids,
            **idfs,
        }
        return ModelFiles.build(config, arrays)


# --------------------------------------------------------------------------------------------
# Training steps
# --------------------------------------------------------------------------------------------


def _texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise InvalidInputError("pass a sequence of texts, not a single string")
    items = list(texts)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise InvalidInputError("the text to classify is empty")
    return items


def _checked(
    examples: Sequence[tuple[str, str]], oos_label: str | None
) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for number, (text, label) in enumerate(examples, 1):
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError(f"example {number} has no text")
        if not isinstance(label, str) or not label.strip():
            raise InvalidInputError(f"example {number} has no label")
        texts.append(text)
        labels.append(label)
    intents = {label for label in labels if label != oos_label}
    if len(intents) < 2:
        raise InvalidInputError(
            f"training needs at least 2 intents besides {oos_label!r}, found {len(intents)}"
            if oos_label is not None
            else f"training needs at least 2 intents, found {len(intents)}"
        )
    return texts, labels


def _embed_with_progress(
    embedder: Embedder, texts: list[str], report: Callable[[int], None]
) -> Matrix:
    unique = list(dict.fromkeys(texts))
    position = {text: index for index, text in enumerate(unique)}
    parts = []
    report(0)
    for start in range(0, len(unique), EMBED_BATCH):
        parts.append(np.asarray(embedder.embed(unique[start : start + EMBED_BATCH]), np.float32))
        report(round(min(len(unique), start + EMBED_BATCH) * len(texts) / len(unique)))
    vectors = np.concatenate(parts, axis=0)
    return vectors[[position[text] for text in texts]]


def _split(
    rows: NDArray[np.intp], y: NDArray[np.int_], seed: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """A stratified split: about a fifth of each intent to validation, at least one example
    of every intent left to fit on (an intent with one example is not validated)."""
    rng = np.random.default_rng(seed)
    fit, validation = [], []
    for label in np.unique(y[rows]):
        members = rng.permutation(rows[y[rows] == label])
        held = min(len(members) - 1, max(1, round(VALIDATION_SHARE * len(members))))
        validation.extend(members[:held].tolist())
        fit.extend(members[held:].tolist())
    return np.array(sorted(fit), dtype=np.intp), np.array(sorted(validation), dtype=np.intp)


def _features(surface: SurfaceTfidf, texts: Sequence[str], vectors: Matrix) -> Any:
    from scipy.sparse import csr_matrix, hstack

    meaning = csr_matrix(vectors * np.float32(EMBEDDING_SCALE))
    return hstack([surface.transform(texts), meaning], format="csr", dtype=np.float32)


def _fit(
    features: Any,
    vectors: Matrix,
    y: NDArray[np.int_],
    rows: NDArray[np.intp],
    n_intents: int,
) -> _Fitted:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    # Not warm-started from the first fit: measured on CLINC150, the warm refit stops early
    # and loses half a point of accuracy, for 15 s saved.
    model = LogisticRegression(C=C, max_iter=MAX_ITER)
    with warnings.catch_warnings():
        # A few more rounds would move the probabilities in the third decimal; not worth it.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(features[rows], y[rows])
    if list(model.classes_) != list(range(n_intents)):
        raise InvalidInputError("every intent needs at least one example to learn from")
    coef, intercept = model.coef_, model.intercept_
    if n_intents == 2:  # one logit z for two classes is the softmax of (-z/2, z/2)
        coef, intercept = (
            np.vstack([-coef / 2, coef / 2]),
            np.concatenate([-intercept, intercept]) / 2,
        )
    centroids = np.stack([vectors[rows[y[rows] == k]].mean(axis=0) for k in range(n_intents)])
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    return _Fitted(
        weights=np.ascontiguousarray(coef.T, dtype=np.float32),
        bias=intercept.astype(np.float32),
        centroids=centroids.astype(np.float32),
    )


def _logits(fitted: _Fitted, features: Any) -> NDArray[np.float64]:
    return np.asarray(features @ fitted.weights, dtype=np.float64) + fitted.bias


def _softmax(logits: NDArray[np.float64], temperature: float) -> NDArray[np.float64]:
    scaled = logits / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    result: NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
    return result


def _scores(
    fitted: _Fitted, temperature: float, features: Any, vectors: Matrix
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Calibrated intent probabilities and the cosine to the nearest intent centroid."""
    probabilities = _softmax(_logits(fitted, features), temperature)
    closeness = np.asarray(vectors @ fitted.centroids.T, dtype=np.float64).max(axis=1)
    return probabilities, closeness


@dataclass(frozen=True)
class _Choice:
    temperature: float
    weight: float
    threshold: float
    rule: str
    validation: dict[str, Any]


def _choose(
    fitted: _Fitted,
    *,
    features: Any,
    vectors: Matrix,
    y: NDArray[np.int_],
    validation_rows: NDArray[np.intp],
    oos_rows: NDArray[np.intp],
) -> _Choice:
    if validation_rows.size == 0:
        return _Choice(1.0, DEFAULT_WEIGHT, 0.0, "no validation examples: nothing rejected", {})
    logits = _logits(fitted, features[validation_rows])
    truth = y[validation_rows]
    temperature = min(TEMPERATURES, key=lambda t: _nll(logits, truth, t))
    probabilities = _softmax(logits, temperature)
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == truth
    closeness = np.asarray(vectors[validation_rows] @ fitted.centroids.T).max(axis=1)

    oos_confidence = oos_closeness = np.zeros(0)
    if oos_rows.size:
        oos_probabilities = _softmax(_logits(fitted, features[oos_rows]), temperature)
        oos_confidence = oos_probabilities.max(axis=1)
        oos_closeness = np.asarray(vectors[oos_rows] @ fitted.centroids.T).max(axis=1)

    weight, separation = DEFAULT_WEIGHT, None
    if oos_rows.size >= MIN_OOS_FOR_WEIGHT:
        separation = {
            w: _auroc(
                w * confidence + (1 - w) * closeness, w * oos_confidence + (1 - w) * oos_closeness
            )
            for w in WEIGHTS
        }
        # Ties go to the middle of the grid: the blend is the safer bet on unseen data.
        weight = max(WEIGHTS, key=lambda w: (separation[w], -abs(w - DEFAULT_WEIGHT)))
    score = weight * confidence + (1 - weight) * closeness
    oos_score = weight * oos_confidence + (1 - weight) * oos_closeness
    if oos_rows.size >= MIN_OOS_FOR_WEIGHT:
        threshold = _most_accurate(score, right, oos_score)
        rule = (
            "the most right decisions on the validation split (in-scope: right intent and "
            "accepted; out of scope: rejected); probability weight chosen on the out-of-scope rows"
        )
    else:
        threshold = float(np.quantile(score, REJECTION_BUDGET, method="lower"))
        rule = (
            f"reject the {REJECTION_BUDGET:.0%} lowest-scoring in-scope validation examples "
            f"(fewer than {MIN_OOS_FOR_WEIGHT} out-of-scope rows); probability weight "
            f"{DEFAULT_WEIGHT}"
        )
    accepted = score >= threshold
    validation: dict[str, Any] = {
        "in_scope": int(validation_rows.size),
        "accuracy_before_rejection": round(float(right.mean()), 4),
        "in_scope_accuracy": round(float((right & accepted).mean()), 4),
        "in_scope_rejected": round(float(1 - accepted.mean()), 4),
        "oos": int(oos_rows.size),
    }
    if oos_rows.size:
        validation["oos_recall"] = round(float((oos_score < threshold).mean()), 4)
    if separation is not None:
        validation["auroc_by_weight"] = {str(w): round(a, 4) for w, a in separation.items()}
    return _Choice(temperature, weight, threshold, rule, validation)


def _most_accurate(
    score: NDArray[np.float64], right: NDArray[np.bool_], oos_score: NDArray[np.float64]
) -> float:
    """The threshold with the most right decisions: in-scope examples given the right intent
    and kept, out-of-scope ones rejected. The lowest such threshold on ties."""
    candidates = np.unique(np.concatenate([score, oos_score]))
    kept_right = np.sort(score[right])
    # For each candidate t: right in-scope examples at or above t, out-of-scope ones below t.
    correct = len(kept_right) - np.searchsorted(kept_right, candidates, side="left")
    rejected = np.searchsorted(np.sort(oos_score), candidates, side="left")
    return float(candidates[int(np.argmax(correct + rejected))])


def _nll(logits: NDArray[np.float64], truth: NDArray[np.int_], temperature: float) -> float:
    probabilities = _softmax(logits, temperature)[np.arange(len(truth)), truth]
    return float(-np.log(np.maximum(probabilities, 1e-12)).mean())


def _auroc(positives: NDArray[np.float64], negatives: NDArray[np.float64]) -> float:
    """How often an in-scope example scores above an out-of-scope one (ties count half)."""
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([positives, negatives]))
    above = ranks[: len(positives)].sum() - len(positives) * (len(positives) + 1) / 2
    return float(above / (len(positives) * len(negatives)))
