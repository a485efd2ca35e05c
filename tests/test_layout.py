"""The repository layout is the architecture: the package mapping and the import directions."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SUBPACKAGES = ("dataset", "labeling", "validation", "cards")


def test_top_level_holds_only_what_the_design_card_names():
    names = {p.name for p in REPO.iterdir() if not p.name.startswith(".")}
    allowed = {"pyproject.toml", "README.md", *SUBPACKAGES, "tests", "benchmarks"}
    # build outputs and egg-info are ignored by git; anything else is a layout change
    generated = {n for n in names if n.endswith(".egg-info") or n in {"build", "dist", "newsspan.toml"}}
    assert names - generated <= allowed
    assert {"pyproject.toml", "README.md", *SUBPACKAGES, "tests"} <= names


def test_no_folder_named_newsspan_exists():
    found = [p for p in REPO.rglob("newsspan") if p.is_dir() and ".git" not in p.parts]
    assert found == []


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_bare_folders_are_not_importable(name):
    assert importlib.util.find_spec(name) is None


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_subpackages_import_as_newsspan_packages(name):
    spec = importlib.util.find_spec(f"newsspan.{name}")
    assert spec is not None and spec.origin is not None
    assert Path(spec.origin).parent.name == name


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            found.add(node.module or "")
    return {name for name in found if name.startswith("newsspan.")}


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_dependencies_point_one_way(name):
    # everything may import newsspan.dataset; labeling, validation and cards never import each
    # other; dataset imports them only where the full build is assembled and in the root CLI.
    for path in sorted((REPO / name).rglob("*.py")):
        targets = {module.split(".")[1] for module in _imports(path)}
        if name == "dataset":
            root_cli = {"build.py", "cli.py", "cli_corpus.py"}  # the build assembly and the root CLI
            allowed = {"dataset", *SUBPACKAGES} if path.name in root_cli else {"dataset"}
        else:
            allowed = {"dataset", name}
        assert targets <= allowed, f"{path.relative_to(REPO)} imports {sorted(targets - allowed)}"


def test_modules_stay_small():
    for path in sorted(REPO.glob("*/*.py")):
        if path.parts[-2] in SUBPACKAGES:
            assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name
