"""The gold stage adjudicates a part of the corpus at a time: any part size gives the same outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan.dataset.config import IngestOptions
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import ANNOTATION_TABLES
from newsspan.dataset.stage import StageContext
from newsspan.labeling.gold_stage import GoldStage

OUTPUTS = [t.file_name for t in ANNOTATION_TABLES] + ["gold_conflicts.parquet", "gold.json", "gold.md"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from newsspan.dataset.build import build_corpus

    out = tmp_path_factory.mktemp("gold-parts") / "corpus"
    build_corpus(None, out, options=IngestOptions())
    return out


def _outputs(folder: Path) -> dict[str, object]:
    return {
        name: pq.read_table(folder / name).to_pylist() if name.endswith(".parquet") else (folder / name).read_text()
        for name in OUTPUTS
    }


def _gold(sample: Path, target: Path, documents: int) -> dict[str, object]:
    target.mkdir()
    for name in [t.file_name for t in ANNOTATION_TABLES]:
        shutil.copy(sample / name, target / name)
    report = GoldStage(documents=documents).run(StageContext(BuildFolder(target)))
    assert not [p for p in target.iterdir() if p.name.startswith(".")], "scratch left behind"
    assert report.counts and report.counts["gold_spans"] > 0
    return _outputs(target)


@pytest.mark.parametrize("documents", [1, 3], ids=["1-per-part", "3-per-part"])
def test_parts_of_any_size_give_the_outputs_of_one_part(sample: Path, tmp_path: Path, documents: int) -> None:
    whole = _gold(sample, tmp_path / "whole", 10_000)
    assert _gold(sample, tmp_path / "parts", documents) == whole
    assert whole == _outputs(sample)  # and what the build itself wrote


def test_a_second_run_replaces_its_own_gold_rows(sample: Path, tmp_path: Path) -> None:
    once = _gold(sample, tmp_path / "again", 2)
    GoldStage(documents=2).run(StageContext(BuildFolder(tmp_path / "again")))
    assert _outputs(tmp_path / "again") == once
