"""The docs describe the code: every setting, CLI command and API route appears in them."""

from __future__ import annotations

import re

import typer.main

from tests.helpers import REPO
from warmline.api.app import create_app
from warmline.bootstrap import build
from warmline.cli import app as cli_app
from warmline.settings import Settings
from warmline.storage.memory import in_memory_store

DOCS = REPO / "docs"


def test_that_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"WARMLINE_{name.upper()}" in text, name


def _commands(group: typer.Typer, prefix: str = "warmline") -> list[str]:
    command = typer.main.get_command(group)
    found: list[str] = []

    def walk(node: object, path: str) -> None:
        children = getattr(node, "commands", None)
        if not children:
            found.append(path)
            return
        for name, child in children.items():
            walk(child, f"{path} {name}")

    walk(command, prefix)
    return found


def test_that_every_cli_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    commands = _commands(cli_app)
    assert "warmline kb search" in commands
    for command in commands:
        assert f"`{command}" in text, command


def test_that_every_api_route_is_documented() -> None:
    app = create_app(build(Settings(), store=in_memory_store()))
    text = (DOCS / "api.md").read_text()
    assert "`GET /healthz`" in text
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            assert f"`{method.upper()} {path}" in text, f"{method.upper()} {path}"


def test_that_the_readme_gives_the_two_commands_ci_runs() -> None:
    readme = (REPO / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    ci = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.MULTILINE)
