"""The dataset stage: the Hugging Face dataset's files in the build folder.

Story grouping keeps fixed-size traces of each paragraph, not the texts; the config rows are made
and written ``batch`` documents at a time (the tables split once by document) through open
Parquet writers, so memory follows the batch, not the corpus. The Python work (paragraph traces,
config rows) runs in ``workers`` processes (:mod:`newsspan.dataset.hub.workers`), whose results
are written in the corpus's order: the files are the same for any number of workers.
The README that declares the configs is the card's, written by the card stage.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsspan.dataset.config import BuildOptions
from newsspan.dataset.hub.batches import PartJob
from newsspan.dataset.hub.stories import Traces
from newsspan.dataset.io import iter_table, table_rows
from newsspan.dataset.labels import Origin
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.parts import DocumentParts
from newsspan.dataset.runtime import gc_paused
from newsspan.dataset.schema import ANNOTATION_TABLES, DOCUMENTS
from newsspan.dataset.stage import StageContext, StageReport

__all__ = ["DATASET_BATCH", "DatasetStage", "write_dataset"]

log = logging.getLogger(__name__)

NAME = "dataset"
DATASET_BATCH = 125  # documents whose config rows are in memory at once (a worker's peak: ~260 MB at 50k)
# Documents per worker job: a quarter of a part (PART_DOCUMENTS), so the last jobs of a 10k corpus
# keep two workers busy, and two workers with their jobs and this process stay under 1 GB together
JOB_DOCUMENTS = 500
WORKERS_FROM = 4000  # documents from which the default is worker processes (each takes ~2 s to start)


_TEXTS = dataclasses.replace(DOCUMENTS, columns=tuple(c for c in DOCUMENTS.columns if c.name in ("doc_id", "text")))


class DatasetStage:
    """Every config's Parquet files, by ``[build]`` story_threshold and split_ratios, made in
    ``workers`` processes (None: as many as pay, see :func:`write_dataset`)."""

    name = NAME

    def __init__(self, *, batch: int = DATASET_BATCH, workers: int | None = None) -> None:
        self.batch = batch
        self.workers = workers

    def run(self, context: StageContext) -> StageReport:
        workers = self.workers if self.workers is not None else context.settings.build.workers
        counts = write_dataset(context.folder, context.settings.build, batch=self.batch, workers=workers)
        lines = [f"dataset: {', '.join(counts['rows'])}; {counts['stories']} stories"]
        if counts["split_note"]:
            lines.append(f"  {counts['split_note']}")
        files = [context.folder.relative(p) for name in counts["rows"] for p in context.folder.config_files(name)]
        return StageReport(NAME, counts, summary=tuple(lines), files=tuple(files))


@gc_paused()  # many short-lived rows, no cycles (see dataset.runtime)
def write_dataset(
    folder: BuildFolder, options: BuildOptions, *, batch: int = DATASET_BATCH, workers: int | None = None
) -> dict[str, Any]:
    """Stories, splits and every config's files in ``folder`` (of the ``options.published``
    layer); returns the counts.

    Two reads of the tables, each a batch at a time: the documents' texts for story grouping, then
    every table split once into parts of PART_DOCUMENTS documents (in the documents table's order)
    in a hidden scratch folder, whose parts become the config rows ``batch`` documents at a time,
    in ``workers`` processes (1: this process; None: two, or one for a corpus too small to gain
    from them, see :func:`_default_count`). The files are the same whatever the number of workers."""
    from newsspan.dataset.hub.splits import SPLITS, assign_splits
    from newsspan.dataset.hub.stories import StoryIndex
    from newsspan.dataset.hub.workers import start_workers, write_parts
    from newsspan.dataset.hub.writer import DatasetWriter
    from newsspan.dataset.parts import PART_DOCUMENTS, split_by_document

    count = workers if workers is not None else _default_count(folder.table(DOCUMENTS))
    with (
        tempfile.TemporaryDirectory(prefix=".dataset-scratch-", dir=folder.root) as scratch,
        start_workers(count) as processes,
    ):
        index = StoryIndex(Path(scratch) / "stories", threshold=options.story_threshold)
        texts = (
            (rows["doc_id"].to_pylist(), rows["text"])
            for rows in iter_table(folder.table(DOCUMENTS), schema=_TEXTS, rows=batch)
        )
        traces = functools.partial(_story_traces, threshold=options.story_threshold)
        for (doc_ids, _), made in processes.in_order(traces, texts, describe=_documents):
            index.add_traces(doc_ids, made)
        stories = index.stories()
        plan = assign_splits(stories, ratios=tuple(zip(SPLITS, options.split_ratios, strict=True)))
        order = pa.array(index.doc_ids, pa.string())
        del index  # its arrays go before the tables are split
        sources = {table.name: (folder.table(table), table) for table in (DOCUMENTS, *ANNOTATION_TABLES)}
        parts = split_by_document(sources, order, Path(scratch) / "parts", documents=PART_DOCUMENTS)
        with DatasetWriter(folder.root, plan.splits) as writer:
            jobs = _jobs(parts, stories, plan.splits, used=tuple(writer.used), batch=batch, published=options.published)
            misaligned = write_parts(writer, jobs, workers=processes, scratch=Path(scratch))
    return {
        "published": options.published,
        "stories": plan.stories,
        "split_note": plan.note,
        "rows": writer.counts,
        "ner_misaligned": misaligned,
    }


def _default_count(documents: Path) -> int:
    """:func:`~newsspan.dataset.hub.workers.default_workers`, but one (this process) for a corpus of
    fewer than :data:`WORKERS_FROM` documents: a worker takes about two seconds to start."""
    from newsspan.dataset.hub.workers import default_workers

    try:
        rows = table_rows(documents)
    except (OSError, pa.ArrowInvalid):
        return 1  # reading the table says what is wrong with it
    count = default_workers() if rows >= WORKERS_FROM else 1
    log.debug("dataset write: %d documents, %d worker process(es)", rows, count)
    return count


def _story_traces(documents: tuple[list[str], pa.ChunkedArray], *, threshold: float) -> Traces:
    """A batch of documents' story traces (in a worker: a module's function pickles)."""
    from newsspan.dataset.hub.stories import paragraph_traces

    return paragraph_traces(documents[1], threshold=threshold)


def _documents(documents: tuple[list[str], pa.ChunkedArray]) -> str:
    doc_ids = documents[0]
    return (
        f"the story traces of {len(doc_ids)} documents ({doc_ids[0]!r} to {doc_ids[-1]!r})"
        if doc_ids
        else "no documents"
    )


def _jobs(
    parts: DocumentParts,
    stories: dict[str, str],
    splits: dict[str, str],
    *,
    used: tuple[str, ...],
    batch: int,
    published: Origin,
) -> Iterator[PartJob]:
    """The parts' documents in runs of about JOB_DOCUMENTS (whole batches from the part's
    start, so the batches are those of a whole part), with their stories and splits only."""
    run = max(batch, JOB_DOCUMENTS // batch * batch)
    for number in range(parts.count):
        documents = parts.order.slice(number * parts.documents, parts.documents).to_pylist()
        for first in range(0, len(documents), run):
            doc_ids = documents[first : first + run]
            yield PartJob(
                parts.folder,
                number,
                first,
                doc_ids,
                stories={doc: stories[doc] for doc in doc_ids},
                splits={doc: splits[doc] for doc in doc_ids},
                used=used,
                batch=batch,
                published=published,
            )
