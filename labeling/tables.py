"""A Label Studio JSON export file → the schema's table files, streaming.

The export is read task by task, so memory does not grow with the export: by msgspec into typed
Structs (:mod:`newsspan.labeling.export_fast`; a task msgspec refuses is read as a dict, as
before), and a file that is no readable export again by
:class:`newsspan.labeling.export_json.ExportReader`, which refuses it with the byte offset.
Rows are written in batches. A task that is not a task object (or has an id, annotations or
predictions of the wrong JSON type) is quarantined alone as ``invalid_task``. Documents come
from a ``documents`` table (the task text must equal the document text, else the task is
quarantined as changed) or, without one, from the tasks' own ``data``, written as
``documents.parquet``. All files appear only when the whole export was
read (a truncated export raises and leaves nothing behind), and ``convert.json`` (the summary)
is written last.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from newsspan.dataset.ingest.steps import METADATA_FIELDS, apply_given_metadata
from newsspan.dataset.io import TableWriter, ensure_folder, iter_table, write_json
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.records import Rejection
from newsspan.dataset.runtime import gc_paused
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, QUARANTINE, RELATIONS, SPANS, STANCE, Table
from newsspan.labeling.convert import STAGE, convert_task, rejection, task_doc_id
from newsspan.labeling.convert_batches import Batches
from newsspan.labeling.convert_typed import convert_typed_task, typed_items
from newsspan.labeling.export_fast import FastExportReader, TypedTask, UnreadableError
from newsspan.labeling.export_json import LONE_SURROGATE, ExportReader, json_snippet, json_type
from newsspan.labeling.tasks import text_sha256

__all__ = ["ConvertSummary", "KnownDocuments", "KnownText", "convert_export", "iter_tasks", "known_documents"]


class KnownText(NamedTuple):
    """What conversion keeps of a document: a task's text is checked against its hash, then the
    task's own text is converted (equal by the hash), so memory does not grow with the texts."""

    sha256: str
    length: int  # characters, for the message when a task's text differs
    stance_target: str | None


KnownDocuments = dict[str, KnownText]  # doc_id -> what conversion checks a task's text against


@dataclass
class ConvertSummary:
    """Counts that reconcile: every result item is in a table or in quarantine."""

    tasks: int = 0
    tasks_quarantined: int = 0
    annotations: int = 0
    items: int = 0
    items_quarantined: int = 0
    review_versions: int = 0  # predictions of review tasks (annotators' versions), left out on purpose
    rows: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    repairs: Counter[str] = field(default_factory=Counter)

    @property
    def items_converted(self) -> int:
        return self.rows["spans"] + self.rows["relations"] + self.rows["stance"]

    @property
    def reconciles(self) -> bool:
        return self.items == self.items_converted + self.items_quarantined

    def as_dict(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks,
            "tasks_quarantined": self.tasks_quarantined,
            "annotations": self.annotations,
            "result_items": self.items,
            "result_items_converted": self.items_converted,
            "result_items_quarantined": self.items_quarantined,
            "review_versions_not_converted": self.review_versions,
            "rows": dict(sorted(self.rows.items())),
            "quarantine_reasons": dict(sorted(self.reasons.items())),
            "repairs": dict(sorted(self.repairs.items())),
            "reconciles": self.reconciles,
        }


def iter_tasks(path: Path, *, on_bytes: Callable[[int], None] | None = None) -> Iterator[Any]:
    """The tasks of a full JSON export (or JSON Lines), one at a time (constant memory); a task
    may be any JSON value (conversion quarantines what is not a task object)."""
    yield from ExportReader(path, on_bytes=on_bytes)


