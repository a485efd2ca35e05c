"""One Label Studio task (from a full JSON export) → rows of the schema's tables, or quarantine.

Results map to layers by label value (labels are unique across layers), not by control name,
so exports of hand-written configs convert too. Every result item ends in exactly one place: a
row of ``spans``, ``relations`` or ``stance``, or a quarantine row saying why (the reasons are
catalogued in :mod:`newsspan.labeling.convert_reasons`). Offsets are checked and repaired by
:func:`newsspan.labeling.align.align_span`; span text is always recomputed from the document.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsspan.dataset.records import Rejection
from newsspan.dataset.schema import (
    ITEM_PROVENANCES,
    LABEL_LAYERS,
    RELATION_TYPES,
    STANCE_QUOTE_LABEL,
    STANCE_VALUES,
    all_labels,
)
from newsspan.labeling.align import Aligned, Utf16Index, align_span
from newsspan.labeling.convert_reasons import CONVERT_REASONS, STAGE, ConvertReason, rejection
from newsspan.labeling.export_json import json_snippet, json_type

__all__ = [
    "CONVERT_REASONS",
    "REVIEW_KEY",
    "STAGE",
    "ConvertReason",
    "TaskRows",
    "convert_task",
    "rejection",
    "task_doc_id",
]

_RELATIONS = {r.name: r for r in RELATION_TYPES}
# Task data key of a review project's tasks (labeling/review.py): their annotations are adjudications.
REVIEW_KEY = "newsspan_review"
_ID_PREFIX = {"human": "a", "review": "r", "prediction": "p"}  # annotation_id: a<id>, r<id>, p<id>


def task_doc_id(data: dict[str, Any]) -> str:
    """The task's ``doc_id``, or the id ingest would give its text (sha256 prefix of UTF-8)."""
    doc_id = data.get("doc_id")
    if isinstance(doc_id, str) and doc_id:
        return doc_id
    return hashlib.sha256(str(data.get("text", "")).encode("utf-8")).hexdigest()[:16]


@dataclass
class TaskRows:
    """What one task became: rows as tuples in the column order of their schema table."""

    annotations: list[tuple[Any, ...]] = field(default_factory=list)  # ANNOTATIONS
    spans: list[tuple[Any, ...]] = field(default_factory=list)  # SPANS
    relations: list[tuple[Any, ...]] = field(default_factory=list)  # RELATIONS
    stance: list[tuple[Any, ...]] = field(default_factory=list)  # STANCE
    rejections: list[Rejection] = field(default_factory=list)
    items: int = 0  # result items seen
    items_rejected: int = 0
    review_versions: int = 0  # predictions of a review task: annotators' versions, not converted again
    repairs: Counter[str] = field(default_factory=Counter)


@dataclass
class _Context:
    task_id: Any
    doc_id: str
    text: str
    target: str | None
    rows: TaskRows
    max_shift: int
    # the columns every row of the current annotation starts with: doc_id, annotation_id, annotator, origin
    head: tuple[str, str, str | None, str] = ("", "", None, "human")
    utf16: Utf16Index | None = None
    provenance: dict[str, str | None] = field(default_factory=dict)  # region id -> provenance, this annotation
    predicted: frozenset[tuple[str, str, str]] = frozenset()  # the starting prediction's relations

    def where(self, region: Any = None) -> str:
        _, annotation_id, annotator, _ = self.head
        place = f"task {self.task_id} (document {self.doc_id}), {annotation_id} by {annotator}"
        return f"{place}, region {region}" if region is not None else place

    def reject(self, reason: ConvertReason, detail: str, *, region: Any = None) -> None:
        self.rows.items_rejected += 1
        source = f"task {self.task_id}"
        self.rows.rejections.append(rejection(source, self.doc_id, reason, f"{self.where(region)}: {detail}"))

    def invalid(self, detail: str) -> None:
        """An annotation that cannot be read at all (it has no countable result items)."""
        source = f"task {self.task_id}"
        where = detail if detail.startswith(source) else f"{source} (document {self.doc_id}), {detail}"
        self.rows.rejections.append(
            rejection(source, self.doc_id, "invalid_annotation", f"{where}; the rest of the task converts")
        )

    def index(self) -> Utf16Index:
        """The text's UTF-16 index, built on first need (most spans match without it)."""
        if self.utf16 is None:
            self.utf16 = Utf16Index(self.text)
        return self.utf16


