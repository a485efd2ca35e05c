"""The convert stage of a build: the Label Studio exports → converted annotation tables.

Each export is copied into the build (``exports/NN-name``, the release's provenance, listed with
its sha256 in the manifest) and converted against the build's documents into its own hidden
folder; the gold stage then writes the corpus tables from those parts and the gold layer, each
table once. Conversion quarantine rows join the ingest quarantine. Without exports, the corpus
annotation tables are written here, empty, so later stages can rely on them.
"""

from __future__ import annotations

import shutil
from typing import Any

from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.io import file_sha256, read_table, write_table
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import ANNOTATION_TABLES, DOCUMENTS, QUARANTINE
from newsspan.dataset.stage import StageContext, StageReport

__all__ = ["ConvertStage"]


class ConvertStage:
    """Convert every export of ``context.exports``; the counts are one summary per export."""

    name = "convert"

    def run(self, context: StageContext) -> StageReport:
        import pyarrow as pa

        from newsspan.labeling.tables import convert_export, known_documents

        folder = context.folder
        missing = [e for e in context.exports if not e.is_file()]
        if missing:
            raise NewsspanError(f"Label Studio export {missing[0]} does not exist", path=missing[0])
        known = known_documents(folder.table(DOCUMENTS)) if context.exports else None  # read once
        summaries: list[dict[str, Any]] = []
        kept: list[dict[str, Any]] = []
        for number, export in enumerate(context.exports, start=1):
            copy = folder.kept_export(number, export)
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(export, copy)
            summary = convert_export(copy, folder.converted(number), known=known)
            _refuse_useless(export, summary.as_dict())
            summaries.append({"export": folder.relative(copy), **summary.as_dict()})
            kept.append(_export_entry(folder, copy) | {"source": export.name})
        parts = folder.converted_parts()
        quarantine = [read_table(folder.table(QUARANTINE), schema=QUARANTINE)]
        quarantine += [read_table(BuildFolder(part).table(QUARANTINE), schema=QUARANTINE) for part in parts]
        write_table(pa.concat_tables(quarantine), folder.table(QUARANTINE), schema=QUARANTINE)
        written = [folder.table(QUARANTINE), *(folder.root / e["name"] for e in kept)]
        if not parts:  # nothing to convert or adjudicate: the annotation tables are empty
            for table in ANNOTATION_TABLES:
                write_table(table.arrow_schema.empty_table(), folder.table(table), schema=table)
                written.append(folder.table(table))
        return StageReport(
            self.name,
            summaries,  # one summary per export
            summary=tuple(_line(s) for s in summaries),
            files=tuple(folder.relative(p) for p in written),
            provenance={"exports": kept},
        )


def _refuse_useless(export: Any, summary: dict[str, Any]) -> None:
    """Stop the build when an export gave it nothing: no task, no task of its documents, or
    no result item converted. Such a build would pass the gate with an empty gold layer."""
    tasks, refused, reasons = summary["tasks"], summary["tasks_quarantined"], summary["quarantine_reasons"]
    why = ", ".join(f"{reason} {count}" for reason, count in reasons.items())
    if not tasks:
        raise NewsspanError(f"Label Studio export {export} has no tasks; export the project again", path=export)
    if refused == tasks:
        raise NewsspanError(
            f"none of the {tasks} task(s) of Label Studio export {export} matched a document of this build "
            f"({why}); build with the articles the tasks were pushed from, or pull the right project's export",
            path=export,
        )
    if summary["result_items"] and not summary["result_items_converted"]:
        raise NewsspanError(
            f"Label Studio export {export}: 0 of its {summary['result_items']} result items converted ({why}); "
            "see the reasons above, fix the export or the articles, and build again",
            path=export,
        )


def _line(summary: dict[str, Any]) -> str:
    versions = summary["review_versions_not_converted"]
    return (
        f"convert {summary['export']}: {summary['tasks']} tasks, {summary['result_items_converted']} result "
        f"items in tables, {summary['result_items_quarantined']} quarantined"
        + (f" (a review project's: {versions} annotators' versions not converted again)" if versions else "")
    )


def _export_entry(folder: BuildFolder, path: Any) -> dict[str, Any]:
    return {"name": folder.relative(path), "sha256": file_sha256(path), "bytes": path.stat().st_size}
