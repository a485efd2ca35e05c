"""Rows that move between steps: quarantine rows and helpers to turn rows into schema tables.

Dropping is data: a step that refuses a row returns a :class:`Rejection` with a stable reason
code and a detail that says where the problem is and how to fix it. The quarantine table is
written beside the accepted rows, and counts reconcile: ``inputs = accepted + quarantined``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import pyarrow as pa

from newsspan.dataset.schema import QUARANTINE, Table

__all__ = ["INGEST_REASONS", "IngestReason", "Rejection", "rejections_table", "rows_table", "tuples_table"]

IngestReason = Literal[
    "empty",
    "binary",
    "undecodable",
    "too_large",
    "invalid_json",
    "missing_text",
    "unsupported_extension",
    "only_boilerplate",
    "too_short",
    "duplicate",
    "no_main_content",
    "invalid_html",
    "invalid_language",
    "dangling_link",
    "link_loop",
    "not_regular_file",
    "unreadable",
]
INGEST_REASONS: tuple[IngestReason, ...] = IngestReason.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Rejection:
    """One quarantine row (see :data:`newsspan.dataset.schema.QUARANTINE`)."""

    source: str
    doc_id: str | None
    stage: str
    reason: str
    detail: str


def rows_table(rows: Sequence[Mapping[str, Any]], table: Table) -> pa.Table:
    """Build ``table``'s Arrow table from dict rows (extra keys ignored, missing keys null)."""
    return pa.Table.from_pylist(list(rows), schema=table.arrow_schema)  # missing keys become nulls


def tuples_table(rows: Sequence[Sequence[Any]], table: Table) -> pa.Table:
    """Build ``table``'s Arrow table from rows given as tuples in its column order.

    Column by column (one ``pa.array`` per column), which is several times faster than
    :func:`rows_table` for large batches of small rows.
    """
    schema = table.arrow_schema
    widths = {len(row) for row in rows} or {len(schema)}
    if widths != {len(schema)}:  # a bug in the step that made the rows, not bad input
        raise ValueError(f"{table.name}: rows have {sorted(widths)} values, the table has {len(schema)} columns")
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema)


def rejections_table(rejections: Iterable[Rejection]) -> pa.Table:
    """The quarantine table for ``rejections``."""
    return rows_table([asdict(rejection) for rejection in rejections], QUARANTINE)
