"""The repository contract. An implementation that passes this can back Warmline."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from tests.helpers import T0
from warmline.domain.conversations import (
    Channel,
    Citation,
    Conversation,
    ConversationStatus,
    Message,
    Role,
)
from warmline.domain.customers import Customer
from warmline.domain.events import FeedbackGiven, HandoffOpened
from warmline.domain.handoffs import Brief, Handoff, HandoffStatus, Reason, ReasonCode
from warmline.domain.ids import (
    ArticleId,
    ChunkId,
    ConversationId,
    CustomerId,
    HandoffId,
    MessageId,
    TraceId,
    UserId,
)
from warmline.domain.knowledge import Article, Audience, Chunk
from warmline.domain.traces import DecisionTrace
from warmline.domain.users import User, UserRole
from warmline.errors import ConflictError, NotFoundError
from warmline.storage.ports import Store

ADA = Customer(CustomerId("cus_ada"), "ada@example.com", "Ada", "crm-1", T0)


def conversation(store: Store, suffix: str = "1") -> Conversation:
    if store.customers.get(ADA.id) is None:
        store.customers.add(ADA)
    conv = Conversation(
        id=ConversationId(f"conv_{suffix}"),
        customer_id=ADA.id,
        channel=Channel.WEB,
        status=ConversationStatus.ACTIVE,
        agent_id=None,
        token_hash="0" * 64,
        created_at=T0,
        updated_at=T0,
    )
    store.conversations.add(conv)
    return conv


def handoff(conv: Conversation, suffix: str = "1", minutes: int = 0) -> Handoff:
    reasons = (Reason(ReasonCode.CUSTOMER_REQUEST, "asked for a person"),)
    return Handoff(
        id=HandoffId(f"ho_{suffix}"),
        conversation_id=conv.id,
        status=HandoffStatus.OPEN,
        reasons=reasons,
        priority=50,
        queue="general",
        brief=Brief("summary", reasons, "Ada", False, None, "told", "next", ("an answer",)),
        created_at=T0 + timedelta(minutes=minutes),
    )


def test_that_customers_are_found_by_id_email_and_external_id(store: Store) -> None:
    store.customers.add(ADA)
    assert store.customers.get(ADA.id) == ADA
    assert store.customers.find_by_email("ada@example.com") == ADA
    assert store.customers.find_by_external_id("crm-1") == ADA
    assert store.customers.get(CustomerId("cus_nobody")) is None


def test_that_two_customers_cannot_share_an_email(store: Store) -> None:
    store.customers.add(ADA)
    with pytest.raises(ConflictError):
        store.customers.add(replace(ADA, id=CustomerId("cus_other"), external_id=None))


def test_that_messages_come_back_in_order_with_their_citations(store: Store) -> None:
    conv = conversation(store)
    citation = Citation(ArticleId("returns"), "Returns", "https://x/returns", "Fees", "A snippet")
    texts = [f"message {i}" for i in range(12)]
    for i, text in enumerate(texts):
        store.conversations.add_message(
            Message(
                MessageId(f"msg_{i:02d}"),
                conv.id,
                Role.AI if i % 2 else Role.CUSTOMER,
                text,
                T0,  # the same instant: order must still hold
                citations=(citation,) if i % 2 else (),
            )
        )
    messages = store.conversations.messages(conv.id)
    assert [m.text for m in messages] == texts
    assert messages[1].citations == (citation,)
    assert messages[0].created_at == T0


def test_that_a_message_for_a_missing_conversation_is_refused(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.conversations.add_message(
            Message(MessageId("msg_x"), ConversationId("conv_missing"), Role.CUSTOMER, "hi", T0)
        )


def test_that_conversation_updates_persist_and_list_by_customer(store: Store) -> None:
    conv = conversation(store)
    conversation(store, "2")
    store.users.add(User(UserId("usr_1"), "sam@example.com", "Sam", UserRole.AGENT, "h" * 64, T0))
    moved = replace(conv, status=ConversationStatus.WITH_AGENT, agent_id=UserId("usr_1"))
    store.conversations.update(moved)
    assert store.conversations.get(conv.id) == moved
    assert [c.id for c in store.conversations.for_customer(ADA.id)] == ["conv_1", "conv_2"]
    with pytest.raises(NotFoundError):
        store.conversations.update(replace(conv, id=ConversationId("conv_missing")))


def test_that_a_conversation_has_at_most_one_active_handoff(store: Store) -> None:
    conv = conversation(store)
    first = handoff(conv)
    store.handoffs.add(first)
    assert store.handoffs.active_for_conversation(conv.id) == first
    with pytest.raises(ConflictError):
        store.handoffs.add(handoff(conv, "2"))
    store.handoffs.update(replace(first, status=HandoffStatus.RESOLVED, closed_at=T0))
    assert store.handoffs.active_for_conversation(conv.id) is None
    store.handoffs.add(handoff(conv, "2"))


def test_that_handoffs_list_by_status_oldest_first(store: Store) -> None:
    later = handoff(conversation(store, "a"), "later", minutes=5)
    sooner = handoff(conversation(store, "b"), "sooner", minutes=1)
    store.handoffs.add(later)
    store.handoffs.add(sooner)
    store.users.add(User(UserId("usr_1"), "sam@example.com", "Sam", UserRole.AGENT, "h" * 64, T0))
    claimed = replace(
        later, status=HandoffStatus.CLAIMED, claimed_by=UserId("usr_1"), claimed_at=T0
    )
    store.handoffs.update(claimed)
    assert [h.id for h in store.handoffs.list()] == ["ho_sooner", "ho_later"]
    assert store.handoffs.list(HandoffStatus.OPEN) == [sooner]
    assert store.handoffs.list(HandoffStatus.CLAIMED) == [claimed]
    assert store.handoffs.get(HandoffId("ho_later")) == claimed


def test_that_saving_an_article_replaces_its_chunks(store: Store) -> None:
    article = Article(
        ArticleId("returns"),
        "Returns",
        "policy",
        Audience.CUSTOMER,
        True,
        "u",
        "body",
        "h1",
        date(2026, 1, 1),
    )
    chunks = [Chunk(ChunkId(f"returns#{i}"), article.id, i, None, f"text {i}") for i in range(3)]
    store.knowledge.save_article(article, chunks)
    store.knowledge.save_article(replace(article, content_hash="h2"), chunks[:1])
    assert store.knowledge.get_article(article.id) == replace(article, content_hash="h2")
    assert store.knowledge.chunks() == chunks[:1]
    assert store.knowledge.delete_article(article.id) is True
    assert store.knowledge.delete_article(article.id) is False
    assert store.knowledge.articles() == [] and store.knowledge.chunks() == []


def test_that_traces_keep_what_was_retrieved_and_why(store: Store) -> None:
    conv = conversation(store)
    trace = DecisionTrace(
        id=TraceId("trace_1"),
        conversation_id=conv.id,
        customer_message_id=MessageId("msg_1"),
        decision="answer",
        rule="grounded_answer",
        confidence=0.8,
        retrieved=({"chunk_id": "returns#0", "score": 3.2},),
        signals={"hits": 1},
        created_at=T0,
        reply_message_id=MessageId("msg_2"),
        extra={"policy_version": "1"},
    )
    store.traces.add(trace)
    assert store.traces.for_conversation(conv.id) == [trace]


def test_that_users_are_found_by_email_and_key_hash_and_unique(store: Store) -> None:
    sam = User(UserId("usr_1"), "sam@example.com", "Sam", UserRole.AGENT, "a" * 64, T0)
    store.users.add(sam)
    assert store.users.find_by_email("sam@example.com") == sam
    assert store.users.find_by_api_key_hash("a" * 64) == sam
    with pytest.raises(ConflictError):
        store.users.add(replace(sam, id=UserId("usr_2"), api_key_hash="b" * 64))
    store.users.update(replace(sam, api_key_hash="c" * 64))
    assert store.users.find_by_api_key_hash("a" * 64) is None


def test_that_the_event_log_keeps_events_in_order_with_their_payload(store: Store) -> None:
    store.events.append(
        HandoffOpened(
            conversation_id=ConversationId("conv_1"),
            at=T0,
            handoff_id=HandoffId("ho_1"),
            reasons=("customer_request",),
        )
    )
    store.events.append(
        FeedbackGiven(conversation_id=ConversationId("conv_1"), at=T0, resolved=True, csat=4)
    )
    events = store.events.all()
    assert [e.type for e in events] == ["handoff.opened", "feedback.given"]
    assert list(events[0].data["reasons"]) == ["customer_request"]
    assert events[1].data == {"resolved": True, "csat": 4}
    assert events[0].at == T0


def test_that_every_knowledge_change_gets_a_new_version(store: Store) -> None:
    assert store.knowledge.version() is None
    first = store.knowledge.record_version(added=3, updated=0, deleted=0, at=T0)
    second = store.knowledge.record_version(added=0, updated=1, deleted=2, at=T0)
    assert second.number > first.number
    assert store.knowledge.version() == second
    assert (second.updated, second.deleted) == (1, 2)


def test_that_an_article_remembers_where_it_came_from(store: Store) -> None:
    article = Article(
        ArticleId("a"), "A", "article", Audience.CUSTOMER, False, "u", "b", "h", None, "kb/a.md"
    )
    store.knowledge.save_article(article, [])
    assert store.knowledge.get_article(article.id) == article


def test_that_embeddings_are_cached_by_model_and_text_hash(store: Store) -> None:
    vector = (np.arange(4) / 10).astype(np.float32)
    store.embeddings.put_many("minilm", {"h1": vector})
    store.embeddings.put_many(
        "minilm", {"h1": vector, "h2": (vector * 2).astype(np.float32)}
    )  # repeats are fine
    found = store.embeddings.get_many("minilm", ["h1", "h2", "h3"])
    assert set(found) == {"h1", "h2"}
    assert np.allclose(found["h2"], vector * 2) and found["h1"].dtype == np.float32
    assert store.embeddings.get_many("other-model", ["h1"]) == {}


def test_that_racing_handoff_requests_open_exactly_one(store: Store) -> None:
    conv = conversation(store)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def request(n: int) -> None:
        barrier.wait()
        try:
            store.handoffs.add(handoff(conv, f"race{n}"))
            outcomes.append("opened")
        except ConflictError:
            outcomes.append("refused")

    threads = [threading.Thread(target=request, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["opened"] + ["refused"] * 5
    assert len(store.handoffs.list(HandoffStatus.OPEN)) == 1


def test_that_policy_activations_are_kept_newest_first(store: Store) -> None:
    from warmline.domain.policies import PolicyRecord

    first = PolicyRecord("v1", "a" * 64, "version: v1", datetime(2026, 11, 1, tzinfo=UTC))
    second = PolicyRecord("v2", "b" * 64, "version: v2", datetime(2026, 11, 2, tzinfo=UTC))
    store.policies.record(first)
    store.policies.record(second)
    assert store.policies.history() == [second, first]
