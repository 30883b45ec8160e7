"""Labelled examples in, figures out: reading a CSV of past tickets and scoring a model on one."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from warmline.errors import InvalidInputError

if TYPE_CHECKING:
    from warmline.intents.model import IntentModel


def load_examples(
    path: Path, *, text_col: str = "text", label_col: str = "label"
) -> list[tuple[str, str]]:
    """``(text, label)`` pairs from a CSV file with a header row. Blank lines are skipped; a
    row without text or label is an error naming its line."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [column for column in (text_col, label_col) if column not in header]
            if missing:
                found = ", ".join(repr(c) for c in header if c) or "none"
                raise InvalidInputError(
                    f"{path} line 1: no column {missing[0]!r} (columns: {found})"
                )
            examples = []
            for row in reader:
                text = (row.get(text_col) or "").strip()
                label = (row.get(label_col) or "").strip()
                if not text and not label:
                    continue
                if not text:
                    raise InvalidInputError(f"{path} line {reader.line_num}: the text is empty")
                if not label:
                    raise InvalidInputError(f"{path} line {reader.line_num}: the label is empty")
                examples.append((text, label))
    except FileNotFoundError as error:
        raise InvalidInputError(f"{path}: no such file") from error
    except IsADirectoryError as error:
        raise InvalidInputError(f"{path} is a folder, not a CSV file") from error
    except UnicodeDecodeError as error:
        raise InvalidInputError(f"{path} is not UTF-8 text") from error
    except csv.Error as error:
        raise InvalidInputError(f"{path} is not a readable CSV file: {error}") from error
    except OSError as error:
        raise InvalidInputError(f"cannot read {path}: {error.strerror or error}") from error
    if not examples:
        raise InvalidInputError(f"{path} has no examples")
    return examples


def evaluate(
    model: IntentModel, examples: Sequence[tuple[str, str]], *, oos_label: str | None
) -> dict[str, float | int]:
    """How the model does on labelled examples it was not trained on.

    - ``in_scope_accuracy``: in-scope examples given the right intent *and* accepted
      (a rejected in-scope example counts as wrong), over all in-scope examples.
    - ``macro_f1``: F1 per intent, averaged; out of scope counts as one more class when
      the data has any.
    - ``oos_recall`` / ``oos_precision`` (only when the data has out-of-scope rows): the share
      of out-of-scope examples rejected, and the share of rejections that were out of scope.
    """
    if not examples:
        raise InvalidInputError("there are no examples to evaluate")
    predictions = model.predict_many([text for text, _ in examples])
    return score(
        [label for _, label in examples], [p.intent for p in predictions], oos_label=oos_label
    )


def score(
    truth: Sequence[str], predicted: Sequence[str | None], *, oos_label: str | None
) -> dict[str, float | int]:
    """The figures of :func:`evaluate` from true labels and predicted intents (None: out of
    scope)."""
    outside = "\0out-of-scope"
    gold = [outside if label == oos_label else label for label in truth]
    guess = [outside if intent is None else intent for intent in predicted]
    in_scope = [(g, p) for g, p in zip(gold, guess, strict=True) if g != outside]
    result: dict[str, float | int] = {
        "n": len(gold),
        "in_scope_accuracy": round(sum(g == p for g, p in in_scope) / max(1, len(in_scope)), 4),
    }
    if any(g == outside for g in gold):
        rejected = [g for g, p in zip(gold, guess, strict=True) if p == outside]
        result["oos_recall"] = round(
            sum(g == outside for g in rejected) / sum(g == outside for g in gold), 4
        )
        result["oos_precision"] = round(
            sum(g == outside for g in rejected) / len(rejected) if rejected else 0.0, 4
        )
    result["macro_f1"] = round(_macro_f1(gold, guess), 4)
    return result


def _macro_f1(gold: Sequence[str], guess: Sequence[str]) -> float:
    scores = []
    for label in sorted(set(gold)):
        tp = sum(g == label and p == label for g, p in zip(gold, guess, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, guess, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, guess, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)
