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


def test_setuptools_builds_away_from_the_default_output_folder():
    # `pip install .` (the README's first command) builds in-tree; in build/ its build/lib would
    # sit in `newsspan build`'s default output folder build/corpus's parent
    import tomllib

    from newsspan.dataset.config import BuildOptions

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    base = Path(pyproject["tool"]["distutils"]["build"]["build-base"])
    out = Path(BuildOptions().out)
    assert base.parts[0] != out.parts[0], (base, out)
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert f"/{base}/" in ignored and f"/{out.parts[0]}/" in ignored
