"""The ``warmline`` command line."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from warmline.bootstrap import Container, build, open_database
from warmline.domain.conversations import Channel
from warmline.domain.customers import CustomerInfo
from warmline.domain.ids import ConversationId
from warmline.domain.knowledge import Audience
from warmline.domain.users import UserRole
from warmline.errors import ReplyFailedError, WarmlineError
from warmline.intents.cli import intents_app
from warmline.knowledge.index import KnowledgeIndex
from warmline.settings import Settings

app = typer.Typer(help="Warmline: an AI front line for customer support.", no_args_is_help=True)
kb = typer.Typer(help="The knowledge base: ingest, list, search, delete.", no_args_is_help=True)
db = typer.Typer(help="The database schema.", no_args_is_help=True)
users = typer.Typer(help="People who work the inbox.", no_args_is_help=True)
policy = typer.Typer(help="The escalation and answering policy.", no_args_is_help=True)
app.add_typer(kb, name="kb")
app.add_typer(db, name="db")
app.add_typer(users, name="users")
app.add_typer(policy, name="policy")
app.add_typer(intents_app, name="intents")

HostOption = Annotated[str | None, typer.Option(help="Address to bind (WARMLINE_HOST).")]
PortOption = Annotated[int | None, typer.Option(help="Port to listen on (WARMLINE_PORT).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _settings(host: str | None = None, port: int | None = None) -> Settings:
    overrides: dict[str, object] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    return Settings(**overrides)  # type: ignore[arg-type]


def _container(settings: Settings | None = None) -> Container:
    return build(settings or _settings())


def _scratch_container(
    settings: Settings | None = None,
    wrap_index: Callable[[KnowledgeIndex], KnowledgeIndex] | None = None,
) -> Container:
    """The configured engine on in-memory storage, with a copy of the knowledge base."""
    from warmline.bootstrap import build_embedder, build_index
    from warmline.storage.memory import in_memory_store

    settings = settings or _settings()
    real = _container(settings)
    scratch = in_memory_store()
    chunks = real.store.knowledge.chunks()
    for article in real.store.knowledge.articles():
        scratch.knowledge.save_article(article, [c for c in chunks if c.article_id == article.id])
    embedder = build_embedder(settings)
    # The database's embedding cache is shared, so nothing is embedded twice.
    index: KnowledgeIndex = build_index(settings, real.store.embeddings, embedder)
    if wrap_index is not None:
        index = wrap_index(index)
    return build(settings, store=scratch, index=index, embedder=embedder)


def _fail(error: WarmlineError) -> typer.Exit:
    typer.secho(f"error: {error.message}", err=True, fg=typer.colors.RED)
    return typer.Exit(2)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build


def _serve(container: Container) -> None:
    import uvicorn

    from warmline.api.app import create_app

    settings = container.settings
    # The PII model loads once here rather than inside the first handoff or model call; the
    # help center's sentence vectors fill in the background while the server starts.
    container.redactor.redact("Warm-up for Jane Example, jane@example.com.")
    threading.Thread(target=_warm_up, args=(container,), name="warm-up", daemon=True).start()
    uvicorn.run(
        create_app(container),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
    )


def calibration_notice(container: Container) -> str | None:
    """What answering a help center other than the demo shop's with the built-in calibration
    (fitted on the demo shop) costs, and how to fit one; ``None`` when that is not the case."""
    if container.settings.calibration_file is not None:
        return None
    from warmline.demo import HELP_CENTER

    demo = {path.stem for path in HELP_CENTER.glob("*.md")}
    if all(
        article.id in demo or article.audience is not Audience.CUSTOMER
        for article in container.store.knowledge.articles()
    ):
        return None
    return (
        "answer confidence uses the built-in calibration, fitted on the demo shop's help "
        "center; on help centers of other trades it answers about one question in ten in the "
        "first turn and asks a clarifying question for most (docs/benchmarks.md). Fit it on "
        "your own labelled questions: warmline kb calibrate QUESTIONS.jsonl --out "
        "calibration.json, then set WARMLINE_CALIBRATION_FILE."
    )


def _warm_up(container: Container) -> None:
    log = logging.getLogger("warmline.warm_up")
    notice = calibration_notice(container)
    if notice:
        log.warning(notice)
    try:
        count = container.conversations.warm_up()
    except Exception:  # the server works without it, only the first answers are slower
        log.exception("warm-up failed; answers will embed sentences as they need them")
        return
    log.info("ready: signal detectors trained, %d help-center sentences embedded", count)


@app.command()
def serve(host: HostOption = None, port: PortOption = None) -> None:
    """Run the HTTP server: API, web chat, agent inbox and dashboard."""
    _logging()
    _serve(_container(_settings(host, port)))


@app.command()
def demo(host: HostOption = None, port: PortOption = None) -> None:
    """Set up the Juniper Lane demo shop (help center, customers, an agent, its intent model)
    and serve it."""
    from warmline.bootstrap import build_embedder
    from warmline.demo import set_up
    from warmline.demo.intent_model import demo_intent_model

    _logging()
    settings = _settings(host, port)
    embedder = build_embedder(settings)
    if settings.intent_model is None:
        folder = demo_intent_model(settings.data_dir, embedder)
        settings = settings.model_copy(update={"intent_model": folder})
    container = build(settings, embedder=embedder)
    setup = set_up(container)
    settings = container.settings
    base = f"http://{settings.host}:{settings.port}"
    report = setup.knowledge
    typer.echo(
        f"\nWarmline demo: {len(container.knowledge.articles())} help-center articles "
        f"({len(report.added)} new, {len(report.updated)} updated)."
    )
    if container.intents is not None:
        typer.echo(
            f"Intent model: {len(container.intents.intents)} intents "
            f"({settings.intent_model}, checksum {container.intents.checksum[:12]})."
        )
    typer.echo(f"  Customer chat:  {base}/")
    typer.echo(f"  Agent inbox:    {base}/agent")
    typer.echo(f"  Dashboard:      {base}/dashboard")
    typer.echo(f"  API docs:       {base}/docs")
    typer.echo("\nDemo agent sign-in (a new key each start):")
    typer.echo(f"  email:    {setup.agent.user.email}")
    typer.echo(f"  API key:  {setup.agent.api_key}\n")
    _serve(container)


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version."""
    settings = _settings()
    open_database(settings, migrate=True).dispose()
    typer.echo(f"database is up to date: {settings.resolved_database_url()}")


