"""One Label Studio task (from a full JSON export) → rows of the schema's tables, or quarantine.

Results map to layers by label value (labels are unique across layers), not by control name,
so exports of hand-written configs convert too. Every result item ends in exactly one place: a
row of ``spans``, ``relations`` or ``stance``, or a quarantine row saying why. Offsets are
checked and repaired by :func:`newsspan.labeling.align.align_span`; span text is always
recomputed from the document.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsspan.dataset.records import Rejection
from newsspan.dataset.schema import RELATION_TYPES, STANCE_QUOTE_LABEL, STANCE_VALUES, all_labels, layer_of
from newsspan.labeling.align import Aligned, Utf16Index, align_span

__all__ = ["TaskRows", "convert_task", "task_doc_id"]

STAGE = "convert"
_RELATIONS = {r.name: r for r in RELATION_TYPES}


def task_doc_id(data: dict[str, Any]) -> str:
    """The task's ``doc_id``, or the id ingest would give its text (sha256 prefix of UTF-8)."""
    doc_id = data.get("doc_id")
    if isinstance(doc_id, str) and doc_id:
        return doc_id
    return hashlib.sha256(str(data.get("text", "")).encode("utf-8")).hexdigest()[:16]


@dataclass
class TaskRows:
    """What one task became."""

    annotations: list[dict[str, Any]] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    stance: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    items: int = 0  # result items seen
    items_rejected: int = 0
    repairs: Counter[str] = field(default_factory=Counter)


@dataclass
class _Context:
    task_id: Any
    doc_id: str
    text: str
    target: str | None
    rows: TaskRows
    max_shift: int
    annotation_id: str = ""
    annotator: str | None = None
    origin: str = "human"
    utf16: Utf16Index | None = None

    def __post_init__(self) -> None:
        self.utf16 = Utf16Index(self.text)  # once per task, for every span of it

    def where(self, region: Any = None) -> str:
        place = f"task {self.task_id} (document {self.doc_id}), {self.annotation_id} by {self.annotator}"
        return f"{place}, region {region}" if region is not None else place

    def reject(self, reason: str, detail: str, *, region: Any = None) -> None:
        self.rows.items_rejected += 1
        source = f"task {self.task_id}"
        self.rows.rejections.append(Rejection(source, self.doc_id, STAGE, reason, f"{self.where(region)}: {detail}"))

    def base(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "annotation_id": self.annotation_id,
            "annotator": self.annotator,
            "origin": self.origin,
        }


def convert_task(task: dict[str, Any], text: str, *, target: str | None, max_shift: int = 16) -> TaskRows:
    """Convert every annotation and prediction of ``task`` against the document ``text``."""
    rows = TaskRows()
    context = _Context(task.get("id"), task_doc_id(task.get("data") or {}), text, target, rows, max_shift)
    for annotation in task.get("annotations") or []:
        _annotation(context, annotation, origin="human")
    for prediction in task.get("predictions") or []:
        if isinstance(prediction, dict):
            _annotation(context, prediction, origin="prediction")
    return rows


def _annotation(context: _Context, annotation: dict[str, Any], *, origin: str) -> None:
    prefix = "a" if origin == "human" else "p"
    context.annotation_id = f"{prefix}{annotation.get('id')}"
    context.origin = origin
    context.annotator = _annotator(annotation) if origin == "human" else str(annotation.get("model_version") or "")
    result = annotation.get("result") or []
    cancelled = bool(annotation.get("was_cancelled"))
    if not result and not cancelled:
        context.rows.rejections.append(
            Rejection(
                f"task {context.task_id}",
                context.doc_id,
                STAGE,
                "empty_annotation",
                f"{context.where()}: submitted with no result; left out of every table (delete it in "
                "Label Studio, or skip the task instead)",
            )
        )
        return
    context.rows.annotations.append(
        context.base()
        | {
            "task_id": context.task_id if isinstance(context.task_id, int) else None,
            "created_at": _time(annotation.get("created_at")),
            "updated_at": _time(annotation.get("updated_at")),
            "lead_time": _float(annotation.get("lead_time")),
            "cancelled": cancelled,
            "ground_truth": bool(annotation.get("ground_truth")),
        }
    )
    _result(context, result)


def _annotator(annotation: dict[str, Any]) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        return str(who.get("email") or f"user-{who.get('id')}")
    return f"user-{who}"


