"""The publish gate: every suite over the corpus tables, with Great Expectations.

``validate_tables`` reads the tables with polars, derives the helper columns, and runs each
suite file on its frame in an ephemeral GX context (offline, no progress bars). A rule that fails
with severity ``critical`` blocks publishing; a ``warning`` is reported. The report names, for each
failed rule, the first offending rows (document, region, offsets, text) and counts the
quarantine by stage and reason. Great Expectations is imported only here.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newsspan.dataset.errors import InputError
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, QUARANTINE, RELATIONS, SPANS, STANCE, Table
from newsspan.validation.derive import derive_frames
from newsspan.validation.suite_files import load_suite, read_suite_files

__all__ = ["RuleResult", "ValidationReport", "validate_tables"]

EXAMPLES = 5
DOCS_SITE = "newsspan"  # the ephemeral context has a default site of its own, which is never built
_SHOWN = (
    "doc_id",
    "annotation_id",
    "region_id",
    "layer",
    "label",
    "start",
    "end",
    "text",
    "doc_slice",
    "relation",
    "value",
)


@dataclass
class RuleResult:
    rule_id: str
    suite: str
    severity: str
    description: str
    success: bool
    checked: int
    failed: int
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ValidationReport:
    rules: list[RuleResult]
    quarantine: dict[str, int]

    @property
    def critical_failures(self) -> list[RuleResult]:
        return [r for r in self.rules if not r.success and r.severity == "critical"]

    @property
    def passed(self) -> bool:
        return not self.critical_failures

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "rules": len(self.rules),
            "failed": {r.rule_id: r.severity for r in self.rules if not r.success},
            "quarantine": self.quarantine,
            "results": [asdict(r) for r in self.rules],
        }


def _read(folder: Path, table: Table) -> Any:
    import polars as pl

    from newsspan.dataset.io import read_table

    path = BuildFolder(folder).table(table)
    if not path.is_file():
        raise InputError(
            f"{folder} has no {table.file_name}; validate a `newsspan build` or `label convert` folder", path=path
        )
    frame = pl.read_parquet(path)  # polars' own reader: its frames join faster than converted ones
    if set(table.column_names) <= set(frame.columns):
        return frame.select(table.column_names)
    return pl.from_arrow(read_table(path, schema=table)).rechunk()  # older tables: fill new columns


def validate_tables(folder: Path, *, data_docs: Path | None = None) -> ValidationReport:
    """Run every suite on the tables in ``folder``; with ``data_docs``, build GX Data Docs there
    (static HTML; offline it renders without its CDN styles)."""
    tables = {t.name: _read(folder, t) for t in (DOCUMENTS, SPANS, RELATIONS, STANCE, ANNOTATIONS, QUARANTINE)}
    frames = derive_frames(tables)
    quarantine = tables["quarantine"].group_by("stage", "reason").len().sort("stage", "reason")
    counts = {f"{row['stage']}/{row['reason']}": row["len"] for row in quarantine.to_dicts()}
    results: list[RuleResult] = []
    context = _context(data_docs)
    suites = read_suite_files()
    for frame_name in dict.fromkeys(name.split(".")[0] for name in suites):
        # the suites of one frame run as one batch, so the frame crosses into pandas once, with
        # only the columns the suites read; example rows are read from the polars frame
        parts = {name: data for name, data in suites.items() if name.split(".")[0] == frame_name}
        frame = frames[frame_name]
        needed = set().union(*(_columns(data) for data in parts.values()))
        results.extend(_run(context, parts, frame, [c for c in frame.columns if c in needed]))
    return ValidationReport(sorted(results, key=lambda r: r.rule_id), counts)


def _columns(suite: dict[str, Any]) -> set[str]:
    """Every column a suite's expectations name (including row conditions)."""
    names: set[str] = set()
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        names.update(kwargs.get(key) for key in ("column", "column_A", "column_B") if kwargs.get(key))
        names.update(kwargs.get("column_list", []))
        condition = kwargs.get("row_condition")
        if isinstance(condition, dict):
            names.add(condition["column"]["name"])
    return names


def _context(data_docs: Path | None = None) -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)  # after import: GX sets its own level

    # GX fingerprints every in-memory batch by hashing the whole frame (about a second per million
    # rows); the fingerprint is a batch marker newsspan never reads, so hashing is switched off.
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)  # GX announces its temporary docs folder at INFO on its own loggers
    try:
        context = gx.get_context(mode="ephemeral")
    finally:
        logging.disable(previous)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if data_docs is not None:
        context.add_data_docs_site(
            site_name=DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs)},
            },
        )
    return context


def _run(context: Any, parts: dict[str, dict[str, Any]], frame: Any, columns: list[str]) -> list[RuleResult]:
    import great_expectations as gx

    suite_of = {e["meta"]["rule_id"]: name for name, data in parts.items() for e in data["expectations"]}
    name = "+".join(parts)
    merged = {"name": name, "meta": {}, "expectations": [e for data in parts.values() for e in data["expectations"]]}
    suite = context.suites.add(load_suite(merged))
    asset = context.data_sources.add_pandas(name=f"{name}-source").add_dataframe_asset(name=name)
    batch = asset.add_batch_definition_whole_dataframe(f"{name}-batch")
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    pandas = frame.select(columns).to_pandas()
    summary = {"result_format": "SUMMARY"}
    if DOCS_SITE in context.get_site_names():  # Data Docs are built by a checkpoint action
        from great_expectations.checkpoint.actions import UpdateDataDocsAction

        action = UpdateDataDocsAction(name="docs", site_names=[DOCS_SITE])
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(name=name, validation_definitions=[definition], actions=[action], result_format=summary)
        )
        (result,) = checkpoint.run(batch_parameters={"dataframe": pandas}).run_results.values()
    else:
        result = definition.run(batch_parameters={"dataframe": pandas}, result_format=summary)
    found = []
    for item in result.results:
        config = item.expectation_config
        details = item.result or {}
        indices = details.get("partial_unexpected_index_list") or []
        found.append(
            RuleResult(
                rule_id=config.meta["rule_id"],
                suite=suite_of[config.meta["rule_id"]],
                severity=str(getattr(config.severity, "value", config.severity)),
                description=config.meta["description"],
                success=bool(item.success),
                checked=int(details.get("element_count") or frame.height),
                failed=int(details.get("unexpected_count") or (0 if item.success else 1)),
                examples=_examples(frame, indices),
            )
        )
    return found


def _examples(frame: Any, indices: list[Any]) -> list[dict[str, Any]]:
    rows = []
    columns = [c for c in _SHOWN if c in frame.columns]
    for index in indices[:EXAMPLES]:
        position = index if isinstance(index, int) else None
        if position is not None and 0 <= position < frame.height:
            row = frame.select(columns).row(position, named=True)
            if isinstance(row.get("text"), str) and len(row["text"]) > 60:
                row["text"] = row["text"][:57] + "..."
            rows.append(row)
    return rows
