"""``warmline intents``: train, evaluate and try an intent model from the command line."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from warmline.errors import InvalidInputError, WarmlineError

if TYPE_CHECKING:
    from warmline.knowledge.embeddings import Embedder

intents_app = typer.Typer(
    help="Intents: learn contact reasons from labelled examples, with out-of-scope detection.",
    no_args_is_help=True,
)

ModelOption = Annotated[
    Path, typer.Option("--model", help="Folder of a model made by `warmline intents train`.")
]
TextColumn = Annotated[str, typer.Option("--text-col", help="CSV column with the message.")]
LabelColumn = Annotated[str, typer.Option("--label-col", help="CSV column with the intent.")]
OosLabel = Annotated[str, typer.Option("--oos-label", help="Label that marks out-of-scope rows.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _fail(error: WarmlineError) -> typer.Exit:
    # The same convention as the rest of the command line: one line on stderr, exit code 2.
    typer.secho(f"error: {error.message}", err=True, fg=typer.colors.RED)
    return typer.Exit(2)


def _embedder() -> Embedder:
    """The configured embedder (WARMLINE_EMBEDDER), built as the server builds it."""
    from warmline.bootstrap import build_embedder
    from warmline.knowledge.dense import limit_blas_threads
    from warmline.settings import Settings

    limit_blas_threads()
    return build_embedder(Settings())


@intents_app.command("train")
def train(
    data: Annotated[Path, typer.Argument(help="CSV of labelled examples, with a header row.")],
    *,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the model into.")],
    text_col: TextColumn = "text",
    label_col: LabelColumn = "label",
    oos_label: OosLabel = "oos",
) -> None:
    """Train an intent model from labelled examples (past tickets) and save it."""
    from warmline.intents import IntentModel, load_examples

    try:
        if out.exists() and not out.is_dir():
            raise InvalidInputError(f"{out} is a file; --out needs a folder")
        examples = load_examples(data, text_col=text_col, label_col=label_col)
        embedder = _embedder()
        with ExitStack() as stack:
            bars: list[Any] = []
            seen = 0

            def advance(done: int, total: int) -> None:
                # The bar opens on the first report, after the examples passed their checks,
                # so refused input prints nothing but the error.
                nonlocal seen
                if not bars:
                    bars.append(
                        stack.enter_context(typer.progressbar(length=total, label="training"))
                    )
                bars[0].update(done - seen)
                seen = done

            model = IntentModel.train(
                examples, embedder=embedder, oos_label=oos_label, progress=advance
            )
        model.save(out)
    except WarmlineError as error:
        raise _fail(error) from error
    info = model.info
    validation = info["validation"]
    typer.echo(
        f"trained {info['intents']} intents from {info['examples']} examples "
        f"({info['oos_examples']} out of scope) in {info['training_seconds']} s"
    )
    if validation:
        typer.echo(
            f"validation split: {validation['in_scope']} in-scope examples, accuracy "
            f"{validation['in_scope_accuracy']:.1%} with {validation['in_scope_rejected']:.1%} "
            "rejected"
            + (
                f"; {validation['oos']} out-of-scope examples, {validation['oos_recall']:.1%} "
                "caught"
                if validation.get("oos")
                else ""
            )
        )
    typer.echo(f"threshold {info['threshold']:.3f}; model {model.checksum[:12]} saved to {out}")


@intents_app.command("eval")
def evaluate(
    data: Annotated[Path, typer.Argument(help="CSV of labelled examples the model never saw.")],
    *,
    model_dir: ModelOption,
    text_col: TextColumn = "text",
    label_col: LabelColumn = "label",
    oos_label: OosLabel = "oos",
    as_json: JsonOption = False,
) -> None:
    """Score a model on labelled examples it never saw.

    Prints in-scope accuracy, macro F1 and, when the data has out-of-scope rows, their recall
    and precision.
    """
    from warmline.intents import IntentModel, evaluate, load_examples

    try:
        examples = load_examples(data, text_col=text_col, label_col=label_col)
        model = IntentModel.load(model_dir, embedder=_embedder())
        figures = evaluate(model, examples, oos_label=oos_label)
    except WarmlineError as error:
        raise _fail(error) from error
    if as_json:
        typer.echo(json.dumps(figures))
        return
    names = {
        "n": "examples",
        "in_scope_accuracy": "in-scope accuracy",
        "oos_recall": "out-of-scope recall",
        "oos_precision": "out-of-scope precision",
        "macro_f1": "macro F1",
    }
    for key, value in figures.items():
        shown = str(value) if key == "n" else f"{value:.1%}"
        typer.echo(f"{names[key]:<24} {shown:>8}")


@intents_app.command("predict")
def predict(
    text: Annotated[str, typer.Argument(help="A customer's message.")],
    *,
    model_dir: ModelOption,
    as_json: JsonOption = False,
) -> None:
    """Classify one message: its intent, the confidence, and whether it is in scope."""
    from warmline.intents import IntentModel

    try:
        if not text.strip():
            raise InvalidInputError("the text to classify is empty")
        model = IntentModel.load(model_dir, embedder=_embedder())
        prediction = model.predict(text)
    except WarmlineError as error:
        raise _fail(error) from error
    if as_json:
        typer.echo(json.dumps(prediction.as_dict()))
        return
    if prediction.in_scope:
        typer.echo(f"{prediction.intent} (confidence {prediction.confidence:.2f})")
    else:
        typer.echo(
            f"out of scope (closest intent {prediction.best}, "
            f"confidence {prediction.confidence:.2f})"
        )
