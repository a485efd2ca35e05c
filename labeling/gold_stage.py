"""The gold stage: the adjudicated gold layer, and the corpus annotation tables written once.

In a build, the convert stage leaves each export's tables in a hidden part folder; this stage
reads them (once), adjudicates the human annotations by the ``[gold]`` strategy, and writes each
corpus table (``annotations``, ``spans``, ``relations``, ``stance``) once: the converted rows,
then the gold rows. On a folder without parts (``newsspan label gold TABLES``, a ``label
convert`` or build folder) it reads the folder's tables, replaces their earlier gold rows and
rewrites them. Beside them: ``gold_conflicts.parquet`` (everything not adjudicated, for review),
``gold.json`` and ``gold.md``. A build that converted no export has nothing to adjudicate: the
stage reports that and writes nothing.

Memory follows a part of the corpus, not the corpus: the human rows are streamed once into a
scratch copy, split by document (:mod:`newsspan.dataset.parts`, documents in sorted order, as
adjudication has always taken them), adjudicated one part at a time, and the corpus tables are
streamed out as the human rows followed by the gold rows, the order a whole-table run gives.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from newsspan.dataset.io import TableWriter, iter_table, write_json
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.parts import PART_DOCUMENTS, split_by_document
from newsspan.dataset.schema import ANNOTATION_TABLES, ANNOTATIONS
from newsspan.dataset.stage import StageContext, StageReport, nothing_converted

__all__ = ["GoldStage"]

NAME = "gold"
SHOWN_CONFLICTS = 50  # conflicts listed in gold.md (all of them are in gold_conflicts.parquet)
_DOC_IDS = replace(ANNOTATIONS, columns=tuple(c for c in ANNOTATIONS.columns if c.name == "doc_id"))


class GoldStage:
    """Adjudicate with ``context.settings.gold``, ``documents`` documents at a time."""

    name = NAME

    def __init__(self, *, documents: int = PART_DOCUMENTS) -> None:
        self.documents = documents

    def run(self, context: StageContext) -> StageReport:
        from newsspan.labeling.reports import gold_markdown

        if nothing_converted(context):
            return StageReport(NAME, None, summary=("gold: no Label Studio export, nothing to adjudicate",))
        folder, options = context.folder, context.settings.gold
        parts = folder.converted_parts()
        with tempfile.TemporaryDirectory(prefix=".gold-scratch-", dir=folder.root) as scratch:
            totals = self._adjudicate_all(folder, parts, Path(scratch), options)
        for part in parts:
            shutil.rmtree(part)
        counts = _counts(options, totals)
        write_json(counts, folder.summary(NAME))
        markdown = gold_markdown(counts, totals.shown)
        folder.markdown(NAME).write_text(markdown, encoding="utf-8")
        written = [folder.table(t) for t in ANNOTATION_TABLES]
        written += [folder.report_table(NAME), folder.summary(NAME), folder.markdown(NAME)]
        line = f"gold ({counts['strategy']}): {counts['gold_spans']} spans, {counts['conflicts']} conflicts for review"
        return StageReport(
            NAME, counts, markdown=markdown, summary=(line,), files=tuple(folder.relative(p) for p in written)
        )

    def _adjudicate_all(self, folder: BuildFolder, parts: list[Path], scratch: Path, options: Any) -> _Totals:
        """The converted rows split by document, gold per part to scratch, then the corpus tables
        (written to a temporary file each: reading a table while it is rewritten is safe) and the
        conflicts."""
        import pyarrow.compute as pc

        from newsspan.labeling.gold import CONFLICTS_SCHEMA

        converted = {
            t.name: [BuildFolder(part).table(t) for part in parts] or [folder.table(t)] for t in ANNOTATION_TABLES
        }
        order = _sorted_documents(converted[ANNOTATIONS.name])
        sources = {table.name: (converted[table.name], table) for table in ANNOTATION_TABLES}
        split = split_by_document(sources, order, scratch / "parts", documents=self.documents)  # old gold rows: ignored
        totals = _Totals()
        gold = {table.name: scratch / f"gold-{table.file_name}" for table in ANNOTATION_TABLES}
        conflicts = scratch / "conflicts.parquet"
        with ExitStack() as stack:
            writers = {t.name: stack.enter_context(TableWriter(gold[t.name], schema=t)) for t in ANNOTATION_TABLES}
            out = stack.enter_context(_RawWriter(conflicts, CONFLICTS_SCHEMA))
            for _, tables in split:
                part = adjudicate_part(tables, options=options)
                for table in ANNOTATION_TABLES:
                    writers[table.name].write(part.tables[table.name])
                out.write(part.tables["conflicts"])
                totals.add(part)
                del tables, part  # not kept alive while the next part is read
        for table in ANNOTATION_TABLES:  # the converted rows but earlier gold ones, then the gold rows
            with TableWriter(folder.table(table), schema=table) as writer:
                for path in converted[table.name]:
                    for rows in iter_table(path, schema=table):
                        writer.write(rows.filter(pc.not_equal(rows["origin"], "gold")))
                for rows in iter_table(gold[table.name], schema=table):
                    writer.write(rows)
        conflicts.replace(folder.report_table(NAME))
        return totals


@dataclass
class PartGold:
    """The gold rows and conflicts of one part's documents, in document order, and its counts."""

    tables: dict[str, Any]  # annotations, spans, relations, stance, conflicts
    documents: int
    by_rule: Counter[str]


