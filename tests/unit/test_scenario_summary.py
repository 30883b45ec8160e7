"""The scenario suite's summary: what counts as an explicit request honoured in its turn."""

from __future__ import annotations

from warmline.evaluation.scenarios import ScenarioResult, summarise


def request(turn: int | None, reason: str | None, expected_turn: int = 3) -> ScenarioResult:
    return ScenarioResult(
        id=f"request-{turn}-{reason}",
        category="customer_request",
        expected_turn=expected_turn,
        expected_reasons=("customer_request",),
        turn=turn,
        reasons=(reason,) if reason else (),
        rule=None,
        replies=(),
    )


def test_that_a_request_after_an_earlier_handoff_is_counted_apart() -> None:
    summary = summarise(
        [
            request(3, "customer_request"),  # honoured in its turn
            request(2, "low_confidence"),  # handed over a turn before the request was made
            request(None, None),  # never handed over: the request was missed
        ]
    )
    assert summary["explicit_request_same_turn_recall"] == 1 / 3
    assert summary["explicit_requests_reached"] == 2
    assert summary["explicit_request_reached_same_turn_recall"] == 1 / 2
