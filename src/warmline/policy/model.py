"""The policy schema. Unknown fields are rejected; every field says what it does."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

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
    answer_intro: str = Field(
        description="Framing sentence before an answer given with high confidence."
    )
    answer_intro_hedged: str = Field(
        description="Framing sentence before an answer given below the high-confidence mark."
    )
    clarify_options: str = Field(
        description="Clarifying question for a short, ambiguous question; {options} is "
        "replaced by the help-center topics it could be about."
    )
    clarify: str = Field(description="The clarifying question asked when there is no question yet.")
    clarify_topic: str = Field(
        description="Clarifying question when the help center has something on the topic but "
        "the AI is not sure it answers the question; {topic} is the article's title."
    )
    handoff_after_hours: str = Field(
        description="Told instead of the handoff message outside business hours. {hours} is "
        "replaced by the opening hours, {email} by where the reply will go."
    )
    email_unknown: str = Field(
        default="the address you share here",
        description="Stands in for {email} in handoff_after_hours when the customer has given "
        "no email address yet.",
    )
    already_waiting: str = Field(
        description="Said when the customer asks for a person while already in the queue."
    )
    did_not_help: str = Field(
        description="Asked once when the customer says an answer did not help; the next time, "
        "a person takes over."
    )
    recovery: str = Field(
        description="Said before the handoff when the AI failed first (a loop, answers that "
        "did not help, rising frustration, or low confidence after an answer)."
    )
    sensitive: str = Field(
        description="Said before the handoff on a sensitive topic (bereavement, hardship, "
        "fraud, disputes, legal matters...)."
    )
    care_self_harm: str = Field(
        description="Said before the handoff when a message suggests the customer may harm "
        "themselves: caring words and where to find help now."
    )
    security: str = Field(
        description="Said before the handoff on a security signal (verification bypass, "
        "another person's data, instructions aimed at the assistant)."
    )
    policy_requires_human: str = Field(
        description="Said before the handoff on a topic the policy always gives to a person."
    )
    tool_failure: str = Field(
        description="Said before the handoff when a part of the system failed during the turn."
    )
    acknowledged: str = Field(
        description="Reply to a message that only thanks, agrees or says goodbye ('great, "
        "thanks!'): nothing to search, nobody to bring in."
    )
    offer_a_person: str = Field(
        default="I'm not sure I can answer this from our help center, and I'd rather not "
        "guess. Would you like me to bring in a person from our team? They will see this whole "
        "conversation. Or ask me something else.",
        description="Said instead of a handoff when, after one clarifying question, the AI "
        "still cannot answer (answering.unsure_after_clarifying: offer_a_person). A yes brings "
        "in a person; another question it cannot answer does too, once "
        "answering.unanswered_before_handoff is reached.",
    )
    declined_offer: str = Field(
        default="All right. If there's anything else, just write it here. A person is always "
        'one click away with the "Talk to a person" button.',
        description="Reply to a plain no ('no thanks', 'nah it's fine') to the offer of a "
        "person: nothing to search, nobody to bring in, no second offer.",
    )
    offer_a_person_not_found: str = Field(
        default="I couldn't find anything in our help center that answers this, and I'd "
        "rather not guess. Would you like me to bring in a person from our team? They will see "
        "this whole conversation. Or ask me something else.",
        description="Said instead of a handoff when the help center has nothing on a question "
        "(answering.not_in_help_center: offer_a_person). A yes brings in a person; another "
        "question it cannot answer does too, once answering.unanswered_before_handoff is "
        "reached.",
    )
    language_not_covered: str = Field(
        description="Asked when the customer writes in a language the help center does not "
        "cover and nothing could be answered; {language} is the language's name. A yes brings "
        "in a person. The next such message gets it again under answering.not_in_help_center: "
        "offer_a_person (until answering.unanswered_before_handoff), or a person at once under "
        "hand_over (routing sees the topic 'language:<code>')."
    )
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="The same messages in other languages, by language code (es, fr, de, pt) "
        "and then message name; used when the customer writes in that language. A message "
        "without a translation is sent as written above.",
    )

    @model_validator(mode="after")
    def _translations_name_messages(self) -> Messages:
        names = set(type(self).model_fields) - {"translations"}
        for language, texts in self.translations.items():
            unknown = sorted(set(texts) - names)
            if unknown:
                raise ValueError(f"translations.{language}: no message called {', '.join(unknown)}")
            for name, text in texts.items():
                extra = sorted(_placeholders(text) - _placeholders(str(getattr(self, name))))
                if extra:
                    raise ValueError(
                        f"translations.{language}.{name} uses {', '.join(extra)}, which "
                        f"the message {name} does not fill in"
                    )
        return self

    def text(self, name: str, language: str | None = None) -> str:
        """Message ``name`` in ``language`` when translated, as written otherwise."""
        translated = self.translations.get(language or "", {}).get(name)
        return translated if translated is not None else str(getattr(self, name))


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)\}", text))


class Answering(_Strict):
    out_of_scope_below_coverage: Ratio = Field(
        description="Below this share of the question's content words in the best passage "
        "(and the similarity below), the question is outside what the help center covers."
    )
    out_of_scope_below_dense: Ratio = Field(
        description="Below this similarity in meaning between question and best passage (and "
        "the word coverage above), the question is outside what the help center covers."
    )
    answer_at_or_above: Ratio = Field(
        description="Lowest calibrated confidence (probability the answer is correct and "
        "sufficient) at which the AI answers; below it, it clarifies once or hands over."
    )
    answer_chosen_topic_at_or_above: Ratio = Field(
        default=1.0,
        description="After a clarifying question, when the customer picks one of the topics it "
        "offered (says yes to the one topic, names one, or says which in the list), the AI "
        "answers from that article at or above this confidence, instead of the answer "
        "threshold; below it, a person takes over. 1.0: a picked topic is held to the answer "
        "threshold like any other question.",
    )
    clarify_at_or_above: Ratio = Field(
        description="Lowest confidence at which a question below the answer threshold gets "
        "one clarifying question (naming the topics it could be about) instead of a handoff; "
        "never two in a row."
    )
    clarify_max_terms: int = Field(
        ge=0,
        le=20,
        description="Questions with at most this many content words count as short enough "
        "to be ambiguous; longer ones below the answer threshold go to a person.",
    )
    follow_up_handoff_terms: int | None = Field(
        default=None,
        ge=1,
        le=40,
        description="Right after an answer, a follow-up question with at least this many "
        "content words that the help center cannot answer confidently goes to a person at once: "
        "it is already specific, and a clarifying question would only make the customer say "
        "it again. Unset: it gets one clarifying question first, like any other question.",
    )
    high_confidence: Ratio = Field(
        description="At or above this confidence, with only authoritative sources, the answer "
        "may use strong words (definitely, always, guaranteed); below it they are softened."
    )
    min_support: Ratio = Field(
        description="Lowest support score (words and meaning shared with the cited evidence) "
        "for an answer sentence to be kept."
    )
    llm_judge: bool = Field(
        description="When a chat model is configured, also ask it whether each sentence is "
        "supported by its evidence; a 'no' drops the sentence."
    )
    out_of_scope_by_intent: bool = Field(
        default=True,
        description="When an intent model is active and puts a question outside every intent "
        "it knows, a handoff because the help center could not answer it is reported as "
        "out_of_scope (with the intent model's evidence) rather than low_confidence. It never "
        "skips the clarifying question: on the demo shop, handing over at once on the intent "
        "model's word raised false escalations from 5 % to 13 % of benign conversations. Where "
        "a person would be offered after a clarifying question (unsure_after_clarifying), it "
        "hands over at once only when the reply read on its own is outside every intent too.",
    )
    unsure_after_clarifying: Literal["offer_a_person", "hand_over"] = Field(
        default="hand_over",
        description="What happens when, after one clarifying question, the help center still "
        "cannot answer confidently. hand_over: a person takes over at once (low_confidence). "
        "offer_a_person: the customer is told so and offered a person (messages.offer_a_person); "
        "a yes, or another question the AI cannot answer, brings one in. Either way the AI "
        "never guesses and never asks a second clarifying question. Questions outside the "
        "help center (out_of_scope) go to a person at once in both cases. A policy file "
        "without this field keeps hand_over, the behaviour before it existed; the built-in "
        "policy sets offer_a_person.",
    )
    not_in_help_center: Literal["offer_a_person", "hand_over"] = Field(
        default="hand_over",
        description="What happens when the help center has nothing on a question (rules "
        "knowledge_gap, no_relevant_knowledge, intent_out_of_scope). hand_over: a person takes "
        "over at once (low_confidence for a contact reason the intent model knows, else "
        "out_of_scope). offer_a_person: the customer is told the help center has nothing on it "
        "and offered a person (messages.offer_a_person_not_found); a yes brings one in with "
        "that reason. Each such question gets the offer until unanswered_before_handoff is "
        "reached, and a customer writing in a language the help center does not cover is "
        "asked again rather than handed over. An upset customer (frustration noted) is "
        "handed over at once either way. A policy file without this field keeps hand_over; "
        "the built-in policy sets offer_a_person.",
    )
    unanswered_before_handoff: int = Field(
        default=2,
        ge=1,
        le=10,
        description="How many replies in a row that did not answer (clarifying questions, "
        "offers of a person, asking for another language) a customer may get before a person "
        "takes over unasked: the next turn the AI cannot answer then goes to a person instead "
        "of another offer. With the built-in 3, a customer is asked once and offered a person "
        "twice; a fourth miss in a row hands over. A policy file without this field keeps 2, "
        "the behaviour before it existed (one clarifying question, one offer).",
    )
    knowledge_languages: list[str] = Field(
        default_factory=lambda: ["en"],
        description="Languages the help center is written in (codes: en, es, fr, de, pt). A "
        "customer writing in another language who cannot be answered is asked whether they "
        "can write in one of these or want a person (messages.language_not_covered).",
    )
    max_sentences: int = Field(ge=1, le=8, description="Most sentences in an answer.")
    retrieve_k: int = Field(ge=1, le=50, description="Passages retrieved per question.")


SensitiveTopic = Literal[
    "bereavement",
    "financial_hardship",
    "medical",
    "fraud",
    "dispute",
    "account_suspended",
    "legal",
    "regulator",
    "vulnerable",
    "self_harm",
]
SecurityAttack = Literal[
    "bypass_verification",
    "impersonation_authority",
    "other_persons_data",
    "contact_change_unverified",
    "assistant_rules",
]


class Frustration(_Strict):
    escalate_at: Ratio = Field(
        description="One message at or above this frustration probability hands over at once."
    )
    sustained_at: Ratio = Field(
        description="Messages at or above this probability count towards a sustained run."
    )
    sustained_turns: int = Field(
        ge=1,
        le=6,
        description="This many customer messages in a row at or above sustained_at hand over.",
    )


class Escalation(_Strict):
    """When the AI stops trying. Every signal and its evidence is in the decision trace."""

    disabled: list[ReasonCode] = Field(
        default_factory=list,
        description="Signals that are traced but never escalate on their own. "
        "customer_request cannot be turned off: a person is always one step away.",
    )
    human_request_min_probability: Ratio = Field(
        description="The learned request detector's probability at or above which a message "
        "not caught by the rules counts as asking for a person."
    )
    frustration: Frustration
    repeated_failure_after: int = Field(
        ge=1,
        le=5,
        description="Hand over when the customer has said this many times that an answer did "
        "not help.",
    )
    loop_question_similarity: Ratio = Field(
        description="A question at least this close in meaning (cosine) to one the AI already "
        "answered is the customer asking again: a loop."
    )
    loop_answer_similarity: Ratio = Field(
        description="A draft answer at least this close to an answer already given would "
        "repeat it: a loop."
    )
    loop_covered_similarity: Ratio | None = Field(
        default=None,
        description="Right after an answer, a question the AI cannot answer confidently whose "
        "meaning is at least this close to a sentence of an answer already given is the "
        "customer asking again what that answer was about (a loop), not a new question: a "
        "person takes over instead of a clarifying question. Unset: such a question gets the "
        "clarifying question like any other.",
    )
    sensitive_topics: list[SensitiveTopic] = Field(
        description="Sensitive topics that go to a person at once (self_harm also gets the "
        "care message)."
    )
    sensitive_min_probability: Ratio = Field(
        description="Lowest probability of the sensitive-topic detector that counts."
    )
    self_harm_min_probability: Ratio = Field(
        description="A lower bar for self-harm cues alone: missing one costs more than a "
        "caring message sent by mistake."
    )
    security_attacks: list[SecurityAttack] = Field(
        description="Social-engineering patterns that go to a person at once."
    )
    security_min_probability: Ratio = Field(
        description="Lowest probability of the security detector that counts."
    )
    human_only_topics: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Topics that always go to a person (policy_requires_human): name -> "
        "phrases that mark it, matched as whole words in any case.",
    )
    human_only_intents: list[str] = Field(
        default_factory=list,
        description="Intents of the active intent model (WARMLINE_INTENT_MODEL) that always go "
        "to a person (policy_requires_human) when predicted in scope with at least "
        "intent_min_confidence. Names not in the model are reported at start.",
    )
    intent_min_confidence: Ratio = Field(
        default=0.6,
        description="Lowest intent confidence at which human_only_intents hands over.",
    )

    @field_validator("disabled")
    @classmethod
    def _request_stays_on(cls, value: list[ReasonCode]) -> list[ReasonCode]:
        if ReasonCode.CUSTOMER_REQUEST in value:
            raise ValueError("customer_request cannot be turned off")
        return value

    def enabled(self, code: ReasonCode) -> bool:
        return code not in self.disabled


class Queue(_Strict):
    name: str = Field(min_length=1, description="The queue's name, as the inbox shows it.")
    topics: list[str] = Field(
        description="What goes here: sensitive topics (fraud, bereavement...), security "
        "patterns (bypass_verification...), human-only topics (wholesale...) or help-center "
        "article ids (refund-status...)."
    )
    priority_boost: int = Field(
        default=0, ge=0, le=100, description="Added to the handoff's priority in this queue."
    )


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)  # Monday first, as datetime.weekday() counts


class BusinessHours(_Strict):
    timezone: str = Field(description="IANA time zone, e.g. America/Toronto.")
    days: list[Weekday] = Field(min_length=1, description="Days a person is there.")
    open: str = Field(pattern=r"^\d{2}:\d{2}$", description="Opening time, HH:MM, local.")
    close: str = Field(pattern=r"^\d{2}:\d{2}$", description="Closing time, HH:MM, local.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    def is_open(self, when: datetime) -> bool:
        local = when.astimezone(ZoneInfo(self.timezone))
        day = _WEEKDAYS[local.weekday()]
        return day in self.days and self.open <= local.strftime("%H:%M") < self.close

    def describe(self, language: str | None = None) -> str:
        """The hours as a customer reads them: "Mon, Tue, 09:00–17:00 (America/Toronto)", with
        the days in ``language`` when it is one the assistant recognises."""
        names = _DAY_NAMES.get(language or "", {})
        days = ", ".join(names.get(d, d.capitalize()) for d in self.days)
        return f"{days}, {self.open}\u2013{self.close} ({self.timezone})"


_DAY_NAMES: dict[str, dict[str, str]] = {
    language: dict(zip(_WEEKDAYS, names, strict=True))
    for language, names in {
        "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
        "fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
        "de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
        "pt": ("seg", "ter", "qua", "qui", "sex", "sáb", "dom"),
    }.items()
}


class Routing(_Strict):
    default_queue: str = Field(description="Queue for handoffs no rule routes elsewhere.")
    queues: list[Queue] = Field(
        default_factory=list,
        description="Queues by topic; the first whose topics match a handoff's gets it.",
    )
    priorities: dict[ReasonCode, int] = Field(
        description="Priority of a handoff by reason code; higher is more urgent."
    )
    business_hours: BusinessHours | None = Field(
        default=None,
        description="When people answer; outside them the handoff waits as a ticket and the "
        "customer is promised an email follow-up. Unset: always staffed.",
    )

    high_value_at_or_above: float | None = Field(
        default=None,
        ge=0,
        description="A customer whose lifetime value (given by a trusted caller with an API "
        "key, never by the public widget) is at least this gets high_value_priority_boost on "
        "every handoff. Unset: no boost.",
    )
    high_value_priority_boost: int = Field(
        default=0, ge=0, le=100, description="Priority added for a high-value customer."
    )

    def queue_for(self, topics: Sequence[str]) -> Queue | None:
        wanted = set(topics)
        return next((q for q in self.queues if wanted & set(q.topics)), None)


class Policy(_Strict):
    version: str = Field(description="Version label, recorded with every decision trace.")
    messages: Messages
    answering: Answering
    escalation: Escalation
    routing: Routing

    def priority_for(
        self,
        codes: list[ReasonCode],
        queue: Queue | None = None,
        *,
        customer_value: float | None = None,
    ) -> int:
        routing = self.routing
        base = max((routing.priorities.get(code, 0) for code in codes), default=0)
        valued = (
            routing.high_value_at_or_above is not None
            and customer_value is not None
            and customer_value >= routing.high_value_at_or_above
        )
        return (
            base
            + (queue.priority_boost if queue else 0)
            + (routing.high_value_priority_boost if valued else 0)
        )


def policy_text(source: Path | None = None) -> str:
    """The text of a policy file (the built-in one when ``None``), as it will be recorded."""
    path = source or DEFAULT_POLICY
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read policy {path}: {error}") from error


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
