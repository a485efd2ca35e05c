"""The labeling commands as library calls: read the tables, talk to Label Studio, report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from newsspan.dataset.config import LabelStudioOptions
from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.io import read_table
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import DOCUMENTS, RELATIONS, SPANS, STANCE
from newsspan.labeling.client import connect
from newsspan.labeling.config import label_config_xml
from newsspan.labeling.export import EXPORT_FILE, REVIEW_EXPORT_FILE, pull_export
from newsspan.labeling.sync import Project, PushReport, ensure_project, push_tasks
from newsspan.labeling.tasks import document_tasks, predictions_by_document

__all__ = ["pull_project", "push_documents", "review_exists", "score_report"]


def push_documents(
    options: LabelStudioOptions,
    documents: Path,
    *,
    predictions: Path | None = None,
    stance_target: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[PushReport, Project]:
    """Push a documents table (and prediction tables) to the configured project."""
    tasks = document_tasks(read_table(documents, schema=DOCUMENTS), stance_target=stance_target)
    proposed = {}
    if predictions is not None:
        folder = BuildFolder(predictions.parent)  # relations and stance beside the spans
        relations, stance = folder.table(RELATIONS), folder.table(STANCE)
        proposed = predictions_by_document(
            read_table(predictions, schema=SPANS),
            read_table(relations, schema=RELATIONS) if relations.is_file() else None,
            read_table(stance, schema=STANCE) if stance.is_file() else None,
            source=predictions,
        )
        unknown = sorted(set(proposed) - {task["doc_id"] for task in tasks})
        if unknown:
            raise NewsspanError(
                f"{predictions} has predictions for {len(unknown)} document(s) not in {documents} "
                f"(first: {unknown[0]}); push the documents table they were made from",
                path=predictions,
                doc_id=unknown[0],
            )
    backend = connect(options)
    project = ensure_project(
        backend,
        project_id=options.project_id,
        title=options.project_title,
        label_config=label_config_xml(),
        prefill=options.prefill_predictions,
    )
    report = push_tasks(backend, project, tasks, proposed, batch_size=options.batch_size, progress=progress)
    return report, project


def pull_project(options: LabelStudioOptions, out: Path, *, review: bool = False) -> dict[str, Any]:
    """Pull the configured project's full JSON export into ``out`` (``review``: its review
    project's, from ``label review``, into ``label-studio-review-export.json``)."""
    from newsspan.labeling.review import review_options

    backend = connect(options)
    if review:
        options = review_options(options)
    project = backend.find_project(project_id=options.project_id, title=options.project_title)
    if project is None:
        wanted = options.project_id if options.project_id is not None else repr(options.project_title)
        how = (
            "run `newsspan label review BUILD` first"
            if review
            else "push documents first (`newsspan label push`) or set label_studio.project_id / project_title "
            "in newsspan.toml"
        )
        raise NewsspanError(f"Label Studio at {backend.url} has no project {wanted}; {how}")
    return asdict(pull_export(backend, project, out, name=REVIEW_EXPORT_FILE if review else EXPORT_FILE))


def review_exists(options: LabelStudioOptions) -> bool:
    """Whether the configured project has a review project on the server (``label review``)."""
    from newsspan.labeling.review import review_options

    review = review_options(options)
    return connect(options).find_project(project_id=None, title=review.project_title) is not None


def _tables_of(path: Path) -> Path:
    return path if path.is_dir() else path.parent


def score_report(
    predictions: Path,
    gold: Path,
    *,
    documents: Path | None = None,
    out: Path | None = None,
    exclude_accepted: bool = False,
) -> dict[str, Any]:
    """Score the prediction tables at ``predictions`` against the gold tables at ``gold``;
    ``exclude_accepted`` leaves out, on both sides, the reference spans that are predictions no
    annotator touched (provenance ``prediction``): they are right because they were proposed."""
    import pyarrow.compute as pc

    from newsspan.dataset.io import ensure_folder, write_json, write_table_raw
    from newsspan.dataset.layout import BuildFolder
    from newsspan.labeling.reports import score_markdown
    from newsspan.labeling.score import assess_predictions, gold_side

    pred_dir, gold_dir = BuildFolder(_tables_of(predictions)), BuildFolder(_tables_of(gold))
    pred_spans = read_table(predictions if predictions.is_file() else pred_dir.table(SPANS), schema=SPANS)
    pred_spans = pred_spans.filter(pc.equal(pred_spans["origin"], "prediction"))
    reference = gold_side(read_table(gold if gold.is_file() else gold_dir.table(SPANS), schema=SPANS))
    docs_path = documents or next(
        (p for p in (gold_dir.table(DOCUMENTS), pred_dir.table(DOCUMENTS)) if p.is_file()), None
    )
    if docs_path is None:
        raise NewsspanError(f"no documents.parquet beside {gold} or {predictions}; pass --documents")
    texts = {
        r["doc_id"]: r["text"] for r in read_table(docs_path, schema=DOCUMENTS).select(["doc_id", "text"]).to_pylist()
    }
    accepted = _accepted(reference)
    if exclude_accepted and accepted:
        reference, pred_spans = (_without(t, accepted) for t in (reference, pred_spans))
    scored = assess_predictions(texts, pred_spans, _relations(pred_dir), reference, _relations(gold_dir))
    exact, overlap = scored.layer_f1("exact"), scored.layer_f1("overlap")
    summary = {
        "documents": len(set(reference.column("doc_id").to_pylist())),
        "boilerplate_line_f1": scored.boilerplate_line_f1,
        "speakers": scored.speakers,
        "article_loss": scored.article_loss,
        "layers": {layer: {"exact_f1": exact[layer], "overlap_f1": overlap[layer]} for layer in exact},
        "reference_accepted_predictions": len(accepted),
        "excluded_accepted_predictions": bool(exclude_accepted and accepted),
    }
    target = BuildFolder(out or pred_dir.root)
    ensure_folder(target.root)
    write_table_raw(scored.table, target.report_table("score"))
    write_json(summary, target.summary("score"))
    markdown = score_markdown(summary, scored.table)
    target.markdown("score").write_text(markdown, encoding="utf-8")
    return summary | {"markdown": markdown}


def _accepted(reference: Any) -> set[tuple[str, str, int, int]]:
    """(doc, label, start, end) of reference spans accepted from a prediction unchanged."""
    return {
        (r["doc_id"], r["label"], r["start"], r["end"])
        for r in reference.select(["doc_id", "label", "start", "end", "provenance"]).to_pylist()
        if r["provenance"] == "prediction"
    }


def _without(table: Any, keys: set[tuple[str, str, int, int]]) -> Any:
    import pyarrow as pa

    rows = table.select(["doc_id", "label", "start", "end"]).to_pylist()
    keep = [(r["doc_id"], r["label"], r["start"], r["end"]) not in keys for r in rows]
    return table.filter(pa.array(keep, type=pa.bool_()))


def _relations(folder: Any) -> Any:
    path = folder.table(RELATIONS)
    return read_table(path, schema=RELATIONS) if path.is_file() else RELATIONS.arrow_schema.empty_table()
