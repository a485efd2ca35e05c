"""One task decoded into Structs (:mod:`newsspan.labeling.export_typed`) → the same rows as
:func:`newsspan.labeling.convert.convert_task` makes from the task as a dict.

The common items (a span with one known label whose offsets and text match, a relation or a
stance choice that is valid) are converted here, reading Struct attributes; every other span,
relation or choice goes through :mod:`newsspan.labeling.convert`'s own checks and repairs (with
the item as the dict it was in the export), so a row, a repair or a quarantine reason is the
same whichever way a task was read. A task this module does not take (a review project's, or
one with an item that is no span, relation or choice) makes :func:`convert_typed_task` return
None, and the caller converts it as a dict.
"""

from __future__ import annotations

from typing import Any

import msgspec

from newsspan.dataset.schema import ITEM_PROVENANCES, LABEL_LAYERS, STANCE_QUOTE_LABEL, STANCE_VALUES
from newsspan.labeling.convert import (
    _RELATIONS,
    REVIEW_KEY,
    TaskRows,
    _choice,
    _Context,
    _relation,
    _span,
    _start_annotation,
    task_doc_id,
)
from newsspan.labeling.convert_batches import SpanColumns
from newsspan.labeling.export_typed import Annotation, Item, Task

__all__ = ["convert_typed_task", "typed_items"]

_UNSET = msgspec.UNSET
_PROVENANCES = frozenset(ITEM_PROVENANCES)
_LAYERS = dict(LABEL_LAYERS)  # a dict reads faster than the schema's read-only mapping
# the keys of an annotation that convert._start_annotation reads
_ANNOTATION_READ = (
    *("id", "result", "completed_by", "was_cancelled", "ground_truth", "created_at", "updated_at"),
    *("lead_time", "prediction", "model_version"),
)


class _DeclinedError(Exception):
    """The task has something only the dict path words exactly (an unsupported item)."""


def typed_items(task: Task) -> int:
    """Result items of a task (of its annotations and predictions)."""
    return sum(len(a.result or ()) for a in (task.annotations or []) + (task.predictions or []))


def convert_typed_task(
    task: Task, text: str, spans: SpanColumns, *, target: str | None, max_shift: int = 16
) -> TaskRows | None:
    """Convert every annotation and prediction of ``task`` against the document ``text``, or None
    when the task is to be converted as a dict (see the module docstring). Its spans are appended
    to ``spans`` (and taken out again when it returns None), not to the rows returned."""
    data = task.data if isinstance(task.data, dict) else {}
    if data.get(REVIEW_KEY):
        return None
    rows = TaskRows()
    context = _Context(task.id, task_doc_id(data), text, target, rows, max_shift)
    before = len(spans)
    try:
        for annotation in task.annotations or []:
            _annotation(context, annotation, spans, origin="human")
        for prediction in task.predictions or []:
            _annotation(context, prediction, spans, origin="prediction")
    except _DeclinedError:
        spans.truncate(before)
        return None
    return rows


def _annotation(context: _Context, annotation: Annotation, spans: SpanColumns, *, origin: str) -> None:
    fields = {name: getattr(annotation, name) for name in _ANNOTATION_READ}
    result = _start_annotation(context, fields, origin=origin)
    if result:
        before = len(spans)
        _result(context, result, spans)
        spans.extend_head(context.head, len(spans) - before)


def _result(context: _Context, result: list[Item], spans: SpanColumns) -> None:
    """:func:`newsspan.labeling.convert._result` for Structs: spans first, then relations and choices."""
    regions: dict[str, str] = {}  # region id -> label, of this annotation's converted spans
    later: list[Item] = []
    head, text, provenance = context.head, context.text, context.provenance
    region_of, layer_of, label_of, start_of = (
        spans.region.append,
        spans.layer.append,
        spans.label.append,
        spans.start.append,
    )
    end_of, text_of, repair_of, provenance_of = (
        spans.end.append,
        spans.text.append,
        spans.repair.append,
        spans.provenance.append,
    )
    length, unset, layers, provenances = len(text), _UNSET, _LAYERS, _PROVENANCES
    person = head[3] != "prediction"
    context.rows.items += len(result)
    for item in result:
        value = item.value
        if value is unset:
            if item.type != "relation":
                raise _DeclinedError  # no span, relation or choice: the dict path words its quarantine
            later.append(item)
            continue
        labels = value.labels
        if labels is unset or value.choices is not unset or item.type == "relation":
            if labels is unset and value.choices is unset and item.type != "relation":
                raise _DeclinedError
            later.append(item)
            continue
        region, start, end, exported = item.id, value.start, value.end, value.text
        if (
            len(labels) == 1
            and (layer := layers.get(label := labels[0])) is not None
            and region.__class__ is str
            and region
            and start is not unset  # an int then (the Struct types it)
            and end is not unset
            and 0 <= start < end <= length
            and exported
            and text[start:end] == exported
        ):
            origin = item.origin
            if not person or origin not in provenances:
                origin = None
            region_of(region)
            layer_of(layer)
            label_of(label)
            start_of(start)
            end_of(end)
            text_of(exported)
            repair_of(None)
            provenance_of(origin)
            regions[region] = label
            provenance[region] = origin
        else:
            _span(context, _as_dict(item), _as_dict(value), regions)
            if context.rows.spans:  # converted (repaired): its values go to the columns
                spans.add(context.rows.spans.pop(), head=False)
    for item in later:
        if item.type == "relation":
            _typed_relation(context, item, regions)
        else:
            _typed_choice(context, item, regions)


def _typed_relation(context: _Context, item: Item, regions: dict[str, str]) -> None:
    labels = item.labels
    if labels is not _UNSET and len(labels) == 1 and (kind := labels[0]) in _RELATIONS:
        ends = (
            str(None if (first := item.from_id) is _UNSET else first),
            str(None if (last := item.to_id) is _UNSET else last),
        )
        spec = _RELATIONS[kind]
        if regions.get(ends[0]) == spec.from_label and regions.get(ends[1]) == spec.to_label:
            provenance = None
            if context.head[3] != "prediction":  # convert._relation_provenance, inline
                accepted = context.provenance.get(ends[0]) == context.provenance.get(ends[1]) == "prediction"
                provenance = "prediction" if accepted and (*ends, kind) in context.predicted else "manual"
            context.rows.relations.append((*context.head, kind, ends[0], ends[1], provenance))
            return
    _relation(context, _as_dict(item), regions)  # its checks word the quarantine


def _typed_choice(context: _Context, item: Item, regions: dict[str, str]) -> None:
    value = item.value
    assert not isinstance(value, msgspec.UnsetType)  # a choice has one
    choices, region = value.choices, str(_none(item.id))
    if choices is not _UNSET and len(choices) == 1 and (stance := choices[0].upper()) in STANCE_VALUES:
        per_region = value.start is not _UNSET or region in regions
        if not per_region or regions.get(region) == STANCE_QUOTE_LABEL:
            scope, region_id = ("quote", region) if per_region else ("document", None)
            origin = item.origin if context.head[3] != "prediction" and item.origin in _PROVENANCES else None
            context.rows.stance.append((*context.head, scope, region_id, context.target, stance, origin))
            return
    _choice(context, _as_dict(item), regions)  # its checks word the quarantine


def _none(value: Any) -> Any:
    return None if value is _UNSET else value


def _as_dict(struct: msgspec.Struct) -> dict[str, Any]:
    """The item (or value) as the dict it was in the export (absent keys absent)."""
    built: dict[str, Any] = msgspec.to_builtins(struct)
    return built
