"""What a stage holds while it reads a table a batch at a time: the batch, not what came before.

Arrow's own allocation counter (``pyarrow.total_allocated_bytes``) is exact and free of the noise
of the process's resident size, so these tests count the bytes Arrow still holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset import parts
from newsspan.dataset.io import iter_table
from newsspan.dataset.parts import split_by_document
from newsspan.dataset.schema import DOCUMENTS, QUOTE
from newsspan.validation.batches import ROW
from newsspan.validation.frames import _gold_quotes

GROUPS, GROUP_ROWS, CHARS = 16, 200, 2000  # a row group of 400 kB of text that does not compress
TEXTS = replace(DOCUMENTS, columns=tuple(c for c in DOCUMENTS.columns if c.name in ("doc_id", "text")))


def _texts(rows: int, start: int = 0) -> pa.Table:
    return pa.table(
        {
            "doc_id": [f"d{n:05d}" for n in range(start, start + rows)],
            "title": [os.urandom(CHARS // 2).hex() for _ in range(rows)],  # as long as the text, never read
            "text": [os.urandom(CHARS // 2).hex() for _ in range(rows)],
        }
    )


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wide") / "documents.parquet"
    pq.write_table(_texts(GROUPS * GROUP_ROWS), path, row_group_size=GROUP_ROWS)
    return path


def test_reading_a_table_in_batches_keeps_none_of_the_row_groups_read_before(wide: Path) -> None:
    held = []
    for batch in iter_table(wide, schema=TEXTS, rows=GROUP_ROWS):
        assert batch.column_names == ["doc_id", "text"]
        held.append(pa.total_allocated_bytes())
        del batch
    group = GROUP_ROWS * CHARS
    assert len(held) == GROUPS
    grown = max(held) - held[0]
    assert grown < group, f"{grown:,} bytes more after {GROUPS} row groups of {group:,} than after one"


def test_a_narrowed_schema_reads_only_its_columns(wide: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []
    iter_batches = pq.ParquetFile.iter_batches

    def recorded(self: pq.ParquetFile, *args: object, **kwargs: object) -> object:
        asked.append(kwargs.get("columns"))
        return iter_batches(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", recorded)
    for batch in iter_table(wide, schema=replace(TEXTS, columns=TEXTS.columns[:1]), rows=GROUP_ROWS):
        assert batch.column_names == ["doc_id"]
    assert asked == [["doc_id"]], "the text and title columns are never decoded"


def _span_batches(batches: int, rows: int, held: list[int]) -> Iterator[pl.DataFrame]:
    """Span batches as the gate reads them (strings are views into the Arrow batch), a gold QUOTE
    in each, none kept by the caller; before each, the bytes Arrow holds go to ``held``."""
    for number in range(batches):
        held.append(pa.total_allocated_bytes())
        arrow = pa.table(
            {
                "origin": ["gold"] + ["human"] * (rows - 1),
                "label": [QUOTE] * rows,
                "text": [os.urandom(CHARS // 2).hex() for _ in range(rows)],
            }
        )
        frame = pl.from_arrow(arrow)
        assert isinstance(frame, pl.DataFrame)
        del arrow
        yield frame.with_row_index(ROW, offset=number * rows)


def test_gold_quotes_gathered_from_many_batches_keep_none_of_the_batches() -> None:
    findings = SimpleNamespace(spans=pl.DataFrame(schema={ROW: pl.UInt32, "has_said_by": pl.Boolean}))
    held: list[int] = []
    (gathered,) = _gold_quotes(_span_batches(GROUPS, GROUP_ROWS, held), findings, 10**6)  # type: ignore[arg-type]
    assert gathered.height == GROUPS
    grown = held[-1] - held[0]  # the caller still holds the batch before: one batch
    assert grown < 2 * GROUP_ROWS * CHARS, f"{grown:,} bytes held for the {GROUPS - 1} rows gathered so far"


def test_a_split_reads_each_source_in_the_rows_given_for_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "texts.parquet"
    pq.write_table(_texts(50).select(["doc_id", "text"]), path)
    read: list[int] = []

    def counted(*args: object, **kwargs: object) -> Iterator[pa.Table]:
        for batch in iter_table(*args, **kwargs):  # type: ignore[arg-type]
            read.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(parts, "iter_table", counted)
    order = pa.array(sorted(f"d{n:05d}" for n in range(50)))
    split = split_by_document(
        {"documents": (path, TEXTS)}, order, tmp_path / "parts", documents=20, rows={"documents": 7}
    )
    assert read and max(read) == 7 and sum(read) == 50
    assert [len(tables["documents"]) for _, tables in split] == [20, 20, 10]
