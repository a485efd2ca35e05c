"""The conflicts of the gold layer on columns, and gold region ids, for :mod:`.gold_columns`.

What did not become gold is listed, per document, in the loop's order (:mod:`.gold`): spans by
key, then relations by (kind, from, to), then the document stance, then each QUOTE's stance by
key. A span's reason: ``label disagreement`` when another label sits at the same offsets of its
layer, else ``boundary disagreement`` when a span of its layer and label overlaps it, else
``minority span``.
"""

from __future__ import annotations

from typing import Any, Final

import polars as pl

__all__ = ["KEY", "conflict_rows", "region_ids"]

KEY: Final = ("layer", "label", "start", "end")  # a span's identity in a document


def region_ids(frame: pl.DataFrame, prefix: str) -> pl.Series:
    """The gold region id (:func:`newsspan.labeling.gold._region`) of the key ``prefix``+KEY of
    each row: the key's text made by polars (each distinct layer and label through ``repr``, as
    ``str(key)`` spells them), then one sha1 per row."""
    import hashlib

    layer, label, start, end = (pl.col(prefix + k) for k in KEY)
    spelled = {
        name: {value: repr(value) for value in frame[prefix + name].unique().to_list()} for name in ("layer", "label")
    }
    text = frame.select(
        pl.format(
            "{}|({}, {}, {}, {})",
            "doc_id",
            layer.replace_strict(spelled["layer"], return_dtype=pl.String),
            label.replace_strict(spelled["label"], return_dtype=pl.String),
            start.cast(pl.String).fill_null("None"),
            end.cast(pl.String).fill_null("None"),
        )
    ).to_series()
    sha1 = hashlib.sha1
    return pl.Series([None if t is None else "g" + sha1(t.encode()).hexdigest()[:9] for t in text], dtype=pl.String)


def conflict_rows(support: pl.DataFrame, relations: pl.DataFrame, stance: pl.DataFrame) -> pl.DataFrame:
    """Every non-gold span, relation and stance as a conflicts row, documents in order."""
    sections = [_span_conflicts(support), _relation_conflicts(relations), *_stance_conflicts(stance)]
    ranked = [
        frame.with_row_index("rank").with_columns(pl.lit(number).alias("section"))
        for number, frame in enumerate(sections)
    ]
    columns = ["doc_id", "kind", "reason", *KEY, "value", "support", "annotations"]
    frame: pl.DataFrame = pl.concat([f.select("section", "rank", *columns) for f in ranked])
    return frame.sort("doc_id", "section", "rank")


def _span_conflicts(support: pl.DataFrame) -> pl.DataFrame:
    same_place = pl.col("label").n_unique().over("doc_id", "layer", "start", "end") > 1
    ordered = support.sort("doc_id", "layer", "label", "start", "end")
    group = ("doc_id", "layer", "label")
    before = pl.col("end").cum_max().shift(1).over(group)  # the furthest end of the spans before
    after = pl.col("start").shift(-1).over(group)  # the next span's start (sorted by start)
    overlapping = (before > pl.col("start")).fill_null(False) | (after < pl.col("end")).fill_null(False)
    reason = (
        pl.when(same_place)
        .then(pl.lit("label disagreement"))
        .when(overlapping)
        .then(pl.lit("boundary disagreement"))
        .otherwise(pl.lit("minority span"))
    )
    return (
        ordered.with_columns(reason.alias("reason"))
        .filter(~pl.col("gold"))
        .select(
            "doc_id",
            pl.lit("span").alias("kind"),
            "reason",
            *KEY,
            pl.lit(None, pl.String).alias("value"),
            "support",
            pl.col("n").alias("annotations"),
        )
    )


def _relation_conflicts(relations: pl.DataFrame) -> pl.DataFrame:
    return relations.filter(~pl.col("gold")).select(
        "doc_id",
        pl.lit("relation").alias("kind"),
        pl.lit("relation not adjudicated").alias("reason"),
        *(pl.col(f"a_{k}").alias(k) for k in KEY),
        pl.format("{} ({} of {})", "relation", "votes", "n").alias("value"),
        pl.lit(None, pl.List(pl.String)).alias("support"),
        pl.col("n").alias("annotations"),
    )


def _stance_conflicts(stance: pl.DataFrame) -> list[Any]:
    frames = []
    for order, kind in ((0, "document_stance"), (1, "quote_stance")):
        rows = stance.filter(~pl.col("gold") & (pl.col("order") == order))
        pairs = [
            ", ".join(f"{who}={value}" for who, value in zip(w, v, strict=True))
            for w, v in zip(rows["who"].to_list(), rows["values"].to_list(), strict=True)
        ]
        frames.append(
            rows.select(
                "doc_id",
                pl.lit(kind).alias("kind"),
                pl.lit("stance disagreement").alias("reason"),
                *KEY,
                pl.Series("value", pairs, dtype=pl.String),
                pl.col("who").alias("support"),
                pl.col("who").list.len().alias("annotations"),
            )
        )
    return frames
