"""The stage as the unit of the pipeline: one shape, one list, the manifest from the reports,
work done once, and the one-stage commands running the build's own stages."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.cli import cli
from newsspan.dataset.config import IngestOptions
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.pipeline import build_stages
from newsspan.dataset.schema import ANNOTATION_TABLES, DOCUMENTS, SPANS
from newsspan.dataset.stage import StageContext, StageReport, run_stage


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The bundled sample, built once, with every stage's report."""
    from newsspan.dataset.build import build_corpus

    out = tmp_path_factory.mktemp("stages") / "corpus"
    return build_corpus(None, out, options=IngestOptions())


def test_the_build_runs_the_pipeline_list_in_order_and_every_stage_reports(built):
    assert list(built.reports) == [stage.name for stage in build_stages()]
    for name, report in built.reports.items():
        assert isinstance(report, StageReport) and report.stage == name
        assert report.summary, f"{name} has no summary line for the console"
        for file in report.files:
            assert (built.out / file).is_file(), f"{name} reports {file}, which is not in the build"


def test_the_manifest_is_the_reports_of_the_stages_before_it(built):
    manifest = json.loads(BuildFolder(built.out).manifest.read_text(encoding="utf-8"))
    before = list(built.reports)[: list(built.reports).index("manifest")]
    for name in before:
        assert manifest[name] == json.loads(json.dumps(built.reports[name].counts)), name
    assert manifest["counts"] == manifest["ingest"]  # kept at the top for scripts
    assert [entry["name"] for entry in manifest["exports"]] == ["exports/01-label-studio-export.json"]
    assert "card" not in manifest  # the card is rendered from the finished, fingerprinted build


def test_the_manifest_describes_the_inputs_as_ingest_read_them(tmp_path):
    from newsspan.dataset.build import build_corpus

    articles = tmp_path / "articles"
    shutil.copytree(Path(__file__).parents[1] / "dataset" / "sample" / "articles", articles)
    first = sorted(articles.glob("*.txt"))[0]
    original = first.read_bytes()

    def change_after_ingest(stage: str) -> None:  # a file edited while the build runs
        if stage == "convert":
            first.write_bytes(original + b"\nedited later\n")

    result = build_corpus(
        [articles], tmp_path / "out", options=IngestOptions(language="en"), on_stage=change_after_ingest
    )
    entry = next(e for e in result.manifest["inputs"] if e["name"] == f"articles/{first.name}")
    assert entry["sha256"] == hashlib.sha256(original).hexdigest()  # not the edited file's
    assert entry["bytes"] == len(original)


def test_each_corpus_table_is_written_once_in_a_build(tmp_path, monkeypatch):
    from newsspan.dataset import io
    from newsspan.dataset.build import build_corpus

    written: list[str] = []
    real = io.TableWriter.__init__

    def record(self, path, *, schema):
        if Path(path).parent.name.startswith(".corpus.tmp-"):  # the build folder, not a converted part
            written.append(Path(path).name)
        real(self, path, schema=schema)

    monkeypatch.setattr(io.TableWriter, "__init__", record)
    build_corpus(None, tmp_path / "corpus", options=IngestOptions())
    for table in (DOCUMENTS, *ANNOTATION_TABLES):
        assert written.count(table.file_name) == 1, (table.file_name, written)
    assert not [p for p in (tmp_path / "corpus").iterdir() if p.name.startswith(".")], "converted parts left behind"


def test_the_quality_stage_scores_the_predictions_the_build_already_has(built, tmp_path, monkeypatch):
    from newsspan.dataset import preannotate
    from newsspan.labeling.quality_stage import QualityStage

    folder = BuildFolder(tmp_path / "b")
    shutil.copytree(built.out, folder.root)
    spans = pq.read_table(folder.table(SPANS))
    gold = spans.filter(pc.equal(spans["origin"], "gold")).to_pylist()
    made = [row | {"origin": "prediction", "annotator": preannotate.MODEL_VERSION, "rule": "copy"} for row in gold]
    combined = pa.concat_tables([spans, pa.Table.from_pylist(made, schema=SPANS.arrow_schema)])
    pq.write_table(combined, folder.table(SPANS))

    def must_not_run(*args, **kwargs):
        raise AssertionError("the rules ran again although the tables hold their predictions")

    monkeypatch.setattr(preannotate, "preannotate_documents", must_not_run)
    report = run_stage(QualityStage(), StageContext(folder))
    assert report.counts["model_version"] == preannotate.MODEL_VERSION
    assert report.counts["figures"]["quote_f1_overlap"] == 1.0  # the gold layer scored against itself
    assert report.counts["figures"]["boilerplate_line_f1"] == 1.0


