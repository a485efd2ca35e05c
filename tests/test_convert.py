"""Export conversion: golden cases under tests/data/exports/<case>/, the sample export, bad files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.errors import InputError
from newsspan.dataset.schema import DOCUMENTS
from newsspan.labeling.convert import CONVERT_REASONS
from newsspan.labeling.tables import convert_export

CASES = Path(__file__).resolve().parent / "data" / "exports"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def _documents(case: Path, out: Path) -> Path:
    rows = [
        {"source": "t", "source_format": "txt", "raw_sha256": "0" * 64, "encoding": "utf-8", "meta_spans": [], **d}
        for d in json.loads((case / "documents.json").read_text(encoding="utf-8"))
    ]
    path = out / "in" / "documents.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=DOCUMENTS.arrow_schema), path)
    return path


def _read(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


@pytest.mark.parametrize("name", NAMES)
def test_export_case_converts_to_its_golden_tables(name, tmp_path):
    case = CASES / name
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    summary = convert_export(case / "export.json", tmp_path / "out", documents=_documents(case, tmp_path))
    out = tmp_path / "out"
    spans = _read(out, "spans")
    assert [[s["region_id"], s["label"], s["start"], s["end"], s["text"], s["repair"]] for s in spans] == expected[
        "spans"
    ]
    texts = {d["doc_id"]: d["text"] for d in json.loads((case / "documents.json").read_text(encoding="utf-8"))}
    for span in spans:
        assert texts[span["doc_id"]][span["start"] : span["end"]] == span["text"]
    if "relations" in expected:
        assert [[r["relation"], r["from_region_id"], r["to_region_id"]] for r in _read(out, "relations")] == expected[
            "relations"
        ]
    if "stance" in expected:
        assert [[s["scope"], s["region_id"], s["target"], s["value"]] for s in _read(out, "stance")] == expected[
            "stance"
        ]
    if "annotations" in expected:
        got = [[a["annotation_id"], a["annotator"], a["cancelled"]] for a in _read(out, "annotations")]
        assert got == expected["annotations"]
    if "origins" in expected:  # a review project's task: its annotations are adjudications
        assert [a["origin"] for a in _read(out, "annotations")] == expected["origins"]
        assert {s["origin"] for s in spans} == set(expected["origins"])
    if "provenance" in expected:
        assert [s["provenance"] for s in spans] == expected["provenance"]
    for key, value in expected.get("summary", {}).items():
        assert summary.as_dict()[key] == value, key
    quarantine = _read(out, "quarantine")
    fields = ("reason", "source", "doc_id")
    assert [[q[f] for f in fields] for q in quarantine] == [[w[f] for f in fields] for w in expected["quarantine"]]
    for row, wanted in zip(quarantine, expected["quarantine"], strict=True):
        assert row["stage"] == "convert"
        assert row["reason"] in CONVERT_REASONS, row["reason"]
        assert row["source"] in row["detail"]
        for fragment in wanted["detail_contains"]:
            assert fragment in row["detail"], (fragment, row["detail"])
    assert summary.reconciles
    assert json.loads((out / "convert.json").read_text())["reconciles"] is True


def test_without_documents_the_tasks_data_become_the_documents(tmp_path):
    case = CASES / "quote_relations_stance"
    convert_export(case / "export.json", tmp_path)
    (document,) = _read(tmp_path, "documents")
    assert (document["doc_id"], document["stance_target"], document["source_format"]) == (
        "qt1",
        "the panel",
        "label-studio",
    )
    assert [s["text"] for s in _read(tmp_path, "spans")] == ["We reject it,", "the ministry", "said"]


def test_the_sample_export_converts_completely(tmp_path):
    from newsspan.dataset.build import ingest_to_folder, sample_articles, sample_export
    from newsspan.dataset.config import IngestOptions

    with sample_articles() as folder:
        ingest_to_folder([folder], tmp_path / "t", options=IngestOptions(language="en"))
    with sample_export() as export:
        summary = convert_export(export, tmp_path / "t", documents=tmp_path / "t" / "documents.parquet")
    assert summary.tasks == 10 and summary.tasks_quarantined == 0
    assert summary.items_quarantined == 0 and summary.reconciles
    documents = {d["doc_id"]: d["text"] for d in _read(tmp_path / "t", "documents")}
    spans = _read(tmp_path / "t", "spans")
    assert {s["layer"] for s in spans} == {"entity", "quote", "boilerplate"}
    assert all(documents[s["doc_id"]][s["start"] : s["end"]] == s["text"] for s in spans)
    assert {s["scope"] for s in _read(tmp_path / "t", "stance")} == {"document", "quote"}
    assert {a["annotator"] for a in _read(tmp_path / "t", "annotations")} == {
        "ann1@newsspan.sample",
        "ann2@newsspan.sample",
    }


@pytest.mark.parametrize("cut", [1, 200, -2], ids=["first-byte", "mid-task", "last-bracket"])
def test_truncated_export_is_a_clear_error_and_writes_nothing(tmp_path, cut):
    data = (CASES / "two_annotators" / "export.json").read_bytes()
    export = tmp_path / "export.json"
    export.write_bytes(data[:cut])
    truncated = r"is not a complete Label Studio JSON export: it ends at byte \d+ .* truncated"
    with pytest.raises(InputError, match=truncated):
        convert_export(export, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_convert_command_prints_a_reconciling_summary(tmp_path, runner):
    from newsspan.dataset.cli import cli

    case = CASES / "bad_items"
    result = runner.invoke(cli, ["label", "convert", str(case / "export.json"), "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["result_items"] == 16
    assert (summary["result_items_converted"], summary["result_items_quarantined"]) == (4, 12)
    assert summary["repairs"] == {"shift": 1, "trim": 1}


def test_tuples_table_refuses_rows_of_another_width():
    from newsspan.dataset.records import tuples_table
    from newsspan.dataset.schema import RELATIONS

    row = ("d1", "a1", "ann", "human", "said_by", "q1", "s1", "manual")
    assert tuples_table([row, row], RELATIONS).num_rows == 2
    assert tuples_table([], RELATIONS).schema == RELATIONS.arrow_schema
    with pytest.raises(ValueError, match=re.escape("relations: rows have [7] values, the table has 8 columns")):
        tuples_table([row[:-1]], RELATIONS)
    with pytest.raises(ValueError, match=re.escape("relations: rows have [7, 8] values")):  # never cut short
        tuples_table([row, row[:-1]], RELATIONS)


def test_gc_paused_restores_the_collector_as_it_found_it():
    import gc

    from newsspan.dataset.runtime import gc_paused

    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("a failing stage")
    assert gc.isenabled()  # re-enabled after an error too
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_task_metadata_is_read_as_ingest_reads_jsonl_fields(tmp_path):
    # without --documents the tasks' data become the documents: a published date is parsed into
    # published_at, and a value that is not a date or not a string is kept in extra, never dropped
    tasks = [
        {"id": 1, "data": {"text": "A text.", "doc_id": "m1", "published": "2025-06-02T16:15+10:00", "outlet": "X"}},
        {"id": 2, "data": {"text": "B text.", "doc_id": "m2", "published": "last Tuesday", "title": 7}},
    ]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks))
    convert_export(export, tmp_path / "out")
    first, second = _read(tmp_path / "out", "documents")
    assert first["published"] == "2025-06-02T16:15+10:00" and first["outlet"] == "X"
    assert first["published_at"].isoformat() == "2025-06-02T06:15:00+00:00"
    assert second["published"] is None and second["published_at"] is None and second["title"] is None
    assert json.loads(second["extra"]) == {"published": "last Tuesday", "title": 7}


def test_provenance_says_which_human_rows_came_from_a_prediction_unchanged_changed_or_by_hand():
    """Label Studio pre-fills a task with its prediction; the export's ``origin`` of each result
    says what the annotator did with it. Relations carry none: one equal to a predicted relation
    between two accepted regions was accepted."""
    from newsspan.dataset.records import tuples_table
    from newsspan.dataset.schema import ANNOTATIONS, RELATIONS, SPANS, STANCE
    from newsspan.labeling.convert import convert_task

    text = "“We reject it,” the ministry said on Monday in Varna."

    def span(region, label, start, end, origin):
        value = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
        return {
            "id": region,
            "from_name": "quote",
            "to_name": "text",
            "type": "labels",
            "origin": origin,
            "value": value,
        }

    said_by = {"from_id": "q", "to_id": "s", "type": "relation", "direction": "right", "labels": ["said_by"]}
    cued_by = {"from_id": "q", "to_id": "c", "type": "relation", "direction": "right", "labels": ["cued_by"]}
    prediction = {
        "model_version": "newsspan-rules-4",
        "result": [span("q", "QUOTE", 1, 14, None), span("s", "SPEAKER", 16, 28, None), said_by],
    }
    place = {"id": "v", "from_name": "entity", "to_name": "text", "type": "labels", "origin": "manual",
             "value": {"start": 47, "end": 52, "text": "Varna", "labels": ["GPE"]}}  # fmt: skip
    stance = {"id": "d", "from_name": "doc_stance", "to_name": "text", "type": "choices", "origin": "manual",
              "value": {"choices": ["NEUTRAL"]}}  # fmt: skip
    task = {
        "id": 5,
        "data": {"text": text, "doc_id": "p1"},
        "annotations": [
            {
                "id": 51,
                "completed_by": {"id": 1, "email": "ann@x.org"},
                "prediction": prediction,
                "result": [
                    span("q", "QUOTE", 1, 14, "prediction"),
                    span("s", "SPEAKER", 16, 28, "prediction"),
                    span("c", "CUE", 29, 33, "prediction-changed"),
                    place,
                    said_by,
                    cued_by,
                    stance,
                ],
            }
        ],
    }
    rows = convert_task(task, text, target="the panel")
    spans = {r["region_id"]: r["provenance"] for r in tuples_table(rows.spans, SPANS).to_pylist()}
    assert spans == {"q": "prediction", "s": "prediction", "c": "prediction-changed", "v": "manual"}
    relations = {r["relation"]: r["provenance"] for r in tuples_table(rows.relations, RELATIONS).to_pylist()}
    assert relations == {"said_by": "prediction", "cued_by": "manual"}, "cued_by was not in the prediction"
    assert [r["provenance"] for r in tuples_table(rows.stance, STANCE).to_pylist()] == ["manual"]
    (annotation,) = tuples_table(rows.annotations, ANNOTATIONS).to_pylist()
    assert annotation["prediction_model"] == "newsspan-rules-4", "the prediction the annotation started from"


def test_a_gold_span_is_a_prediction_only_when_no_supporter_touched_it():
    from newsspan.labeling.gold import gold_provenance

    assert gold_provenance(["prediction", "prediction"]) == "prediction"
    assert gold_provenance(["prediction", "prediction-changed"]) == "prediction-changed"
    assert gold_provenance(["prediction", "manual"]) == "manual", "one annotator drew it by hand"
    assert gold_provenance([None, None]) is None, "an export that says nothing stays unknown"


def test_the_stance_target_the_annotator_was_shown_wins_over_a_documents_table_without_one(tmp_path):
    # `label push --stance-target` fills the task's data; the documents built again from the
    # articles have no target, and the stance rows must still say what the stance is toward
    case = CASES / "quote_relations_stance"
    (tmp_path / "case").mkdir()
    documents = json.loads((case / "documents.json").read_text(encoding="utf-8"))
    (tmp_path / "case" / "documents.json").write_text(
        json.dumps([d | {"stance_target": None} for d in documents]), encoding="utf-8"
    )
    convert_export(case / "export.json", tmp_path / "out", documents=_documents(tmp_path / "case", tmp_path))
    assert {s["target"] for s in _read(tmp_path / "out", "stance")} == {"the panel"}


def test_against_a_documents_table_a_changed_text_is_refused_by_its_hash(tmp_path):
    """The documents table is kept as hashes (no text in memory); a task whose text differs from
    its document's by one character is quarantined with both lengths, the others convert."""
    from newsspan.dataset.build import ingest_to_folder, sample_articles, sample_export
    from newsspan.dataset.config import IngestOptions
    from newsspan.labeling.tables import KnownText, known_documents

    with sample_articles() as folder:
        ingest_to_folder([folder], tmp_path / "t", options=IngestOptions(language="en"))
    table = tmp_path / "t" / "documents.parquet"
    known = known_documents(table)
    texts = dict(zip(*pq.read_table(table, columns=["doc_id", "text"]).to_pydict().values(), strict=True))
    assert set(known) == set(texts)
    assert all(isinstance(k, KnownText) and len(k.sha256) == 64 and k.length == len(texts[d]) for d, k in known.items())
    with sample_export() as export:
        tasks = json.loads(export.read_text(encoding="utf-8"))
    changed = tasks[0]["data"]
    changed["text"] = changed["text"] + "!"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(tasks), encoding="utf-8")
    summary = convert_export(edited, tmp_path / "out", known=known)
    assert summary.tasks_quarantined == 1 and summary.reasons == {"text_changed": 1} and summary.reconciles
    (row,) = [r for r in _read(tmp_path / "out", "quarantine") if r["reason"] == "text_changed"]
    doc_id = row["doc_id"]
    assert f"the documents table's ({len(texts[doc_id])} characters, {len(texts[doc_id]) + 1} here)" in row["detail"]
    spans = _read(tmp_path / "out", "spans")
    assert spans and all(texts[s["doc_id"]][s["start"] : s["end"]] == s["text"] for s in spans)