def _result(context: _Context, result: list[Any]) -> None:
    regions: dict[str, str] = {}  # region id -> label
    spans: dict[str, dict[str, Any]] = {}
    later: list[dict[str, Any]] = []
    for item in result:
        context.rows.items += 1
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(item, dict):
            context.reject("invalid_item", f"result item is a JSON {type(item).__name__}, not an object")
        elif item.get("type") == "relation" or (isinstance(value, dict) and "choices" in value):
            later.append(item)
        elif isinstance(value, dict) and isinstance(value.get("labels"), list):
            span = _span(context, item, value)
            if span is not None:
                regions[span["region_id"]] = span["label"]
                spans[span["region_id"]] = span
        else:
            context.reject(
                "unsupported_item",
                f"result type {item.get('type')!r} is not a span, relation or choice",
                region=item.get("id"),
            )
    for item in later:
        if item.get("type") == "relation":
            _relation(context, item, regions)
        else:
            _choice(context, item, spans)


def _span(context: _Context, item: dict[str, Any], value: dict[str, Any]) -> dict[str, Any] | None:
    region = item.get("id")
    labels = value["labels"]
    if len(labels) != 1:
        context.reject(
            "label_count", f"{len(labels)} labels {labels} on one region; give each region one label", region=region
        )
        return None
    label = str(labels[0])
    try:
        layer = layer_of(label)
    except KeyError:
        context.reject(
            "unknown_label", f"label {label!r} is not in the schema; allowed: {', '.join(all_labels())}", region=region
        )
        return None
    start, end, exported = value.get("start"), value.get("end"), value.get("text")
    if not isinstance(start, int) or not isinstance(end, int) or not isinstance(region, str) or not region:
        context.reject(
            "invalid_span",
            f"start {start!r}, end {end!r}, id {region!r}: integers and an id are required",
            region=region,
        )
        return None
    aligned = align_span(
        context.text,
        start,
        end,
        exported if isinstance(exported, str) else None,
        max_shift=context.max_shift,
        index=context.utf16,
    )
    if not isinstance(aligned, Aligned):
        context.reject(aligned.reason, f"{label} {aligned.detail}", region=region)
        return None
    if aligned.repair:
        context.rows.repairs["shift" if aligned.repair.startswith("shift") else aligned.repair] += 1
    row = context.base() | {
        "region_id": region,
        "layer": layer,
        "label": label,
        "start": aligned.start,
        "end": aligned.end,
        "text": context.text[aligned.start : aligned.end],
        "repair": aligned.repair,
    }
    context.rows.spans.append(row)
    return row


def _relation(context: _Context, item: dict[str, Any], regions: dict[str, str]) -> None:
    labels = item.get("labels") or []
    kind = labels[0] if labels else None
    ends = (str(item.get("from_id")), str(item.get("to_id")))
    if kind not in _RELATIONS:
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
    context.rows.relations.append(
        context.base() | {"relation": kind, "from_region_id": ends[0], "to_region_id": ends[1]}
    )


def _choice(context: _Context, item: dict[str, Any], spans: dict[str, dict[str, Any]]) -> None:
    value = item["value"]
    region = str(item.get("id"))
    choices = value.get("choices") or []
    if len(choices) != 1 or str(choices[0]).upper() not in STANCE_VALUES:
        context.reject(
            "unknown_choice",
            f"choice {choices!r} is not one stance value; allowed: {', '.join(STANCE_VALUES)}",
            region=region,
        )
        return
    stance = str(choices[0]).upper()  # hand-written configs often use lower case
    per_region = "start" in value or region in spans
    if per_region and region not in spans:
        context.reject(
            "stance_without_region",
            f"{stance} is attached to region {region!r}, which is not a converted span of this annotation",
            region=region,
        )
        return
    if per_region and spans[region]["label"] != STANCE_QUOTE_LABEL:
        context.reject(
            "stance_on_non_quote",
            f"{stance} is attached to a {spans[region]['label']} region; "
            f"quote stance belongs on {STANCE_QUOTE_LABEL} regions",
            region=region,
        )
        return
    context.rows.stance.append(
        context.base()
        | {
            "scope": "quote" if per_region else "document",
            "region_id": region if per_region else None,
            "target": context.target,
            "value": stance,
        }
    )


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