@kb.command("ingest")
def kb_ingest(
    locations: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders or http(s) URLs: Markdown, HTML, PDF, text, Q&A or ticket "
            "CSV/JSON, Zendesk exports, sitemaps (.xml) and URL lists (.urls)."
        ),
    ],
    doc_type: Annotated[
        str | None, typer.Option("--type", help="Document type to record, e.g. faq, ticket.")
    ] = None,
    audience: Annotated[Audience | None, typer.Option(help="customer or internal.")] = None,
    prune: Annotated[
        bool, typer.Option(help="Delete articles that came from these locations but are gone.")
    ] = False,
) -> None:
    """Ingest knowledge. Unchanged articles are skipped; what fails is reported, the rest
    still ingests."""
    container = _container()
    with typer.progressbar(length=0, label="ingesting", show_eta=False) as bar:
        report = container.knowledge.ingest(
            locations,
            audience=audience,
            doc_type=doc_type,
            prune=prune,
            on_item=lambda _: bar.update(1),
            on_indexing=lambda: typer.echo(
                "\nupdating the search index (new text is embedded once; this can take a "
                "minute on a large import)",
                err=True,
            ),
        )
    for location, problem in report.failed:
        typer.secho(f"failed: {location}: {problem}", err=True, fg=typer.colors.RED)
    for duplicate in report.near_duplicates:
        typer.secho(
            f"near-duplicate: {duplicate.chunk_id} is {duplicate.similarity:.0%} like "
            f"{duplicate.duplicate_of}",
            err=True,
            fg=typer.colors.YELLOW,
        )
    version = f", knowledge version {report.version.number}" if report.version else ""
    typer.echo(
        f"{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.deleted)} deleted, "
        f"{len(report.failed)} failed, {report.chunks} chunks{version}"
    )
    notice = calibration_notice(container)
    if notice:
        typer.secho(notice, err=True, fg=typer.colors.YELLOW)
    if report.failed:
        raise typer.Exit(1)


@kb.command("list")
def kb_list(as_json: JsonOption = False) -> None:
    """List the articles in the knowledge base."""
    articles = _container().knowledge.articles()
    rows = [
        {
            "id": a.id,
            "title": a.title,
            "type": a.type,
            "audience": a.audience.value,
            "authoritative": a.authoritative,
            "source": a.source,
        }
        for a in articles
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['id']:<40} {row['audience']:<9} {row['title']}")


@kb.command("delete")
def kb_delete(article_id: str) -> None:
    """Delete one article and its chunks."""
    try:
        _container().knowledge.delete(article_id)
    except WarmlineError as error:
        raise _fail(error) from error
    typer.echo(f"deleted {article_id}")


