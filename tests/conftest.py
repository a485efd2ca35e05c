"""Shared fixtures: the acceptance corpus, test data folders, the CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
# The acceptance corpus lives beside the repository (../shared/seeds) and is never copied in.
SEEDS = Path(os.environ.get("NEWSSPAN_SEEDS", REPO.parent / "shared" / "seeds"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no hub on this network; tests must never try one
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        message = f"the acceptance corpus is missing: expected {SEEDS} (set NEWSSPAN_SEEDS to its folder)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SEEDS


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
