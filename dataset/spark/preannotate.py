"""``newsspan preannotate --engine spark``: the pre-annotation rules, wired by Spark.

Two passes over the documents, every proposal made by :mod:`newsspan.dataset.preannotate`'s own code:

1. Repeated lines (:mod:`~newsspan.dataset.heuristics.repetition`) are counted over the whole
   corpus: each Python worker counts the distinct lines of its documents per group
   (:func:`~newsspan.dataset.heuristics.repetition.document_lines`), Spark adds the counts up per
   group and line and keeps the lines in at least
   :func:`~newsspan.dataset.heuristics.repetition.least_documents` of their group (a few per
   template, whatever the corpus size), and the driver decides which of those repeat with
   :func:`~newsspan.dataset.heuristics.repetition.repeated_in_group`, as on one machine.
2. Every batch of documents goes through
   :func:`~newsspan.dataset.preannotate.preannotate_documents` with those repeated lines
   (broadcast), yielding spans, relations and the documents whose prose went to boilerplate.

``spans.parquet/``, ``relations.parquet/`` and ``stance.parquet/`` (empty: the rules propose no
stance) are written as folders of Parquet part files with the schemas' Arrow types, and ``preannotate.json`` last, with
the counts a local run writes plus the engine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.entities import EntityLexicon
from newsspan.dataset.io import write_json
from newsspan.dataset.schema import RELATIONS, SPANS, STANCE
from newsspan.dataset.spark.arrow import ArrowBatches, spark_arrow, spark_schema, strict
from newsspan.dataset.spark.ingest import write_parquet

__all__ = ["LINES", "PROPOSALS", "preannotate_spark"]

NAME = "preannotate"
_READ = ("doc_id", "text", "meta_spans", "outlet", "source", "page_regions")  # what the rules read
LINES = pa.schema(  # a worker's line counts; a row with no line is the group's document count
    [pa.field("group", pa.string(), False), pa.field("line", pa.string()), pa.field("documents", pa.int64(), False)]
)
_RELATIONS_ONLY = [f for f in RELATIONS.arrow_schema if f.name not in SPANS.arrow_schema.names]
PROPOSALS = pa.schema(  # what the rules pass yields: spans, relations and prose-lossy documents, by ``kind``
    [pa.field("kind", pa.string(), False)]
    + [f.with_nullable(True) for f in SPANS.arrow_schema]
    + [f.with_nullable(True) for f in _RELATIONS_ONLY]
    + [pa.field("prose_lost", pa.float64())]
)


def _line_counts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Documents (text, outlet, source) → per group, the documents each line occurs in, and the
    group's documents (``line`` null)."""
    from newsspan.dataset.heuristics.repetition import document_group, document_lines

    target = spark_arrow(LINES)
    for batch in batches:
        lines: Counter[tuple[str, str | None]] = Counter()
        for row in batch.to_pylist():
            group = document_group(row.get("outlet"), row.get("source") or "")
            lines[group, None] += 1
            lines.update((group, line) for line in document_lines(row["text"]))
        columns = {
            "group": [group for group, _ in lines],
            "line": [line for _, line in lines],
            "documents": list(lines.values()),
        }
        yield from pa.Table.from_pydict(columns, schema=LINES).cast(target).to_batches()


def _combined(table: pa.Table, kind: str) -> pa.Table:
    """``table``'s rows in the PROPOSALS schema, marked ``kind``."""
    rows = table.num_rows
    columns = [
        pa.array([kind] * rows, pa.string())
        if field.name == "kind"
        else (table[field.name] if field.name in table.column_names else pa.nulls(rows, field.type))
        for field in PROPOSALS
    ]
    return pa.Table.from_arrays(columns, schema=PROPOSALS)


