"""The quality stage scores a part of the corpus at a time: any part size gives the same quality.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.config import IngestOptions
from newsspan.dataset.errors import InputError
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import DOCUMENTS, RELATIONS, SPANS
from newsspan.dataset.stage import StageContext
from newsspan.labeling.quality_stage import QualityStage

INPUTS = [t.file_name for t in (DOCUMENTS, SPANS, RELATIONS)]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from newsspan.dataset.build import build_corpus

    out = tmp_path_factory.mktemp("quality-parts") / "corpus"
    build_corpus(None, out, options=IngestOptions())
    return out


def _copy(sample: Path, target: Path) -> Path:
    target.mkdir()
    for name in INPUTS:
        shutil.copy(sample / name, target / name)
    return target


def _quality(folder: Path, documents: int) -> str:
    QualityStage(documents=documents).run(StageContext(BuildFolder(folder)))
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "scratch left behind"
    return (folder / "quality.json").read_text(encoding="utf-8")


def _with_predictions(sample: Path, target: Path, kept: int | None = None) -> Path:
    """The sample with this rules version's predictions: a copy of the gold spans and relations
    (of the first ``kept`` gold documents, or all)."""
    from newsspan.dataset.preannotate import MODEL_VERSION

    folder = _copy(sample, target)
    for table in (SPANS, RELATIONS):
        rows = pq.read_table(folder / table.file_name)
        gold = rows.filter(pc.equal(rows["origin"], "gold"))
        if kept is not None:
            first = sorted(set(gold["doc_id"].to_pylist()))[:kept]
            gold = gold.filter(pc.is_in(gold["doc_id"], pa.array(first)))
        made = [r | {"origin": "prediction", "annotator": MODEL_VERSION} for r in gold.to_pylist()]
        pq.write_table(
            pa.concat_tables([rows, pa.Table.from_pylist(made, schema=table.arrow_schema)]), folder / table.file_name
        )
    return folder


def test_the_sample_has_groups_a_small_part_cuts(sample: Path) -> None:
    """Otherwise the rules' path for a part cut through a group would go untested."""
    from newsspan.dataset.heuristics.repetition import document_group

    documents = pq.read_table(sample / DOCUMENTS.file_name).to_pylist()
    groups = [document_group(d["outlet"], d["source"] or "") for d in documents]
    assert max(groups.count(g) for g in groups) >= 2


@pytest.mark.parametrize("documents", [1, 3], ids=["1-per-part", "3-per-part"])
def test_parts_of_any_size_give_the_quality_of_one_part(sample: Path, tmp_path: Path, documents: int) -> None:
    whole = _quality(_copy(sample, tmp_path / "whole"), 10_000)
    assert _quality(_copy(sample, tmp_path / "parts"), documents) == whole
    assert whole == (sample / "quality.json").read_text(encoding="utf-8")  # and what the build wrote


@pytest.mark.parametrize("documents", [1, 10_000], ids=["1-per-part", "one-part"])
def test_predictions_covering_the_gold_documents_are_scored_without_running_the_rules(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, documents: int
) -> None:
    from newsspan.dataset import preannotate

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the rules ran although the tables hold their predictions")

    monkeypatch.setattr(preannotate, "preannotate_documents", must_not_run)
    monkeypatch.setattr(preannotate, "_document", must_not_run)
    quality = json.loads(_quality(_with_predictions(sample, tmp_path / "b"), documents))
    assert quality["model_version"] == preannotate.MODEL_VERSION
    assert quality["figures"] == {"boilerplate_line_f1": 1.0, "quote_f1_overlap": 1.0, "speaker_accuracy": 1.0}
    assert quality["article_loss"]["article_chars_lost"] == 0


def test_predictions_missing_for_a_gold_document_make_the_rules_run_in_parts(sample: Path, tmp_path: Path) -> None:
    folder = _with_predictions(sample, tmp_path / "b", kept=1)
    assert _quality(folder, 2) == (sample / "quality.json").read_text(encoding="utf-8")


def test_the_scratch_folder_goes_when_a_part_fails(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsspan.labeling.score import ScoreCounts

    def fail(*args: object) -> None:
        raise RuntimeError("a part failed")

    monkeypatch.setattr(ScoreCounts, "add", fail)
    folder = _copy(sample, tmp_path / "b")
    with pytest.raises(RuntimeError, match="a part failed"):
        QualityStage(documents=2).run(StageContext(BuildFolder(folder)))
    assert sorted(p.name for p in folder.iterdir()) == sorted(INPUTS)


def test_a_gold_document_missing_from_the_documents_table_is_named(sample: Path, tmp_path: Path) -> None:
    folder = _copy(sample, tmp_path / "b")
    documents = pq.read_table(folder / DOCUMENTS.file_name)
    dropped = sorted(documents["doc_id"].to_pylist())[0]
    pq.write_table(documents.filter(pc.not_equal(documents["doc_id"], dropped)), folder / DOCUMENTS.file_name)
    with pytest.raises(InputError, match=rf"document\(s\) with gold spans are not in .*, e.g. '{dropped}'") as caught:
        QualityStage().run(StageContext(BuildFolder(folder)))
    assert caught.value.doc_id == dropped
    assert not (folder / "quality.json").exists()


FOOTER = "Harbour Gazette is read by seafarers in forty ports"  # no rule knows these words: only repetition


def _with_a_repeated_footer(sample: Path, target: Path) -> Path:
    """The sample with six documents of one outlet ending in the same footer line (offsets of
    the gold spans and metadata unchanged): a line the rules find only by counting it over the
    outlet's documents, so a part holding some of them must see the whole outlet's counts."""
    folder = _copy(sample, target)
    rows = pq.read_table(folder / DOCUMENTS.file_name).to_pylist()
    for row in rows[:6]:
        row.update(text=f"{row['text']}\n{FOOTER}", outlet="Harbour Gazette")
    pq.write_table(pa.Table.from_pylist(rows, schema=DOCUMENTS.arrow_schema), folder / DOCUMENTS.file_name)
    return folder


@pytest.mark.parametrize("documents", [1, 4], ids=["1-per-part", "4-per-part"])
def test_a_part_cutting_an_outlet_sees_the_lines_the_whole_outlet_repeats(
    sample: Path, tmp_path: Path, documents: int
) -> None:
    whole = _quality(_with_a_repeated_footer(sample, tmp_path / "whole"), 10_000)
    assert _quality(_with_a_repeated_footer(sample, tmp_path / "parts"), documents) == whole
    before = json.loads((sample / "quality.json").read_text(encoding="utf-8"))["article_loss"]
    assert json.loads(whole)["article_loss"]["article_chars_lost"] > before["article_chars_lost"]  # footers found
