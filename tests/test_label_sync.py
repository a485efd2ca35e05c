"""Push logic against a fake Label Studio: batching, idempotency, changed text, retries."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pyarrow as pa
import pytest

from newsspan.dataset.errors import NewsspanError, SyncError
from newsspan.dataset.schema import DOCUMENTS, RELATIONS, SPANS, STANCE
from newsspan.labeling.client import SdkBackend
from newsspan.labeling.config import label_config_xml
from newsspan.labeling.sync import ExistingTask, Project, ensure_project, push_tasks
from newsspan.labeling.tasks import document_tasks, predictions_by_document, text_sha256


class FakeLabelStudio:
    """An in-memory Label Studio with scripted failures."""

    def __init__(self, *, fail_batches: set[int] | None = None) -> None:
        self.projects: dict[int, Project] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.import_calls: list[int] = []
        self.fail_batches = fail_batches or set()
        self.prefill_calls: list[bool] = []

    def find_project(self, *, project_id, title):
        if project_id is not None:
            return self.projects.get(project_id)
        return next((p for p in self.projects.values() if p.title == title), None)

    def create_project(self, *, title, label_config, prefill=True):
        project = Project(len(self.projects) + 1, title, label_config, 0, prefill)
        self.projects[project.id] = project
        return project

    def update_config(self, project, label_config):
        self.projects[project.id] = dataclasses.replace(self.projects[project.id], label_config=label_config)

    def set_prefill(self, project, prefill):
        self.prefill_calls.append(prefill)
        self.projects[project.id] = dataclasses.replace(self.projects[project.id], prefill=prefill)

    def existing_tasks(self, project):
        return {
            t["data"]["doc_id"]: ExistingTask(
                task_id,
                t["data"]["text_sha256"],
                frozenset(p["model_version"] for p in t["predictions"]),
                t["data"].get("stance_target") or "",
                bool(t.get("annotations")),
            )
            for task_id, t in self.tasks.items()
        }

    def import_tasks(self, project, tasks):
        self.import_calls.append(len(tasks))
        if len(self.import_calls) in self.fail_batches:
            raise SyncError("could not import: HTTP 503 after 4 tries", status=503)
        ids = []
        for task in tasks:
            task_id = len(self.tasks) + 1
            self.tasks[task_id] = {"data": task["data"], "predictions": list(task["predictions"])}
            ids.append(task_id)
        return ids

    def add_prediction(self, task_id, prediction):
        self.tasks[task_id]["predictions"].append(prediction)

    def update_task_data(self, task_id, data):
        self.tasks[task_id]["data"] = dict(data)


def _documents(n: int, *, suffix: str = "") -> pa.Table:
    rows = [
        {
            "doc_id": f"d{i:03d}",
            "source": f"a{i}.txt",
            "source_format": "txt",
            "raw_sha256": "0" * 64,
            "encoding": "utf-8",
            "text": f"Article {i} text{suffix}",
            "meta_spans": [],
            "title": f"T{i}",
        }
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=DOCUMENTS.arrow_schema)


def _prediction_tables() -> tuple[pa.Table, pa.Table, pa.Table]:
    base = {"doc_id": "d001", "annotation_id": "pred-1", "annotator": "rules-0.1", "origin": "prediction"}
    spans = [
        {**base, "region_id": "q1", "layer": "quote", "label": "QUOTE", "start": 0, "end": 7, "text": "Article"},
        {**base, "region_id": "s1", "layer": "quote", "label": "SPEAKER", "start": 8, "end": 9, "text": "1"},
        {**base, "region_id": "e1", "layer": "entity", "label": "MISC", "start": 10, "end": 14, "text": "text"},
        {
            **base,
            "origin": "human",
            "region_id": "h1",
            "layer": "entity",
            "label": "ORG",
            "start": 0,
            "end": 7,
            "text": "Article",
        },
    ]
    relations = [{**base, "relation": "said_by", "from_region_id": "q1", "to_region_id": "s1"}]
    stance = [
        {**base, "scope": "quote", "region_id": "q1", "target": "x", "value": "AGAINST"},
        {**base, "scope": "document", "region_id": None, "target": "x", "value": "NEUTRAL"},
    ]
    return (
        pa.Table.from_pylist(spans, schema=SPANS.arrow_schema),
        pa.Table.from_pylist(relations, schema=RELATIONS.arrow_schema),
        pa.Table.from_pylist(stance, schema=STANCE.arrow_schema),
    )


def test_predictions_become_label_studio_results_with_relations_and_stance():
    predictions = predictions_by_document(*_prediction_tables())
    (prediction,) = predictions["d001"]
    assert prediction.model_version == "rules-0.1"
    by_type = [item["type"] for item in prediction.result]
    assert by_type == ["labels", "labels", "labels", "relation", "choices", "choices"]  # human span left out
    assert prediction.result[0] == {
        "id": "q1",
        "from_name": "quote",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 0, "end": 7, "text": "Article", "labels": ["QUOTE"]},
    }
    assert prediction.result[3] == {
        "from_id": "q1",
        "to_id": "s1",
        "type": "relation",
        "direction": "right",
        "labels": ["said_by"],
    }
    quote_stance = prediction.result[4]
    assert (quote_stance["id"], quote_stance["from_name"], quote_stance["value"]["choices"]) == (
        "q1",
        "quote_stance",
        ["AGAINST"],
    )
    assert prediction.result[5]["value"] == {"choices": ["NEUTRAL"]}


def test_push_imports_in_batches_and_fills_task_data():
    fake = FakeLabelStudio()
    project = ensure_project(fake, project_id=None, title="news", label_config=label_config_xml())
    tasks = document_tasks(_documents(5), stance_target="MSMT")
    report = push_tasks(fake, project, tasks, {}, batch_size=2)
    assert fake.import_calls == [2, 2, 1]
    assert (report.created, report.batches, report.unchanged) == (5, 3, 0)
    data = fake.tasks[1]["data"]
    assert data == {
        "text": "Article 0 text",
        "doc_id": "d000",
        "title": "T0",
        "outlet": "",
        "published": "",
        "stance_target": "MSMT",
        "text_sha256": text_sha256("Article 0 text"),
    }


def test_second_push_creates_no_duplicates_and_adds_only_missing_predictions():
    fake = FakeLabelStudio()
    project = ensure_project(fake, project_id=None, title="news", label_config=label_config_xml())
    tasks = document_tasks(_documents(3))
    push_tasks(fake, project, tasks, {}, batch_size=10)
    predictions = predictions_by_document(*_prediction_tables())
    second = push_tasks(fake, project, tasks, predictions, batch_size=10)
    third = push_tasks(fake, project, tasks, predictions, batch_size=10)
    assert len(fake.tasks) == 3
    assert (second.created, second.unchanged, second.predictions_added) == (0, 3, 1)
    assert (third.predictions_added, third.predictions_present) == (0, 1)


def test_changed_text_is_reported_not_reimported():
    fake = FakeLabelStudio()
    project = ensure_project(fake, project_id=None, title="news", label_config=label_config_xml())
    push_tasks(fake, project, document_tasks(_documents(2)), {}, batch_size=10)
    report = push_tasks(fake, project, document_tasks(_documents(2, suffix=" edited")), {}, batch_size=10)
    assert report.changed == [("d000", 1), ("d001", 2)]
    assert report.created == 0
    assert fake.tasks[1]["data"]["text"] == "Article 0 text"


def test_failed_batch_stops_with_what_was_imported_and_how_to_resume():
    fake = FakeLabelStudio(fail_batches={2})
    project = ensure_project(fake, project_id=None, title="news", label_config=label_config_xml())
    tasks = document_tasks(_documents(5))
    with pytest.raises(SyncError) as caught:
        push_tasks(fake, project, tasks, {}, batch_size=2)
    message = str(caught.value)
    assert "imported 2 of 5 new task(s) in 1 batch(es) before batch 2 of 3 failed" in message
    assert "run the same `newsspan label push` again to resume" in message
    fake.fail_batches = set()
    resumed = push_tasks(fake, project, tasks, {}, batch_size=2)
    assert (resumed.created, resumed.unchanged) == (3, 2)
    assert sorted(t["data"]["doc_id"] for t in fake.tasks.values()) == [f"d{i:03d}" for i in range(5)]


def test_config_change_that_drops_labels_with_annotations_is_refused():
    fake = FakeLabelStudio()
    old = label_config_xml().replace('<Label value="MISC"', '<Label value="FAC" background="#000"/><Label value="MISC"')
    fake.projects[1] = Project(1, "news", old, annotations=12)
    with pytest.raises(NewsspanError, match="has 12 annotation\\(s\\), and the new schema drops label\\(s\\) FAC"):
        ensure_project(fake, project_id=None, title="news", label_config=label_config_xml())
    fake.projects[1] = Project(1, "news", old, annotations=0)
    ensure_project(fake, project_id=None, title="news", label_config=label_config_xml())
    assert fake.projects[1].label_config == label_config_xml()


def test_prefill_is_set_on_creation_and_changed_only_when_it_differs():
    fake = FakeLabelStudio()
    config = label_config_xml()
    created = ensure_project(fake, project_id=None, title="news", label_config=config, prefill=False)
    assert created.prefill is False and fake.prefill_calls == []  # created that way, no second request
    assert ensure_project(fake, project_id=None, title="news", label_config=config, prefill=False).prefill is False
    assert fake.prefill_calls == []  # unchanged: nothing sent
    assert ensure_project(fake, project_id=None, title="news", label_config=config, prefill=True).prefill is True
    assert fake.prefill_calls == [True] and fake.projects[created.id].prefill is True
    ensure_project(fake, project_id=None, title="news", label_config=config)  # not given: left as it is
    assert fake.prefill_calls == [True]


def test_missing_project_id_is_a_clear_error():
    with pytest.raises(NewsspanError, match=re.escape("has no project 7; fix label_studio.project_id")):
        ensure_project(FakeLabelStudio(), project_id=7, title="news", label_config=label_config_xml())


def _api_error(status: int) -> Exception:
    from label_studio_sdk.core.api_error import ApiError

    return ApiError(status_code=status, headers={}, body={"detail": f"canned {status}"})


def test_client_retries_5xx_with_backoff_then_succeeds():
    sleeps: list[float] = []
    responses = [_api_error(502), _api_error(503), "ok"]

    def request():
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    backend = SdkBackend(None, url="http://127.0.0.1:1", retries=4, backoff=0.5, sleep=sleeps.append)
    assert backend.call("import", request) == "ok"
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (lambda: _api_error(401), "refused the API token (HTTP 401: canned 401); set LABEL_STUDIO_API_KEY"),
        (lambda: _api_error(400), "could not import: HTTP 400 (canned 400)"),
        (lambda: _api_error(500), "could not import: HTTP 500 after 3 tries (canned 500)"),
    ],
    ids=["401", "400-not-retried", "500-gives-up"],
)
def test_client_errors_are_clear_messages(error, message):
    calls = []

    def request():
        calls.append(1)
        raise error()

    backend = SdkBackend(None, url="http://127.0.0.1:1", retries=3, backoff=0, sleep=lambda s: None)
    with pytest.raises(SyncError, match=re.escape(message)):
        backend.call("import", request)
    assert len(calls) == (3 if "500" in message else 1)


def test_unreachable_server_names_the_url_and_the_way_out():
    import httpx

    def request():
        raise httpx.ConnectError("refused")

    backend = SdkBackend(None, url="http://127.0.0.1:9", retries=2, backoff=0, sleep=lambda s: None)
    expected = "at http://127.0.0.1:9 is not reachable (ConnectError) after 2 tries"
    with pytest.raises(SyncError, match=re.escape(expected)):
        backend.call("list projects", request)


def test_a_server_that_refuses_the_first_connection_is_reported_at_once_without_retries():
    import httpx

    waits: list[float] = []

    def request():
        raise httpx.ConnectError("refused")

    backend = SdkBackend(None, url="http://127.0.0.1:9", retries=4, backoff=1, sleep=waits.append)
    expected = "at http://127.0.0.1:9 is not reachable (ConnectError) after 1 tries to reach the server"
    with pytest.raises(SyncError, match=re.escape(expected)):
        backend.call("reach the server and check the token", request, retry_unreachable=False)
    assert waits == [], "no backoff before saying the server is not running"


def test_a_later_stance_target_reaches_unannotated_tasks_and_spares_annotated_ones():
    fake = FakeLabelStudio()
    project = ensure_project(fake, project_id=None, title="news", label_config=label_config_xml())
    first = push_tasks(fake, project, document_tasks(_documents(3)), {}, batch_size=10)
    assert first.without_stance_target == ["d000", "d001", "d002"], "the push names the tasks without a target"
    fake.tasks[2]["annotations"] = [{"id": 9}]  # d001 was annotated toward no target
    second = push_tasks(fake, project, document_tasks(_documents(3), stance_target="the panel"), {}, batch_size=10)
    assert second.stance_target_updated == 2 and second.without_stance_target == []
    assert [fake.tasks[i]["data"]["stance_target"] for i in (1, 2, 3)] == ["the panel", "", "the panel"]
    assert second.stance_target_kept == [("d001", 2)], "what its annotators saw stays, and is reported"
    third = push_tasks(fake, project, document_tasks(_documents(3), stance_target="the panel"), {}, batch_size=10)
    assert third.stance_target_updated == 0, "a second push with the same target changes nothing"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("<!DOCTYPE html><html><body><form>Sign in to the proxy</form>" + "x" * 5000, "an HTML page of 5"),
        ("token\x1b[31m invalid\r\nsecond line", "(HTTP 401: token [31m invalid second line)"),
        ("y" * 1000, "y" * 199 + "…"),
    ],
    ids=["html-page", "control-characters", "long"],
)
def test_a_refusing_servers_body_is_shown_as_one_short_line(body, shown):
    from label_studio_sdk.core.api_error import ApiError

    def request():
        raise ApiError(status_code=401, headers={}, body=body)

    backend = SdkBackend(None, url="http://127.0.0.1:1", retries=1, backoff=0, sleep=lambda s: None)
    with pytest.raises(SyncError) as caught:
        backend.call("import", request)
    message = str(caught.value)
    assert shown in message and "\n" not in message and "\x1b" not in message and "<form>" not in message
    assert len(message) < 400


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("http://user:secret@127.0.0.1:8080/ls", "http://127.0.0.1:8080/ls"),
        ("https://token@label.example.org", "https://label.example.org"),
        ("http://127.0.0.1:8089", "http://127.0.0.1:8089"),
    ],
)
def test_a_url_with_credentials_is_shown_without_them(url, public):
    from newsspan.labeling.client import public_url

    assert public_url(url) == public
