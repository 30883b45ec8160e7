"""The intent model inside the engine: every turn's trace, the brief, the policy, the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import in_memory_engine
from tests.unit.conversation_script import Script
from warmline.bootstrap import Container
from warmline.demo.intent_model import demo_intent_model
from warmline.domain.handoffs import ReasonCode
from warmline.intents import IntentModel
from warmline.knowledge.embeddings import Embedder
from warmline.policy.model import policy_text
from warmline.settings import Settings


@pytest.fixture(scope="module")
def demo_model(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    return demo_intent_model(tmp_path_factory.mktemp("intents"), embedder)


def _engine(
    tmp_path: Path, embedder: Embedder, model: Path, policy: Path | None = None
) -> Container:
    settings = Settings(data_dir=tmp_path, intent_model=model, policy_file=policy)
    return in_memory_engine(settings, embedder)


def test_that_every_turn_carries_the_intent_and_its_confidence(
    tmp_path: Path, embedder: Embedder, demo_model: Path
) -> None:
    engine = _engine(tmp_path, embedder, demo_model)
    chat = Script(engine)
    chat.customer_says("where is my order JL-2284710? it was supposed to be here monday")
    trace = engine.conversations.last_trace(chat.conversation_id)
    assert trace is not None
    assert trace.signals["intent"] == "order_status"
    assert trace.signals["intent_in_scope"] is True
    assert trace.signals["intent_confidence"] > 0.5
    assert trace.extra["detectors"]["intent"]["intent"] == "order_status"


def test_that_a_greeting_has_no_intent(
    tmp_path: Path, embedder: Embedder, demo_model: Path
) -> None:
    """ "hi" has no content word to classify (it had read as a press enquiry); the next
    message is read as the question it completes."""
    engine = _engine(tmp_path, embedder, demo_model)
    chat = Script(engine)
    chat.customer_says("hi")
    trace = engine.conversations.last_trace(chat.conversation_id)
    assert trace is not None and trace.decision == "clarify"
    assert trace.signals["intent"] is None
    chat.customer_says("where is my order JL-2284710? it was supposed to be here monday")
    trace = engine.conversations.last_trace(chat.conversation_id)
    assert trace is not None and trace.signals["intent"] == "order_status"
    detected = trace.extra["detectors"]["intent"]
    assert detected["intent"] == "order_status"


def test_that_the_active_configuration_records_the_models_checksum(
    tmp_path: Path, embedder: Embedder, demo_model: Path
) -> None:
    engine = _engine(tmp_path, embedder, demo_model)
    model = IntentModel.load(demo_model, embedder=embedder)
    assert engine.intents is not None and engine.intents.checksum == model.checksum
    assert engine.store.policies.history()[0].intent_model == model.checksum


def test_that_an_intent_the_policy_keeps_for_people_is_handed_over_with_the_intent_in_the_brief(
    tmp_path: Path, embedder: Embedder, demo_model: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        policy_text()
        .replace(
            "human_only_intents: [wholesale, press, data_deletion]",
            "human_only_intents: [order_status]",
        )
        .replace('version: "', 'version: "order-status-to-people-', 1)
    )
    engine = _engine(tmp_path, embedder, demo_model, policy)
    chat = Script(engine)
    chat.customer_says("hi, where's my package? order JL-2284710 still says processing")
    reply = chat.warmline_escalates(reason="policy_requires_human")
    assert reply.handoff_id is not None
    handoff = engine.handoffs.get(reply.handoff_id)
    assert "intent order_status" in handoff.reasons[0].evidence
    assert handoff.brief.intent is not None and handoff.brief.intent.startswith("order_status (")


def test_that_without_a_model_nothing_about_intents_is_claimed(container: Container) -> None:
    chat = Script(container)
    chat.customer_says("where is my order JL-2284710?")
    trace = container.conversations.last_trace(chat.conversation_id)
    assert trace is not None
    assert trace.signals["intent"] is None and trace.signals["intent_in_scope"] is None
    assert container.store.policies.history()[0].intent_model is None


def test_that_a_human_only_intent_the_phrase_lists_miss_reaches_its_queue(
    tmp_path: Path, embedder: Embedder, demo_model: Path
) -> None:
    engine = _engine(tmp_path, embedder, demo_model)
    chat = Script(engine)
    chat.customer_says(
        "we run a boutique hotel and want to stock your towels in all 40 rooms, "
        "who handles pricing for that?"
    )
    reply = chat.warmline_escalates(reason="policy_requires_human")
    assert reply.handoff_id is not None
    handoff = engine.handoffs.get(reply.handoff_id)
    assert handoff.queue == "sales"
    assert "intent wholesale" in handoff.reasons[0].evidence


def test_that_the_brief_after_a_yes_to_the_offer_of_a_person_names_the_question_asked(
    tmp_path: Path, embedder: Embedder, demo_model: Path
) -> None:
    """ "yes please" names no topic, whatever the intent model makes of it: the brief and the
    queue get the topic of the question the AI could not answer."""
    engine = _engine(tmp_path, embedder, demo_model)
    chat = Script(engine)
    chat.customer_says("the label for my return isnt in my email")
    chat.warmline_asks_to_clarify()
    chat.customer_says("checked spam. not there either")
    chat.warmline_asks_to_clarify()
    chat.customer_says("yes please")
    handed = chat.warmline_escalates(reason="low_confidence")
    assert handed.handoff_id is not None
    handoff = engine.store.handoffs.get(handed.handoff_id)
    assert handoff is not None
    brief = handoff.brief
    assert brief.intent is not None
    assert brief.intent.startswith("start_return") and "from turn 2" in brief.intent
    assert any("offered a person" in line for line in brief.actions_tried)
    assert [r.code for r in brief.reasons] == [
        ReasonCode.LOW_CONFIDENCE,
        ReasonCode.CUSTOMER_REQUEST,
    ]
