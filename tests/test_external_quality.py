"""Boilerplate and metadata on real pages never written for this project: the floors of the
external development sets (``../shared/external``), scored by ``benchmarks/extraction.py``.

The floors live in ``tests/data/quality_floors.json`` under ``external`` and are only raised.
The development sets are required in CI (they sit beside the repository there); elsewhere a
missing folder skips these tests with the reason.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
EXTERNAL = REPO.parent / "shared" / "external"
ALL_FLOORS = json.loads((REPO / "tests" / "data" / "quality_floors.json").read_text(encoding="utf-8"))
FLOORS, ATTRIBUTION_FLOORS = ALL_FLOORS["external"], ALL_FLOORS["polnear"]


@functools.cache
def _benchmark(name: str = "extraction") -> Any:
    """benchmarks/NAME.py as a module (registered, so its dataclasses resolve their module)."""
    spec = importlib.util.spec_from_file_location(f"{name}_benchmark", REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _require_external() -> None:
    if not EXTERNAL.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the development sets are missing: {EXTERNAL} must sit beside the repository in CI")
        pytest.skip(f"{EXTERNAL} is not here: the external development sets are not available")


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    _require_external()
    benchmark = _benchmark()
    return {name: run(EXTERNAL / folder, None) for name, (folder, run) in benchmark.SETS.items()}


@pytest.mark.parametrize("name", sorted(FLOORS), ids=sorted(FLOORS))
def test_external_figure_holds_its_floor(figures: dict[str, Any], name: str) -> None:
    benchmark = _benchmark()
    failures = [failure for failure in benchmark.check_floors(figures) if failure.startswith(f"{name}:")]
    assert name in benchmark.FLOOR_FIGURES or name in benchmark.CEILINGS, f"{name} is not a figure the benchmark makes"
    assert not failures, failures


@pytest.fixture(scope="module")
def attribution() -> dict[str, Any]:
    _require_external()
    return _benchmark("attribution").run(EXTERNAL / "polnear-train", None)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(ATTRIBUTION_FLOORS), ids=sorted(ATTRIBUTION_FLOORS))
def test_polnear_attribution_figure_holds_its_floor(attribution: dict[str, Any], name: str) -> None:
    benchmark = _benchmark("attribution")
    assert name in benchmark.FLOOR_FIGURES, f"{name} is not a figure benchmarks/attribution.py makes"
    failures = [failure for failure in benchmark.check_floors(attribution) if failure.startswith(f"{name}:")]
    per_publisher = {p: f[name] for p, f in attribution["per_publisher"].items()}
    assert not failures, (failures, per_publisher)


def test_the_recorded_quality_is_what_the_benchmarks_measure_now(
    figures: dict[str, Any], attribution: dict[str, Any]
) -> None:
    # a silver build's card shows dataset/heuristics/measured_quality.json: it must be today's rules' figures
    from newsspan.dataset.heuristics.quality import measured_quality
    from newsspan.dataset.preannotate import MODEL_VERSION

    recorded = {(m.set_name, m.figure): m.value for m in measured_quality(MODEL_VERSION)}
    measured = {("aeb-dev", name): value for name, value in _benchmark().recorded_figures(figures).items()}
    measured |= {("polnear-train", k): v for k, v in _benchmark("attribution").recorded_figures(attribution).items()}
    assert recorded == {key: round(value, 4) for key, value in measured.items()}, (
        "the rules' figures changed: run benchmarks/extraction.py --record and benchmarks/attribution.py --record"
    )
