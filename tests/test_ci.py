"""The README's two set-up commands stay true, and CI runs exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", README)[:2]


def test_readme_starts_with_the_two_setup_commands():
    build, tests = _readme_commands()
    assert build.endswith("newsspan build")
    assert "pip install" in build
    assert tests.endswith("pytest")
    assert "pip install -e '.[dev]'" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = _readme_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()
