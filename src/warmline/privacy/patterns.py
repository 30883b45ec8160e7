"""Regular expressions and check digits for personal data, and the regex-only redactor.

The street-address finder is used by both redactors (Presidio ships no English address
recognizer); the rest backs :class:`PatternRedactor`, the fallback that needs no language model
and so cannot find names.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Sequence

from warmline.privacy.redaction import (
    DEFAULT_KEEP,
    Detection,
    Kind,
    Redacted,
    RedactionSession,
    apply_detections,
)

# -- street addresses ---------------------------------------------------------------------

_SUFFIXES = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace|"
    "Way|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Mews|Gardens|Grove|Square|Sq"
)
_HOUSE = r"\d{1,5}[A-Za-z]?(?:-\d{1,5}[A-Za-z]?)?"
_UNIT = r"(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\.?\s*[A-Za-z0-9-]{1,6}"
_NAME_WORD = r"(?:[A-Z][A-Za-z'\u2019-]*|\d{1,3}(?:st|nd|rd|th))"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
_US_ZIP = r"(?:[A-Z]{2}\s+)?\d{5}(?:-\d{4})?"
_LOCALITY = r"(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2},?\s+)?"
_TAIL = (
    r"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b\.?)?"
    rf"(?:,?\s+{_UNIT})?"
    rf"(?:,?\s+{_LOCALITY}(?P<code>{_UK_POSTCODE}|{_US_ZIP})\b)?"
)

# "221B Baker Street", "1600 Pennsylvania Ave NW, Washington, DC 20500", "Flat 2, 12 Rose
# Lane, Leeds LS1 4AB". The street's name must be capitalised: in lower case, "2 shirts in the
# same place" would read as an address too.
_STREET = re.compile(
    rf"(?<![\w-])(?:{_UNIT},?\s+)?{_HOUSE}\s+(?:(?:North|South|East|West|[NSEW]\.?)\s+)?"
    rf"(?:{_NAME_WORD}\s+){{1,4}}(?i:{_SUFFIXES})\b\.?{_TAIL}"
)
# Typed all in lower case ("12 rose lane"): only one or two words and an unmistakable suffix.
_LOWER_STREET = re.compile(
    r"(?<![\w-])\d{1,5}[a-z]?\s+(?:[a-z]+\s+){1,2}(?:street|avenue|road|lane|boulevard)\b"
)
_PO_BOX = re.compile(r"(?<!\w)P\.?\s?O\.?\s+Box\s+\d{1,6}\b", re.IGNORECASE)

ADDRESS_SCORE_WITH_CODE = 0.9
ADDRESS_SCORE = 0.7
ADDRESS_SCORE_LOWER_CASE = 0.6


def find_addresses(text: str) -> Iterator[Detection]:
    for match in _STREET.finditer(text):
        score = ADDRESS_SCORE_WITH_CODE if match.group("code") else ADDRESS_SCORE
        yield Detection(Kind.ADDRESS, match.start(), match.end(), score)
    for match in _LOWER_STREET.finditer(text):
        yield Detection(Kind.ADDRESS, match.start(), match.end(), ADDRESS_SCORE_LOWER_CASE)
    for match in _PO_BOX.finditer(text):
        yield Detection(Kind.ADDRESS, match.start(), match.end(), ADDRESS_SCORE)


# -- names people give ---------------------------------------------------------------------

# "My name is Aoife Ní Bhriain", "name: jake smith". A small NER model misses unusual and
# lower-case names, but hardly anyone writes "my name is" before anything else.
_INTRODUCTION = re.compile(
    r"(?i:\b(?:my\s+(?:full\s+|first\s+|last\s+)?name(?:'s|\u2019s|\s+is)|"
    r"(?:first|last|full)\s+name\s*(?:is|:)|surname\s*(?:is|:)|name\s*:))\s*"
    r"(?P<name>[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*){0,2}"
    r"|[a-z][\w'\u2019-]*(?:\s+[a-z][\w'\u2019-]*)?)"
)
# Words that end a lower-case name: "my name is not on the order", "my name is wrong".
_NOT_A_NAME = frozenset(
    {"also", "and", "as", "at", "but", "different", "for", "in", "incorrect", "is", "listed"}
    | {"misspelled", "missing", "not", "now", "on", "shown", "so", "spelled", "still", "the"}
    | {"under", "was", "with", "wrong"}
)
INTRODUCED_NAME_SCORE = 0.8


def find_introduced_names(text: str) -> Iterator[Detection]:
    for match in _INTRODUCTION.finditer(text):
        start = end = match.start("name")
        for word in re.finditer(r"\S+", match.group("name")):
            if word.group().casefold() in _NOT_A_NAME:
                break
            end = start + word.end()
        if end > start:
            yield Detection(Kind.PERSON, start, end, INTRODUCED_NAME_SCORE)


# -- numbers with check digits --------------------------------------------------------------


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    compact = iban.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def nhs_valid(digits: str) -> bool:
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    return check != 10 and (check % 11) == int(digits[9])


def ssn_valid(digits: str) -> bool:
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return (
        area not in ("000", "666")
        and not area.startswith("9")
        and group != "00"
        and serial != "0000"
        and len(set(digits)) > 1
    )


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


# -- the other finders ----------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b")
_SSN = re.compile(r"(?<![\d-])\d{3}([- ])\d{2}\1\d{4}(?![\d-])")
_NINO = re.compile(
    r"\b(?!BG|GB|NK|KN|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE,
)
_NHS = re.compile(r"(?<![\d-])\d{3}([ -]?)\d{3}\1\d{4}(?![\d-])")
_PHONES = (
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\w-])"),  # international
    re.compile(r"(?<![\w-])(?:1[ .-])?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])"),  # US
    re.compile(r"(?<![\w-])0\d{2,4} ?\d{3,4} ?\d{3,4}(?![\w-])"),  # UK national
)
_IPV4 = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")


def _find_emails(text: str) -> Iterator[Detection]:
    for m in _EMAIL.finditer(text):
        yield Detection(Kind.EMAIL, m.start(), m.end(), 1.0)


def _find_cards(text: str) -> Iterator[Detection]:
    for m in _CARD.finditer(text):
        digits = _digits(m.group())
        if 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits):
            yield Detection(Kind.CARD, m.start(), m.end(), 1.0)


def _find_ibans(text: str) -> Iterator[Detection]:
    for m in _IBAN.finditer(text):
        candidate = m.group()
        # The pattern may run on into a following upper-case word; drop groups until it checks.
        while candidate.count(" ") >= 3 and not iban_valid(candidate):
            candidate = candidate.rsplit(" ", 1)[0]
        if iban_valid(candidate):
            yield Detection(Kind.IBAN, m.start(), m.start() + len(candidate), 1.0)


def _find_national_ids(text: str) -> Iterator[Detection]:
    for m in _SSN.finditer(text):
        if ssn_valid(_digits(m.group())):
            yield Detection(Kind.NATIONAL_ID, m.start(), m.end(), 0.5)
    for m in _NINO.finditer(text):
        yield Detection(Kind.NATIONAL_ID, m.start(), m.end(), 0.5)
    for m in _NHS.finditer(text):
        if nhs_valid(_digits(m.group())):
            yield Detection(Kind.NATIONAL_ID, m.start(), m.end(), 1.0)


def _find_phones(text: str) -> Iterator[Detection]:
    for pattern in _PHONES:
        for m in pattern.finditer(text):
            if 10 <= len(_digits(m.group())) <= 15:
                yield Detection(Kind.PHONE, m.start(), m.end(), 0.4)


def _find_ips(text: str) -> Iterator[Detection]:
    for m in _IPV4.finditer(text):
        yield Detection(Kind.IP, m.start(), m.end(), 0.6)
    for m in _IPV6.finditer(text):
        if m.group().count(":") >= 2 and len(m.group()) > 2:
            try:
                ipaddress.IPv6Address(m.group())
            except ValueError:
                continue
            yield Detection(Kind.IP, m.start(), m.end(), 0.6)


_FINDERS: tuple[Callable[[str], Iterator[Detection]], ...] = (
    _find_emails,
    _find_cards,
    _find_ibans,
    _find_national_ids,
    _find_phones,
    _find_ips,
    find_addresses,
    find_introduced_names,
)


class PatternRedactor:
    """Regular expressions and check digits only: fast and needs no model.

    For tests that do not need names, and as a documented fallback where the spaCy model
    cannot be installed. Not the default: it finds only the names people introduce ("my name
    is ..."), so most names would reach the model.
    """

    def __init__(self, *, keep: Sequence[str] = DEFAULT_KEEP) -> None:
        self._keep = tuple(keep)

    def redact(self, text: str, *, session: RedactionSession | None = None) -> Redacted:
        detections = [d for find in _FINDERS for d in find(text)]
        return apply_detections(text, detections, session, keep=self._keep)
