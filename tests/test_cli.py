"""The command line: help, exit codes, config, outputs, atomic builds."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import click
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, (*prefix, name)))
    return paths


COMMANDS = [" ".join(path) for path in _command_paths(cli)]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_a_runnable_example(runner, name):
    result = runner.invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert f"newsspan {name}" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented_in_the_readme(name):
    assert f"newsspan {name}" in README, f"README.md does not mention `newsspan {name}`"


def test_root_help_lists_every_command(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in cli.commands:
        assert name in result.output


def test_ingest_seeds_prints_a_reconciling_json_summary(runner, seeds_dir, tmp_path):
    result = runner.invoke(cli, ["ingest", str(seeds_dir), "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["inputs"], summary["documents"], summary["quarantined"]) == (5, 5, 0)
    assert summary["reconciles"] is True
    assert pq.read_table(tmp_path / "documents.parquet").num_rows == 5


def test_ingest_human_summary_goes_to_stderr_and_names_reasons(runner, tmp_path):
    folder = Path(__file__).parent / "data" / "bad_inputs" / "jsonl_problems" / "input"
    result = runner.invoke(cli, ["ingest", str(folder), "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout == ""
    for text in ("inputs", "6", "invalid_json", "missing_text", "undecodable"):
        assert text in result.stderr


def test_missing_input_path_exits_1_naming_it(runner, tmp_path):
    result = runner.invoke(cli, ["ingest", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert f"Error: input {tmp_path / 'nope'} does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_usage_error_exits_2(runner, tmp_path):
    result = runner.invoke(cli, ["ingest", str(tmp_path)])
    assert result.exit_code == 2
    assert "Missing option '--out'" in result.stderr


@pytest.mark.parametrize(
    ("out", "code", "message"),
    [("file", 2, "is a file"), ("file/sub", 1, "file exists and is not a folder; choose another --out")],
    ids=["out-is-a-file", "parent-is-a-file"],
)
def test_output_that_cannot_be_a_folder_is_refused(runner, seeds_dir, tmp_path, out, code, message):
    (tmp_path / "file").write_text("x")
    result = runner.invoke(cli, ["ingest", str(seeds_dir), "--out", str(tmp_path / out)])
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_config_file_sets_options_and_flags_override_it(runner, seeds_dir, tmp_path):
    config = tmp_path / "newsspan.toml"
    config.write_text('[ingest]\nlanguage = "en"\nstance_target = "MSMT"\n')
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["--config", str(config), "ingest", str(seeds_dir), "--out", str(out), "--stance-target", "Russia"]
    )
    assert result.exit_code == 0, result.output
    documents = pq.read_table(out / "documents.parquet").to_pylist()
    assert {d["language"] for d in documents} == {"en"}
    assert {d["stance_target"] for d in documents} == {"Russia"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[ingest]\nlanguge = 'en'\n", "unknown key(s) languge; allowed: batch_size, fallback_encoding, language"),
        ("[ingst]\n", "unknown table(s) ingst; allowed: agreement, build, engine, gold, ingest, label_studio, "),
        ("[ingest]\nmax_bytes = 'big'\n", "key 'max_bytes' must be int, got 'big'"),
        ("[ingest]\nfallback_encoding = 'klingon'\n", "is not a codec Python knows"),
        ("[ingest\n", "is not valid TOML"),
    ],
    ids=["typo-key", "typo-table", "wrong-type", "bad-codec", "bad-toml"],
)
def test_bad_config_is_a_clear_error(runner, tmp_path, content, message):
    config = tmp_path / "newsspan.toml"
    config.write_text(content)
    result = runner.invoke(cli, ["--config", str(config), "ingest", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_build_without_arguments_builds_the_bundled_sample(runner, tmp_path):
    out = tmp_path / "corpus"
    result = runner.invoke(cli, ["build", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["counts"]["documents"] == 10
    assert manifest["counts"]["reconciles"] is True
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "agreement.json",
        "agreement.md",
        "agreement.parquet",
        "annotations",
        "annotations.parquet",
        "boilerplate",
        "documents",
        "documents.parquet",
        "exports",
        "gold.json",
        "gold.md",
        "gold_conflicts.parquet",
        "ingest.json",
        "manifest.json",
        "ner",
        "plots",
        "quality.json",
        "quarantine.parquet",
        "quotes",
        "relations.parquet",
        "spans.parquet",
        "stance.parquet",
        "validation.json",
        "validation.md",
    ]
    assert manifest["validation"]["passed"] is True and manifest["validation"]["rules"] > 20
    (converted,) = manifest["convert"]
    assert converted["reconciles"] and converted["tasks"] == 10 and converted["result_items_quarantined"] == 0
    gold = manifest["gold"]
    assert gold["strategy"] == "majority" and gold["documents"] == 10 and gold["gold_spans"] > 0
    spans = pq.read_table(out / "spans.parquet").to_pylist()
    assert sum(s["origin"] == "human" for s in spans) == converted["rows"]["spans"]
    assert sum(s["origin"] == "gold" for s in spans) == gold["gold_spans"]
    (export,) = manifest["exports"]
    assert (export["name"], export["source"]) == ("exports/01-label-studio-export.json", "label-studio-export.json")
    assert manifest["outputs"]["exports/01-label-studio-export.json"] == export["sha256"]
    assert json.loads((out / "manifest.json").read_text()) == manifest
    assert {d["language"] for d in pq.read_table(out / "documents.parquet").to_pylist()} == {"en"}
    assert [p.name for p in tmp_path.iterdir()] == ["corpus"]  # no staging folder left


def test_rebuilding_gives_identical_bytes_and_fingerprint(runner, tmp_path):
    first = runner.invoke(cli, ["build", "--out", str(tmp_path / "a"), "--json"])
    second = runner.invoke(cli, ["build", "--out", str(tmp_path / "b"), "--json"])
    assert json.loads(first.stdout)["fingerprint"] == json.loads(second.stdout)["fingerprint"]
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.parquet"))
    assert len(files) > 10  # the corpus tables and every dataset config
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_interrupted_build_keeps_the_previous_build_and_leaves_nothing_complete(runner, tmp_path, monkeypatch):
    out = tmp_path / "corpus"
    assert runner.invoke(cli, ["build", "--out", str(out)]).exit_code == 0
    before = (out / "manifest.json").read_bytes()

    from newsspan.dataset.manifest import ManifestStage

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed while writing the manifest")

    monkeypatch.setattr(ManifestStage, "run", crash)
    result = runner.invoke(cli, ["build", "--out", str(out)])
    assert result.exit_code != 0
    assert (out / "manifest.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["corpus"]


def test_build_with_nothing_accepted_is_an_error(runner, tmp_path):
    folder = Path(__file__).parent / "data" / "bad_inputs" / "empty_file" / "input"
    result = runner.invoke(cli, ["build", str(folder), "--out", str(tmp_path / "corpus")])
    assert result.exit_code == 1
    assert "no article was accepted from 1 input(s) (1 quarantined: {'empty': 1})" in result.stderr
    assert not (tmp_path / "corpus").exists()


def test_schema_json_lists_layers_and_tables(runner):
    result = runner.invoke(cli, ["schema", "--format", "json"])
    assert result.exit_code == 0
    described = json.loads(result.stdout)
    assert [layer["name"] for layer in described["layers"]] == ["entity", "quote", "boilerplate"]
    text = runner.invoke(cli, ["schema"]).stdout
    assert "relation said_by: QUOTE -> SPEAKER" in text


def test_sample_copies_the_articles_and_refuses_to_overwrite(runner, tmp_path):
    out = tmp_path / "articles"
    result = runner.invoke(cli, ["sample", "--out", str(out)])
    assert result.exit_code == 0
    assert "copied 9 files" in result.stdout
    assert (out / "more.jsonl").is_file()
    again = runner.invoke(cli, ["sample", "--out", str(out)])
    assert again.exit_code == 1
    assert "already exists" in again.stderr


def test_help_path_imports_no_heavy_module():
    # `newsspan --help` must answer fast: the CLI module may not import the heavy libraries.
    heavy = ["pyarrow", "polars", "datasets", "great_expectations", "label_studio_sdk", "pandas", "rich"]
    code = f"import sys; from newsspan.dataset.cli import cli; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_build_merges_conversion_quarantine_with_ingest(runner, tmp_path):
    from newsspan.dataset.build import sample_export

    bad = json.loads((Path(__file__).parent / "data" / "exports" / "bad_tasks" / "export.json").read_text())
    with sample_export() as path:
        good = json.loads(path.read_text(encoding="utf-8"))
    export = tmp_path / "export.json"
    export.write_text(json.dumps(good + [t | {"id": 9000 + i} for i, t in enumerate(bad)]), encoding="utf-8")
    out = tmp_path / "sample"
    result = runner.invoke(cli, ["build", "--export", str(export), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    quarantine = pq.read_table(out / "quarantine.parquet").to_pylist()
    reasons = Counter(q["reason"] for q in quarantine if q["stage"] == "convert")
    assert reasons == Counter(manifest["convert"][0]["quarantine_reasons"])
    assert reasons == {"missing_text": 1, "unknown_document": 4}
    assert pq.read_table(out / "spans.parquet").num_rows > 0
    plain = runner.invoke(
        cli,
        [
            "build",
            str(Path(__file__).parent / "data" / "invented_articles"),
            "--out",
            str(tmp_path / "plain"),
            "--json",
        ],
    )
    assert json.loads(plain.stdout)["convert"] == []
    assert pq.read_table(tmp_path / "plain" / "annotations.parquet").num_rows == 0


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ("bad_tasks", "none of the 5 task(s) of Label Studio export"),
        ("empty", "has no tasks; export the project again"),
    ],
)
def test_a_build_whose_export_gives_it_nothing_fails_and_says_why(runner, seeds_dir, tmp_path, tasks, message):
    export = Path(__file__).parent / "data" / "exports" / "bad_tasks" / "export.json"
    if tasks == "empty":
        export = tmp_path / "empty.json"
        export.write_text("[]", encoding="utf-8")
    out = tmp_path / "seeds"
    result = runner.invoke(cli, ["build", str(seeds_dir), "--export", str(export), "--out", str(out)])
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert not out.exists(), "nothing complete-looking is left"


def test_a_build_killed_mid_write_leaves_the_previous_build_untouched(tmp_path):
    import os
    import signal
    import time

    out = tmp_path / "corpus"
    command = [sys.executable, "-c", "from newsspan.dataset.cli import main; main()", "-q", "build", "--out", str(out)]
    assert subprocess.run(command, check=False, capture_output=True).returncode == 0
    before = (out / "manifest.json").read_bytes()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.name.startswith(".corpus.tmp-") for p in tmp_path.iterdir()):
        time.sleep(0.05)  # wait until the second build is writing its staging folder
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert (out / "manifest.json").read_bytes() == before  # the complete-looking folder is the old one
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "corpus"]
    # hidden, and no manifest inside: the staging folder, and the lock file the dead run held
    assert all(name.startswith(".corpus.tmp-") or name == ".corpus.lock" for name in leftovers), leftovers
    assert not any((tmp_path / name / "manifest.json").exists() for name in leftovers)
    # the next build of the same output takes the lock over and removes what the killed run left
    assert subprocess.run(command, check=False, capture_output=True).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]


def test_paths_print_as_typed_never_as_console_markup(runner, tmp_path):
    out = tmp_path / "out[/]" / "[bold]t[/bold]"
    result = runner.invoke(
        cli, ["ingest", str(Path(__file__).parent / "data" / "invented_articles"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"written to {out}" in result.stderr
    assert (out / "documents.parquet").is_file()


@pytest.mark.parametrize("language", ["EN-us", "english", "en\nGB"])
def test_an_invalid_language_option_is_refused_before_any_work(runner, tmp_path, language):
    result = runner.invoke(cli, ["ingest", str(tmp_path), "--out", str(tmp_path / "out"), "--language", language])
    assert result.exit_code == 1 and "use an ISO 639 code: 'en', 'deu'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_subcommands_help_imports_no_heavy_module():
    # `newsspan label --help` goes through the group's error handling: that must stay light too
    code = (
        "import sys\nfrom newsspan.dataset.cli import cli\n"
        "try:\n    cli(['label', '--help'])\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('pyarrow', 'polars', 'datasets', 'great_expectations', 'pandas') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
