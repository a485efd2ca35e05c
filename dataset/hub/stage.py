"""The dataset stage: the Hugging Face dataset's files in the build folder.

Story grouping keeps fixed-size traces of each paragraph, not the texts; the config rows are made
and written ``batch`` documents at a time (the tables split once by document) through open
Parquet writers, so memory follows the batch, not the corpus.
The README that declares the configs is the card's, written by the card stage.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from newsspan.dataset.config import BuildOptions
from newsspan.dataset.hub.features import DOCUMENT_FIELDS
from newsspan.dataset.io import iter_table
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.runtime import gc_paused
from newsspan.dataset.schema import ANNOTATION_TABLES, DOCUMENTS
from newsspan.dataset.stage import StageContext, StageReport

__all__ = ["DATASET_BATCH", "DatasetStage", "write_dataset"]

NAME = "dataset"
DATASET_BATCH = 250  # documents whose config rows are in memory at once (a stage peak near 550 MB)


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
    """Stories, splits and every config's files in ``folder``; returns the counts.

    Two reads of the tables, each a batch at a time: the documents' texts for story grouping, then
    every table split once into parts of PART_DOCUMENTS documents (in the documents table's order)
    in a hidden scratch folder, whose parts become the config rows ``batch`` documents at a time."""
    from newsspan.dataset.hub.rows import config_rows
    from newsspan.dataset.hub.splits import SPLITS, assign_splits
    from newsspan.dataset.hub.stories import StoryIndex
    from newsspan.dataset.hub.writer import DatasetWriter
    from newsspan.dataset.parts import PART_DOCUMENTS, split_by_document

    with tempfile.TemporaryDirectory(prefix=".dataset-scratch-", dir=folder.root) as scratch:
        index = StoryIndex(Path(scratch) / "stories", threshold=options.story_threshold)
        for rows in iter_table(folder.table(DOCUMENTS), schema=DOCUMENTS, rows=batch):
            index.add(rows["doc_id"].to_pylist(), rows["text"])
        stories = index.stories()
        plan = assign_splits(stories, ratios=tuple(zip(SPLITS, options.split_ratios, strict=True)))
        sources = {table.name: (folder.table(table), table) for table in (DOCUMENTS, *ANNOTATION_TABLES)}
        parts = split_by_document(sources, pa.array(index.doc_ids), Path(scratch) / "parts", documents=PART_DOCUMENTS)
        del index
        misaligned = 0
        with DatasetWriter(folder.root, plan.splits) as writer:
            for doc_ids, part in parts:
                for rows in _in_batches(doc_ids, part, batch):
                    tables = (rows["spans"], rows["relations"], rows["stance"], rows["annotations"])
                    out = config_rows(rows["documents"], *tables, stories)
                    writer.write(out)
                    misaligned += out.misaligned
    return {"stories": plan.stories, "split_note": plan.note, "rows": writer.counts, "ner_misaligned": misaligned}


# the columns config_rows reads (the documents' nested meta_spans and page_regions cost the most)
_READ: dict[str, tuple[str, ...]] = {
    "documents": DOCUMENT_FIELDS,
    "spans": ("doc_id", "annotation_id", "origin", "region_id", "layer", "label", "start", "end", "text", "provenance"),
    "relations": ("doc_id", "annotation_id", "relation", "from_region_id", "to_region_id"),
    "stance": ("doc_id", "annotation_id", "origin", "scope", "region_id", "value"),
    "annotations": ("doc_id", "annotation_id", "annotator", "origin", "lead_time", "prediction_model"),
}


def _in_batches(doc_ids: pa.Array, part: dict[str, pa.Table], batch: int) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """A part's rows as Python rows, ``batch`` documents at a time: each table's rows in document
    order (a document's rows keep their order)."""
    import pyarrow.compute as pc

    ordered = {}
    for name, rows in part.items():
        position = pc.index_in(rows["doc_id"], value_set=doc_ids)  # every row's document is in the part
        order = pc.sort_indices(position)
        ordered[name] = (rows.take(order), position.take(order).to_numpy(zero_copy_only=False))
    for first in range(0, len(doc_ids), batch):
        out = {}
        for name, (rows, position) in ordered.items():
            low, high = (int(i) for i in np.searchsorted(position, [first, first + batch]))
            out[name] = rows.slice(low, high - low).select(list(_READ[name])).to_pylist()
        yield out
