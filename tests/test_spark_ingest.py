"""``--engine spark``: ingest's steps in a real local[2] Spark session give the local engine's tables.

Needs the ``spark`` extra (``pip install '.[spark]'``) and a Java 17 runtime; the Spark tests skip
without them, except when NEWSSPAN_SPARK_TESTS=1 (CI installs both and sets it). The checks of a
missing pyspark or Java run everywhere.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.build import ingest_to_folder
from newsspan.dataset.config import IngestOptions, Settings
from newsspan.dataset.errors import ConfigError, NewsspanError

DATA = Path(__file__).parent / "data"


def _sorted(table: pa.Table, keys: list[str]) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in keys])


def _same_tables(spark_out: Path, local_out: Path) -> None:
    for name, keys in (("documents", ["doc_id"]), ("quarantine", ["source", "stage", "reason", "detail"])):
        ours, theirs = pq.read_table(spark_out / f"{name}.parquet"), pq.read_table(local_out / f"{name}.parquet")
        assert ours.schema.equals(theirs.schema), f"{name}: {ours.schema} != {theirs.schema}"
        assert ours.num_rows == theirs.num_rows, name
        assert _sorted(ours, keys).equals(_sorted(theirs, keys)), f"{name}: rows differ after sorting by {keys}"


@pytest.mark.integration
def test_spark_ingest_equals_the_local_engine_on_the_sample_the_seeds_and_every_bad_input(spark, seeds_dir, tmp_path):
    from newsspan.dataset.build import sample_articles
    from newsspan.dataset.spark.ingest import ingest_spark

    bad = sorted((DATA / "bad_inputs").glob("*/input"))
    with sample_articles() as sample:
        paths = [sample, seeds_dir, *bad]
        summary = ingest_spark(spark, paths, tmp_path / "spark", options=IngestOptions())
        local = ingest_to_folder(paths, tmp_path / "local", options=IngestOptions())
    written = json.loads((tmp_path / "spark" / "ingest.json").read_text())
    assert written == summary
    expected = local.as_dict()
    assert {k: summary[k] for k in expected} == expected
    assert summary["quarantine_reasons"]["duplicate"] >= 1  # decided by the group-by, worded by DuplicateFilter
    assert summary["files"] == local.files  # per-file provenance, in walk order
    assert summary["engine"]["name"] == "spark" and summary["engine"]["version"].startswith("4.1.")
    _same_tables(tmp_path / "spark", tmp_path / "local")
    parts = sorted(p.name for p in (tmp_path / "spark" / "documents.parquet").iterdir())
    assert parts and all(p.startswith("part-") and p.endswith(".parquet") for p in parts), parts  # no _SUCCESS, .crc


@pytest.mark.integration
def test_a_later_copy_in_another_file_is_refused_naming_the_first_in_walk_order(spark, tmp_path):
    from newsspan.dataset.spark.ingest import ingest_spark

    body = "The harbour authority said on Tuesday that the new berth would open in spring. " * 8
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("c.txt", "a.txt", "b.txt"):  # the walk is sorted: a.txt is the first copy
        (folder / name).write_text(body, encoding="utf-8")
    summary = ingest_spark(spark, [folder], tmp_path / "out", options=IngestOptions(language="en"))
    assert (summary["documents"], summary["quarantine_reasons"]) == (1, {"duplicate": 2})
    (kept,) = pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()
    assert kept["source"] == "in/a.txt"
    details = sorted(pq.read_table(tmp_path / "out" / "quarantine.parquet").column("detail").to_pylist())
    assert details[0].startswith("in/b.txt: same normalized text as document") and "(in/a.txt)" in details[0]
    assert details[1].startswith("in/c.txt: ") and "(in/a.txt)" in details[1]


@pytest.mark.integration
def test_the_ingest_command_with_engine_spark_and_back_to_local(spark, runner, seeds_dir, tmp_path):
    from newsspan.dataset.cli import cli

    out = tmp_path / "crawl"
    result = runner.invoke(cli, ["ingest", "--engine", "spark", str(seeds_dir), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == 5 and report["engine"]["name"] == "spark"
    names = ["documents.parquet", "ingest.json", "quarantine.parquet"]  # the same names, tables as folders
    assert sorted(p.name for p in out.iterdir()) == names
    assert (out / "documents.parquet").is_dir()
    result = runner.invoke(cli, ["ingest", str(seeds_dir), "--out", str(out)])  # the local engine replaces them
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == names and (out / "documents.parquet").is_file()
    result = runner.invoke(cli, ["ingest", "--engine", "spark", str(seeds_dir), "--out", str(out)])  # and back
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == names and (out / "documents.parquet").is_dir()
    assert pq.read_table(out / "documents.parquet").num_rows == 5


def test_without_pyspark_the_error_names_the_install_line(monkeypatch):
    from newsspan.dataset.spark import session

    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark raises ImportError
    with pytest.raises(NewsspanError, match=r"pyspark is not installed; .*pip install 'newsspan\[spark\]'"):
        session.require_spark()


def test_without_java_the_error_names_the_runtime_to_install(monkeypatch, tmp_path):
    from newsspan.dataset.spark import session

    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    with pytest.raises(NewsspanError, match=r"JAVA_HOME=.*no-jdk has no bin/java; .*openjdk-17-jre-headless"):
        session.java_version()
    monkeypatch.delenv("JAVA_HOME")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NewsspanError, match=r"no `java` on PATH and JAVA_HOME is not set"):
        session.java_version()


def test_a_java_the_spark_release_does_not_run_on_is_refused(monkeypatch, tmp_path):
    from newsspan.dataset.spark import session

    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed")
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\necho 'openjdk version \"25.0.1\" 2025-10-21' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    assert session.java_version() == (25, str(java))
    with pytest.raises(NewsspanError, match=r"is Java 25; Spark 4.1 runs on Java 17 or 21"):
        session.require_spark()


def test_the_engine_table_is_checked_on_load():
    settings = Settings.from_mapping(
        {"engine": {"name": "spark", "master": "spark://10.0.0.5:7077", "conf": {"spark.executor.memory": "4g"}}},
        where="newsspan.toml",
    )
    assert settings.engine.conf == {"spark.executor.memory": "4g"} and settings.engine.partitions == 4
    with pytest.raises(ConfigError, match=r"\[engine\]: key 'name' must be one of 'local', 'spark', got 'dask'"):
        Settings.from_mapping({"engine": {"name": "dask"}}, where="newsspan.toml")
    with pytest.raises(ConfigError, match=r"key 'conf' must be a table of str values"):
        Settings.from_mapping({"engine": {"conf": {"spark.executor.cores": 4}}}, where="newsspan.toml")
    with pytest.raises(ConfigError, match=r"engine.conf: 'executor.memory': keys are Spark settings"):
        Settings.from_mapping({"engine": {"conf": {"executor.memory": "4g"}}}, where="newsspan.toml")


def test_a_build_from_exports_refuses_the_spark_engine_before_any_work(runner, tmp_path):
    from newsspan.dataset.cli import cli

    config = tmp_path / "newsspan.toml"
    config.write_text('[engine]\nname = "spark"\n', encoding="utf-8")
    result = runner.invoke(cli, ["--config", str(config), "build", "--out", str(tmp_path / "corpus")])
    assert result.exit_code == 1
    assert "[engine] name = 'spark', but a build from Label Studio exports runs on the local engine" in result.stderr
    assert "newsspan build --engine spark --predictions-only" in result.stderr  # the way out
    assert not (tmp_path / "corpus").exists()
    result = runner.invoke(cli, ["build", "--engine", "spark", "--out", str(tmp_path / "corpus")])
    assert result.exit_code == 1 and "runs on the local engine only" in result.stderr  # the flag too


def test_a_table_folder_appears_only_when_spark_has_written_it_whole(tmp_path):
    """A write that fails halfway leaves the earlier folder as it was and no visible new one."""
    from newsspan.dataset.spark.ingest import write_parquet

    class Writer:
        def __init__(self, fail: bool) -> None:
            self.fail = fail

        def mode(self, _: str) -> Writer:
            return self

        def parquet(self, path: str) -> None:
            Path(path).mkdir()
            (Path(path) / "part-00000.parquet").write_bytes(b"new")
            (Path(path) / "_SUCCESS").write_bytes(b"")
            (Path(path) / ".part-00000.parquet.crc").write_bytes(b"")
            if self.fail:
                raise RuntimeError("executor lost")

    class Frame:
        def __init__(self, fail: bool) -> None:
            self.write = Writer(fail)

    folder = tmp_path / "documents.parquet"
    folder.write_bytes(b"a local run's one-file table")  # replaced by the folder, once it is complete
    write_parquet(Frame(fail=False), folder)
    assert sorted(p.name for p in folder.iterdir()) == ["part-00000.parquet"]  # no _SUCCESS, no .crc
    (folder / "part-00000.parquet").write_bytes(b"old")
    with pytest.raises(RuntimeError, match="executor lost"):
        write_parquet(Frame(fail=True), folder)
    assert (folder / "part-00000.parquet").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["documents.parquet"]
