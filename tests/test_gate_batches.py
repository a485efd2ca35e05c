"""The gate in batches reports exactly what it reports in one batch: counts, examples, verdicts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.errors import NewsspanError
from newsspan.validation.batches import Batching
from newsspan.validation.gate import validate_tables
from newsspan.validation.report import validation_markdown

TINY = Batching(rows=7, documents=2, partition_rows=25)  # many batches, documents and parts
WHOLE = Batching(rows=10**7, documents=10**7, partition_rows=10**8)  # every frame in one batch


def _rewrite(folder: Path, table: str, change) -> None:
    rows = pq.read_table(folder / f"{table}.parquet")
    data = rows.to_pylist()
    data = change(data) or data
    pq.write_table(pa.Table.from_pylist(data, schema=rows.schema), folder / f"{table}.parquet")


@pytest.fixture(scope="module")
def defects(tmp_path_factory) -> Path:
    """Three documents of the sample with defects of a dozen rules, some far apart in a table."""
    from newsspan.dataset.build import build_corpus
    from newsspan.dataset.config import IngestOptions

    built = tmp_path_factory.mktemp("sample") / "corpus"
    build_corpus(None, built, options=IngestOptions())
    folder = tmp_path_factory.mktemp("defects") / "corpus"
    shutil.copytree(built, folder)
    keep = sorted(pq.read_table(folder / "documents.parquet").column("doc_id").to_pylist())[:3]
    for table in ("documents", "spans", "relations", "stance", "annotations"):
        _rewrite(folder, table, lambda rows: [r for r in rows if r["doc_id"] in keep])

    def spans(rows):
        for number, row in enumerate(rows):
            if number % 9 == 0:
                row["label"] = "PERSN"  # SPAN-002, and SPAN-003 cannot judge it
            if number % 10 == 3:
                row["text"] = row["text"][1:] + " "  # SPAN-012
            if number % 13 == 5:
                row["start"] = -3  # SPAN-005
            if number % 17 == 6:
                row["doc_id"] = "no-such-doc"  # SPAN-010
            if number % 19 == 7:
                row["end"] += 100_000  # SPAN-011
            if number % 23 == 8:
                row["annotator"] = None  # SPAN-007 (a warning)
        rows.extend(dict(row) for row in rows[4:12])  # SPAN-013/014 across the table
        rows.extend(dict(row, region_id=f"x{row['region_id']}") for row in rows[20:24])  # SPAN-014 only

    _rewrite(folder, "spans", spans)
    _rewrite(folder, "relations", lambda rows: [r.update(to_region_id="gone") for r in rows[::3]] and None)
    _rewrite(folder, "stance", lambda rows: [r.update(value="SUPPORT") for r in rows[::2]] and None)
    _rewrite(folder, "documents", lambda rows: [*rows, dict(rows[0]), dict(rows[1], text="")])  # DOC-001/002
    _rewrite(folder, "annotations", lambda rows: [*rows, *(dict(r, lead_time=-1.0) for r in rows[:2])])
    return folder


def test_a_tiny_batch_gives_the_report_of_one_batch(defects):
    tiny, whole = validate_tables(defects, batching=TINY), validate_tables(defects, batching=WHOLE)
    assert tiny.as_dict() == whole.as_dict()
    assert validation_markdown(tiny) == validation_markdown(whole)
    counts = {rule.rule_id: (rule.severity, rule.failed, rule.checked) for rule in tiny.rules if not rule.success}
    assert counts == FAILED
    by_id = {rule.rule_id: rule for rule in tiny.rules}
    assert [len(by_id[rule].examples) for rule in ("DOC-001", "DOC-002", "SPAN-012")] == [4, 1, 5]
    assert all(row["doc_slice"] != row["text"] for row in by_id["SPAN-012"].examples)  # the slice, read back


# rule: (severity, failed rows, rows checked); the seeded defects above, counted once
FAILED = {
    "ANN-001": ("critical", 4, 9),  # two annotations copied: every copy and its original
    "ANN-002": ("warning", 2, 9),
    "DOC-001": ("critical", 4, 5),  # two documents copied
    "DOC-002": ("critical", 1, 5),
    "GOLD-002": ("warning", 1, 4),  # the sample's known disagreement
    "REL-003": ("critical", 20, 60),
    "REL-004": ("critical", 14, 60),
    "SPAN-002": ("critical", 36, 325),
    "SPAN-005": ("critical", 25, 325),
    "SPAN-007": ("warning", 9, 192),  # checked: human spans only
    "SPAN-010": ("critical", 21, 325),
    "SPAN-011": ("critical", 17, 325),
    "SPAN-012": ("critical", 26, 325),
    "SPAN-013": ("critical", 16, 325),  # 8 copied rows and their originals
    "SPAN-014": ("warning", 24, 325),  # those, and 4 renamed copies with theirs
    "SPAN-015": ("critical", 15, 325),
    "STANCE-001": ("critical", 19, 37),
    "STANCE-003": ("critical", 5, 37),
}


def test_a_batch_size_must_be_positive():
    with pytest.raises(NewsspanError, match=r"Batching.rows is 0; it must be a positive row count"):
        Batching(rows=0)
