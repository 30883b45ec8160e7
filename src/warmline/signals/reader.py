"""Reading every escalation signal for one customer turn, as the policy configures them."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from warmline.domain.handoffs import quoted
from warmline.intents import IntentModel, IntentPrediction
from warmline.knowledge.embeddings import Embedder
from warmline.knowledge.text import terms
from warmline.policy.model import Policy
from warmline.signals.classifier import TextClassifier
from warmline.signals.detectors import (
    FailureDetector,
    FrustrationDetector,
    FrustrationReading,
    HumanRequestDetector,
    InstructionDetector,
    LoopDetector,
    PhraseTopics,
    SignalKind,
    TopicDetector,
    clip_text,
    signal_classifier,
)
from warmline.signals.language import (
    LanguageDetector,
    acknowledgement,
    asks_something,
    says_yes,
)

T = TypeVar("T")
_TRAINED: dict[tuple[object, ...], object] = {}
_TRAINED_LOCK = threading.Lock()


def _shared(key: tuple[object, ...], make: Callable[[], T]) -> T:
    """One classifier per process for each data set and embedder: every engine built in the
    process (tests build many, with different policies) reuses it instead of training again."""
    with _TRAINED_LOCK:
        if key not in _TRAINED:
            _TRAINED[key] = make()
        return cast(T, _TRAINED[key])


@dataclass(frozen=True)
class Observed:
    """The escalation signals of one turn, each with its evidence (``None``: did not fire)."""

    human_request: str | None = None
    security: str | None = None
    sensitive_topic: str | None = None
    sensitive_evidence: str | None = None
    policy_topic: str | None = None
    frustration: str | None = None
    # Upset, though below the bar that hands over by itself: a further reason on a handoff.
    frustration_noted: str | None = None
    frustration_reading: FrustrationReading | None = None
    not_helped: str | None = None
    failures: int = 0
    repeated_question: str | None = None
    acknowledgement: str | None = None  # the message only thanks, agrees or says goodbye
    yes: str | None = None  # the message only says yes ("yes please", "sí, por favor")
    asks: bool = True  # a question, a request or a problem, not a remark
    language: str | None = None  # the conversation's language, when the detector is sure
    intent: IntentPrediction | None = None  # the intent model's reading, when one is active
    topics: tuple[str, ...] = ()  # what routing can match: sensitive topic, attack, policy topic
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class History:
    """What the reader needs from the conversation so far."""

    customer_texts: Sequence[str] = ()  # earlier customer messages, oldest first
    # The frustration each of those was read with on its own turn (None: not read then, as
    # while a person had the conversation); missing ones at the end count as None.
    customer_moods: Sequence[float | None] = ()
    answered_questions: Sequence[str] = ()  # customer messages the AI answered
    given_answers: Sequence[str] = ()  # the AI's answers, oldest first
    failures: int = 0  # earlier messages that said an answer did not help
    ai_replies: int = 0  # answers and clarifying questions the AI has given so far
    identity_verified: bool = False  # the shop vouched for who is writing (a trusted start)


class SignalReader:
    """Runs the detectors. The learned ones train on first use (a few seconds in all, mostly
    embedding their labelled lines); :meth:`warm_up` pays that before the first customer."""

    def __init__(
        self,
        policy: Policy,
        embedder: Embedder,
        *,
        human: HumanRequestDetector | None = None,
        frustration: FrustrationDetector | None = None,
        sensitive: TopicDetector | None = None,
        security: TopicDetector | None = None,
        intents: IntentModel | None = None,
    ) -> None:
        escalation = policy.escalation
        self._policy = policy
        self._embedder = embedder
        self._intents = intents

        def trained(kind: SignalKind) -> TextClassifier:
            return _shared((kind, embedder.name), lambda: signal_classifier(kind, embedder))

        self._human = human or HumanRequestDetector(
            trained("human_request"), min_probability=escalation.human_request_min_probability
        )
        self._frustration = frustration or FrustrationDetector(trained("frustration"))
        self._sensitive = sensitive or TopicDetector(
            trained("sensitive"),
            min_probability=escalation.sensitive_min_probability,
            by_sentence=True,
        )
        self._security = security or TopicDetector(
            trained("security"), min_probability=escalation.security_min_probability
        )
        self._failure = FailureDetector()
        self._instructions = InstructionDetector()
        self._loops = LoopDetector(embedder)
        self._topics = PhraseTopics(escalation.human_only_topics)
        self._language = _shared(("language",), LanguageDetector)

    def warm_up(self) -> None:
        """Train the learned detectors now rather than on the first customer's turn."""
        self._language.load()
        self.read("warm-up", History())

    def intent_of(self, text: str) -> IntentPrediction | None:
        """The intent model's reading of a question; none without a model or a content word."""
        if self._intents is None or not terms(text):
            return None
        return self._intents.predict_embedded([text], self._embedder.embed([text]))[0]

    def language_of(self, texts: Sequence[str]) -> str | None:
        """The language of a conversation's latest customer messages, when the detector is sure."""
        return self._language.conversation(list(texts[-4:]))

    def read(self, text: str, history: History, *, question: str | None = None) -> Observed:
        """Every signal of one customer message. ``question`` is what the message asks once
        read with what came before (the reply to a clarifying question completes the question
        before it): the intent is read from it. A message with no content word ("hi",
        "ok??") has no intent to read."""
        escalation = self._policy.escalation
        human = self._human.detect(text)
        sensitive = self._sensitive.detect(
            text,
            escalation.sensitive_topics,
            bars={"self_harm": escalation.self_harm_min_probability},
        )
        # Asking to change contact details is an attack only from someone whose identity is
        # not known; a customer the shop signed in may ask (the help center explains how).
        attacks = [
            attack
            for attack in escalation.security_attacks
            if not (history.identity_verified and attack == "contact_change_unverified")
        ]
        security = self._security.detect(text, attacks)
        if security is None and "assistant_rules" in attacks:
            security = self._instructions.detect(text)
        topic = self._topics.detect(text)
        asked = question or text
        intent = self.intent_of(asked)
        intent_topic = (
            f"intent {intent.intent} ({intent.confidence:.2f}): {quoted(clip_text(asked, 120))}"
            if intent is not None
            and intent.intent in escalation.human_only_intents
            and intent.confidence >= escalation.intent_min_confidence
            else None
        )
        not_helped = (
            self._failure.detect(text, after_answer=bool(history.given_answers))
            if history.given_answers or history.ai_replies
            else None
        )
        # A request for a person and "that didn't help" are signals of their own: frustration
        # is read from the rest of the message ("I want to talk to a human" or "that doesn't
        # answer my question" is not, by itself, frustrated).
        mood_text = _without(text, human.evidence) if human and human.kind == "rule" else text
        if not_helped is not None and mood_text:
            mood_text = self._calmer(text, _without_clause(mood_text, not_helped.evidence))
        reading = self._frustration.judge(
            self._moods(history, mood_text),
            escalate_at=escalation.frustration.escalate_at,
            sustained_at=escalation.frustration.sustained_at,
            sustained_turns=escalation.frustration.sustained_turns,
        )
        similarity, earlier = self._loops.question(text, history.answered_questions)
        repeated = (
            f"{quoted(text)} is {similarity:.2f} similar to the answered {quoted(earlier)}"
            if earlier and similarity >= escalation.loop_question_similarity
            else None
        )
        return Observed(
            human_request=human.evidence if human else None,
            security=f"{security.kind.replace('_', ' ')} ({security.probability:.2f}): "
            f"{quoted(security.evidence)}"
            if security
            else None,
            sensitive_topic=sensitive.kind if sensitive else None,
            sensitive_evidence=sensitive.evidence if sensitive else None,
            policy_topic=f"{topic.kind}: {quoted(topic.evidence)}" if topic else intent_topic,
            frustration=f"{reading.why}, latest: {quoted(clip_text(text, 120))}"
            if reading.triggered
            else None,
            frustration_noted=None if reading.triggered else self._upset(mood_text, reading),
            frustration_reading=reading,
            not_helped=not_helped.evidence if not_helped else None,
            failures=history.failures + (1 if not_helped else 0),
            repeated_question=repeated,
            acknowledgement=acknowledgement(text),
            yes=says_yes(text),
            asks=asks_something(text),
            language=self.language_of([*history.customer_texts, text]),
            intent=intent,
            topics=(
                *(hit.kind for hit in (sensitive, security, topic) if hit is not None),
                *([f"intent:{intent.intent}"] if intent is not None and intent.in_scope else []),
            ),
            details={
                "human_request": human.as_dict() if human else None,
                "sensitive": sensitive.as_dict() if sensitive else None,
                "security": security.as_dict() if security else None,
                "frustration": reading.as_dict(),
                "question_similarity": round(similarity, 3),
                "intent": intent.as_dict() | {"best": intent.best} if intent else None,
            },
        )

    def _upset(self, mood_text: str, reading: FrustrationReading) -> str | None:
        """Evidence that the customer is upset, though below the bar that hands over: the
        message or its angriest sentence at the sustained bar ("and does it work on induction?
        honestly this is ridiculous, nobody ever answers my emails" reads 0.73 whole)."""
        if not mood_text:
            return None
        score, said = self._frustration.angriest(mood_text, reading.current)
        if score < self._policy.escalation.frustration.sustained_at:
            return None
        return (
            f"reads as upset ({score:.2f}), below the bar that hands over by itself: {quoted(said)}"
        )

    def _moods(self, history: History, mood_text: str) -> list[float]:
        """The frustration of the last few messages, this one last. An earlier message keeps
        the score its own turn read (so it reads now exactly as it did then, and is not scored
        again); one never read is read now, without a "that didn't help" clause."""
        texts = list(history.customer_texts)
        known = [*history.customer_moods, *[None] * len(texts)][: len(texts)][-_MOOD_TURNS:]
        texts = texts[-_MOOD_TURNS:]
        unread = [self._mood_text(t) for t, mood in zip(texts, known, strict=True) if mood is None]
        fresh = iter(self._frustration.scores([*unread, mood_text]))
        return [score if score is not None else next(fresh) for score in known] + [next(fresh)]

    def _mood_text(self, text: str) -> str:
        """An earlier message, never read on a turn of its own, as the mood is read."""
        said = self._failure.detect(text)
        return self._calmer(text, _without_clause(text, said.evidence)) if said else text

    def _calmer(self, text: str, rest: str) -> str:
        """Of a message and what is left once a signal's own words are out, the one that reads
        calmer: taking words out must never make a message angrier ("it's leaking just the
        same" alone reads angrier than with "I'm afraid that still hasn't helped" before it)."""
        if not rest or rest == text:
            return rest
        whole, part = self._frustration.scores([text, rest])
        return text if whole < part else rest

    def answered_before(self, text: str, history: History) -> str | None:
        """The sentence of an earlier answer that already speaks to this question, when the
        policy counts asking about it again as a loop."""
        bar = self._policy.escalation.loop_covered_similarity
        if bar is None:
            return None
        similarity, sentence = self._loops.covered(text, history.given_answers)
        if sentence and similarity >= bar:
            return (
                f"{similarity:.2f} similar to what an earlier answer said: {quoted(sentence[:120])}"
            )
        return None

    def repeated_answer(self, draft: str, history: History) -> str | None:
        """The earlier answer a draft would repeat, when it is close enough to count."""
        similarity, earlier = self._loops.answer(draft, history.given_answers)
        if earlier and similarity >= self._policy.escalation.loop_answer_similarity:
            return f"{similarity:.2f} similar to the earlier answer {quoted(earlier[:120])}"
        return None


def _without(text: str, phrase: str) -> str:
    """``text`` with ``phrase`` taken out (any case); unchanged when it is not there as such.
    What is left of a short request ("I want" from "I want to talk to a human") carries no
    mood of its own, so fewer than four words left count as nothing."""
    at = text.lower().find(phrase.lower())
    if at < 0:
        return text
    rest = (text[:at] + text[at + len(phrase) :]).strip()
    return rest if len(rest.split()) >= _LEAST_WORDS_LEFT else ""


def _without_clause(text: str, phrase: str) -> str:
    """``text`` without the clause that holds ``phrase`` ("that's not relevant to my
    situation" goes whole: what is left of a clause reads as its whole did)."""
    at = text.lower().replace("\u2019", "'").find(phrase.lower())  # same length, same places
    if at < 0:
        return text
    start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, at)), default=0)
    after = _CLAUSE_END.search(text, at + len(phrase))
    rest = (text[:start] + " " + (text[after.end() :] if after else "")).strip()
    return rest if len(rest.split()) >= _LEAST_WORDS_LEFT else ""


_CLAUSE_END = re.compile(r"[.,;:!?\n]+")
_MOOD_TURNS = 5  # earlier messages the frustration trend looks back over
_LEAST_WORDS_LEFT = 4
