"""The last step of ingest: an article whose normalized text equals an earlier one's is refused.

The first copy wins (inputs are read in sorted order, so the same one wins on every run); the
refusal names it. The filter keeps the sha256 of every text it has seen, so it runs across
batches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pyarrow as pa

from newsspan.dataset.ingest.rowsteps import Row, on_table
from newsspan.dataset.records import Rejection

__all__ = ["DuplicateFilter"]

STAGE = "ingest"


@dataclass
class DuplicateFilter:
    """Refuse an article whose normalized text equals an earlier one's (first one wins)."""

    seen: dict[str, tuple[str, str]] = field(default_factory=dict)  # text sha256 -> (doc_id, source)

    def __call__(self, table: pa.Table) -> tuple[pa.Table, list[Rejection]]:
        return on_table(self.rows, table)

    def rows(self, rows: list[Row]) -> tuple[list[Row], list[Rejection]]:
        """The row-level step: keep first copies, refuse later ones."""
        kept: list[Row] = []
        rejected: list[Rejection] = []
        for row in rows:
            key = hashlib.sha256(row["text"].encode("utf-8")).hexdigest()
            first = self.seen.setdefault(key, (row["doc_id"], row["source"]))
            if first == (row["doc_id"], row["source"]):
                kept.append(row)
                continue
            same = " (the files are byte for byte the same)" if first[0] == row["doc_id"] else ""
            detail = (
                f"{row['source']}: same normalized text as document {first[0]} ({first[1]}){same}; "
                "the first copy is kept: remove this one from the input"
            )
            rejected.append(Rejection(row["source"], row["doc_id"], STAGE, "duplicate", detail))
        return kept, rejected
