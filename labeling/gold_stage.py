"""The gold stage: the adjudicated gold layer, and the corpus annotation tables written once.

In a build, the convert stage leaves each export's tables in a hidden part folder; this stage
reads them (once), adjudicates the human annotations by the ``[gold]`` strategy, and writes each
corpus table (``annotations``, ``spans``, ``relations``, ``stance``) once: the converted rows,
then the gold rows. On a folder without parts (``newsspan label gold TABLES``, a ``label
convert`` or build folder) it reads the folder's tables, replaces their earlier gold rows and
rewrites them. Beside them: ``gold_conflicts.parquet`` (everything not adjudicated, for review),
``gold.json`` and ``gold.md``. A build that converted no export has nothing to adjudicate: the
stage reports that and writes nothing.
"""

from __future__ import annotations

import shutil
from typing import Any

from newsspan.dataset.io import read_table, write_json, write_table, write_table_raw
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import ANNOTATION_TABLES, Table
from newsspan.dataset.stage import StageContext, StageReport, nothing_converted

__all__ = ["GoldStage"]

NAME = "gold"


class GoldStage:
    """Adjudicate with ``context.settings.gold``."""

    name = NAME

    def run(self, context: StageContext) -> StageReport:
        import pyarrow as pa
        import pyarrow.compute as pc

        from newsspan.labeling.gold import CONFLICTS_SCHEMA, adjudicate
        from newsspan.labeling.reports import gold_markdown

        if nothing_converted(context):
            return StageReport(NAME, None, summary=("gold: no Label Studio export, nothing to adjudicate",))
        folder, options = context.folder, context.settings.gold
        parts = folder.converted_parts()
        loaded = {table.name: _converted(folder, parts, table) for table in ANNOTATION_TABLES}
        human = {name: t.filter(pc.not_equal(t["origin"], "gold")) for name, t in loaded.items()}
        result = adjudicate(*(human[t.name] for t in ANNOTATION_TABLES), options=options)
        for table in ANNOTATION_TABLES:
            gold = pa.Table.from_pylist(getattr(result, table.name), schema=table.arrow_schema)
            write_table(pa.concat_tables([human[table.name], gold]), folder.table(table), schema=table)
        for part in parts:
            shutil.rmtree(part)
        write_table_raw(pa.Table.from_pylist(result.conflicts, schema=CONFLICTS_SCHEMA), folder.report_table(NAME))
        counts = _counts(options, result)
        write_json(counts, folder.summary(NAME))
        markdown = gold_markdown(counts, result.conflicts)
        folder.markdown(NAME).write_text(markdown, encoding="utf-8")
        written = [folder.table(t) for t in ANNOTATION_TABLES]
        written += [folder.report_table(NAME), folder.summary(NAME), folder.markdown(NAME)]
        line = f"gold ({counts['strategy']}): {counts['gold_spans']} spans, {counts['conflicts']} conflicts for review"
        return StageReport(
            NAME, counts, markdown=markdown, summary=(line,), files=tuple(folder.relative(p) for p in written)
        )


def _converted(folder: BuildFolder, parts: list[Any], table: Table) -> Any:
    """The converted rows of ``table``: the convert stage's parts in export order, else the folder's table."""
    import pyarrow as pa

    if not parts:
        return read_table(folder.table(table), schema=table)
    return pa.concat_tables([read_table(BuildFolder(part).table(table), schema=table) for part in parts])


def _counts(options: Any, result: Any) -> dict[str, Any]:
    return {
        "strategy": options.strategy,
        "threshold": options.threshold if options.strategy == "threshold" else None,
        "reviewers": list(options.reviewers),
        "documents": result.documents,
        "decided_by": dict(sorted(result.by_rule.items())),
        "adjudicated_in_review": result.by_rule.get("review project", 0),
        "gold_spans": len(result.spans),
        "gold_relations": len(result.relations),
        "gold_stance": len(result.stance),
        "conflicts": len(result.conflicts),
    }
