"""The frames the suites check, a batch at a time: each table's rows plus helper columns.

Great Expectations checks one pandas frame at a time and has no foreign keys on pandas, so the
cross-row and cross-table work happens in polars: ``text_matches`` (the span's text against its
document's text at its offsets; polars counts code points like Python), ``doc_exists``,
``from_exists``, ``crosses_boilerplate``, ``doc_id_repeated``... which built-in expectations then
check. What needs other rows comes from :mod:`newsspan.validation.findings`; the rest is
computed on the batch. Every batch carries ``_row``, the row's position in its frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, LAYERS, QUOTE, RELATIONS, SPANS, STANCE, Table
from newsspan.validation.batches import ROW, Batching, apply_findings, owned, table_batches
from newsspan.validation.findings import RELATION_DEFAULTS, SPAN_DEFAULTS, Findings, valid_offsets

__all__ = ["FRAMES", "frame_batches"]

STANCE_DEFAULTS: dict[str, object] = {"region_ok": True}
FRAMES = ("documents", "spans", "relations", "stance", "annotations", "gold_quotes", "gold_documents")


# the columns each frame's helper columns are computed from, read whatever the suites need
_INPUTS = {
    "documents": {"doc_id", "published"},
    "spans": {"doc_id", "label", "start", "end"},
    "annotations": {"annotation_id"},
    "gold_quotes": {"origin", "label"},
}


def frame_batches(
    name: str, paths: dict[str, Path], findings: Findings, batching: Batching, columns: set[str]
) -> Iterator[pl.DataFrame]:
    """The frame ``name`` (a suite name's first part) in batches, with at least the table
    ``columns`` the suites and the report read: ``batching.documents`` documents (their text is
    long) or ``batching.rows`` rows of the other tables."""
    rows = batching.rows
    wanted = columns | _INPUTS.get(name, set())
    if name == "documents":
        for batch in _read(paths, DOCUMENTS, batching.documents, wanted):
            yield _documents(batch, findings.repeated_documents)
    elif name == "spans":
        for batch in _read(paths, SPANS, rows, wanted):
            yield _spans(batch, findings)
    elif name in ("relations", "stance"):
        table, defaults = (RELATIONS, RELATION_DEFAULTS) if name == "relations" else (STANCE, STANCE_DEFAULTS)
        for batch in _read(paths, table, rows, wanted):
            yield apply_findings(batch, getattr(findings, name), defaults)
    elif name == "annotations":
        for batch in _read(paths, ANNOTATIONS, rows, wanted):
            yield batch.with_columns(annotation_id_repeated=_repeated("annotation_id", findings.repeated_annotations))
    elif name == "gold_quotes":
        yield from _gold_quotes(_read(paths, SPANS, rows, wanted), findings, rows)
    elif name == "gold_documents":
        frame = findings.gold_documents.with_row_index(ROW)
        yield from (frame.slice(start, rows) for start in range(0, max(frame.height, 1), rows))
    else:
        raise ValueError(f"no frame named {name!r}; the frames are {', '.join(FRAMES)}")


def _read(paths: dict[str, Path], table: Table, rows: int, wanted: set[str]) -> Iterator[pl.DataFrame]:
    return table_batches(paths[table.name], table, rows, tuple(c for c in table.column_names if c in wanted))


def _repeated(column: str, repeated: pl.Series) -> pl.Expr:
    """True where the id occurs more than once in its table (null for a null id, which
    ``expect_column_values_to_be_unique`` did not count either)."""
    return pl.when(pl.col(column).is_null()).then(None).otherwise(pl.col(column).is_in(repeated.implode()))


def _documents(batch: pl.DataFrame, repeated: pl.Series) -> pl.DataFrame:
    year = pl.col("published").str.slice(0, 4).cast(pl.Int32, strict=False)
    latest = datetime.now(UTC).year + 1
    return batch.with_columns(
        published_plausible=pl.when(year.is_null()).then(None).otherwise(year.is_between(1900, latest)),
        doc_id_repeated=_repeated("doc_id", repeated),
    )


def _spans(batch: pl.DataFrame, findings: Findings) -> pl.DataFrame:
    layer_of = pl.DataFrame(
        {
            "label": [lab.name for layer in LAYERS for lab in layer.labels],
            "layer_of_label": [layer.name for layer in LAYERS for _ in layer.labels],
        }
    )
    texts = findings.documents.select("doc_id", "_doc_row", "doc_length", pl.lit(True).alias("doc_exists"))
    joined = (
        batch.join(texts, on="doc_id", how="left", maintain_order="left")
        .join(layer_of, on="label", how="left", maintain_order="left")
        .with_columns(doc_exists=pl.col("doc_exists").fill_null(False), start_negative=pl.col("start") < 0)
    )
    checked = apply_findings(joined, findings.text, {"text_matches": True})
    flags = {name: value for name, value in SPAN_DEFAULTS.items() if name != "has_said_by"}
    return apply_findings(checked, findings.spans, flags).with_columns(
        # compared in findings, so the documents' text never crosses into pandas (null: no document);
        # offsets out of range are SPAN-005/006/011's findings
        text_matches=pl.when(valid_offsets() & (pl.col("end") <= pl.col("doc_length")))
        .then(pl.col("text_matches"))
        .otherwise(None)
    )


def _gold_quotes(spans: Iterator[pl.DataFrame], findings: Findings, rows: int) -> Iterator[pl.DataFrame]:
    """The gold QUOTE spans with ``has_said_by``, gathered into batches of ``rows`` rows (a GX run
    costs about as much as 50,000 rows, so a few gold rows per span batch would each pay it)."""
    gold_quote = (pl.col("origin") == "gold") & (pl.col("label") == QUOTE)
    said = findings.spans.select(ROW, "has_said_by")
    held: list[pl.DataFrame] = []
    yielded = False
    for batch in spans:
        held.append(owned(batch.filter(gold_quote)))
        del batch  # the batch's buffers are not kept while the gathered rows are checked
        while sum(frame.height for frame in held) >= rows:
            gathered = pl.concat(held)
            held, yielded = [gathered.slice(rows)], True
            yield apply_findings(gathered.head(rows), said, {"has_said_by": True})
    rest = pl.concat(held)
    if not rest.is_empty() or not yielded:  # an empty frame still runs once, as a whole one did
        yield apply_findings(rest, said, {"has_said_by": True})
