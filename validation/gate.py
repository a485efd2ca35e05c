"""The publish gate: every suite over the corpus tables, with Great Expectations.

``validate_tables`` never holds a whole table: it first reads what the cross-row rules need
(:mod:`newsspan.validation.findings`), then runs each frame's suites on the frame a batch at a
time (:mod:`newsspan.validation.frames`) in an ephemeral GX context (offline, no progress bars)
and sums the results: every rule is a row-wise expectation, so the element and unexpected
counts of the batches add up to the counts of the whole frame, and the first offending rows of
the first batches are the first of the frame. Peak memory follows ``Batching``, not the corpus.
A rule that fails with severity ``critical`` blocks publishing; a ``warning`` is reported. The
report names, for each failed rule, the first offending rows (document, region, offsets, text)
and counts the quarantine by stage and reason. Great Expectations is imported only here.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from newsspan.dataset.io import scan_table
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, QUARANTINE, RELATIONS, SPANS, STANCE
from newsspan.validation.batches import ROW, Batching, table_batches, table_path
from newsspan.validation.findings import find
from newsspan.validation.frames import frame_batches
from newsspan.validation.suite_files import load_suite, read_suite_files

__all__ = ["RuleResult", "ValidationReport", "validate_tables"]

EXAMPLES = 5  # offending rows shown per failed rule
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


def validate_tables(
    folder: Path, *, data_docs: Path | None = None, batching: Batching | None = None
) -> ValidationReport:
    """Run every suite on the tables in ``folder``, ``batching`` rows at a time; with
    ``data_docs``, build GX Data Docs there (static HTML, one validation page per batch; offline
    it renders without its CDN styles)."""
    batching = batching or Batching()
    paths = {t.name: table_path(folder, t) for t in (DOCUMENTS, SPANS, RELATIONS, STANCE, ANNOTATIONS, QUARANTINE)}
    quarantine = scan_table(paths["quarantine"]).group_by("stage", "reason").len().sort("stage", "reason")
    counts = {
        f"{row['stage']}/{row['reason']}": row["len"] for row in quarantine.collect(engine="streaming").to_dicts()
    }
    with tempfile.TemporaryDirectory(prefix="newsspan-gate-") as scratch:
        findings = find(paths, batching, Path(scratch))
    context = _context(data_docs)
    suites = read_suite_files()
    tallies: list[_Tally] = []
    for frame_name in dict.fromkeys(name.split(".")[0] for name in suites):
        # the suites of one frame run as one GX run per batch, so each batch crosses into pandas
        # once, with only the columns the suites read; example rows are read from the polars batch
        parts = {name: data for name, data in suites.items() if name.split(".")[0] == frame_name}
        needed = set().union(*(_columns(data) for data in parts.values()))
        batches = frame_batches(frame_name, paths, findings, batching, needed | set(_SHOWN))
        tallies.extend(_run(context, parts, batches, needed))
    _fill_slices([t for t in tallies if t.slices], paths["documents"], batching)
    return ValidationReport(sorted((t.result() for t in tallies), key=lambda r: r.rule_id), counts)


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


@dataclass
class _Tally:
    """One rule's results summed over the batches of its frame."""

    rule: RuleResult
    rows: int = 0  # rows of the frame seen, for a rule GX gives no element count
    slices: list[tuple[dict[str, Any], int | None, int, int]] = field(default_factory=list)

    def add(self, item: Any, batch: pl.DataFrame) -> None:
        details = item.result or {}
        self.rule.checked += int(details.get("element_count") or 0)
        self.rule.failed += int(details.get("unexpected_count") or 0)
        self.rule.success = self.rule.success and bool(item.success)
        wanted = EXAMPLES - len(self.rule.examples)
        if wanted > 0:
            indices = details.get("partial_unexpected_index_list") or []
            self.rule.examples.extend(_examples(batch, indices[:wanted], self.slices))

    def result(self) -> RuleResult:
        rule = self.rule
        rule.checked = rule.checked or self.rows
        rule.failed = rule.failed or (0 if rule.success else 1)
        return rule


