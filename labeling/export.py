"""Pulling a project's full JSON export to disk, as the provenance of a release.

Only the full ``JSON`` format is used: ``JSON_MIN``, CSV and CoNLL drop relations, cancelled
annotations and overlapping spans. The export is streamed into a temporary file and renamed
into place when complete, with a ``.meta.json`` beside it (project, server, size, sha256, task
count, time). The token is never written, nor the userinfo of a server URL like
``http://user:password@host:8080``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from newsspan.dataset.io import ensure_folder, file_sha256, write_json
from newsspan.labeling.client import public_url
from newsspan.labeling.export_json import ExportReader
from newsspan.labeling.sync import Project

__all__ = ["EXPORT_FILE", "REVIEW_EXPORT_FILE", "ExportInfo", "count_tasks", "pull_export"]

EXPORT_FILE = "label-studio-export.json"
REVIEW_EXPORT_FILE = "label-studio-review-export.json"  # the review project's (`label pull --review`)


class Exporter(Protocol):
    url: str

    def download_export(self, project: Project, dest: Path) -> int: ...


@dataclass(frozen=True, slots=True)
class ExportInfo:
    path: str
    project_id: int
    project_title: str
    server: str
    bytes: int
    sha256: str
    tasks: int
    pulled_at: str


def pull_export(backend: Exporter, project: Project, out: Path, *, name: str = EXPORT_FILE) -> ExportInfo:
    """Download ``project``'s full JSON export into ``out``/``name``."""
    ensure_folder(out)
    final = out / name
    temp = out / f".{name}.partial"
    try:
        size = backend.download_export(project, temp)
        tasks = count_tasks(temp)
        info = ExportInfo(
            path=final.name,
            project_id=project.id,
            project_title=project.title,
            server=public_url(backend.url),
            bytes=size,
            sha256=file_sha256(temp),
            tasks=tasks,
            pulled_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        temp.replace(final)
    finally:
        temp.unlink(missing_ok=True)
    write_json(asdict(info), out / f"{name.removesuffix('.json')}.meta.json")
    return info


def count_tasks(path: Path) -> int:
    """Task objects in a Label Studio export, counted while streaming (constant memory, the same
    reader and refusals as conversion: nesting past its bound is refused before memory grows)."""
    return sum(isinstance(task, dict) for task in ExportReader(path))
