"""The dataset stage's Python work spread over worker processes, its results used in order.

Story traces (MinHash signatures of paragraphs) and config rows (sentences, tokens, rows per
span) are Python and numpy work that one process cannot spread over cores. :func:`start_workers`
starts a pool of processes with ``spawn`` (a fresh interpreter: ``fork`` would copy the stage's
memory), and :meth:`Workers.in_order` hands it items and gives the results back in the items'
order, one item ahead of the workers: results never pile up, memory follows the workers, not
the corpus. With one worker everything runs in the stage's process, as before.

A part (:class:`~newsspan.dataset.hub.batches.PartJob`: the part files' folder and number, its
documents, their stories and splits; never the tables) becomes Arrow IPC files next to the part
files, one per config and split, a record batch per batch of documents (:func:`make_part`);
:func:`write_parts` writes them into the Parquet files in part order, so the files are those one
process writes, byte for byte.

A worker's failure stops the stage: the error names what the worker was making (the part and
its documents, and the document being made when there was one); the pool is shut down after its
running tasks, and the dataset writer removes its files, so nothing half-written looks complete.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyarrow as pa

from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.hub.batches import PartJob
from newsspan.dataset.hub.features import CONFIGS
from newsspan.dataset.hub.writer import ConfigEncoder, DatasetWriter
from newsspan.dataset.runtime import gc_paused, release_memory

__all__ = ["DatasetWorkerError", "Workers", "default_workers", "make_part", "start_workers", "write_parts"]

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def default_workers() -> int:
    """Worker processes when none are asked for: two (the machines this runs on have two cores
    to spare; each worker holds a part of the corpus) or fewer on a machine with fewer cores."""
    return min(2, os.cpu_count() or 1)


class DatasetWorkerError(RuntimeError):
    """A worker process failed (a bug, or the process was killed): the message names what it was
    making; the cause is the worker's error, with its traceback."""


@dataclass(frozen=True, slots=True)
class Workers:
    """``count`` worker processes in ``pool``, or none (``count`` 1: work in this process)."""

    count: int
    pool: Executor | None = None

    def in_order(
        self, work: Callable[[_Item], _Result], items: Iterable[_Item], *, describe: Callable[[_Item], str]
    ) -> Iterator[tuple[_Item, _Result]]:
        """``(item, work(item))`` for every item, in the items' order. ``work`` must be picklable
        (a module's function, or a partial of one). A worker's failure is raised as
        :class:`DatasetWorkerError` naming ``describe(item)``, a :class:`NewsspanError` as it is."""
        if self.pool is None:
            for item in items:
                yield item, work(item)
            return
        pending: deque[tuple[_Item, Future[_Result]]] = deque()
        for item in items:
            pending.append((item, self.pool.submit(_released, work, item)))
            if len(pending) > self.count:  # one item queued beyond the running ones
                yield _result(*pending.popleft(), describe)
        while pending:
            yield _result(*pending.popleft(), describe)


@contextmanager
def start_workers(count: int) -> Iterator[Workers]:
    """``count`` worker processes for the block (none when 1); at its end, or on an error, the
    pool is shut down after its running tasks (seconds), and no queued task starts."""
    if count < 1:
        raise ValueError(f"workers must be at least 1 (1: no worker processes), not {count}")
    if count == 1:
        yield Workers(1)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from newsspan.dataset.heuristics.sentences import default_splitter

    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(count, mp_context=context, initializer=_start_worker, initargs=(default_splitter(),))
    try:
        yield Workers(count, pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(splitter: str) -> None:
    """A worker process's settings: the stage's sentence splitter (a module setting a new
    interpreter would not have), and the system allocator for Arrow (mimalloc keeps the freed
    buffers of the last batch: ~60 MB more at each worker's peak); and a watch on the stage's
    process, which ends this one when the stage is killed (a pool's workers would wait forever
    for work from a process that is gone)."""
    import multiprocessing
    import threading

    from newsspan.dataset.heuristics.sentences import use_splitter

    use_splitter(splitter)
    pa.set_memory_pool(pa.system_memory_pool())
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), name="parent-watch", daemon=True).start()


