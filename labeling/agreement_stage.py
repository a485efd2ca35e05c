"""The agreement stage: inter-annotator agreement over a folder's human annotations.

Span F1 per layer, label and annotator pair, and Krippendorff's alpha for document and quote
stance (see :mod:`newsspan.labeling.agreement`), written as ``agreement.parquet`` (every
figure), ``agreement.json`` and ``agreement.md``, into the folder or ``context.options["out"]``.
A build that converted no export has nothing to compare: the stage says so and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from newsspan.dataset.io import ensure_folder, read_table, write_json, write_table_raw
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, SPANS, STANCE
from newsspan.dataset.stage import StageContext, StageReport, nothing_converted

__all__ = ["AgreementStage"]

NAME = "agreement"


class AgreementStage:
    """Agreement figures of the human annotations in ``context.folder``."""

    name = NAME

    def run(self, context: StageContext) -> StageReport:
        from newsspan.labeling.agreement import compute_agreement
        from newsspan.labeling.reports import agreement_markdown

        if nothing_converted(context):
            return StageReport(NAME, None, summary=("agreement: no Label Studio export, nothing to compare",))
        folder = context.folder
        out = BuildFolder(Path(context.options.get("out") or folder.root))
        annotations = read_table(folder.table(ANNOTATIONS), schema=ANNOTATIONS)
        spans = read_table(folder.table(SPANS), schema=SPANS)
        stance = read_table(folder.table(STANCE), schema=STANCE)
        exclude = bool(context.options.get("exclude_accepted", context.settings.agreement.exclude_accepted_predictions))
        documents = read_table(folder.table(DOCUMENTS), schema=DOCUMENTS).select(["doc_id", "text"])
        texts = dict(zip(documents["doc_id"].to_pylist(), documents["text"].to_pylist(), strict=True))
        report = compute_agreement(annotations, spans, stance, exclude_accepted=exclude, texts=texts)
        ensure_folder(out.root)
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
