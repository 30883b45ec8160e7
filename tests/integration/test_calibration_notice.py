"""``warmline kb ingest`` says when a help center other than the demo shop's will be answered
with the built-in calibration, and how to fit one."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmline.cli import app
from warmline.demo import HELP_CENTER
from warmline.engine.confidence import DEFAULT_CALIBRATION


@pytest.fixture(autouse=True)
def _hashing_embedder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The hashing embedder keeps these runs from loading the model.
    monkeypatch.setenv("WARMLINE_EMBEDDER", "hashing")
    monkeypatch.setenv("WARMLINE_DATA_DIR", str(tmp_path / "data"))


def own_help_center(tmp_path: Path) -> Path:
    folder = tmp_path / "help"
    folder.mkdir()
    (folder / "roaming.md").write_text(
        "---\nid: roaming\ntitle: Roaming passes\naudience: customer\n---\n# Roaming passes\n\n"
        "A day pass costs $10 and covers calls, texts and 2 GB of data abroad.\n",
        encoding="utf-8",
    )
    return folder


def test_that_an_own_help_center_on_the_built_in_calibration_gets_the_notice(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(app, ["kb", "ingest", str(own_help_center(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "built-in calibration" in result.output
    assert "warmline kb calibrate" in result.output


def test_that_the_demo_shop_or_an_own_calibration_gets_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(app, ["kb", "ingest", str(HELP_CENTER)])
    assert result.exit_code == 0, result.output
    assert "built-in calibration" not in result.output
    own = tmp_path / "calibration.json"
    own.write_text(DEFAULT_CALIBRATION.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("WARMLINE_CALIBRATION_FILE", str(own))
    result = CliRunner().invoke(app, ["kb", "ingest", str(own_help_center(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "built-in calibration" not in result.output
