"""The Label Studio API client: the SDK (``label-studio-sdk`` 2.x) behind :class:`SdkBackend`.

Every request goes through :meth:`SdkBackend.call`, which retries a 5xx, a 429 or a dropped
connection with doubling backoff and turns everything else into a :class:`~newsspan.dataset.errors.SyncError` whose
message says what to do (server not reachable, token refused, project missing). The token is
passed to the SDK and never printed, logged or written anywhere.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from newsspan.dataset.config import LabelStudioOptions
from newsspan.dataset.errors import ConfigError, SyncError
from newsspan.labeling.config import instructions_html
from newsspan.labeling.server import load_credentials
from newsspan.labeling.sync import ExistingTask, Project
from newsspan.labeling.tasks import text_sha256

__all__ = ["SdkBackend", "connect", "public_url", "resolve_url"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def resolve_url(options: LabelStudioOptions) -> str:
    """The server URL: env ``LABEL_STUDIO_URL`` over ``newsspan.toml``."""
    return (os.environ.get("LABEL_STUDIO_URL") or options.url).rstrip("/")


def public_url(url: str) -> str:
    """``url`` without a user name or password (``http://user:pw@host`` → ``http://host``), query
    or fragment (where tokens hide): what messages, reports and files may show."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def connect(options: LabelStudioOptions, *, sleep: Callable[[float], None] = time.sleep) -> SdkBackend:
    """An SDK backend for the configured server; checks the URL and token with one request."""
    credentials = load_credentials(options, data_dir=Path(options.data_dir))
    if credentials is None:
        raise ConfigError(
            "no Label Studio API token: set LABEL_STUDIO_API_KEY (Account & Settings > Access Token in "
            "the Label Studio UI), or start a local server with `newsspan label serve`, which creates one"
        )
    from label_studio_sdk import LabelStudio

    url = resolve_url(options)
    client = LabelStudio(  # type: ignore[no-untyped-call]
        base_url=url, api_key=credentials.token, timeout=options.timeout, max_retries=0
    )
    # the SDK has the URL as given; the backend's, which messages and files show, has no password
    backend = SdkBackend(client, url=public_url(url), retries=options.retries, backoff=options.backoff, sleep=sleep)
    backend.call("reach the server and check the token", client.users.whoami, retry_unreachable=False)
    return backend


class SdkBackend:
    """:class:`newsspan.labeling.sync.Backend` over the Label Studio SDK."""

    def __init__(
        self,
        client: Any,
        *,
        url: str,
        retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.url = url
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    def call(self, what: str, request: Callable[[], T], *, retry_unreachable: bool = True) -> T:
        """Run ``request``, retrying transient failures; raise :class:`SyncError` otherwise.

        With ``retry_unreachable=False`` a refused connection fails at once (the first request
        of a session: a server that is not running does not start during the backoff)."""
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        delay = self.backoff
        for attempt in range(1, self.retries + 1):
            try:
                return request()
            except ApiError as exc:
                status = exc.status_code or 0
                if status not in _RETRY_STATUS or attempt == self.retries:
                    raise self._error(what, status, exc.body) from None
                reason = f"HTTP {status}"
            except httpx.TransportError as exc:
                if attempt == self.retries or (not retry_unreachable and isinstance(exc, httpx.ConnectError)):
                    raise SyncError(
                        f"Label Studio at {self.url} is not reachable ({type(exc).__name__}) after {attempt} "
                        f"tries to {what}; start it with `newsspan label serve`, or set LABEL_STUDIO_URL"
                    ) from None
                reason = type(exc).__name__
            log.warning("%s: %s (try %d of %d); retrying in %.1f s", what, reason, attempt, self.retries, delay)
            self.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, what: str, status: int, body: Any) -> SyncError:
        detail = _detail(body)
        if status == 401:
            return SyncError(
                f"Label Studio at {self.url} refused the API token (HTTP 401: {detail}); set "
                "LABEL_STUDIO_API_KEY to a valid token (Account & Settings > Access Token)",
                status=status,
            )
        if status in _RETRY_STATUS:
            return SyncError(f"could not {what}: HTTP {status} after {self.retries} tries ({detail})", status=status)
        return SyncError(f"could not {what}: HTTP {status} ({detail})", status=status)

    # -- Backend -------------------------------------------------------------------------------

    def find_project(self, *, project_id: int | None, title: str) -> Project | None:
        if project_id is not None:
            try:
                return self._project(
                    self.call(f"read project {project_id}", lambda: self.client.projects.get(id=project_id))
                )
            except SyncError as exc:
                if exc.status == 404:
                    return None
                raise
        projects = self.call("list projects", lambda: list(self.client.projects.list(title=title)))
        matching = sorted((p for p in projects if p.title == title), key=lambda p: p.id)
        return self._project(matching[0]) if matching else None

    def create_project(self, *, title: str, label_config: str, prefill: bool = True) -> Project:
        created = self.call(
            f"create project '{title}'",
            lambda: self.client.projects.create(
                title=title,
                label_config=label_config,
                expert_instruction=instructions_html(),
                show_instruction=True,
                show_collab_predictions=prefill,
            ),
        )
        log.info("created Label Studio project %s '%s'", created.id, title)
        return self._project(created)

    def update_config(self, project: Project, label_config: str) -> None:
        self.call(
            f"update the config of project {project.id}",
            lambda: self.client.projects.update(
                id=project.id, label_config=label_config, expert_instruction=instructions_html(), show_instruction=True
            ),
        )

    def set_prefill(self, project: Project, prefill: bool) -> None:
        self.call(
            f"set whether the tasks of project {project.id} open pre-filled",
            lambda: self.client.projects.update(id=project.id, show_collab_predictions=prefill),
        )

    def existing_tasks(self, project: Project) -> dict[str, ExistingTask]:
        tasks = self.call(
            f"list the tasks of project {project.id}",
            lambda: list(self.client.tasks.list(project=project.id, fields="all")),
        )
        found: dict[str, ExistingTask] = {}
        for task in tasks:
            data = task.data or {}
            doc_id = data.get("doc_id")
            if not doc_id or doc_id in found:
                continue  # tasks not made by newsspan, or duplicates made by hand: left alone
            versions = frozenset(p.model_version for p in (task.predictions or []) if p.model_version)
            digest = data.get("text_sha256") or text_sha256(str(data.get("text", "")))
            annotated = bool(getattr(task, "total_annotations", 0) or getattr(task, "annotations", None))
            found[doc_id] = ExistingTask(task.id, digest, versions, str(data.get("stance_target") or ""), annotated)
        return found

    def import_tasks(self, project: Project, tasks: list[dict[str, Any]]) -> list[int]:
        response = self.call(
            f"import {len(tasks)} task(s) into project {project.id}",
            lambda: self.client.projects.import_tasks(id=project.id, request=tasks, return_task_ids=True),
        )
        return list(response.task_ids or [])

    def add_prediction(self, task_id: int, prediction: dict[str, Any]) -> None:
        self.call(
            f"add a prediction to task {task_id}",
            lambda: self.client.predictions.create(task=task_id, **prediction),
        )

    def update_task_data(self, task_id: int, data: dict[str, Any]) -> None:
        self.call(f"update the data of task {task_id}", lambda: self.client.tasks.update(id=task_id, data=data))

    def download_export(self, project: Project, dest: Path) -> int:
        """Stream the project's full JSON export (annotations, full predictions, annotator
        e-mails) into ``dest``; returns the bytes written. Never holds the export in memory."""
        exports = self.client.projects.exports
        snapshot = self.call(
            f"create an export of project {project.id}",
            lambda: exports.create(
                id=project.id,
                title="newsspan pull",
                serialization_options={
                    "predictions": {"only_id": False},
                    "annotations__completed_by": {"only_id": False},
                },
            ),
        )
        status = snapshot.status
        while status not in ("completed", "failed"):
            self.sleep(0.2)
            status = self.call("poll the export", lambda: exports.get(id=project.id, export_pk=snapshot.id)).status
        if status == "failed":
            raise SyncError(f"Label Studio failed to build the export of project {project.id}; see its server log")

        def stream() -> int:
            written = 0
            with dest.open("wb") as handle:
                for chunk in exports.download(id=project.id, export_pk=snapshot.id, export_type="JSON"):
                    handle.write(chunk)
                    written += len(chunk)
            return written

        return self.call(f"download the export of project {project.id}", stream)

    @staticmethod
    def _project(found: Any) -> Project:
        annotations = int(getattr(found, "total_annotations_number", 0) or 0)
        prefill = getattr(found, "show_collab_predictions", True) is not False
        return Project(found.id, found.title or "", found.label_config or "", annotations, prefill)


def _detail(body: Any, *, limit: int = 200) -> str:
    """What a refusing server said, as one short line: its JSON ``detail`` when it has one; an
    HTML page (a proxy's login page, say) named as such, never printed; control characters
    dropped; at most ``limit`` characters."""
    if isinstance(body, dict):
        body = body.get("detail") or body.get("validation_errors") or body
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    if re.search(r"<\s*(!doctype|html|head|body)\b", text, re.IGNORECASE):
        return f"an HTML page of {len(text)} characters, not Label Studio's JSON"
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
