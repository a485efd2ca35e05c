"""The dataset write in worker processes: the very files of one process, and failures that stop it cleanly."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.config import BuildOptions
from newsspan.dataset.hub.features import CONFIGS
from newsspan.dataset.layout import BuildFolder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from newsspan.dataset.build import build_corpus
    from newsspan.dataset.config import IngestOptions

    out = tmp_path_factory.mktemp("workers") / "corpus"
    build_corpus(None, out, options=IngestOptions())
    return out


@pytest.fixture
def small_parts(monkeypatch):
    # parts of 4 documents, jobs of 2: the 10-document sample becomes 5 jobs in 3 parts, more
    # than two workers take at once, so results written out of order would show
    import newsspan.dataset.hub.stage
    import newsspan.dataset.parts

    monkeypatch.setattr(newsspan.dataset.parts, "PART_DOCUMENTS", 4)
    monkeypatch.setattr(newsspan.dataset.hub.stage, "JOB_DOCUMENTS", 2)


def _copy(corpus: Path, target: Path) -> Path:
    shutil.copytree(corpus, target)
    for config in CONFIGS:
        shutil.rmtree(target / config)
    return target


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for config in CONFIGS
        for p in sorted((folder / config).glob("*"))
    }


@pytest.fixture(params=["nupunkt", "rules"])
def splitter(request):
    # the sentence splitter is a module setting of the stage's process: the workers must use it too
    from newsspan.dataset.heuristics.sentences import use_splitter

    use_splitter(request.param)
    yield request.param
    use_splitter(None)


def test_two_workers_write_the_very_files_of_one_process(corpus, tmp_path, small_parts, splitter):
    from newsspan.dataset.hub.stage import write_dataset

    one, two = _copy(corpus, tmp_path / "one"), _copy(corpus, tmp_path / "two")
    counts_one = write_dataset(BuildFolder(one), BuildOptions(), batch=1, workers=1)
    counts_two = write_dataset(BuildFolder(two), BuildOptions(), batch=1, workers=2)
    assert counts_one == counts_two
    assert counts_one["rows"]["ner"]["train"] > 0
    files = _files(one)
    assert len(files) == len(CONFIGS) * len(counts_one["rows"]["documents"])
    assert _files(two) == files, "the same bytes, file by file"
    assert not list(two.glob(".dataset-scratch-*")), "the parts and the workers' files are removed"


def test_the_files_do_not_depend_on_the_number_of_workers_or_the_batches(corpus, tmp_path):
    # the build (default workers, batches of 250) wrote the corpus's files; one process with batches
    # of 3 documents writes the same rows
    from newsspan.dataset.hub.stage import write_dataset

    stage = _copy(corpus, tmp_path / "stage")
    write_dataset(BuildFolder(stage), BuildOptions(), batch=3, workers=1)
    for config in CONFIGS:
        for path in sorted((corpus / config).glob("*.parquet")):
            assert pq.read_table(stage / config / path.name).equals(pq.read_table(path)), f"{config}/{path.name}"


def _break_a_label(folder: Path) -> str:
    """Give one gold entity a label the schema does not have; returns its document."""
    path = folder / "spans.parquet"
    spans = pq.read_table(path)
    gold = pc.and_(pc.equal(spans["origin"], "gold"), pc.equal(spans["layer"], "entity"))
    row = pc.index(gold, True).as_py()
    labels = spans["label"].to_pylist()
    labels[row] = "NOT_A_LABEL"
    index = spans.schema.get_field_index("label")
    pq.write_table(spans.set_column(index, spans.schema.field("label"), pa.array(labels)), path)
    return str(spans["doc_id"][row].as_py())


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "two-workers"])
def test_a_failure_stops_the_write_and_leaves_no_file_that_looks_complete(corpus, tmp_path, small_parts, workers):
    from newsspan.dataset.hub.stage import write_dataset
    from newsspan.dataset.hub.workers import DatasetWorkerError

    stage = tmp_path / "stage"
    shutil.copytree(corpus, stage)  # the files of an earlier write are there too
    doc_id = _break_a_label(stage)
    expected = DatasetWorkerError if workers > 1 else ValueError
    with pytest.raises(expected, match="NOT_A_LABEL") as raised:
        write_dataset(BuildFolder(stage), BuildOptions(), batch=1, workers=workers)
    if workers > 1:
        message = str(raised.value)
        assert "failed in a worker process" in message and "no dataset file was kept" in message
        part = re.search(r"part \d+, documents \d+-\d+ \('(.+?)' to '(.+?)'\)", message)
        assert part, message
        assert doc_id in _between(stage, *part.groups()), "the part named holds the broken document"
        assert isinstance(raised.value.__cause__, ValueError), "the worker's error is the cause"
    for config in CONFIGS:
        assert not (stage / config).exists() or not list((stage / config).iterdir()), f"{config}: no file is left"
    assert not list(stage.glob(".dataset-scratch-*"))


def _between(folder: Path, first: str, last: str) -> list[str]:
    """The documents from ``first`` to ``last``, in the documents table's order."""
    order = pq.read_table(folder / "documents.parquet", columns=["doc_id"])["doc_id"].to_pylist()
    return order[order.index(first) : order.index(last) + 1]


