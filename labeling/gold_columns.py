"""The gold layer on whole columns: votes counted by polars instead of a Python loop per row.

:func:`adjudicate_columns` computes exactly the rows and conflicts that
:func:`~newsspan.labeling.gold.adjudicate` gives the documents it takes, in the same order: every
document whose usable annotations are all human (no review-project adjudication) and that is
decided by votes: one annotation passes through, several are counted against ``need``
(majority, threshold, or ``prefer`` where no reviewer annotated the document). A span is gold
when ``need`` annotations marked it; a relation when both its ends are gold and ``need``
annotations drew it; a stance when its most given value is not tied and was given by
``min(need, annotations that gave one)``. Everything else is a conflict with the loop's reason.
Documents it does not take (reviews, a reviewer's pick among several) are left to the loop; a
part whose rows are inconsistent (an annotation id used twice, a row outside its annotation's
document, an empty span) goes to the loop whole.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import polars as pl
import pyarrow as pa

from newsspan.dataset.config import GoldOptions
from newsspan.dataset.schema import ANNOTATIONS, QUOTE, RELATIONS, SPANS, STANCE
from newsspan.labeling.gold_conflicts import KEY, conflict_rows, region_ids

__all__ = ["ColumnGold", "adjudicate_columns"]

GOLD = "gold"
_PROVENANCES = ("manual", "prediction-changed", "prediction")  # gold_provenance's order of preference
_READ = {  # the columns the votes read, of each table
    "spans": ("doc_id", "annotation_id", "region_id", *KEY, "text", "provenance"),
    "relations": ("doc_id", "annotation_id", "relation", "from_region_id", "to_region_id"),
    "stance": ("doc_id", "annotation_id", "scope", "region_id", "target", "value"),
}


@dataclass(frozen=True)
class ColumnGold:
    """Gold rows and conflicts of the documents in ``documents`` (sorted), and how each was decided."""

    documents: list[str]
    tables: dict[str, pa.Table]  # annotations, spans, relations, stance: schema tables, document order
    conflicts: pa.Table  # gold.CONFLICTS_SCHEMA, document order
    by_rule: Counter[str]


def adjudicate_columns(
    annotations: pa.Table, spans: pa.Table, relations: pa.Table, stance: pa.Table, *, options: GoldOptions
) -> ColumnGold:
    """The gold rows of the documents decided by votes of human annotations; see the module docstring."""
    from newsspan.labeling.gold import CONFLICTS_SCHEMA

    voters, decided = _voters(pl.DataFrame(annotations), options)
    given = (("spans", spans), ("relations", relations), ("stance", stance))
    frames = {name: pl.DataFrame(t.select(list(_READ[name]))) for name, t in given}  # not the other columns
    if decided.is_empty() or not _consistent(voters, frames):
        return ColumnGold([], {}, CONFLICTS_SCHEMA.empty_table(), Counter())
    ids = voters.select("annotation_id")
    owned = {name: f.join(ids, on="annotation_id", how="semi", maintain_order="left") for name, f in frames.items()}
    need = decided.select("doc_id", "need", "n")
    keys = owned["spans"].unique(["annotation_id", "region_id"], keep="last", maintain_order=True)
    keys = keys.select("annotation_id", "region_id", *KEY)
    support = _support(owned["spans"], need)
    relations_voted = _relation_votes(owned["relations"], keys, support, need)
    stance_voted = _stance_votes(owned["stance"], keys, support, need)
    tables = {
        "annotations": _gold_columns(decided.select("doc_id")).with_columns(
            pl.lit(False).alias("cancelled"), pl.lit(False).alias("ground_truth")
        ),
        "spans": _span_rows(support.filter(pl.col("gold"))),
        "relations": _relation_rows(relations_voted.filter(pl.col("gold"))),
        "stance": _stance_rows(stance_voted.filter(pl.col("gold"))),
    }
    schemas = {"annotations": ANNOTATIONS, "spans": SPANS, "relations": RELATIONS, "stance": STANCE}
    conflicts = conflict_rows(support, relations_voted, stance_voted)
    return ColumnGold(
        decided["doc_id"].to_list(),
        {name: _to_schema(frame, schemas[name].columns, schemas[name].arrow_schema) for name, frame in tables.items()},
        _to_schema(conflicts, None, CONFLICTS_SCHEMA),
        Counter(decided["rule"].to_list()),
    )


def _voters(annotations: pl.DataFrame, options: GoldOptions) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(voters: doc_id, annotation_id of each annotation that votes; decided: doc_id, n, need and
    rule of each document taken, sorted by doc_id)."""
    usable = annotations.filter(pl.col("origin").is_in(["human", "review"]) & ~pl.col("cancelled"))
    if usable["annotation_id"].n_unique() != usable.height:
        return usable.clear().select("doc_id", "annotation_id"), usable.clear().select("doc_id")
    prefer = options.strategy == "prefer"
    reviewer = (pl.col("annotator").is_in(list(options.reviewers)) | pl.col("ground_truth")).fill_null(False)
    n = pl.col("n")
    share = options.threshold if options.strategy == "threshold" else None
    many = (n * share).ceil().cast(pl.Int64).clip(lower_bound=1) if share is not None else n // 2 + 1
    counted = "threshold" if share is not None else "majority"
    decided = (
        usable.group_by("doc_id")
        .agg(
            pl.len().alias("n"),
            (pl.col("origin") == "review").sum().alias("reviews"),
            (pl.lit(prefer) & reviewer).any().alias("reviewer"),
        )
        .filter((pl.col("reviews") == 0) & ((n == 1) | ~pl.col("reviewer")))
        .with_columns(pl.when(n == 1).then(1).otherwise(many).cast(pl.Int64).alias("need"))
        .with_columns(
            pl.when(n > 1)
            .then(pl.format(f"{counted} ({{}} of {{}})", "need", "n"))
            .when(pl.col("reviewer"))
            .then(pl.lit("reviewer"))
            .otherwise(pl.lit("single annotation"))
            .alias("rule")
        )
        .sort("doc_id")
    )
    voters = usable.join(decided.select("doc_id"), on="doc_id", how="semi").select("doc_id", "annotation_id")
    return voters, decided


