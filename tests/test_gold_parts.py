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


def test_several_converted_exports_are_read_as_one_table_in_export_order(sample: Path, tmp_path: Path) -> None:
    """A build with two exports: the convert stage's hidden parts are the gold stage's input, in
    export order, and they are gone afterwards."""
    import pyarrow.compute as pc

    whole = _gold(sample, tmp_path / "whole", 10_000)
    target = tmp_path / "exports"
    target.mkdir()
    for table in ANNOTATION_TABLES:
        rows = pq.read_table(sample / table.file_name)
        rows = rows.filter(pc.not_equal(rows["origin"], "gold"))
        half = rows.num_rows // 2  # the first export's rows, then the second's: the same order
        for number, piece in ((1, rows.slice(0, half)), (2, rows.slice(half))):
            part = BuildFolder(target).converted(number)
            part.mkdir(exist_ok=True)
            pq.write_table(piece, part / table.file_name)
    GoldStage(documents=2).run(StageContext(BuildFolder(target)))
    assert not BuildFolder(target).converted_parts()
    assert _outputs(target) == whole
