"""The typed shape of a plain Label Studio task, for decoding with msgspec (C speed, no dicts).

A task decodes into these Structs only when it has exactly this shape: every key is one Label
Studio writes (``forbid_unknown_fields``, so nothing is skipped unread: every string is decoded,
and so checked as UTF-8), and every value that conversion reads has the JSON type it expects.
Anything else (an unknown key, a number where a string belongs, ``NaN``, a lone surrogate) makes
msgspec refuse the task, and :mod:`newsspan.labeling.export_fast` reads that task as the
standard library does (:class:`newsspan.labeling.export_json.ExportReader`), so what conversion
sees, quarantines and repairs is the same either way.

Nesting is bounded by the Structs themselves except in the ``Any`` values (a task's ``data``,
``meta`` and the like); :func:`within_depth` checks those against
:data:`newsspan.labeling.export_json.MAX_DEPTH`.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import msgspec
from msgspec import UNSET, Struct, UnsetType

from newsspan.labeling.export_json import MAX_DEPTH, depth

__all__ = ["TASK_DECODER", "Annotation", "Item", "Task", "Value", "within_depth"]


class Value(Struct, forbid_unknown_fields=True, gc=False):
    """A result item's ``value``: a span (start, end, text, labels) or a choice (choices)."""

    start: int | UnsetType = UNSET
    end: int | UnsetType = UNSET
    text: str | UnsetType | None = UNSET
    labels: list[str] | UnsetType = UNSET
    choices: list[str] | UnsetType = UNSET


class Item(Struct, forbid_unknown_fields=True, gc=False):
    """One result item: a region (``value``), a relation (``from_id``, ``to_id``, ``labels``) or a choice."""

    id: str | int | UnsetType | None = UNSET
    type: str | UnsetType | None = UNSET
    value: Value | UnsetType = UNSET
    origin: str | UnsetType | None = UNSET
    from_name: str | UnsetType = UNSET
    to_name: str | UnsetType = UNSET
    from_id: str | int | UnsetType | None = UNSET
    to_id: str | int | UnsetType | None = UNSET
    labels: list[str] | UnsetType = UNSET
    direction: str | UnsetType | None = UNSET
    readonly: bool | UnsetType = UNSET
    hidden: bool | UnsetType = UNSET
    score: float | UnsetType | None = UNSET
    parentID: str | UnsetType | None = UNSET  # noqa: N815 (Label Studio's key)
    meta: dict[str, list[str] | str] | UnsetType = UNSET
    item_index: int | UnsetType | None = UNSET
    image_rotation: int | float | UnsetType | None = UNSET
    original_width: int | float | UnsetType | None = UNSET
    original_height: int | float | UnsetType | None = UNSET


class Annotation(Struct, forbid_unknown_fields=True):
    """An annotation or a prediction; absent keys read as None, as ``dict.get`` reads them."""

    id: int | str | None = None
    result: list[Item] | None = None
    completed_by: Any = None
    was_cancelled: Any = None
    ground_truth: Any = None
    created_at: Any = None
    updated_at: Any = None
    lead_time: Any = None
    prediction: Any = None
    model_version: Any = None
    # written by Label Studio, not read by conversion
    score: Any = None
    draft_created_at: Any = None
    result_count: Any = None
    unique_id: Any = None
    import_id: Any = None
    last_action: Any = None
    bulk_created: Any = None
    task: Any = None
    project: Any = None
    updated_by: Any = None
    parent_prediction: Any = None
    parent_annotation: Any = None
    last_created_by: Any = None
    created_username: Any = None
    created_ago: Any = None
    # a prediction's
    cluster: Any = None
    neighbors: Any = None
    mislabeling: Any = None
    model: Any = None
    model_run: Any = None


class Task(Struct, forbid_unknown_fields=True):
    """A task of the full JSON export."""

    id: int | str | None = None
    data: dict[str, Any] | UnsetType = UNSET
    annotations: list[Annotation] | None = None
    predictions: list[Annotation] | None = None
    # written by Label Studio, not read by conversion
    meta: Any = None
    drafts: Any = None
    file_upload: Any = None
    created_at: Any = None
    updated_at: Any = None
    inner_id: Any = None
    total_annotations: Any = None
    cancelled_annotations: Any = None
    total_predictions: Any = None
    comment_count: Any = None
    unresolved_comment_count: Any = None
    last_comment_updated_at: Any = None
    project: Any = None
    updated_by: Any = None
    comment_authors: Any = None
    annotators: Any = None
    is_labeled: Any = None
    overlap: Any = None
    storage_filename: Any = None


TASK_DECODER = msgspec.json.Decoder(Task)
_CONTAINERS = (dict, list)
_TASK_ANY = attrgetter(*(f for f in Task.__struct_fields__ if f not in ("id", "annotations", "predictions")))
_ANNOTATION_ANY = attrgetter(*(f for f in Annotation.__struct_fields__ if f not in ("id", "result")))
# how deep a value nested in an Any field may go: the task is level 1, an annotation level 3
_TASK_ROOM, _ANNOTATION_ROOM = MAX_DEPTH - 1, MAX_DEPTH - 3


def within_depth(task: Task) -> bool:
    """Whether the task's ``Any`` values nest within :data:`MAX_DEPTH` (the Structs bound the rest)."""
    for value in _TASK_ANY(task):
        if value.__class__ in _CONTAINERS and depth(value) > _TASK_ROOM:
            return False
    for listed in (task.annotations, task.predictions):
        for annotation in listed or ():
            for value in _ANNOTATION_ANY(annotation):
                if value.__class__ in _CONTAINERS and depth(value) > _ANNOTATION_ROOM:
                    return False
    return True
