"""Fitting and checking confidence calibration: logistic fit, ECE and a reliability table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from warmline.engine.confidence import FEATURES, ConfidenceModel


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


def reliability_table(
    probabilities: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> list[Bin]:
    """Equal-width bins over [0, 1]: how often answers in each confidence band were right."""
    p = np.asarray(probabilities, dtype=float)
    y = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    table = []
    for index in range(bins):
        low, high = edges[index], edges[index + 1]
        inside = (p >= low) & ((p < high) if index < bins - 1 else (p <= high))
        count = int(inside.sum())
        table.append(
            Bin(
                float(low),
                float(high),
                count,
                float(p[inside].mean()) if count else 0.0,
                float(y[inside].mean()) if count else 0.0,
            )
        )
    return table


def expected_calibration_error(
    probabilities: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """Weighted mean gap between confidence and accuracy over equal-width bins."""
    total = len(probabilities)
    if total == 0:
        return 0.0
    return sum(
        b.count / total * abs(b.mean_confidence - b.accuracy)
        for b in reliability_table(probabilities, correct, bins)
    )


def ece_noise_floor(
    probabilities: Sequence[float], bins: int = 10, trials: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """The ECE a *perfectly* calibrated model would show on this many answers, by chance.

    Labels are drawn as Bernoulli(p) for the same probabilities; returns the median and the 90th
    percentile of the ECE over the draws. A measured ECE near this floor cannot be told apart
    from perfect calibration without more labelled answers.
    """
    if not probabilities:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    p = np.asarray(probabilities, dtype=float)
    draws = [
        expected_calibration_error(p.tolist(), (rng.random(p.size) < p).tolist(), bins)
        for _ in range(trials)
    ]
    return float(np.median(draws)), float(np.percentile(draws, 90))


def fit_confidence(
    rows: Sequence[Mapping[str, float]],
    correct: Sequence[bool],
    *,
    about: Mapping[str, object],
    regularisation: float = 1.0,
) -> ConfidenceModel:
    """Logistic regression on standardised features (scikit-learn), stored as plain numbers."""
    from sklearn.linear_model import LogisticRegression

    if len(set(correct)) < 2:
        raise ValueError("calibration needs both correct and incorrect examples")
    x = np.array([[row.get(name, 0.0) for name in FEATURES] for row in rows], dtype=float)
    y = np.asarray(correct, dtype=int)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    fitted = LogisticRegression(C=regularisation, max_iter=2000)
    fitted.fit((x - mean) / scale, y)
    return ConfidenceModel(
        features=FEATURES,
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in fitted.coef_[0]),
        intercept=float(fitted.intercept_[0]),
        about=dict(about),
    )


def cross_validated_probabilities(
    rows: Sequence[Mapping[str, float]],
    correct: Sequence[bool],
    *,
    folds: int = 5,
    seed: int = 7,
) -> list[float]:
    """Each row's probability from a model fitted without it: an honest calibration check."""
    order = np.random.default_rng(seed).permutation(len(rows))
    predicted = [0.0] * len(rows)
    for fold in range(folds):
        held = set(order[fold::folds].tolist())
        train = [i for i in range(len(rows)) if i not in held]
        model = fit_confidence(
            [rows[i] for i in train], [correct[i] for i in train], about={"fold": fold}
        )
        for i in held:
            predicted[i] = model.probability(rows[i])
    return predicted