@kb.command("search")
def kb_search(
    query: str,
    k: Annotated[int, typer.Option(help="How many results.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Search the knowledge base the way the assistant does."""
    try:
        hits = _container().knowledge.search(query, k=k)
    except WarmlineError as error:
        raise _fail(error) from error
    rows = [
        {
            "article_id": h.article.id,
            "title": h.article.title,
            "source": h.article.source,
            "section": h.chunk.section,
            "audience": h.article.audience.value,
            "score": round(h.score, 4),
            "text": h.chunk.text,
        }
        for h in hits
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("no results")
    for rank, row in enumerate(rows, 1):
        section = f" > {row['section']}" if row["section"] else ""
        typer.echo(f"{rank}. [{row['score']:.2f}] {row['title']}{section} ({row['article_id']})")


@kb.command("eval")
def kb_eval(
    queries: Annotated[
        Path, typer.Argument(help='JSONL lines: {"query": str, "relevant": [article ids]}.')
    ],
    k: Annotated[int, typer.Option(help="Results retrieved per query (at least 10).")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Measure retrieval on labelled queries: recall@1/5/10, MRR and nDCG@10."""
    from warmline.evaluation.retrieval import load_queries, score

    container = _container()
    try:
        labelled = load_queries(queries)
        result = score(
            labelled,
            lambda q: [h.article.id for h in container.knowledge.search(q, k=max(k, 10))],
        )
    except WarmlineError as error:
        raise _fail(error) from error
    data = result.as_dict()
    if as_json:
        typer.echo(json.dumps(data))
        return
    typer.echo(f"{'queries':<10} {data['n']}")
    for key in ("recall@1", "recall@5", "recall@10", "MRR", "nDCG@10"):
        typer.echo(f"{key:<10} {data[key]:.3f}")


@kb.command("calibrate")
def kb_calibrate(
    questions: Annotated[
        Path,
        typer.Argument(
            help='JSONL lines: {"query", "answerable", "relevant": [article ids], '
            '"facts": [strings a correct answer contains]}.'
        ),
    ],
    out: Annotated[Path, typer.Option(help="Where to write the fitted calibration.")] = Path(
        "calibration.json"
    ),
    as_json: JsonOption = False,
) -> None:
    """Fit answer confidence on your labelled questions; point CALIBRATION_FILE at the result.

    The questions run through a copy of the engine on in-memory storage (nothing is written to
    your database) with the current knowledge base, composer and policy.
    """
    from warmline.evaluation.answers import fit_from_outcomes, load_questions, run

    try:
        labelled = load_questions(questions)
        scratch = _scratch_container()
        outcomes = run(scratch, labelled)
        model, _, labels = fit_from_outcomes(outcomes, {"fitted_on": str(questions)})
    except WarmlineError as error:
        raise _fail(error) from error
    out.write_text(model.to_json() + "\n", encoding="utf-8")
    data = {"out": str(out), **dict(model.about)}
    if as_json:
        typer.echo(json.dumps(data))
        return
    typer.echo(f"fitted on {data['n']} drafted answers ({data['positives']} correct)")
    typer.echo(f"expected calibration error (cross-validated): {data['ece_cross_validated']}")
    typer.echo(f"wrote {out}; set WARMLINE_CALIBRATION_FILE={out.resolve()}")


@policy.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="A policy YAML file.")],
    as_json: JsonOption = False,
) -> None:
    """Validate a policy file against the schema; exit 2 with every problem when it fails."""
    from warmline.policy.model import load_policy

    try:
        checked = load_policy(file)
    except WarmlineError as error:
        raise _fail(error) from error
    summary = {
        "file": str(file),
        "version": checked.version,
        "valid": True,
        "disabled_signals": [c.value for c in checked.escalation.disabled],
        "human_only_topics": sorted(checked.escalation.human_only_topics),
    }
    if as_json:
        typer.echo(json.dumps(summary))
        return
    typer.echo(f"{file}: valid policy, version {checked.version}")


@app.command("test")
def test_scenarios(
    scenarios: Annotated[Path, typer.Argument(help="A scenario suite (YAML).")],
    policy_file: Annotated[
        Path | None, typer.Option("--policy", help="Test this policy instead of the active one.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run a scenario suite through the engine; exit 1 when any scenario fails.

    Each scenario is a new conversation on a copy of the engine in memory (your database is
    only read, for the knowledge base), with the configured composer and policy.
    """
    from warmline.evaluation.scenarios import FaultSwitch, load_scenarios, run_scenario, summarise

    switches: list[FaultSwitch] = []

    def faulty(index: KnowledgeIndex) -> KnowledgeIndex:
        switches.append(FaultSwitch(index))
        return switches[-1]

    try:
        suite = load_scenarios(scenarios)
        settings = _settings()
        if policy_file is not None:
            settings = settings.model_copy(update={"policy_file": policy_file})
        scratch = _scratch_container(settings, wrap_index=faulty)
        results = [run_scenario(scratch.conversations, s, switches[0]) for s in suite]
    except WarmlineError as error:
        raise _fail(error) from error
    summary = summarise(results)
    if as_json:
        typer.echo(json.dumps({"summary": summary, "results": [r.as_dict() for r in results]}))
    else:
        for result in results:
            mark = "pass" if result.passed else "FAIL"
            colour = typer.colors.GREEN if result.passed else typer.colors.RED
            typer.secho(f"{mark}  {result.id}: {result.why}", fg=colour)
        overall = summary["overall"]
        typer.echo(
            f"\n{summary['passed']}/{summary['scenarios']} passed; F1 {overall['f1']:.3f} "
            f"(precision {overall['precision']:.3f}, recall {overall['recall']:.3f}); "
            f"false escalations {summary['false_escalation_rate']:.1%} of "
            f"{summary['never_scenarios']} that must never escalate"
        )
    if summary["passed"] != summary["scenarios"]:
        raise typer.Exit(1)


@users.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="The person's email; it is their sign-in name.")],
    role: Annotated[UserRole, typer.Option(help="agent, supervisor or admin.")],
    name: Annotated[str | None, typer.Option(help="Name shown to customers.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an inbox user and print their API key (shown once)."""
    try:
        created = _container().accounts.create(email, role, name)
    except WarmlineError as error:
        raise _fail(error) from error
    data = {
        "id": created.user.id,
        "email": created.user.email,
        "role": created.user.role.value,
        "api_key": created.api_key,
    }
    if as_json:
        typer.echo(json.dumps(data))
        return
    typer.echo(f"created {data['role']} {data['email']} ({data['id']})")
    typer.echo(f"API key (shown once): {data['api_key']}")


@app.command()
def chat(
    trace: Annotated[
        bool, typer.Option("--trace", help="After each reply, show why: evidence and checks.")
    ] = False,
) -> None:
    """Talk to the assistant in the terminal, through the same engine as the web chat."""
    container = _container()
    started = container.conversations.start(Channel.TERMINAL, CustomerInfo())
    conversation_id = started.conversation.id
    typer.secho(f"AI: {started.messages[0].text}", fg=typer.colors.CYAN)
    typer.echo("(type /human for a person, /quit to leave)")
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if text.strip() == "/quit":
            return
        try:
            if text.strip() == "/human":
                _, message = container.conversations.request_handoff(conversation_id)
                typer.secho(f"Warmline: {message.text}", fg=typer.colors.YELLOW)
                continue
            turn = container.conversations.post(conversation_id, text)
        except ReplyFailedError as error:
            typer.secho(f"Warmline: {error.message}", fg=typer.colors.RED)
            continue
        except WarmlineError as error:
            typer.secho(f"error: {error.message}", fg=typer.colors.RED)
            continue
        reply = turn.reply
        if reply.decision == "none":
            typer.secho("(a person has this conversation; they will answer)", dim=True)
            continue
        colour = typer.colors.YELLOW if reply.decision == "escalate" else typer.colors.CYAN
        typer.secho(f"AI: {reply.text}", fg=colour)
        for citation in reply.citations:
            typer.secho(f"    source: {citation.title} <{citation.source}>", dim=True)
        if trace:
            _print_trace(container, conversation_id)


def _print_trace(container: Container, conversation_id: ConversationId) -> None:
    last = container.store.traces.for_conversation(conversation_id)[-1]
    confidence = "-" if last.confidence is None else f"{last.confidence:.2f}"
    typer.secho(f"    decision: {last.decision} ({last.rule}), confidence {confidence}", dim=True)
    draft = last.extra.get("draft")
    if not draft:
        return
    typer.secho(f"    composer: {draft['composer']}", dim=True)
    for sentence in draft["verification"]["sentences"]:
        mark = "kept" if sentence["kept"] else "dropped"
        typer.secho(
            f"    {mark}: {sentence['text'][:70]!r} support {sentence['support']:.2f} "
            f"({sentence['why']})",
            dim=True,
        )


def main() -> None:
    app()
