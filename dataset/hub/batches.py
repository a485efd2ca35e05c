"""One part of the corpus to its config tables, ``batch`` documents at a time.

A part is :func:`~newsspan.dataset.parts.split_by_document`'s: every table's rows of a run of
documents, in part files. :class:`PartJob` says which part, its documents in order, and their
stories and splits: everything a worker process needs besides the files, and small to send.
Its batches are the tables' rows of ``batch`` documents, sorted by document (a document's rows
keep their order); a batch's configs are made from the gold rows as Python rows (documents,
quotes, boilerplate), the ``ner`` and ``annotations`` configs by column, then encoded and cut
by split. The stage writes them in the same order whether a worker made them or it did.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsspan.dataset.hub.features import DOCUMENT_FIELDS
from newsspan.dataset.hub.rows import ANNOTATION_COLUMNS, SPAN_COLUMNS, ConfigRows, annotation_table, gold_rows
from newsspan.dataset.hub.writer import ConfigEncoder, config_tables
from newsspan.dataset.labels import Origin
from newsspan.dataset.parts import DocumentParts
from newsspan.dataset.schema import ANNOTATION_TABLES, DOCUMENTS

__all__ = ["BatchTables", "PartJob", "batch_rows", "by_document", "in_batches"]

# the columns the configs read (the documents' nested meta_spans and page_regions cost the most)
_READ: dict[str, tuple[str, ...]] = {
    "documents": DOCUMENT_FIELDS,
    "spans": SPAN_COLUMNS,
    "relations": ("doc_id", "annotation_id", "relation", "from_region_id", "to_region_id"),
    "stance": ("doc_id", "annotation_id", "origin", "scope", "region_id", "value"),
    "annotations": ANNOTATION_COLUMNS,
}
_TABLES = {table.name: table for table in (DOCUMENTS, *ANNOTATION_TABLES)}


@dataclass(frozen=True, slots=True)
class BatchTables:
    """A batch's encoded tables, ``(config, split, table)`` in CONFIGS then split order."""

    tables: list[tuple[str, str, pa.Table]]
    misaligned: int


@dataclass(frozen=True, slots=True)
class PartJob:
    """Documents of part ``number`` of the part files in ``folder`` (all of them, or a run: a
    job is a worker's unit of work), with their stories and splits."""

    folder: Path
    number: int
    first: int  # the position of the first document in the part
    doc_ids: list[str]  # in part order
    stories: dict[str, str]  # doc_id -> story_id, these documents only
    splits: dict[str, str]  # doc_id -> split, these documents only
    used: tuple[str, ...]  # the splits the dataset has, in order
    batch: int  # documents whose rows are made at once
    published: Origin = "gold"  # the origin of the layer the configs carry

    def describe(self) -> str:
        """The part's number and the documents, for messages."""
        first, last = (self.doc_ids[0], self.doc_ids[-1]) if self.doc_ids else ("", "")
        last_position = self.first + len(self.doc_ids) - 1
        return f"part {self.number}, documents {self.first}-{last_position} ({first!r} to {last!r})"

    def batches(self, encoder: ConfigEncoder) -> Iterator[BatchTables]:
        """The documents' config tables, ``batch`` documents at a time, in document order."""
        order = pa.array(self.doc_ids, type=pa.string())
        part = DocumentParts(self.folder, order, max(len(self.doc_ids), 1), _TABLES).part(self.number)
        ordered = by_document(order, part)
        del part  # the part files' mapped pages go: the rows read are copies
        for rows in in_batches(ordered, len(self.doc_ids), self.batch):
            made = batch_rows(rows, self.stories, published=self.published)
            yield BatchTables(list(config_tables(encoder, made, self.splits, self.used)), made.misaligned)


def by_document(doc_ids: pa.Array, part: dict[str, pa.Table]) -> dict[str, tuple[pa.Table, Any]]:
    """The rows of the documents ``doc_ids`` in a part's tables (the columns the configs read),
    each table's in document order (a document's rows keep their order), with each row's
    document position; rows of the part's other documents are left out."""
    ordered = {}
    for name, table in part.items():
        position = pc.index_in(table["doc_id"], value_set=doc_ids)
        ours = pc.is_valid(position)
        position = position.filter(ours)
        order = pc.sort_indices(position)
        columns = table.select(list(_READ[name])).filter(ours)
        ordered[name] = (columns.take(order), position.take(order).to_numpy())
    return ordered


def in_batches(ordered: dict[str, tuple[pa.Table, Any]], documents: int, batch: int) -> Iterator[dict[str, pa.Table]]:
    """:func:`by_document`'s rows of ``documents`` documents, ``batch`` documents at a time."""
    for first in range(0, documents, batch):
        out = {}
        for name, (rows, position) in ordered.items():
            low, high = (int(i) for i in np.searchsorted(position, [first, first + batch]))
            out[name] = rows.slice(low, high - low)
        yield out


def batch_rows(tables: Mapping[str, pa.Table], stories: Mapping[str, str], *, published: Origin = "gold") -> ConfigRows:
    """Every config of a batch (:func:`in_batches`): the configs of the ``published`` layer (gold,
    or a predictions-only build's predictions) from its rows, the annotations config by column."""
    spans = tables["spans"]
    gold = spans.filter(pc.equal(spans["origin"], published))
    relations = tables["relations"]
    linked = relations.filter(pc.is_in(relations["annotation_id"], value_set=pc.unique(gold["annotation_id"])))
    stance = tables["stance"]
    out = gold_rows(
        tables["documents"].to_pylist(),
        gold.to_pylist(),
        linked.to_pylist(),  # a gold region's links: the rows of its own annotation
        stance.filter(pc.equal(stance["origin"], published)).to_pylist(),
        stories,
        published=published,
    )
    doc_ids = tables["documents"]["doc_id"].combine_chunks()
    out.tables["annotations"] = annotation_table(doc_ids, tables["annotations"], spans)
    return out
