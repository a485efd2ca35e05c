"""The repository layout is the architecture: the package mapping and the import directions."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import subprocess
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


def _repository_folders() -> set[Path]:
    """The folders of the repository's own files: tracked, or untracked and not ignored. What
    git ignores (build/ that `pip install .` leaves, .venv/, caches) is not the repository."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return {parent for name in listed.split("\0") if name for parent in Path(name).parents}


def test_no_folder_named_newsspan_exists():
    found = sorted(str(p) for p in _repository_folders() if p.name == "newsspan")
    assert found == [], "the import package is mapped by package-dir; no folder may be named newsspan"


def test_the_folder_check_sees_untracked_folders_and_not_ignored_ones(tmp_path):
    # the check above must still catch a new, not yet committed folder named newsspan
    probe = REPO / "tests" / "data" / f"_probe-{tmp_path.name}" / "newsspan"
    probe.mkdir(parents=True)
    try:
        (probe / "x.py").write_text("", encoding="utf-8")
        assert probe.relative_to(REPO) in _repository_folders()
    finally:
        shutil.rmtree(probe.parent)
    assert Path("build") not in _repository_folders()


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


# The only modules of newsspan.dataset that import upward: the pipeline list (it assembles the
# stages the other packages define) and the root CLI (it mounts their command groups).
UPWARD = {"dataset/pipeline.py", "dataset/cli.py"}


def _modules(name: str) -> list[Path]:
    return sorted((REPO / name).rglob("*.py"))


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_dependencies_point_one_way(name):
    # everything may import newsspan.dataset; labeling, validation and cards never import each
    # other; dataset imports them only in the pipeline list and the root CLI.
    for path in _modules(name):
        targets = {module.split(".")[1] for module in _imports(path)}
        relative = path.relative_to(REPO).as_posix()
        if name == "dataset":
            allowed = {"dataset", *SUBPACKAGES} if relative in UPWARD else {"dataset"}
        else:
            allowed = {"dataset", name}
        assert targets <= allowed, f"{relative} imports {sorted(targets - allowed)}"


def test_the_upward_imports_are_still_needed():
    # a module that no longer imports upward leaves the list, so the list stays the truth
    for relative in sorted(UPWARD):
        targets = {module.split(".")[1] for module in _imports(REPO / relative)}
        assert targets - {"dataset"}, f"{relative} imports only newsspan.dataset: remove it from UPWARD"


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_modules_stay_small(name):
    # every module of every subfolder (ingest/, heuristics/, hub/, ...) stays under the fence
    for path in _modules(name):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 400, f"{path.relative_to(REPO)} has {lines} lines; split it into steps"


def test_every_stage_of_the_pipeline_is_one_module_with_a_name():
    from newsspan.dataset.pipeline import build_stages

    stages = build_stages()
    names = [stage.name for stage in stages]
    assert len(set(names)) == len(names), names
    modules = [type(stage).__module__ for stage in stages]
    assert len(set(modules)) == len(modules), f"one stage per module: {modules}"


def test_no_module_but_the_layout_spells_a_build_folder_file_name():
    # the build folder's contract is written once (dataset/layout.py); table files come from the
    # schema's Table.file_name through it
    from newsspan.dataset.layout import REPORTS

    names = {name for files in REPORTS.values() for name in files if name} | {"manifest.json", "README.md"}
    folders = ("exports", "plots", "gx-docs")  # as path parts: / "plots" or "plots/..."
    spelled = re.compile(
        "|".join(
            [*(re.escape(f'"{name}"') for name in sorted(names)), *(rf'/ "{f}"|"{f}/' for f in folders), "-00000-of-"]
        )
    )
    tables = re.compile(r'"(?:documents|spans|relations|stance|annotations|quarantine)\.parquet"')
    for name in SUBPACKAGES:
        for path in _modules(name):
            if path.relative_to(REPO).as_posix() == "dataset/layout.py":
                continue
            text = path.read_text(encoding="utf-8")
            found = spelled.findall(text) + tables.findall(text)
            assert not found, f"{path.relative_to(REPO)} spells {found}; name the file in dataset/layout.py"


def test_role_labels_and_relation_names_are_spelled_only_in_the_schema():
    # QUOTE/SPEAKER/CUE and said_by/cued_by are schema constants; code uses the names
    literal = re.compile(r"""["'](?:QUOTE|SPEAKER|CUE|said_by|cued_by)["']""")
    declared = {"dataset/labels.py", "dataset/schema.py"}  # the declaration and its re-export list
    for name in SUBPACKAGES:
        for path in _modules(name):
            relative = path.relative_to(REPO).as_posix()
            if relative not in declared:
                found = literal.findall(path.read_text(encoding="utf-8"))
                assert not found, f"{relative} spells {found}; import the constant from newsspan.dataset.schema"
