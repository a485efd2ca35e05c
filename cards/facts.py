"""What the card says about the corpus, counted by polars' streaming engine.

Every figure of the card that comes from the corpus tables (documents per outlet, dates,
languages, gold spans per label, outlet and split, document stance by outlet, human annotations
and their spans' provenance) is an aggregate: it is computed from lazy scans of the Parquet
files, a batch at a time, so rendering the card of a corpus of any size holds counts, never rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, SPANS, STANCE

__all__ = ["UNKNOWN_OUTLET", "CorpusFacts", "corpus_facts"]

UNKNOWN_OUTLET = "(unknown)"


@dataclass(frozen=True)
class CorpusFacts:
    documents: int
    outlets: Counter[str]  # documents per outlet (the outlet, else the agency, else UNKNOWN_OUTLET)
    agencies: list[str]  # sorted
    dates: tuple[str, str, int] | None  # first and last publication date, and how many are dated
    languages: list[str]  # sorted
    language_stated: bool  # every document states one
    gold_labels: Counter[str]  # gold spans per label
    gold_by_outlet: list[tuple[str, int]]  # gold spans per outlet, in the order outlets first appear
    stance_by_outlet: Counter[tuple[str, str]]  # gold document stance: (outlet, value) -> documents
    gold_by_split: Counter[tuple[str, str]]  # (split, label) -> gold spans
    human_annotations: int
    provenance: Counter[str]  # human spans by provenance

    @property
    def gold_spans(self) -> int:
        return sum(self.gold_labels.values())


def _collect(frame: Any) -> Any:
    return frame.collect(engine="streaming")


def corpus_facts(folder: BuildFolder, *, split_of: dict[str, list[str]], default_split: str) -> CorpusFacts:
    """The corpus figures of the build in ``folder``; ``split_of`` maps a split to the doc ids of
    its default-config file, and ``default_split`` takes spans of documents in none."""
    import polars as pl

    documents = pl.scan_parquet(folder.table(DOCUMENTS))
    truthy = {c: pl.col(c).is_not_null() & (pl.col(c) != "") for c in ("outlet", "agency", "published", "language")}
    outlet = (
        pl.when(truthy["outlet"]).then("outlet").when(truthy["agency"]).then("agency").otherwise(pl.lit(UNKNOWN_OUTLET))
    )
    per_doc = _collect(documents.select("doc_id", outlet.alias("outlet")))
    summary = _collect(
        documents.select(
            pl.len().alias("documents"),
            pl.col("agency").filter(truthy["agency"]).unique().sort().implode().alias("agencies"),
            pl.col("published").filter(truthy["published"]).str.slice(0, 10).min().alias("first"),
            pl.col("published").filter(truthy["published"]).str.slice(0, 10).max().alias("last"),
            truthy["published"].sum().alias("dated"),
            pl.col("language").filter(truthy["language"]).unique().sort().implode().alias("languages"),
            truthy["language"].fill_null(False).all().alias("stated"),
        )
    ).row(0, named=True)
    gold = _gold_facts(folder, per_doc, split_of, default_split)
    annotations = pl.scan_parquet(folder.table(ANNOTATIONS)).filter(pl.col("origin") == "human")
    human = pl.scan_parquet(folder.table(SPANS)).filter(pl.col("origin") == "human")
    provenance = _collect(human.group_by("provenance").len())
    return CorpusFacts(
        documents=summary["documents"],
        outlets=Counter(dict(_collect(per_doc.lazy().group_by("outlet").len()).iter_rows())),
        agencies=list(summary["agencies"]),
        dates=(summary["first"], summary["last"], summary["dated"]) if summary["dated"] else None,
        languages=list(summary["languages"]),
        language_stated=bool(summary["stated"]) if summary["documents"] else True,
        human_annotations=_collect(annotations.select(pl.len())).item(),
        provenance=Counter(dict(provenance.iter_rows())),
        **gold,
    )


def _gold_facts(
    folder: BuildFolder, per_doc: Any, split_of: dict[str, list[str]], default_split: str
) -> dict[str, Any]:
    import polars as pl

    from newsspan.cards.plots import outlet_label

    labels = {name: outlet_label(name) for name in per_doc["outlet"].unique().to_list()}
    outlets = per_doc.lazy().with_columns(pl.col("outlet").replace_strict(labels, return_dtype=pl.String))
    splits = pl.LazyFrame(
        [(doc_id, split) for split, ids in split_of.items() for doc_id in ids], schema=["doc_id", "split"], orient="row"
    ).unique("doc_id", keep="last", maintain_order=True)  # as a dict built split by split
    spans = (
        pl.scan_parquet(folder.table(SPANS))
        .select("doc_id", "label", "origin")
        .with_row_index("row")
        .filter(pl.col("origin") == "gold")
        .join(outlets, on="doc_id", how="left")
        .join(splits, on="doc_id", how="left")
        .with_columns(pl.col("outlet").fill_null(UNKNOWN_OUTLET), pl.col("split").fill_null(default_split))
    )
    by_outlet = _collect(spans.group_by("outlet").agg(pl.len(), pl.col("row").min()).sort("row"))
    stance = (
        pl.scan_parquet(folder.table(STANCE))
        .filter((pl.col("origin") == "gold") & (pl.col("scope") == "document"))
        .join(outlets, on="doc_id", how="left")
        .with_columns(pl.col("outlet").fill_null(UNKNOWN_OUTLET))
        .group_by("outlet", "value")
        .len()
    )
    return {
        "gold_labels": Counter(dict(_collect(spans.group_by("label").len()).iter_rows())),
        "gold_by_outlet": [(name, count) for name, count, _ in by_outlet.iter_rows()],
        "stance_by_outlet": Counter({(o, v): n for o, v, n in _collect(stance).iter_rows()}),
        "gold_by_split": Counter(
            {(s, lb): n for s, lb, n in _collect(spans.group_by("split", "label").len()).iter_rows()}
        ),
    }