def _proposals(
    repeated: Any, lexicon: EntityLexicon, spacy_model: str | None, options: PreannotateOptions
) -> ArrowBatches:
    """The rules pass: documents → the PROPOSALS rows of their spans, relations and prose loss.
    ``repeated`` is a Spark broadcast of every group's repeated lines."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from newsspan.dataset.heuristics.entities import load_spacy
        from newsspan.dataset.preannotate import preannotate_documents

        nlp = load_spacy(spacy_model) if spacy_model else None
        target = spark_arrow(PROPOSALS)
        for batch in batches:
            documents = pa.Table.from_batches([batch])
            result = preannotate_documents(documents, lexicon=lexicon, nlp=nlp, options=options, counted=repeated.value)
            lossy = pa.table(
                {"doc_id": list(result.prose_lossy), "prose_lost": list(result.prose_lossy.values())},
                schema=pa.schema([pa.field("doc_id", pa.string()), pa.field("prose_lost", pa.float64())]),
            )
            made = [_combined(result.spans, "span"), _combined(result.relations, "relation"), _combined(lossy, "lossy")]
            yield from pa.concat_tables(made).cast(target).to_batches()

    return run


def repeated_over(spark: Any, documents: Any, options: PreannotateOptions) -> dict[str, dict[str, float]]:
    """Every group's repeated lines, counted over all of ``documents`` (a Spark DataFrame)."""
    from pyspark.sql import functions as sf

    from newsspan.dataset.heuristics.repetition import least_documents, repeated_in_group

    read = [name for name in ("text", "outlet", "source") if name in documents.columns]
    counts = (
        documents.select(*read)
        .mapInArrow(_line_counts, spark_schema(LINES))
        .groupBy("group", "line")
        .agg(sf.sum("documents").alias("documents"))
        .persist()
    )
    try:
        sizes = {r["group"]: r["documents"] for r in counts.where("line IS NULL").collect()}
        if not sizes:
            return {}
        least = spark.createDataFrame(
            [(group, least_documents(size, options)) for group, size in sizes.items()], "group string, least long"
        )
        candidates = (  # lines in too few documents of their group never repeat: they stay in Spark
            counts.where("line IS NOT NULL")
            .join(sf.broadcast(least), "group")
            .where("documents >= least")
            .select("group", "line", "documents")
            .collect()
        )
    finally:
        counts.unpersist()
    found: dict[str, dict[str, int]] = {group: {} for group in sizes}
    for row in candidates:
        found[row["group"]][row["line"]] = row["documents"]
    return {group: repeated_in_group(found[group], sizes[group], options) for group in sizes}


def preannotate_spark(
    spark: Any,
    documents: Path,
    out: Path,
    *,
    options: PreannotateOptions,
    lexicon: EntityLexicon | None = None,
    spacy_model: str | None = None,
) -> dict[str, Any]:
    """Pre-annotate the documents table ``documents`` (a file, or a folder of part files) into
    ``out`` on ``spark``: ``spans.parquet/``, ``relations.parquet/``, ``stance.parquet/`` (folders
    of part files) and ``preannotate.json``;
    returns the summary (the counts of a local run, plus the engine)."""
    from pyspark.sql import functions as sf

    from newsspan.dataset.preannotate import LOSSY_LISTED, preannotate_summary

    out.mkdir(parents=True, exist_ok=True)
    (out / f"{NAME}.json").unlink(missing_ok=True)  # written last: its absence marks an unfinished run
    frame = spark.read.parquet(str(documents))
    frame = frame.select(*[name for name in _READ if name in frame.columns])
    repeated = spark.sparkContext.broadcast(repeated_over(spark, frame, options))
    lexicon = lexicon or EntityLexicon([])
    proposals = frame.mapInArrow(_proposals(repeated, lexicon, spacy_model, options), spark_schema(PROPOSALS))
    proposals = proposals.persist()
    try:
        proposals.count()  # the rules run once, here: the writes and the counts read the cache
        for kind, table in (("span", SPANS), ("relation", RELATIONS)):
            rows, name, schema = proposals.where(f"kind = '{kind}'"), table.name, table.arrow_schema
            write_parquet(rows.mapInArrow(strict(schema, name), spark_schema(schema)), out / table.file_name)
        empty = spark.createDataFrame([], spark_schema(STANCE.arrow_schema))
        write_parquet(empty, out / STANCE.file_name)
        labels = proposals.where("kind = 'span'").groupBy("label").count().collect()
        relations = proposals.where("kind = 'relation'").count()
        lossy = proposals.where("kind = 'lossy'")
        lossy_count = lossy.count()
        listed = [r["doc_id"] for r in lossy.select("doc_id").orderBy("doc_id").limit(LOSSY_LISTED).collect()]
        total = frame.select(sf.count("*")).first()
    finally:
        proposals.unpersist()
        repeated.unpersist()
    summary = preannotate_summary(
        documents=int(total[0]) if total is not None else 0,
        lexicon=lexicon,
        spans={r["label"]: r["count"] for r in labels},
        relations=relations,
        lossy=lossy_count,
        listed=listed,
        spacy_model=spacy_model,
    )
    summary["engine"] = {"name": "spark", "version": spark.version, "master": spark.sparkContext.master}
    write_json(summary, out / f"{NAME}.json")
    return summary
