"""The dataset stage: the Hugging Face dataset's files in the build folder.

Story grouping and splits need every text; the config rows are made and written ``batch``
documents at a time through open Parquet writers, so memory does not grow with the configs.
The README that declares the configs is the card's, written by the card stage.
"""

from __future__ import annotations

from typing import Any

from newsspan.dataset.config import BuildOptions
from newsspan.dataset.io import read_table
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.runtime import gc_paused
from newsspan.dataset.schema import ANNOTATION_TABLES, DOCUMENTS
from newsspan.dataset.stage import StageContext, StageReport

__all__ = ["DATASET_BATCH", "DatasetStage", "write_dataset"]

NAME = "dataset"
DATASET_BATCH = 1000  # documents whose config rows are in memory at once


class DatasetStage:
    """Every config's Parquet files, by ``[build]`` story_threshold and split_ratios."""

    name = NAME

    def __init__(self, *, batch: int = DATASET_BATCH) -> None:
        self.batch = batch

    def run(self, context: StageContext) -> StageReport:
        counts = write_dataset(context.folder, context.settings.build, batch=self.batch)
        lines = [f"dataset: {', '.join(counts['rows'])}; {counts['stories']} stories"]
        if counts["split_note"]:
            lines.append(f"  {counts['split_note']}")
        files = [context.folder.relative(p) for name in counts["rows"] for p in context.folder.config_files(name)]
        return StageReport(NAME, counts, summary=tuple(lines), files=tuple(files))


@gc_paused()  # many short-lived rows, no cycles (see dataset.runtime)
def write_dataset(folder: BuildFolder, options: BuildOptions, *, batch: int = DATASET_BATCH) -> dict[str, Any]:
    """Stories, splits and every config's files in ``folder``; returns the counts."""
    from newsspan.dataset.hub.rows import config_rows
    from newsspan.dataset.hub.splits import SPLITS, assign_splits, group_stories
    from newsspan.dataset.hub.writer import DatasetWriter

    documents = read_table(folder.table(DOCUMENTS), schema=DOCUMENTS)
    texts = dict(zip(documents["doc_id"].to_pylist(), documents["text"].to_pylist(), strict=True))
    stories = group_stories(texts, threshold=options.story_threshold)
    del texts
    plan = assign_splits(stories, ratios=tuple(zip(SPLITS, options.split_ratios, strict=True)))
    tables = _in_document_order(folder, documents["doc_id"])
    misaligned = 0
    with DatasetWriter(folder.root, plan.splits) as writer:
        for first in range(0, documents.num_rows, batch):
            last = min(first + batch, documents.num_rows)
            part = {}
            for name, (rows, position) in tables.items():
                low, high = (int(i) for i in position.searchsorted([first, last]))
                part[name] = rows.slice(low, high - low).to_pylist()
            out = config_rows(
                documents.slice(first, last - first).to_pylist(),
                part["spans"],
                part["relations"],
                part["stance"],
                part["annotations"],
                stories,
            )
            writer.write(out)
            misaligned += out.misaligned
    return {"stories": plan.stories, "split_note": plan.note, "rows": writer.counts, "ner_misaligned": misaligned}


def _in_document_order(folder: BuildFolder, doc_ids: Any) -> dict[str, tuple[Any, Any]]:
    """Each annotation table's rows in document order, with each row's document position (a
    document's rows keep their order; rows of a document not in the table are left out)."""
    import pyarrow.compute as pc

    tables = {}
    for table in ANNOTATION_TABLES:
        rows = read_table(folder.table(table), schema=table)
        position = pc.index_in(rows["doc_id"], value_set=doc_ids)
        order = pc.sort_indices(position)  # nulls (a document not in the table) last: left out
        tables[table.name] = (rows.take(order), position.take(order).to_numpy(zero_copy_only=False))
    return tables