def convert_export(
    export: Path,
    out: Path,
    *,
    documents: Path | None = None,
    known: KnownDocuments | None = None,
    max_shift: int = 16,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> ConvertSummary:
    """Convert ``export`` into table files in ``out``; returns the summary (also ``convert.json``).

    ``documents`` is the documents table the tasks were pushed from; ``known`` is the same,
    already read by :func:`known_documents` (a stage converting several exports reads it once).
    Without either, the documents come from the tasks' own data.
    """
    if known is None and documents is not None:
        known = known_documents(documents)
    try:  # msgspec reads a readable export; ExportReader words why one is not (the same tasks either way)
        return _convert(export, out, known, max_shift, batch_size, progress, FastExportReader)
    except UnreadableError:
        return _convert(export, out, known, max_shift, batch_size, progress, ExportReader)


def _convert(
    export: Path,
    out: Path,
    known: KnownDocuments | None,
    max_shift: int,
    batch_size: int,
    progress: Callable[[int, int], None] | None,
    reading: type[FastExportReader | ExportReader],
) -> ConvertSummary:
    ensure_folder(out)
    folder = BuildFolder(out)
    folder.summary(STAGE).unlink(missing_ok=True)
    tables: list[Table] = [ANNOTATIONS, SPANS, RELATIONS, STANCE, QUARANTINE] + ([DOCUMENTS] if known is None else [])
    summary = ConvertSummary()
    seen: set[Any] = set()
    derived: KnownDocuments = {}
    size, done = export.stat().st_size, 0

    def read(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done, size), size)

    with ExitStack() as stack:
        stack.enter_context(gc_paused())  # millions of short-lived objects, no cycles
        writers = {t.name: stack.enter_context(TableWriter(folder.table(t), schema=t)) for t in tables}
        batches = Batches(writers, batch_size)
        reader = reading(export, on_bytes=read)
        for task in reader:
            summary.tasks += 1
            _one_task(task, known, derived, seen, batches, summary, max_shift)
        batches.flush()
    for repair, count in (
        ("non_finite_number_as_null", reader.non_finite),
        ("lone_surrogate_as_fffd", reader.surrogates),
    ):
        if count:
            summary.repairs[repair] += count
    if not summary.reconciles:  # a bug, not bad input
        raise AssertionError(f"convert counts do not reconcile: {summary.as_dict()}")
    write_json(summary.as_dict(), folder.summary(STAGE))
    return summary


def _one_task(
    task: Any,
    known: KnownDocuments | None,
    derived: KnownDocuments,
    seen: set[Any],
    batches: Batches,
    summary: ConvertSummary,
    max_shift: int,
) -> None:
    typed = task.task if isinstance(task, TypedTask) else None
    if typed is not None:  # a task object with an id and lists, decoded into Structs
        items, data, view = typed_items(typed), typed.data if isinstance(typed.data, dict) else None, {"id": typed.id}
        refusal = _refuse_task(
            view, data, known if known is not None else derived, seen, derive=known is None, strict=True
        )
    else:
        items, data, view = _count_items(task), task.get("data") if isinstance(task, dict) else None, task
        refusal = _invalid_task(task, summary.tasks) or _refuse_task(
            task, data, known if known is not None else derived, seen, derive=known is None
        )
    if refusal is not None:
        summary.tasks_quarantined += 1
        summary.items += items
        summary.items_quarantined += items
        summary.reasons[refusal.reason] += 1
        batches.add("quarantine", [refusal])
        return
    assert isinstance(data, dict)
    doc_id = task_doc_id(data)
    target = data.get("stance_target") if isinstance(data.get("stance_target"), str) else None
    first = known is None and doc_id not in derived  # documents from the tasks' own data, once each
    text = data["text"]  # equal to the document's: _refuse_task compared their hashes
    document_target = (target or None) if first else (known if known is not None else derived)[doc_id].stance_target
    # the target the annotator was shown (push --stance-target fills it in the task) wins over the
    # documents table's, which may have none
    target = target or document_target
    spans_before = len(batches.spans)
    rows = (
        convert_task(task, text, target=target, max_shift=max_shift)
        if typed is None
        else convert_typed_task(typed, text, batches.spans, target=target, max_shift=max_shift)
    )
    if rows is None:  # the typed path left this task to the dict path (which words it exactly)
        seen.discard(view["id"])
        _one_task(task.as_value(), known, derived, seen, batches, summary, max_shift)
        return
    if first:  # only a hash is kept, so memory does not grow with the texts of a large export
        derived[doc_id] = KnownText(sha256 := text_sha256(text), len(text), document_target)
        batches.add("documents", [_document_row(view, data, doc_id, sha256)])
        summary.rows["documents"] += 1
    summary.rows["spans"] += len(batches.spans) - spans_before  # the typed path's spans are there already
    for name in ("annotations", "spans", "relations", "stance"):
        batches.add(name, getattr(rows, name))
        summary.rows[name] += len(getattr(rows, name))
    batches.add("quarantine", rows.rejections)
    summary.annotations += len(rows.annotations)
    summary.items += rows.items
    summary.items_quarantined += rows.items_rejected
    summary.review_versions += rows.review_versions
    summary.reasons.update(r.reason for r in rows.rejections)
    summary.repairs.update(rows.repairs)


def _count_items(task: Any) -> int:
    """Result items of a task (of its annotations and predictions that are lists of objects)."""
    if not isinstance(task, dict):
        return 0
    lists = [task.get("annotations"), task.get("predictions")]
    results = (a.get("result") for each in lists if isinstance(each, list) for a in each if isinstance(a, dict))
    return sum(len(r) for r in results if isinstance(r, list))


_INT64 = 1 << 63


