"""``newsspan ingest --engine spark``: ingest's steps, wired by Spark.

Three passes, every decision and message made by ingest's own code:

1. The driver walks the inputs with :func:`~newsspan.dataset.ingest.walker.discover_inputs` (the
   same sorted walk, names and refusals as on one machine) and numbers the files.
2. Spark hands the files out in contiguous runs; a Python worker reads each with
   :func:`~newsspan.dataset.ingest.readers.read_articles` and runs ingest's row steps
   (:func:`~newsspan.dataset.ingest.steps.row_steps`, all but the corpus-wide duplicate filter),
   yielding one table of documents, quarantine rows and per-file provenance (``kind``).
3. Duplicates are decided over the whole corpus: a group-by on the text hash finds each repeated
   text's first copy in walk order (no text is shuffled), and the later copies go back through
   :class:`~newsspan.dataset.ingest.duplicates.DuplicateFilter`, seeded with that first copy, so
   the refusal is the one a local run writes.

The documents and quarantine tables are written by Spark as folders of Parquet part files with the
schemas' Arrow types, named as a local run's files are (``documents.parquet/``: every reader of a
table takes either), and ``ingest.json`` last, with counts that reconcile as on one machine.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsspan.dataset.config import IngestOptions
from newsspan.dataset.io import write_json
from newsspan.dataset.records import Rejection
from newsspan.dataset.schema import DOCUMENTS, QUARANTINE
from newsspan.dataset.spark.arrow import ArrowBatches, spark_arrow, spark_schema, strict

__all__ = ["COMBINED", "ingest_spark", "write_parquet"]

NAME = "ingest"
_ORDER = [pa.field("kind", pa.string(), False), pa.field("file_ordinal", pa.int64()), pa.field("item", pa.int64())]
_QUARANTINE_ONLY = [f for f in QUARANTINE.arrow_schema if f.name not in DOCUMENTS.arrow_schema.names]
COMBINED = pa.schema(  # what the worker pass yields: documents, quarantine rows and inputs, by ``kind``
    _ORDER
    + [f.with_nullable(True) for f in DOCUMENTS.arrow_schema]
    + [f.with_nullable(True) for f in _QUARANTINE_ONLY]
    + [pa.field("input_bytes", pa.int64()), pa.field("text_sha256", pa.string())]
)


def _read_and_steps(options: IngestOptions) -> ArrowBatches:
    """The worker pass: rows (file_ordinal, name, path) → the COMBINED rows of those files."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from newsspan.dataset.ingest.readers import RawArticle, read_articles
        from newsspan.dataset.ingest.steps import raw_rows, row_steps
        from newsspan.dataset.ingest.walker import InputFile

        target, steps = spark_arrow(COMBINED), row_steps(options, None)
        for batch in batches:
            out: list[dict[str, Any]] = []
            for file in batch.to_pylist():
                seen: list[dict[str, Any]] = []
                items = list(
                    read_articles([InputFile(Path(file["path"]), file["name"])], max_bytes=options.max_bytes, seen=seen)
                )
                ordinal = file["file_ordinal"]
                provenance = seen[0]
                out.append(
                    {"kind": "input", "file_ordinal": ordinal, "source": provenance["name"]}
                    | {"raw_sha256": provenance["sha256"], "input_bytes": provenance["bytes"]}
                )
                position = {item.source: index for index, item in enumerate(items)}
                out += [_rejected(ordinal, position, r) for r in items if isinstance(r, Rejection)]
                rows = raw_rows([a for a in items if isinstance(a, RawArticle)])
                for step in steps:
                    if not rows:
                        break
                    rows, refused = step(rows)
                    out += [_rejected(ordinal, position, r) for r in refused]
                out += [
                    {"kind": "document", "file_ordinal": ordinal, "item": position[row["source"]], **row}
                    | {"text_sha256": hashlib.sha256(row["text"].encode("utf-8")).hexdigest()}
                    for row in rows
                ]
            yield from pa.Table.from_pylist(out, schema=COMBINED).cast(target).to_batches()

    return run


def _rejected(ordinal: int, position: dict[str, int], rejection: Rejection) -> dict[str, Any]:
    return {"kind": "quarantine", "file_ordinal": ordinal, "item": position[rejection.source], **asdict(rejection)}


