"""Confidence calibration: the shipped model loads, and ECE measures what it should."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmline.engine.confidence import FEATURES, ConfidenceModel
from warmline.errors import ConfigurationError
from warmline.evaluation.calibration import (
    ece_noise_floor,
    expected_calibration_error,
    fit_confidence,
    reliability_table,
)


def test_that_the_shipped_calibration_loads_and_gives_probabilities() -> None:
    model = ConfidenceModel.load()
    strong = dict.fromkeys(FEATURES, 1.0)
    weak = dict.fromkeys(FEATURES, 0.0)
    assert 0.0 <= model.probability(weak) < model.probability(strong) <= 1.0


def test_that_a_broken_calibration_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "calibration.json"
    broken.write_text('{"features": ["top_score"], "mean": [0.5]}')
    with pytest.raises(ConfigurationError, match="cannot read confidence calibration"):
        ConfidenceModel.load(broken)


def test_that_a_perfectly_calibrated_forecast_has_no_calibration_error() -> None:
    probabilities = [0.25] * 4 + [0.75] * 4
    correct = [True, False, False, False, True, True, True, False]
    assert expected_calibration_error(probabilities, correct) == pytest.approx(0.0)
    assert expected_calibration_error([0.9] * 4, [False] * 4) == pytest.approx(0.9)
    table = reliability_table(probabilities, correct)
    assert sum(b.count for b in table) == 8


def test_that_a_fitted_model_ranks_good_evidence_above_bad_and_round_trips(
    tmp_path: Path,
) -> None:
    rows = [dict.fromkeys(FEATURES, v / 10) for v in range(10)] * 3
    labels = [v >= 5 for v in range(10)] * 3
    model = fit_confidence(rows, labels, about={"test": True})
    saved = tmp_path / "model.json"
    saved.write_text(model.to_json())
    again = ConfidenceModel.load(saved)
    assert again.probability(rows[9]) > 0.5 > again.probability(rows[0])
    assert again.about == {"test": True}


def test_that_the_noise_floor_of_a_perfect_model_shrinks_with_more_answers() -> None:
    few, _ = ece_noise_floor([0.3, 0.7] * 25)
    many, _ = ece_noise_floor([0.3, 0.7] * 2500)
    assert 0.0 < many < few < 0.2
