"""Personal data out, placeholders in: what a language model, a log line or a brief may see.

A customer's text is scanned for personal data (cards, emails, phones, national ids, IBANs,
names, street addresses, IP addresses); each value becomes a numbered placeholder such as
``<EMAIL_1>``. A :class:`RedactionSession` remembers which value got which placeholder, so the
same email is ``<EMAIL_1>`` in every text of one model call, and :meth:`RedactionSession.restore`
can put the values back into a model's answer before it reaches the customer. The values stay in
the session, in this process: no finding, repr or log line carries them.

Two redactors share this module's overlap and numbering rules: :class:`PresidioRedactor` (the
default: Presidio's recognizers plus spaCy's English NER for names) and
:class:`~warmline.privacy.patterns.PatternRedactor` (regular expressions only, no names).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from warmline.privacy.recognizers import PresidioDetector


class Kind(StrEnum):
    """What a piece of personal data is; the value is the placeholder's stem."""

    EMAIL = "EMAIL"
    PERSON = "PERSON"
    CARD = "CARD"
    PHONE = "PHONE"
    IBAN = "IBAN"
    NATIONAL_ID = "NATIONAL_ID"
    ADDRESS = "ADDRESS"
    IP = "IP"


@dataclass(frozen=True)
class Finding:
    """Where a value was and what replaced it; deliberately without the value itself."""

    kind: Kind
    start: int
    end: int
    placeholder: str


@dataclass(frozen=True)
class Redacted:
    text: str
    found: tuple[Finding, ...]


@dataclass(frozen=True)
class Detection:
    """A candidate span from a recognizer, before overlaps are settled."""

    kind: Kind
    start: int
    end: int
    score: float


# Below these scores a detection is dropped. Presidio gives validated matches (Luhn, IBAN
# checksum, NHS check digit) 1.0, spaCy names 0.85, formatted ids 0.5, phone numbers 0.4, and
# bare digit runs 0.01-0.1 that only an id word nearby ("passport", "ssn") lifts to 0.4.
MIN_SCORES: Mapping[Kind, float] = {
    Kind.EMAIL: 0.5,
    Kind.PERSON: 0.5,
    Kind.CARD: 0.5,
    Kind.PHONE: 0.4,
    Kind.IBAN: 0.5,
    Kind.NATIONAL_ID: 0.4,
    Kind.ADDRESS: 0.5,
    Kind.IP: 0.5,
}

# Names customers mention that a small NER model takes for people: the shop's own (which also
# reads like a street) and the services it works with. A detected name touching one of these
# is dropped; any other detection only when it lies wholly inside one.
SERVICE_NAMES: tuple[str, ...] = (
    "Affirm",
    "Afterpay",
    "Apple Pay",
    "Bluetooth",
    "Canada Post",
    "DHL",
    "FedEx",
    "Google Pay",
    "Klarna",
    "PayPal",
    "Royal Mail",
    "Shop Pay",
    "UPS",
    "USPS",
)
DEFAULT_KEEP: tuple[str, ...] = ("Juniper Lane", "Juniper Rewards", *SERVICE_NAMES)
# A name found once is also found where it appears again, alone or in part ("Elena" after
# "Elena Marsh"), as sure as the first finding.
ECHO_SCORE = 0.85

_PLACEHOLDER = re.compile(r"<([A-Z]+(?:_[A-Z]+)*)_(\d+)>")


class RedactionSession:
    """One conversation turn's placeholders: the same value always gets the same one.

    Thread-safe. Holds the original values, so keep it in memory for the turn and let it go;
    its repr shows only how many values it holds.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_value: dict[tuple[Kind, str], str] = {}
        self._values: dict[str, str] = {}
        self._kinds: dict[str, Kind] = {}
        self._counts: dict[Kind, int] = {}

    def placeholder_for(self, kind: Kind, value: str) -> str:
        key = (kind, _normalised(kind, value))
        with self._lock:
            known = self._by_value.get(key)
            if known is not None:
                return known
            number = self._counts.get(kind, 0) + 1
            self._counts[kind] = number
            placeholder = f"<{kind.value}_{number}>"
            self._by_value[key] = placeholder
            self._values[placeholder] = value
            self._kinds[placeholder] = kind
            return placeholder

    def values_of(self, kind: Kind) -> tuple[str, ...]:
        """The original values of one kind, for finding them again in the next text."""
        with self._lock:
            return tuple(v for p, v in self._values.items() if self._kinds[p] is kind)

    def restore(self, text: str) -> str:
        """Put the original values back where this session's placeholders stand."""
        with self._lock:
            values = dict(self._values)
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(0), m.group(0)), text)

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def __repr__(self) -> str:
        return f"RedactionSession({len(self)} values)"


class Redactor(Protocol):
    def redact(self, text: str, *, session: RedactionSession | None = None) -> Redacted: ...


