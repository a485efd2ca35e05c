"""Adjudication in Label Studio: the documents with gold conflicts, pushed for review.

``newsspan label review BUILD`` reads ``gold_conflicts.parquet`` and pushes each document with a
conflict into a review project (``label_studio.project_title`` + `` review``), where every human
annotation of it is shown as a prediction whose model version is its annotator's pseudonym
(``annotator-…``, as in the dataset): the reviewer compares the versions in the task's
predictions (Label Studio pre-fills the draft from one of them) and submits the adjudicated one.
Pushing again adds nothing already there. The tasks' data carry ``newsspan_review``, so the
review project's export (``label pull --review``, or ``build --from-label-studio``, which pulls
it when it exists), given to ``build`` beside the annotation project's, converts its
annotations as origin ``review``: the gold stage takes each as its document's gold layer, with
provenance ``adjudicated``, and the annotators' versions in its predictions are not converted a
second time.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsspan.dataset.config import LabelStudioOptions
from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.io import read_table
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, RELATIONS, SPANS, STANCE
from newsspan.labeling.convert import REVIEW_KEY
from newsspan.labeling.sync import Project, PushReport

__all__ = ["REVIEW_SUFFIX", "push_review", "review_options", "review_versions"]

REVIEW_SUFFIX = " review"


def review_versions(
    documents: pa.Table,
    annotations: pa.Table,
    spans: pa.Table,
    relations: pa.Table,
    stance: pa.Table,
    doc_ids: set[str],
) -> tuple[pa.Table, tuple[pa.Table, pa.Table, pa.Table]]:
    """The documents to review and each human annotation of them as prediction rows (origin
    ``prediction``, annotator = the annotator's pseudonym), for ``predictions_by_document``."""
    from newsspan.dataset.hub.rows import pseudonym

    usable = {
        a["annotation_id"]: pseudonym(a["annotator"])
        for a in annotations.to_pylist()
        if a["origin"] == "human" and not a["cancelled"] and a["doc_id"] in doc_ids
    }

    def versions(table: pa.Table) -> pa.Table:
        rows = [
            r | {"origin": "prediction", "annotator": usable[r["annotation_id"]]}
            for r in table.to_pylist()
            if r["annotation_id"] in usable
        ]
        return pa.Table.from_pylist(rows, schema=table.schema)

    chosen = documents.filter(pc.is_in(documents["doc_id"], pa.array(sorted(doc_ids), type=pa.string())))
    return chosen, (versions(spans), versions(relations), versions(stance))


def push_review(options: LabelStudioOptions, build: Path) -> tuple[PushReport, Project, int]:
    """Push the conflicting documents of ``build`` into the review project; returns the push
    report, the project and the number of documents with conflicts."""
    from newsspan.labeling.client import connect
    from newsspan.labeling.config import label_config_xml
    from newsspan.labeling.sync import ensure_project, push_tasks
    from newsspan.labeling.tasks import document_tasks, predictions_by_document

    folder = BuildFolder(build)
    conflicts_path = folder.report_table("gold")
    if not conflicts_path.is_file():
        raise NewsspanError(
            f"{conflicts_path} does not exist: run `newsspan build` (or `newsspan label gold {build}`) first",
            path=conflicts_path,
        )
    doc_ids = {d for d in pq.read_table(conflicts_path, columns=["doc_id"])["doc_id"].to_pylist() if d}
    tables: dict[str, Any] = {
        t.name: read_table(folder.table(t), schema=t) for t in (DOCUMENTS, ANNOTATIONS, SPANS, RELATIONS, STANCE)
    }
    documents, (spans, relations, stance) = review_versions(
        tables["documents"], tables["annotations"], tables["spans"], tables["relations"], tables["stance"], doc_ids
    )
    predictions = predictions_by_document(spans, relations, stance, source=folder.table(SPANS))
    review = review_options(options)
    backend = connect(review)
    project = ensure_project(backend, project_id=None, title=review.project_title, label_config=label_config_xml())
    tasks = [data | {REVIEW_KEY: True} for data in document_tasks(documents)]
    report = push_tasks(backend, project, tasks, predictions, batch_size=review.batch_size)
    return report, project, len(doc_ids)


def review_options(options: LabelStudioOptions) -> LabelStudioOptions:
    """The Label Studio options of the review project of ``options``' project."""
    return dataclasses.replace(options, project_id=None, project_title=options.project_title + REVIEW_SUFFIX)
