"""The gold layer of documents with one annotation, computed on whole columns.

Most documents of a large project are annotated once. Their gold layer is that annotation
passed through (see :mod:`newsspan.labeling.gold`): every span becomes gold with its supporter,
every relation between them, the document stance and the stance of each gold QUOTE; nothing is
a conflict. :func:`adjudicate_single` computes exactly the rows :func:`~newsspan.labeling.gold.adjudicate`
gives such documents, in the same order, with polars instead of a Python loop per row (about
ten times faster), and leaves every other document to ``adjudicate``. Where a part's rows are
inconsistent (an annotation id used twice, a row whose document is not its annotation's), it
takes no document at all and the loop decides everything, as before.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import polars as pl
import pyarrow as pa

from newsspan.dataset.config import GoldOptions
from newsspan.dataset.schema import ANNOTATIONS, QUOTE, RELATIONS, SPANS, STANCE

__all__ = ["SingleGold", "adjudicate_single"]

GOLD = "gold"
_PROVENANCES = ("manual", "prediction-changed", "prediction")  # gold_provenance of one supporter
_KEY = ("layer", "label", "start", "end")


@dataclass(frozen=True)
class SingleGold:
    """Gold rows of the documents in ``documents`` (sorted), and how each was decided."""

    documents: list[str]
    tables: dict[str, pa.Table]  # annotations, spans, relations, stance: schema tables, document order
    by_rule: Counter[str]


def adjudicate_single(
    annotations: pa.Table, spans: pa.Table, relations: pa.Table, stance: pa.Table, *, options: GoldOptions
) -> SingleGold:
    """The gold rows of the documents with exactly one usable human annotation and no review."""
    chosen = _single_documents(pl.DataFrame(annotations), options)
    frames = {name: pl.DataFrame(t) for name, t in (("spans", spans), ("relations", relations), ("stance", stance))}
    if chosen.is_empty() or not _consistent(chosen, frames):
        return SingleGold([], {}, Counter())
    ids = chosen.select("annotation_id")
    owned = {name: f.join(ids, on="annotation_id", how="semi", maintain_order="left") for name, f in frames.items()}
    keys = _keys(owned["spans"])
    tables = {
        "annotations": _annotation_rows(chosen),
        "spans": _span_rows(owned["spans"]),
        "relations": _relation_rows(owned["relations"], keys),
        "stance": _stance_rows(owned["stance"], keys),
    }
    schemas = {"annotations": ANNOTATIONS, "spans": SPANS, "relations": RELATIONS, "stance": STANCE}
    return SingleGold(
        chosen["doc_id"].to_list(),
        {name: _to_schema(frame, schemas[name]) for name, frame in tables.items()},
        Counter(chosen["rule"].to_list()),
    )


def _single_documents(annotations: pl.DataFrame, options: GoldOptions) -> pl.DataFrame:
    """doc_id, annotation_id and rule of each document annotated once (sorted by doc_id)."""
    usable = annotations.filter(pl.col("origin").is_in(["human", "review"]) & ~pl.col("cancelled"))
    if usable["annotation_id"].n_unique() != usable.height:
        return usable.clear().select("doc_id", "annotation_id")  # an id used twice: the loop decides
    reviewer = pl.col("annotator").is_in(list(options.reviewers)) | pl.col("ground_truth")
    rule = pl.when(pl.lit(options.strategy == "prefer") & reviewer).then(pl.lit("reviewer"))
    return (
        usable.group_by("doc_id")
        .agg(
            pl.len().alias("n"),
            (pl.col("origin") == "review").sum().alias("reviews"),
            pl.col("annotation_id").first(),
            rule.otherwise(pl.lit("single annotation")).first().alias("rule"),
        )
        .filter((pl.col("n") == 1) & (pl.col("reviews") == 0))
        .select("doc_id", "annotation_id", "rule")
        .sort("doc_id")
    )


def _consistent(chosen: pl.DataFrame, frames: dict[str, pl.DataFrame]) -> bool:
    """Every row of a chosen annotation lies in that annotation's document."""
    for frame in frames.values():
        joined = frame.select("doc_id", "annotation_id").join(chosen, on="annotation_id", suffix="_owner")
        if joined.filter(pl.col("doc_id") != pl.col("doc_id_owner")).height:
            return False
    return True


def _keys(spans: pl.DataFrame) -> pl.DataFrame:
    """(annotation_id, region_id) -> the span's key; a region id given twice means its last span."""
    return spans.unique(["annotation_id", "region_id"], keep="last", maintain_order=True).select(
        "annotation_id", "region_id", *_KEY
    )


def _region_ids(doc_ids: list[str], layers: list[str], labels: list[str], starts: list[int], ends: list[int]) -> Any:
    from newsspan.labeling.gold import _region

    return pl.Series(
        [_region(d, (ly, lb, s, e)) for d, ly, lb, s, e in zip(doc_ids, layers, labels, starts, ends, strict=True)],
        dtype=pl.String,
    )


