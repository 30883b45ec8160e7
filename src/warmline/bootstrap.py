"""The composition root: the one place that builds concrete objects from settings."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from warmline.accounts import AccountService
from warmline.clock import Clock, IdGenerator, SystemClock, TimeOrderedIds
from warmline.engine.composer import ExtractiveComposer
from warmline.engine.conversations import Composer, ConversationService
from warmline.engine.emitter import Emitter
from warmline.engine.handoffs import HandoffService
from warmline.events.bus import EventBus, InProcessEventBus
from warmline.knowledge.index import Bm25Index, KnowledgeIndex
from warmline.knowledge.service import KnowledgeService
from warmline.policy.model import Policy, load_policy
from warmline.settings import Settings
from warmline.storage.ports import Store
from warmline.storage.sql.database import create_engine, upgrade
from warmline.storage.sql.repos import sql_store


@dataclass(frozen=True)
class Container:
    settings: Settings
    policy: Policy
    store: Store
    bus: EventBus
    knowledge: KnowledgeService
    conversations: ConversationService
    handoffs: HandoffService
    accounts: AccountService
    clock: Clock
    engine: sa.Engine | None = None

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def open_database(settings: Settings, *, migrate: bool = True) -> sa.Engine:
    engine = create_engine(settings.resolved_database_url())
    if migrate:
        upgrade(engine)
    return engine


def build(
    settings: Settings,
    *,
    store: Store | None = None,
    index: KnowledgeIndex | None = None,
    composer: Composer | None = None,
    bus: EventBus | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    migrate: bool = True,
) -> Container:
    """Build everything. Pass a part to replace it (tests use in-memory stores and fixed clocks)."""
    engine = None
    if store is None:
        engine = open_database(settings, migrate=migrate)
        store = sql_store(engine)
    policy = load_policy(settings.policy_file)
    index = index or Bm25Index()
    bus = bus or InProcessEventBus()
    clock = clock or SystemClock()
    ids = ids or TimeOrderedIds()
    emitter = Emitter(store.events, bus)
    knowledge = KnowledgeService(store.knowledge, index, clock)
    knowledge.refresh_index()
    return Container(
        settings=settings,
        policy=policy,
        store=store,
        bus=bus,
        knowledge=knowledge,
        conversations=ConversationService(
            store=store,
            index=index,
            composer=composer or ExtractiveComposer(),
            policy=policy,
            emitter=emitter,
            clock=clock,
            ids=ids,
            max_message_chars=settings.max_message_chars,
        ),
        handoffs=HandoffService(
            store=store,
            policy=policy,
            emitter=emitter,
            clock=clock,
            ids=ids,
            max_message_chars=settings.max_message_chars,
        ),
        accounts=AccountService(store.users, clock, ids),
        clock=clock,
        engine=engine,
    )