def adjudicate_part(tables: dict[str, Any], *, options: Any) -> PartGold:
    """What one ``adjudicate`` of the part gives, in its order: the documents decided by votes on
    columns (:mod:`newsspan.labeling.gold_columns`), the others by the loop, interleaved."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from newsspan.labeling.gold import CONFLICTS_SCHEMA, adjudicate
    from newsspan.labeling.gold_columns import adjudicate_columns

    columns = adjudicate_columns(*(tables[t.name] for t in ANNOTATION_TABLES), options=options)
    if columns.documents:
        done = pa.array(columns.documents, pa.string())
        tables = {n: t.filter(pc.invert(pc.is_in(t["doc_id"], value_set=done))) for n, t in tables.items()}
    result = adjudicate(*(tables[t.name] for t in ANNOTATION_TABLES), options=options)
    out = {}
    for name, schema in [(t.name, t.arrow_schema) for t in ANNOTATION_TABLES] + [("conflicts", CONFLICTS_SCHEMA)]:
        looped = pa.Table.from_pylist(getattr(result, name), schema=schema)
        out[name] = _interleave(columns.tables.get(name, columns.conflicts), looped) if columns.documents else looped
    return PartGold(out, result.documents + len(columns.documents), result.by_rule + columns.by_rule)


def _interleave(first: Any, second: Any) -> Any:
    """Rows of two tables whose documents are disjoint, in document order (a stable sort: each
    document's rows keep their order)."""
    import polars as pl
    import pyarrow as pa

    both = pl.DataFrame(pa.concat_tables([first, second]))
    return both.sort("doc_id", maintain_order=True).to_arrow().cast(first.schema)


@dataclass
class _Totals:
    """What the parts' results add up to; the first conflicts, for the Markdown report."""

    documents: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    rows: Counter[str] = field(default_factory=Counter)  # gold rows per table, and "conflicts"
    shown: list[dict[str, Any]] = field(default_factory=list)

    def add(self, part: PartGold) -> None:
        self.documents += part.documents
        self.by_rule.update(part.by_rule)
        for name in ("spans", "relations", "stance", "conflicts"):
            self.rows[name] += part.tables[name].num_rows
        self.shown += part.tables["conflicts"].slice(0, SHOWN_CONFLICTS - len(self.shown)).to_pylist()


class _RawWriter:
    """A Parquet file of a report's schema, written batch by batch (compressed as reports are)."""

    def __init__(self, path: Path, schema: Any) -> None:
        import pyarrow.parquet as pq

        self._writer = pq.ParquetWriter(path, schema, compression="zstd")

    def write(self, table: Any) -> None:
        if table.num_rows:
            self._writer.write_table(table)

    def __enter__(self) -> _RawWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._writer.close()


def _sorted_documents(annotations: list[Path]) -> Any:
    """The distinct documents of the annotations tables, sorted (the order adjudication takes):
    one Arrow array of ids (some 15 bytes a document), never a Python string each."""
    import pyarrow as pa
    import pyarrow.compute as pc

    batches = (rows for path in annotations for rows in iter_table(path, schema=_DOC_IDS))
    each = [pc.unique(chunk) for rows in batches for chunk in rows["doc_id"].chunks]  # a batch's ids, once
    ids = pc.unique(pa.chunked_array(each, pa.string()))
    return pc.take(ids, pc.sort_indices(ids))  # UTF-8 byte order is code point order, as sorted() gives


def _counts(options: Any, totals: _Totals) -> dict[str, Any]:
    return {
        "strategy": options.strategy,
        "threshold": options.threshold if options.strategy == "threshold" else None,
        "reviewers": list(options.reviewers),
        "documents": totals.documents,
        "decided_by": dict(sorted(totals.by_rule.items())),
        "adjudicated_in_review": totals.by_rule.get("review project", 0),
        "gold_spans": totals.rows["spans"],
        "gold_relations": totals.rows["relations"],
        "gold_stance": totals.rows["stance"],
        "conflicts": totals.rows["conflicts"],
    }
