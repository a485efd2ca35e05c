"""How ingest's steps run: a step is a function over a batch's rows (dicts), and each public step
takes and returns an Arrow table by converting once on each side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from newsspan.dataset.records import Rejection

__all__ = ["Row", "Step", "on_table", "rows_of", "table_of"]

Row = dict[str, Any]
Step = Callable[[list[Row]], tuple[list[Row], list[Rejection]]]


def rows_of(table: pa.Table) -> list[Row]:
    return table.to_pylist()  # type: ignore[no-any-return]


def table_of(rows: list[Row]) -> pa.Table:
    return pa.Table.from_pylist(rows) if rows else pa.table({})


def on_table(step: Step, table: pa.Table) -> tuple[pa.Table, list[Rejection]]:
    """Run the row-level ``step`` on ``table``: (kept rows as a table, quarantine rows)."""
    kept, rejected = step(rows_of(table))
    return table_of(kept), rejected
