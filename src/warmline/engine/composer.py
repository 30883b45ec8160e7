"""The extractive composer: an answer built only from the help center's own sentences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warmline.domain.conversations import Citation
from warmline.domain.knowledge import Audience, SearchHit
from warmline.knowledge.text import sentences, terms

SNIPPET_CHARS = 240


@dataclass(frozen=True)
class Composition:
    text: str
    sentences: tuple[str, ...]
    citations: tuple[Citation, ...]


class ExtractiveComposer:
    """Picks the customer-facing sentences that share the most content words with the question."""

    def compose(
        self, question: str, hits: Sequence[SearchHit], *, intro: str, max_sentences: int
    ) -> Composition:
        wanted = set(terms(question))
        usable = [h for h in hits if h.article.audience is Audience.CUSTOMER][:2]
        scored: list[tuple[float, int, int, str, SearchHit]] = []
        for rank, hit in enumerate(usable):
            for position, sentence in enumerate(sentences(hit.chunk.text)):
                overlap = len(wanted & set(terms(sentence)))
                if overlap == 0 or len(sentence) < 12:
                    continue
                # Prefer the best passage, then sentences that cover more of the question.
                scored.append((overlap - rank * 0.5, rank, position, sentence, hit))
        chosen = sorted(scored, key=lambda item: -item[0])[:max_sentences]
        chosen.sort(key=lambda item: (item[1], item[2]))
        if not chosen:
            return Composition("", (), ())
        picked = tuple(_plain(item[3]) for item in chosen)
        citations: dict[str, Citation] = {}
        for _, _, _, sentence, hit in chosen:
            citations.setdefault(
                hit.article.id,
                Citation(
                    article_id=hit.article.id,
                    title=hit.article.title,
                    source=hit.article.source,
                    section=hit.chunk.section,
                    snippet=_plain(sentence)[:SNIPPET_CHARS],
                ),
            )
        body = " ".join(picked)
        return Composition(f"{intro} {body}", picked, tuple(citations.values()))


def _plain(sentence: str) -> str:
    """Strip Markdown emphasis and table pipes so the answer reads as prose."""
    text = sentence.replace("**", "").replace("__", "").replace("`", "")
    if text.startswith("|"):
        cells = [cell.strip() for cell in text.strip("|").split("|")]
        text = " — ".join(cell for cell in cells if cell)
    if text and text[-1] not in ".!?:":
        text += "."
    return text
