"""The validation gate against the same checks in plain polars, on a generated corpus.

    python benchmarks/validation_gate.py                 # 1M spans
    python benchmarks/validation_gate.py --spans 20000   # a smoke run

Both sides start from the same tables and compute the same helper columns
(``newsspan.validation.findings`` and ``frames``); the baseline derives each frame whole and
evaluates every rule of ``newsspan.validation.rules`` as a polars expression, the gate runs the
Great Expectations suites in its default batches.
The GX import is timed separately (it is paid once per process). Target: the gate within 3x of
polars.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, QUARANTINE, RELATIONS, SPANS, STANCE
from newsspan.validation.batches import Batching, table_path
from newsspan.validation.findings import find
from newsspan.validation.frames import FRAMES, frame_batches
from newsspan.validation.rules import RULES

ARTICLE = ("The ministry said the panel report was biased. " * 60)[:2900]


def generate(folder: Path, spans: int, *, seed: int = 3) -> None:
    """Documents of ~2,900 characters with 25 spans each, relations and stance, as Parquet."""
    rng = np.random.default_rng(seed)
    docs = max(1, spans // 25)
    doc_ids = [f"d{i:08d}" for i in range(docs)]
    documents = pa.Table.from_pydict(
        {
            "doc_id": doc_ids,
            "source": doc_ids,
            "source_format": ["txt"] * docs,
            "raw_sha256": ["0" * 64] * docs,
            "encoding": ["utf-8"] * docs,
            "text": [ARTICLE] * docs,
            "published": ["2025-06-02"] * docs,
            "meta_spans": pa.array([[]] * docs, type=DOCUMENTS.arrow_schema.field("meta_spans").type),
        }
    )
    pq.write_table(_complete(documents, DOCUMENTS), folder / "documents.parquet")
    doc = rng.integers(0, docs, spans)
    start = rng.integers(0, 2800, spans)
    end = start + rng.integers(1, 60, spans)
    labels = np.array(["PERSON", "ORG", "GPE", "DATE", "QUOTE", "SPEAKER", "CUE"])
    label = labels[rng.integers(0, len(labels), spans)]
    layer = np.where(np.isin(label, ["QUOTE", "SPEAKER", "CUE"]), "quote", "entity")
    annotation = np.char.add("a", doc.astype(str))
    table = pl.DataFrame(
        {
            "doc_id": np.array(doc_ids)[doc],
            "annotation_id": annotation,
            "annotator": "ann@x.org",
            "origin": "human",
            "region_id": np.char.add("r", np.arange(spans).astype(str)),
            "layer": layer,
            "label": label,
            "start": start.astype(np.int32),
            "end": end.astype(np.int32),
        }
    ).with_columns(text=pl.lit(ARTICLE).str.slice(pl.col("start"), pl.col("end") - pl.col("start")))
    pq.write_table(_complete(table.to_arrow(), SPANS), folder / "spans.parquet")
    quotes = table.filter(pl.col("label") == "QUOTE").head(spans // 20)
    relations = quotes.select(
        "doc_id",
        "annotation_id",
        "annotator",
        "origin",
        pl.lit("said_by").alias("relation"),
        pl.col("region_id").alias("from_region_id"),
        pl.col("region_id").alias("to_region_id"),
    )
    pq.write_table(_complete(relations.to_arrow(), RELATIONS), folder / "relations.parquet")
    stance = quotes.select(
        "doc_id",
        "annotation_id",
        "annotator",
        "origin",
        pl.lit("quote").alias("scope"),
        "region_id",
        pl.lit("t").alias("target"),
        pl.lit("FAVOR").alias("value"),
    )
    pq.write_table(_complete(stance.to_arrow(), STANCE), folder / "stance.parquet")
    annotations = table.select("doc_id", "annotation_id", "annotator", "origin").unique("annotation_id")
    annotations = annotations.with_columns(cancelled=pl.lit(False), ground_truth=pl.lit(False), lead_time=pl.lit(60.0))
    pq.write_table(_complete(annotations.to_arrow(), ANNOTATIONS), folder / "annotations.parquet")
    pq.write_table(QUARANTINE.arrow_schema.empty_table(), folder / "quarantine.parquet")


def _complete(table: pa.Table, schema: Any) -> pa.Table:
    for column in schema.columns:
        if column.name not in table.column_names:
            table = table.append_column(column.field, pa.nulls(table.num_rows, column.type))
    return table.select(list(schema.column_names)).cast(schema.arrow_schema)


def _ok(rule: Any) -> pl.Expr:  # noqa: PLR0911 (one return per expectation type)
    """The rule as a polars expression that is True for good rows (GX semantics: nulls skipped)."""
    k = rule.kwargs
    if rule.expectation == "expect_column_values_to_be_in_set":
        return pl.col(k["column"]).is_in(k["value_set"]) | pl.col(k["column"]).is_null()
    if rule.expectation == "expect_column_values_to_be_unique":
        return pl.col(k["column"]).is_unique()
    if rule.expectation == "expect_column_value_lengths_to_be_between":
        return pl.col(k["column"]).str.len_chars() >= k["min_value"]
    if rule.expectation == "expect_column_values_to_be_between":
        return (pl.col(k["column"]) >= k["min_value"]) | pl.col(k["column"]).is_null()
    if rule.expectation == "expect_column_values_to_not_be_null":
        return pl.col(k["column"]).is_not_null() | (pl.col("origin") != "human")
    a, b = pl.col(k["column_A"]), pl.col(k["column_B"])
    missing = a.is_null() | b.is_null()
    if rule.expectation == "expect_column_pair_values_to_be_equal":
        return (a == b) | missing
    if rule.expectation == "expect_column_pair_values_a_to_be_greater_than_b":
        return ((a >= b) if k.get("or_equal") else (a > b)) | missing
    raise SystemExit(f"{rule.rule_id}: no polars version of {rule.expectation}; add one here")


def derive_frames(folder: Path) -> dict[str, pl.DataFrame]:
    """Every frame the suites check, whole (one batch each)."""
    whole = Batching(rows=2**31, documents=2**31, partition_rows=2**40)
    tables = (DOCUMENTS, SPANS, RELATIONS, STANCE, ANNOTATIONS, QUARANTINE)
    paths = {table.name: table_path(folder, table) for table in tables}
    columns = {name for table in tables for name in table.column_names}
    with tempfile.TemporaryDirectory() as scratch:
        findings = find(paths, whole, Path(scratch))
    return {name: pl.concat(frame_batches(name, paths, findings, whole, columns)) for name in FRAMES}


def polars_checks(folder: Path) -> dict[str, int]:
    frames = derive_frames(folder)
    return {rule.rule_id: int(frames[rule.frame].select((~_ok(rule)).sum()).item()) for rule in RULES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per side; medians are reported")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="newsspan-gate-"))
    generate(folder, args.spans)

    def polars_side() -> dict[str, int]:  # both sides read the tables from Parquet, derive, and check
        return polars_checks(folder)

    start = time.perf_counter()
    import great_expectations  # noqa: F401  (timed on its own: paid once per process)

    import_seconds = time.perf_counter() - start
    from newsspan.validation.gate import validate_tables

    polars_times, gate_times = [], []
    for _ in range(args.repeat):  # interleaved, so machine noise hits both sides alike
        start = time.perf_counter()
        baseline = polars_side()
        polars_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = validate_tables(folder)
        gate_times.append(time.perf_counter() - start)
    polars_seconds, gate_seconds = statistics.median(polars_times), statistics.median(gate_times)

    gx_failed = {r.rule_id: r.failed for r in report.rules}
    agree = all(gx_failed[rule] == count for rule, count in baseline.items())
    print(f"spans: {args.spans:,}  rules: {len(RULES)}  the two agree on every rule's failures: {agree}")
    print(f"medians of {args.repeat} interleaved runs")
    print(f"{'plain polars (read, derive, rules)':<36} {polars_seconds:8.2f} s")
    print(f"{'GX gate (read, derive, suites)':<36} {gate_seconds:8.2f} s   ratio {gate_seconds / polars_seconds:.2f}x")
    print(f"{'GX import (once per process)':<36} {import_seconds:8.2f} s")
    if not agree:  # a comparison of two different sets of checks would measure nothing
        wrong = {rule: (gx_failed[rule], count) for rule, count in baseline.items() if gx_failed[rule] != count}
        raise SystemExit(f"GX and polars disagree on (GX, polars) failures: {wrong}")


if __name__ == "__main__":
    main()
