"""The schema. Alembic migrations create it; a test checks the two never drift apart."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

TS = sa.DateTime(timezone=True)

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("email", sa.String(320), unique=True),
    sa.Column("name", sa.String(200)),
    sa.Column("external_id", sa.String(200), unique=True),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("lifetime_value", sa.Float, nullable=True),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.String(200)),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("api_key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", TS, nullable=False),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("agent_id", sa.String(40), sa.ForeignKey("users.id")),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Column("identity_verified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_conversations_customer", "customer_id"),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(40), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(40), sa.ForeignKey("conversations.id"), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author_id", sa.String(40)),
    sa.Column("author_name", sa.String(200)),
    sa.Column("citations", sa.JSON, nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_messages_conversation", "conversation_id", "seq"),
)

handoffs = sa.Table(
    "handoffs",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("conversation_id", sa.String(40), sa.ForeignKey("conversations.id"), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("queue", sa.String(100), nullable=False),
    sa.Column("brief", sa.JSON, nullable=False),
    sa.Column("claimed_by", sa.String(40), sa.ForeignKey("users.id")),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("claimed_at", TS),
    sa.Column("closed_at", TS),
    sa.Index("ix_handoffs_status", "status", "created_at"),
    sa.Index("ix_handoffs_conversation", "conversation_id"),
    # At most one handoff in the queue or with an agent per conversation, even when two
    # requests race: the database refuses the second.
    sa.Index(
        "ux_handoffs_one_active",
        "conversation_id",
        unique=True,
        postgresql_where=sa.text("status IN ('open', 'claimed')"),
        sqlite_where=sa.text("status IN ('open', 'claimed')"),
    ),
)

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("audience", sa.String(20), nullable=False),
    sa.Column("authoritative", sa.Boolean, nullable=False),
    sa.Column("source", sa.String(2000), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("effective", sa.Date),
    sa.Column("origin", sa.String(2000), nullable=False, server_default=""),
)

kb_versions = sa.Table(
    "kb_versions",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("added", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("deleted", sa.Integer, nullable=False),
)

embeddings = sa.Table(
    "embeddings",
    metadata,
    sa.Column("model", sa.String(200), primary_key=True),
    sa.Column("content_hash", sa.String(64), primary_key=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)

chunks = sa.Table(
    "chunks",
    metadata,
    sa.Column("id", sa.String(240), primary_key=True),
    sa.Column(
        "article_id",
        sa.String(200),
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("ordinal", sa.Integer, nullable=False),
    sa.Column("section", sa.String(500)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Index("ix_chunks_article", "article_id", "ordinal"),
)

traces = sa.Table(
    "traces",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("conversation_id", sa.String(40), sa.ForeignKey("conversations.id"), nullable=False),
    sa.Column("customer_message_id", sa.String(40), nullable=False),
    sa.Column("reply_message_id", sa.String(40)),
    sa.Column("decision", sa.String(20), nullable=False),
    sa.Column("rule", sa.String(100), nullable=False),
    sa.Column("confidence", sa.Float),
    sa.Column("retrieved", sa.JSON, nullable=False),
    sa.Column("signals", sa.JSON, nullable=False),
    sa.Column("extra", sa.JSON, nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_traces_conversation", "conversation_id"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("type", sa.String(60), nullable=False),
    sa.Column("conversation_id", sa.String(40), nullable=False),
    sa.Column("at", TS, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Index("ix_events_type_at", "type", "at"),
)

policy_versions = sa.Table(
    "policy_versions",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version", sa.String(100), nullable=False),
    sa.Column("checksum", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("activated_at", TS, nullable=False),
    sa.Column("intent_model", sa.String(64), nullable=True),
    sa.Index("ix_policy_versions_version", "version"),
)
