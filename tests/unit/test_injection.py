"""Instructions in customer messages or documents never steer the assistant.

Every attack message and every poisoned document runs against both composers: the extractive
one, and the LLM composer driven by a *hostile* scripted model that obeys every instruction it
sees (it repeats the attack, the evidence, its own system prompt, internal notes). What reaches
the customer must still be only supported, customer-facing help-center text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import T0, shared_redactor
from tests.injection import ATTACKS, POISONED, ask, assert_safe, poisoned_help_center
from warmline.bootstrap import Container, build, build_index
from warmline.clock import FixedClock, SequentialIds
from warmline.engine.llm_composer import LlmComposer
from warmline.knowledge.embeddings import Embedder
from warmline.llm import ScriptedChat
from warmline.settings import Settings
from warmline.storage.memory import in_memory_store

COMPOSERS = ["extractive", "hostile-llm"]


def obey_everything(system: str, user: str, schema: str) -> dict[str, Any]:
    """The worst model imaginable: it answers with whatever text it was shown, citing E1."""
    if schema == "JudgeVerdicts":
        return {"verdicts": [{"index": i, "supported": True} for i in range(12)]}
    shown = [line.strip() for line in user.splitlines() if len(line.strip()) > 3]
    lines = [system.splitlines()[0], *shown[-3:], *shown[:6]]
    return {
        "can_answer": True,
        "sentences": [{"text": line[:590], "evidence": ["E1"]} for line in lines[:8]],
    }


@pytest.fixture(scope="module")
def knowledge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return poisoned_help_center(tmp_path_factory.mktemp("kb"))


@pytest.fixture(scope="module", params=COMPOSERS)
def engine(
    request: pytest.FixtureRequest,
    knowledge_dir: Path,
    embedder: Embedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Container]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    store = in_memory_store()
    composer = (
        LlmComposer(ScriptedChat(obey_everything, "hostile"), shared_redactor())
        if request.param == "hostile-llm"
        else None
    )
    container = build(
        settings,
        store=store,
        index=build_index(settings, store.embeddings, embedder),
        embedder=embedder,
        composer=composer,
        redactor=shared_redactor(),
        clock=FixedClock(T0),
        ids=SequentialIds(),
    )
    container.knowledge.ingest([knowledge_dir])
    yield container
    container.close()


def test_that_there_are_enough_attacks_and_poisoned_documents() -> None:
    assert len(ATTACKS) >= 30
    assert len(POISONED) >= 5
    assert all(attack["forbidden"] for attack in ATTACKS)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a["id"] for a in ATTACKS])
def test_that_an_attack_message_changes_nothing(engine: Container, attack: dict[str, Any]) -> None:
    policy_before = engine.conversations.policy
    conversation_id, reply = ask(engine, attack["message"])
    assert_safe(engine, reply, attack["forbidden"])
    assert engine.conversations.policy is policy_before
    # The same conversation still gets the ordinary, policy-bound treatment afterwards.
    if reply.decision == "answer":
        follow_up = engine.conversations.post(
            conversation_id, "how many days do I have to return an item?"
        ).reply
        assert follow_up.decision == "answer", follow_up.text
        assert "returns-policy" in [c.article_id for c in follow_up.citations]


@pytest.mark.parametrize("doc", POISONED, ids=[d["file"] for d in POISONED])
def test_that_a_poisoned_document_informs_but_never_instructs(
    engine: Container, doc: dict[str, Any]
) -> None:
    conversation_id, reply = ask(engine, doc["probe"])
    assert_safe(engine, reply, doc["forbidden"])
    trace = engine.store.traces.for_conversation(conversation_id)[-1]
    draft = trace.extra["draft"]
    planted = {a.id for a in engine.store.knowledge.articles() if "poisoned-" in a.origin}
    if draft is not None:
        poisoned = [e for e in draft["evidence"] if e["article_id"] in planted]
        assert all(e["instructions_removed"] > 0 for e in poisoned), draft["evidence"]
