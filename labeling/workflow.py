"""The labeling commands as library calls: read the tables, talk to Label Studio, report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from newsspan.dataset.config import GoldOptions, LabelStudioOptions
from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.io import read_table
from newsspan.dataset.schema import DOCUMENTS, RELATIONS, SPANS, STANCE
from newsspan.labeling.client import connect
from newsspan.labeling.config import label_config_xml
from newsspan.labeling.export import pull_export
from newsspan.labeling.sync import Project, PushReport, ensure_project, push_tasks
from newsspan.labeling.tasks import document_tasks, predictions_by_document

__all__ = ["agreement_report", "gold_layer", "pull_project", "push_documents", "score_report"]


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
        folder = predictions.parent
        relations = folder / RELATIONS.file_name
        stance = folder / STANCE.file_name
        proposed = predictions_by_document(
            read_table(predictions, schema=SPANS),
            read_table(relations, schema=RELATIONS) if relations.is_file() else None,
            read_table(stance, schema=STANCE) if stance.is_file() else None,
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
        backend, project_id=options.project_id, title=options.project_title, label_config=label_config_xml()
    )
    report = push_tasks(backend, project, tasks, proposed, batch_size=options.batch_size, progress=progress)
    return report, project


def pull_project(options: LabelStudioOptions, out: Path) -> dict[str, Any]:
    """Pull the configured project's full JSON export into ``out``."""
    backend = connect(options)
    project = backend.find_project(project_id=options.project_id, title=options.project_title)
    if project is None:
        wanted = options.project_id if options.project_id is not None else repr(options.project_title)
        raise NewsspanError(
            f"Label Studio at {backend.url} has no project {wanted}; push documents first "
            "(`newsspan label push`) or set label_studio.project_id / project_title in newsspan.toml"
        )
    return asdict(pull_export(backend, project, out))


def agreement_report(tables: Path, out: Path) -> dict[str, Any]:
    """Compute agreement over the tables in ``tables``; write agreement.parquet/.json/.md to ``out``."""
    from newsspan.dataset.io import ensure_folder, write_json, write_table_raw
    from newsspan.dataset.schema import ANNOTATIONS
    from newsspan.labeling.agreement import compute_agreement
    from newsspan.labeling.reports import agreement_markdown

    report = compute_agreement(
        read_table(tables / ANNOTATIONS.file_name, schema=ANNOTATIONS),
        read_table(tables / SPANS.file_name, schema=SPANS),
        read_table(tables / STANCE.file_name, schema=STANCE),
    )
    ensure_folder(out)
    write_table_raw(report.table, out / "agreement.parquet")
    summary = {"documents": report.documents, "annotators": report.annotators, "stance_alpha": report.alpha}
    write_json(summary, out / "agreement.json")
    markdown = agreement_markdown(report)
    (out / "agreement.md").write_text(markdown, encoding="utf-8")
    return summary | {"markdown": markdown}


def gold_layer(tables: Path, *, options: GoldOptions) -> dict[str, Any]:
    """Adjudicate the gold layer into the tables in ``tables`` (replacing earlier gold rows).

    Writes gold_conflicts.parquet, gold.json and gold.md beside them; returns the summary.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from newsspan.dataset.io import write_json, write_table, write_table_raw
    from newsspan.dataset.schema import ANNOTATIONS
    from newsspan.labeling.gold import CONFLICTS_SCHEMA, adjudicate
    from newsspan.labeling.reports import gold_markdown

    schemas = {"annotations": ANNOTATIONS, "spans": SPANS, "relations": RELATIONS, "stance": STANCE}
    loaded = {name: read_table(tables / t.file_name, schema=t) for name, t in schemas.items()}
    human = {name: t.filter(pc.not_equal(t["origin"], "gold")) for name, t in loaded.items()}
    result = adjudicate(human["annotations"], human["spans"], human["relations"], human["stance"], options=options)
    for name, table in schemas.items():
        gold = pa.Table.from_pylist(getattr(result, name), schema=table.arrow_schema)
        write_table(pa.concat_tables([human[name], gold]), tables / table.file_name, schema=table)
    write_table_raw(pa.Table.from_pylist(result.conflicts, schema=CONFLICTS_SCHEMA), tables / "gold_conflicts.parquet")
    summary = {
        "strategy": options.strategy,
        "threshold": options.threshold if options.strategy == "threshold" else None,
        "reviewers": list(options.reviewers),
        "documents": result.documents,
        "decided_by": dict(sorted(result.by_rule.items())),
        "gold_spans": len(result.spans),
        "gold_relations": len(result.relations),
        "gold_stance": len(result.stance),
        "conflicts": len(result.conflicts),
    }
    write_json(summary, tables / "gold.json")
    markdown = gold_markdown(summary, result.conflicts)
    (tables / "gold.md").write_text(markdown, encoding="utf-8")
    return summary | {"markdown": markdown}


def _tables_of(path: Path) -> Path:
    return path if path.is_dir() else path.parent


def score_report(
    predictions: Path, gold: Path, *, documents: Path | None = None, out: Path | None = None
) -> dict[str, Any]:
    """Score the prediction tables at ``predictions`` against the gold tables at ``gold``."""
    import pyarrow as pa
    import pyarrow.compute

    from newsspan.dataset.io import ensure_folder, write_json, write_table_raw
    from newsspan.labeling.reports import score_markdown
    from newsspan.labeling.score import boilerplate_line_f1, gold_side, score_predictions, speaker_attribution

    pred_dir, gold_dir = _tables_of(predictions), _tables_of(gold)
    pred_spans = read_table(predictions if predictions.is_file() else pred_dir / SPANS.file_name, schema=SPANS)
    pred_spans = pred_spans.filter(pa.compute.equal(pred_spans["origin"], "prediction"))
    reference = gold_side(read_table(gold if gold.is_file() else gold_dir / SPANS.file_name, schema=SPANS))
    docs_path = documents or next(
        (p for p in (gold_dir / DOCUMENTS.file_name, pred_dir / DOCUMENTS.file_name) if p.is_file()), None
    )
    if docs_path is None:
        raise NewsspanError(f"no documents.parquet beside {gold} or {predictions}; pass --documents")
    texts = {
        r["doc_id"]: r["text"] for r in read_table(docs_path, schema=DOCUMENTS).select(["doc_id", "text"]).to_pylist()
    }
    table = score_predictions(pred_spans, reference)
    relations = {name: _relations(folder) for name, folder in (("pred", pred_dir), ("gold", gold_dir))}
    summary = {
        "documents": len(set(reference.column("doc_id").to_pylist())),
        "boilerplate_line_f1": boilerplate_line_f1(texts, pred_spans, reference),
        "speakers": speaker_attribution(pred_spans, relations["pred"], reference, relations["gold"]),
        "layers": {
            r["layer"]: {"exact_f1": r["exact_f1"], "overlap_f1": r["overlap_f1"]}
            for r in table.to_pylist()
            if r["label"] == "*"
        },
    }
    target = out or pred_dir
    ensure_folder(target)
    write_table_raw(table, target / "score.parquet")
    write_json(summary, target / "score.json")
    markdown = score_markdown(summary, table)
    (target / "score.md").write_text(markdown, encoding="utf-8")
    return summary | {"markdown": markdown}


def _relations(folder: Path) -> Any:
    path = folder / RELATIONS.file_name
    return read_table(path, schema=RELATIONS) if path.is_file() else RELATIONS.arrow_schema.empty_table()
