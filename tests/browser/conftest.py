"""Browser tests: Debian's Chromium driven by Playwright, against the real server.

The browser is module-scoped: Playwright's sync API keeps an event loop running while it is
open, which must be gone before the async tests of other folders run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import IN_CI, REPO, LiveServer

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = REPO / "var" / "screenshots"

if not Path(CHROMIUM).exists():
    if IN_CI:
        raise RuntimeError(
            "CI=true needs Debian's chromium at /usr/bin/chromium (make browser-deps)"
        )
    pytest.skip(
        "browser tests need Debian's chromium (apt-get install chromium)", allow_module_level=True
    )

from playwright.sync_api import Browser, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def server(demo_server: LiveServer) -> LiveServer:
    return demo_server


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
