"""Retrieval metrics, worked by hand."""

from __future__ import annotations

import math

import pytest

from warmline.evaluation.retrieval import LabelledQuery, score


def test_that_metrics_match_a_hand_worked_example() -> None:
    queries = [LabelledQuery("a", ("x",)), LabelledQuery("b", ("y", "z"))]
    rankings = {"a": ["x#0", "x#1", "q"], "b": ["q", "y", "w", "r", "s", "z"]}
    result = score(queries, lambda q: [r.split("#")[0] for r in rankings[q]])
    assert result.recall_at_1 == 0.5  # a: 1, b: 0
    assert result.recall_at_5 == 0.75  # a: 1, b: 1/2 (z is 6th)
    assert result.recall_at_10 == 1.0
    assert result.mrr == 0.75  # a: 1, b: 1/2
    ideal_b = 1 + 1 / math.log2(3)
    expected_b = (1 / math.log2(3) + 1 / math.log2(7)) / ideal_b
    assert result.ndcg_at_10 == pytest.approx((1 + expected_b) / 2, abs=1e-4)
