"""The policy schema. Unknown fields are rejected; every field says what it does."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from warmline.domain.handoffs import ReasonCode
from warmline.errors import ConfigurationError

DEFAULT_POLICY = Path(__file__).with_name("default.yaml")

Ratio = Annotated[float, Field(ge=0.0, le=1.0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Messages(_Strict):
    disclosure: str = Field(description="First message of every conversation: says it is an AI.")
    handoff: str = Field(
        description="Told to the customer when a person is being brought in. "
        "{position} is replaced by the place in the queue."
    )
    handoff_no_knowledge: str = Field(
        description="Said before the handoff when the help center has nothing relevant."
    )
    handoff_low_confidence: str = Field(
        description="Said before the handoff when the evidence is too weak to answer."
    )
    agent_joined: str = Field(description="System note when an agent claims the conversation.")
    agent_left: str = Field(description="System note when an agent hands back to the AI.")
    resolved: str = Field(description="System note when an agent resolves the conversation.")
    reply_failed: str = Field(
        description="Error text when the AI could not reply; the message itself is saved."
    )
    answer_intro: str = Field(description="Framing sentence placed before an extractive answer.")
    clarify: str = Field(description="The clarifying question asked when there is no question yet.")
    already_waiting: str = Field(
        description="Said when the customer asks for a person while already in the queue."
    )


class Answering(_Strict):
    min_term_coverage: Ratio = Field(
        description="Share of the question's content words the best passage must contain."
    )
    out_of_scope_below_coverage: Ratio = Field(
        description="Below this share of the question's content words in the best passage, "
        "the question is treated as outside what the help center covers."
    )
    min_dense_similarity: Ratio = Field(
        description="Cosine similarity in meaning between the question and the best passage "
        "that counts as evidence on its own, even when the words differ."
    )
    out_of_scope_below_dense: Ratio = Field(
        description="Below this similarity in meaning (and the word coverage above), the "
        "question is treated as outside what the help center covers."
    )
    min_lexical_score: float = Field(
        ge=0.0, description="Lowest BM25 score of the best passage for an answer."
    )
    max_sentences: int = Field(ge=1, le=8, description="Most sentences in an extractive answer.")
    retrieve_k: int = Field(ge=1, le=50, description="Passages retrieved per question.")


class Routing(_Strict):
    default_queue: str = Field(description="Queue for handoffs no rule routes elsewhere.")
    priorities: dict[ReasonCode, int] = Field(
        description="Priority of a handoff by reason code; higher is more urgent."
    )


class Policy(_Strict):
    version: str = Field(description="Version label, recorded with every decision trace.")
    messages: Messages
    answering: Answering
    routing: Routing

    def priority_for(self, codes: list[ReasonCode]) -> int:
        return max((self.routing.priorities.get(code, 0) for code in codes), default=0)


def load_policy(source: Path | str | None = None) -> Policy:
    """Load a policy from a path, from YAML text, or the built-in default when ``None``."""
    if source is None:
        source = DEFAULT_POLICY
    if isinstance(source, Path):
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigurationError(f"cannot read policy {source}: {error}") from error
        where = str(source)
    else:
        text, where = source, "policy text"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigurationError(f"{where} is not valid YAML: {error}") from error
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        raise ConfigurationError(f"{where} is not a valid policy:\n{error}") from error