def _duplicate_refusals(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Later copies of a text (with its first copy) → ingest's own duplicate refusal rows."""
    from newsspan.dataset.ingest.duplicates import DuplicateFilter

    target = spark_arrow(COMBINED)
    for batch in batches:
        out: list[dict[str, Any]] = []
        for row in batch.to_pylist():
            first = DuplicateFilter(seen={row["text_sha256"]: (row["first_doc_id"], row["first_source"])})
            kept, refused = first.rows([row])
            if kept:  # the group-by and the filter disagree on the first copy: a bug, not bad input
                raise AssertionError(f"{row['source']}: the first copy of its text was taken for a later one")
            out += [_rejected(row["file_ordinal"], {r.source: row["item"]}, r) for r in refused]
        yield from pa.Table.from_pylist(out, schema=COMBINED).cast(target).to_batches()


def write_parquet(frame: Any, folder: Path) -> None:
    """Write a Spark DataFrame as ``folder``/part-*.parquet, appearing only when complete; it
    replaces what was there, a local run's one-file table of that name too."""
    partial = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    frame.write.mode("overwrite").parquet(str(partial))
    for marker in [*partial.glob(".*.crc"), partial / "_SUCCESS"]:
        marker.unlink(missing_ok=True)
    if folder.is_dir():
        shutil.rmtree(folder)
    else:
        folder.unlink(missing_ok=True)
    partial.rename(folder)


def ingest_spark(spark: Any, paths: Sequence[Path], out: Path, *, options: IngestOptions) -> dict[str, Any]:
    """Ingest ``paths`` into ``out`` on ``spark``: ``documents.parquet/``, ``quarantine.parquet/``
    (folders of Parquet part files) and ``ingest.json``; returns the summary (the same counts as a local run)."""
    from newsspan.dataset.ingest.walker import discover_inputs

    out.mkdir(parents=True, exist_ok=True)
    (out / f"{NAME}.json").unlink(missing_ok=True)  # written last: its absence marks an unfinished run
    inputs = discover_inputs(list(paths))
    files = [(i, f.name, str(f.path.absolute())) for i, f in enumerate(inputs.files)]
    listing = spark.createDataFrame(files, "file_ordinal long, name string, path string")
    runs = max(1, min(len(files), 4 * spark.sparkContext.defaultParallelism))
    listing = listing.repartitionByRange(runs, "file_ordinal")  # contiguous, balanced runs of files
    combined = listing.mapInArrow(_read_and_steps(options), spark_schema(COMBINED)).persist()
    try:
        combined.count()  # the files are read once, here: every later job (both sides of a join too) reads the cache
        return _write(spark, combined, inputs, out)
    finally:
        combined.unpersist()


def _write(spark: Any, combined: Any, inputs: Any, out: Path) -> dict[str, Any]:
    from pyspark.sql import functions as sf

    documents = combined.where("kind = 'document'")
    repeated = (  # a narrow group-by: each repeated text's first copy in walk order
        documents.groupBy("text_sha256")
        .agg(
            sf.count("*").alias("copies"),
            sf.min_by(sf.struct("doc_id", "source"), sf.struct("file_ordinal", "item")).alias("first"),
        )
        .where("copies > 1")
        .selectExpr("text_sha256", "first.doc_id AS first_doc_id", "first.source AS first_source")
    )
    marked = documents.join(sf.broadcast(repeated), "text_sha256", "left")
    later = sf.col("first_doc_id").isNotNull() & ~(
        (sf.col("first_doc_id") == sf.col("doc_id")) & (sf.col("first_source") == sf.col("source"))
    )
    duplicates = marked.where(later).mapInArrow(_duplicate_refusals, spark_schema(COMBINED))
    quarantine = combined.where("kind = 'quarantine'").unionByName(duplicates).select(*QUARANTINE.column_names)
    if inputs.refused:  # what the walk found and did not read
        walked = spark.createDataFrame([asdict(r) for r in inputs.refused], spark_schema(QUARANTINE.arrow_schema))
        quarantine = quarantine.unionByName(walked)
    kept = marked.where(~later).select(*DOCUMENTS.column_names)
    tables = {"documents": (kept, DOCUMENTS), "quarantine": (quarantine, QUARANTINE)}
    for name, (frame, table) in tables.items():
        schema = table.arrow_schema
        write_parquet(frame.mapInArrow(strict(schema, name), spark_schema(schema)), out / table.file_name)
    read = "kind = 'document' or kind = 'quarantine'"  # the worker pass: one row per input it read
    tally = (  # the counts, from the written tables and the cached pass
        spark.read.parquet(str(out / DOCUMENTS.file_name))
        .select(sf.lit("document").alias("kind"), sf.col("encoding").alias("key"))
        .union(spark.read.parquet(str(out / QUARANTINE.file_name)).select(sf.lit("quarantine"), sf.col("reason")))
        .union(combined.where(read).select(sf.lit("input"), sf.lit(None).cast("string")))
        .groupBy("kind", "key")
        .count()
        .collect()
    )
    provenance = (
        combined.where("kind = 'input'")
        .orderBy("file_ordinal")
        .selectExpr("source AS name", "raw_sha256 AS sha256", "input_bytes AS bytes")
        .collect()
    )
    reasons = {r["key"]: r["count"] for r in tally if r["kind"] == "quarantine"}
    encodings = {r["key"]: r["count"] for r in tally if r["kind"] == "document"}
    summary: dict[str, Any] = {  # a later copy is an input read once: a document of the pass, then refused
        "inputs": sum(r["count"] for r in tally if r["kind"] == "input") + len(inputs.refused),
        "documents": sum(encodings.values()),
        "quarantined": sum(reasons.values()),
        "quarantine_reasons": dict(sorted(reasons.items())),
        "encodings": dict(sorted(encodings.items())),
        "hidden_files_skipped": inputs.hidden_skipped,
    }
    summary["reconciles"] = summary["inputs"] == summary["documents"] + summary["quarantined"]
    if not summary["reconciles"]:  # a bug, not bad input: every input must be accounted for
        raise AssertionError(f"ingest counts do not reconcile: {summary}")
    summary["files"] = [r.asDict() for r in provenance]
    summary["engine"] = {"name": "spark", "version": spark.version, "master": spark.sparkContext.master}
    write_json(summary, out / f"{NAME}.json")
    return summary