def _invalid_task(task: Any, position: int) -> Rejection | None:
    """A task that is not a task object, or whose id, annotations or predictions are of the wrong
    JSON type: quarantined alone (the rest of the export converts)."""
    if not isinstance(task, dict):
        source = f"task #{position}"
        return rejection(
            source,
            None,
            "invalid_task",
            f"{source} of the export is a JSON {json_type(task)} ({json_snippet(task)}), not a task object; "
            "export the project again (Label Studio writes a list of task objects)",
        )
    task_id = task.get("id")
    if task_id is not None and not ((type(task_id) is int and -_INT64 <= task_id < _INT64) or isinstance(task_id, str)):
        source = f"task #{position}"
        what = f"a JSON {json_type(task_id)}" if type(task_id) is not int else "an integer out of the 64-bit range"
        return rejection(
            source,
            None,
            "invalid_task",
            f"{source} of the export has id {json_snippet(task_id)}, {what}: a Label Studio task id is an integer; "
            "export the project again, or fix the id",
        )
    source = f"task {task_id}"
    for key in ("annotations", "predictions"):
        value = task.get(key)
        if value is not None and not isinstance(value, list):
            return rejection(
                source,
                None,
                "invalid_task",
                f"{source}: its {key!r} is a JSON {json_type(value)}, not a list; the task is left out "
                "whole: export the project again",
            )
    return None


def _refuse_task(
    task: Any,
    data: Any,
    known: KnownDocuments,
    seen: set[Any],
    *,
    derive: bool = False,
    strict: bool = False,  # decoded by msgspec, which refuses lone surrogates
) -> Rejection | None:
    task_id = task.get("id") if isinstance(task, dict) else None
    source = f"task {task_id}"
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        found = f"its data is a JSON {json_type(data)}"
        if isinstance(data, dict):
            found = f"'text' is a JSON {json_type(data['text'])}" if "text" in data else f"keys: {sorted(data)}"
        return rejection(
            source,
            None,
            "missing_text",
            f"{source}: its data has no 'text' string ({found}); newsspan reads the article from data.text",
        )
    text = data["text"]
    if not strict and not text.isascii() and (surrogate := LONE_SURROGATE.search(text)) is not None:
        doc_id_given = data.get("doc_id") if isinstance(data.get("doc_id"), str) else None
        return rejection(
            source,
            doc_id_given,
            "undecodable_text",
            f"{source}: its text has a lone surrogate \\u{ord(surrogate.group()):04x} at code point "
            f"{surrogate.start()} (a non-BMP character escaped wrongly), which has no UTF-8 form and shifts "
            "every offset after it; fix the text in the export (or re-import the task) and export again",
        )
    doc_id = task_doc_id(data)
    if task_id in seen:
        return rejection(
            source,
            doc_id,
            "duplicate_task",
            f"{source} (document {doc_id}) appears twice in the export; the first is kept",
        )
    seen.add(task_id)
    if doc_id not in known and not derive:
        return rejection(
            source,
            doc_id,
            "unknown_document",
            f"{source}: document {doc_id} is not in the documents table; pass the documents "
            "it was pushed from, or convert without --documents",
        )
    if doc_id in known and known[doc_id].sha256 != text_sha256(text):
        return rejection(
            source,
            doc_id,
            "text_changed",
            f"{source}: the text of document {doc_id} differs from "
            + ("an earlier task's" if derive else "the documents table's")
            + f" ({known[doc_id].length} characters, {len(text)} here): it changed since export, and its "
            "annotations point into another text; re-push and re-annotate, or convert against the documents "
            "it was pushed from",
        )
    return None


def known_documents(path: Path) -> KnownDocuments:
    """doc_id → the hash, length and stance target of each text of a documents table, for
    :func:`convert_export`: read a batch at a time, keeping no text."""
    known: KnownDocuments = {}
    for batch in iter_table(path, schema=DOCUMENTS):
        ids, texts, targets = (batch[name].to_pylist() for name in ("doc_id", "text", "stance_target"))
        for doc_id, text, target in zip(ids, texts, targets, strict=True):
            known[doc_id] = KnownText(text_sha256(text), len(text), target)
    return known


def _document_row(task: dict[str, Any], data: dict[str, Any], doc_id: str, sha256: str) -> dict[str, Any]:
    """A documents row from a task's own data: its metadata read as ingest reads JSONL fields."""
    text = data["text"]
    extra = {k: v for k, v in data.items() if k not in ("text", "doc_id", "text_sha256", *METADATA_FIELDS)}
    row: dict[str, Any] = dict.fromkeys((*METADATA_FIELDS, "published_at"))
    given = {name: data[name] for name in METADATA_FIELDS if data.get(name) not in (None, "")}
    apply_given_metadata(row, given, extra)
    return row | {
        "doc_id": doc_id,
        "source": f"label-studio task {task.get('id')}",
        "source_format": "label-studio",
        "raw_sha256": sha256,
        "encoding": "utf-8",
        "text": text,
        "meta_spans": [],
        "page_regions": [],
        "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str) if extra else None,
    }
