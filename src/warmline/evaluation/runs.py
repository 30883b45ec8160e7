"""What every benchmark result file starts with: when, on what machine, with which command."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from typing import Any


def run_record(script: str) -> dict[str, Any]:
    """The head of a result file for ``benchmarks/<script>``, run with this process's arguments.
    The load average says whether the machine was quiet, which timings depend on."""
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": [round(load, 2) for load in os.getloadavg()],
        },
        "command": " ".join(["python", f"benchmarks/{script}", *sys.argv[1:]]),
    }
