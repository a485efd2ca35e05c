"""The ingest stage: raw articles → ``documents.parquet`` and ``quarantine.parquet``.

The summary (``ingest.json``) is written last and removed first, so a folder with tables but no
summary is recognisably unfinished. The report's counts reconcile (inputs = documents +
quarantined); its provenance lists every input file with the sha256 of the bytes ingest read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsspan.dataset.config import IngestOptions
from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.io import TableWriter, ensure_folder, write_json
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import DOCUMENTS, QUARANTINE
from newsspan.dataset.stage import Progress, StageContext, StageReport

if TYPE_CHECKING:
    from newsspan.dataset.ingest.steps import IngestSummary

__all__ = ["IngestStage", "ingest_summary_lines", "ingest_to_folder"]

NAME = "ingest"


def ingest_to_folder(
    paths: Sequence[Path], out: Path, *, options: IngestOptions, progress: Progress | None = None
) -> IngestSummary:
    """Ingest ``paths`` into ``out`` (documents, quarantine, summary); returns the summary."""
    from newsspan.dataset.ingest.steps import IngestSummary, ingest_batches

    folder = BuildFolder(out)
    summary = IngestSummary()
    ensure_folder(out)
    folder.summary(NAME).unlink(missing_ok=True)
    with (
        TableWriter(folder.table(DOCUMENTS), schema=DOCUMENTS) as documents,
        TableWriter(folder.table(QUARANTINE), schema=QUARANTINE) as quarantine,
    ):
        for batch in ingest_batches(paths, options=options, summary=summary, progress=progress):
            documents.write(batch.documents)
            quarantine.write(batch.quarantine)
    if not summary.reconciles:  # a bug, not bad input: every input must be accounted for
        raise AssertionError(f"ingest counts do not reconcile: {summary.as_dict()}")
    write_json(summary.as_dict(), folder.summary(NAME))
    return summary


def ingest_summary_lines(counts: dict[str, Any]) -> tuple[str, ...]:
    """The console lines of an ingest summary: totals, then each reason and unusual encoding."""
    lines = [f"ingest: {counts['inputs']} inputs, {counts['documents']} documents, {counts['quarantined']} quarantined"]
    lines += [f"  {reason}: {count}" for reason, count in counts["quarantine_reasons"].items()]
    lines += [f"  decoded as {enc}: {n}" for enc, n in counts["encodings"].items() if enc != "utf-8"]
    if counts["hidden_files_skipped"]:
        lines.append(f"  hidden files skipped: {counts['hidden_files_skipped']}")
    return tuple(lines)


class IngestStage:
    """Ingest the build's articles. With ``require_documents`` (a build), a run that accepted no
    article is an error; ``newsspan ingest`` reports it and exits 0 (everything is quarantined)."""

    name = NAME

    def __init__(self, *, require_documents: bool = True) -> None:
        self.require_documents = require_documents

    def run(self, context: StageContext) -> StageReport:
        folder, paths = context.folder, list(context.articles)
        if context.settings.engine.name == "spark":  # the same steps, wired by Spark (tables as folders)
            from newsspan.dataset.spark.ingest import ingest_spark
            from newsspan.dataset.spark.session import spark_running

            with spark_running(context.settings.engine) as spark:  # a build's own session, if it runs one
                counts = ingest_spark(spark, paths, folder.root, options=context.settings.ingest)
            files = counts.pop("files")
        else:
            summary = ingest_to_folder(paths, folder.root, options=context.settings.ingest, progress=context.progress)
            counts, files = summary.as_dict(), list(summary.files)
        written = (folder.table(DOCUMENTS), folder.table(QUARANTINE))  # Spark's: folders of part files
        if self.require_documents and counts["documents"] == 0:
            raise NewsspanError(
                f"no article was accepted from {len(paths)} input(s) ({counts['quarantined']} quarantined: "
                f"{counts['quarantine_reasons']}); see the ingest summary above and fix the inputs"
            )
        return StageReport(
            NAME,
            counts,
            summary=ingest_summary_lines(counts),
            files=tuple(folder.relative(p) for p in (*written, folder.summary(NAME))),
            provenance={"inputs": files},
        )
