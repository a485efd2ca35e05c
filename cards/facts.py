"""What the card says about the corpus, counted a batch of rows at a time.

Every figure of the card that comes from the corpus tables (documents per outlet, dates,
languages, gold spans per label, outlet and split, document stance by outlet, human annotations
and their spans' provenance) is an aggregate. Each table is read once, a batch at a time and
only the columns a figure needs (:func:`newsspan.dataset.io.iter_table`); between batches the
card keeps counts (per outlet, label, split, stance value, provenance) and one lookup that gives
a gold span or stance row its outlet and split: each document's id with two small codes (some
25 bytes a document, and the id's bytes beyond 12), never a table's rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from newsspan.dataset.io import iter_table
from newsspan.dataset.labels import Origin
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, SPANS, STANCE, Table

__all__ = ["UNKNOWN_OUTLET", "CorpusFacts", "corpus_facts"]

UNKNOWN_OUTLET = "(unknown)"
ROWS = 1 << 18  # span, stance and annotation rows at a time (a few short columns): some 30 MB a batch, and
# few batches keep the joins cheap (each filters the document lookup once)
DOCUMENT_ROWS = 1 << 16  # documents at a time: their metadata columns are longer


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


def _only(table: Table, *names: str) -> Table:
    """``table`` narrowed to ``names``: only those columns are read."""
    return replace(table, columns=tuple(c for c in table.columns if c.name in names))


def _batches(path: Path, table: Table, rows: int) -> Iterator[Any]:
    """The table at ``path`` as polars frames of at most ``rows`` rows."""
    import polars as pl

    for batch in iter_table(path, schema=table, rows=rows):
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        yield frame


def corpus_facts(
    folder: BuildFolder,
    *,
    split_of: Mapping[str, Path],
    default_split: str,
    rows: int = ROWS,
    published: Origin = "gold",
) -> CorpusFacts:
    """The corpus figures of the build in ``folder``, reading ``rows`` rows at a time;
    ``split_of`` maps a split to its default-config file (whose doc ids are that split's), and
    ``default_split`` takes spans of documents in none. The ``gold_*`` figures count the rows of
    origin ``published``: the gold layer, or the predictions a predictions-only build publishes."""
    documents = _Documents()
    for frame in _batches(folder.table(DOCUMENTS), _only(DOCUMENTS, *_Documents.COLUMNS), min(rows, DOCUMENT_ROWS)):
        documents.add(frame)
    lookup = documents.lookup(_splits(split_of))
    gold = _Gold(lookup, documents.names, split_names=list(split_of), default_split=default_split, published=published)
    for frame in _batches(folder.table(SPANS), _only(SPANS, "doc_id", "label", "origin", "provenance"), rows):
        gold.add_spans(frame)
    for frame in _batches(folder.table(STANCE), _only(STANCE, "doc_id", "origin", "scope", "value"), rows):
        gold.add_stance(frame)
    human = 0
    for frame in _batches(folder.table(ANNOTATIONS), _only(ANNOTATIONS, "origin"), rows):
        human += int((frame["origin"] == "human").sum())
    return CorpusFacts(**documents.facts(), human_annotations=human, **gold.facts())


@dataclass
class _Documents:
    """The documents table's figures so far, and each document's outlet as a code."""

    COLUMNS = ("doc_id", "outlet", "agency", "published", "language")

    count: int = 0
    agencies: set[str] = field(default_factory=set)
    first: str | None = None  # publication date (its first 10 characters)
    last: str | None = None
    dated: int = 0
    languages: set[str] = field(default_factory=set)
    stated: bool = True
    names: dict[str, int] = field(default_factory=dict)  # outlet -> its code
    outlets: Counter[int] = field(default_factory=Counter)  # documents per outlet code
    codes: list[Any] = field(default_factory=list)  # frames of doc_id, outlet code

    def add(self, frame: Any) -> None:
        import polars as pl

        truthy = {c: pl.col(c).is_not_null() & (pl.col(c) != "") for c in self.COLUMNS[1:]}
        published = pl.col("published").filter(truthy["published"]).str.slice(0, 10)
        summary = frame.select(
            pl.col("agency").filter(truthy["agency"]).unique().implode().alias("agencies"),
            published.min().alias("first"),
            published.max().alias("last"),
            truthy["published"].sum().alias("dated"),
            pl.col("language").filter(truthy["language"]).unique().implode().alias("languages"),
            truthy["language"].all().alias("stated"),
        ).row(0, named=True)
        self.count += frame.height
        self.agencies.update(summary["agencies"])
        if summary["first"] is not None:
            self.first = min(self.first or summary["first"], summary["first"])
            self.last = max(self.last or summary["last"], summary["last"])
        self.dated += summary["dated"]
        self.languages.update(summary["languages"])
        self.stated = self.stated and bool(summary["stated"])
        outlet = pl.when(truthy["outlet"]).then("outlet").when(truthy["agency"]).then("agency")
        named = frame.select("doc_id", outlet.otherwise(pl.lit(UNKNOWN_OUTLET)).alias("outlet"))
        for name in named["outlet"].unique(maintain_order=True).to_list():
            self.names.setdefault(name, len(self.names))
        coded = named.select("doc_id", pl.col("outlet").replace_strict(self.names, return_dtype=pl.UInt32))
        self.outlets.update(dict(coded.group_by("outlet").len().iter_rows()))
        self.codes.append(coded.rechunk())

    def lookup(self, splits: Any) -> Any:
        """doc_id, outlet (code; null: no such document) and split (code; null: in no split) of
        every document in the documents table or a split, a row per documents-table row."""
        import polars as pl

        schema = {"doc_id": pl.String, "outlet": pl.UInt32}
        coded = pl.concat(self.codes, rechunk=True) if self.codes else pl.DataFrame(schema=schema)
        self.codes = []
        return coded.join(splits, on="doc_id", how="full", coalesce=True)

    def facts(self) -> dict[str, Any]:
        label = {code: name for name, code in self.names.items()}
        return {
            "documents": self.count,
            "outlets": Counter({label[code]: n for code, n in self.outlets.items()}),
            "agencies": sorted(self.agencies),
            "dates": (self.first, self.last, self.dated) if self.first is not None and self.last is not None else None,
            "languages": sorted(self.languages),
            "language_stated": self.stated,
        }


def _splits(split_of: Mapping[str, Path]) -> Any:
    """doc_id and split (as its position in ``split_of``); a doc_id in several splits takes the
    last (as a dict built split by split). Polars reads the config files: their footers (many
    row groups) take several times less memory than in pyarrow."""
    import polars as pl

    frames = [
        pl.scan_parquet(path).select("doc_id", split=pl.lit(number, pl.UInt8)).collect()
        for number, path in enumerate(split_of.values())
    ]
    if not frames:
        return pl.DataFrame(schema={"doc_id": pl.String, "split": pl.UInt8})
    return pl.concat(frames, rechunk=True).unique("doc_id", keep="last")


class _Gold:
    """Gold spans per (outlet, split, label) with the first row of each, human spans per
    provenance and gold document stance per (outlet, value), summed over batches."""

    def __init__(
        self, lookup: Any, names: dict[str, int], *, split_names: list[str], default_split: str, published: Origin
    ) -> None:
        from newsspan.cards.plots import outlet_label

        self.published = published
        self.lookup = lookup
        self.outlet = {code: outlet_label(name) for name, code in names.items()}  # code -> the plots' label
        self.split_names, self.default_split = split_names, default_split
        self.spans: dict[tuple[int | None, int | None, str], list[int]] = {}  # -> [spans, first row]
        self.stance: Counter[tuple[str, str]] = Counter()
        self.provenance: Counter[str] = Counter()
        self.offset = 0  # rows of the spans table read so far

    def add_spans(self, frame: Any) -> None:
        import polars as pl

        human = frame.filter(pl.col("origin") == "human").group_by("provenance").len()
        self.provenance.update(dict(human.iter_rows()))
        gold = frame.with_row_index("row", offset=self.offset).filter(pl.col("origin") == self.published)
        self.offset += frame.height
        counts = self._place(gold.select("row", "doc_id", "label")).group_by("outlet", "split", "label")
        counts = counts.agg(pl.len(), pl.col("row").min())
        for outlet, split, label, spans, first in counts.iter_rows():
            seen = self.spans.setdefault((outlet, split, label), [0, first])
            seen[0] += spans
            seen[1] = min(seen[1], first)

    def add_stance(self, frame: Any) -> None:
        import polars as pl

        document = frame.filter((pl.col("origin") == self.published) & (pl.col("scope") == "document"))
        joined = self._place(document.select("doc_id", "value"))
        for outlet, value, rows in joined.group_by("outlet", "value").len().iter_rows():
            self.stance[(self._outlet(outlet), value)] += rows

    def _place(self, rows: Any) -> Any:
        """``rows`` with the outlet and split codes of their document (a row per lookup row of
        it: a doc_id repeated in the documents table counts once per copy, as a join does). The
        lookup is cut to the batch's documents first, so no hash of the whole lookup is built."""
        import polars as pl

        if rows.is_empty():
            return rows.join(self.lookup, on="doc_id", how="left")
        here = self.lookup.filter(pl.col("doc_id").is_in(rows["doc_id"].unique().implode()))
        return rows.join(here, on="doc_id", how="left")

    def _outlet(self, code: int | None) -> str:
        return UNKNOWN_OUTLET if code is None else self.outlet[code]

    def facts(self) -> dict[str, Any]:
        labels: Counter[str] = Counter()
        splits: Counter[tuple[str, str]] = Counter()
        outlets: dict[str, list[int]] = {}
        for (outlet, split, label), (spans, first) in self.spans.items():
            labels[label] += spans
            splits[(self.default_split if split is None else self.split_names[split], label)] += spans
            seen = outlets.setdefault(self._outlet(outlet), [0, first])
            seen[0] += spans
            seen[1] = min(seen[1], first)
        return {
            "gold_labels": labels,
            # in the order outlets first appear (a row of a doc_id the documents table repeats
            # counts under each of its outlets: by name then)
            "gold_by_outlet": [(name, n) for name, (n, _) in sorted(outlets.items(), key=lambda kv: (kv[1][1], kv[0]))],
            "stance_by_outlet": self.stance,
            "gold_by_split": splits,
            "provenance": self.provenance,
        }
