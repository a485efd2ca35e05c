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

__all__ = ["INGEST_REASONS", "IngestReason", "Rejection", "rejections_table", "rows_table"]

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


def rejections_table(rejections: Iterable[Rejection]) -> pa.Table:
    """The quarantine table for ``rejections``."""
    return rows_table([asdict(rejection) for rejection in rejections], QUARANTINE)