def convert_task(task: dict[str, Any], text: str, *, target: str | None, max_shift: int = 16) -> TaskRows:
    """Convert every annotation and prediction of ``task`` against the document ``text``.

    A task of a review project (``data`` has :data:`REVIEW_KEY`, set by ``label review``) is a
    reviewer's adjudication: its annotations get origin ``review``, and its predictions (the
    annotators' versions, already converted from the annotation project's export) are counted in
    ``review_versions``, not converted again."""
    rows = TaskRows()
    data = task.get("data") or {}
    reviewed = bool(data.get(REVIEW_KEY))
    context = _Context(task.get("id"), task_doc_id(data), text, target, rows, max_shift)
    for number, annotation in enumerate(task.get("annotations") or [], 1):
        if _is_object(context, annotation, f"annotation #{number}"):
            _result(context, _start_annotation(context, annotation, origin="review" if reviewed else "human") or [])
    for number, prediction in enumerate(task.get("predictions") or [], 1):
        if not _is_object(context, prediction, f"prediction #{number}"):
            continue
        if reviewed:
            rows.review_versions += 1
        else:
            _result(context, _start_annotation(context, prediction, origin="prediction") or [])
    return rows


def _is_object(context: _Context, annotation: Any, which: str) -> bool:
    """Whether an annotation (or prediction) is an object; else it is quarantined as invalid."""
    if isinstance(annotation, dict):
        return True
    context.invalid(
        f"{which} is a JSON {json_type(annotation)} ({json_snippet(annotation, 40)}), not an annotation object"
    )
    return False


def _start_annotation(context: _Context, annotation: dict[str, Any], *, origin: str) -> list[Any] | None:
    """An annotation's row (or quarantine); returns its result items to convert, or None."""
    annotated = origin != "prediction"  # by a person: an annotator, or a reviewer
    annotation_id = f"{_ID_PREFIX[origin]}{annotation.get('id')}"
    annotator = _annotator(annotation) if annotated else str(annotation.get("model_version") or "")
    context.head = (context.doc_id, annotation_id, annotator, origin)
    context.provenance = {}
    result = annotation.get("result")
    if result is None:
        result = []
    elif not isinstance(result, list):
        context.invalid(f"{context.where()}: its result is {json_snippet(result, 40)}, not a list of result items")
        return None
    cancelled = bool(annotation.get("was_cancelled"))
    if not result and not cancelled:
        context.rows.rejections.append(
            rejection(
                f"task {context.task_id}",
                context.doc_id,
                "empty_annotation",
                f"{context.where()}: submitted with no result; left out of every table (delete it in "
                "Label Studio, or skip the task instead)",
            )
        )
        return None
    context.rows.annotations.append(
        (
            *context.head,
            context.task_id if isinstance(context.task_id, int) else None,
            _time(annotation.get("created_at")),
            _time(annotation.get("updated_at")),
            _float(annotation.get("lead_time")),
            cancelled,
            bool(annotation.get("ground_truth")),
            _prediction_model(annotation) if annotated else None,
        )
    )
    context.predicted = _predicted_relations(annotation) if annotated else frozenset()
    return result


def _prediction_model(annotation: dict[str, Any]) -> str | None:
    """The model version of the prediction the annotation started from (Label Studio names it)."""
    prediction = annotation.get("prediction")
    version = prediction.get("model_version") if isinstance(prediction, dict) else None
    return str(version) if version else None


