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
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from newsspan.dataset.errors import InputError
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import LAYERS, STANCE, STANCE_QUOTE_LABEL, STANCE_SCOPES
from newsspan.labeling.config import DOC_STANCE, QUOTE_STANCE, TEXT_NAME

__all__ = ["Prediction", "document_tasks", "predictions_by_document", "text_sha256"]

_LAYERS = tuple(layer.name for layer in LAYERS)  # schema order, as error messages list them
_REWRITE = "or re-run `newsspan preannotate` to write the prediction tables again"


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


@dataclass(frozen=True, slots=True)
class _Source:
    """Where the prediction rows came from, as error messages name it."""

    spans: Path | None
    stance: Path | None

    @classmethod
    def of(cls, source: str | Path | None) -> _Source:
        if source is None:
            return cls(None, None)
        path = Path(source)
        return cls(path, BuildFolder(path.parent).table(STANCE))  # `label push` reads stance from beside it

    def name(self, table: Literal["spans", "stance"]) -> str:
        path = self.spans if table == "spans" else self.stance
        return str(path) if path is not None else f"the {table} table"


def predictions_by_document(
    spans: pa.Table,
    relations: pa.Table | None = None,
    stance: pa.Table | None = None,
    *,
    source: str | Path | None = None,
) -> dict[str, list[Prediction]]:
    """Group ``origin == 'prediction'`` rows into one prediction per (document, model version).

    The model version is the rows' ``annotator`` (pre-annotation writes its version there).
    ``source`` is the spans file the rows were read from (the relations and stance files sit
    beside it); errors name it. A span on a layer the schema does not have, or a stance row
    Label Studio could not attach (unknown scope, a quote stance whose region is not a span of
    the same prediction), raises :class:`InputError` with the file, the document and the fix.
    """
    where = _Source.of(source)
    found: dict[tuple[str, str], Prediction] = {}
    regions: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _predicted(spans):
        if row["layer"] not in _LAYERS:
            raise _layer_error(row, where)
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
        _prediction(found, row).result.append(_stance_item(row, regions, where))
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


def _layer_error(row: dict[str, Any], where: _Source) -> InputError:
    return InputError(
        f"{where.name('spans')}: document {row['doc_id']!r}, prediction {row['annotation_id']!r}: span "
        f"{row['region_id']!r} [{row['start']}, {row['end']}) has layer {row['layer']!r}, not a schema layer; "
        f"use one of {', '.join(_LAYERS)}, {_REWRITE}",
        path=where.spans,
        doc_id=row["doc_id"],
        start=row["start"],
        end=row["end"],
    )


def _stance_error(row: dict[str, Any], where: _Source, problem: str, fix: str) -> InputError:
    return InputError(
        f"{where.name('stance')}: document {row['doc_id']!r}, prediction {row['annotation_id']!r}: {problem}; "
        f"{fix}, {_REWRITE}",
        path=where.stance,
        doc_id=row["doc_id"],
    )


def _stance_item(row: dict[str, Any], regions: dict[tuple[str, str], dict[str, Any]], where: _Source) -> dict[str, Any]:
    if row["scope"] not in STANCE_SCOPES:
        raise _stance_error(
            row,
            where,
            f"stance scope {row['scope']!r} is not one of {', '.join(STANCE_SCOPES)}",
            "fix the scope column",
        )
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
        problem = (
            f"quote stance {row['value']!r} names region {row['region_id']!r}, which is not a span of that "
            f"prediction in {where.name('spans')}"
            if row["region_id"] is not None
            else f"quote stance {row['value']!r} has no region_id"
        )
        fix = f"set region_id to the region_id of a {STANCE_QUOTE_LABEL} span with the same annotation_id"
        raise _stance_error(row, where, problem, fix)
    value = {"start": span["start"], "end": span["end"], "text": span["text"], "choices": [row["value"]]}
    return {"id": row["region_id"], "from_name": QUOTE_STANCE, "to_name": TEXT_NAME, "type": "choices", "value": value}
