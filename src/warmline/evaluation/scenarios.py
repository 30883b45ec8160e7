"""Scenario suites: scripted conversations that say when Warmline must hand over, and why.

A suite is YAML (see ``benchmarks/data/escalation_scenarios.yaml``)::

    - id: request-es-typo
      category: customer_request      # a reason code, or benign / false_positive
      turns: ["hola necesito ablar con una persona"]
      escalate_at: 1                  # 1-based customer turn, or never
      reasons: [customer_request]     # any one of these is right at that turn

Each scenario runs as a new conversation through the production engine (the same
``ConversationService.post`` the web chat calls). A turn may carry ``fault: knowledge``: the
knowledge search fails on that turn, as a database or model server outage would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from warmline.domain.conversations import Channel
from warmline.domain.customers import CustomerInfo
from warmline.domain.handoffs import ReasonCode
from warmline.domain.knowledge import Article, Audience, Chunk, SearchHit
from warmline.engine.conversations import ConversationService
from warmline.errors import ConfigurationError, WarmlineError
from warmline.knowledge.index import KnowledgeIndex

NEVER = "never"
NEGATIVE_CATEGORIES = ("benign", "false_positive")


class ScriptedTurn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, description="What the customer writes.")
    fault: Literal["knowledge"] | None = Field(
        default=None, description="Make a part fail on this turn (knowledge: the search)."
    )


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    category: str = Field(description="A reason code, or benign / false_positive.")
    note: str | None = None
    turns: list[ScriptedTurn] = Field(min_length=1)
    escalate_at: int | Literal["never"]
    reasons: list[ReasonCode] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _plain_turns(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("turns"), list):
            data = {
                **data,
                "turns": [{"text": t} if isinstance(t, str) else t for t in data["turns"]],
            }
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if isinstance(self.escalate_at, str):
            if self.reasons:
                raise ValueError("a scenario that never escalates lists no reasons")
        else:
            if not 1 <= self.escalate_at <= len(self.turns):
                raise ValueError(
                    f"escalate_at {self.escalate_at} is not one of its {len(self.turns)} turns"
                )
            if not self.reasons:
                raise ValueError("an escalating scenario lists the acceptable reasons")
        allowed = {c.value for c in ReasonCode} | set(NEGATIVE_CATEGORIES)
        if self.category not in allowed:
            raise ValueError(f"category {self.category!r} is not a reason code or benign")
        return self


def load_scenarios(path: Path) -> list[Scenario]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigurationError(f"cannot read {path}: {error}") from error
    except yaml.YAMLError as error:
        raise ConfigurationError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(data, list) or not data:
        raise ConfigurationError(f"{path} must be a non-empty list of scenarios")
    scenarios = []
    for number, item in enumerate(data, 1):
        try:
            scenarios.append(Scenario.model_validate(item))
        except ValidationError as error:
            name = item.get("id") if isinstance(item, dict) else None
            raise ConfigurationError(
                f"{path}: scenario {number} ({name or 'no id'}) is not valid:\n{error}"
            ) from error
    duplicates = [i for i, n in Counter(s.id for s in scenarios).items() if n > 1]
    if duplicates:
        raise ConfigurationError(f"{path}: duplicate scenario ids: {', '.join(duplicates)}")
    return scenarios


class KnowledgeOutage(WarmlineError):
    code = "knowledge_outage"


class FaultSwitch:
    """Wraps the knowledge index; while armed, every search fails like an outage would."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self._index = index
        self.armed = False

    def rebuild(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> None:
        self._index.rebuild(articles, chunks)

    def search(
        self, query: str, *, k: int = 5, audience: Audience | None = None
    ) -> list[SearchHit]:
        if self.armed:
            raise KnowledgeOutage("the knowledge search is unavailable (scenario fault)")
        return self._index.search(query, k=k, audience=audience)


@dataclass(frozen=True)
class ScenarioResult:
    id: str
    category: str
    expected_turn: int | None  # None: never
    expected_reasons: tuple[str, ...]
    turn: int | None  # where the engine escalated; None: it never did
    reasons: tuple[str, ...]  # the engine's reason codes, the first one decisive
    rule: str | None
    replies: tuple[tuple[str, str, str], ...]  # (decision, rule, text) per turn run

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None

    @property
    def passed(self) -> bool:
        if self.expected_turn is None:
            return self.turn is None
        return self.turn == self.expected_turn and self.reason in self.expected_reasons

    @property
    def why(self) -> str:
        if self.passed:
            return "ok"
        if self.expected_turn is None:
            return f"escalated at turn {self.turn} ({self.reason}, rule {self.rule})"
        if self.turn is None:
            return f"never escalated; expected turn {self.expected_turn}"
        if self.turn != self.expected_turn:
            return (
                f"escalated at turn {self.turn} ({self.reason}); expected turn "
                f"{self.expected_turn} ({'/'.join(self.expected_reasons)})"
            )
        return f"reason {self.reason}; expected {'/'.join(self.expected_reasons)}"

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "category": self.category,
            "passed": self.passed,
            "why": self.why,
            "expected_turn": self.expected_turn if self.expected_turn is not None else NEVER,
            "expected_reasons": list(self.expected_reasons),
            "turn": self.turn if self.turn is not None else NEVER,
            "reasons": list(self.reasons),
            "rule": self.rule,
            "replies": [{"decision": d, "rule": r, "text": t} for d, r, t in self.replies],
        }