def _predicted_relations(annotation: dict[str, Any]) -> frozenset[tuple[str, str, str]]:
    """(from, to, label) of the relations in the prediction the annotation started from: an
    exported relation carries no ``origin``, so one equal to a predicted relation was accepted."""
    prediction = annotation.get("prediction")
    result = prediction.get("result") if isinstance(prediction, dict) else None
    return frozenset(
        (str(item.get("from_id")), str(item.get("to_id")), str(label))
        for item in (result if isinstance(result, list) else [])
        if isinstance(item, dict) and item.get("type") == "relation" and isinstance(item.get("labels"), list)
        for label in item["labels"]
    )


def _provenance(context: _Context, item: dict[str, Any]) -> str | None:
    """A person's result item's provenance: its export ``origin`` when it is one of ITEM_PROVENANCES."""
    if context.head[3] == "prediction":
        return None
    origin = item.get("origin")
    return origin if origin in ITEM_PROVENANCES else None


def _annotator(annotation: dict[str, Any]) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        return str(who.get("email") or f"user-{who.get('id')}")
    return f"user-{who}"


def _result(context: _Context, result: list[Any]) -> None:
    regions: dict[str, str] = {}  # region id -> label, of this annotation's converted spans
    later: list[dict[str, Any]] = []
    spans, head, text = context.rows.spans, context.head, context.text
    length = len(text)
    context.rows.items += len(result)
    for item in result:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(item, dict):
            context.reject("invalid_item", f"result item is a JSON {type(item).__name__}, not an object")
        elif item.get("type") == "relation" or (isinstance(value, dict) and "choices" in value):
            later.append(item)
        elif isinstance(value, dict) and isinstance(labels := value.get("labels"), list):
            # the common case inline (most of an export): one known label, integer offsets in range,
            # and the exported text exactly the document's; anything else takes _span's checks
            label, region, start, end = (
                labels[0] if labels else None,
                item.get("id"),
                value.get("start"),
                value.get("end"),
            )
            exported = value.get("text")
            if (
                len(labels) == 1
                and type(label) is str
                and (layer := LABEL_LAYERS.get(label)) is not None
                and type(region) is str
                and region
                and type(start) is int
                and type(end) is int
                and 0 <= start < end <= length
                and exported
                and text[start:end] == exported
            ):
                spans.append(
                    (*head, region, layer, label, start, end, exported, None, None, None, _provenance(context, item))
                )
                regions[region] = label
                context.provenance[region] = spans[-1][-1]
            else:
                _span(context, item, value, regions)
        else:
            context.reject(
                "unsupported_item",
                f"result type {item.get('type')!r} (value {repr(value)[:50]}) is not a span, relation or choice",
                region=item.get("id"),
            )
    for item in later:
        if item.get("type") == "relation":
            _relation(context, item, regions)
        else:
            _choice(context, item, regions)


def _span(context: _Context, item: dict[str, Any], value: dict[str, Any], regions: dict[str, str]) -> None:
    """A span that is not the plain case :func:`_result` takes inline: every check, and repairs."""
    region = item.get("id")
    labels = value["labels"]
    if len(labels) != 1:
        context.reject(
            "label_count", f"{len(labels)} labels {labels} on one region; give each region one label", region=region
        )
        return
    label = str(labels[0])
    layer = LABEL_LAYERS.get(label)
    if layer is None:
        context.reject(
            "unknown_label", f"label {label!r} is not in the schema; allowed: {', '.join(all_labels())}", region=region
        )
        return
    start, end, exported = value.get("start"), value.get("end"), value.get("text")
    if not isinstance(start, int) or not isinstance(end, int) or not isinstance(region, str) or not region:
        context.reject(
            "invalid_span",
            f"start {start!r}, end {end!r}, id {region!r}: integers and an id are required",
            region=region,
        )
        return
    exported = exported if isinstance(exported, str) else None
    aligned = align_span(context.text, start, end, exported, max_shift=context.max_shift, index=context.index())
    if not isinstance(aligned, Aligned):
        context.reject(aligned.reason, f"{label} {aligned.detail}", region=region)
        return
    start, end, repair = aligned.start, aligned.end, aligned.repair
    if repair:
        context.rows.repairs["shift" if repair.startswith("shift") else repair] += 1
    piece = context.text[start:end]
    provenance = _provenance(context, item)
    context.rows.spans.append((*context.head, region, layer, label, start, end, piece, repair, None, None, provenance))
    regions[region] = label
    context.provenance[region] = provenance