def _gold_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(GOLD).alias("annotator"),
        pl.lit(GOLD).alias("origin"),
        (pl.lit(f"{GOLD}:") + pl.col("doc_id")).alias("annotation_id"),
    )


def _annotation_rows(chosen: pl.DataFrame) -> pl.DataFrame:
    return _gold_columns(chosen.select("doc_id")).with_columns(
        pl.lit(False).alias("cancelled"), pl.lit(False).alias("ground_truth")
    )


def _span_rows(spans: pl.DataFrame) -> pl.DataFrame:
    """One gold span per key: the last row's text and provenance, sorted as the loop emits them."""
    rows = spans.unique(["doc_id", *_KEY], keep="last", maintain_order=True).sort(
        ["doc_id", "start", "end", "layer", "label"]
    )
    region = _region_ids(*(rows[c].to_list() for c in ("doc_id", *_KEY)))
    made = pl.when(pl.col("provenance").is_in(list(_PROVENANCES))).then(pl.col("provenance"))
    return _gold_columns(
        rows.select(
            "doc_id",
            region.alias("region_id"),
            *_KEY,
            "text",
            pl.concat_list(pl.col("annotation_id")).alias("support"),
            made.otherwise(None).alias("provenance"),
        )
    )


def _relation_rows(relations: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """Relations whose two ends are spans of the annotation, once each, sorted by (kind, from, to)."""
    ends = relations.join(
        keys.rename({c: f"a_{c}" for c in _KEY}),
        left_on=["annotation_id", "from_region_id"],
        right_on=["annotation_id", "region_id"],
    ).join(
        keys.rename({c: f"b_{c}" for c in _KEY}),
        left_on=["annotation_id", "to_region_id"],
        right_on=["annotation_id", "region_id"],
    )
    columns = ["doc_id", "relation", *(f"a_{c}" for c in _KEY), *(f"b_{c}" for c in _KEY)]
    rows = ends.unique(columns).sort(columns)
    source = _region_ids(*(rows[c].to_list() for c in ("doc_id", *(f"a_{c}" for c in _KEY))))
    target = _region_ids(*(rows[c].to_list() for c in ("doc_id", *(f"b_{c}" for c in _KEY))))
    return _gold_columns(
        rows.select(
            "doc_id",
            "relation",
            source.alias("from_region_id"),
            target.alias("to_region_id"),
            pl.lit(None, pl.String).alias("provenance"),
        )
    )


def _stance_rows(stance: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """The document stance (the last given) then each QUOTE's (the last given, by key order),
    each with the document's target: its first non-empty one, else the last given."""
    stance = stance.with_row_index("row")
    target = stance.group_by("doc_id").agg(
        pl.col("target").filter(pl.col("target").is_not_null() & (pl.col("target") != "")).first().alias("first"),
        pl.col("target").sort_by("row").last().alias("last"),
    )
    document = (
        stance.filter(pl.col("scope") == "document")
        .group_by("doc_id")
        .agg(pl.col("value").sort_by("row").last())
        .with_columns(pl.lit(0).alias("order"), *(pl.lit(None, t).alias(c) for c, t in _KEY_TYPES))
    )
    quote = (
        stance.filter(pl.col("scope") != "document")
        .join(keys, on=["annotation_id", "region_id"], maintain_order="left")
        .filter(pl.col("label") == QUOTE)
        .unique(["doc_id", *_KEY], keep="last", maintain_order=True)
        .select("doc_id", "value", pl.lit(1).alias("order"), *_KEY)
    )
    rows = pl.concat([document.select(quote.columns), quote]).sort(["doc_id", "order", *_KEY], nulls_last=False)
    region = _region_ids(*(rows[c].to_list() for c in ("doc_id", *_KEY)))
    rows = rows.with_columns(region.alias("region_id")).join(target, on="doc_id", how="left", maintain_order="left")
    scope = pl.when(pl.col("order") == 0).then(pl.lit("document")).otherwise(pl.lit("quote"))
    return _gold_columns(
        rows.select(
            "doc_id",
            scope.alias("scope"),
            pl.when(pl.col("order") == 0).then(None).otherwise(pl.col("region_id")).alias("region_id"),
            pl.coalesce("first", "last").alias("target"),
            "value",
            pl.lit(None, pl.String).alias("provenance"),
        )
    )


_KEY_TYPES = (("layer", pl.String), ("label", pl.String), ("start", pl.Int32), ("end", pl.Int32))


def _to_schema(frame: pl.DataFrame, table: Any) -> pa.Table:
    """The frame as ``table``'s Arrow table: its columns in order, the missing ones null."""
    arrow = frame.to_arrow()
    columns = [
        arrow[c.name].cast(c.type) if c.name in arrow.column_names else pa.nulls(arrow.num_rows, c.type)
        for c in table.columns
    ]
    return pa.Table.from_arrays(columns, schema=table.arrow_schema)
