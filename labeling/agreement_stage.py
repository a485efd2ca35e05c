"""The agreement stage: inter-annotator agreement over a folder's human annotations.

Span F1 per layer, label and annotator pair, and Krippendorff's alpha for document and quote
stance (see :mod:`newsspan.labeling.agreement`), written as ``agreement.parquet`` (every
figure), ``agreement.json`` and ``agreement.md``, into the folder or ``context.options["out"]``.
A build that converted no export has nothing to compare: the stage says so and writes nothing.

Memory follows a part of the corpus, not the corpus: one pass over the annotations table finds
the documents coded twice or more, the tables are split into parts of those documents in doc_id
order (:func:`newsspan.dataset.parts.split_by_document`, in a hidden scratch folder beside the
reports, removed afterwards), and the figures are summed part by part
(:class:`newsspan.labeling.agreement.Agreement`).
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsspan.dataset.io import ensure_folder, iter_table, write_json, write_table_raw
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.parts import PART_DOCUMENTS, split_by_document
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, SPANS, STANCE
from newsspan.dataset.stage import StageContext, StageReport, nothing_converted

if TYPE_CHECKING:
    from newsspan.labeling.agreement import AgreementReport

__all__ = ["AgreementStage", "agreement_by_parts", "shared_documents"]

NAME = "agreement"
# The documents' ids and texts only: the parts need not carry the metadata columns.
TEXTS = replace(DOCUMENTS, columns=tuple(c for c in DOCUMENTS.columns if c.name in ("doc_id", "text")))
TEXT_ROWS = 1000  # documents table rows read at a time: a few MB of articles and their metadata


class AgreementStage:
    """Agreement figures of the human annotations in ``context.folder``."""

    name = NAME

    def run(self, context: StageContext) -> StageReport:
        from newsspan.labeling.reports import agreement_markdown

        if nothing_converted(context):
            return StageReport(NAME, None, summary=("agreement: no Label Studio export, nothing to compare",))
        folder = context.folder
        out = BuildFolder(Path(context.options.get("out") or folder.root))
        exclude = bool(context.options.get("exclude_accepted", context.settings.agreement.exclude_accepted_predictions))
        ensure_folder(out.root)
        with tempfile.TemporaryDirectory(prefix=f".{NAME}-parts-", dir=out.root) as scratch:
            report = agreement_by_parts(folder, Path(scratch), exclude_accepted=exclude)
        write_table_raw(report.table, out.report_table(NAME))
        counts = {
            "documents": report.documents,
            "annotators": report.annotators,
            "stance_alpha": report.alpha,
            "span_provenance": report.provenance,
            "token_alpha": report.span_alpha,
            "unitizing_alpha": report.unitizing_alpha,
            "excluded_accepted_predictions": report.excluded_accepted,
        }
        write_json(counts, out.summary(NAME))
        markdown = agreement_markdown(report)
        out.markdown(NAME).write_text(markdown, encoding="utf-8")
        line = f"agreement: {report.documents} documents coded twice or more, {len(report.annotators)} annotators"
        written = (out.report_table(NAME), out.summary(NAME), out.markdown(NAME))
        return StageReport(
            NAME, counts, markdown=markdown, summary=(line,), files=tuple(out.relative(p) for p in written)
        )


def agreement_by_parts(
    folder: BuildFolder, scratch: Path, *, exclude_accepted: bool = False, documents: int = PART_DOCUMENTS
) -> AgreementReport:
    """The agreement figures of ``folder``'s tables, ``documents`` documents coded twice or more
    at a time (their parts written under ``scratch``, which the caller removes)."""
    from newsspan.labeling.agreement import Agreement

    order = shared_documents(folder.table(ANNOTATIONS))
    scratch.mkdir(parents=True, exist_ok=True)
    tables = {table.name: (folder.table(table), table) for table in (ANNOTATIONS, SPANS, STANCE)}
    tables[DOCUMENTS.name] = (_shared_texts(folder.table(DOCUMENTS), order, scratch / "texts.parquet"), TEXTS)
    parts = split_by_document(tables, order, scratch, documents=documents, rows={DOCUMENTS.name: TEXT_ROWS})
    agreement = Agreement(exclude_accepted=exclude_accepted)
    for _, part in parts:
        texts = part[DOCUMENTS.name]
        agreement.add(
            part[ANNOTATIONS.name],
            part[SPANS.name],
            part[STANCE.name],
            dict(zip(texts["doc_id"].to_pylist(), texts["text"].to_pylist(), strict=True)),
        )
        del part, texts  # not kept alive while the next part is read
    return agreement.report()


def _shared_texts(path: Path, order: pa.Array, out: Path) -> Path:
    """Copy the ids and texts of the ``order`` documents from the documents table at ``path`` to
    ``out``, a few documents at a time: the documents table is wide (metadata, page regions), and
    a split reads its input in large batches."""
    with pq.ParquetWriter(out, TEXTS.arrow_schema) as writer:
        for rows in iter_table(path, schema=TEXTS, rows=TEXT_ROWS):
            writer.write_table(rows.filter(pc.is_in(rows["doc_id"], value_set=order)))
    return out


def shared_documents(path: Path) -> pa.Array:
    """The ids, sorted, of the documents two or more annotators coded (human, not cancelled
    annotations), from the annotations table at ``path`` read a batch at a time."""
    coders = []
    for rows in iter_table(path, schema=ANNOTATIONS):
        human = pc.and_(pc.equal(rows["origin"], "human"), pc.invert(rows["cancelled"]))
        usable = rows.filter(pc.and_(human, pc.not_equal(rows["annotator"], "")))  # a null annotator: dropped too
        coders.append(usable.select(["doc_id", "annotator"]))
    keys = pa.concat_tables(coders)
    keys = keys.take(pc.sort_indices(keys, sort_keys=[("doc_id", "ascending"), ("annotator", "ascending")]))
    doc, who = keys["doc_id"].combine_chunks(), keys["annotator"].combine_chunks()
    if len(doc) < 2:
        return doc.slice(0, 0)
    same_doc = pc.equal(doc.slice(1), doc.slice(0, len(doc) - 1))
    another = pc.and_(same_doc, pc.not_equal(who.slice(1), who.slice(0, len(who) - 1)))  # a second annotator
    return pc.unique(doc.slice(1).filter(another))  # sorted (byte order of UTF-8 is code point order)