def _consistent(voters: pl.DataFrame, frames: dict[str, pl.DataFrame]) -> bool:
    """Every row of a voting annotation lies in its document, and no span is empty."""
    for frame in frames.values():
        joined = frame.select("doc_id", "annotation_id").join(voters, on="annotation_id", suffix="_owner")
        if joined.filter(pl.col("doc_id") != pl.col("doc_id_owner")).height:
            return False
    return not frames["spans"].filter(pl.col("start") >= pl.col("end")).height


def _support(spans: pl.DataFrame, need: pl.DataFrame) -> pl.DataFrame:
    """One row per (document, key): its supporters (sorted), their preferred provenance, the last
    text given, and whether it is gold."""
    last = spans.with_row_index("row").unique(["annotation_id", *KEY], keep="last", maintain_order=True)
    best = pl.lit(None, pl.String)
    for made in reversed(_PROVENANCES):
        best = pl.when(pl.col("provenance").is_in([made]).any()).then(pl.lit(made)).otherwise(best)
    grouped = last.group_by("doc_id", *KEY).agg(
        pl.col("annotation_id").sort().alias("support"),
        pl.col("text").sort_by("row").last(),
        best.alias("provenance"),
    )
    text = spans.unique(["doc_id", *KEY], keep="last", maintain_order=True).select("doc_id", *KEY, "text")
    return (
        grouped.drop("text")
        .join(text, on=["doc_id", *KEY])
        .join(need, on="doc_id")
        .with_columns((pl.col("support").list.len() >= pl.col("need")).alias("gold"))
    )


def _relation_votes(relations: pl.DataFrame, keys: pl.DataFrame, support: pl.DataFrame, need: pl.DataFrame) -> Any:
    """One row per (document, kind, from key, to key) drawn by a voter: votes, and whether gold."""
    a = {c: f"a_{c}" for c in KEY}
    b = {c: f"b_{c}" for c in KEY}
    ends = relations.join(
        keys.rename(a), left_on=["annotation_id", "from_region_id"], right_on=["annotation_id", "region_id"]
    ).join(keys.rename(b), left_on=["annotation_id", "to_region_id"], right_on=["annotation_id", "region_id"])
    columns = ["doc_id", "relation", *a.values(), *b.values()]
    gold = support.filter(pl.col("gold")).select("doc_id", *KEY).with_columns(pl.lit(True).alias("end_gold"))
    votes = (
        ends.unique(["annotation_id", *columns])
        .group_by(columns)
        .agg(pl.len().alias("votes"))
        .join(need, on="doc_id")
        .join(gold.rename(a | {"end_gold": "a_gold"}), on=["doc_id", *a.values()], how="left")
        .join(gold.rename(b | {"end_gold": "b_gold"}), on=["doc_id", *b.values()], how="left")
    )
    ok = pl.col("a_gold").fill_null(False) & pl.col("b_gold").fill_null(False) & (pl.col("votes") >= pl.col("need"))
    return votes.with_columns(ok.alias("gold")).sort(columns)


