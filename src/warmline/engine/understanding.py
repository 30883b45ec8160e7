"""Understanding a customer message. For now: an explicit request for a person.

The escalation engine replaces this with a trained detector; this rule set keeps the promise
that a request for a person is honoured in the same turn, in the languages we serve.
"""

from __future__ import annotations

import re

_PERSON = (
    r"(?:human|person|people|real\s+person|live\s+person|agent|representative|rep|operator|"
    r"someone|somebody|staff|support\s+team|customer\s+service|manager|supervisor)"
)
_ASK = (
    r"(?:talk|speak|chat|connect|transfer|put\s+me\s+through|get\s+me|give\s+me|want|need|"
    r"let\s+me\s+talk|can\s+i\s+(?:talk|speak|get|have)|i'?d\s+like)"
)

_REQUEST_PATTERNS = [
    # English: "talk to a human", "I want a real person", "agent please", "get me a rep"
    rf"\b{_ASK}\b[^.?!]{{0,30}}?\b(?:to\s+|with\s+)?(?:a|an|the|some|your|real|actual|live)?\s*"
    rf"{_PERSON}\b",
    r"^\W*(?:a\s+)?(?:human|agent|person|representative|operator)(?:\s+please)?\W*$",
    rf"\b{_PERSON}\s+please\b",
    r"\bare\s+you\s+(?:a\s+)?(?:bot|robot|machine)\b.*\b(?:human|person)\b",
    # Spanish
    r"\b(?:hablar|comunicar(?:me)?|pasar(?:me)?)\s+(?:con\s+)?(?:un|una|el|la|alg[uú]n)?\s*"
    r"(?:humano|persona|agente|asesor|representante|operador)\b",
    r"\bquiero\s+(?:un|una)\s+(?:humano|persona|agente|asesor)\b",
    # French
    r"\b(?:parler|discuter)\s+(?:à|a|avec)\s+(?:un|une|quelqu'un|un\s+vrai)?\s*"
    r"(?:humain|personne|agent|conseiller|conseill[eè]re|opérateur|operateur)?\b",
    r"\bje\s+veux\s+(?:un|une)\s+(?:humain|personne|agent|conseiller)\b",
    # German
    r"\b(?:mit\s+)?(?:einem|einer)\s+(?:menschen|mensch|mitarbeiter|mitarbeiterin|berater|"
    r"agenten)\s+(?:sprechen|reden)\b",
    r"\bich\s+(?:will|möchte|moechte)\s+(?:einen|eine)\s+(?:menschen|mitarbeiter|berater)\b",
    # Portuguese
    r"\b(?:falar|conversar)\s+com\s+(?:um|uma|algum|alguém|alguem)?\s*"
    r"(?:humano|pessoa|atendente|agente|representante)?\b",
    r"\bquero\s+(?:um|uma)\s+(?:humano|pessoa|atendente|agente)\b",
]

# Phrases where the words above name something else: "my travel agent", "human resources".
_NOT_A_REQUEST = [
    r"\b(?:travel|real\s+estate|insurance|shipping|customs|booking|delivery)\s+agent\b",
    r"\bhuman\s+(?:resources|error|rights|body|nature)\b",
    r"\brepresentative\s+(?:apr|example|sample)\b",
    r"\b(?:my|our|the)\s+(?:sales\s+)?rep\s+(?:said|told|sent|quoted)\b",
]

_REQUEST = [re.compile(p, re.IGNORECASE) for p in _REQUEST_PATTERNS]
_NOT = [re.compile(p, re.IGNORECASE) for p in _NOT_A_REQUEST]


def explicit_human_request(text: str) -> str | None:
    """The phrase that asks for a person, or ``None`` when the message does not ask for one."""
    cleaned = " ".join(text.split())
    masked = cleaned
    for pattern in _NOT:
        masked = pattern.sub(" ", masked)
    for pattern in _REQUEST:
        match = pattern.search(masked)
        if match and match.group(0).strip():
            return match.group(0).strip()
    return None
