"""The bundled sample's Label Studio export agrees with its annotation spec and its documents."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan.dataset.build import ingest_to_folder, sample_articles
from newsspan.dataset.config import IngestOptions

DATA = Path(__file__).resolve().parent / "data"
SPEC = json.loads((DATA / "sample_annotations" / "spec.json").read_text(encoding="utf-8"))
_tool = importlib.util.spec_from_file_location(
    "make_sample_export", Path(__file__).parent / "tools" / "make_sample_export.py"
)
TOOL = importlib.util.module_from_spec(_tool)
_tool.loader.exec_module(TOOL)


@pytest.fixture(scope="module")
def export() -> list[dict]:
    import importlib.resources

    resource = importlib.resources.files("newsspan.dataset.sample").joinpath("label-studio-export.json")
    return json.loads(resource.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("sample")
    with sample_articles() as folder:
        ingest_to_folder([folder], out, options=IngestOptions(language="en"))
    return {row["source"].split("/")[-1]: row for row in pq.read_table(out / "documents.parquet").to_pylist()}


def test_every_document_is_a_task_with_its_exact_text(export, documents):
    by_doc = {task["data"]["doc_id"]: task for task in export}
    assert set(by_doc) == {d["doc_id"] for d in documents.values()}
    for document in documents.values():
        assert by_doc[document["doc_id"]]["data"]["text"] == document["text"]


@pytest.mark.parametrize("source", sorted(SPEC["documents"]))
def test_each_annotation_matches_the_spec(export, documents, source):
    document = documents[source]
    task = next(t for t in export if t["data"]["doc_id"] == document["doc_id"])
    annotations = {a["completed_by"]["email"].split("@")[0]: a for a in task["annotations"]}
    assert set(annotations) == set(SPEC["documents"][source])
    for name, spec in SPEC["documents"][source].items():
        assert annotations[name]["result"] == TOOL.annotation_result(document["text"], spec)
        for item in annotations[name]["result"]:
            if "value" in item and "start" in item["value"]:
                value = item["value"]
                assert document["text"][value["start"] : value["end"]] == value["text"]


def test_the_export_exercises_every_layer_relation_and_stance_scope(export):
    kinds: Counter[str] = Counter()
    annotators_per_task = []
    for task in export:
        annotators_per_task.append(len(task["annotations"]))
        for annotation in task["annotations"]:
            for item in annotation["result"]:
                kinds[item.get("from_name") or item["labels"][0]] += 1
    assert {"entity", "quote", "boilerplate", "said_by", "cued_by", "quote_stance", "doc_stance"} <= set(kinds)
    assert annotators_per_task.count(2) >= 4
