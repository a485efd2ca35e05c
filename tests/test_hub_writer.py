"""The dataset writer gathers batches into row groups of bounded size, whatever the batch size."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan.dataset.config import BuildOptions
from newsspan.dataset.hub.features import CONFIGS
from newsspan.dataset.layout import BuildFolder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from newsspan.dataset.build import build_corpus
    from newsspan.dataset.config import IngestOptions

    out = tmp_path_factory.mktemp("writer") / "corpus"
    build_corpus(None, out, options=IngestOptions())
    return out


def _rewrite(corpus: Path, target: Path, **kwargs) -> Path:
    from newsspan.dataset.hub.stage import write_dataset

    shutil.copytree(corpus, target)
    for config in CONFIGS:
        shutil.rmtree(target / config)
    write_dataset(BuildFolder(target), BuildOptions(), workers=1, **kwargs)
    return target


def test_batches_of_one_document_still_make_one_row_group_per_small_file(corpus, tmp_path):
    # before, every batch was a row group: a corpus of 200k documents gave each file 800 (the test
    # split's with 25 rows each), and the writers kept all their footers in memory
    one = _rewrite(corpus, tmp_path / "one", batch=1)
    for config in CONFIGS:
        for path in sorted((one / config).glob("*.parquet")):
            metadata = pq.read_metadata(path)
            assert metadata.num_row_groups == 1, f"{config}/{path.name}: {metadata.num_row_groups} row groups"
            assert pq.read_table(path).equals(pq.read_table(corpus / config / path.name)), f"{config}/{path.name}"


def test_the_gathered_rows_are_written_when_the_files_together_pass_the_bound(corpus, tmp_path, monkeypatch):
    from newsspan.dataset.hub import writer

    # a bound of 4 kB: the largest file's gathered rows are written whenever all files pass it
    monkeypatch.setattr(writer, "PENDING_BYTES", 4096)
    seen: list[int] = []
    flush = writer.DatasetWriter._flush

    def watched(self, key):
        seen.append(sum(self._pending_bytes.values()))
        flush(self, key)
        assert sum(self._pending_bytes.values()) < seen[-1], "a flush writes something"

    monkeypatch.setattr(writer.DatasetWriter, "_flush", watched)
    bounded = _rewrite(corpus, tmp_path / "bounded", batch=1)
    assert len(seen) > len(CONFIGS) * 3, "the bound made the writer write before the end"
    groups = 0
    for config in CONFIGS:
        for path in sorted((bounded / config).glob("*.parquet")):
            groups += pq.read_metadata(path).num_row_groups
            assert pq.read_table(path).equals(pq.read_table(corpus / config / path.name)), f"{config}/{path.name}"
    assert groups > len(CONFIGS) * 3, "more row groups than one per file, the same rows"
