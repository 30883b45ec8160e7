"""The command line, run as a user would run it: a real process, its output and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warmline.demo import HELP_CENTER


def run(
    tmp_path: Path, *args: str, stdin: str = "", embedder: str = "hashing"
) -> subprocess.CompletedProcess[str]:
    # The hashing embedder keeps most subprocesses from loading the model; the chat test and
    # the unit and API tests use the real one.
    env = {
        **os.environ,
        "WARMLINE_DATA_DIR": str(tmp_path),
        "WARMLINE_DATABASE_URL": "",
        "WARMLINE_EMBEDDER": embedder,
    }
    return subprocess.run(
        [sys.executable, "-m", "warmline", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_that_kb_ingest_and_search_work_from_the_command_line(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    ingested = run(tmp_path, "kb", "ingest", str(HELP_CENTER))
    assert ingested.returncode == 0, ingested.stderr
    assert "0 failed" in ingested.stdout
    again = run(tmp_path, "kb", "ingest", str(HELP_CENTER))
    assert "0 added, 0 updated" in again.stdout
    found = run(tmp_path, "kb", "search", "reset my password", "--json", "--k", "3")
    rows = json.loads(found.stdout)
    assert len(rows) == 3
    assert set(rows[0]) == {"article_id", "title", "source", "section", "audience", "score", "text"}
    assert rows[0]["article_id"] == "sign-in-password-reset"
    listed = json.loads(run(tmp_path, "kb", "list", "--json").stdout)
    assert "returns-policy" in {row["id"] for row in listed}
    assert run(tmp_path, "kb", "delete", "returns-policy").returncode == 0
    missing = run(tmp_path, "kb", "delete", "returns-policy")
    assert missing.returncode == 2 and "no article" in missing.stderr


def test_that_a_broken_file_is_reported_and_the_rest_still_ingest(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "good.md").write_text("# Good\n\nGift cards never expire.\n")
    (folder / "bad.md").write_text("---\naudience: everyone\n---\nText\n")
    result = run(tmp_path, "kb", "ingest", str(folder))
    assert result.returncode == 1
    assert "bad.md" in result.stderr and "audience must be" in result.stderr
    assert "1 added" in result.stdout


def test_that_users_create_prints_a_key_as_json(tmp_path: Path) -> None:
    result = run(
        tmp_path, "users", "create", "--email", "Sam@Example.com", "--role", "agent", "--json"
    )
    data = json.loads(result.stdout)
    assert set(data) == {"id", "email", "role", "api_key"}
    assert (data["email"], data["role"]) == ("sam@example.com", "agent")
    duplicate = run(tmp_path, "users", "create", "--email", "sam@example.com", "--role", "agent")
    assert duplicate.returncode == 2 and "sam@example.com" in duplicate.stderr
    bad_role = run(tmp_path, "users", "create", "--email", "x@example.com", "--role", "owner")
    assert bad_role.returncode != 0


@pytest.mark.parametrize(
    "command", ["serve", "demo", "chat", "kb", "db", "users", "policy", "test"]
)
def test_that_every_command_has_help(tmp_path: Path, command: str) -> None:
    result = run(tmp_path, command, "--help")
    assert result.returncode == 0 and "Usage" in result.stdout


def test_that_the_terminal_chat_answers_and_hands_over(tmp_path: Path) -> None:
    run(tmp_path, "kb", "ingest", str(HELP_CENTER), embedder="minilm")
    result = run(
        tmp_path, "chat", stdin="How do I reset my password?\n/human\n/quit\n", embedder="minilm"
    )
    assert result.returncode == 0, result.stderr
    assert "AI assistant" in result.stdout
    assert "source: " in result.stdout
    assert "queue" in result.stdout


def test_that_kb_eval_reports_the_retrieval_metrics(tmp_path: Path) -> None:
    run(tmp_path, "kb", "ingest", str(HELP_CENTER))
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        '{"query": "reset my password", "relevant": ["sign-in-password-reset"]}\n'
        '{"query": "gift card expiry", "relevant": ["gift-cards"]}\n'
    )
    result = run(tmp_path, "kb", "eval", str(queries), "--json")
    scores = json.loads(result.stdout)
    assert set(scores) == {"n", "recall@1", "recall@5", "recall@10", "MRR", "nDCG@10"}
    assert scores["n"] == 2 and 0 < scores["MRR"] <= 1
    queries.write_text('{"query": "no labels"}\n')
    broken = run(tmp_path, "kb", "eval", str(queries))
    assert broken.returncode == 2 and "queries.jsonl:1" in broken.stderr


def test_that_policy_check_accepts_the_default_and_names_every_problem(tmp_path: Path) -> None:
    from warmline.policy.model import DEFAULT_POLICY

    good = run(tmp_path, "policy", "check", str(DEFAULT_POLICY), "--json")
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["valid"] is True
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        DEFAULT_POLICY.read_text()
        .replace("repeated_failure_after: 2", "repeated_failure_after: 0")
        .replace("disabled: []", "disabled: []\n  surprise: true")
    )
    checked = run(tmp_path, "policy", "check", str(bad))
    assert checked.returncode == 2
    assert "repeated_failure_after" in checked.stderr and "surprise" in checked.stderr


def test_that_warmline_test_runs_a_suite_and_fails_on_a_failing_scenario(tmp_path: Path) -> None:
    run(tmp_path, "kb", "ingest", str(HELP_CENTER))
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "- id: asks-for-a-person\n"
        "  category: customer_request\n"
        '  turns: ["hi", "agent please"]\n'
        "  escalate_at: 2\n"
        "  reasons: [customer_request]\n"
        "- id: search-down\n"
        "  category: tool_failure\n"
        '  turns: [{text: "how long do refunds take to reach my card", fault: knowledge}]\n'
        "  escalate_at: 1\n"
        "  reasons: [tool_failure]\n"
    )
    passed = run(tmp_path, "test", str(suite), "--json")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    report = json.loads(passed.stdout)
    assert report["summary"]["passed"] == 2
    assert [r["turn"] for r in report["results"]] == [2, 1]
    suite.write_text(
        "- id: greeting-is-not-a-handoff\n"
        "  category: customer_request\n"
        '  turns: ["hi"]\n'
        "  escalate_at: 1\n"
        "  reasons: [customer_request]\n"
    )
    failed = run(tmp_path, "test", str(suite))
    assert failed.returncode == 1
    assert "FAIL  greeting-is-not-a-handoff: never escalated" in failed.stdout
    suite.write_text("- id: broken\n  turns: []\n")
    assert run(tmp_path, "test", str(suite)).returncode == 2