def _released(work: Callable[[_Item], _Result], item: _Item) -> _Result:
    """``work(item)`` in a worker, then the heap it freed handed back to the system: the C
    allocator keeps freed pages for reuse, so a worker would otherwise hold the peak of every
    kind of job it ran (the story traces' before the config rows')."""
    try:
        return work(item)
    finally:
        release_memory()


def _end_with(sentinel: int) -> None:
    """Wait until the process behind ``sentinel`` has ended, then end this one."""
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(1)


def _result(item: _Item, future: Future[_Result], describe: Callable[[_Item], str]) -> tuple[_Item, _Result]:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return item, future.result()
    except NewsspanError as exc:  # the user's to fix (a full disk): the CLI prints it
        exc.add_note(f"in the worker process making {describe(item)}")
        raise
    except BrokenProcessPool as exc:
        raise DatasetWorkerError(
            f"dataset write: the worker process making {describe(item)} ended without an answer (killed, out of "
            "memory, or it could not start: a script that runs the build needs an `if __name__ == '__main__':` "
            "guard, as with any spawned process); no dataset file was kept. With workers=1 the stage works in "
            "its own process"
        ) from exc
    except Exception as exc:
        notes = "".join(f"; {note}" for note in getattr(exc, "__notes__", ()))
        raise DatasetWorkerError(
            f"dataset write: {describe(item)} failed in a worker process: {type(exc).__name__}: {exc}{notes}; "
            "no dataset file was kept"
        ) from exc


def _made(scratch: Path, job: PartJob) -> Path:
    return scratch / f"made-{job.number:05d}-{job.first:06d}"


def make_part(job: PartJob, *, scratch: Path, encoder: ConfigEncoder) -> int:
    """In a worker: the part's config tables as Arrow IPC files in a folder of ``scratch``
    (``config-split.arrow``, a record batch per batch of documents); returns the misaligned entities."""
    out = _made(scratch, job)
    out.mkdir(parents=True)
    files: dict[tuple[str, str], tuple[pa.NativeFile, pa.ipc.RecordBatchStreamWriter]] = {}
    misaligned = 0
    try:
        with gc_paused():  # many short-lived rows, no cycles (see dataset.runtime)
            for batch in job.batches(encoder):
                misaligned += batch.misaligned
                for config, split, table in batch.tables:
                    if (config, split) not in files:
                        sink = pa.OSFile(str(out / f"{config}-{split}.arrow"), "wb")
                        files[config, split] = (sink, pa.ipc.new_stream(sink, table.schema))
                    files[config, split][1].write_batch(table.combine_chunks().to_batches()[0])
    finally:
        for sink, stream in files.values():
            stream.close()
            sink.close()
    return misaligned


def write_parts(writer: DatasetWriter, jobs: Iterable[PartJob], *, workers: Workers, scratch: Path) -> int:
    """Make every part's config tables (in the workers, or this process) and write them in part
    order; returns the misaligned entities. ``scratch`` holds the workers' files."""
    misaligned = 0
    if workers.pool is None:
        for job in jobs:
            for batch in job.batches(writer.encoder):
                misaligned += batch.misaligned
                for config, split, table in batch.tables:
                    writer.write_table(config, split, table)
        return misaligned
    work = functools.partial(make_part, scratch=scratch, encoder=writer.encoder)
    for job, count in workers.in_order(work, jobs, describe=PartJob.describe):
        made = _made(scratch, job)
        for config in CONFIGS:
            for split in writer.used:
                path = made / f"{config}-{split}.arrow"
                if path.exists():
                    with pa.OSFile(str(path)) as source:
                        for batch in pa.ipc.open_stream(source):
                            writer.write_table(config, split, pa.Table.from_batches([batch]))
        shutil.rmtree(made)
        misaligned += count
    return misaligned
