"""`label review`'s rows: the conflicting documents and every human version of them as predictions."""

from __future__ import annotations

import pyarrow.parquet as pq

from newsspan.dataset.hub.rows import pseudonym
from newsspan.dataset.schema import SPANS
from newsspan.labeling.review import review_versions
from newsspan.labeling.tasks import predictions_by_document


def test_each_human_annotation_of_a_conflicting_document_becomes_a_pseudonymous_prediction(tmp_path, runner):
    from newsspan.dataset.cli import cli

    out = tmp_path / "corpus"
    assert runner.invoke(cli, ["-q", "build", "--out", str(out)]).exit_code == 0
    tables = {
        name: pq.read_table(out / f"{name}.parquet")
        for name in ("documents", "annotations", "spans", "relations", "stance")
    }
    conflicted = set(pq.read_table(out / "gold_conflicts.parquet")["doc_id"].to_pylist())
    documents, (spans, relations, stance) = review_versions(
        tables["documents"], tables["annotations"], tables["spans"], tables["relations"], tables["stance"], conflicted
    )
    assert set(documents["doc_id"].to_pylist()) == conflicted
    humans = [s for s in tables["spans"].to_pylist() if s["origin"] == "human" and s["doc_id"] in conflicted]
    assert spans.num_rows == len(humans) and set(spans["origin"].to_pylist()) == {"prediction"}
    assert set(spans["annotator"].to_pylist()) == {pseudonym(s["annotator"]) for s in humans}
    assert spans.schema == SPANS.arrow_schema
    grouped = predictions_by_document(spans, relations, stance)
    for doc_id in conflicted:
        versions = {p.model_version for p in grouped[doc_id]}
        assert all(v.startswith("annotator-") for v in versions) and len(versions) >= 2, versions