def run_scenario(
    service: ConversationService, scenario: Scenario, faults: FaultSwitch | None
) -> ScenarioResult:
    started = service.start(Channel.WEB, CustomerInfo(name="Scenario"))
    replies: list[tuple[str, str, str]] = []
    turn = None
    reasons: tuple[str, ...] = ()
    rule = None
    for number, scripted in enumerate(scenario.turns, 1):
        if scripted.fault and faults is None:
            raise ConfigurationError(f"{scenario.id}: this engine cannot inject faults")
        if faults is not None:
            faults.armed = scripted.fault == "knowledge"
        try:
            reply = service.post(started.conversation.id, scripted.text).reply
        finally:
            if faults is not None:
                faults.armed = False
        trace = service.last_trace(started.conversation.id)
        replies.append((reply.decision, trace.rule if trace else "", reply.text))
        if reply.decision == "escalate":
            turn, reasons = number, tuple(code.value for code in reply.reasons)
            rule = trace.rule if trace else None
            break
    expected = None if isinstance(scenario.escalate_at, str) else scenario.escalate_at
    return ScenarioResult(
        scenario.id,
        scenario.category,
        expected,
        tuple(r.value for r in scenario.reasons),
        turn,
        reasons,
        rule,
        tuple(replies),
    )


def summarise(results: Sequence[ScenarioResult]) -> dict[str, Any]:
    """Precision, recall and F1 per reason code and overall, turn error, false escalations.

    A scenario's label is its category (never, for benign and false positives); the engine's
    label is its decisive reason code, or never. An escalation counts as the expected reason
    when its code is one of the scenario's acceptable ones, and as correct only at the expected
    turn: escalating at the wrong turn is a miss for the expected reason and a false alarm
    for the reason given.
    """
    codes = [c.value for c in ReasonCode]
    truth: list[str] = []
    predicted: list[str] = []
    for r in results:
        label = r.category if r.expected_turn is not None else NEVER
        truth.append(label)
        if r.turn is None:
            predicted.append(NEVER)
        elif r.passed:
            predicted.append(label)
        else:
            predicted.append(r.reason or NEVER)
    per_reason = {}
    tp_all = fp_all = fn_all = 0
    for code in codes:
        tp = sum(t == code and p == code for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != code and p == code for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == code and p != code for t, p in zip(truth, predicted, strict=True))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        if tp + fp + fn:
            per_reason[code] = {"support": tp + fn, **_prf(tp, fp, fn)}
    escalating = [r for r in results if r.expected_turn is not None]
    both = [r for r in escalating if r.turn is not None]
    negatives = [r for r in results if r.expected_turn is None]
    requests = [r for r in results if r.category == ReasonCode.CUSTOMER_REQUEST.value]
    reached = [r for r in requests if r.turn is None or r.turn >= (r.expected_turn or 0)]
    return {
        "scenarios": len(results),
        "passed": sum(r.passed for r in results),
        "overall": _prf(tp_all, fp_all, fn_all),
        "per_reason": per_reason,
        "turn_error": {
            "exact": sum(r.turn == r.expected_turn for r in both),
            "early": sum((r.turn or 0) < (r.expected_turn or 0) for r in both),
            "late": sum((r.turn or 0) > (r.expected_turn or 0) for r in both),
            "missed": len(escalating) - len(both),
            "mean_abs_turns": (
                sum(abs((r.turn or 0) - (r.expected_turn or 0)) for r in both) / len(both)
                if both
                else 0.0
            ),
        },
        "false_escalation_rate": (
            sum(r.turn is not None for r in negatives) / len(negatives) if negatives else 0.0
        ),
        "never_scenarios": len(negatives),
        "explicit_request_same_turn_recall": (
            sum(r.passed for r in requests) / len(requests) if requests else None
        ),
        # Requests made while the AI still held the conversation (not handed over earlier,
        # for another reason): the part of the recall a request detector answers for.
        "explicit_requests_reached": len(reached),
        "explicit_request_reached_same_turn_recall": (
            sum(r.passed for r in reached) / len(reached) if reached else None
        ),
    }


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
