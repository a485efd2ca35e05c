"""Documents and prediction tables → Label Studio task data and prediction results (pure).

A task's ``data`` carries every key the labeling config reads (:data:`TASK_DATA_KEYS`) plus
``text_sha256``, which lets ``push`` tell an unchanged document from one whose text changed
since it was pushed. Prediction results use the schema's layers as control names, the region
ids of the ``spans`` table, and Python code-point offsets, which Label Studio 1.23 uses too.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from newsspan.dataset.schema import LAYERS
from newsspan.labeling.config import DOC_STANCE, QUOTE_STANCE, TEXT_NAME

__all__ = ["Prediction", "document_tasks", "predictions_by_document", "text_sha256"]

_LAYERS = {layer.name for layer in LAYERS}


def text_sha256(text: str) -> str:
    """The hash stored in task data to detect documents whose text changed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_tasks(documents: pa.Table, *, stance_target: str | None = None) -> list[dict[str, Any]]:
    """One task ``data`` dict per document, in table order."""
    tasks = []
    for row in documents.to_pylist():
        tasks.append(
            {
                "text": row["text"],
                "doc_id": row["doc_id"],
                "title": row.get("title") or "",
                "outlet": row.get("outlet") or row.get("agency") or "",
                "published": row.get("published") or "",
                "stance_target": row.get("stance_target") or stance_target or "",
                "text_sha256": text_sha256(row["text"]),
            }
        )
    return tasks


@dataclass
class Prediction:
    """One model's proposals for one document, as a Label Studio prediction."""

    doc_id: str
    model_version: str
    result: list[dict[str, Any]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"model_version": self.model_version, "result": self.result}


def predictions_by_document(
    spans: pa.Table, relations: pa.Table | None = None, stance: pa.Table | None = None
) -> dict[str, list[Prediction]]:
    """Group ``origin == 'prediction'`` rows into one prediction per (document, model version).

    The model version is the rows' ``annotator`` (pre-annotation writes its version there).
    Unknown layers raise ``ValueError``: the tables are validated before they get here.
    """
    found: dict[tuple[str, str], Prediction] = {}
    regions: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _predicted(spans):
        if row["layer"] not in _LAYERS:
            raise ValueError(f"document {row['doc_id']!r}: span layer {row['layer']!r} is not a schema layer")
        prediction = _prediction(found, row)
        value = {"start": row["start"], "end": row["end"], "text": row["text"], "labels": [row["label"]]}
        regions[(row["annotation_id"], row["region_id"])] = value
        prediction.result.append(
            {"id": row["region_id"], "from_name": row["layer"], "to_name": TEXT_NAME, "type": "labels", "value": value}
        )
    for row in _predicted(relations):
        _prediction(found, row).result.append(
            {
                "from_id": row["from_region_id"],
                "to_id": row["to_region_id"],
                "type": "relation",
                "direction": "right",
                "labels": [row["relation"]],
            }
        )
    for row in _predicted(stance):
        _prediction(found, row).result.append(_stance_item(row, regions))
    grouped: dict[str, list[Prediction]] = defaultdict(list)
    for prediction in found.values():
        grouped[prediction.doc_id].append(prediction)
    return dict(grouped)


def _predicted(table: pa.Table | None) -> list[dict[str, Any]]:
    if table is None:
        return []
    return [row for row in table.to_pylist() if row["origin"] == "prediction"]


def _prediction(found: dict[tuple[str, str], Prediction], row: dict[str, Any]) -> Prediction:
    key = (row["doc_id"], row["annotation_id"])
    if key not in found:
        found[key] = Prediction(row["doc_id"], row["annotator"] or row["annotation_id"])
    return found[key]


def _stance_item(row: dict[str, Any], regions: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    if row["scope"] == "document":
        region = f"doc-stance-{row['annotation_id']}"
        return {
            "id": region[:40],
            "from_name": DOC_STANCE,
            "to_name": TEXT_NAME,
            "type": "choices",
            "value": {"choices": [row["value"]]},
        }
    span = regions.get((row["annotation_id"], row["region_id"]))
    if span is None:
        raise ValueError(f"document {row['doc_id']!r}: quote stance names region {row['region_id']!r}, not a span")
    value = {"start": span["start"], "end": span["end"], "text": span["text"], "choices": [row["value"]]}
    return {"id": row["region_id"], "from_name": QUOTE_STANCE, "to_name": TEXT_NAME, "type": "choices", "value": value}