def test_a_failure_in_the_rows_of_a_document_names_the_document():
    from newsspan.dataset.hub.rows import gold_rows

    with pytest.raises(KeyError) as raised:
        gold_rows([{"doc_id": "doc-without-text"}], [], [], [], {"doc-without-text": "doc-without-text"})
    assert raised.value.__notes__ == ["while making the dataset rows of document 'doc-without-text'"]


def test_a_killed_worker_is_an_error_that_names_its_work_not_a_hang():
    import os

    from newsspan.dataset.hub.workers import DatasetWorkerError, start_workers

    with start_workers(2) as workers, pytest.raises(DatasetWorkerError, match="item 1 ended without an answer"):
        list(workers.in_order(os._exit, [1, 2], describe=lambda item: f"item {item}"))


def test_by_default_a_corpus_under_workers_from_documents_stays_in_the_stage_process(corpus, tmp_path, monkeypatch):
    # a worker costs about two seconds to start: the sample's 10 documents are made in the stage
    from newsspan.dataset.hub import stage

    documents = corpus / "documents.parquet"
    assert stage._default_count(documents) == 1
    monkeypatch.setattr(stage, "WORKERS_FROM", 10)  # the sample has 10 documents
    assert stage._default_count(documents) == min(2, os.cpu_count() or 1)
    monkeypatch.setattr(stage, "WORKERS_FROM", 11)
    assert stage._default_count(documents) == 1
    assert stage._default_count(tmp_path / "missing.parquet") == 1, "the read that follows names the problem"


@pytest.mark.parametrize("workers", [0, -2], ids=["zero", "negative"])
def test_workers_must_be_at_least_one(corpus, tmp_path, workers):
    from newsspan.dataset.hub.stage import DatasetStage, write_dataset

    stage = _copy(corpus, tmp_path / "stage")
    with pytest.raises(ValueError, match=rf"workers must be at least 1 \(1: no worker processes\), not {workers}"):
        write_dataset(BuildFolder(stage), BuildOptions(), workers=workers)
    assert DatasetStage().workers is None, "unset: the stage picks min(2, cores)"


KEEP_WORKERS_BUSY = """
import time
from newsspan.dataset.hub.workers import start_workers

with start_workers(2) as workers:
    list(workers.in_order(abs, [-1, -2], describe=str))  # both processes are up
    print("ready", flush=True)
    list(workers.in_order(time.sleep, [600, 600], describe=str))
"""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads a process's children from /proc")
def test_workers_end_when_the_stage_process_is_killed():
    # kill -9 of a build must not leave its workers waiting forever for work (and holding memory)
    import signal
    import subprocess
    import sys
    import time

    stage = subprocess.Popen([sys.executable, "-c", KEEP_WORKERS_BUSY], stdout=subprocess.PIPE, text=True)
    try:
        assert stage.stdout is not None and stage.stdout.readline().strip() == "ready"
        children = [int(pid) for pid in Path(f"/proc/{stage.pid}/task/{stage.pid}/children").read_text().split()]
        assert len(children) >= 2, children  # the workers (and multiprocessing's resource tracker)
    finally:
        stage.send_signal(signal.SIGKILL)
        stage.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in children):
        time.sleep(0.2)
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
    for pid in alive:  # a failed test leaves nothing behind either
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"workers {alive} outlived the killed stage"


def test_the_workers_key_of_the_build_table_is_checked():
    from newsspan.dataset.config import Settings
    from newsspan.dataset.errors import ConfigError

    assert Settings.from_mapping({"build": {"workers": 1}}, where="newsspan.toml").build.workers == 1
    with pytest.raises(ConfigError, match=r"build.workers must be at least 1 \(1: in this process\), got 0"):
        Settings.from_mapping({"build": {"workers": 0}}, where="newsspan.toml")


def test_a_worker_hands_freed_memory_back_after_each_job_also_after_a_failure(monkeypatch):
    # a long-lived worker would otherwise hold the peak of the largest job it ran (the story
    # traces' before the config rows')
    from newsspan.dataset.hub import workers

    released = []
    monkeypatch.setattr(workers, "release_memory", lambda: released.append(True))
    assert workers._released(lambda n: n * 2, 21) == 42
    assert released == [True]

    def fails(_: int) -> int:
        raise ValueError("a bad document")

    with pytest.raises(ValueError, match="a bad document"):
        workers._released(fails, 1)
    assert released == [True, True]


def test_release_memory_runs_where_the_c_library_has_no_malloc_trim(monkeypatch):
    from newsspan.dataset import runtime

    runtime.release_memory()  # glibc here: trims; elsewhere: nothing
    monkeypatch.setattr(runtime, "_malloc_trim", lambda: None)
    runtime.release_memory()
