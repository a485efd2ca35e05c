"""Analysis of a build with polars: lazy frames over its tables, the canned questions, and SQL.

Every function takes a build folder and returns a ``polars.LazyFrame`` over the gold layer
(falling back to the human annotations when a build has no gold layer, and to the predictions of
a predictions-only build), so a researcher can
keep filtering before anything is read. ``outlet`` is the document's outlet, else its agency,
else "(unknown)".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from newsspan.dataset.errors import InputError, NewsspanError
from newsspan.dataset.io import scan_table
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import QUOTE, SAID_BY, STANCE_VALUES, TABLES

__all__ = [
    "TABLE_NAMES",
    "boilerplate_share",
    "entity_mentions",
    "quotes_by_speaker",
    "run_sql",
    "scan_tables",
    "shared_copy",
    "stance_by_outlet",
]

TABLE_NAMES = tuple(table.name for table in TABLES)


def scan_tables(build: Path) -> dict[str, Any]:
    """Lazy frames of the build's tables, plus ``quotes`` (quotes joined with speaker and outlet)."""
    import polars as pl

    folder = BuildFolder(build)
    missing = [table.name for table in TABLES if not folder.table(table).exists()]
    if missing:
        raise InputError(
            f"{build} is not a newsspan build (missing {', '.join(missing)}); run `newsspan build`", path=build
        )
    frames = {table.name: scan_table(folder.table(table)) for table in TABLES}
    frames["documents"] = frames["documents"].with_columns(outlet=pl.coalesce("outlet", "agency", pl.lit("(unknown)")))
    frames["quotes"] = _quotes(frames)
    return frames


_PREFERRED = ("gold", "human", "prediction")  # the layer analysed: the first origin with spans


def _origin(spans: Any) -> str:
    """The origin of the layer analysed: gold when the build has any, else human, else the
    predictions (a predictions-only build)."""
    import polars as pl

    present = set(spans.select(pl.col("origin").unique()).collect()["origin"].to_list())
    return next((origin for origin in _PREFERRED if origin in present), "gold")


def _reference(spans: Any) -> Any:
    """The spans of the layer analysed (:func:`_origin`)."""
    import polars as pl

    return spans.filter(pl.col("origin") == _origin(spans))


def _quotes(frames: dict[str, Any]) -> Any:
    import polars as pl

    spans = _reference(frames["spans"])
    quotes = spans.filter(pl.col("label") == QUOTE).select(
        "doc_id", "annotation_id", "region_id", pl.col("text").alias("quote"), "start", "end"
    )
    speakers = (
        frames["relations"]
        .filter(pl.col("relation") == SAID_BY)
        .join(
            spans.select("annotation_id", pl.col("region_id").alias("to_region_id"), pl.col("text").alias("speaker")),
            on=["annotation_id", "to_region_id"],
        )
        .select("annotation_id", pl.col("from_region_id").alias("region_id"), "speaker")
        .unique(subset=["annotation_id", "region_id"], keep="first")
    )
    stance = (
        frames["stance"]
        .filter(pl.col("scope") == "quote")
        .select("annotation_id", "region_id", pl.col("value").alias("stance"))
    )
    return (
        quotes.join(speakers, on=["annotation_id", "region_id"], how="left")
        .join(stance, on=["annotation_id", "region_id"], how="left")
        .join(frames["documents"].select("doc_id", "outlet"), on="doc_id", how="left")
    )


def quotes_by_speaker(build: Path) -> Any:
    """Who is quoted by which outlet, how often, and with what stance (a column per stance value,
    lower case, in the schema's order)."""
    import polars as pl

    per_value = {value.lower(): (pl.col("stance") == value).sum() for value in STANCE_VALUES}
    return (
        scan_tables(build)["quotes"]
        .with_columns(speaker=pl.col("speaker").fill_null("(no speaker)"))
        .group_by("speaker", "outlet")
        .agg(quotes=pl.len(), **per_value)
        .sort(["quotes", "speaker", "outlet"], descending=[True, False, False])
    )


def entity_mentions(build: Path, *, by: Literal["outlet", "doc_id"] = "outlet") -> Any:
    """Entity mentions (text and label) counted per outlet (or per document)."""
    import polars as pl

    frames = scan_tables(build)
    entities = _reference(frames["spans"]).filter(pl.col("layer") == "entity")
    return (
        entities.join(frames["documents"].select("doc_id", "outlet"), on="doc_id")
        .group_by("text", "label", by)
        .agg(mentions=pl.len())
        .sort(["mentions", "text", by], descending=[True, False, False])
    )


def stance_by_outlet(build: Path) -> Any:
    """Document and quote stance toward the target, counted per outlet."""
    import polars as pl

    frames = scan_tables(build)
    origin = _origin(frames["spans"])
    return (
        frames["stance"]
        .filter(pl.col("origin") == origin)
        .join(frames["documents"].select("doc_id", "outlet"), on="doc_id")
        .group_by("outlet", "scope", "value")
        .agg(count=pl.len())
        .sort(["outlet", "scope", "value"])
    )


def boilerplate_share(build: Path, *, by: Literal["outlet", "doc_id"] = "outlet") -> Any:
    """The share of characters that are boilerplate, per outlet (or per document)."""
    import polars as pl

    frames = scan_tables(build)
    boiler = (
        _reference(frames["spans"])
        .filter(pl.col("layer") == "boilerplate")
        .group_by("doc_id")
        .agg(boilerplate_chars=(pl.col("end") - pl.col("start")).sum())
    )
    documents = frames["documents"].select("doc_id", "outlet", chars=pl.col("text").str.len_chars())
    return (
        documents.join(boiler, on="doc_id", how="left")
        .with_columns(pl.col("boilerplate_chars").fill_null(0))
        .group_by(by)
        .agg(documents=pl.len(), chars=pl.col("chars").sum(), boilerplate_chars=pl.col("boilerplate_chars").sum())
        .with_columns(share=(pl.col("boilerplate_chars") / pl.col("chars")).round(3))
        .sort("share", descending=True)
    )


def shared_copy(build: Path) -> Any:
    """Stories told by more than one document: which outlets reuse the same copy."""
    import polars as pl

    from newsspan.dataset.hub.splits import group_stories

    documents = scan_tables(build)["documents"].select("doc_id", "outlet", "text").collect()
    stories = group_stories(dict(zip(documents["doc_id"], documents["text"], strict=True)))
    return (
        documents.lazy()
        .with_columns(story_id=pl.col("doc_id").replace_strict(stories))
        .group_by("story_id")
        .agg(documents=pl.len(), outlets=pl.col("outlet").unique().sort(), doc_ids=pl.col("doc_id").sort())
        .filter(pl.col("documents") > 1)
        .sort("story_id")
    )


def run_sql(build: Path, query: str) -> Any:
    """Run ``query`` over the build's tables (and ``quotes``) with polars' SQL context."""
    import polars as pl

    context = pl.SQLContext(scan_tables(build), eager=False)
    try:
        return context.execute(query).collect()
    except (pl.exceptions.PolarsError, ValueError) as exc:
        tables = ", ".join(sorted(scan_tables(build)))
        raise NewsspanError(f"the query failed: {str(exc).splitlines()[0]}; tables: {tables}") from None
