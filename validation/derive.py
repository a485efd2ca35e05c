"""Helper columns for the cross-row and cross-table rules, computed with polars.

Great Expectations checks one pandas frame at a time and has no foreign keys on pandas, so the
joins happen here: each frame is a table plus columns such as ``text_matches`` (the span's text
against the document's text at its offsets; polars counts code points like Python), ``from_exists`` or
``crosses_boilerplate``, which built-in expectations then check.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from newsspan.dataset.schema import LAYERS, QUOTE, RELATION_TYPES, SAID_BY

__all__ = ["derive_frames"]


def derive_frames(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The frame each suite checks, by frame name (the suite name's first part)."""
    documents, spans = tables["documents"], tables["spans"]
    return {
        "documents": _documents(documents),
        "spans": _spans(spans, documents),
        "relations": _relations(tables["relations"], spans),
        "stance": _stance(tables["stance"], spans),
        "annotations": tables["annotations"],
        "gold_quotes": _gold_quotes(spans, tables["relations"]),
        "gold_documents": _gold_documents(spans, tables["stance"]),
    }


def _documents(documents: pl.DataFrame) -> pl.DataFrame:
    year = pl.col("published").str.slice(0, 4).cast(pl.Int32, strict=False)
    latest = datetime.now(UTC).year + 1
    return documents.with_columns(
        published_plausible=pl.when(year.is_null()).then(None).otherwise(year.is_between(1900, latest))
    )


def _spans(spans: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    layer_of = pl.DataFrame(
        {
            "label": [lab.name for layer in LAYERS for lab in layer.labels],
            "layer_of_label": [layer.name for layer in LAYERS for _ in layer.labels],
        }
    )
    texts = (  # a repeated doc_id is DOC-001's finding; the first copy is used here
        documents.unique(subset=["doc_id"], keep="first", maintain_order=True).select(
            "doc_id", pl.col("text").alias("doc_text"), pl.lit(True).alias("doc_exists")
        )
    )
    joined = (
        spans.with_row_index("_row")
        .join(texts, on="doc_id", how="left")
        .join(layer_of, on="label", how="left")
        .with_columns(
            doc_exists=pl.col("doc_exists").fill_null(False),
            start_negative=pl.col("start") < 0,
            doc_length=pl.col("doc_text").str.len_chars(),
            doc_slice=pl.col("doc_text").str.slice(pl.col("start"), pl.col("end") - pl.col("start")),
        )
        .with_columns(
            # compared here, so the long string columns never cross into pandas (null: no document)
            text_matches=pl.when(_valid_offsets() & (pl.col("end") <= pl.col("doc_length")))
            .then(pl.col("text") == pl.col("doc_slice"))
            .otherwise(None),  # offsets out of range are SPAN-005/006/011's findings
            region_repeated=pl.struct("annotation_id", "region_id").is_duplicated(),
            span_repeated=pl.struct("annotation_id", "layer", "label", "start", "end").is_duplicated(),
        )
        .drop("doc_text")
    )
    return (
        joined.join(_crossing(spans), on="_row", how="left")
        .with_columns(crosses_boilerplate=pl.col("crosses_boilerplate").fill_null(False))
        .sort("_row")
        .drop("_row")
    )


def _valid_offsets() -> pl.Expr:
    return (pl.col("start") >= 0) & (pl.col("start") < pl.col("end"))


def _crossing(spans: pl.DataFrame) -> pl.DataFrame:
    """Rows of spans (by row index) that partly overlap a boilerplate span of their annotation."""
    guarded = [layer.name for layer in LAYERS if not layer.may_cross_boilerplate]
    indexed = spans.with_row_index("_row")
    content = indexed.filter(pl.col("layer").is_in(guarded) & _valid_offsets()).select(
        "_row", "annotation_id", "start", "end"
    )
    boiler = indexed.filter(pl.col("layer") == "boilerplate").select(
        "annotation_id", pl.col("start").alias("b_start"), pl.col("end").alias("b_end")
    )
    pairs = content.join(boiler, on="annotation_id", how="inner")
    overlap = (pl.col("start") < pl.col("b_end")) & (pl.col("b_start") < pl.col("end"))
    inside = (pl.col("start") >= pl.col("b_start")) & (pl.col("end") <= pl.col("b_end"))
    return pairs.filter(overlap & ~inside).select("_row").unique().with_columns(crosses_boilerplate=pl.lit(True))


def _relations(relations: pl.DataFrame, spans: pl.DataFrame) -> pl.DataFrame:
    regions = spans.select("annotation_id", "region_id", "label").unique(subset=["annotation_id", "region_id"])
    ends = pl.DataFrame(
        {
            "relation": [r.name for r in RELATION_TYPES],
            "want_from": [r.from_label for r in RELATION_TYPES],
            "want_to": [r.to_label for r in RELATION_TYPES],
        }
    )
    joined = (
        relations.join(
            regions.rename({"region_id": "from_region_id", "label": "from_label"}),
            on=["annotation_id", "from_region_id"],
            how="left",
        )
        .join(
            regions.rename({"region_id": "to_region_id", "label": "to_label"}),
            on=["annotation_id", "to_region_id"],
            how="left",
        )
        .join(ends, on="relation", how="left")
    )
    return joined.with_columns(
        from_exists=pl.col("from_label").is_not_null(),
        to_exists=pl.col("to_label").is_not_null(),
        # judged only when the type is known and both regions exist (REL-001..003 report those)
        ends_match=(pl.col("from_label") == pl.col("want_from")) & (pl.col("to_label") == pl.col("want_to")),
    ).drop("want_from", "want_to")


def _stance(stance: pl.DataFrame, spans: pl.DataFrame) -> pl.DataFrame:
    quotes = (
        spans.filter(pl.col("label") == QUOTE)
        .select("annotation_id", "region_id", pl.lit(True).alias("is_quote"))
        .unique(subset=["annotation_id", "region_id"])
    )
    joined = stance.join(quotes, on=["annotation_id", "region_id"], how="left")
    return joined.with_columns(
        region_ok=pl.when(pl.col("scope") == "quote")
        .then(pl.col("is_quote").fill_null(False))
        .otherwise(pl.col("region_id").is_null())
    ).drop("is_quote")


def _gold_quotes(spans: pl.DataFrame, relations: pl.DataFrame) -> pl.DataFrame:
    gold = spans.filter((pl.col("origin") == "gold") & (pl.col("label") == QUOTE))
    said = (
        relations.filter(pl.col("relation") == SAID_BY)
        .select("annotation_id", pl.col("from_region_id").alias("region_id"), pl.lit(True).alias("has_said_by"))
        .unique(subset=["annotation_id", "region_id"])
    )
    return gold.join(said, on=["annotation_id", "region_id"], how="left").with_columns(
        has_said_by=pl.col("has_said_by").fill_null(False)
    )


def _gold_documents(spans: pl.DataFrame, stance: pl.DataFrame) -> pl.DataFrame:
    gold = spans.filter(pl.col("origin") == "gold").select("doc_id").unique()
    with_stance = (
        stance.filter((pl.col("origin") == "gold") & (pl.col("scope") == "document"))
        .select("doc_id", pl.lit(True).alias("has_document_stance"))
        .unique(subset=["doc_id"])
    )
    return (
        gold.join(with_stance, on="doc_id", how="left")
        .with_columns(has_document_stance=pl.col("has_document_stance").fill_null(False))
        .sort("doc_id")
    )
