"""What the gate must know about whole tables before it checks them batch by batch.

Some rules compare a row with rows elsewhere: a repeated ``doc_id``, a span against its
document's text, a relation against the regions of its annotation. These passes read the tables
in batches and keep only what is small: an index of the documents (id, row, length: no text;
some 30 bytes a document) and the gold documents' ids (some 20 bytes each), the only state that
follows the corpus; the ids that repeat; and, for every rule, the rows whose helper column is
not its usual value (a passing corpus keeps almost nothing). Cross-row checks run on spilled parts: spans and
documents by document batch (the text check), and spans, relations and stance by a hash of
``annotation_id`` (every rule keyed by annotation), so each part joins in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from newsspan.dataset.io import scan_table, table_rows
from newsspan.dataset.schema import DOCUMENTS, LAYERS, QUOTE, RELATION_TYPES, RELATIONS, SAID_BY, SPANS, STANCE, Table
from newsspan.validation.batches import ROW, Batching, Spill, table_batches

__all__ = ["RELATION_DEFAULTS", "SPAN_DEFAULTS", "Findings", "find", "valid_offsets"]

SPAN_DEFAULTS: dict[str, object] = {
    "region_repeated": False,
    "span_repeated": False,
    "crosses_boilerplate": False,
    "has_said_by": True,  # read for gold QUOTE spans only (GOLD-001)
}
RELATION_DEFAULTS: dict[str, object] = {"from_exists": True, "to_exists": True, "ends_match": True}
_SPAN_KEYS = ("annotation_id", "region_id", "layer", "label", "start", "end", "origin")


@dataclass(frozen=True)
class Findings:
    """Per table, the rows (by ``_row``, sorted) whose helper columns differ from the defaults."""

    documents: pl.DataFrame  # doc_id, _doc_row, _bucket, doc_length: the first copy of each doc_id
    repeated_documents: pl.Series  # doc_ids that occur more than once
    repeated_annotations: pl.Series  # annotation_ids that occur more than once
    text: pl.DataFrame  # _row, text_matches: spans whose text is not their document's slice
    spans: pl.DataFrame  # _row and SPAN_DEFAULTS' columns
    relations: pl.DataFrame  # _row and RELATION_DEFAULTS' columns
    stance: pl.DataFrame  # _row, region_ok
    gold_documents: pl.DataFrame  # doc_id, has_document_stance: every gold document, sorted


def valid_offsets() -> pl.Expr:
    return (pl.col("start") >= 0) & (pl.col("start") < pl.col("end"))


def find(paths: dict[str, Path], batching: Batching, scratch: Path) -> Findings:
    """Read the tables in ``paths`` (by table name) once or twice each, spilling to ``scratch``."""
    every = pl.concat(
        batch.select(
            "doc_id",
            pl.col(ROW).alias("_doc_row"),
            pl.lit(number, pl.UInt32).alias("_bucket"),
            doc_length=pl.col("text").str.len_chars(),
        )
        for number, batch in enumerate(_document_batches(paths["documents"], batching))
    )
    documents = every.unique(subset=["doc_id"], keep="first", maintain_order=True)  # DOC-001 reports the rest
    spans, relations, stance = _by_annotation(paths, batching, scratch)
    return Findings(
        documents=documents,
        repeated_documents=_repeated(every["doc_id"]),
        repeated_annotations=_repeated_ids(paths["annotations"], "annotation_id"),
        text=_text(paths, documents, batching, scratch),
        spans=spans,
        relations=relations,
        stance=stance,
        gold_documents=_gold_documents(paths),
    )


def _document_batches(path: Path, batching: Batching) -> Iterator[pl.DataFrame]:
    """The documents in text batches; both passes read the same columns, so the same batches."""
    return table_batches(path, DOCUMENTS, batching.documents, ("doc_id", "text"))


def _repeated(ids: pl.Series) -> pl.Series:
    return ids.filter(ids.is_duplicated()).drop_nulls().unique()


def _repeated_ids(path: Path, column: str) -> pl.Series:
    """The values of ``column`` that occur more than once (polars' streaming engine: ids only)."""
    counts = scan_table(path).group_by(column).len().filter(pl.col("len") > 1).drop_nulls(column)
    return counts.select(column).collect(engine="streaming")[column]


def _text(paths: dict[str, Path], documents: pl.DataFrame, batching: Batching, scratch: Path) -> pl.DataFrame:
    """Spans whose offsets fit their document but whose text is not ``text[start:end]`` of it
    (the first copy of a repeated ``doc_id``): spans are spilled by the batch their document is
    in, then each document batch is compared with its spans."""
    index = documents.drop_nulls("doc_id")
    spill = Spill(scratch, "text")
    for batch in table_batches(paths["spans"], SPANS, batching.rows, ("doc_id", "start", "end", "text")):
        checkable = batch.join(index, on="doc_id", how="inner").filter(
            valid_offsets() & (pl.col("end") <= pl.col("doc_length"))
        )
        spill.write(checkable.select(ROW, "_doc_row", "start", "end", "text", "_bucket"), "_bucket")
    spill.close()
    found = [pl.DataFrame(schema={ROW: pl.UInt32, "text_matches": pl.Boolean})]
    for number, batch in enumerate(_document_batches(paths["documents"], batching)):
        spans = spill.read(number)
        if spans.is_empty():
            continue
        texts = batch.select(pl.col(ROW).alias("_doc_row"), pl.col("text").alias("doc_text"))
        matched = spans.join(texts, on="_doc_row", how="inner").select(
            ROW,
            text_matches=pl.col("text")
            == pl.col("doc_text").str.slice(pl.col("start"), pl.col("end") - pl.col("start")),
        )
        found.append(matched.filter(pl.col("text_matches").ne_missing(True)))
    return pl.concat(found).sort(ROW)


def _by_annotation(
    paths: dict[str, Path], batching: Batching, scratch: Path
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    parts = batching.parts(table_rows(paths["spans"]))
    spills: dict[str, Spill] = {}
    for table, columns in (
        (SPANS, _SPAN_KEYS),
        (RELATIONS, ("annotation_id", "relation", "from_region_id", "to_region_id")),
        (STANCE, ("annotation_id", "scope", "region_id")),
    ):
        spills[table.name] = _spill_by_annotation(paths[table.name], table, columns, parts, batching, scratch)
    spans, relations, stance = [], [], []
    for part in range(parts):
        part_spans = spills["spans"].read(part)
        spans.append(_span_flags(part_spans, spills["relations"].read(part)))
        relations.append(_relations(spills["relations"].read(part), part_spans))
        stance.append(_stance(spills["stance"].read(part), part_spans))
    return pl.concat(spans).sort(ROW), pl.concat(relations).sort(ROW), pl.concat(stance).sort(ROW)


def _spill_by_annotation(
    path: Path, table: Table, columns: tuple[str, ...], parts: int, batching: Batching, scratch: Path
) -> Spill:
    spill = Spill(scratch, table.name)
    for batch in table_batches(path, table, batching.rows, columns):
        spill.write(batch.with_columns(_part=pl.col("annotation_id").hash() % parts), "_part")
    spill.close()
    return spill


def _differs(defaults: dict[str, object]) -> pl.Expr:
    return pl.any_horizontal(pl.col(name).ne_missing(pl.lit(value)) for name, value in defaults.items())


def _span_flags(spans: pl.DataFrame, relations: pl.DataFrame) -> pl.DataFrame:
    """SPAN-013/014/015 and GOLD-001 on one part (every span of its annotations)."""
    said = (
        relations.filter(pl.col("relation") == SAID_BY)
        .select("annotation_id", pl.col("from_region_id").alias("region_id"), pl.lit(True).alias("has_said_by"))
        .unique(subset=["annotation_id", "region_id"])
    )
    gold_quote = (pl.col("origin") == "gold") & (pl.col("label") == QUOTE)
    flags = (
        spans.with_columns(
            region_repeated=pl.struct("annotation_id", "region_id").is_duplicated(),
            span_repeated=pl.struct("annotation_id", "layer", "label", "start", "end").is_duplicated(),
        )
        .join(_crossing(spans), on=ROW, how="left")
        .join(said, on=["annotation_id", "region_id"], how="left")
        .with_columns(
            crosses_boilerplate=pl.col("crosses_boilerplate").fill_null(False),
            has_said_by=pl.when(gold_quote).then(pl.col("has_said_by").fill_null(False)).otherwise(True),
        )
    )
    return flags.select(ROW, *SPAN_DEFAULTS).filter(_differs(SPAN_DEFAULTS))


def _crossing(spans: pl.DataFrame) -> pl.DataFrame:
    """Rows of spans that partly overlap a boilerplate span of their annotation."""
    guarded = [layer.name for layer in LAYERS if not layer.may_cross_boilerplate]
    content = spans.filter(pl.col("layer").is_in(guarded) & valid_offsets()).select(
        ROW, "annotation_id", "start", "end"
    )
    boiler = spans.filter(pl.col("layer") == "boilerplate").select(
        "annotation_id", pl.col("start").alias("b_start"), pl.col("end").alias("b_end")
    )
    pairs = content.join(boiler, on="annotation_id", how="inner")
    overlap = (pl.col("start") < pl.col("b_end")) & (pl.col("b_start") < pl.col("end"))
    inside = (pl.col("start") >= pl.col("b_start")) & (pl.col("end") <= pl.col("b_end"))
    return pairs.filter(overlap & ~inside).select(ROW).unique().with_columns(crosses_boilerplate=pl.lit(True))


def _relations(relations: pl.DataFrame, spans: pl.DataFrame) -> pl.DataFrame:
    """REL-002..004 on one part: both regions exist in the annotation and carry the labels the
    relation type names (judged only when the type is known and both exist)."""
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
    return joined.select(
        ROW,
        from_exists=pl.col("from_label").is_not_null(),
        to_exists=pl.col("to_label").is_not_null(),
        ends_match=(pl.col("from_label") == pl.col("want_from")) & (pl.col("to_label") == pl.col("want_to")),
    ).filter(_differs(RELATION_DEFAULTS))


def _stance(stance: pl.DataFrame, spans: pl.DataFrame) -> pl.DataFrame:
    """STANCE-003 on one part: quote stance sits on a QUOTE region of its annotation, document
    stance on none."""
    quotes = (
        spans.filter(pl.col("label") == QUOTE)
        .select("annotation_id", "region_id", pl.lit(True).alias("is_quote"))
        .unique(subset=["annotation_id", "region_id"])
    )
    joined = stance.join(quotes, on=["annotation_id", "region_id"], how="left")
    region_ok = (
        pl.when(pl.col("scope") == "quote")
        .then(pl.col("is_quote").fill_null(False))
        .otherwise(pl.col("region_id").is_null())
    )
    return joined.select(ROW, region_ok=region_ok).filter(pl.col("region_ok").ne_missing(True))


def _gold_documents(paths: dict[str, Path]) -> pl.DataFrame:
    """Every document with gold spans (ids only), with whether it has a gold document stance."""
    gold = scan_table(paths["spans"]).filter(pl.col("origin") == "gold").select("doc_id").unique()
    with_stance = (
        scan_table(paths["stance"])
        .filter((pl.col("origin") == "gold") & (pl.col("scope") == "document"))
        .select("doc_id", pl.lit(True).alias("has_document_stance"))
        .unique(subset=["doc_id"])
    )
    frame = (
        gold.join(with_stance, on="doc_id", how="left")
        .with_columns(has_document_stance=pl.col("has_document_stance").fill_null(False))
        .sort("doc_id")
    )
    return frame.collect(engine="streaming")
