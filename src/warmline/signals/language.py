"""Which language the customer writes in, and whether a message only says thanks or goodbye.

The language comes from py3langid (langid.py's model, shipped inside the package as arrays, no
pickle), limited to the languages Warmline speaks to customers in. Short messages ("ok",
"merci") are too short to tell reliably, so a language counts only above a probability bar and
from a few letters up; the conversation keeps the last language it was sure of.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from typing import Any

LANGUAGES = ("en", "es", "fr", "de", "pt")
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
}


class LanguageDetector:
    """The language of a message among :data:`LANGUAGES`, or ``None`` when unsure."""

    def __init__(self, *, min_probability: float = 0.9, min_letters: int = 12) -> None:
        self._min_probability = min_probability
        self._min_letters = min_letters
        self._lock = threading.Lock()
        self._identifier: Any = None

    def load(self) -> None:
        """Load the model (about a second) now rather than on the first message."""
        self._loaded()

    def _loaded(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(LANGUAGES))
                self._identifier = identifier
            return self._identifier

    def detect(self, text: str) -> str | None:
        if sum(ch.isalpha() for ch in text) < self._min_letters:
            return None
        language, probability = self._loaded().classify(text)
        return str(language) if float(probability) >= self._min_probability else None

    def conversation(self, texts: Sequence[str]) -> str | None:
        """The language of the latest message it can tell, newest first."""
        for text in reversed(texts):
            found = self.detect(text)
            if found is not None:
                return found
        return None


# -- thanks, goodbye, "ok": nothing to answer -------------------------------------------------

# Words that close or acknowledge, in the five languages; a message made only of these (and
# the fillers below) is an acknowledgement. At least one must be a closing word.
_CLOSING = {
    # English
    "thanks", "thank", "thanx", "thx", "ty", "tysm", "cheers", "bye", "goodbye", "great", "perfect",
    "awesome", "cool", "nice", "brilliant", "excellent", "wonderful", "lovely", "amazing",
    "fantastic", "helpful", "helped", "helps", "appreciated", "appreciate", "sorted", "solved",
    "ok", "okay", "okey", "k", "kk", "alright", "gotcha", "understood", "noted",
    # Spanish
    "gracias", "genial", "perfecto", "perfecta", "vale", "listo", "excelente", "adios",
    "chao", "entendido", "estupendo", "buenisimo",
    # French
    "merci", "parfait", "super", "daccord", "entendu", "revoir", "top", "nickel",
    # German
    "danke", "dank", "dankeschon", "vielen", "perfekt", "klar", "tschuss", "prima", "spitze",
    "toll",
    # Portuguese
    "obrigado", "obrigada", "valeu", "perfeito", "otimo", "beleza", "tchau", "certo",
    "entendi",
}  # fmt: skip
_FILLER = {
    "so", "much", "very", "a", "lot", "thats", "for", "the", "your", "you", "u", "that", "this",
    "it",
    "its", "all", "i", "ill", "will", "try", "then", "again", "got", "see", "good", "oh", "ah",
    "yes", "yeah", "yep", "sure", "no", "nope", "else", "help", "was", "just",
    "what", "needed", "need", "have", "day", "works", "worked", "makes", "sense",
    "done", "did", "fixed", "set", "now", "im", "in",
    "muchas", "mucho", "muy", "por", "todo", "eso", "es", "mas", "si", "bien",
    "beaucoup", "c", "est", "tout", "oui", "non", "bonne", "journee", "au", "ca",
    "schon", "sehr", "das", "wars", "alles", "ja", "nein", "gut", "noch", "mal",
    "muito", "tudo", "isso", "sim", "nao", "bom", "dia", "ta", "de", "e",
}  # fmt: skip
# "thanks for nothing" is not thanks.
_NOT_CLOSING = {"nothing", "nada", "rien", "nichts"}
_WORD = re.compile(r"[a-z]+")


def _plain_words(text: str) -> list[str]:
    """Lower-case words without accents or apostrophes: "Ça" is "ca", "don't" is "dont"."""
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return _WORD.findall(plain.replace("'", "").replace("\u2019", ""))


def acknowledgement(text: str) -> str | None:
    """The message itself when it only thanks, agrees or says goodbye; ``None`` otherwise
    (a question, a request or anything with content of its own)."""
    if "?" in text or len(text) > 120:
        return None
    words = _plain_words(text)
    if not words or any(w in _NOT_CLOSING for w in words):
        return None
    if not any(w in _CLOSING for w in words):
        return None
    if all(w in _CLOSING or w in _FILLER for w in words):
        return text.strip()
    return None


# -- "yes please": saying yes to an offer ----------------------------------------------------

# A yes in the five languages, and what may go with it in a bare "yes, please do".
_YES = {
    "yes", "yeah", "yep", "yup", "yea", "ya", "sure",
    "si", "claro", "oui", "ja", "gerne", "gern", "sim",
}  # fmt: skip
# No thanks, "ok" or "great" among them: "yes thanks", "yeah ok" and "yes great" after an
# answer say it helped.
_WITH_YES = {
    "please", "pls", "plz", "do", "go", "ahead", "that", "would", "be",
    "por", "favor", "vale", "svp", "stp", "volontiers", "bitte", "pode", "ser",
}  # fmt: skip


# Said to a direct question ("Would you like me to bring in a person?") these agree too; after
# an answer they only say it helped. Written as _plain_words reads them ("d'accord", "tá").
_AGREE = {
    "ok", "okay", "k", "kk", "alright", "fine", "please", "pls", "plz", "sounds", "good",
    "vale", "bueno", "daccord", "gut", "ta", "beleza",
}  # fmt: skip


# Words that take back or put off a yes that opens a message ("yes but what about ...").
_YES_BUT = {
    "but", "though", "first", "before", "not", "no", "dont", "wait",
    "pero", "mais", "aber", "mas", "primero", "dabord", "zuerst", "antes",
}  # fmt: skip


def says_yes(text: str, *, to_a_question: bool = False) -> str | None:
    """The message itself when it only says yes ("yes please", "sí, por favor", "ja bitte",
    "please do"); ``None`` otherwise. ``to_a_question``: the last reply asked a yes-or-no
    question, so "ok" and "please" say yes as well, and so does a yes that opens a message
    and is not taken back or put off ("yes, someone who knows the bookcase would be great";
    not "yes but what about shipping"). What it says yes to is the conversation's business."""
    if "?" in text:
        return None
    words = _plain_words(text)
    if (
        to_a_question
        and words
        and words[0] in _YES
        and len(text) <= 160
        and not any(w in _YES_BUT for w in words)
    ):
        return text.strip()
    if len(text) > 60:
        return None
    agree = _AGREE if to_a_question else set()
    if not words or not all(w in _YES or w in _WITH_YES or w in agree for w in words):
        return None
    agreed = any(w in _YES or w in agree for w in words)
    if agreed or words[:2] in (["please", "do"], ["pls", "do"]):
        return text.strip()
    return None


