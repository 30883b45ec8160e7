"""Conversations in tests read as scripts: the customer says, Warmline answers or escalates."""

from __future__ import annotations

from dataclasses import dataclass, field

from warmline.bootstrap import Container
from warmline.domain.conversations import Channel
from warmline.domain.customers import CustomerInfo
from warmline.engine.conversations import Reply


@dataclass
class Script:
    container: Container
    replies: list[Reply] = field(default_factory=list)

    def __post_init__(self) -> None:
        started = self.container.conversations.start(Channel.WEB, CustomerInfo(name="Ada"))
        self.conversation_id = started.conversation.id
        self.opening = started.messages[0].text

    def customer_says(self, text: str) -> Reply:
        reply = self.container.conversations.post(self.conversation_id, text).reply
        self.replies.append(reply)
        return reply

    @property
    def last(self) -> Reply:
        return self.replies[-1]

    def warmline_answers(self, *, citing: str | None = None) -> Reply:
        assert self.last.decision == "answer", (self.last.decision, self.last.text)
        assert self.last.citations, "an answer always carries its sources"
        if citing is not None:
            cited = [c.article_id for c in self.last.citations]
            assert citing in cited, cited
        return self.last

    def warmline_escalates(self, *, reason: str) -> Reply:
        assert self.last.decision == "escalate", (self.last.decision, self.last.text)
        assert reason in [r.value for r in self.last.reasons], self.last.reasons
        assert self.last.handoff_id is not None
        return self.last

    def warmline_asks_to_clarify(self) -> Reply:
        assert self.last.decision == "clarify", (self.last.decision, self.last.text)
        return self.last

    def warmline_stays_silent(self) -> Reply:
        assert self.last.decision == "none"
        assert self.last.text == ""
        return self.last
