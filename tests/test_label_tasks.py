"""Prediction tables that Label Studio could not take are project errors naming file, document and fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from newsspan.dataset.cli import cli
from newsspan.dataset.config import LabelStudioOptions
from newsspan.dataset.errors import InputError
from newsspan.dataset.io import write_table
from newsspan.dataset.schema import DOCUMENTS, SPANS, STANCE
from newsspan.labeling.tasks import predictions_by_document

BASE = {"doc_id": "d001", "annotation_id": "pred-1", "annotator": "rules-0.1", "origin": "prediction"}
REWRITE = "or re-run `newsspan preannotate` to write the prediction tables again"


def _spans(*, layer: str = "quote") -> pa.Table:
    rows = [
        {**BASE, "region_id": "q1", "layer": "quote", "label": "QUOTE", "start": 0, "end": 7, "text": "Article"},
        {**BASE, "region_id": "e1", "layer": layer, "label": "MISC", "start": 10, "end": 14, "text": "text"},
    ]
    return pa.Table.from_pylist(rows, schema=SPANS.arrow_schema)


def _stance(**changes: Any) -> pa.Table:
    row = {**BASE, "scope": "quote", "region_id": "q1", "target": "x", "value": "AGAINST", **changes}
    return pa.Table.from_pylist([row], schema=STANCE.arrow_schema)


def test_span_on_unknown_layer_names_file_document_region_and_allowed_layers(tmp_path):
    source = tmp_path / "pre" / "spans.parquet"
    with pytest.raises(InputError) as caught:
        predictions_by_document(_spans(layer="entities"), source=source)
    error = caught.value
    assert str(error) == (
        f"{source}: document 'd001', prediction 'pred-1': span 'e1' [10, 14) has layer 'entities', "
        f"not a schema layer; use one of entity, quote, boilerplate, {REWRITE}"
    )
    assert (error.path, error.doc_id, error.start, error.end) == (str(source), "d001", 10, 14)


def test_errors_without_a_source_name_the_table():
    with pytest.raises(InputError, match=r"^the spans table: document 'd001', prediction 'pred-1': span 'e1'"):
        predictions_by_document(_spans(layer="entities"))
    with pytest.raises(InputError, match=r"^the stance table: document 'd001'") as caught:
        predictions_by_document(_spans(), stance=_stance(region_id="zz"))
    assert caught.value.path is None


@pytest.mark.parametrize(
    ("changes", "problem", "fix"),
    [
        (
            {"region_id": "zz"},
            "quote stance 'AGAINST' names region 'zz', which is not a span of that prediction in {spans}",
            "set region_id to the region_id of a QUOTE span with the same annotation_id",
        ),
        (
            {"region_id": "q1", "annotation_id": "pred-2"},
            "quote stance 'AGAINST' names region 'q1', which is not a span of that prediction in {spans}",
            "set region_id to the region_id of a QUOTE span with the same annotation_id",
        ),
        (
            {"region_id": None},
            "quote stance 'AGAINST' has no region_id",
            "set region_id to the region_id of a QUOTE span with the same annotation_id",
        ),
        (
            {"scope": "Document"},
            "stance scope 'Document' is not one of document, quote",
            "fix the scope column",
        ),
    ],
    ids=["region-not-a-span", "region-of-another-prediction", "no-region", "unknown-scope"],
)
def test_stance_label_studio_cannot_attach_names_the_stance_file_and_fix(tmp_path, changes, problem, fix):
    source = tmp_path / "pre" / "predictions.parquet"
    stance = _stance(**changes)
    with pytest.raises(InputError) as caught:
        predictions_by_document(_spans(), stance=stance, source=source)
    error = caught.value
    prediction = changes.get("annotation_id", "pred-1")
    assert str(error) == (
        f"{tmp_path / 'pre' / 'stance.parquet'}: document 'd001', prediction '{prediction}': "
        f"{problem.format(spans=source)}; {fix}, {REWRITE}"
    )
    assert (error.path, error.doc_id) == (str(tmp_path / "pre" / "stance.parquet"), "d001")


def _write_push_inputs(folder: Path) -> tuple[Path, Path]:
    documents = folder / "t" / "documents.parquet"
    doc = {
        "doc_id": "d001",
        "source": "a.txt",
        "source_format": "txt",
        "raw_sha256": "0" * 64,
        "encoding": "utf-8",
        "text": "Article 1 text",
        "meta_spans": [],
    }
    write_table(pa.Table.from_pylist([doc], schema=DOCUMENTS.arrow_schema), documents, schema=DOCUMENTS)
    spans = folder / "pre" / "spans.parquet"
    write_table(_spans(), spans, schema=SPANS)
    write_table(_stance(region_id="zz"), folder / "pre" / "stance.parquet", schema=STANCE)
    return documents, spans


@pytest.fixture
def no_label_studio(monkeypatch):
    """Fail the test if the push gets as far as contacting Label Studio."""

    def connect(options: LabelStudioOptions) -> None:
        raise AssertionError("push contacted Label Studio before checking its inputs")

    monkeypatch.setattr("newsspan.labeling.workflow.connect", connect)


def test_push_documents_names_the_stance_file_beside_the_predictions(tmp_path, no_label_studio):
    from newsspan.labeling.workflow import push_documents

    documents, spans = _write_push_inputs(tmp_path)
    with pytest.raises(InputError) as caught:
        push_documents(LabelStudioOptions(), documents, predictions=spans)
    assert caught.value.path == str(tmp_path / "pre" / "stance.parquet")
    assert caught.value.doc_id == "d001"
    assert f"names region 'zz', which is not a span of that prediction in {spans}" in str(caught.value)


def test_label_push_prints_the_error_and_exits_1_without_a_traceback(runner, tmp_path, monkeypatch, no_label_studio):
    monkeypatch.chdir(tmp_path)  # no newsspan.toml of the repository applies
    documents, spans = _write_push_inputs(tmp_path)
    result = runner.invoke(cli, ["--quiet", "label", "push", str(documents), "--predictions", str(spans)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"Error: {tmp_path / 'pre' / 'stance.parquet'}: document 'd001', prediction 'pred-1'" in result.stderr
    assert "Traceback" not in result.output