# A no in the five languages, and what may go with it in a bare "no thanks, it's fine".
_NO = {"no", "nope", "nah", "nein", "non", "nao", "not", "never"}
_WITH_NO = {
    "thanks", "thank", "thx", "ty", "you", "its", "it", "is", "fine", "ok", "okay", "all",
    "good", "need", "now", "worries", "problem", "im", "i", "am", "thats", "that", "alright",
    "gracias", "esta", "bien", "merci", "cest", "bon", "danke", "schon", "gut", "obrigado",
    "obrigada", "tudo", "bem", "pas", "besoin", "hace", "falta", "nicht", "notig", "precisa",
    "necessario", "right",
}  # fmt: skip


def says_no(text: str) -> str | None:
    """The message itself when it only turns down what a yes-or-no question offered ("no
    thanks", "nah it's fine", "no gracias", "nein danke"); ``None`` otherwise (a question, or
    anything with content of its own)."""
    if "?" in text or len(text) > 60:
        return None
    words = _plain_words(text)
    if not words or not any(w in _NO for w in words):
        return None
    if not all(w in _NO or w in _WITH_NO for w in words):
        return None
    return text.strip()


# -- does the message ask for anything? -------------------------------------------------------

# Words that make a message a question, a request or a problem report, in the five languages:
# question words and modals, "need", "want", "please", "help", and negations or trouble words
# ("my package never came" asks for help without saying so). A message with none of them and
# no question mark ("my sister ordered me a bookcase for my birthday, super sweet of her") is
# a remark: the customer has not said what they need yet.
_ASKING = {
    # English
    "how", "what", "whats", "when", "where", "why", "who", "which", "whom", "whose", "can",
    "cant", "could", "would", "will", "wont", "should", "shall", "may", "might", "do", "does",
    "did", "is", "are", "was", "were", "am", "need", "needs", "want", "wants", "wanna", "like",
    "please", "pls", "plz", "help", "tell", "show", "explain", "send", "give", "wondering",
    "wonder", "know", "any", "anything", "if", "not", "no", "never", "nothing", "dont",
    "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt", "cannot", "still",
    "yet", "wrong", "broken", "broke", "missing", "lost", "late", "damaged", "dented", "cracked",
    "torn", "stopped", "problem", "issue", "stolen", "charged", "refund", "return", "cancel",
    "exchange", "change", "fix", "order", "track", "tracking",
    # Spanish
    "que", "como", "cuando", "donde", "por", "porque", "quien", "cual", "puedo", "puede",
    "pueden", "quiero", "quisiera", "necesito", "ayuda", "favor", "nunca", "todavia", "pedido",
    # French
    "quoi", "comment", "quand", "ou", "pourquoi", "qui", "quel", "quelle", "puis", "peux",
    "pouvez", "voudrais", "veux", "besoin", "aide", "svp", "plait", "ne", "pas", "jamais",
    "commande", "toujours",
    # German
    "wie", "wann", "wo", "warum", "wer", "welche", "welcher", "kann", "konnen", "konnten",
    "mochte", "brauche", "hilfe", "bitte", "nicht", "kein", "keine", "nie", "noch",
    "bestellung",
    # Portuguese
    "quando", "onde", "quem", "posso", "pode", "podem", "quero", "preciso", "ajuda",
    "nao", "ainda", "encomenda",
}  # fmt: skip


def asks_something(text: str) -> bool:
    """Whether the message asks a question, makes a request or reports a problem; ``False``
    for a remark that says nothing the customer needs ("my late delivery finally came,
    lovely lamp")."""
    if "?" in text or "\u00bf" in text:
        return True
    return any(word in _ASKING for word in _plain_words(text))
