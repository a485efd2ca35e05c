"""The publish gate: suites agree with the schema, and each seeded defect trips exactly its rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.schema import LAYERS, SOURCE_FORMATS, STANCE_VALUES, all_labels
from newsspan.validation.gate import validate_tables
from newsspan.validation.rules import RULES
from newsspan.validation.suite_files import generated_suites, load_suite, read_suite_files


def test_suite_files_are_exactly_the_generated_suites():
    assert read_suite_files() == generated_suites(), "run `newsspan validate --write-suites` and review the diff"


def test_every_suite_loads_with_its_full_expectation_count():
    for name, data in read_suite_files().items():
        assert len(load_suite(data).expectations) == len(data["expectations"]) > 0, name


def test_value_sets_come_from_the_schema():
    sets = {(r.kwargs.get("column")): r.kwargs.get("value_set") for r in RULES if "value_set" in r.kwargs}
    assert sets["layer"] == sorted(layer.name for layer in LAYERS)
    assert sets["label"] == sorted(all_labels())
    assert sets["value"] == sorted(STANCE_VALUES)
    assert sets["source_format"] == sorted(SOURCE_FORMATS)
    assert len({r.rule_id for r in RULES}) == len(RULES)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from newsspan.dataset.build import build_corpus
    from newsspan.dataset.config import IngestOptions

    out = tmp_path_factory.mktemp("good") / "corpus"
    build_corpus(None, out, options=IngestOptions())
    return out


def _failed(folder: Path) -> dict[str, str]:
    return {r.rule_id: r.severity for r in validate_tables(folder).rules if not r.success}


BASELINE = {"GOLD-002": "warning"}  # the sample has one gold document whose annotators disagree on stance


def test_the_sample_passes_with_its_known_warning(corpus):
    assert _failed(corpus) == BASELINE


def _mutate(corpus: Path, tmp_path: Path, table: str, change) -> Path:
    bad = tmp_path / "bad"
    shutil.copytree(corpus, bad)
    rows = pq.read_table(bad / f"{table}.parquet")
    schema = rows.schema
    data = rows.to_pylist()
    change(data)
    pq.write_table(pa.Table.from_pylist(data, schema=schema), bad / f"{table}.parquet")
    return bad


def _first(label: str):
    def pick(rows):
        return next(r for r in rows if r["label"] == label and r["origin"] == "human")

    return pick


def _set(pick, **values):
    def change(rows):
        pick(rows).update(values)

    return change


def _text_shift(rows):
    row = _first("PERSON")(rows)
    row["text"] = row["text"][1:] + " "


DEFECTS = [
    ("spans", _set(_first("PERSON"), label="PERSN"), "SPAN-002"),
    ("spans", _set(_first("PERSON"), layer="quote"), "SPAN-003"),
    ("spans", _set(_first("PERSON"), origin="model"), "SPAN-004"),
    ("spans", _set(_first("ORG"), annotator=None), "SPAN-007"),
    ("spans", _set(_first("DATE"), start=-1), "SPAN-005"),
    ("spans", _text_shift, "SPAN-012"),
    ("spans", _set(_first("PERSON"), doc_id="no-such-doc"), "SPAN-010"),
    ("spans", lambda rows: rows.append(dict(_first("ORG")(rows), region_id="copy")), "SPAN-014"),
    ("relations", lambda rows: rows[0].update(to_region_id="gone"), "REL-003"),
    ("relations", lambda rows: rows[0].update(relation="quoted_by"), "REL-001"),
    ("stance", lambda rows: rows[0].update(value="SUPPORT"), "STANCE-001"),
    ("documents", lambda rows: rows.append(dict(rows[0])), "DOC-001"),
    ("annotations", lambda rows: rows[0].update(lead_time=-5.0), "ANN-002"),
]


@pytest.mark.parametrize(("table", "change", "rule"), DEFECTS, ids=[d[2] for d in DEFECTS])
def test_each_seeded_defect_trips_exactly_its_rule(corpus, tmp_path, table, change, rule):
    failed = _failed(_mutate(corpus, tmp_path, table, change))
    assert set(failed) - set(BASELINE) == {rule}


def _said_by_to_a_cue(rows, corpus):
    row = next(r for r in rows if r["relation"] == "said_by" and r["origin"] == "human")
    cue = next(r for r in rows if r["relation"] == "cued_by" and r["annotation_id"] == row["annotation_id"])
    row["to_region_id"] = cue["to_region_id"]  # an existing region (REL-003 holds), but a CUE


def _quote_stance_on_a_speaker(rows, corpus):
    row = next(r for r in rows if r["scope"] == "quote" and r["origin"] == "human")
    spans = pq.read_table(corpus / "spans.parquet").to_pylist()
    speaker = next(s for s in spans if s["annotation_id"] == row["annotation_id"] and s["label"] == "SPEAKER")
    row["region_id"] = speaker["region_id"]


def _entity_across_boilerplate(rows, corpus):
    texts = {d["doc_id"]: d["text"] for d in pq.read_table(corpus / "documents.parquet").to_pylist()}
    edge = next(r for r in rows if r["layer"] == "boilerplate" and r["origin"] == "human" and r["start"] >= 2)
    entity = next(r for r in rows if r["layer"] == "entity" and r["annotation_id"] == edge["annotation_id"])
    start, end = edge["start"] - 2, edge["start"] + 2  # over the boilerplate's first edge, text still true
    entity.update(start=start, end=end, text=texts[edge["doc_id"]][start:end])


CROSS_TABLE_DEFECTS = [
    ("relations", _said_by_to_a_cue, "REL-004"),
    ("stance", _quote_stance_on_a_speaker, "STANCE-003"),
    ("spans", _entity_across_boilerplate, "SPAN-015"),
]


@pytest.mark.parametrize(("table", "change", "rule"), CROSS_TABLE_DEFECTS, ids=[d[2] for d in CROSS_TABLE_DEFECTS])
def test_each_cross_table_defect_trips_exactly_its_rule(corpus, tmp_path, table, change, rule):
    # defects that are only wrong against another table: each is otherwise a valid row
    failed = _failed(_mutate(corpus, tmp_path, table, lambda rows: change(rows, corpus)))
    assert set(failed) - set(BASELINE) == {rule}


def test_the_gate_blocks_a_critical_failure_and_lets_a_warning_through(corpus, tmp_path, runner):
    from newsspan.dataset.cli import cli

    warning = _mutate(corpus, tmp_path / "w", "annotations", lambda rows: rows[0].update(lead_time=-5.0))
    result = runner.invoke(cli, ["validate", str(warning)])
    assert result.exit_code == 0
    assert "## ANN-002 (warning): lead time is not negative" in (warning / "validation.md").read_text()
    critical = _mutate(corpus, tmp_path / "c", "spans", _text_shift)
    result = runner.invoke(cli, ["validate", str(critical)])
    assert result.exit_code == 1
    assert "validation failed on critical rule(s) SPAN-012" in result.stderr
    report = (critical / "validation.md").read_text()
    assert "**FAILED**" in report and "## SPAN-012 (critical)" in report and "doc_id=" in report


def test_data_docs_are_built_on_request(corpus, tmp_path, runner):
    from newsspan.dataset.cli import cli

    result = runner.invoke(cli, ["validate", str(corpus), "--out", str(tmp_path), "--data-docs"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gx-docs" / "index.html").is_file()
    assert any((tmp_path / "gx-docs" / "validations").rglob("*.html"))
