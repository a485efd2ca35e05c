"""Tables split by document (dataset/parts.py): every row lands in its document's part, in order."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from newsspan.dataset.io import iter_table, write_table
from newsspan.dataset.parts import split_by_document
from newsspan.dataset.schema import ANNOTATIONS, STANCE

# (doc_id, annotation_id): documents interleaved, one document ("zz") not in the order
ROWS = [("d3", "a1"), ("d1", "a2"), ("d3", "a3"), ("zz", "a4"), ("d2", "a5"), ("d1", "a6"), ("d4", "a7")]
ORDER = ["d1", "d2", "d3", "d4"]


def _annotations(tmp_path: Path) -> Path:
    rows = [
        {
            "doc_id": d,
            "annotation_id": a,
            "annotator": "x",
            "origin": "human",
            "cancelled": False,
            "ground_truth": False,
        }
        for d, a in ROWS
    ]
    path = tmp_path / ANNOTATIONS.file_name
    write_table(pa.Table.from_pylist(rows, schema=ANNOTATIONS.arrow_schema), path, schema=ANNOTATIONS)
    return path


@pytest.mark.parametrize("documents", [1, 2, 3, 4, 10], ids=lambda n: f"{n}-per-part")
def test_each_part_holds_its_documents_rows_in_their_order(tmp_path: Path, documents: int) -> None:
    sources = {"annotations": (_annotations(tmp_path), ANNOTATIONS)}
    parts = split_by_document(sources, pa.array(ORDER), tmp_path / "scratch", documents=documents)
    seen = []
    for doc_ids, tables in parts:
        rows = tables["annotations"].select(["doc_id", "annotation_id"]).to_pylist()
        assert {r["doc_id"] for r in rows} <= set(doc_ids.to_pylist())
        expected = [(d, a) for d, a in ROWS if d in doc_ids.to_pylist()]
        assert [(r["doc_id"], r["annotation_id"]) for r in rows] == expected
        seen += expected
    assert parts.count == -(-len(ORDER) // documents)
    assert sorted(seen) == sorted(r for r in ROWS if r[0] != "zz")
    assert parts.outside == {"annotations": 1}  # the row of "zz": counted, in no part


def test_a_table_without_rows_of_a_part_gives_an_empty_table_of_its_schema(tmp_path: Path) -> None:
    empty = tmp_path / STANCE.file_name
    write_table(STANCE.arrow_schema.empty_table(), empty, schema=STANCE)
    sources = {"annotations": (_annotations(tmp_path), ANNOTATIONS), "stance": (empty, STANCE)}
    parts = split_by_document(sources, pa.array(ORDER), tmp_path / "scratch", documents=2)
    for _, tables in parts:
        assert tables["stance"].num_rows == 0
        assert tables["stance"].schema == STANCE.arrow_schema
    assert parts.outside["stance"] == 0


def test_iter_table_reads_in_batches_what_read_table_reads(tmp_path: Path) -> None:
    path = _annotations(tmp_path)
    batches = list(iter_table(path, schema=ANNOTATIONS, rows=3))
    assert [b.num_rows for b in batches] == [3, 3, 1]
    assert pa.concat_tables(batches).column("annotation_id").to_pylist() == [a for _, a in ROWS]


def test_a_part_size_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1, not 0"):
        split_by_document({}, pa.array(ORDER), tmp_path, documents=0)
