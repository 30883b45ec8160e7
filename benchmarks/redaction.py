"""PII redaction speed: model load time and milliseconds per customer message.

    python benchmarks/redaction.py [--repeat 3] [--out benchmarks/results/redaction.json]

Messages are the labelled customer questions of the answer benchmark, as written and with
personal data appended (a name, an email, a phone number, a card number), so both the common
case (nothing to find) and the redacting case are timed. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from warmline.evaluation.answers import load_questions
from warmline.evaluation.runs import run_record
from warmline.privacy import PresidioRedactor

HERE = Path(__file__).resolve().parent
PERSONAL = (
    " This is Elena Marsh, elena.marsh@example.com, call me on +1 415 555 0134;"
    " I paid with 4111 1111 1111 1111."
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "redaction.json")
    args = parser.parse_args()
    questions = [q["query"] for q in load_questions(HERE / "data" / "answers.jsonl")]

    redactor = PresidioRedactor()
    started = time.perf_counter()
    redactor.load()
    load_seconds = time.perf_counter() - started

    rows = {}
    for label, messages in (
        ("plain question", questions),
        ("question + name, email, phone, card", [q + PERSONAL for q in questions]),
    ):
        timings: list[float] = []
        found = 0
        for _ in range(args.repeat):
            for message in messages:
                started = time.perf_counter()
                result = redactor.redact(message)
                timings.append((time.perf_counter() - started) * 1000)
                found += len(result.found)
        rows[label] = {
            "messages": len(timings),
            "mean_chars": round(statistics.mean(len(m) for m in messages)),
            "p50_ms": statistics.median(timings),
            "p95_ms": percentile(timings, 0.95),
            "per_second": len(timings) / (sum(timings) / 1000),
            "findings_per_message": found / len(timings),
        }

    print(f"spaCy + Presidio load: {load_seconds:.2f} s")
    print(f"{'messages':<38} {'n':>5} {'chars':>6} {'p50 ms':>8} {'p95 ms':>8} {'msg/s':>7}")
    for label, row in rows.items():
        print(
            f"{label:<38} {row['messages']:>5} {row['mean_chars']:>6} {row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['per_second']:>7.0f}"
        )
    result = {
        **run_record("redaction.py"),
        "load_seconds": load_seconds,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
