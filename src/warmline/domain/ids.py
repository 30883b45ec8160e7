"""Typed ids, so a message id cannot be passed where a conversation id is expected."""

from typing import NewType

CustomerId = NewType("CustomerId", str)
ConversationId = NewType("ConversationId", str)
MessageId = NewType("MessageId", str)
HandoffId = NewType("HandoffId", str)
ArticleId = NewType("ArticleId", str)
ChunkId = NewType("ChunkId", str)
UserId = NewType("UserId", str)
TraceId = NewType("TraceId", str)
EventId = NewType("EventId", str)