def _relation(context: _Context, item: dict[str, Any], regions: dict[str, str]) -> None:
    labels = item.get("labels") or []
    ends = (str(item.get("from_id")), str(item.get("to_id")))
    if not isinstance(labels, list):
        context.reject("unknown_relation", f"relation {ends[0]} -> {ends[1]} has labels {labels!r}, not a list")
        return
    kind = labels[0] if labels else None
    if isinstance(labels, list) and len(labels) > 1:
        context.reject(
            "relation_label_count",
            f"relation {ends[0]} -> {ends[1]} has {len(labels)} labels ({', '.join(map(str, labels))}); a relation "
            "takes exactly one: remove the others in Label Studio (or draw one relation per label)",
        )
        return
    if not isinstance(kind, str) or kind not in _RELATIONS:
        allowed = ", ".join(_RELATIONS)
        context.reject("unknown_relation", f"relation {ends[0]} -> {ends[1]} has type {kind!r}; allowed: {allowed}")
        return
    missing = [end for end in ends if end not in regions]
    if missing:
        context.reject(
            "relation_to_missing_region",
            f"{kind} {ends[0]} -> {ends[1]} points at region(s) {', '.join(map(str, missing))} that are not "
            "converted spans of this annotation",
        )
        return
    spec = _RELATIONS[kind]
    if (regions[ends[0]], regions[ends[1]]) != (spec.from_label, spec.to_label):
        context.reject(
            "relation_ends",
            f"{kind} must go {spec.from_label} -> {spec.to_label}, but links {regions[ends[0]]} -> {regions[ends[1]]}",
        )
        return
    context.rows.relations.append((*context.head, kind, ends[0], ends[1], _relation_provenance(context, kind, ends)))


def _relation_provenance(context: _Context, kind: str, ends: tuple[str, str]) -> str | None:
    """``prediction`` for a relation the starting prediction had, between two accepted regions;
    ``manual`` for any other human relation (Label Studio exports no origin for relations)."""
    if context.head[3] == "prediction":
        return None
    accepted = all(context.provenance.get(end) == "prediction" for end in ends)
    return "prediction" if accepted and (*ends, kind) in context.predicted else "manual"


def _choice(context: _Context, item: dict[str, Any], regions: dict[str, str]) -> None:
    value = item["value"]
    region = str(item.get("id"))
    choices = value.get("choices") or []
    if not isinstance(choices, list) or len(choices) != 1 or str(choices[0]).upper() not in STANCE_VALUES:
        context.reject(
            "unknown_choice",
            f"choice {choices!r} is not one stance value; allowed: {', '.join(STANCE_VALUES)}",
            region=region,
        )
        return
    stance = str(choices[0]).upper()  # hand-written configs often use lower case
    per_region = "start" in value or region in regions
    if per_region and region not in regions:
        context.reject(
            "stance_without_region",
            f"{stance} is attached to region {region!r}, which is not a converted span of this annotation",
            region=region,
        )
        return
    if per_region and regions[region] != STANCE_QUOTE_LABEL:
        context.reject(
            "stance_on_non_quote",
            f"{stance} is attached to a {regions[region]} region; quote stance belongs on {STANCE_QUOTE_LABEL} regions",
            region=region,
        )
        return
    scope, region_id = ("quote", region) if per_region else ("document", None)
    context.rows.stance.append((*context.head, scope, region_id, context.target, stance, _provenance(context, item)))


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        return None


def _float(value: Any) -> float | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or abs(value) > 1e300:
        return None  # not a number, or one too large for a float (or not finite)
    return float(value)