def _run(
    context: Any, parts: dict[str, dict[str, Any]], batches: Iterator[pl.DataFrame], needed: set[str]
) -> list[_Tally]:
    import great_expectations as gx

    suite_of = {e["meta"]["rule_id"]: name for name, data in parts.items() for e in data["expectations"]}
    name = "+".join(parts)
    merged = {"name": name, "meta": {}, "expectations": [e for data in parts.values() for e in data["expectations"]]}
    suite = context.suites.add(load_suite(merged))
    asset = context.data_sources.add_pandas(name=f"{name}-source").add_dataframe_asset(name=name)
    batch_definition = asset.add_batch_definition_whole_dataframe(f"{name}-batch")
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
    )
    summary = {"result_format": "SUMMARY"}
    checkpoint = None
    if DOCS_SITE in context.get_site_names():  # Data Docs are built by a checkpoint action
        from great_expectations.checkpoint.actions import UpdateDataDocsAction

        action = UpdateDataDocsAction(name="docs", site_names=[DOCS_SITE])
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(name=name, validation_definitions=[definition], actions=[action], result_format=summary)
        )
    tallies: dict[str, _Tally] = {}
    for batch in batches:
        pandas = batch.select(c for c in batch.columns if c in needed).to_pandas()
        pandas.index = batch[ROW].cast(pl.Int64).to_numpy()  # GX reports rows by these labels
        if checkpoint is not None:
            (result,) = checkpoint.run(batch_parameters={"dataframe": pandas}).run_results.values()
        else:
            result = definition.run(batch_parameters={"dataframe": pandas}, result_format=summary)
        for item in result.results:
            config = item.expectation_config
            rule_id = config.meta["rule_id"]
            if rule_id not in tallies:
                severity = str(getattr(config.severity, "value", config.severity))
                rule = RuleResult(rule_id, suite_of[rule_id], severity, config.meta["description"], True, 0, 0)
                tallies[rule_id] = _Tally(rule)
            tallies[rule_id].rows += batch.height
            tallies[rule_id].add(item, batch)
    return list(tallies.values())


def _examples(
    batch: pl.DataFrame, indices: list[Any], slices: list[tuple[dict[str, Any], int | None, int, int]]
) -> list[dict[str, Any]]:
    """The batch's rows at GX's index labels (``_row``); a span's ``doc_slice`` is left for
    :func:`_fill_slices`, since the document text is not in the batch."""
    rows = []
    sliced = "_doc_row" in batch.columns
    columns = [c for c in _SHOWN if c in batch.columns or (sliced and c == "doc_slice")]
    positions = batch[ROW]
    for index in indices:
        if not isinstance(index, int):
            continue
        position = int(positions.search_sorted(index))
        if position < batch.height and positions[position] == index:
            values = batch.row(position, named=True)
            row = {c: values.get(c) for c in columns}
            text = row.get("text")
            if isinstance(text, str) and len(text) > 60:
                row["text"] = text[:57] + "..."
            if sliced:
                slices.append((row, values["_doc_row"], values["start"], values["end"]))
            rows.append(row)
    return rows


def _fill_slices(tallies: list[_Tally], documents: Path, batching: Batching) -> None:
    """Set ``doc_slice`` in the example rows of span rules: ``text[start:end]`` of the document
    (polars' slice, so negative or reversed offsets read as they did when the rule failed)."""
    wanted = [item for tally in tallies for item in tally.slices]
    if not wanted:
        return
    rows = {doc_row for _, doc_row, _, _ in wanted if doc_row is not None}
    texts: dict[int, str | None] = {}
    for batch in table_batches(documents, DOCUMENTS, batching.documents, ("text",)):
        for doc_row, text in batch.filter(pl.col(ROW).is_in(list(rows))).select(ROW, "text").iter_rows():
            texts[doc_row] = text
    frame = pl.DataFrame(
        {
            "doc_text": [texts.get(doc_row) if doc_row is not None else None for _, doc_row, _, _ in wanted],
            "start": [start for _, _, start, _ in wanted],
            "end": [end for _, _, _, end in wanted],
        },
        schema={"doc_text": pl.String, "start": pl.Int32, "end": pl.Int32},  # the spans' offset type
    )
    sliced = frame.select(pl.col("doc_text").str.slice(pl.col("start"), pl.col("end") - pl.col("start")))
    for (row, _, _, _), value in zip(wanted, sliced.to_series(), strict=True):
        row["doc_slice"] = value
