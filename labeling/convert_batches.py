"""The rows conversion writes, held in batches and written a batch at a time (memory bounded by a batch).

Spans (most of the rows) are held as columns (:class:`SpanColumns`): the typed path
(:mod:`newsspan.labeling.convert_typed`) appends each span's values to them, with no tuple per
span to build and then transpose, and the columns every span of an annotation shares are
extended once per annotation. The other tables' rows are tuples in their schema's column order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

import pyarrow as pa

from newsspan.dataset.io import TableWriter
from newsspan.dataset.records import rejections_table, rows_table, tuples_table
from newsspan.dataset.schema import SPANS

__all__ = ["Batches", "SpanColumns"]


class SpanColumns:
    """Rows of the spans table as one list per column; ``support`` and ``rule`` are null (no
    converted span has them) and so are not held."""

    __slots__ = ("end", "head", "label", "layer", "provenance", "region", "repair", "start", "text")

    def __init__(self) -> None:
        self.head: tuple[list[Any], ...] = ([], [], [], [])
        self.region: list[str] = []
        self.layer: list[str] = []
        self.label: list[str] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.text: list[str] = []
        self.repair: list[str | None] = []
        self.provenance: list[str | None] = []

    def __len__(self) -> int:
        return len(self.region)

    def extend_head(self, head: tuple[Any, ...], count: int) -> None:
        """Give the last ``count`` spans (all of one annotation) the annotation's columns."""
        for column, value in zip(self.head, head, strict=True):
            column.extend(repeat(value, count))

    def add(self, row: tuple[Any, ...], *, head: bool = True) -> None:
        """Append a row given as a tuple in the schema's column order (the dict path's); without
        its annotation's columns when ``head`` is false (:meth:`extend_head` gives them)."""
        if row[11] is not None or row[12] is not None:  # a bug: conversion never sets them
            raise ValueError(f"spans: a converted span has support {row[11]!r} and rule {row[12]!r}")
        for column, value in zip(self.head if head else (), row, strict=False):
            column.append(value)
        self.region.append(row[4])
        self.layer.append(row[5])
        self.label.append(row[6])
        self.start.append(row[7])
        self.end.append(row[8])
        self.text.append(row[9])
        self.repair.append(row[10])
        self.provenance.append(row[13])

    def truncate(self, length: int) -> None:
        """Forget every span after the first ``length`` (those of a task left to the dict path)."""
        for column in (*self.head, *self._body()):
            del column[length:]

    def _body(self) -> tuple[list[Any], ...]:
        return (self.region, self.layer, self.label, self.start, self.end, self.text, self.repair, self.provenance)

    def take(self) -> pa.Table:
        """The spans as a table of :data:`SPANS`; the columns are emptied."""
        schema, count = SPANS.arrow_schema, len(self)
        values = [*self.head, *self._body()[:7], None, None, self.provenance]
        arrays = [
            pa.nulls(count, type=f.type) if column is None else pa.array(column, type=f.type)
            for column, f in zip(values, schema, strict=True)
        ]
        self.truncate(0)
        return pa.Table.from_arrays(arrays, schema=schema)


@dataclass
class Batches:
    """Rows waiting to be written, by table name; a table's batch is written once ``size`` rows."""

    writers: dict[str, TableWriter]
    size: int
    pending: dict[str, list[Any]] = field(default_factory=dict)
    spans: SpanColumns = field(default_factory=SpanColumns)

    def add(self, name: str, rows: list[Any]) -> None:
        if name == "spans":
            for row in rows:
                self.spans.add(row)
            self.check_spans()
            return
        self.pending.setdefault(name, []).extend(rows)
        if len(self.pending[name]) >= self.size:
            self.flush(name)

    def check_spans(self) -> None:
        """Write the spans once they are a batch (the typed path appends to them directly)."""
        if len(self.spans) >= self.size:
            self.flush("spans")

    def flush(self, name: str | None = None) -> None:
        if name in (None, "spans") and len(self.spans):
            self.writers["spans"].write(self.spans.take())
        for key in [name] if name else list(self.pending):
            rows = self.pending.pop(key, [])
            if rows:
                writer = self.writers[key]
                if key == "quarantine":
                    table = rejections_table(rows)
                elif key == "documents":
                    table = rows_table(rows, writer.schema)
                else:
                    table = tuples_table(rows, writer.schema)
                writer.write(table)