def _stance_votes(stance: pl.DataFrame, keys: pl.DataFrame, support: pl.DataFrame, need: pl.DataFrame) -> Any:
    """One row per document stance and per gold QUOTE's stance that a voter gave: the values given
    (annotation -> value, the last of each), the winner, and whether it is gold; with the
    document's target (its first non-empty one, else the last given)."""
    stance = stance.with_row_index("row")
    target = stance.group_by("doc_id").agg(
        pl.col("target").filter(pl.col("target").is_not_null() & (pl.col("target") != "")).first().alias("first"),
        pl.col("target").sort_by("row").last().alias("last"),
    )
    document = stance.filter(pl.col("scope") == "document").with_columns(
        pl.lit(0).alias("order"), *(pl.lit(None, t).alias(c) for c, t in _KEY_TYPES)
    )
    quotes = support.filter(pl.col("gold") & (pl.col("label") == QUOTE)).select("doc_id", *KEY)
    quote = (
        stance.filter(pl.col("scope") != "document")
        .join(keys, on=["annotation_id", "region_id"], maintain_order="left")
        .join(quotes, on=["doc_id", *KEY], how="semi", maintain_order="left")
        .with_columns(pl.lit(1).alias("order"))
    )
    columns = ["doc_id", "order", *KEY]
    given = (
        pl.concat([f.select("row", "annotation_id", "value", *columns) for f in (document, quote)])
        .sort("row")
        .unique(["annotation_id", *columns], keep="last", maintain_order=True)
    )
    counts = given.group_by([*columns, "value"]).agg(pl.len().alias("count"))
    top = counts.group_by(columns).agg(
        pl.col("count").max().alias("top"),
        (pl.col("count") == pl.col("count").max()).sum().alias("leaders"),
        pl.col("value").sort_by("count", descending=True).first().alias("winner"),
    )
    votes = (
        given.sort("annotation_id")
        .group_by(columns, maintain_order=True)
        .agg(pl.col("annotation_id").alias("who"), pl.col("value").alias("values"))
    )
    decided = votes.join(top, on=columns, nulls_equal=True).join(need, on="doc_id")
    ok = (pl.col("leaders") == 1) & (pl.col("top") >= pl.min_horizontal("need", pl.col("who").list.len()))
    return (
        decided.with_columns(ok.alias("gold"))
        .join(target, on="doc_id", how="left")
        .with_columns(pl.coalesce("first", "last").alias("target"))
        .sort(columns, nulls_last=False)
    )


_KEY_TYPES = (("layer", pl.String), ("label", pl.String), ("start", pl.Int32), ("end", pl.Int32))


def _gold_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(GOLD).alias("annotator"),
        pl.lit(GOLD).alias("origin"),
        (pl.lit(f"{GOLD}:") + pl.col("doc_id")).alias("annotation_id"),
    )


def _span_rows(gold: pl.DataFrame) -> pl.DataFrame:
    rows = gold.sort(["doc_id", "start", "end", "layer", "label"])
    region = region_ids(rows, "")
    return _gold_columns(rows.select("doc_id", region.alias("region_id"), *KEY, "text", "support", "provenance"))


def _relation_rows(gold: pl.DataFrame) -> pl.DataFrame:
    source, target = region_ids(gold, "a_"), region_ids(gold, "b_")
    return _gold_columns(
        gold.select(
            "doc_id",
            "relation",
            source.alias("from_region_id"),
            target.alias("to_region_id"),
            pl.lit(None, pl.String).alias("provenance"),
        )
    )


def _stance_rows(gold: pl.DataFrame) -> pl.DataFrame:
    region = region_ids(gold, "")
    quote = pl.col("order") == 1
    return _gold_columns(
        gold.select(
            "doc_id",
            pl.when(quote).then(pl.lit("quote")).otherwise(pl.lit("document")).alias("scope"),
            pl.when(quote).then(region).alias("region_id"),
            "target",
            pl.col("winner").alias("value"),
            pl.lit(None, pl.String).alias("provenance"),
        )
    )


def _to_schema(frame: pl.DataFrame, columns: Any, schema: pa.Schema) -> pa.Table:
    """The frame as an Arrow table of ``schema``: its columns in order, the missing ones null."""
    arrow = frame.to_arrow()
    arrays = [
        arrow[f.name].cast(f.type) if f.name in arrow.column_names else pa.nulls(arrow.num_rows, f.type) for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)
