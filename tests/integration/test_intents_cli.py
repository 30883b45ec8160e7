"""``warmline intents train | eval | predict`` as a user runs them, on a tiny CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.intent_examples import OOS, PHRASES
from warmline.cli import app

# Two intents and ten off-topic lines, ten examples each.
INTENTS = {label: PHRASES[label][:10] for label in ("order_status", "refund")}
OUT_OF_SCOPE = OOS[:10]


@pytest.fixture(autouse=True)
def _hashing_embedder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The hashing embedder keeps these runs from loading the model; the unit tests use the
    # real one on the demo examples.
    monkeypatch.setenv("WARMLINE_EMBEDDER", "hashing")
    monkeypatch.setenv("WARMLINE_DATA_DIR", str(tmp_path))


def write_csv(path: Path, rows: list[tuple[str, str]], header: tuple[str, str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def tickets(tmp_path: Path) -> Path:
    rows = [(text, label) for label, texts in INTENTS.items() for text in texts]
    rows += [(text, "other") for text in OUT_OF_SCOPE]
    return write_csv(tmp_path / "tickets.csv", rows, ("message", "reason"))


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


# The tickets' own column names and out-of-scope label, as a user passes them.
COLUMNS = ("--text-col", "message", "--label-col", "reason", "--oos-label", "other")


def train(tickets: Path, out: Path) -> Result:
    return invoke("intents", "train", str(tickets), *COLUMNS, "--out", str(out))


def test_that_a_model_is_trained_evaluated_and_asked_from_the_command_line(
    tickets: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    trained = train(tickets, model)
    assert trained.exit_code == 0, trained.output
    assert "trained 2 intents from 30 examples (10 out of scope)" in trained.stdout
    assert {p.name for p in model.iterdir()} == {"manifest.json", "model.json", "arrays.npz"}

    evaluated = invoke("intents", "eval", str(tickets), "--model", str(model), *COLUMNS, "--json")
    assert evaluated.exit_code == 0, evaluated.output
    figures = json.loads(evaluated.stdout)
    assert set(figures) == {"n", "in_scope_accuracy", "oos_recall", "oos_precision", "macro_f1"}
    assert figures["n"] == 30
    assert figures["in_scope_accuracy"] >= 0.9

    table = invoke("intents", "eval", str(tickets), "--model", str(model), *COLUMNS)
    assert table.exit_code == 0
    assert "in-scope accuracy" in table.stdout and "out-of-scope recall" in table.stdout

    asked = invoke("intents", "predict", "where is my refund?", "--model", str(model), "--json")
    assert asked.exit_code == 0, asked.output
    answer = json.loads(asked.stdout)
    assert set(answer) == {"intent", "confidence", "in_scope"}
    assert (answer["intent"], answer["in_scope"]) == ("refund", True)
    assert 0.0 <= answer["confidence"] <= 1.0

    unrelated = invoke("intents", "predict", "zebra saxophone quantum", "--model", str(model))
    assert unrelated.exit_code == 0
    assert unrelated.stdout.startswith("out of scope (closest intent ")


def test_that_eval_without_out_of_scope_rows_reports_no_out_of_scope_figures(
    tickets: Path, tmp_path: Path
) -> None:
    assert train(tickets, tmp_path / "model").exit_code == 0
    in_scope = write_csv(
        tmp_path / "in_scope.csv",
        [("track my order", "order_status"), ("refund please", "refund")],
        ("text", "label"),
    )
    result = invoke("intents", "eval", str(in_scope), "--model", str(tmp_path / "model"), "--json")
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) == {"n", "in_scope_accuracy", "macro_f1"}


def assert_refused(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert result.stdout == ""


def test_that_bad_training_input_is_refused_on_one_line_and_writes_nothing(
    tickets: Path, tmp_path: Path
) -> None:
    out = tmp_path / "model"
    assert_refused(
        invoke("intents", "train", str(tmp_path / "nope.csv"), "--out", str(out)),
        "nope.csv: no such file",
    )
    assert_refused(
        invoke("intents", "train", str(tickets), "--out", str(out)),
        "line 1: no column 'text'",
    )
    one_intent = write_csv(
        tmp_path / "one.csv", [("refund", "refund"), ("refund me", "refund")], ("text", "label")
    )
    assert_refused(
        invoke("intents", "train", str(one_intent), "--out", str(out)),
        "at least 2 intents",
    )
    assert not out.exists()


def test_that_predict_and_eval_refuse_empty_text_and_folders_that_hold_no_model(
    tickets: Path, tmp_path: Path
) -> None:
    not_a_model = tmp_path / "empty"
    not_a_model.mkdir()
    assert_refused(
        invoke("intents", "predict", "where is my order", "--model", str(not_a_model)),
        "no manifest.json",
    )
    assert_refused(
        invoke("intents", "eval", str(tickets), "--model", str(not_a_model)),
        "no column 'text'",
    )
    assert train(tickets, tmp_path / "model").exit_code == 0
    assert_refused(
        invoke("intents", "predict", "   ", "--model", str(tmp_path / "model")),
        "the text to classify is empty",
    )
