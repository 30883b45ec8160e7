"""Confidence: a calibrated probability that an answer is correct and sufficient.

The features come from retrieval, reranking, verification and understanding; a logistic model
fitted on labelled questions (``warmline kb calibrate``, see docs/trust.md) turns them into a
probability. The fitted model is a small JSON file: the default one ships with the package and
a team can fit and point at its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from warmline.domain.knowledge import SearchHit
from warmline.engine.composer import Composition
from warmline.engine.verifier import Verification
from warmline.errors import ConfigurationError

DEFAULT_CALIBRATION = Path(__file__).with_name("calibration.json")

FEATURES = (
    "top_score",
    "top_dense",
    "top_coverage",
    "top_lexical",
    "margin",
    "support_mean",
    "support_min",
    "kept_share",
    "parts_share",
    "question_terms",
    "answer_match",
)


def confidence_features(
    hits: Sequence[SearchHit],
    composition: Composition,
    verification: Verification,
    content_terms: int,
    answer_match: float,
) -> dict[str, float]:
    """Everything the confidence model looks at, each roughly in [0, 1]."""
    top = hits[0] if hits else None
    # Ambiguity is between articles: a second passage of the same article is no rival.
    second = max((h.score for h in hits[1:] if top and h.article.id != top.article.id), default=0.0)
    lexical = top.lexical_score if top else 0.0
    return {
        "top_score": top.score if top else 0.0,
        "top_dense": (top.dense_score or 0.0) if top else 0.0,
        "top_coverage": top.term_coverage if top else 0.0,
        "top_lexical": lexical / (lexical + 2.0),
        "margin": (top.score - second) if top else 0.0,
        "support_mean": verification.support_mean(),
        "support_min": verification.support_min(),
        "kept_share": verification.kept_share(),
        "parts_share": composition.parts_covered / composition.parts if composition.parts else 0.0,
        "question_terms": min(content_terms, 12) / 12,
        "answer_match": answer_match,
    }


@dataclass(frozen=True)
class ConfidenceModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    about: Mapping[str, object]

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.intercept
        for name, mean, scale, weight in zip(
            self.features, self.mean, self.scale, self.coef, strict=True
        ):
            z += weight * (values.get(name, 0.0) - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> str:
        return json.dumps(
            {
                "features": list(self.features),
                "mean": list(self.mean),
                "scale": list(self.scale),
                "coef": list(self.coef),
                "intercept": self.intercept,
                "about": dict(self.about),
            },
            indent=2,
        )

    @classmethod
    def load(cls, path: Path | None = None) -> ConfidenceModel:
        path = path or DEFAULT_CALIBRATION
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(
                features=tuple(data["features"]),
                mean=tuple(float(v) for v in data["mean"]),
                scale=tuple(float(v) for v in data["scale"]),
                coef=tuple(float(v) for v in data["coef"]),
                intercept=float(data["intercept"]),
                about=dict(data.get("about", {})),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ConfigurationError(
                f"cannot read confidence calibration {path}: {error}"
            ) from error
        lengths = {len(model.features), len(model.mean), len(model.scale), len(model.coef)}
        if len(lengths) != 1 or any(s <= 0 for s in model.scale):
            raise ConfigurationError(f"confidence calibration {path} is inconsistent")
        unknown = set(model.features) - set(FEATURES)
        if unknown:
            raise ConfigurationError(
                f"confidence calibration {path} uses unknown features: {sorted(unknown)}"
            )
        return model
