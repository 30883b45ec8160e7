"""Ingestion is incremental, versioned, prunable, and reaches every process's index."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import T0
from warmline.clock import FixedClock
from warmline.knowledge.index import Bm25Index
from warmline.knowledge.service import KnowledgeService
from warmline.storage.memory import InMemoryKnowledgeRepo


def article(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.md"
    path.write_text(f"---\nid: {name}\ntitle: {name.title()}\n---\n# {name.title()}\n\n{body}\n")
    return path


def service(repo: InMemoryKnowledgeRepo) -> KnowledgeService:
    return KnowledgeService(repo, Bm25Index(), FixedClock(T0))


def test_that_only_changed_articles_are_rewritten_and_each_change_is_a_version(
    tmp_path: Path,
) -> None:
    article(tmp_path, "returns", "Return items within 30 days of delivery.")
    article(tmp_path, "gifts", "Gift cards never expire.")
    knowledge = service(InMemoryKnowledgeRepo())
    first = knowledge.ingest([tmp_path])
    assert sorted(first.added) == ["gifts", "returns"] and first.version is not None
    unchanged = knowledge.ingest([tmp_path])
    assert sorted(unchanged.unchanged) == ["gifts", "returns"] and unchanged.version is None
    article(tmp_path, "gifts", "Gift cards never expire and carry no fees.")
    changed = knowledge.ingest([tmp_path])
    assert changed.updated == ["gifts"] and changed.unchanged == ["returns"]
    assert changed.version is not None and changed.version.number == first.version.number + 1


def test_that_pruning_deletes_articles_whose_source_is_gone(tmp_path: Path) -> None:
    article(tmp_path, "returns", "Return items within 30 days of delivery.")
    gone = article(tmp_path, "gifts", "Gift cards never expire.")
    knowledge = service(InMemoryKnowledgeRepo())
    knowledge.ingest([tmp_path])
    gone.unlink()
    kept = knowledge.ingest([tmp_path])
    assert kept.deleted == [] and {a.id for a in knowledge.articles()} == {"gifts", "returns"}
    pruned = knowledge.ingest([tmp_path], prune=True)
    assert pruned.deleted == ["gifts"]
    assert [a.id for a in knowledge.articles()] == ["returns"]
    assert all(h.article.id != "gifts" for h in knowledge.search("gift card expire"))


def test_that_another_process_sees_new_knowledge_on_its_next_search(tmp_path: Path) -> None:
    shared = InMemoryKnowledgeRepo()
    server, cli = service(shared), service(shared)
    server.refresh_index()
    assert server.search("gift card expire") == []
    article(tmp_path, "gifts", "Gift cards never expire.")
    cli.ingest([tmp_path])
    assert [h.article.id for h in server.search("gift card expire")] == ["gifts"]


def test_that_near_duplicate_passages_are_reported(tmp_path: Path) -> None:
    text = (
        "To return an item, sign in, open Orders, choose the item and select Return. "
        "Print the label, pack the item in its original box and drop it at any UPS store."
    )
    article(tmp_path, "start-a-return", text)
    article(tmp_path, "returns-copy", text.replace("any UPS store", "any UPS location"))
    report = service(InMemoryKnowledgeRepo()).ingest([tmp_path])
    assert len(report.near_duplicates) == 1
    assert report.near_duplicates[0].similarity >= 0.85
