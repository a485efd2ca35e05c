"""The quality stage's corpus a part at a time: which predictions to score, and the rules per part.

A first pass reads only the ``doc_id``, ``origin`` and ``annotator`` columns of the spans and the
``doc_id``, ``outlet`` and ``source`` columns of the documents, a batch at a time: which documents have gold rows,
which have prediction rows of this rules version, and each document's repetition group. The
decision is the whole-corpus one it always was: the predictions already in the tables are
scored when they cover every gold document, otherwise the rules run on every document.

The rules count the lines a source repeats over all documents of its group
(:mod:`~newsspan.dataset.heuristics.repetition`). Documents are put in parts by group, so most
parts hold every document of their groups and run through
:func:`~newsspan.dataset.preannotate.preannotate_documents` as they are; the groups cut by a part
boundary have their repeated lines counted once over the corpus, and the documents of a part
holding one of them run the same per-document rules with those counts. Predictions are the same
rows a run over the whole table gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from newsspan.dataset.errors import InputError
from newsspan.dataset.heuristics.repetition import document_group, repeated_lines
from newsspan.dataset.io import iter_table
from newsspan.dataset.schema import DOCUMENTS, SPANS, Table

__all__ = ["Corpus", "RulesForParts", "survey_corpus"]

Repeated = dict[str, dict[str, float]]  # group -> normalised line -> share of the group's documents
_BATCH_DOCUMENTS = 2000  # documents read at a time in the passes over them (texts: a few MB)


@dataclass
class Corpus:
    """What the first pass found: the documents (distinct, in table order) and their groups, the
    documents with gold rows and those with prediction rows of this rules version."""

    documents: list[str]
    groups: dict[str, str]  # doc_id -> repetition group
    gold: set[str] = field(default_factory=set)
    covered: set[str] = field(default_factory=set)

    @property
    def use_existing(self) -> bool:
        """The predictions in the tables cover every gold document (a document without them
        would count as all misses), so they are scored and the rules do not run."""
        return bool(self.covered) and self.gold <= self.covered

    def order(self) -> pa.Array:
        """The documents to score, in part order: the gold documents when the predictions are
        already there, else every document, by group (so a part holds whole groups)."""
        if self.use_existing:
            return pa.array(sorted(self.gold), pa.string())
        return pa.array(sorted(self.documents, key=lambda d: (self.groups[d], d)), pa.string())


def survey_corpus(spans: Path, documents: Path, model_version: str) -> Corpus:
    """The first pass (see the module docstring); gold documents missing from ``documents`` are
    an :class:`InputError` (nothing to score them on)."""
    groups: dict[str, str] = {}
    for rows in _columns(documents, DOCUMENTS, ("doc_id", "outlet", "source")):
        for doc_id, outlet, source in zip(*(rows[c].to_pylist() for c in rows.column_names), strict=True):
            groups.setdefault(doc_id, document_group(outlet, source or ""))
    corpus = Corpus(list(groups), groups)
    for rows in _columns(spans, SPANS, ("doc_id", "origin", "annotator")):
        doc_ids, origin = rows["doc_id"], rows["origin"]
        corpus.gold.update(pc.unique(doc_ids.filter(pc.equal(origin, "gold"))).to_pylist())
        mine = pc.and_(pc.equal(origin, "prediction"), pc.equal(rows["annotator"], model_version))
        corpus.covered.update(pc.unique(doc_ids.filter(mine)).to_pylist())
    missing = sorted(corpus.gold.difference(groups))
    if missing:
        raise InputError(
            f"{len(missing)} document(s) with gold spans are not in {documents}, e.g. '{missing[0]}'; "
            "score a folder whose documents table has every annotated document",
            path=documents,
            doc_id=missing[0],
        )
    return corpus


def _columns(path: Path, schema: Table, names: tuple[str, ...]) -> Iterator[pa.Table]:
    """Only ``names`` of a newsspan table, a batch at a time (a column the file lacks reads as
    nulls, as :func:`~newsspan.dataset.io.iter_table` reads it, which checks the file first)."""
    import pyarrow.parquet as pq

    next(iter_table(path, schema=schema, rows=1))  # a missing or unreadable file or column: io's error
    fields = [schema.arrow_schema.field(name) for name in names]
    with pq.ParquetFile(path) as handle:
        present = [name for name in names if name in handle.schema_arrow.names]
        for batch in handle.iter_batches(batch_size=65_536, columns=present):
            rows = pa.Table.from_batches([batch], schema=batch.schema)
            for f in fields:
                if f.name not in present:
                    rows = rows.append_column(f, pa.nulls(rows.num_rows, f.type))
            yield rows.select(list(names)).cast(pa.schema(fields))


class RulesForParts:
    """The rules' predictions for the parts of :meth:`Corpus.order`, ``documents`` per part."""

    def __init__(self, corpus: Corpus, order: pa.Array, documents: int, documents_path: Path) -> None:
        groups = corpus.groups
        first: dict[str, int] = {}
        self.cut: set[str] = set()  # groups whose documents lie in more than one part
        for position, doc_id in enumerate(order.to_pylist()):
            group = groups[doc_id]
            if first.setdefault(group, position // documents) != position // documents:
                self.cut.add(group)
        self.repeated: Repeated = self._count_cut(documents_path, groups) if self.cut else {}

    def _count_cut(self, path: Path, groups: dict[str, str]) -> Repeated:
        """The repeated lines of the cut groups, over all their documents (one pass over the texts)."""
        from newsspan.dataset.heuristics.proposals import DEFAULTS

        def texts() -> Iterator[tuple[str, str]]:
            for rows in iter_table(path, schema=DOCUMENTS, rows=_BATCH_DOCUMENTS):
                for doc_id, text in zip(rows["doc_id"].to_pylist(), rows["text"].to_pylist(), strict=True):
                    if groups[doc_id] in self.cut:
                        yield groups[doc_id], text

        return repeated_lines(texts(), DEFAULTS)

    def predict(self, documents: pa.Table) -> tuple[pa.Table, pa.Table]:
        """The prediction spans and relations of one part's documents."""
        from newsspan.dataset import preannotate

        found = zip(documents["outlet"].to_pylist(), documents["source"].to_pylist(), strict=True)
        groups = [document_group(outlet, source or "") for outlet, source in found]
        # a group cut across parts has its repeated lines counted over the corpus (none: none repeat)
        counted = {group: self.repeated.get(group, {}) for group in set(groups) & self.cut}
        made = preannotate.preannotate_documents(documents, counted=counted)
        return made.spans, made.relations
