"""The validation stage: the publish gate over a folder's tables.

Runs every suite (:func:`newsspan.validation.gate.validate_tables`) and writes
``validation.json`` and ``validation.md`` (each failed rule with its first offending rows) into
the folder or ``context.options["out"]``, with GX Data Docs in ``gx-docs/`` when
``context.options["data_docs"]`` is set. With ``blocking`` (a build), a critical failure stops:
the report is kept beside the build's target folder, which stays as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.io import ensure_folder, write_json
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.stage import StageContext, StageReport

__all__ = ["ValidationStage"]

NAME = "validation"


class ValidationStage:
    """The gate; ``blocking`` turns a critical failure into an error (the build's behaviour)."""

    name = NAME

    def __init__(self, *, blocking: bool = True) -> None:
        self.blocking = blocking

    def run(self, context: StageContext) -> StageReport:
        from newsspan.validation.gate import validate_tables
        from newsspan.validation.report import validation_markdown

        folder = context.folder
        out = BuildFolder(Path(context.options.get("out") or folder.root))
        report = validate_tables(folder.root, data_docs=out.gx_docs if context.options.get("data_docs") else None)
        ensure_folder(out.root)
        write_json(report.as_dict(), out.summary(NAME))
        markdown = validation_markdown(report)
        out.markdown(NAME).write_text(markdown, encoding="utf-8")
        failed = ", ".join(r.rule_id for r in report.critical_failures)
        if self.blocking and not report.passed:
            kept = (context.target or out).failed_validation()
            shutil.copyfile(out.markdown(NAME), kept)
            raise NewsspanError(f"the build failed validation on critical rule(s) {failed}; see {kept}")
        counts = {k: v for k, v in report.as_dict().items() if k != "results"}
        warnings = ", ".join(counts["failed"]) or "none"
        verdict = "passed" if report.passed else f"FAILED on critical rule(s) {failed}"
        line = f"validation: {verdict} ({counts['rules']} rules; warnings: {warnings})"
        written = (out.summary(NAME), out.markdown(NAME))
        return StageReport(
            NAME, counts, markdown=markdown, summary=(line,), files=tuple(out.relative(p) for p in written)
        )
