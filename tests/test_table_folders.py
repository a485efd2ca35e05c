"""A table written as a folder of Parquet part files (as Spark writes one) reads as the table."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.errors import InputError
from newsspan.dataset.io import iter_table, read_table, table_parts
from newsspan.dataset.schema import RELATIONS

_WRITTEN = pa.schema([f for f in RELATIONS.arrow_schema if f.name != "provenance"])  # a nullable column left out


def _rows(first: int, count: int) -> pa.Table:
    rows = [
        {"doc_id": f"d{i}", "annotation_id": f"a{i}", "annotator": "m", "origin": "prediction"}
        | {"relation": "said_by", "from_region_id": f"p{i}", "to_region_id": f"q{i}"}
        for i in range(first, first + count)
    ]
    return pa.Table.from_pylist(rows, schema=_WRITTEN)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "relations"
    out.mkdir()
    for number, (first, count) in enumerate([(0, 3), (3, 0), (3, 4)]):
        pq.write_table(_rows(first, count), out / f"part-{number:05d}-c000.snappy.parquet")
    (out / "_SUCCESS").write_bytes(b"")
    pq.write_table(_rows(100, 2), out / "_temporary.parquet")  # an unfinished write: not the table's
    pq.write_table(_rows(200, 2), out / ".part-00009.parquet")
    return out


def test_a_folder_of_part_files_reads_in_part_order_without_hidden_or_underscore_files(folder: Path) -> None:
    assert [p.name for p in table_parts(folder)] == [f"part-{n:05d}-c000.snappy.parquet" for n in range(3)]
    read = pa.concat_tables(list(iter_table(folder, schema=RELATIONS, rows=2)))
    assert read.column("doc_id").to_pylist() == [f"d{i}" for i in range(7)]
    assert read.schema.equals(RELATIONS.arrow_schema), "conformed as a one-file table is: provenance as nulls"
    assert read.column("provenance").null_count == 7
    whole = read_table(folder, schema=RELATIONS)
    assert whole.sort_by("doc_id").equals(read.sort_by("doc_id"))


def test_a_folder_without_part_files_is_refused_naming_it_and_what_a_table_is(tmp_path: Path) -> None:
    empty = tmp_path / "relations"
    empty.mkdir()
    (empty / "_SUCCESS").write_bytes(b"")
    with pytest.raises(InputError, match=r"relations is a folder with no Parquet part files: .*part-\*\.parquet"):
        list(iter_table(empty, schema=RELATIONS))


def test_rows_scans_and_the_gates_batches_read_a_folder_as_one_table(folder: Path) -> None:
    from newsspan.dataset.io import scan_table, table_rows
    from newsspan.validation.batches import table_batches

    assert table_rows(folder) == 7
    assert scan_table(folder).collect()["doc_id"].to_list() == [f"d{i}" for i in range(7)]
    batches = list(table_batches(folder, RELATIONS, 2))
    assert [b.height for b in batches] == [2, 1, 2, 2]  # a part's batches, then the next part's
    rows = [row for b in batches for row in b["_row"].to_list()]
    assert rows == list(range(7)), "row numbers run on across the part files"


def test_a_local_write_replaces_a_table_folder_of_the_same_name(folder: Path, tmp_path: Path) -> None:
    from newsspan.dataset.io import staged_files

    out = tmp_path / "out"
    out.mkdir()
    spark_written = out / "relations.parquet"
    folder.rename(spark_written)  # Spark's table, named as the local file is
    with staged_files(out) as staging:
        pq.write_table(_rows(0, 1), staging / "relations.parquet")
    assert spark_written.is_file() and pq.read_metadata(spark_written).num_rows == 1