@pytest.mark.parametrize(
    ("command", "stage"),
    [(["label", "gold"], "gold"), (["label", "agreement"], "agreement"), (["validate"], "validation")],
    ids=["label-gold", "label-agreement", "validate"],
)
def test_a_one_stage_command_runs_the_stage_the_build_ran(built, tmp_path, runner, command, stage):
    folder = BuildFolder(tmp_path / "b")
    shutil.copytree(built.out, folder.root)
    result = runner.invoke(cli, [*command, str(folder.root), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(json.dumps(built.reports[stage].counts))
    assert folder.markdown(stage).read_text(encoding="utf-8") == BuildFolder(built.out).markdown(stage).read_text(
        encoding="utf-8"
    )


def test_the_build_summary_is_the_reports_summary_lines(runner, tmp_path):
    result = runner.invoke(cli, ["build", "--out", str(tmp_path / "corpus")])
    assert result.exit_code == 0, result.output
    for line in (
        "ingest: 10 inputs, 10 documents, 0 quarantined",
        "convert exports/01-label-studio-export.json: 10 tasks",
        "gold (majority):",
        "validation: passed (31 rules",
        "dataset: documents, ner, quotes, boilerplate, annotations; 9 stories",
        "fingerprint ",
        "card: README.md and 3 plots",
    ):
        assert line in result.stderr, line


def test_a_stage_with_nothing_to_do_says_so_and_writes_nothing(tmp_path, runner, seeds_dir):
    result = runner.invoke(cli, ["-q", "build", str(seeds_dir), "--out", str(tmp_path / "seeds"), "--json"])
    manifest = json.loads(result.stdout)
    assert (manifest["gold"], manifest["agreement"], manifest["quality"]) == (None, None, None)
    folder = BuildFolder(tmp_path / "seeds")
    assert not folder.summary("gold").exists() and not folder.summary("agreement").exists()


def test_a_build_failing_the_gate_keeps_its_report_beside_the_untouched_output(built, tmp_path, monkeypatch):
    from newsspan.dataset.build import build_corpus
    from newsspan.dataset.errors import NewsspanError
    from newsspan.validation import gate

    out = tmp_path / "corpus"
    shutil.copytree(built.out, out)
    before = (out / "manifest.json").read_bytes()
    failing = gate.ValidationReport(
        [gate.RuleResult("SPAN-012", "spans.integrity", "critical", "text matches the document", False, 10, 1)], {}
    )
    monkeypatch.setattr(gate, "validate_tables", lambda folder, data_docs=None: failing)
    with pytest.raises(NewsspanError, match=r"critical rule\(s\) SPAN-012; see .*corpus\.validation-failed\.md"):
        build_corpus(None, out, options=IngestOptions())
    assert (out / "manifest.json").read_bytes() == before
    kept = (tmp_path / "corpus.validation-failed.md").read_text(encoding="utf-8")
    assert "**FAILED**" in kept and "SPAN-012" in kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "corpus.validation-failed.md"]


def test_predictions_covering_only_some_gold_documents_are_not_scored_alone(built, tmp_path, monkeypatch):
    from newsspan.dataset import preannotate
    from newsspan.labeling.quality_stage import QualityStage

    folder = BuildFolder(tmp_path / "b")
    shutil.copytree(built.out, folder.root)
    spans = pq.read_table(folder.table(SPANS))
    gold = spans.filter(pc.equal(spans["origin"], "gold")).to_pylist()
    first = gold[0]["doc_id"]
    made = [r | {"origin": "prediction", "annotator": preannotate.MODEL_VERSION} for r in gold if r["doc_id"] == first]
    pq.write_table(
        pa.concat_tables([spans, pa.Table.from_pylist(made, schema=SPANS.arrow_schema)]), folder.table(SPANS)
    )
    calls = []
    real = preannotate.preannotate_documents
    monkeypatch.setattr(preannotate, "preannotate_documents", lambda *a, **k: calls.append(1) or real(*a, **k))
    report = run_stage(QualityStage(), StageContext(folder))
    assert calls == [1]  # the rules ran over every document: one document's predictions would score as misses
    assert report.counts == built.reports["quality"].counts


def test_one_stage_commands_report_an_empty_folder_as_they_always_did(tmp_path, runner, seeds_dir):
    folder = tmp_path / "seeds"
    assert runner.invoke(cli, ["-q", "build", str(seeds_dir), "--out", str(folder)]).exit_code == 0
    gold = runner.invoke(cli, ["label", "gold", str(folder), "--json"])
    assert gold.exit_code == 0 and json.loads(gold.stdout)["documents"] == 0
    agreement = runner.invoke(cli, ["label", "agreement", str(folder), "--out", str(tmp_path / "a"), "--json"])
    assert agreement.exit_code == 0 and json.loads(agreement.stdout)["documents"] == 0
    assert (BuildFolder(folder).markdown("gold")).is_file() and (tmp_path / "a" / "agreement.md").is_file()


def test_parts_are_merged_in_export_order_past_ninety_nine(tmp_path):
    folder = BuildFolder(tmp_path)
    for number in (100, 9, 10, 2):
        folder.converted(number).mkdir()
    assert [p.name for p in folder.converted_parts()] == [".convert-02", ".convert-09", ".convert-10", ".convert-100"]


def test_label_agreement_says_whether_accepted_predictions_were_left_out(built, tmp_path, runner):
    folder = BuildFolder(tmp_path / "b")
    shutil.copytree(built.out, folder.root)
    result = runner.invoke(cli, ["label", "agreement", str(folder.root), "--exclude-accepted", "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert counts["excluded_accepted_predictions"] is True
    assert counts["span_provenance"] == built.reports["agreement"].counts["span_provenance"]
    markdown = folder.markdown("agreement").read_text(encoding="utf-8")
    assert "left out of the span figures (agreement.exclude_accepted_predictions)" in markdown


def test_the_quality_stage_says_how_many_gold_spans_are_untouched_predictions(built, tmp_path):
    from newsspan.labeling.quality_stage import QualityStage

    folder = BuildFolder(tmp_path / "b")
    shutil.copytree(built.out, folder.root)
    spans = pq.read_table(folder.table(SPANS))
    rows = spans.to_pylist()
    gold = [r for r in rows if r["origin"] == "gold"]
    for row in gold[:3]:
        row["provenance"] = "prediction"  # three gold spans no annotator touched
    pq.write_table(pa.Table.from_pylist(rows, schema=spans.schema), folder.table(SPANS))
    report = run_stage(QualityStage(), StageContext(folder))
    assert report.counts["gold_provenance"]["prediction"] == 3
    assert (
        f"  3 of {len(gold)} gold spans are predictions no annotator changed: the figures above count them as right"
        in (report.summary)
    )
