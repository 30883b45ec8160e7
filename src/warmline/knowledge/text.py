"""Text helpers shared by indexing, composing and signals: tokens, stems, sentences."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
_CHAT_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
STOPWORDS = frozenset(STOPWORDS_EN) | {
    "hi",
    "hello",
    "hey",
    "please",
    "thanks",
    "thank",
    "can",
    "could",
    "would",
    "do",
    "does",
    "did",
    "how",
    "what",
    "when",
    "where",
    "why",
    "i",
    "im",
    "i'm",
    "my",
    "me",
    "you",
    "your",
    "get",
    "want",
    "need",
    "know",
    # Chat filler: how customers type, not what they ask about ("do u guys price match").
    "guys",
    "so",
    "ya",
    "pls",
    "plz",
    "thx",
    "lol",
    "ok",
    "okay",
    "yeah",
    "yep",
    "um",
    "uh",
    "hmm",
    "just",
    "really",
    "actually",
    "wanna",
    "gonna",
    "lemme",
    "kinda",
    "btw",
    "omg",
    "ugh",
}


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


def terms(text: str) -> list[str]:
    """Content words, stemmed: what lexical matching and term coverage compare."""
    kept = [w for w in words(text) if w not in STOPWORDS and len(w) > 1]
    stems: list[str] = _stemmer().stemWords(kept)
    return stems


def sentences(text: str) -> list[str]:
    """Split prose into sentences; list items and table rows count as sentences of their own."""
    return [sentence for sentence, _ in _sentence_lines(text)]


def introduced_items(text: str) -> set[str]:
    """The list items that are no sentence of their own and complete a line ending in a colon
    ("Please have:" then "- Your order number"): they mean nothing without that line."""
    return {sentence for sentence, introduced in _sentence_lines(text) if introduced}


def _sentence_lines(text: str) -> list[tuple[str, bool]]:
    found: list[tuple[str, bool]] = []
    lead_in = False  # the last line of prose ended with a colon
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("|---") or set(line) <= {"|", "-", ":", " "}:
            continue
        item = _LIST_ITEM.match(line)
        if item is None:
            lead_in = line.endswith(":")
        else:
            line = line[item.end() :]
        # An item that is no sentence of its own completes the line that opened the list.
        introduced = item is not None and lead_in and not line.endswith((".", "!", "?"))
        found.extend(
            (part.strip(), introduced) for part in _SENTENCE_END.split(line) if part.strip()
        )
    return found


def chat_sentences(text: str, *, min_words: int = 3) -> list[str]:
    """A chat message's sentences of at least ``min_words`` words, split at any ``.``, ``?``,
    ``!`` or line break: customers rarely start a sentence with a capital letter."""
    parts = (part.strip() for part in _CHAT_SENTENCE_END.split(text))
    return [part for part in parts if len(part.split()) >= min_words]