def apply_detections(
    text: str,
    detections: Iterable[Detection],
    session: RedactionSession | None,
    *,
    keep: Sequence[str] = (),
) -> Redacted:
    """Drop weak and kept spans, find names again, settle overlaps, swap in placeholders.

    Overlapping detections merge into one span covering all of them, so no fragment of a value
    is left behind; the merged span takes the kind of its longest member (equal lengths: the
    higher score), so a name inside a street address still reads as ``<ADDRESS_1>``.
    """
    session = session if session is not None else RedactionSession()
    kept = _kept_ranges(text, keep)
    strong = [d for d in detections if d.score >= MIN_SCORES[d.kind] and not _kept(d, kept)]
    names = {text[d.start : d.end] for d in strong if d.kind is Kind.PERSON}
    echoes = _occurrences(text, names.union(session.values_of(Kind.PERSON)))
    strong += [d for d in echoes if not _kept(d, kept)]
    pieces: list[str] = []
    found: list[Finding] = []
    cursor = 0
    for kind, start, end in _merged(strong):
        value = text[start:end]
        placeholder = session.placeholder_for(kind, value)
        pieces += [text[cursor:start], placeholder]
        found.append(Finding(kind, start, end, placeholder))
        cursor = end
    pieces.append(text[cursor:])
    return Redacted("".join(pieces), tuple(found))


def _merged(detections: Sequence[Detection]) -> list[tuple[Kind, int, int]]:
    spans: list[tuple[Kind, int, int]] = []
    group: list[Detection] = []
    group_end = -1
    for detection in sorted(detections, key=lambda d: (d.start, -d.end)):
        if group and detection.start >= group_end:
            spans.append(_span_of(group))
            group = []
        group.append(detection)
        group_end = max(group_end, detection.end)
    if group:
        spans.append(_span_of(group))
    return spans


def _span_of(group: Sequence[Detection]) -> tuple[Kind, int, int]:
    leader = max(group, key=lambda d: (d.end - d.start, d.score))
    return leader.kind, min(d.start for d in group), max(d.end for d in group)


def _kept_ranges(text: str, keep: Sequence[str]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for phrase in keep:
        pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?:['\u2019]s)?(?!\w)", re.IGNORECASE)
        ranges += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return ranges


def _kept(detection: Detection, kept: Sequence[tuple[int, int]]) -> bool:
    if detection.kind is Kind.PERSON:
        return any(detection.start < end and start < detection.end for start, end in kept)
    return any(start <= detection.start and detection.end <= end for start, end in kept)


def _occurrences(text: str, names: Iterable[str]) -> list[Detection]:
    # Only capitalised words: a lower-case "will" or "rose" is more often not a name.
    phrases = {part for name in names for part in (name, *name.split()) if part[:1].isupper()}
    found: list[Detection] = []
    for phrase in phrases:
        pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")
        found += [
            Detection(Kind.PERSON, m.start(), m.end(), ECHO_SCORE) for m in pattern.finditer(text)
        ]
    return found


def _normalised(kind: Kind, value: str) -> str:
    """The form two mentions of one value share: "4111 1111..." and "4111-1111..." match."""
    if kind in (Kind.CARD, Kind.PHONE, Kind.IBAN, Kind.NATIONAL_ID):
        return "".join(c for c in value if c.isalnum()).upper()
    return " ".join(re.sub(r"[^\w@.:]+", " ", value).split()).casefold()


class PresidioRedactor:
    """Presidio's recognizers with spaCy's small English model for names; the default redactor.

    The spaCy pipeline loads lazily on the first :meth:`redact` (about a second; call
    :meth:`load` at start-up to pay it early) from the model package installed with Warmline,
    never from the network. One instance is meant to be shared: analysis runs under a lock,
    because spaCy does not promise that one pipeline may run in several threads at once.
    """

    def __init__(self, *, keep: Sequence[str] = DEFAULT_KEEP, model_path: Path | None = None):
        self._keep = tuple(keep)
        self._model_path = model_path
        self._lock = threading.Lock()
        self._detector: PresidioDetector | None = None

    def load(self) -> None:
        self._ensure_loaded()

    def redact(self, text: str, *, session: RedactionSession | None = None) -> Redacted:
        if not text.strip():
            return Redacted(text, ())
        detector = self._ensure_loaded()
        with self._lock:
            detections = detector.detect(text)
        return apply_detections(text, detections, session, keep=self._keep)

    def _ensure_loaded(self) -> PresidioDetector:
        # Importing Presidio pulls in spaCy (about two seconds); commands that never redact
        # should not pay for it.
        from warmline.privacy.recognizers import PresidioDetector

        with self._lock:
            if self._detector is None:
                self._detector = PresidioDetector(self._model_path)
            return self._detector


def build_redactor(*, keep: Sequence[str] = DEFAULT_KEEP) -> Redactor:
    """The redactor the product runs with."""
    return PresidioRedactor(keep=keep)
