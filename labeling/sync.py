"""Project sync: create or update the project, import documents and predictions, idempotently.

The logic talks to a :class:`Backend` (the real one wraps the Label Studio SDK, see
:mod:`newsspan.labeling.client`; tests use a fake), so batching, idempotency and resumption are
testable without a server:

* a document already in the project (matched on ``doc_id``) is never imported twice;
* one whose text changed since it was pushed is reported, not re-imported;
* predictions are added once per (task, model version);
* a batch that fails after the backend's retries (a :class:`~newsspan.dataset.errors.SyncError`)
  stops the push with what was imported and how to resume (run the same push again: it skips
  what is there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from newsspan.dataset.errors import NewsspanError, SyncError
from newsspan.labeling.tasks import Prediction

__all__ = ["Backend", "ExistingTask", "Project", "PushReport", "ensure_project", "push_tasks"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    title: str
    label_config: str
    annotations: int  # how many annotations exist (changing labels could orphan them)
    prefill: bool = True  # tasks open with predictions in the draft (show_collab_predictions)


@dataclass(frozen=True, slots=True)
class ExistingTask:
    task_id: int
    text_sha256: str
    model_versions: frozenset[str]
    stance_target: str = ""  # what the task's data says now
    annotated: bool = False  # has annotations (its data is then left as it is)


class Backend(Protocol):
    """What sync needs from Label Studio."""

    def find_project(self, *, project_id: int | None, title: str) -> Project | None: ...
    def create_project(self, *, title: str, label_config: str, prefill: bool = True) -> Project: ...
    def update_config(self, project: Project, label_config: str) -> None: ...
    def set_prefill(self, project: Project, prefill: bool) -> None: ...
    def existing_tasks(self, project: Project) -> dict[str, ExistingTask]: ...
    def import_tasks(self, project: Project, tasks: list[dict[str, Any]]) -> list[int]: ...
    def add_prediction(self, task_id: int, prediction: dict[str, Any]) -> None: ...
    def update_task_data(self, task_id: int, data: dict[str, Any]) -> None: ...


def ensure_project(
    backend: Backend, *, project_id: int | None, title: str, label_config: str, prefill: bool | None = None
) -> Project:
    """Find or create the project; update its config when the schema changed, and whether tasks
    open pre-filled with predictions when ``prefill`` is given and differs.

    Refuses a change that removes labels while the project has annotations, naming the labels.
    """
    project = backend.find_project(project_id=project_id, title=title)
    if project is None:
        if project_id is not None:
            raise NewsspanError(
                f"Label Studio has no project {project_id}; fix label_studio.project_id in newsspan.toml "
                "or remove it to create a project by title"
            )
        return backend.create_project(title=title, label_config=label_config, prefill=prefill is not False)
    if prefill is not None and project.prefill != prefill:
        backend.set_prefill(project, prefill)
        log.info("project %s: tasks %s open pre-filled with predictions", project.id, "now" if prefill else "no longer")
        project = replace(project, prefill=prefill)
    if project.label_config.strip() == label_config.strip():
        return project
    removed = sorted(_labels(project.label_config) - _labels(label_config))
    if removed and project.annotations:
        raise NewsspanError(
            f"project {project.id} '{project.title}' has {project.annotations} annotation(s), and the new "
            f"schema drops label(s) {', '.join(removed)} that they may use; export them first "
            "(`newsspan label pull`), or keep those labels in newsspan.dataset.schema"
        )
    backend.update_config(project, label_config)
    log.info("updated the labeling config of project %s", project.id)
    return project


def _labels(xml: str) -> set[str]:
    from xml.etree import ElementTree as ET

    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return set()
    return {node.get("value", "") for tag in ("Label", "Relation", "Choice") for node in root.iter(tag)}


@dataclass
class PushReport:
    """What a push did; nothing is left out."""

    created: int = 0
    unchanged: int = 0
    changed: list[tuple[str, int]] = field(default_factory=list)  # (doc_id, task_id): not re-imported
    predictions_added: int = 0
    predictions_present: int = 0
    batches: int = 0
    stance_target_updated: int = 0  # unannotated tasks whose stance target was set or changed
    stance_target_kept: list[tuple[str, int]] = field(default_factory=list)  # annotated: target left as it was
    without_stance_target: list[str] = field(default_factory=list)  # doc_ids whose tasks have none

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "unchanged": self.unchanged,
            "changed": [{"doc_id": d, "task_id": t} for d, t in self.changed],
            "predictions_added": self.predictions_added,
            "predictions_present": self.predictions_present,
            "batches": self.batches,
            "stance_target_updated": self.stance_target_updated,
            "stance_target_kept": [{"doc_id": d, "task_id": t} for d, t in self.stance_target_kept],
            "without_stance_target": self.without_stance_target,
        }


def push_tasks(
    backend: Backend,
    project: Project,
    tasks: Sequence[dict[str, Any]],
    predictions: dict[str, list[Prediction]],
    *,
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
) -> PushReport:
    """Import ``tasks`` (task ``data`` dicts) not yet in ``project``, with their predictions."""
    report = PushReport()
    existing = backend.existing_tasks(project)
    new: list[dict[str, Any]] = []
    for data in tasks:
        known = existing.get(data["doc_id"])
        if known is None:
            new.append({"data": data, "predictions": [p.payload() for p in predictions.get(data["doc_id"], [])]})
        elif known.text_sha256 != data["text_sha256"]:
            report.changed.append((data["doc_id"], known.task_id))
        else:
            report.unchanged += 1
            _add_missing_predictions(backend, known, predictions.get(data["doc_id"], []), report)
            _update_stance_target(backend, known, data, report)
        if not data.get("stance_target"):
            report.without_stance_target.append(data["doc_id"])
    batches = [new[i : i + batch_size] for i in range(0, len(new), batch_size)]
    for number, batch in enumerate(batches, start=1):
        if progress is not None:
            progress(number - 1, len(batches))
        try:
            backend.import_tasks(project, batch)
        except SyncError as exc:
            raise SyncError(
                f"{exc}; imported {report.created} of {len(new)} new task(s) in {report.batches} batch(es) "
                f"before batch {number} of {len(batches)} failed; run the same `newsspan label push` "
                "again to resume: it skips documents already in the project",
                status=exc.status,
            ) from None
        report.created += len(batch)
        report.predictions_added += sum(len(task["predictions"]) for task in batch)
        report.batches += 1
    if progress is not None:
        progress(len(batches), len(batches))
    return report


def _update_stance_target(backend: Backend, known: ExistingTask, data: dict[str, Any], report: PushReport) -> None:
    """A stance target given now (``--stance-target``, or the documents') reaches a task that is
    not annotated yet; an annotated task keeps the target its annotators saw (reported)."""
    target = data.get("stance_target") or ""
    if not target or target == known.stance_target:
        return
    if known.annotated:
        report.stance_target_kept.append((data["doc_id"], known.task_id))
        return
    backend.update_task_data(known.task_id, data)
    report.stance_target_updated += 1


def _add_missing_predictions(
    backend: Backend, known: ExistingTask, predictions: list[Prediction], report: PushReport
) -> None:
    for prediction in predictions:
        if prediction.model_version in known.model_versions:
            report.predictions_present += 1
        else:
            backend.add_prediction(known.task_id, prediction.payload())
            report.predictions_added += 1
