"""The composition root: the one place that builds concrete objects from settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from warmline.accounts import AccountService
from warmline.clock import Clock, IdGenerator, SystemClock, TimeOrderedIds
from warmline.engine.answering import Answerer
from warmline.engine.briefs import LlmBriefSummarizer
from warmline.engine.composer import Composer, ExtractiveComposer
from warmline.engine.confidence import ConfidenceModel
from warmline.engine.conversations import ConversationService
from warmline.engine.emitter import Emitter
from warmline.engine.handoffs import HandoffService
from warmline.engine.llm_composer import LlmComposer
from warmline.engine.verifier import Verifier
from warmline.errors import ConfigurationError
from warmline.events.bus import EventBus, InProcessEventBus
from warmline.intents import IntentModel
from warmline.knowledge.dense import DenseIndex, limit_blas_threads
from warmline.knowledge.embeddings import (
    CachedEmbedder,
    Embedder,
    HashingEmbedder,
    OnnxMiniLmEmbedder,
    OpenAICompatibleEmbedder,
)
from warmline.knowledge.hybrid import HybridIndex
from warmline.knowledge.index import Bm25Index, KnowledgeIndex
from warmline.knowledge.rerank import FeatureReranker, LlmReranker, Reranker
from warmline.knowledge.service import KnowledgeService
from warmline.llm import ChatModel, OpenAICompatibleChat, RedactingChat
from warmline.policy.activation import activate as activate_policy
from warmline.policy.model import Policy, load_policy, policy_text
from warmline.privacy.redaction import Redactor, build_redactor
from warmline.settings import Settings
from warmline.signals.reader import SignalReader
from warmline.storage.memory import InMemoryEmbeddingCache
from warmline.storage.ports import EmbeddingCache, Store
from warmline.storage.sql.database import create_engine, upgrade
from warmline.storage.sql.repos import sql_store

log = logging.getLogger(__name__)


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
    redactor: Redactor
    chat: ChatModel | None = None
    intents: IntentModel | None = None
    engine: sa.Engine | None = None

    def close(self) -> None:
        if isinstance(self.chat, OpenAICompatibleChat):
            self.chat.close()
        if self.engine is not None:
            self.engine.dispose()


def open_database(settings: Settings, *, migrate: bool = True) -> sa.Engine:
    engine = create_engine(settings.resolved_database_url())
    if migrate:
        upgrade(engine)
    return engine


def load_intent_model(settings: Settings, policy: Policy, embedder: Embedder) -> IntentModel | None:
    """The configured intent model, checked against the policy: an intent the policy names that
    the model does not know is logged at start rather than left as a rule that never fires."""
    if settings.intent_model is None:
        return None
    model = IntentModel.load(settings.intent_model, embedder=embedder)
    unknown = sorted(set(policy.escalation.human_only_intents) - set(model.intents))
    if unknown:
        log.warning(
            "the policy's human_only_intents name intents the model at %s does not know: %s",
            settings.intent_model,
            ", ".join(unknown),
        )
    return model


def build_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "openai":
        if not (settings.embeddings_url and settings.embeddings_model):
            raise ConfigurationError(
                "WARMLINE_EMBEDDER=openai needs WARMLINE_EMBEDDINGS_URL and "
                "WARMLINE_EMBEDDINGS_MODEL"
            )
        return OpenAICompatibleEmbedder(
            settings.embeddings_url, settings.embeddings_model, settings.embeddings_api_key
        )
    if settings.embedder == "hashing":
        return HashingEmbedder()
    return OnnxMiniLmEmbedder()


def build_chat(settings: Settings) -> ChatModel | None:
    if settings.chat_url and settings.chat_model:
        return OpenAICompatibleChat(
            settings.chat_url,
            settings.chat_model,
            settings.chat_api_key,
            timeout=settings.chat_timeout,
            json_mode=settings.chat_json_mode,
        )
    return None


def build_summarizer(settings: Settings, chat: ChatModel | None) -> LlmBriefSummarizer | None:
    if settings.brief_summarizer != "llm":
        return None
    if chat is None:
        raise ConfigurationError(
            "WARMLINE_BRIEF_SUMMARIZER=llm needs WARMLINE_CHAT_URL and WARMLINE_CHAT_MODEL"
        )
    # The brief redacts every line before the summarizer sees it.
    return LlmBriefSummarizer(chat)


def build_composer(
    settings: Settings,
    chat: ChatModel | None,
    redactor: Redactor,
    embedder: Embedder | None = None,
) -> Composer:
    if settings.composer == "llm":
        if chat is None:
            raise ConfigurationError(
                "WARMLINE_COMPOSER=llm needs WARMLINE_CHAT_URL and WARMLINE_CHAT_MODEL"
            )
        return LlmComposer(chat, redactor)
    return ExtractiveComposer(embedder)


def build_answerer(
    settings: Settings,
    policy: Policy,
    sentences: Embedder,
    redactor: Redactor,
    *,
    composer: Composer | None = None,
    chat: ChatModel | None = None,
) -> Answerer:
    """``sentences`` embeds evidence sentences, which recur from turn to turn: give it a cache."""
    return Answerer(
        composer or build_composer(settings, chat, redactor, sentences),
        Verifier(
            sentences,
            min_support=policy.answering.min_support,
            judge=RedactingChat(chat, redactor) if chat and policy.answering.llm_judge else None,
        ),
        ConfidenceModel.load(settings.calibration_file),
        policy,
    )


def build_index(
    settings: Settings,
    cache: EmbeddingCache,
    embedder: Embedder | None = None,
    redactor: Redactor | None = None,
    chat: ChatModel | None = None,
) -> HybridIndex:
    """Hybrid retrieval: BM25 + dense, fused, then reranked (by the chat model if one is set)."""
    limit_blas_threads()
    model = embedder or build_embedder(settings)
    dense = DenseIndex(CachedEmbedder(model, cache), query_embedder=model)
    reranker: Reranker = FeatureReranker()
    chat = (chat or build_chat(settings)) if settings.llm_rerank else None
    if settings.llm_rerank and chat is None:
        raise ConfigurationError(
            "WARMLINE_LLM_RERANK=true needs WARMLINE_CHAT_URL and WARMLINE_CHAT_MODEL"
        )
    if chat is not None:
        reranker = LlmReranker(RedactingChat(chat, redactor or build_redactor()), reranker)
    return HybridIndex(Bm25Index(), dense, reranker)


def build(
    settings: Settings,
    *,
    store: Store | None = None,
    index: KnowledgeIndex | None = None,
    embedder: Embedder | None = None,
    composer: Composer | None = None,
    redactor: Redactor | None = None,
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
    clock = clock or SystemClock()
    limit_blas_threads()
    embedder = embedder or build_embedder(settings)
    intents = load_intent_model(settings, policy, embedder)
    activate_policy(
        store.policies,
        policy,
        policy_text(settings.policy_file),
        clock.now(),
        intent_model=intents.checksum if intents else None,
    )
    redactor = redactor or build_redactor()
    chat = build_chat(settings)
    index = index or build_index(settings, store.embeddings, embedder, redactor, chat)
    bus = bus or InProcessEventBus()
    ids = ids or TimeOrderedIds()
    emitter = Emitter(store.events, bus)
    # Help-center sentences and customer messages, embedded once each for the detectors, the
    # composer and the verifier, and kept in this process's memory only (bounded).
    in_memory = CachedEmbedder(embedder, InMemoryEmbeddingCache(max_items=100_000))
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
            knowledge=knowledge,
            summarizer=build_summarizer(settings, chat),
            signals=SignalReader(policy, in_memory, intents=intents),
            answerer=build_answerer(
                settings, policy, in_memory, redactor, composer=composer, chat=chat
            ),
            redactor=redactor,
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
        redactor=redactor,
        chat=chat,
        intents=intents,
        engine=engine,
    )
